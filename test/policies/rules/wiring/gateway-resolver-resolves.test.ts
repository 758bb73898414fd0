import { strict as assert } from "assert";
import { gatewayResolverResolves } from "../../../../policies/rules/wiring/gateway-resolver-resolves";
import { compliantStack, mutateValues, without } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

async function messages(records: ReturnType<typeof compliantStack>): Promise<string[]> {
  return (await runStackPolicy(gatewayResolverResolves, records)).violations.map((v) => v.message);
}

describe("policy gateway-resolver-resolves (W19)", () => {
  it("passes the compliant fixture (the charts' kube-dns / kube-system / cluster.local)", async () => {
    assert.deepEqual(await messages(compliantStack()), []);
  });

  it('rejects global.dnsService "coredns" (held-out h04): EKS\'s CoreDNS Service is kube-dns', async () => {
    const found = await messages(mutateValues(compliantStack(), "mimir", "global.dnsService", "coredns"));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /^mimir-distributed release "mimir" values\.global\.dnsService=coredns: the mimir-distributed gateway renders `resolver coredns\.kube-system\.svc\.cluster\.local\.;` into nginx\.conf, but no Service coredns exists in kube-system \(EKS's CoreDNS add-on serves the cluster DNS as Service kube-dns in kube-system\)\. nginx looks a resolver given by name up while it loads its configuration and refuses the configuration .*host not found in resolver.*crash-loops/,
    );
  });

  it("rejects a cluster domain other than cluster.local on the Loki gateway", async () => {
    const found = await messages(mutateValues(compliantStack(), "loki", "global.clusterDomain", "obs.internal"));
    assert.equal(found.length, 1);
    assert.match(found[0], /the loki gateway .*the cluster domain is cluster\.local, not obs\.internal/);
  });

  it("rejects a gateway resolver value naming a Service that does not exist", async () => {
    const found = await messages(
      mutateValues(
        compliantStack(),
        "loki",
        "gateway.nginxConfig.resolver",
        "coredns.kube-system.svc.cluster.local valid=10s",
      ),
    );
    assert.equal(found.length, 1);
    assert.match(found[0], /gateway\.nginxConfig\.resolver=coredns\.kube-system\.svc\.cluster\.local valid=10s/);
  });

  it("accepts the defaults spelled out, a trailing dot, an IP resolver, a declared Service, a disabled gateway and a cluster made elsewhere", async () => {
    let records = mutateValues(compliantStack(), "mimir", "global.dnsService", "kube-dns");
    records = mutateValues(records, "mimir", "global.clusterDomain", "cluster.local.");
    records = mutateValues(records, "loki", "gateway.nginxConfig.resolver", "172.20.0.10 valid=10s");
    assert.deepEqual(await messages(records), []);
    const declared = [
      ...mutateValues(compliantStack(), "mimir", "global.dnsService", "coredns"),
      {
        type: "kubernetes:core/v1:Service",
        name: "coredns-svc",
        props: { metadata: { name: "coredns", namespace: "kube-system" } },
      },
    ];
    assert.deepEqual(await messages(declared), []);
    const off = mutateValues(
      mutateValues(compliantStack(), "mimir", "global.dnsService", "coredns"),
      "mimir",
      "gateway.enabled",
      false,
    );
    assert.deepEqual(await messages(off), []);
    const elsewhere = without(mutateValues(compliantStack(), "mimir", "global.dnsService", "coredns"), "eks-cluster");
    assert.deepEqual(await messages(elsewhere), []);
  });
});
