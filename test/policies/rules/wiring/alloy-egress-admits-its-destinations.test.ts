import { strict as assert } from "assert";
import { alloyEgressAdmitsItsDestinations } from "../../../../policies/rules/wiring/alloy-egress-admits-its-destinations";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

// The program's config shape: discovery through the API, writes through both gateways (components/alloy/config.ts).
const CONFIG = `discovery.kubernetes "pods" {
  role = "pod"
}
loki.write "default" {
  endpoint {
    url = "http://loki-gateway.loki.svc/loki/api/v1/push"
  }
}
prometheus.remote_write "mimir" {
  endpoint {
    url = "http://mimir-gateway.mimir.svc/api/v1/push"
  }
}
`;

const gatewayPeer = (namespace: string) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
  podSelector: { matchLabels: { "app.kubernetes.io/component": "gateway" } },
});
const DNS = {
  to: [
    {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
      podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
    },
  ],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};
const API = { to: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 443 }] };
const GATEWAYS = { to: [gatewayPeer("mimir"), gatewayPeer("loki")] };

function withEgress(egress: unknown[] | undefined) {
  const records = mutateValues(compliantStack(), "alloy", "alloy.configMap.content", CONFIG);
  return mutateValues(records, "alloy", "networkPolicy", { enabled: true, ...(egress ? { egress } : {}) });
}

async function messages(records: ReturnType<typeof compliantStack>): Promise<string[]> {
  return (await runStackPolicy(alloyEgressAdmitsItsDestinations, records)).violations.map((v) => v.message);
}

describe("policy alloy-egress-admits-its-destinations (W21)", () => {
  it("passes the compliant fixture (no NetworkPolicy on Alloy) and the chart's default egress [{}]", async () => {
    assert.deepEqual(await messages(compliantStack()), []);
    assert.deepEqual(await messages(withEgress(undefined)), []);
  });

  it("rejects egress to the two gateways only (held-out h17): no DNS, no API server", async () => {
    const found = await messages(withEgress([GATEWAYS]));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /^alloy release "alloy" values\.networkPolicy\.egress=.*: the egress allowed to the Alloy pods admits neither cluster DNS \(CoreDNS pods k8s-app=kube-dns in kube-system, UDP 53\), nor the Kubernetes API server \(discovery\.kubernetes; .*\)\. .*cannot resolve the gateway Service names, deliver its batches or discover pods and events through the API; every log batch and metric is retried and then dropped/,
    );
  });

  it("rejects egress that omits a gateway the config writes to, or a port-restricted gateway rule on the Service port", async () => {
    const found = await messages(withEgress([DNS, API, { to: [gatewayPeer("loki")] }]));
    assert.equal(found.length, 1);
    assert.match(found[0], /the Mimir gateway pods prometheus\.remote_write "mimir" writes to/);
    const servicePort = await messages(withEgress([DNS, API, { ...GATEWAYS, ports: [{ protocol: "TCP", port: 80 }] }]));
    assert.match(servicePort[0] ?? "", /Loki gateway pods .* nor the Mimir gateway pods/);
  });

  it("rejects an empty egress list (deny all) and a stack NetworkPolicy selecting the Alloy pods for egress", async () => {
    assert.equal((await messages(withEgress([]))).length, 1);
    const records = [
      ...mutateValues(compliantStack(), "alloy", "alloy.configMap.content", CONFIG),
      {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name: "alloy-egress",
        props: {
          metadata: { name: "alloy-egress", namespace: "monitoring" },
          spec: {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "alloy" } },
            policyTypes: ["Egress"],
            egress: [DNS],
          },
        },
      },
    ];
    assert.match((await messages(records))[0] ?? "", /NetworkPolicy "alloy-egress" spec\.egress/);
  });

  it("accepts DNS, the API's subnets, both gateways (8080 or their port names), clustering peers, and Ingress-only policies", async () => {
    assert.deepEqual(await messages(withEgress([DNS, API, GATEWAYS])), []);
    assert.deepEqual(
      await messages(withEgress([DNS, API, { ...GATEWAYS, ports: [{ protocol: "TCP", port: 8080 }] }])),
      [],
    );
    const clustered = mutateValues(withEgress([DNS, API, GATEWAYS]), "alloy", "alloy.clustering.enabled", true);
    assert.match((await messages(clustered))[0] ?? "", /its cluster peers/);
    const peers = mutateValues(
      mutateValues(
        withEgress([DNS, API, GATEWAYS, { to: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: 12345 }] }]),
        "alloy",
        "alloy.clustering.enabled",
        true,
      ),
      "alloy",
      "alloy.configMap.content",
      CONFIG,
    );
    assert.deepEqual(await messages(peers), []);
    const ingressOnly = mutateValues(withEgress([GATEWAYS]), "alloy", "networkPolicy.policyTypes", ["Ingress"]);
    assert.deepEqual(await messages(ingressOnly), []);
  });
});
