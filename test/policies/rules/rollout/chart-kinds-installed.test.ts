import { strict as assert } from "assert";
import { chartKindsInstalled, OPTIONAL_KINDS } from "../../../../policies/rules/rollout/chart-kinds-installed";
import facts from "../../../../policies/lib/charts/chart-crd-kinds.json";
import { compliantStack, mutateValues, without } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

async function messages(records: ReturnType<typeof compliantStack>): Promise<string[]> {
  return (await runStackPolicy(chartKindsInstalled, records)).violations.map((v) => v.message);
}

describe("policy chart-kinds-installed (U11)", () => {
  it("passes the compliant fixture: its monitors come with kube-prometheus-stack's CRDs", async () => {
    assert.deepEqual(await messages(compliantStack()), []);
  });

  it("rejects Mimir's distributor KEDA autoscaling without KEDA (held-out h12)", async () => {
    const records = mutateValues(compliantStack(), "mimir", "distributor.kedaAutoscaling", {
      enabled: true,
      minReplicaCount: 3,
      maxReplicaCount: 12,
    });
    const found = await messages(records);
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /^mimir-distributed release "mimir" values\.distributor\.kedaAutoscaling\.enabled=true: the chart then renders ScaledObject \(keda\.sh\/v1alpha1; .*\), but nothing in the stack installs the keda\.sh CRDs .*no matches for kind .*install or upgrade fails/,
    );
  });

  it("rejects Loki's KEDA, Gateway API route and grafana-operator dashboards, kube-prometheus-stack's VPA and cert-manager", async () => {
    let records = mutateValues(compliantStack(), "loki", "ingester.kedaAutoscaling.enabled", true);
    records = mutateValues(records, "loki", "route.main.enabled", true);
    records = mutateValues(records, "loki", "monitoring.dashboards", {
      enabled: true,
      grafanaOperator: { enabled: true },
    });
    records = mutateValues(records, "kube-prometheus-stack", "prometheus.verticalPodAutoscaler.enabled", true);
    records = mutateValues(
      records,
      "kube-prometheus-stack",
      "prometheusOperator.admissionWebhooks.certManager.enabled",
      true,
    );
    const found = await messages(records);
    assert.equal(found.length, 5, found.join("\n"));
    assert.ok(found.some((m) => /ingester\.kedaAutoscaling\.enabled=true/.test(m)));
    assert.ok(found.some((m) => /route\.main\.enabled=true.*HTTPRoute/.test(m)));
    assert.ok(found.some((m) => /GrafanaDashboard/.test(m)));
    assert.ok(found.some((m) => /VerticalPodAutoscaler/.test(m)));
    assert.ok(found.some((m) => /cert-manager\.io/.test(m)));
  });

  it("rejects the stack's ServiceMonitors once kube-prometheus-stack stops installing its CRDs", async () => {
    const found = await messages(mutateValues(compliantStack(), "kube-prometheus-stack", "crds.enabled", false));
    assert.ok(found.some((m) => /monitoring\.coreos\.com CRDs/.test(m)));
  });

  it("accepts KEDA installed by the stack (a keda release or its CRD), a component that is off, and a cluster made elsewhere", async () => {
    const keda = mutateValues(compliantStack(), "mimir", "distributor.kedaAutoscaling.enabled", true);
    const withRelease = [
      ...keda,
      {
        type: "kubernetes:helm.sh/v3:Release",
        name: "keda",
        props: { chart: "keda", name: "keda", namespace: "keda", values: {} },
      },
    ];
    assert.deepEqual(await messages(withRelease), []);
    const withCrd = [
      ...keda,
      {
        type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
        name: "scaledobjects",
        props: { metadata: { name: "scaledobjects.keda.sh" }, spec: { group: "keda.sh" } },
      },
    ];
    assert.deepEqual(await messages(withCrd), []);
    assert.deepEqual(await messages(mutateValues(keda, "mimir", "distributor.enabled", false)), []);
    assert.deepEqual(await messages(without(keda, "eks-cluster")), []);
  });

  it("models or explains every kind the inventory lists", () => {
    const ids = new Set(OPTIONAL_KINDS.map((k) => k.id));
    for (const entry of facts.kinds as Array<{
      chart: string;
      apiVersion: string;
      kind: string;
      model?: string;
      note?: string;
    }>) {
      const what = `${entry.chart} ${entry.apiVersion} ${entry.kind}`;
      assert.ok(entry.model !== undefined || entry.note !== undefined, `${what}: neither model nor note`);
      if (entry.model !== undefined) {
        assert.ok(ids.has(entry.model), `${what}: model ${entry.model} is not in OPTIONAL_KINDS`);
        const row = OPTIONAL_KINDS.find((k) => k.id === entry.model)!;
        assert.equal(row.chart, entry.chart, what);
      }
    }
    for (const row of OPTIONAL_KINDS)
      assert.ok(
        (facts.kinds as Array<{ model?: string }>).some((k) => k.model === row.id),
        `${row.id} models no inventory entry`,
      );
  });
});
