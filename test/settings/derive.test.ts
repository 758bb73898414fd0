import { strict as assert } from "assert";
import { deriveSettings, resolveConfig } from "../../settings";
import { internalTopicReplication, messageSizes, topicPartitions, brokerStorageGiB } from "../../settings/derive/kafka";
import {
  applyLifecycleOverrides,
  lokiChunksExpirationDays,
  mimirBlocksExpirationDays,
} from "../../settings/derive/retention";
import { distributorSize, ingesterSize, storeGatewaySize, compactorSize } from "../../settings/derive/sizing";
import {
  alloyBatchSizeBytes,
  chunksCacheMB,
  CHUNKS_CACHE_MIN_MB,
  ingestionLimits,
  walReplayMemoryCeilingMB,
} from "../../settings/derive/loki";
import { lokiZoneAware, mimirZoneAware } from "../../settings/derive/zones";
import * as upstream from "../../settings/upstream";
import { prometheusVolumeGiB, queueConfig } from "../../settings/derive/prometheus";
import { days, hours, parseDuration } from "../../settings/durations";

const PROJECT = "observability-stack";
const settingsFor = (raw: Record<string, string>) => deriveSettings(resolveConfig(PROJECT, raw));

describe("settings/derive: Kafka limits from Mimir's producer batch", () => {
  it("K1-K4: message, fetch, socket and segment sizes all hold a 16,000,000-byte batch", () => {
    const s = messageSizes();
    assert.ok(s.maxMessageBytes >= 16_000_000);
    assert.ok(s.replicaFetchMaxBytes >= s.maxMessageBytes);
    assert.ok(s.socketRequestMaxBytes > s.maxMessageBytes);
    assert.ok(s.segmentBytes > s.maxMessageBytes);
  });

  it("follows a larger producer batch rather than a fixed 16 MiB", () => {
    const s = messageSizes(40_000_000);
    assert.equal(s.maxMessageBytes, 40_000_000);
    assert.ok(s.socketRequestMaxBytes >= 80_000_000);
    assert.ok(s.segmentBytes >= 80_000_000);
  });

  it("K8: partitions are never fewer than ingesters per zone", () => {
    for (const n of [1, 2, 7]) assert.ok(topicPartitions(n) >= n);
  });

  it("K6: internal topics replicate at most over the brokers there are", () => {
    assert.deepEqual(internalTopicReplication(1), { replicationFactor: 1, minInsyncReplicas: 1 });
    assert.deepEqual(internalTopicReplication(2), { replicationFactor: 2, minInsyncReplicas: 2 });
    assert.deepEqual(internalTopicReplication(5), { replicationFactor: 3, minInsyncReplicas: 2 });
  });

  it("sizes broker disks for retention x RF, with a 20 GiB floor", () => {
    assert.equal(brokerStorageGiB(1, hours(24), 1, 1), 20);
    // 100k samples/s x 50 B x 86,400 s x 3 / 3 brokers x 1.5 = 648 GB = 603.5 GiB -> 610
    assert.equal(brokerStorageGiB(100_000, hours(24), 3, 3), 610);
  });

  for (const profile of ["dev", "staging", "prod"]) {
    it(`${profile}: broker and topic agree with each other and with the replication config`, () => {
      const s = settingsFor({ profile });
      const b = s.kafka.brokerConfig;
      assert.ok((b["message.max.bytes"] as number) >= 16_000_000);
      assert.equal(s.kafka.topic.config["max.message.bytes"], b["message.max.bytes"]);
      assert.ok(s.kafka.topic.replicas <= s.kafka.brokers);
      assert.ok((b["offsets.topic.replication.factor"] as number) <= s.kafka.brokers);
      assert.ok((b["transaction.state.log.replication.factor"] as number) <= s.kafka.brokers);
      assert.ok((b["min.insync.replicas"] as number) <= s.kafka.topic.replicas);
      assert.ok(s.kafka.topic.partitions >= s.mimir.sizing.ingester.perZone);
      assert.ok((s.kafka.topic.config["retention.ms"] as number) >= s.retention.ms.tsdb);
    });
  }

  it("authenticates Kafka clients outside dev", () => {
    assert.equal(settingsFor({ profile: "dev" }).kafka.listener.authentication, "none");
    // SASL/PLAIN without TLS: all Mimir 3.0 can speak (see settings/derive/kafka.ts).
    assert.equal(settingsFor({ profile: "staging" }).kafka.listener.authentication, "plain");
    assert.equal(settingsFor({ profile: "prod" }).kafka.listener.authentication, "plain");
  });

  it("runs one combined KRaft node for a single broker and 3 controllers otherwise (K10)", () => {
    assert.equal(settingsFor({ profile: "dev" }).kafka.dedicatedControllers, 0);
    assert.equal(settingsFor({ profile: "prod" }).kafka.dedicatedControllers, 3);
  });
});

