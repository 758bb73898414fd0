import { strict as assert } from "assert";
import { kafkaListenersValid } from "../../../../policies/rules/kafka/listeners-valid";
import { kafkaRetentionBytesCoversReplayWindow } from "../../../../policies/rules/kafka/retention-bytes-covers-replay-window";
import { kafkaRetentionFitsBrokerDisk } from "../../../../policies/rules/kafka/retention-fits-broker-disk";
import { kafkaTopicKeepsEveryRecord } from "../../../../policies/rules/kafka/topic-keeps-every-record";
import { kafkaUncleanLeaderElectionOff } from "../../../../policies/rules/kafka/unclean-leader-election-off";
import { compliantStack, mutate } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const TOPIC = "kafka-topic-mimir-ingest";
const CLUSTER = "kafka-cluster";
const CLEAN = { violations: [], advisories: [], previewAdvisory: undefined };

/** The prod profile's workload (settings/profiles.ts): 133,334 samples/s, about 555,558 bytes/s per partition of 12. */
const WORKLOAD = {
  workload: { activeSeries: 2_000_000, samplesPerSecond: 133_334, logsGBPerDay: 200, queriesPerSecond: 40 },
};

const topicConfig = (key: string, value: unknown) => mutate(compliantStack(), TOPIC, ["spec", "config", key], value);
const brokerConfig = (key: string, value: unknown) =>
  mutate(compliantStack(), CLUSTER, ["spec", "kafka", "config", key], value);

