import { strict as assert } from "assert";
import { kafkaTopicAcceptsMimirTimestamps } from "../../../../policies/rules/kafka/topic-accepts-mimir-timestamps";
import { compliantStack, mutate, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const TOPIC = "kafka-topic-mimir-ingest";
const KAFKA = "kafka-cluster";

describe("policy kafka-topic-accepts-mimir-timestamps (K21)", () => {
  it("passes the compliant stack", async () => {
    const run = await runStackPolicy(kafkaTopicAcceptsMimirTimestamps, compliantStack());
    assert.deepEqual([...run.violations, ...run.advisories], []);
  });

  it("rejects message.timestamp.before.max.ms 1 on the topic", async () => {
    const run = await runStackPolicy(
      kafkaTopicAcceptsMimirTimestamps,
      mutate(compliantStack(), TOPIC, ["spec", "config", "message.timestamp.before.max.ms"], 1),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /spec\.config\["message\.timestamp\.before\.max\.ms"\]=1 \(1ms\) \(written by mimir-distributed release "mimir"\) < mimir-distributed release "mimir" Mimir default ingest_storage\.kafka\.write_timeout=10s.*InvalidTimestampException.*nearly every write/,
    );
  });

  it("reads the broker default log.message.timestamp.before.max.ms and Mimir's own write_timeout", async () => {
    const records = mutateValues(
      mutate(compliantStack(), KAFKA, ["spec", "kafka", "config", "log.message.timestamp.before.max.ms"], 20000),
      "mimir",
      "mimir.structuredConfig.ingest_storage.kafka.write_timeout",
      "30s",
    );
    const run = await runStackPolicy(kafkaTopicAcceptsMimirTimestamps, records);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /log\.message\.timestamp\.before\.max\.ms"\]=20000 .*write_timeout=30s/);
  });

  it("accepts a raised bound, and any bound under LogAppendTime", async () => {
    const raised = mutate(compliantStack(), TOPIC, ["spec", "config", "message.timestamp.before.max.ms"], 3600000);
    assert.deepEqual((await runStackPolicy(kafkaTopicAcceptsMimirTimestamps, raised)).violations, []);
    const appendTime = mutate(
      mutate(compliantStack(), TOPIC, ["spec", "config", "message.timestamp.before.max.ms"], 1),
      TOPIC,
      ["spec", "config", "message.timestamp.type"],
      "LogAppendTime",
    );
    assert.deepEqual((await runStackPolicy(kafkaTopicAcceptsMimirTimestamps, appendTime)).violations, []);
  });

  it("warns (advisory) about an after-bound below a second", async () => {
    const run = await runStackPolicy(
      kafkaTopicAcceptsMimirTimestamps,
      mutate(compliantStack(), TOPIC, ["spec", "config", "message.timestamp.after.max.ms"], 0),
    );
    assert.equal(run.violations.length, 0);
    assert.equal(run.advisories.length, 1);
    assert.match(run.advisories[0].message, /INFERRED: .*after\.max\.ms"\]=0 .*clock skew/);
  });
});
