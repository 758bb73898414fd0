import { strict as assert } from "assert";
import { singleAttachVolumeDeploymentsRollOut } from "../../../../policies/rules/rollout/single-attach-volume-deployments-roll-out";
import { compliantStack, mutateValues } from "../../support/fixture";
import { ResourceRecord, runStackPolicy } from "../../support/harness";

const KPS = "kube-prometheus-stack";
const grafana = (path: string, value: unknown, records = compliantStack()) =>
  mutateValues(records, KPS, `grafana.${path}`, value);
const persisted = () => grafana("persistence", { enabled: true, size: "10Gi" });
const run = (records: ResourceRecord[]) => runStackPolicy(singleAttachVolumeDeploymentsRollOut, records);
/** Every finding, violations first: ReadWriteOnce findings are advisories, ReadWriteOncePod ones violations. */
const messages = async (records: ResourceRecord[]) => {
  const { violations, advisories } = await run(records);
  return [...violations, ...advisories].map((v) => v.message);
};

describe("policy single-attach-volume-deployments-roll-out (U12)", () => {
  it("passes the compliant fixture (Grafana without persistence)", async () => {
    assert.deepEqual(await messages(compliantStack()), []);
  });

  it("advises against Grafana persistence on the chart's default RollingUpdate (h21): a stall depends on placement", async () => {
    const { violations, advisories } = await run(persisted());
    assert.deepEqual(violations, []);
    const found = advisories.map((a) => a.message);
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /values\.grafana\.persistence\.enabled=true \(a ReadWriteOnce claim, persistence\.accessModes=\[ReadWriteOnce\] \(grafana chart 12\.11\.1 default\)\) on the single-replica Grafana Deployment \(replicas=1 \(chart default\)\) rolled out by deploymentStrategy\.type=RollingUpdate \(grafana chart 12\.11\.1 default; maxSurge 25% rounds up to 1.*Multi-Attach error.*release's upgrade fails\. Fix: set grafana\.deploymentStrategy: \{type: Recreate\}/,
    );
  });

  it("flags an explicit RollingUpdate with maxSurge 1, more replicas, and autoscaling with the volume", async () => {
    const surge = await messages(
      grafana("deploymentStrategy", { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } }, persisted()),
    );
    assert.match(surge[0], /deploymentStrategy\.type=RollingUpdate, maxSurge 1/);
    const two = await messages(grafana("replicas", 2, persisted()));
    assert.match(two[0], /values\.grafana\.replicas=2: the replicas scheduled on other nodes cannot attach the volume/);
    const hpa = await messages(grafana("autoscaling", { enabled: true }, persisted()));
    assert.match(hpa[0], /autoscaling\.enabled=true: the pods the autoscaler adds on other nodes/);
  });

  it("rejects a ReadWriteOncePod claim rolled out with a surge: the second pod never starts", async () => {
    const { violations } = await run(grafana("persistence.accessModes", ["ReadWriteOncePod"], persisted()));
    assert.equal(violations.length, 1);
    assert.match(
      violations[0].message,
      /a ReadWriteOncePod claim admits no second pod \(the scheduler keeps it Pending\)/,
    );
  });

  it("accepts Recreate, maxSurge 0, a StatefulSet, ReadWriteMany, an existing claim, and persistence off", async () => {
    for (const records of [
      grafana("deploymentStrategy", { type: "Recreate" }, persisted()),
      grafana(
        "deploymentStrategy",
        { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
        persisted(),
      ),
      grafana(
        "deploymentStrategy",
        { type: "RollingUpdate", rollingUpdate: { maxSurge: "0%", maxUnavailable: "100%" } },
        persisted(),
      ),
      grafana("useStatefulSet", true, persisted()),
      grafana("persistence.type", "statefulset", persisted()),
      grafana("persistence.accessModes", ["ReadWriteMany"], persisted()),
      grafana("persistence.existingClaim", "grafana-data", persisted()),
      grafana("persistence", { enabled: false, size: "10Gi" }),
      grafana("enabled", false, persisted()),
    ])
      assert.deepEqual(await messages(records), []);
  });
});
