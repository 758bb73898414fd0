import { strict as assert } from "assert";
import { CHARTS as PINNED } from "../../../../components/shared/charts";
import facts from "../../../../policies/lib/charts/chart-refusals.json";
import {
  CHART_REFUSAL_MODELS,
  CHART_REFUSAL_PREDICATE_IDS,
  chartTemplatesRender,
} from "../../../../policies/rules/rollout/chart-templates-render";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";
import { ResourceRecord } from "../../support/harness";

const run = (records: ResourceRecord[]) => runStackPolicy(chartTemplatesRender, records);
const loki = (path: string, value: unknown, records = compliantStack()) => mutateValues(records, "loki", path, value);

describe("policy chart-templates-render (U8)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual((await run(compliantStack())).violations, []);
  });

  it("rejects lokiCanary.enabled: false while test.enabled keeps its default true", async () => {
    const result = await run(loki("lokiCanary.enabled", false));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /values\.lokiCanary\.enabled=false while test\.enabled=true \(loki chart 18\.11\.0 default, values\.yaml\).*templates\/validate\.yaml line 6\): "Helm test requires the Loki Canary to be enabled", so the Helm release fails to render, so it cannot install or upgrade\. Fix: .*test\.enabled: false/,
    );
  });

  it("accepts disabling both lokiCanary and test", async () => {
    const records = loki("test.enabled", false, loki("lokiCanary.enabled", false));
    assert.deepEqual((await run(records)).violations, []);
  });

  it("rejects read.replicas: 2 beside the distributed targets in Distributed mode", async () => {
    const result = await run(loki("read.replicas", 2));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /values\.read\.replicas=2 \(scalable targets\) and .*values\.ingester\.replicas=3.* while .*values\.deploymentMode=Distributed.*"You have more than zero replicas configured for scalable targets.*Fix: set read\.replicas to 0/,
    );
  });

  it("counts the chart's default of 3 for scalable targets the values leave unset", async () => {
    const records = mutateValues(compliantStack(), "loki", "write", undefined);
    const result = await run(records);
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0].message, /write\.replicas=3 \(loki chart 18\.11\.0 default, values\.yaml\)/);
  });

  it('accepts read.replicas 0, "0" or null, and the transition mode with both', async () => {
    for (const records of [
      loki("read.replicas", 0),
      loki("read.replicas", "0"),
      loki("read.replicas", null),
      loki("deploymentMode", "SimpleScalable<->Distributed", loki("read.replicas", 2)),
    ])
      assert.deepEqual((await run(records)).violations, []);
  });

  it("rejects single binary replicas beside distributed targets, and without a schema", async () => {
    const mixed = await run(loki("singleBinary.replicas", 1));
    assert.equal(mixed.violations.length, 1);
    assert.match(mixed.violations[0].message, /monolithic and distributed targets/);
    const noSchema = await run(loki("loki.schemaConfig", {}));
    assert.equal(noSchema.violations.length, 1);
    assert.match(noSchema.violations[0].message, /You must provide a schema_config for Loki/);
    assert.deepEqual(
      (await run(loki("loki.useTestSchema", true, loki("loki.schemaConfig", {})))).violations,
      [],
      "the test schema stands in for schemaConfig",
    );
  });

  it("rejects HPA and KEDA on one Loki component, and a missing ruler bucket", async () => {
    const both = await run(
      loki("querier.kedaAutoscaling", { enabled: true }, loki("querier.autoscaling", { enabled: true })),
    );
    assert.match(both.violations[0].message, /Cannot enable both HPA and Keda based autoscaling for querier/);
    const ruler = await run(loki("loki.storage.bucketNames.ruler", ""));
    assert.equal(ruler.violations.length, 1);
    assert.match(ruler.violations[0].message, /"Please define loki\.storage\.bucketNames\.ruler"/);
    assert.deepEqual(
      (await run(loki("ruler.enabled", false, loki("loki.storage.bucketNames.ruler", "")))).violations,
      [],
    );
  });

  it("rejects the Grafana operator folder with the default folder and a folderUID (kube-prometheus-stack)", async () => {
    const records = mutateValues(compliantStack(), "kube-prometheus-stack", "grafana.operator", {
      dashboardsConfigMapRefEnabled: true,
      matchLabels: { dashboards: "grafana" },
      folderUID: "abc",
    });
    const result = await run(records);
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /grafana\.operator\.folder=General \(kube-prometheus-stack chart 88\.5\.3 default, values\.yaml\), .*folderUID=abc.*\(2 set\).*only one of folder, folderUID, or folderRef must be set/,
    );
    const fixed = mutateValues(records, "kube-prometheus-stack", "grafana.operator.folder", null);
    assert.deepEqual((await run(fixed)).violations, []);
  });

  it("rejects an alloy Deployment with autoscaling and no requests, and a PDB on the DaemonSet", async () => {
    const hpa = mutateValues(
      mutateValues(compliantStack(), "alloy", "controller.type", "deployment"),
      "alloy",
      "controller.autoscaling.horizontal.enabled",
      true,
    );
    const result = await run(hpa);
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /"\.Values\.alloy\.resources\.requests is required when using autoscaling\."/,
    );
    const pdb = await run(mutateValues(compliantStack(), "alloy", "controller.podDisruptionBudget.enabled", true));
    assert.match(pdb.violations[0].message, /PDBs \(Pod Disruption Budgets\) are not intended for DaemonSets/);
  });

  describe("the refusal inventory (policies/lib/charts/chart-refusals.json)", () => {
    it("lists every pinned chart at its pinned version", () => {
      for (const pin of Object.values(PINNED)) {
        const entry = facts.charts.find((c) => c.chart === pin.chart);
        assert.ok(entry, `${pin.chart} is not in chart-refusals.json`);
        assert.equal(
          entry.version,
          pin.version,
          `${pin.chart}: the inventory is of ${entry.version}, the pin ${pin.version}`,
        );
      }
    });

    it("models every refusal by a predicate of the policy, or says why it is unreachable", () => {
      const open = (facts.refusals as Array<Record<string, unknown>>).filter(
        (r) =>
          !(typeof r.predicate === "string" && CHART_REFUSAL_PREDICATE_IDS.has(r.predicate)) &&
          !(typeof r.unreachable === "string" && r.unreachable.length > 20),
      );
      assert.deepEqual(open, [], "refusals neither modelled nor explained");
    });

    it("models each chart at the version the inventory lists, and every predicate answers some refusal", () => {
      for (const [chart, model] of Object.entries(CHART_REFUSAL_MODELS))
        assert.equal(model!.version, facts.charts.find((c) => c.chart === chart)?.version, chart);
      const used = new Set((facts.refusals as Array<{ predicate?: string }>).map((r) => r.predicate));
      for (const id of CHART_REFUSAL_PREDICATE_IDS) assert.ok(used.has(id), `${id} models no listed refusal`);
    });
  });
});
