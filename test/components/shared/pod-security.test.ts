// Every namespace the program creates carries Pod Security Admission labels: the level it enforces, a stricter one
// warned and audited, and the reason when it is below restricted.
import { strict as assert } from "assert";
import { POD_SECURITY_REASON_ANNOTATION } from "../../../components/shared/pod-security";
import { runShippedStacks } from "../../support/program";

const ORDER = ["privileged", "baseline", "restricted"];

describe("Pod Security Admission labels on every namespace", function () {
  this.timeout(300_000);

  it("enforces a level on each, warns and audits a stricter one, and says why when below restricted", async () => {
    for (const [stack, run] of Object.entries(await runShippedStacks())) {
      const namespaces = run.ofType("kubernetes:core/v1:Namespace");
      assert.ok(namespaces.length >= 5, `${stack}: ${namespaces.length} namespaces`);
      for (const ns of namespaces) {
        const { labels = {}, annotations = {}, name } = ns.plain.metadata;
        const enforce = labels["pod-security.kubernetes.io/enforce"];
        assert.ok(ORDER.includes(enforce), `${stack} ${name}: enforce=${enforce}`);
        for (const mode of ["warn", "audit"]) {
          assert.ok(
            ORDER.indexOf(labels[`pod-security.kubernetes.io/${mode}`]) >= ORDER.indexOf(enforce),
            `${stack} ${name}: ${mode}`,
          );
        }
        if (enforce !== "restricted")
          assert.ok((annotations[POD_SECURITY_REASON_ANNOTATION] ?? "").length > 20, `${stack} ${name}: no reason`);
      }
    }
  });

  it("enforces restricted where the charts are shown to meet it: Mimir, Loki, and Kafka through Strimzi's restricted provider", async () => {
    const { prod } = await runShippedStacks();
    const levels = Object.fromEntries(
      prod
        .ofType("kubernetes:core/v1:Namespace")
        .map((ns) => [ns.plain.metadata.name, ns.plain.metadata.labels["pod-security.kubernetes.io/enforce"]]),
    );
    assert.equal(levels.mimir, "restricted");
    assert.equal(levels.loki, "restricted");
    assert.equal(levels.kafka, "restricted");
    const strimzi = prod
      .ofType("kubernetes:helm.sh/v3:Release")
      .find((r) => r.plain.chart === "strimzi-kafka-operator")!;
    assert.deepEqual(strimzi.plain.values.extraEnvs, [
      { name: "STRIMZI_POD_SECURITY_PROVIDER_CLASS", value: "restricted" },
    ]);
  });

  it("grants host access only where node-level collection needs it (Alloy, node-exporter)", async () => {
    const { prod } = await runShippedStacks();
    const levels = Object.fromEntries(
      prod
        .ofType("kubernetes:core/v1:Namespace")
        .map((ns) => [ns.plain.metadata.name, ns.plain.metadata.labels["pod-security.kubernetes.io/enforce"]]),
    );
    assert.deepEqual(
      Object.entries(levels)
        .filter(([, level]) => level === "privileged")
        .map(([name]) => name)
        .sort(),
      ["alloy", "monitoring"],
    );
  });
});
