import { strict as assert } from "assert";
import { kafkaMessageSizeFitsMimirBatch as policy } from "../../../../policies/rules/kafka/message-size-fits-mimir-batch";
import { compliantStack, mutate, mutateValues, without, withMimirChart } from "../../support/fixture";
import { runStackPolicy, UNKNOWN, urnOf } from "../../support/harness";

const topicConfig = (key: string) => ["spec", "config", key];
const brokerConfig = (key: string) => ["spec", "kafka", "config", key];

describe("policy kafka-message-size-fits-mimir-batch (K1)", () => {
  it("passes the compliant stack", async () => {
    const run = await runStackPolicy(policy, compliantStack());
    assert.deepEqual(run.violations, []);
    assert.deepEqual(run.advisories, []);
  });

  it("rejects a KafkaTopic max.message.bytes below 16000000, naming both sides, the consequence and the fix", async () => {
    const run = await runStackPolicy(
      policy,
      mutate(compliantStack(), "kafka-topic-mimir-ingest", topicConfig("max.message.bytes"), 1048588),
    );
    assert.equal(run.violations.length, 1);
    const [v] = run.violations;
    assert.match(
      v.message,
      /^KafkaTopic "mimir-ingest" \(namespace kafka\) spec\.config\["max\.message\.bytes"\]=1048588 < 16000000/,
    );
    assert.match(v.message, /the producer batch of mimir-distributed release "mimir"/);
    assert.match(v.message, /MESSAGE_TOO_LARGE.*HTTP 400.*dropped/);
    assert.match(
      v.message,
      /Fix: set spec\.config\["max\.message\.bytes"\] to at least 16000000 on KafkaTopic "mimir-ingest"/,
    );
    assert.equal(v.urn, urnOf("kubernetes:kafka.strimzi.io/v1:KafkaTopic", "kafka-topic-mimir-ingest"));
  });

  it("lets the topic override win over a small broker setting", async () => {
    const run = await runStackPolicy(
      policy,
      mutate(compliantStack(), "kafka-cluster", brokerConfig("message.max.bytes"), 1048588),
    );
    assert.deepEqual(run.violations, []);
  });

  it("falls back to the broker setting, then to Kafka's 1048588 default, when the topic does not override it", async () => {
    const noTopicOverride = mutate(
      compliantStack(),
      "kafka-topic-mimir-ingest",
      topicConfig("max.message.bytes"),
      undefined,
    );
    assert.deepEqual((await runStackPolicy(policy, noTopicOverride)).violations, []);
    const run = await runStackPolicy(
      policy,
      mutate(noTopicOverride, "kafka-cluster", brokerConfig("message.max.bytes"), undefined),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /Kafka default message\.max\.bytes=1048588 \(not set in Kafka "kafka"/);
  });

  it("checks a topic Mimir auto-creates against the broker setting", async () => {
    let records = without(compliantStack(), "kafka-topic-mimir-ingest");
    records = mutateValues(
      records,
      "mimir",
      "mimir.structuredConfig.ingest_storage.kafka.auto_create_topic_enabled",
      true,
    );
    records = mutate(records, "kafka-cluster", brokerConfig("message.max.bytes"), 2000000);
    const run = await runStackPolicy(policy, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /topic "mimir-ingest" on Kafka "kafka" \(namespace kafka\) \(auto-created by mimir-distributed release "mimir"/,
    );
    assert.match(run.violations[0].message, /spec\.kafka\.config\["message\.max\.bytes"\]=2000000/);
  });

  describe("the mimir-distributed built-in Kafka (the seed incident)", () => {
    const builtin = () => {
      let records = mutateValues(withMimirChart(compliantStack()), "mimir", "kafka", undefined); // kafka.enabled absent: chart default TRUE
      records = mutateValues(records, "mimir", "mimir.structuredConfig.ingest_storage.kafka.address", undefined);
      return mutateValues(
        records,
        "mimir",
        "mimir.structuredConfig.ingest_storage.kafka.auto_create_topic_enabled",
        undefined,
      );
    };

    it("rejects the chart defaults: kafka.enabled absent means the demo Kafka with message.max.bytes 1048588", async () => {
      const run = await runStackPolicy(policy, builtin());
      assert.equal(run.violations.length, 1);
      assert.match(run.violations[0].message, /the built-in Kafka of mimir-distributed release "mimir"/);
      assert.match(
        run.violations[0].message,
        /Kafka default message\.max\.bytes=1048588 \(the built-in Kafka .* does not set KAFKA_MESSAGE_MAX_BYTES\)/,
      );
      assert.match(run.violations[0].message, /KAFKA_MESSAGE_MAX_BYTES/);
      assert.equal(run.violations[0].urn, urnOf("kubernetes:helm.sh/v3:Release", "mimir"));
    });

    it("accepts KAFKA_MESSAGE_MAX_BYTES=16777216 in kafka.extraEnv on chart 6.0.x", async () => {
      const records = mutateValues(builtin(), "mimir", "kafka", {
        extraEnv: [{ name: "KAFKA_MESSAGE_MAX_BYTES", value: "16777216" }],
      });
      assert.deepEqual((await runStackPolicy(policy, records)).violations, []);
    });

    it("ignores kafka.env on chart 6.0.x and says so", async () => {
      const records = mutateValues(builtin(), "mimir", "kafka", {
        env: [{ name: "KAFKA_MESSAGE_MAX_BYTES", value: "16777216" }],
      });
      const run = await runStackPolicy(policy, records);
      assert.equal(run.violations.length, 1);
      assert.match(
        run.violations[0].message,
        /values\.kafka\.env sets it but chart 6\.0\.6 ignores that key and reads values\.kafka\.extraEnv/,
      );
    });

    it("reads kafka.env on later charts", async () => {
      let records = mutateValues(builtin(), "mimir", "kafka", {
        env: [{ name: "KAFKA_MESSAGE_MAX_BYTES", value: "16777216" }],
      });
      records = mutate(records, "mimir", ["version"], "6.1.0");
      assert.deepEqual((await runStackPolicy(policy, records)).violations, []);
    });
  });

  describe("an external Kafka", () => {
    const external = () =>
      mutateValues(
        compliantStack(),
        "mimir",
        "mimir.structuredConfig.ingest_storage.kafka.address",
        "b-1.msk.example.com:9096",
      );

    it("gives an advisory, not a violation, when its limits are not declared", async () => {
      const run = await runStackPolicy(policy, external());
      assert.deepEqual(run.violations, []);
      assert.equal(run.advisories.length, 1);
      assert.match(
        run.advisories[0].message,
        /external Kafka at b-1\.msk\.example\.com:9096 is not defined in this stack, so K1 \(max message size\) cannot be verified/,
      );
    });

    it("verifies the declared broker limit", async () => {
      const run = await runStackPolicy(policy, external(), {
        externalKafka: { brokerConfig: { "message.max.bytes": 1048588 } },
      });
      assert.equal(run.violations.length, 1);
      assert.match(
        run.violations[0].message,
        /policy config externalKafka\.brokerConfig\["message\.max\.bytes"\]=1048588/,
      );
      const ok = await runStackPolicy(policy, external(), {
        externalKafka: { brokerConfig: { "message.max.bytes": 16777216 } },
      });
      assert.deepEqual(ok.violations, []);
      assert.deepEqual(ok.advisories, []);
    });
  });

  it("gives no mandatory violation when the size is unknown during preview, and lets the SDK report it", async () => {
    const run = await runStackPolicy(
      policy,
      mutate(compliantStack(), "kafka-topic-mimir-ingest", topicConfig("max.message.bytes"), UNKNOWN),
    );
    assert.deepEqual(run.violations, []);
    assert.match(run.previewAdvisory ?? "", /can't be known during preview/);
  });

  it("honours a configured threshold", async () => {
    const run = await runStackPolicy(policy, compliantStack(), { requiredMaxMessageBytes: 20_000_000 });
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /< 20000000/);
  });
});
