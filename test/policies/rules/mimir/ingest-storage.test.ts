import { strict as assert } from "assert";
import { mimirIngestStorageConfigValid } from "../../../../policies/rules/mimir/ingest-storage-config-valid";
import { compliantStack, mutateValues, withMimirChart } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const kafka = (key: string, value: unknown) =>
  mutateValues(compliantStack(), "mimir", `mimir.structuredConfig.ingest_storage.kafka.${key}`, value);
const messages = async (records = compliantStack()) =>
  (await runStackPolicy(mimirIngestStorageConfigValid, records)).violations.map((v) => v.message);

describe("policy mimir-ingest-storage-config-valid (M9)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual(await messages(), []);
  });

  it("rejects a consumer group the ingesters share: <partition> across zones, a constant across every ingester", async () => {
    const perPartition = await messages(kafka("consumer_group", "mimir-<partition>"));
    assert.equal(perPartition.length, 1);
    assert.match(
      perPartition[0],
      /consumer_group="mimir-<partition>" makes the 3 zones' ingesters of each partition \(one per zone\) share one Kafka consumer group.*skips records/,
    );
    const constant = await messages(kafka("consumer_group", "mimir"));
    assert.match(
      constant[0],
      /consumer_group="mimir" makes all \d+ ingesters \(3 zones x \d+\) share one Kafka consumer group/,
    );
  });

  it("accepts no consumer group (each ingester's instance ID) and <partition> when ingesters are not zone-aware", async () => {
    assert.deepEqual(await messages(kafka("consumer_group", "")), []);
    const oneZone = mutateValues(
      kafka("consumer_group", "mimir-<partition>"),
      "mimir",
      "ingester.zoneAwareReplication.enabled",
      false,
    );
    assert.deepEqual(await messages(oneZone), []);
  });

  it("rejects more partition owners required than a partition can have (one ingester per zone)", async () => {
    const owners = (value: unknown, records = compliantStack()) =>
      mutateValues(
        records,
        "mimir",
        "mimir.structuredConfig.ingester.partition_ring.min_partition_owners_count",
        value,
      );
    const found = await messages(owners(4));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /min_partition_owners_count=4 > 3 owners a partition can have \(one ingester per zone owns each partition.*every push fails.*at most 3/,
    );
    // Benign: up to the zone count, and the default.
    assert.deepEqual(await messages(owners(3)), []);
    assert.deepEqual(await messages(owners(1)), []);
    // Not zone-aware: each partition has a single owner.
    const oneZone = mutateValues(compliantStack(), "mimir", "ingester.zoneAwareReplication.enabled", false);
    assert.match((await messages(owners(2, oneZone)))[0], /=2 > 1 owner a partition can have/);
    assert.deepEqual(await messages(owners(1, oneZone)), []);
  });

  it("rejects a producer record size outside the range Mimir accepts at start-up, quoting Mimir's error", async () => {
    for (const value of [1_048_575, 16_000_000]) {
      const found = await messages(kafka("producer_max_record_size_bytes", value));
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        new RegExp(
          `producer_max_record_size_bytes=${value}: Mimir refuses to start with "the configured producer max record size bytes must be a value between 1048576 and 15983616"`,
        ),
      );
    }
    assert.deepEqual(await messages(kafka("producer_max_record_size_bytes", 15_983_616)), []);
  });

  it("rejects a fetch max wait outside 5s..30s, zero write clients and an over-large buffer", async () => {
    assert.match(
      (await messages(kafka("fetch_max_wait", "1s")))[0],
      /the Kafka fetch max wait must be between 5s and 30s/,
    );
    assert.match((await messages(kafka("write_clients", 0)))[0], /the configured number of write clients is invalid/);
    assert.match(
      (await messages(kafka("max_buffered_bytes", 2_147_483_647)))[0],
      /max-buffered-bytes must be less than 2147483647/,
    );
  });

  it("rejects a SASL username without a password", async () => {
    const found = await messages(kafka("sasl_password", ""));
    assert.match(
      found[0],
      /ingest_storage\.kafka\.sasl_password="": Mimir refuses to start with "the SASL username and password must be both configured/,
    );
  });

  it("rejects keys Mimir 3.0 does not have on chart 6.0.x (strict YAML), and accepts them on 6.1", async () => {
    const found = await messages(withMimirChart(compliantStack()));
    assert.deepEqual(
      found.map((m) => m.split("=")[0]).sort(),
      [
        'mimir-distributed release "mimir" values.mimir.structuredConfig.ingest_storage.kafka.sasl_mechanism',
        'mimir-distributed release "mimir" values.mimir.structuredConfig.ingest_storage.kafka.tls_enabled',
      ].sort(),
    );
    assert.match(
      found[0],
      /"field \w+ not found in type ingest\.KafkaConfig": Mimir 3\.0 \(chart 6\.0\.6\) has no such key; it arrives in Mimir 3\.1/,
    );
  });
  describe("start position, consumer lag and ingestion concurrency (KafkaConfig.Validate)", () => {
    const kafkaAll = (settings: Record<string, unknown>, records = compliantStack()) =>
      Object.entries(settings).reduce(
        (r, [key, value]) => mutateValues(r, "mimir", `mimir.structuredConfig.ingest_storage.kafka.${key}`, value),
        records,
      );

    it("rejects position timestamp without a millisecond timestamp (x13), and accepts it with one", async () => {
      const found = await messages(kafka("consume_from_position_at_startup", "timestamp"));
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        /consume_from_position_at_startup="timestamp": Mimir refuses to start with "the configured consume position is invalid: configured timestamp must be a millisecond timestamp"/,
      );
      const seconds = await messages(
        kafkaAll({ consume_from_position_at_startup: "timestamp", consume_from_timestamp_at_startup: 1_735_689_600 }),
      );
      assert.match(seconds[0], /consume_from_timestamp_at_startup=1735689600: .*must be a millisecond timestamp/);
      assert.deepEqual(
        await messages(
          kafkaAll({
            consume_from_position_at_startup: "timestamp",
            consume_from_timestamp_at_startup: 1_735_689_600_000,
          }),
        ),
        [],
      );
    });

    it("rejects a timestamp with another position and an unknown position; accepts start and last-offset", async () => {
      assert.match(
        (await messages(kafka("consume_from_timestamp_at_startup", 1_735_689_600_000)))[0],
        /configured consume position must be set to "timestamp"/,
      );
      assert.match(
        (await messages(kafka("consume_from_position_at_startup", "earliest")))[0],
        /consume_from_position_at_startup="earliest": Mimir refuses to start with "the configured consume position is invalid" \(supported: last-offset, start, end, timestamp\)/,
      );
      assert.deepEqual(await messages(kafka("consume_from_position_at_startup", "start")), []);
      assert.deepEqual(await messages(kafka("consume_from_position_at_startup", "last-offset")), []);
      assert.deepEqual(await messages(kafka("consume_from_timestamp_at_startup", 0)), []);
    });

    it("rejects an inconsistent consumer-lag pair; accepts both 0 and max >= target", async () => {
      assert.match(
        (await messages(kafka("max_consumer_lag_at_startup", "0s")))[0],
        /must be either both set to 0 or to a value greater than 0" \(target 2s, max 0s\)/,
      );
      assert.match(
        (await messages(kafka("target_consumer_lag_at_startup", "30s")))[0],
        /max consumer lag at startup must greater or equal than the configured target consumer lag/,
      );
      assert.deepEqual(
        await messages(kafkaAll({ target_consumer_lag_at_startup: "0s", max_consumer_lag_at_startup: "0s" })),
        [],
      );
      assert.deepEqual(await messages(kafka("max_consumer_lag_at_startup", "1m")), []);
    });

    it("reads the consumer-lag pair from the ingesters' CLI flags too (flags win over structuredConfig)", async () => {
      const flagged = mutateValues(compliantStack(), "mimir", "ingester.extraArgs", {
        "ingest-storage.kafka.target-consumer-lag-at-startup": "30s",
      });
      assert.match(
        (await messages(flagged))[0],
        /ingester\.extraArgs.*target-consumer-lag-at-startup.*max consumer lag at startup must greater or equal/s,
      );
      const raisedBoth = mutateValues(flagged, "mimir", "ingester.extraArgs", {
        "ingest-storage.kafka.target-consumer-lag-at-startup": "30s",
        "ingest-storage.kafka.max-consumer-lag-at-startup": "1m",
      });
      assert.deepEqual(await messages(raisedBoth), []);
    });

    it("rejects ingestion concurrency with a parameter <= 0 (x14) or a negative maximum", async () => {
      const found = await messages(kafkaAll({ ingestion_concurrency_max: 8, ingestion_concurrency_batch_size: 0 }));
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        /ingestion_concurrency_batch_size=0: Mimir refuses to start with "ingest-storage\.kafka\.ingestion-concurrency-queue-capacity, .* must be greater than 0" \(ingestion_concurrency_max is 8\)/,
      );
      assert.match(
        (await messages(kafka("ingestion_concurrency_max", -1)))[0],
        /ingestion-concurrency-max must either be set to 0 or to a value greater than 0/,
      );
      // Concurrency off: the parameters are not checked.
      assert.deepEqual(
        await messages(kafkaAll({ ingestion_concurrency_max: 0, ingestion_concurrency_batch_size: 0 })),
        [],
      );
      assert.deepEqual(
        await messages(kafkaAll({ ingestion_concurrency_max: 16, ingestion_concurrency_batch_size: 300 })),
        [],
      );
    });

    it("uses each Mimir version's default ingestion concurrency: off in 3.0 (chart 6.0.x), 8 in 3.1", async () => {
      assert.match(
        (await messages(kafka("ingestion_concurrency_queue_capacity", 0)))[0],
        /\(ingestion_concurrency_max is 8, the default\)/,
      );
      const on30 = await messages(withMimirChart(kafka("ingestion_concurrency_queue_capacity", 0)));
      assert.equal(on30.filter((m) => /ingestion_concurrency/.test(m)).length, 0);
    });
  });
});
