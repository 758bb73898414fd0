import { strict as assert } from "assert";
import { kafkaQuotasAdmitMimir } from "../../../../policies/rules/kafka/quotas-admit-mimir";
import { compliantStack, mutate } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

// The prod workload: 133,334 samples/s x 50 B = 6.67 MB/s into Kafka.
const WORKLOAD = {
  workload: { activeSeries: 2_000_000, samplesPerSecond: 133_334, logsGBPerDay: 200, queriesPerSecond: 40 },
};
const messages = async (records = compliantStack(), config: Record<string, unknown> = WORKLOAD) =>
  (await runStackPolicy(kafkaQuotasAdmitMimir, records, config)).violations.map((v) => v.message);
const userQuota = (quotas: object) => mutate(compliantStack(), "kafka-user-mimir", ["spec", "quotas"], quotas);
const clusterQuota = (quotas: object, records = compliantStack()) =>
  mutate(records, "kafka-cluster", ["spec", "kafka", "quotas"], quotas);

describe("policy kafka-quotas-admit-mimir (K27)", () => {
  it("passes without quotas", async () => {
    assert.deepEqual(await messages(), []);
  });

  it("rejects a producer quota of Mimir's KafkaUser below the write rate over all brokers", async () => {
    const found = await messages(userQuota({ producerByteRate: 1_048_576 }));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /KafkaUser "mimir" .*spec\.quotas\.producerByteRate=1048576 bytes\/s per broker x 3 broker\(s\) = 3\.15 MB\/s at most, below 6\.67 MB\/s for the distributors' writes/,
    );
  });

  it("rejects a cluster default consumer quota below every ingester zone's reads", async () => {
    const found = await messages(clusterQuota({ type: "kafka", consumerByteRate: 5_000_000 }));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /spec\.kafka\.quotas\.consumerByteRate=5000000 .*below 20\.00 MB\/s for 3 ingester zone\(s\)/,
    );
  });

  it("accepts quotas above the need, a user's own quota over a low default, and an excluded principal", async () => {
    assert.deepEqual(await messages(userQuota({ producerByteRate: 20_000_000, consumerByteRate: 50_000_000 })), []);
    const own = mutate(
      clusterQuota({ type: "kafka", producerByteRate: 1000 }),
      "kafka-user-mimir",
      ["spec", "quotas"],
      {
        producerByteRate: 20_000_000,
      },
    );
    assert.deepEqual(await messages(own), []);
    const exempt = clusterQuota({ type: "strimzi", producerByteRate: 1000, excludedPrincipals: ["User:mimir"] });
    assert.deepEqual(await messages(exempt), []);
  });

  it("judges nothing without a declared workload", async () => {
    assert.deepEqual(await messages(userQuota({ producerByteRate: 1 }), {}), []);
  });

  describe("max.connections.per.ip against the franz-go clients", () => {
    const perIp = (value: unknown, records = compliantStack()) =>
      mutate(records, "kafka-cluster", ["spec", "kafka", "config", "max.connections.per.ip"], value);

    it("rejects one connection per address, also without a declared workload (held-out q05)", async () => {
      const found = await messages(perIp(1), {});
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        /max\.connections\.per\.ip"?\]?=1 is below the 2 connections each Mimir distributor pod opens to every broker \(.*write_clients=1 franz-go producer client\(s\) x 2: one for metadata, one for Produce.*TooManyConnectionsException.*Fix: remove max\.connections\.per\.ip/,
      );
    });

    it("multiplies by write_clients", async () => {
      const records = mutate(
        perIp(3),
        "mimir",
        ["values", "mimir", "structuredConfig", "ingest_storage", "kafka", "write_clients"],
        2,
      );
      assert.match((await messages(records, {}))[0], /=3 is below the 4 connections/);
    });

    it("accepts the default, a limit of 2 per client, and leaves 0 (K13) alone", async () => {
      for (const value of [undefined, 2, 100, "1000", 0])
        assert.deepEqual(await messages(perIp(value), {}), [], String(value));
    });
  });
});
