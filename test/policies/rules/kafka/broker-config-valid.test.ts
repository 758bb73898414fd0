import { strict as assert } from "assert";
import { kafkaBrokerConfigValid } from "../../../../policies/rules/kafka/broker-config-valid";
import { compliantStack, mutate } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const broker = (key: string, value: unknown) =>
  mutate(compliantStack(), "kafka-cluster", ["spec", "kafka", "config", key], value);

describe("policy kafka-broker-config-valid (K13)", () => {
  it("passes Kafka's defaults", async () => {
    assert.deepEqual((await runStackPolicy(kafkaBrokerConfigValid, compliantStack())).violations, []);
  });

  it("rejects a replica fetch wait above the replica socket timeout and the lag time, with Kafka's own words", async () => {
    const run = await runStackPolicy(kafkaBrokerConfigValid, broker("replica.fetch.wait.max.ms", 60_000));
    assert.equal(run.violations.length, 2);
    assert.match(
      run.violations[0].message,
      /replica\.fetch\.wait\.max\.ms"?\]?=60000 > Kafka default replica\.socket\.timeout\.ms=30000 .*\("replica\.socket\.timeout\.ms should always be at least replica\.fetch\.wait\.max\.ms"\): the brokers of Kafka "kafka" .* refuse to start/,
    );
  });

  it("rejects queued request bytes below the socket request size, and accepts -1", async () => {
    assert.match(
      (await runStackPolicy(kafkaBrokerConfigValid, broker("queued.max.request.bytes", 1024))).violations[0].message,
      /queued\.max\.request\.bytes must be larger or equal to socket\.request\.max\.bytes/,
    );
    assert.deepEqual(
      (await runStackPolicy(kafkaBrokerConfigValid, broker("queued.max.request.bytes", -1))).violations,
      [],
    );
  });

  it("rejects segments below Kafka 4's 1 MiB floor", async () => {
    const run = await runStackPolicy(kafkaBrokerConfigValid, broker("log.segment.bytes", 524_288));
    assert.match(
      run.violations[0].message,
      /log\.segment\.bytes"?\]?=524288 < 1048576: Kafka 4 requires segments of at least 1 MiB \(KIP-1030\)/,
    );
  });
});