describe("settings/derive: retention chain and bucket lifecycle", () => {
  it("R2: blocks expire only after retention + deletion delay (12h) + cleanup (15m) + a rounding day", () => {
    assert.equal(mimirBlocksExpirationDays(days(90)), 92);
    assert.equal(mimirBlocksExpirationDays(days(1)), 3);
    // Never on or before the last day Mimir may still index a block.
    for (const d of [1, 7, 30, 90, 365]) {
      const expiry = mimirBlocksExpirationDays(days(d));
      assert.ok(days(expiry) > days(d) + hours(12) + 15 * 60_000 + days(1) - 1);
    }
  });

  it("R3: chunks expire only after retention_period + retention_delete_delay (2h) + a rounding day", () => {
    assert.equal(lokiChunksExpirationDays(days(30)), 32);
    assert.equal(lokiChunksExpirationDays(hours(22)), 2);
  });

  it("scopes expirations to tenant prefixes and never expires ruler or alertmanager state", () => {
    const s = settingsFor({ profile: "prod", tenants: JSON.stringify([{ id: "a" }, { id: "b" }]) });
    assert.deepEqual(s.lifecycle.mimirBlocks?.prefixes, ["a/", "b/"]);
    assert.deepEqual(s.lifecycle.lokiChunks?.prefixes, ["a/", "b/"]);
    assert.equal(s.lifecycle.mimirRuler, undefined);
    assert.equal(s.lifecycle.mimirAlertmanager, undefined);
    assert.equal(s.lifecycle.lokiRuler, undefined);
  });

  it("uses the longest tenant retention for the shared expiration", () => {
    const s = settingsFor({
      profile: "prod",
      tenants: JSON.stringify([{ id: "a" }, { id: "b", limits: { metricsRetention: "400d", logsRetention: "60d" } }]),
    });
    assert.equal(s.lifecycle.mimirBlocks?.days, 402);
    assert.equal(s.lifecycle.lokiChunks?.days, 62);
    assert.equal(s.mimir.tenantOverrides.b.compactor_blocks_retention_period, "400d");
    assert.equal(s.loki.tenantOverrides.b.retention_period, "60d");
  });

  it("lets overrides.bucketLifecycleDays replace or remove an expiration (the policy pack judges it)", () => {
    const plan = {
      mimirBlocks: { days: 92, prefixes: ["p/"] },
      lokiChunks: { days: 32, prefixes: ["p/"] },
      mimirRuler: undefined,
      mimirAlertmanager: undefined,
      lokiRuler: undefined,
    };
    const result = applyLifecycleOverrides(plan, { mimirBlocks: 30, lokiChunks: null }, ["p/"]);
    assert.deepEqual(result.mimirBlocks, { days: 30, prefixes: ["p/"] });
    assert.equal(result.lokiChunks, undefined);
  });

  for (const profile of ["dev", "staging", "prod"]) {
    it(`${profile}: Mimir keeps at least Prometheus' local retention (R1) and timings satisfy M1-M3`, () => {
      const s = settingsFor({ profile });
      assert.ok(s.retention.ms.metrics >= s.retention.ms.prometheusLocal);
      const m = s.retention.mimir;
      assert.ok(parseDuration(m.queryIngestersWithin) > parseDuration(m.queryStoreAfter));
      assert.ok(parseDuration(m.ignoreDeletionMarkWhileQueryingDelay) < parseDuration(m.ignoreDeletionMarkDelay));
      assert.ok(parseDuration(m.ignoreDeletionMarkWhileQueryingDelay) > 3 * parseDuration(m.bucketStoreSyncInterval));
      const ranges = m.blockRanges.map(parseDuration);
      for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i] % ranges[i - 1], 0);
      assert.ok(parseDuration(m.tsdbRetentionPeriod) > parseDuration(m.queryStoreAfter)); // M6
    });
  }
});

