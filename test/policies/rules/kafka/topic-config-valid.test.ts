import { strict as assert } from "assert";
import { kafkaTopicConfigValid } from "../../../../policies/rules/kafka/topic-config-valid";
import { compliantStack, mutate } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const TOPIC = "kafka-topic-mimir-ingest";
const withTopic = (config: Record<string, unknown>, records = compliantStack()) =>
  Object.entries(config).reduce((acc, [key, value]) => mutate(acc, TOPIC, ["spec", "config", key], value), records);
const messages = async (records = compliantStack()) =>
  (await runStackPolicy(kafkaTopicConfigValid, records)).violations.map((v) => v.message);

describe("policy kafka-topic-config-valid (K26)", () => {
  it("passes the compliant topic", async () => {
    assert.deepEqual(await messages(), []);
  });

  it("rejects remote storage on brokers without tiered storage, quoting Kafka", async () => {
    const found = await messages(withTopic({ "remote.storage.enable": true }));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /KafkaTopic .*\(topic mimir-ingest\): Kafka refuses its config: "Tiered Storage functionality is disabled in the broker.*no spec\.kafka\.tieredStorage.*stays NotReady/,
    );
  });

  it("with tiered storage, rejects local retention above retention and a compacting policy; accepts local within retention", async () => {
    const tiered = mutate(compliantStack(), "kafka-cluster", ["spec", "kafka", "tieredStorage"], {
      type: "custom",
      remoteStorageManager: { className: "io.aiven.kafka.tieredstorage.RemoteStorageManager", classPath: "/opt/ts/*" },
    });
    const above = await messages(
      withTopic({ "remote.storage.enable": "true", "retention.ms": 86400000, "local.retention.ms": 172800000 }, tiered),
    );
    assert.match(above[0], /local\.retention\.ms must not be more than retention\.ms .*=172800000 > .*=86400000/);
    const compact = await messages(
      withTopic({ "remote.storage.enable": true, "cleanup.policy": "compact,delete" }, tiered),
    );
    assert.match(compact[0], /only supports topics with cleanup\.policy=delete/);
    assert.deepEqual(
      await messages(withTopic({ "remote.storage.enable": true, "local.retention.ms": 3600000 }, tiered)),
      [],
    );
  });

  it("rejects an unknown name, a value outside its range or set, and compaction lags out of order", async () => {
    assert.match(
      (await messages(withTopic({ "retention.hours": 72 })))[0],
      /"Unknown topic config name: retention\.hours"/,
    );
    assert.match(
      (await messages(withTopic({ "min.cleanable.dirty.ratio": 1.5 })))[0],
      /Invalid value 1\.5 for configuration min\.cleanable\.dirty\.ratio: Value must be no more than 1/,
    );
    assert.match(
      (await messages(withTopic({ "compression.type": "brotli" })))[0],
      /compression\.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer/,
    );
    assert.match(
      (await messages(withTopic({ "min.compaction.lag.ms": 7200000, "max.compaction.lag.ms": 3600000 })))[0],
      /conflict topic config setting min\.compaction\.lag\.ms \(.*=7200000\) > max\.compaction\.lag\.ms/,
    );
  });

  it("accepts valid neighbours: zstd, a level in range, booleans as strings, LogAppendTime", async () => {
    const found = await messages(
      withTopic({
        "compression.type": "zstd",
        "compression.zstd.level": 3,
        preallocate: "TRUE",
        "message.timestamp.type": "LogAppendTime",
      }),
    );
    assert.deepEqual(found, []);
  });
});