describe("policy kafka-topic-keeps-every-record (K14)", () => {
  it("rejects a compacted Mimir topic", async () => {
    const run = await runStackPolicy(kafkaTopicKeepsEveryRecord, topicConfig("cleanup.policy", "compact"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /KafkaTopic "mimir-ingest" \(namespace kafka\) spec\.config\["cleanup\.policy"\]=compact compacts the Mimir topic/,
    );
    assert.match(
      run.violations[0].message,
      /keys every record with its tenant id.*newest record per tenant per partition/,
    );
    assert.match(run.violations[0].message, /samples are lost/);
    assert.match(run.violations[0].message, /set spec\.config\["cleanup\.policy"\] to "delete"/);
  });

  it("rejects compact,delete and a broker-wide compact policy the topic inherits", async () => {
    assert.equal(
      (await runStackPolicy(kafkaTopicKeepsEveryRecord, topicConfig("cleanup.policy", "delete, compact"))).violations
        .length,
      1,
    );
    const run = await runStackPolicy(kafkaTopicKeepsEveryRecord, brokerConfig("log.cleanup.policy", "compact"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /Kafka "kafka" \(namespace kafka\) spec\.kafka\.config\["log\.cleanup\.policy"\]=compact/,
    );
  });

  it("accepts delete on the topic even when the brokers default to compact", async () => {
    const records = mutate(
      brokerConfig("log.cleanup.policy", "compact"),
      TOPIC,
      ["spec", "config", "cleanup.policy"],
      "delete",
    );
    assert.deepEqual(await runStackPolicy(kafkaTopicKeepsEveryRecord, records), CLEAN);
  });

  it("accepts the compliant stack (Kafka's default delete)", async () => {
    assert.deepEqual(await runStackPolicy(kafkaTopicKeepsEveryRecord, compliantStack()), CLEAN);
  });
});

describe("policy kafka-unclean-leader-election-off (K15)", () => {
  it("rejects unclean leader election on the brokers", async () => {
    const run = await runStackPolicy(
      kafkaUncleanLeaderElectionOff,
      brokerConfig("unclean.leader.election.enable", true),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /spec\.kafka\.config\["unclean\.leader\.election\.enable"\]=true on the brokers of Kafka "kafka".*__consumer_offsets/,
    );
    assert.match(run.violations[0].message, /acknowledged.*samples are lost/);
    assert.match(run.violations[0].message, /set spec\.kafka\.config\["unclean\.leader\.election\.enable"\] to false/);
  });

  it("rejects it on the topic, written as the string TRUE", async () => {
    const run = await runStackPolicy(
      kafkaUncleanLeaderElectionOff,
      topicConfig("unclean.leader.election.enable", "TRUE"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /spec\.config\["unclean\.leader\.election\.enable"\]=TRUE on the Mimir topic/,
    );
  });

  it("accepts it set to false, and the compliant stack", async () => {
    assert.deepEqual(
      await runStackPolicy(kafkaUncleanLeaderElectionOff, brokerConfig("unclean.leader.election.enable", "false")),
      CLEAN,
    );
    assert.deepEqual(await runStackPolicy(kafkaUncleanLeaderElectionOff, compliantStack()), CLEAN);
  });
});

describe("policy kafka-retention-bytes-covers-replay-window (K16)", () => {
  it("rejects 100 MiB per partition: about 3 minutes of writes against the 13h replay window", async () => {
    const run = await runStackPolicy(
      kafkaRetentionBytesCoversReplayWindow,
      topicConfig("retention.bytes", 104857600),
      WORKLOAD,
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /spec\.config\["retention\.bytes"\]=104857600 \(100Mi \(104857600 bytes\) per partition\) holds only 3m8s/,
    );
    assert.match(
      run.violations[0].message,
      /policy config workload\.samplesPerSecond=133334 x 50 bytes per sample \(ASSUMPTION.*= 555558 bytes\/s per partition/,
    );
    assert.match(run.violations[0].message, /replay window Mimir default blocks_storage\.tsdb\.retention_period=13h/);
    assert.match(run.violations[0].message, /at least 26000130000 \(or -1/);
  });

  it("reads the broker's log.retention.bytes when the topic sets none", async () => {
    const run = await runStackPolicy(
      kafkaRetentionBytesCoversReplayWindow,
      brokerConfig("log.retention.bytes", 1073741824),
      WORKLOAD,
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /log\.retention\.bytes"\]=1073741824 \(1Gi .*holds only 32m12s/);
  });

  it("accepts 40 GiB per partition (about 21h), -1, and no known workload", async () => {
    assert.deepEqual(
      await runStackPolicy(
        kafkaRetentionBytesCoversReplayWindow,
        topicConfig("retention.bytes", 42949672960),
        WORKLOAD,
      ),
      CLEAN,
    );
    assert.deepEqual(
      await runStackPolicy(kafkaRetentionBytesCoversReplayWindow, topicConfig("retention.bytes", -1), WORKLOAD),
      CLEAN,
    );
    assert.deepEqual(
      await runStackPolicy(kafkaRetentionBytesCoversReplayWindow, topicConfig("retention.bytes", 104857600)),
      CLEAN,
    );
  });

  it("reads the workload from the stack output the program exports", async () => {
    const records = [
      ...topicConfig("retention.bytes", 104857600),
      { type: "pulumi:pulumi:Stack", name: "observability-stack-test", props: { workload: WORKLOAD.workload } },
    ];
    const run = await runStackPolicy(kafkaRetentionBytesCoversReplayWindow, records);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /stack output workload\.samplesPerSecond=133334/);
  });
});

describe("policy kafka-retention-fits-broker-disk (K17)", () => {
  it("rejects 7 days of retention on 1024Gi broker volumes", async () => {
    const run = await runStackPolicy(kafkaRetentionFitsBrokerDisk, topicConfig("retention.ms", 604800000), WORKLOAD);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /KafkaNodePool "brokers" \(namespace kafka\) spec\.storage\.volumes\[0\]\.size=1024Gi per broker < 5632\.7 GiB needed: each broker keeps 3755\.1 GiB of the topic/,
    );
    assert.match(run.violations[0].message, /retention\.ms"\]=604800000 \(7d\) of writes/);
    assert.match(run.violations[0].message, /50% headroom/);
    assert.match(run.violations[0].message, /Shutdown broker because all log dirs/);
    assert.match(run.violations[0].message, /raise the volume to at least 5633Gi/);
  });

  it("bounds the retained bytes by retention.bytes when that is reached first", async () => {
    const records = mutate(
      topicConfig("retention.ms", 604800000),
      TOPIC,
      ["spec", "config", "retention.bytes"],
      2147483648,
    );
    // 2 GiB x 12 partitions x 3 replicas / 3 brokers = 24 GiB, 36 GiB with headroom: fits 1024Gi.
    assert.deepEqual(await runStackPolicy(kafkaRetentionFitsBrokerDisk, records, WORKLOAD), CLEAN);
  });

  it("sums JBOD volumes", async () => {
    let records = topicConfig("retention.ms", 345600000); // 4d: 2145.8 GiB per broker, 3218.7 GiB with headroom
    records = mutate(
      records,
      "kafka-pool-brokers",
      ["spec", "storage", "volumes"],
      [
        { id: 0, type: "persistent-claim", size: "1500Gi" },
        { id: 1, type: "persistent-claim", size: "1500Gi" },
      ],
    );
    const run = await runStackPolicy(kafkaRetentionFitsBrokerDisk, records, WORKLOAD);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /sum of .*volumes\[0\]\.size \+ .*volumes\[1\]\.size=3000Gi \(1500Gi \+ 1500Gi\) per broker/,
    );
    records = mutate(records, "kafka-pool-brokers", ["spec", "storage", "volumes", 2], {
      id: 2,
      type: "persistent-claim",
      size: "1500Gi",
    });
    assert.deepEqual(await runStackPolicy(kafkaRetentionFitsBrokerDisk, records, WORKLOAD), CLEAN);
  });

  it("rejects a topic that keeps everything forever", async () => {
    const run = await runStackPolicy(kafkaRetentionFitsBrokerDisk, topicConfig("retention.ms", -1), WORKLOAD);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /keeps every record forever/);
  });

  it("accepts the compliant stack's 24h at the prod workload, and any stack without a workload", async () => {
    assert.deepEqual(await runStackPolicy(kafkaRetentionFitsBrokerDisk, compliantStack(), WORKLOAD), CLEAN);
    assert.deepEqual(await runStackPolicy(kafkaRetentionFitsBrokerDisk, topicConfig("retention.ms", 604800000)), CLEAN);
  });
});

describe("policy kafka-listeners-valid (K18)", () => {
  const LISTENER = ["spec", "kafka", "listeners"];
  it("rejects a listener name the Kafka CRD does not allow", async () => {
    const run = await runStackPolicy(
      kafkaListenersValid,
      mutate(compliantStack(), CLUSTER, [...LISTENER, 0, "name"], "sasl-plain"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /spec\.kafka\.listeners\[0\]\.name="sasl-plain" does not match the Kafka CRD pattern \^\[a-z0-9\]\{1,11\}\$/,
    );
    assert.match(run.violations[0].message, /API server refuses the Kafka resource/);
    assert.match(run.violations[0].message, /e\.g\. "saslplain"/);
  });

  it("rejects two listeners on one port and two with one name", async () => {
    const second = { name: "tls", port: 9093, type: "internal", tls: false };
    const run = await runStackPolicy(kafkaListenersValid, mutate(compliantStack(), CLUSTER, [...LISTENER, 1], second));
    assert.equal(run.violations.length, 2);
    const text = run.violations.map((v) => v.message).join("\n");
    assert.match(
      text,
      /listeners\[0\]\.name and .*listeners\[1\]\.name are all "tls" \("every listener needs to have a unique name"\)/,
    );
    assert.match(
      text,
      /listeners\[0\]\.port and .*listeners\[1\]\.port are all 9093 \("every listener needs to have a unique port number"\)/,
    );
    assert.match(text, /Kafka turns NotReady/);
  });

  it("rejects ports Strimzi reserves", async () => {
    for (const [port, pattern] of [
      [9091, /=9091 < 9092, the Kafka CRD's minimum listener port/],
      [9404, /=9404 is a port Strimzi reserves/],
      [9999, /=9999 is a port Strimzi reserves/],
    ] as const) {
      const run = await runStackPolicy(
        kafkaListenersValid,
        mutate(compliantStack(), CLUSTER, [...LISTENER, 0, "port"], port),
      );
      assert.equal(run.violations.length, 1, String(port));
      assert.match(run.violations[0].message, pattern);
    }
  });

  it("accepts a second listener with its own name and port, and the compliant stack", async () => {
    const second = { name: "plain", port: 9092, type: "internal", tls: false };
    assert.deepEqual(
      await runStackPolicy(kafkaListenersValid, mutate(compliantStack(), CLUSTER, [...LISTENER, 1], second)),
      CLEAN,
    );
    assert.deepEqual(await runStackPolicy(kafkaListenersValid, compliantStack()), CLEAN);
  });
});
