import { strict as assert } from "assert";
import { kafkaInternalTopicsReplicationWithinBrokers } from "../../../../policies/rules/kafka/internal-topics-replication-within-brokers";
import { kafkaMinInsyncWithinReplication } from "../../../../policies/rules/kafka/min-insync-within-replication";
import { kafkaTopicReplicationWithinBrokers } from "../../../../policies/rules/kafka/topic-replication-within-brokers";
import { compliantStack, mutate, mutateValues, without, withMimirChart } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

const broker = (key: string) => ["spec", "kafka", "config", key];
const builtinKafka = (kafka: Record<string, unknown>) => {
  const records = mutateValues(withMimirChart(compliantStack()), "mimir", "kafka", kafka);
  return mutateValues(records, "mimir", "mimir.structuredConfig.ingest_storage.kafka", {});
};

describe("policy kafka-topic-replication-within-brokers (K5)", () => {
  it("rejects a KafkaTopic with more replicas than broker-pool replicas", async () => {
    const run = await runStackPolicy(
      kafkaTopicReplicationWithinBrokers,
      mutate(compliantStack(), "kafka-topic-mimir-ingest", ["spec", "replicas"], 4),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /KafkaTopic "mimir-ingest" \(namespace kafka\) spec\.replicas=4 > 3 brokers \(KafkaNodePool "brokers" \(namespace kafka\) spec\.replicas=3\)/,
    );
    assert.match(run.violations[0].message, /INVALID_REPLICATION_FACTOR/);
  });

  it("counts only node pools with the broker role", async () => {
    const run = await runStackPolicy(
      kafkaTopicReplicationWithinBrokers,
      mutate(compliantStack(), "kafka-pool-brokers", ["spec", "roles"], ["controller"]),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /> 0 brokers \(replicas of KafkaNodePools with role broker for Kafka "kafka" \(namespace kafka\)=0 \(no such pool labelled strimzi\.io\/cluster\)\)/,
    );
  });

  it("checks the broker default.replication.factor for the built-in Kafka's auto-created topic", async () => {
    const run = await runStackPolicy(
      kafkaTopicReplicationWithinBrokers,
      builtinKafka({ extraEnv: [{ name: "KAFKA_DEFAULT_REPLICATION_FACTOR", value: "3" }] }),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /KAFKA_DEFAULT_REPLICATION_FACTOR=3 > 1 brokers/);
  });

  it("treats unknown pool replicas as a preview gap, not a violation", async () => {
    const run = await runStackPolicy(
      kafkaTopicReplicationWithinBrokers,
      mutate(compliantStack(), "kafka-pool-brokers", ["spec", "replicas"], UNKNOWN),
    );
    assert.deepEqual(run.violations, []);
    assert.match(run.previewAdvisory ?? "", /spec\.replicas can't be known during preview/);
  });
});

describe("policy kafka-internal-topics-replication-within-brokers (K6)", () => {
  it("rejects the Kafka defaults (offsets/transaction RF 3, min ISR 2) on a single broker", async () => {
    const records = mutate(
      mutate(compliantStack(), "kafka-pool-brokers", ["spec", "replicas"], 1),
      "kafka-cluster",
      ["spec", "kafka", "config"],
      { "message.max.bytes": 16777216 },
    );
    const run = await runStackPolicy(kafkaInternalTopicsReplicationWithinBrokers, records);
    assert.equal(run.violations.length, 3);
    assert.match(
      run.violations[0].message,
      /Kafka default offsets\.topic\.replication\.factor=3 \(not set in Kafka "kafka".*\) > 1 brokers/,
    );
    assert.match(run.violations[0].message, /COORDINATOR_NOT_AVAILABLE.*failed to fetch last committed offset/);
    assert.match(run.violations[1].message, /transaction\.state\.log\.replication\.factor=3/);
    assert.match(run.violations[2].message, /transaction\.state\.log\.min\.isr=2/);
  });

  it("accepts the built-in Kafka, whose chart sets min(3, replicas)", async () => {
    assert.deepEqual(
      (await runStackPolicy(kafkaInternalTopicsReplicationWithinBrokers, builtinKafka({}))).violations,
      [],
    );
  });

  it("rejects a built-in Kafka env override back to RF 3", async () => {
    const run = await runStackPolicy(
      kafkaInternalTopicsReplicationWithinBrokers,
      builtinKafka({ extraEnv: [{ name: "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", value: "3" }] }),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=3 > 1 brokers/);
  });

  it("checks Strimzi clusters no Mimir release uses", async () => {
    const records = mutate(
      without(compliantStack(), "mimir"),
      "kafka-cluster",
      broker("offsets.topic.replication.factor"),
      5,
    );
    const run = await runStackPolicy(kafkaInternalTopicsReplicationWithinBrokers, records);
    assert.equal(run.violations.length, 1);
  });
});

describe("policy kafka-min-insync-within-replication (K7)", () => {
  it("advises when min.insync.replicas equals the replication factor: every broker restart stops writes", async () => {
    const run = await runStackPolicy(
      kafkaMinInsyncWithinReplication,
      mutate(compliantStack(), "kafka-topic-mimir-ingest", ["spec", "config", "min.insync.replicas"], 3),
    );
    assert.equal(run.violations.length, 0);
    assert.match(
      run.advisories[0].message,
      /min\.insync\.replicas"?\]?=3 equals replication factor .*3.*: every write needs all 3 replicas in sync, so each broker restart .* stops Mimir's writes/,
    );
  });

  it("rejects a topic min.insync.replicas above its replication factor", async () => {
    const run = await runStackPolicy(
      kafkaMinInsyncWithinReplication,
      mutate(compliantStack(), "kafka-topic-mimir-ingest", ["spec", "config", "min.insync.replicas"], 4),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /min\.insync\.replicas"\]=4 > replication factor KafkaTopic "mimir-ingest" \(namespace kafka\) spec\.replicas=3/,
    );
    assert.match(
      run.violations[0].message,
      /acks=all.*caps it at the replica count, so every write needs all \d replicas in sync: one broker restart or zone loss fails Mimir's writes with NOT_ENOUGH_REPLICAS/,
    );
  });

  it("falls back to the broker min.insync.replicas", async () => {
    let records = mutate(
      compliantStack(),
      "kafka-topic-mimir-ingest",
      ["spec", "config", "min.insync.replicas"],
      undefined,
    );
    records = mutate(records, "kafka-cluster", broker("min.insync.replicas"), 5);
    const run = await runStackPolicy(kafkaMinInsyncWithinReplication, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /Kafka "kafka" \(namespace kafka\) spec\.kafka\.config\["min\.insync\.replicas"\]=5/,
    );
  });

  it("accepts min ISR equal to RF", async () => {
    const run = await runStackPolicy(
      kafkaMinInsyncWithinReplication,
      mutate(compliantStack(), "kafka-topic-mimir-ingest", ["spec", "config", "min.insync.replicas"], 3),
    );
    assert.deepEqual(run.violations, []);
  });
});
