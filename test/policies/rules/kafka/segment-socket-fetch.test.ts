import { strict as assert } from "assert";
import { kafkaReplicaFetchSizeMatchesMessages } from "../../../../policies/rules/kafka/replica-fetch-size-matches-messages";
import { kafkaSegmentSizeFitsMessages } from "../../../../policies/rules/kafka/segment-size-fits-messages";
import { kafkaSocketRequestFitsMessages } from "../../../../policies/rules/kafka/socket-request-fits-messages";
import { compliantStack, mutate, mutateValues, withMimirChart } from "../../support/fixture";
import { runStackPolicy, urnOf } from "../../support/harness";

const topic = (key: string) => ["spec", "config", key];
const broker = (key: string) => ["spec", "kafka", "config", key];

describe("policy kafka-segment-size-fits-messages (K2)", () => {
  it("rejects a topic segment.bytes below the topic's max message size", async () => {
    const run = await runStackPolicy(
      kafkaSegmentSizeFitsMessages,
      mutate(compliantStack(), "kafka-topic-mimir-ingest", topic("segment.bytes"), 1000000),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /spec\.config\["segment\.bytes"\]=1000000 < max message size KafkaTopic "mimir-ingest" \(namespace kafka\) spec\.config\["max\.message\.bytes"\]=16777216/,
    );
    assert.match(run.violations[0].message, /RECORD_LIST_TOO_LARGE/);
    assert.equal(run.violations[0].urn, urnOf("kubernetes:kafka.strimzi.io/v1:KafkaTopic", "kafka-topic-mimir-ingest"));
  });

  it("uses the broker log.segment.bytes when the topic does not set segment.bytes", async () => {
    let records = mutate(compliantStack(), "kafka-topic-mimir-ingest", topic("segment.bytes"), undefined);
    assert.deepEqual((await runStackPolicy(kafkaSegmentSizeFitsMessages, records)).violations, []);
    records = mutate(records, "kafka-cluster", broker("log.segment.bytes"), 8388608);
    const run = await runStackPolicy(kafkaSegmentSizeFitsMessages, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /Kafka "kafka" \(namespace kafka\) spec\.kafka\.config\["log\.segment\.bytes"\]=8388608/,
    );
  });
});

describe("policy kafka-socket-request-fits-messages (K3)", () => {
  it("rejects a broker socket.request.max.bytes below the max message size and names the red herring", async () => {
    const run = await runStackPolicy(
      kafkaSocketRequestFitsMessages,
      mutate(compliantStack(), "kafka-cluster", broker("socket.request.max.bytes"), 1048576),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /socket\.request\.max\.bytes"\]=1048576 < max message size of KafkaTopic "mimir-ingest"/,
    );
    assert.match(run.violations[0].message, /close the connection without an answer.*SASL is missing/);
    assert.equal(run.violations[0].urn, urnOf("kubernetes:kafka.strimzi.io/v1:Kafka", "kafka-cluster"));
  });

  it("accepts Kafka's 100 MiB default", async () => {
    const run = await runStackPolicy(
      kafkaSocketRequestFitsMessages,
      mutate(compliantStack(), "kafka-cluster", broker("socket.request.max.bytes"), undefined),
    );
    assert.deepEqual(run.violations, []);
  });

  it("checks the built-in Kafka's env override too", async () => {
    let records = mutateValues(withMimirChart(compliantStack()), "mimir", "kafka", {
      extraEnv: [
        { name: "KAFKA_MESSAGE_MAX_BYTES", value: "16777216" },
        { name: "KAFKA_SOCKET_REQUEST_MAX_BYTES", value: "1048576" },
      ],
    });
    records = mutateValues(records, "mimir", "mimir.structuredConfig.ingest_storage.kafka", {});
    const run = await runStackPolicy(kafkaSocketRequestFitsMessages, records);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /values\.kafka\.extraEnv KAFKA_SOCKET_REQUEST_MAX_BYTES=1048576/);
  });
});

describe("policy kafka-replica-fetch-size-matches-messages (K4, advisory)", () => {
  it("advises when replica.fetch.max.bytes stays at Kafka's 1 MiB default under a 16 MiB message size", async () => {
    const run = await runStackPolicy(
      kafkaReplicaFetchSizeMatchesMessages,
      mutate(compliantStack(), "kafka-cluster", broker("replica.fetch.max.bytes"), undefined),
    );
    assert.deepEqual(run.violations, []);
    assert.equal(run.advisories.length, 1);
    assert.match(
      run.advisories[0].message,
      /Kafka default replica\.fetch\.max\.bytes=1048576 \(not set in Kafka "kafka".*< max message size/,
    );
    assert.match(run.advisories[0].message, /KIP-74/);
  });
});