describe("settings/derive: sizing from Mimir's capacity planning with 50% headroom", () => {
  it("distributors: 1 core per 25,000 samples/s x 1.5, at most 2 cores each", () => {
    const d = distributorSize("prod", 100_000); // 6 cores -> 3 replicas of 2 cores
    assert.equal(d.replicas, 3);
    assert.equal(d.cpuMillis, 2000);
  });

  it("K11: the distributor's memory limit holds the producer buffer on top of its working set", () => {
    for (const sps of [1_000, 50_000, 1_000_000]) {
      const d = distributorSize("staging", sps);
      assert.ok(d.memoryLimitMiB * 1024 * 1024 > d.producerMaxBufferedBytes + d.workingSetMiB * 1024 * 1024);
      assert.ok(d.producerMaxBufferedBytes < 1024 ** 3, "below Mimir's 1 GiB default that OOMed 1Gi distributors");
    }
  });

  it("ingesters: every zone holds all series; 2M series need 2 ingesters per zone", () => {
    const i = ingesterSize(2_000_000, 3);
    assert.equal(i.perZone, 2);
    assert.equal(i.replicas, 6);
    // 2M / 300k x 1.5 = 10 cores per zone, 5 per ingester
    assert.equal(i.cpuMillis, 5000);
  });

  it("store-gateways: RF replicas without zones, one per zone at least with zones (M7, M8)", () => {
    assert.equal(storeGatewaySize(1, 1000, 1, 3).replicas, 3);
    const zoned = storeGatewaySize(1, 1000, 3, 3);
    assert.equal(zoned.perZone, 1);
    assert.equal(zoned.replicas, 3);
  });

  it("store-gateways: in-process caches sized well under half the memory limit (B5), not Mimir's 1 GiB defaults", () => {
    for (const qps of [1, 40, 400]) {
      const size = storeGatewaySize(qps, 2_000_000, 3, 3);
      const limit = size.memoryLimitMiB * upstream.bytes.MiB;
      assert.ok(size.indexCacheBytes + size.seriesHashCacheBytes <= limit / 2, `qps ${qps}`);
      assert.ok(size.indexCacheBytes > 0 && size.seriesHashCacheBytes > 0);
    }
    assert.equal(storeGatewaySize(1, 1000, 3, 3).indexCacheBytes, 384 * upstream.bytes.MiB, "a quarter of 1536Mi");
  });

  it("compactors: one per 20M active series", () => {
    assert.equal(compactorSize(19_000_000).replicas, 1);
    assert.equal(compactorSize(41_000_000).replicas, 3);
  });

  it("Loki limits: peak x headroom, burst at least Loki's 6 MB default; Alloy batches below the burst (L2)", () => {
    assert.deepEqual(ingestionLimits(1), { rateMB: 4, burstMB: 8 });
    // 1000 GB/day = 11.57e6 B/s x 2 (peak) x 1.5 = 34.7e6 B/s = 33.1 Loki MB (2^20 B) -> 34
    const big = ingestionLimits(1000);
    assert.equal(big.rateMB, 34);
    // Loki's MB is 2^20 bytes (pkg/validation bytesInMB): half of a 1 MB burst is 524,288 bytes, not 500,000.
    assert.equal(alloyBatchSizeBytes(1), 524_288);
    for (const burst of [1, 6, 70]) assert.ok(alloyBatchSizeBytes(burst) <= (burst * 1_048_576) / 2);
    assert.equal(alloyBatchSizeBytes(70), 1024 * 1024);
  });

  it("L9: Loki's WAL replay ceiling is ~75% of the memory limit of the pods running the ingester, never Loki's 4GB default", () => {
    assert.equal(walReplayMemoryCeilingMB(2048), 1536);
    assert.equal(walReplayMemoryCeilingMB(1000), 750);
    for (const profile of ["dev", "staging", "prod"]) {
      const loki = settingsFor({ profile }).loki;
      const holder = loki.deploymentMode === "Monolithic" ? loki.sizes.singleBinary! : loki.sizes.ingester!;
      assert.equal(loki.walReplayMemoryCeilingMB, Math.floor(holder.memoryLimitMiB * 0.75), profile);
      assert.ok(loki.walReplayMemoryCeilingMB < holder.memoryLimitMiB, profile);
    }
  });

  it("Loki chunks cache: ten minutes of the rate limit in 128 MB steps, between the floor and the chart default", () => {
    assert.equal(chunksCacheMB(1), CHUNKS_CACHE_MIN_MB);
    assert.equal(chunksCacheMB(4), 2432); // 4 MB/s x 600 s = 2400 -> 2432
    assert.equal(chunksCacheMB(1000), upstream.charts.lokiChunksCacheDefaultMB);
    assert.equal(settingsFor({ profile: "dev" }).loki.chunksCacheMB, undefined, "Monolithic caches in process");
    const staging = settingsFor({ profile: "staging" }).loki.chunksCacheMB!;
    const prod = settingsFor({ profile: "prod" }).loki.chunksCacheMB!;
    assert.ok(prod > staging, "more logs, larger cache");
  });
  it("L1: Loki's replicas that hold a stream are never fewer than its replication factor", () => {
    for (const profile of ["dev", "staging", "prod"]) {
      const s = settingsFor({ profile });
      const holders =
        s.loki.deploymentMode === "Monolithic" ? s.loki.sizes.singleBinary!.replicas : s.loki.sizes.ingester!.replicas;
      assert.ok(holders >= s.loki.replicationFactor, profile);
    }
  });

  it("Prometheus: a volume for retention x 2 bytes per sample x 1.5, and retentionSize inside it", () => {
    assert.equal(prometheusVolumeGiB(10_000, days(15)), 40); // 38.9 GB = 36.2 GiB -> 40
    const s = settingsFor({ profile: "prod" });
    assert.ok(parseInt(s.prometheus.retentionSize, 10) < s.prometheus.volumeGiB);
    assert.ok(queueConfig(1_000_000).maxShards >= 150);
  });
});

