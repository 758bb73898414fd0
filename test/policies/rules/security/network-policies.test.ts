import { strict as assert } from "assert";
import { networkPoliciesFenceComponents } from "../../../../policies/rules/security/network-policies-fence-components";
import { compliantStack, mutate, retag, T, without } from "../../support/fixture";
import { ResourceRecord, runStackPolicy } from "../../support/harness";

const run = (records: ResourceRecord[], config = {}) => runStackPolicy(networkPoliciesFenceComponents, records, config);

describe("policy network-policies-fence-components (S9)", () => {
  it("passes the compliant fixture: components fenced to their release and Prometheus, gateways open to the cluster", async () => {
    assert.deepEqual((await run(compliantStack())).violations, []);
  });

  it("rejects a release whose components no NetworkPolicy selects", async () => {
    const found = (await run(without(compliantStack(), "loki-components"))).violations;
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /^loki release "loki" \(namespace loki\) has no NetworkPolicy selecting its components .* in prod .*skip the gateway's basic auth and act as any tenant/,
    );
  });

  it("rejects a fence opened to every namespace, every source or an address block", async () => {
    const peers = ["spec", "ingress", 0, "from"];
    for (const [opening, pattern] of [
      [[{ namespaceSelector: {} }], /namespaceSelector \{\} \(every namespace\)/],
      [[], /has no "from": every source/],
      [[{ ipBlock: { cidr: "10.0.0.0/8" } }], /ipBlock 10\.0\.0\.0\/8/],
    ] as const) {
      const found = (await run(mutate(compliantStack(), "mimir-components", peers, opening))).violations;
      assert.equal(found.length, 1, JSON.stringify(opening));
      assert.match(found[0].message, pattern);
      assert.match(
        found[0].message,
        /^NetworkPolicy "mimir-components" \(namespace mimir\) selects mimir-distributed release "mimir"'s components/,
      );
    }
  });

  it("rejects a second policy that opens the components, even beside a strict one (policies add up)", async () => {
    const open: ResourceRecord = {
      type: T.networkPolicy,
      name: "allow-all",
      props: { metadata: { name: "allow-all", namespace: "mimir" }, spec: { podSelector: {}, ingress: [{}] } },
    };
    const found = (await run([...compliantStack(), open])).violations;
    assert.equal(found.length, 1);
    assert.match(found[0].message, /NetworkPolicy "allow-all"/);
  });

  it("rejects a Kafka listener that admits every pod, or whole namespaces", async () => {
    const peers = ["spec", "kafka", "listeners", 0, "networkPolicyPeers"];
    for (const value of [
      undefined,
      [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "mimir" } } }],
    ]) {
      const found = (await run(mutate(compliantStack(), "kafka-cluster", peers, value))).violations;
      assert.equal(found.length, 1, JSON.stringify(value));
      assert.match(
        found[0].message,
        /^Kafka "kafka" \(namespace kafka\) listener "tls" .*Fix: list peers with a podSelector naming Mimir's pods/,
      );
    }
  });

  it("applies to staging and prod only, unless configured otherwise", async () => {
    const open = without(compliantStack(), "mimir-components", "loki-components");
    assert.deepEqual((await run(retag(open, "dev"))).violations, []);
    assert.equal((await run(retag(open, "dev"), { environments: ["dev", "staging", "prod"] })).violations.length, 2);
  });
});
