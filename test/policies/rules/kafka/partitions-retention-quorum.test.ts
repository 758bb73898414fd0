import { strict as assert } from "assert";
import { kafkaKraftControllerQuorum } from "../../../../policies/rules/kafka/kraft-controller-quorum";
import { kafkaPartitionsCoverIngesters } from "../../../../policies/rules/kafka/partitions-cover-ingesters";
import { kafkaRetentionCoversReplayWindow } from "../../../../policies/rules/kafka/retention-covers-replay-window";
import { compliantStack, mutate, mutateValues, without } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

describe("policy kafka-partitions-cover-ingesters (K8)", () => {
  it("rejects 60 zone-aware ingesters (20 per zone) on 12 partitions", async () => {
    const run = await runStackPolicy(
      kafkaPartitionsCoverIngesters,
      mutateValues(compliantStack(), "mimir", "ingester.replicas", 60),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /spec\.partitions=12 partitions < 20 ingesters per zone of mimir-distributed release "mimir"/,
    );
    assert.match(run.violations[0].message, /values\.ingester\.replicas=60 over 3 zones/);
    assert.match(run.violations[0].message, /UNKNOWN_TOPIC_OR_PARTITION/);
  });

  it("accepts exactly one partition per ingester of a zone", async () => {
    assert.deepEqual(
      (
        await runStackPolicy(
          kafkaPartitionsCoverIngesters,
          mutateValues(compliantStack(), "mimir", "ingester.replicas", 36),
        )
      ).violations,
      [],
    );
  });

  it("counts every ingester when zone awareness is off", async () => {
    let records = mutateValues(compliantStack(), "mimir", "ingester.zoneAwareReplication.enabled", false);
    records = mutateValues(records, "mimir", "ingester.replicas", 13);
    const run = await runStackPolicy(kafkaPartitionsCoverIngesters, records);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /< 13 ingesters per zone/);
  });

  it("uses auto_create_topic_default_partitions for a topic Mimir creates", async () => {
    let records = without(compliantStack(), "kafka-topic-mimir-ingest");
    records = mutateValues(
      records,
      "mimir",
      "mimir.structuredConfig.ingest_storage.kafka.auto_create_topic_enabled",
      true,
    );
    assert.deepEqual((await runStackPolicy(kafkaPartitionsCoverIngesters, records)).violations, []); // chart-generated 100 partitions
    records = mutateValues(
      records,
      "mimir",
      "mimir.structuredConfig.ingest_storage.kafka.auto_create_topic_default_partitions",
      1,
    );
    const run = await runStackPolicy(kafkaPartitionsCoverIngesters, records);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /auto_create_topic_default_partitions=1 partitions < 2 ingesters per zone/);
  });
});

describe("policy kafka-retention-covers-replay-window (K9, mandatory below the replay window)", () => {
  it("rejects a topic that keeps records for less than Mimir's 13h replay window", async () => {
    const run = await runStackPolicy(
      kafkaRetentionCoversReplayWindow,
      mutate(compliantStack(), "kafka-topic-mimir-ingest", ["spec", "config", "retention.ms"], 3600000),
    );
    assert.deepEqual(run.advisories, []);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /retention\.ms"\]=3600000 \(1h\) < mimir-distributed release "mimir" replay window Mimir default blocks_storage\.tsdb\.retention_period=13h/,
    );
    assert.match(run.violations[0].message, /samples are lost/);
  });

  it("accepts exactly the replay window", async () => {
    const records = mutate(compliantStack(), "kafka-topic-mimir-ingest", ["spec", "config", "retention.ms"], 46800000);
    assert.deepEqual(await runStackPolicy(kafkaRetentionCoversReplayWindow, records), {
      violations: [],
      advisories: [],
      previewAdvisory: undefined,
    });
  });

  it("only advises when retention covers the replay window but not the configured outage to survive", async () => {
    const run = await runStackPolicy(kafkaRetentionCoversReplayWindow, compliantStack(), {
      ingesterOutageToSurvive: "48h",
    });
    assert.deepEqual(run.violations, []);
    assert.equal(run.advisories.length, 1);
    assert.match(run.advisories[0].message, /covers .* replay window .* but not the ingester outage to survive/);
    assert.match(run.advisories[0].message, /ingesterOutageToSurvive=48h/);
  });

  it("accepts retention.ms -1 (keep forever)", async () => {
    const records = mutate(compliantStack(), "kafka-topic-mimir-ingest", ["spec", "config", "retention.ms"], -1);
    assert.deepEqual(
      (await runStackPolicy(kafkaRetentionCoversReplayWindow, records, { ingesterOutageToSurvive: "480h" })).advisories,
      [],
    );
  });

  it("reads broker log.retention.hours when the topic sets nothing", async () => {
    let records = mutate(compliantStack(), "kafka-topic-mimir-ingest", ["spec", "config", "retention.ms"], undefined);
    records = mutate(records, "kafka-cluster", ["spec", "kafka", "config", "log.retention.hours"], 6);
    const run = await runStackPolicy(kafkaRetentionCoversReplayWindow, records);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /log\.retention\.hours"\]=6 \(6h\)/);
  });

  it("reports a malformed outage duration naming the key and the accepted format", async () => {
    const run = await runStackPolicy(kafkaRetentionCoversReplayWindow, compliantStack(), {
      ingesterOutageToSurvive: "2d",
    });
    assert.match(
      run.violations[0].message,
      /policy config ingesterOutageToSurvive="2d" is not a Go duration such as 48h/,
    );
  });
});

describe("policy kafka-kraft-controller-quorum (K10, advisory)", () => {
  it("advises against an even number of controllers", async () => {
    const run = await runStackPolicy(
      kafkaKraftControllerQuorum,
      mutate(compliantStack(), "kafka-pool-controllers", ["spec", "replicas"], 4),
    );
    assert.equal(run.advisories.length, 1);
    assert.match(
      run.advisories[0].message,
      /KafkaNodePool "controllers" \(namespace kafka\) spec\.replicas=4 KRaft controllers on Kafka "kafka".*majority of 3/,
    );
  });

  it("advises a single controller in prod but not in dev", async () => {
    const records = mutate(compliantStack(), "kafka-pool-controllers", ["spec", "replicas"], 1);
    const prod = await runStackPolicy(kafkaKraftControllerQuorum, records);
    assert.equal(prod.advisories.length, 1);
    assert.match(prod.advisories[0].message, /in prod \(tag observability\/profile=prod on/);
    assert.deepEqual(
      (await runStackPolicy(kafkaKraftControllerQuorum, records, { environment: "dev" })).advisories,
      [],
    );
  });
});