describe("settings/derive: zone awareness, decided once", () => {
  it("Mimir: zone-aware only from the chart's 3-zone minimum (grafana/mimir#14065)", () => {
    assert.deepEqual([1, 2, 3].map(mimirZoneAware), [false, false, true]);
    assert.equal(settingsFor({ profile: "prod" }).mimir.zoneAware, true);
    assert.equal(settingsFor({ profile: "dev" }).mimir.zoneAware, false);
    const twoZones = settingsFor({
      profile: "staging",
      replication: JSON.stringify({ zones: 2, storeGatewayReplicationFactor: 2 }),
    });
    assert.equal(twoZones.mimir.zoneAware, false);
    assert.equal(
      twoZones.mimir.sizing.storeGateway.replicas,
      twoZones.mimir.sizing.storeGateway.perZone,
      "one store-gateway ring",
    );
  });

  it("Loki: zone-aware ingesters only on the chart's three zones with RF <= 3, in multiples of three", () => {
    assert.equal(lokiZoneAware(3, 3), true);
    assert.equal(lokiZoneAware(2, 2), false);
    assert.equal(lokiZoneAware(3, 4), false);
    const prod = settingsFor({ profile: "prod" });
    assert.equal(prod.loki.ingesterZoneAware, true);
    assert.equal(prod.loki.sizes.ingester!.replicas % 3, 0);
    const wide = settingsFor({ profile: "prod", replication: JSON.stringify({ lokiReplicationFactor: 4 }) });
    assert.equal(wide.loki.ingesterZoneAware, false);
    assert.equal(settingsFor({ profile: "dev" }).loki.ingesterZoneAware, false);
  });
});
