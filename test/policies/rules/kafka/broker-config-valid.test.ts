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

  const brokers = (config: Record<string, unknown>) =>
    Object.entries(config).reduce(
      (records, [key, value]) => mutate(records, "kafka-cluster", ["spec", "kafka", "config", key], value),
      compliantStack(),
    );

  it("rejects a cleaner dedupe buffer of 1 MiB per thread, and accepts 256 MiB", async () => {
    assert.match(
      (await runStackPolicy(kafkaBrokerConfigValid, broker("log.cleaner.dedupe.buffer.size", 1_048_576))).violations[0]
        .message,
      /log\.cleaner\.dedupe\.buffer\.size must be at least 1MB per cleaner thread.*refuse to start/,
    );
    assert.equal(
      (await runStackPolicy(kafkaBrokerConfigValid, brokers({ "log.cleaner.threads": 200 }))).violations.length,
      1,
    );
    assert.deepEqual(
      (await runStackPolicy(kafkaBrokerConfigValid, broker("log.cleaner.dedupe.buffer.size", 268_435_456))).violations,
      [],
    );
  });

  it("rejects max.connections.per.ip 0 without overrides, and accepts it with overrides", async () => {
    assert.match(
      (await runStackPolicy(kafkaBrokerConfigValid, broker("max.connections.per.ip", 0))).violations[0].message,
      /max\.connections\.per\.ip can be set to zero only if max\.connections\.per\.ip\.overrides property is set/,
    );
    assert.deepEqual(
      (
        await runStackPolicy(
          kafkaBrokerConfigValid,
          brokers({ "max.connections.per.ip": 0, "max.connections.per.ip.overrides": "10.0.0.0/8:100" }),
        )
      ).violations,
      [],
    );
  });

  it("rejects an idle timeout not above the failed-authentication delay, and accepts -1 and 600000", async () => {
    assert.match(
      (await runStackPolicy(kafkaBrokerConfigValid, broker("connections.max.idle.ms", 60))).violations[0].message,
      /connection\.failed\.authentication\.delay\.ms=100 should always be less than connections\.max\.idle\.ms=60/,
    );
    for (const idle of [-1, 600_000])
      assert.deepEqual(
        (await runStackPolicy(kafkaBrokerConfigValid, broker("connections.max.idle.ms", idle))).violations,
        [],
      );
  });

  it("rejects log.roll.ms 0, negative jitter and zero retention, and accepts -1 retention", async () => {
    for (const [key, value, words] of [
      ["log.roll.ms", 0, /log\.roll\.ms must be greater than or equal to 1/],
      ["log.roll.jitter.ms", -1, /log\.roll\.jitter\.ms must be greater than or equal to 0/],
      ["log.retention.ms", 0, /log\.retention\.ms must be unlimited \(-1\)/],
    ] as Array<[string, number, RegExp]>)
      assert.match((await runStackPolicy(kafkaBrokerConfigValid, broker(key, value))).violations[0].message, words);
    assert.deepEqual((await runStackPolicy(kafkaBrokerConfigValid, broker("log.retention.ms", -1))).violations, []);
  });

  it("rejects consumer-group heartbeat and session outside their bounds, and accepts raised bounds", async () => {
    assert.match(
      (await runStackPolicy(kafkaBrokerConfigValid, broker("group.consumer.session.timeout.ms", 90_000))).violations[0]
        .message,
      /group\.consumer\.session\.timeout\.ms must be less than or equal to group\.consumer\.max\.session\.timeout\.ms/,
    );
    assert.deepEqual(
      (
        await runStackPolicy(
          kafkaBrokerConfigValid,
          brokers({ "group.consumer.session.timeout.ms": 90_000, "group.consumer.max.session.timeout.ms": 120_000 }),
        )
      ).violations,
      [],
    );
  });

  describe("Strimzi's config model (types and ConfigDef ranges of the pinned Kafka)", () => {
    const messages = async (records: ReturnType<typeof compliantStack>) =>
      (await runStackPolicy(kafkaBrokerConfigValid, records)).violations.map((v) => v.message);

    it("rejects log.cleaner.min.cleanable.ratio 1.5, outside between(0, 1) (held-out t30)", async () => {
      const found = await messages(broker("log.cleaner.min.cleanable.ratio", 1.5));
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        /Kafka "kafka".*spec\.kafka\.config: Strimzi refuses the Kafka resource before reconciling anything \("has invalid spec\.kafka\.config: log\.cleaner\.min\.cleanable\.ratio has value 1\.5 which greater than the maximum value 1".*no broker or controller is created/,
      );
      assert.deepEqual(await messages(broker("log.cleaner.min.cleanable.ratio", 0.9)), []);
      assert.deepEqual(await messages(broker("log.cleaner.min.cleanable.ratio", "0.1")), []);
    });

    it("rejects minimums, wrong types, unknown enum values and list items", async () => {
      assert.match(
        (await messages(broker("min.insync.replicas", 0)))[0],
        /min\.insync\.replicas has value 0 which less than the minimum value 1/,
      );
      assert.match(
        (await messages(broker("num.partitions", "three")))[0],
        /num\.partitions has value 'three' which is not an int/,
      );
      assert.match(
        (await messages(broker("num.partitions", 1.5)))[0],
        /num\.partitions has value '1\.5' which is not an int/,
      );
      assert.match(
        (await messages(broker("auto.create.topics.enable", "yes")))[0],
        /auto\.create\.topics\.enable has value 'yes' which is not a boolean/,
      );
      assert.match(
        (await messages(broker("log.message.timestamp.type", "createtime")))[0],
        /log\.message\.timestamp\.type has value 'createtime' which is not one of the allowed values: \[CreateTime, LogAppendTime\]/,
      );
      assert.match(
        (await messages(broker("log.cleanup.policy", "delete,archive")))[0],
        /log\.cleanup\.policy contains values \[archive\] which are not in the allowed items \[compact, delete\]/,
      );
      assert.match((await messages(broker("log.cleanup.policy", "delete,delete")))[0], /contains duplicate values/);
      assert.match((await messages(broker("offsets.topic.replication.factor", 40000)))[0], /is not a short/);
    });

    it("accepts sane values, unknown (plugin) keys and forbidden keys (K12's finding)", async () => {
      for (const [key, value] of [
        ["log.cleanup.policy", "compact,delete"],
        ["num.partitions", "6"],
        ["log.retention.ms", 604800000],
        ["default.replication.factor", 3],
        ["auto.create.topics.enable", false],
        ["some.plugin.setting", "x"],
        ["listeners", "bogus"],
        ["compression.type", "zstd"],
      ] as Array<[string, unknown]>)
        assert.deepEqual(await messages(broker(key, value)), [], key);
    });
  });

  describe("class-valued keys Kafka loads at start-up", () => {
    it("rejects replica.selector.class by its short name and names the fully qualified one", async () => {
      const run = await runStackPolicy(
        kafkaBrokerConfigValid,
        broker("replica.selector.class", "RackAwareReplicaSelector"),
      );
      assert.equal(run.violations.length, 1);
      assert.match(
        run.violations[0].message,
        /replica\.selector\.class"?\]?="RackAwareReplicaSelector" has no package, so it is not a fully qualified class name: Kafka loads replica\.selector\.class as a class when the broker starts .*every broker of Kafka "kafka" .*exits at start-up/,
      );
      assert.match(
        run.violations[0].message,
        /Fix: use the fully qualified name org\.apache\.kafka\.common\.replica\.RackAwareReplicaSelector/,
      );
    });

    it("rejects CLASS-typed keys that are not class names, with ConfigDef's words", async () => {
      for (const [key, value, pattern] of [
        [
          "principal.builder.class",
          "DefaultKafkaPrincipalBuilder",
          /ConfigException "Class DefaultKafkaPrincipalBuilder could not be found\."/,
        ],
        ["create.topic.policy.class.name", "com.example.Policy.class", /is not a Java class name/],
        ["alter.config.policy.class.name", "com/example/Policy", /is not a Java class name/],
        ["client.quota.callback.class", " ", /is empty/],
      ] as Array<[string, string, RegExp]>) {
        const run = await runStackPolicy(kafkaBrokerConfigValid, broker(key, value));
        assert.equal(run.violations.length, 1, key);
        assert.match(run.violations[0].message, pattern, key);
      }
    });

    it("accepts fully qualified names, trimmed CLASS values, and leaves Strimzi-managed sasl./ssl. keys to K12", async () => {
      for (const [key, value] of [
        ["replica.selector.class", "org.apache.kafka.common.replica.RackAwareReplicaSelector"],
        ["client.quota.callback.class", " io.strimzi.kafka.quotas.StaticQuotaCallback "],
        ["principal.builder.class", "com.example.auth.Outer$Inner"],
        ["ssl.engine.factory.class", "Nope"],
      ] as Array<[string, string]>)
        assert.deepEqual((await runStackPolicy(kafkaBrokerConfigValid, broker(key, value))).violations, [], key);
    });
  });
});
