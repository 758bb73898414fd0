import { strict as assert } from "assert";
import { kafkaListenerAdmitsMimir } from "../../../../policies/rules/wiring/kafka-listener-admits-mimir";
import { compliantStack, mutate } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const run = (records = compliantStack()) => runStackPolicy(kafkaListenerAdmitsMimir, records);
const peers = (value: unknown) =>
  mutate(compliantStack(), "kafka-cluster", ["spec", "kafka", "listeners", 0, "networkPolicyPeers"], value);
const inMimir = (podLabels: Record<string, string>) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "mimir" } },
  podSelector: { matchLabels: podLabels },
});

describe("policy kafka-listener-admits-mimir (W12)", () => {
  it("passes the compliant fixture (every Mimir pod of the release)", async () => {
    assert.deepEqual((await run()).violations, []);
  });

  it("rejects peers narrowed to the ingesters: the distributors can no longer produce", async () => {
    const only = inMimir({ "app.kubernetes.io/instance": "mimir", "app.kubernetes.io/component": "ingester" });
    const result = await run(peers([only]));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /listeners\[0\]\.networkPolicyPeers admits none of mimir-distributed release "mimir"'s distributor pods .*only ingress to port 9093, so the distributors cannot produce: every remote-write push fails/,
    );
  });

  it("rejects a podSelector without namespaceSelector: it selects pods of the Kafka namespace only", async () => {
    const result = await run(peers([{ podSelector: { matchLabels: { "app.kubernetes.io/name": "mimir" } } }]));
    assert.match(result.violations[0]?.message ?? "", /distributor or ingester pods/);
  });

  it("accepts a namespace-wide peer, matchExpressions that hold, an empty list and an ipBlock", async () => {
    const namespaceOnly = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "mimir" } } };
    assert.deepEqual((await run(peers([namespaceOnly]))).violations, []);
    const expressions = {
      namespaceSelector: {
        matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["mimir"] }],
      },
      podSelector: {
        matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values: ["distributor", "ingester"] }],
      },
    };
    assert.deepEqual((await run(peers([expressions]))).violations, []);
    assert.deepEqual((await run(peers([]))).violations, []);
    assert.deepEqual((await run(peers([{ ipBlock: { cidr: "10.0.0.0/16" } }]))).violations, []);
  });
});
