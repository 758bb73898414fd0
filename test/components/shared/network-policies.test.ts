import { strict as assert } from "assert";
import { PROMETHEUS_POD_LABELS, releaseNetworkPolicies } from "../../../components/shared/network-policies";
import { runShippedStacks } from "../../support/program";

const PODS = { "app.kubernetes.io/name": "mimir", "app.kubernetes.io/instance": "mimir" };
const fence = {
  release: "mimir",
  namespace: "mimir",
  podLabels: PODS,
  inNamespacePeers: [{ "app.kubernetes.io/name": "rollout-operator" }],
  scraper: { namespace: "monitoring", podLabels: PROMETHEUS_POD_LABELS },
};

describe("releaseNetworkPolicies", () => {
  const [components, gateway] = releaseNetworkPolicies(fence);

  it("fences every component but the gateway to its own release, the named peers and Prometheus", () => {
    assert.deepEqual(components.spec.podSelector, {
      matchLabels: PODS,
      matchExpressions: [{ key: "app.kubernetes.io/component", operator: "NotIn", values: ["gateway"] }],
    });
    assert.deepEqual(components.spec.policyTypes, ["Ingress"]);
    assert.deepEqual((components.spec.ingress as any[])[0].from, [
      { podSelector: { matchLabels: PODS } },
      { podSelector: { matchLabels: { "app.kubernetes.io/name": "rollout-operator" } } },
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
        podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
      },
    ]);
  });

  it("opens only the gateway to the rest of the cluster", () => {
    assert.deepEqual(gateway.spec.podSelector, { matchLabels: { ...PODS, "app.kubernetes.io/component": "gateway" } });
    assert.deepEqual((gateway.spec.ingress as any[])[0].from, [{ namespaceSelector: {} }]);
  });
});

describe("NetworkPolicies the program registers", function () {
  this.timeout(300_000);
  it("fences Mimir and Loki in their namespaces, after the namespaces exist, in every shipped stack", async () => {
    for (const [stack, run] of Object.entries(await runShippedStacks())) {
      const policies = run
        .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
        .map((p) => `${p.plain.metadata.namespace}/${p.plain.metadata.name}`)
        .sort();
      assert.deepEqual(
        policies,
        ["loki/loki-components", "loki/loki-gateway", "mimir/mimir-components", "mimir/mimir-gateway"],
        stack,
      );
    }
  });
});
