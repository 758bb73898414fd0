// Facts the pack checks against are read from the pack (policies/lib), so the program and the pack cannot disagree.
import { STRIMZI_DEFAULT_KAFKA_VERSION, STRIMZI_KAFKA_VERSIONS } from "../policies/lib/kafka/versions";
import { LOKI_DEFAULTS, LOKI_MAX_LINE_SIZE_BYTES } from "../policies/lib/loki";
import { MIMIR_DEFAULTS, MIMIR_MIN_ZONE_AWARE_ZONES, MIMIR_PRODUCER_RECORD_BYTES } from "../policies/lib/mimir";
import { PROMETHEUS_MAX_SAMPLES_PER_SEND, PROMETHEUS_OPERATOR_LABELS } from "../policies/lib/prometheus";
/**
 * Facts taken from upstream projects. Every derived setting that depends on one of these reads it from
 * here, so that a version bump means re-checking one file. Each constant names where it was read.
 */

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
export const bytes = { KiB, MiB, GiB } as const;

export const mimir = {
  /** franz-go ProducerBatchMaxBytes as hard-coded by Mimir's writer (grafana/mimir pkg/storage/ingest/writer.go). */
  producerBatchMaxBytes: 16_000_000,
  /** Default and upper bound of -ingest-storage.kafka.producer-max-record-size-bytes (pkg/storage/ingest/config.go). */
  producerMaxRecordSizeBytes: MIMIR_PRODUCER_RECORD_BYTES.max,
  producerMaxRecordSizeBytesMin: MIMIR_PRODUCER_RECORD_BYTES.min,
  /** Default -ingest-storage.kafka.producer-max-buffered-bytes, 1 GiB (Mimir config descriptor). */
  producerMaxBufferedBytesDefault: 1 * GiB,
  /** docs configure-kafka-backend.md: raise distributor.remote_timeout to 5s with Kafka (default 2s). */
  distributorRemoteTimeout: "5s",
  /** blocks_storage.tsdb.retention_period default 13h (config descriptor): the replay window after a restart. */
  tsdbRetentionHours: 13,
  /** limits.query_ingesters_within 13h and querier.query_store_after 12h (descriptor); M1 needs within > after. */
  queryIngestersWithinHours: 13,
  queryStoreAfterHours: 12,
  /** compactor.deletion_delay 12h and compactor.cleanup_interval 15m (descriptor; the chart lowers the delay to 2h). */
  compactorDeletionDelayHours: 12,
  compactorCleanupIntervalMinutes: 15,
  /** bucket_store: sync_interval 15m, ignore_deletion_mark_delay 1h, ..._while_querying_delay 50m (descriptor, rule M2). */
  bucketStoreSyncIntervalMinutes: 15,
  ignoreDeletionMarkDelayMinutes: 60,
  ignoreDeletionMarkWhileQueryingDelayMinutes: 50,
  /** compactor.block_ranges 2h,12h,24h (Mimir default; each divisible by the previous one, rule M3). */
  compactorBlockRangesHours: [2, 12, 24],
  /** limits.ingestion_rate 10,000/s, ingestion_burst_size 200,000, max_global_series_per_user 150,000 (descriptor). */
  defaultIngestionRate: MIMIR_DEFAULTS["limits.ingestion_rate"] as number,
  defaultIngestionBurstSize: MIMIR_DEFAULTS["limits.ingestion_burst_size"] as number,
  defaultMaxGlobalSeriesPerUser: MIMIR_DEFAULTS["limits.max_global_series_per_user"] as number,
} as const;

export const kafka = {
  /** Apache Kafka broker defaults (Kafka 4.x broker configs documentation). */
  defaultMessageMaxBytes: 1_048_588,
  defaultReplicaFetchMaxBytes: 1 * MiB,
  defaultSocketRequestMaxBytes: 100 * MiB,
  defaultSegmentBytes: 1 * GiB,
  /**
   * Strimzi 1.2.0's default Kafka and that version's metadata version; the supported versions and their sources live
   * in the pack (policies/lib/kafka/versions.ts, checked by U4).
   */
  version: STRIMZI_DEFAULT_KAFKA_VERSION,
  metadataVersion: STRIMZI_KAFKA_VERSIONS[STRIMZI_DEFAULT_KAFKA_VERSION],
} as const;

/** Mimir capacity planning (docs planning-capacity.md), before headroom. */
export const mimirCapacity = {
  distributorSamplesPerSecondPerCoreAndGB: 25_000,
  ingesterSeriesPerUnit: 300_000, // 1 core + 2.5 GB RAM + 5 GB disk per 300k in-memory series
  ingesterMemoryGBPerUnit: 2.5,
  ingesterDiskGBPerUnit: 5,
  querierQpsPerCoreAndGB: 10,
  storeGatewayQpsPerCoreAndGB: 10,
  /** Index-headers of a year of blocks with store-gateway RF 3, all copies together (planning-capacity.md). */
  storeGatewayDiskGBPerMillionSeries: 13,
  storeGatewayDiskFigureRetentionDays: 365,
  storeGatewayDiskFigureReplicationFactor: 3,
  queryFrontendQpsPerCoreAndGB: 250,
  compactorSeriesPerInstance: 20_000_000, // 1 core, 4 GB, 300 GB disk each
  compactorCores: 1,
  compactorMemoryGB: 4,
  compactorDiskGB: 300,
  /** The planning doc's advice: add 50% headroom to every figure. */
  headroom: 1.5,
} as const;

export const loki = {
  /**
   * limits_config.max_line_size default 256KB (Loki docs, configuration reference): a tenant's ingestion burst below
   * one line can never admit that line, and Loki answers 429 to it forever.
   */
  maxLineSizeBytes: LOKI_MAX_LINE_SIZE_BYTES,
  /** Loki's MB in limits such as ingestion_rate_mb / ingestion_burst_size_mb is 2^20 bytes (grafana/loki pkg/validation/limits.go `bytesInMB`). */
  bytesPerMB: 1 * MiB,
  /** Loki docs operations/storage/retention.md: compactor.retention_delete_delay default 2h. */
  retentionDeleteDelayHours: 2,
  /** TSDB index must use a 24h period (Loki schema_config docs, rule R5). */
  indexPeriodHours: 24,
  /** limits_config.ingestion_burst_size_mb default 6 (Loki configuration reference, rule L2). */
  defaultIngestionBurstSizeMB: LOKI_DEFAULTS["limits_config.ingestion_burst_size_mb"] as number,
  /** limits_config.reject_old_samples_max_age default 1w (Loki configuration reference, rule R6). */
  defaultRejectOldSamplesMaxAgeHours: 168,
} as const;

export const charts = {
  /** mimir-distributed 6.0.x needs >= 3 zones per zone-aware component (policies/lib/mimir.ts; policy U8 checks it). */
  mimirMinZoneAwareZones: MIMIR_MIN_ZONE_AWARE_ZONES,
  /** The loki chart renders zone-aware ingesters as exactly three StatefulSets, zone-a/b/c (templates/ingester/workload.yaml). */
  lokiIngesterZones: 3,
  /** loki chart chunksCache.allocatedMemory default, MB (values.yaml); its memcached pod requests 1.2x that. */
  lokiChunksCacheDefaultMB: 8192,
} as const;

export const alloy = {
  /** loki.write endpoint batch_size default 1MiB (Alloy loki.write reference, rule L2). */
  defaultLokiBatchSizeBytes: 1 * MiB,
} as const;

export const prometheus = {
  /**
   * External labels prometheus-operator puts on every sample a Prometheus sends: prometheus=<namespace>/<name> (the
   * same on every replica) and prometheus_replica=<pod name> (prometheus-operator pkg/prometheus/promcfg.go,
   * defaultPrometheusExternalLabelName / defaultReplicaExternalLabelName, v0.93). Mimir's HA tracker reads these two.
   */
  clusterExternalLabel: PROMETHEUS_OPERATOR_LABELS.cluster,
  replicaExternalLabel: PROMETHEUS_OPERATOR_LABELS.replica,
  /** Prometheus storage docs: 1-2 bytes per sample on disk; we plan with the upper figure. */
  bytesPerSample: 2,
  /** Prometheus remote-write tuning docs: capacity 3-10x max_samples_per_send; default max_samples_per_send 2000. */
  maxSamplesPerSend: PROMETHEUS_MAX_SAMPLES_PER_SEND,
  capacityPerSamplesPerSend: 5,
} as const;

export const s3 = {
  /** S3 lifecycle counts from object creation and rounds to the next midnight UTC (S3 lifecycle docs, rule R2). */
  lifecycleRoundingDays: 1,
  /** A lifecycle configuration holds at most 1,000 rules (S3 user guide, "Lifecycle configuration elements"). */
  maxLifecycleRules: 1000,
} as const;

export const go = {
  /**
   * The longest time.Duration, 2^63-1 ns (about 292 years): Mimir's and Loki's duration flags and Prometheus'
   * model.ParseDuration refuse anything longer ("duration out of range", prometheus/common model/time.go).
   */
  maxDurationMs: Math.floor((2 ** 63 - 1) / 1e6),
} as const;

export const eks = {
  /**
   * Project floor 1.30: from 1.30 on EKS no longer marks gp2 as the default StorageClass (EKS user guide, Kubernetes
   * 1.30 release notes), so the gp3 class created here is the only default.
   */
  minKubernetesMinor: 30,
  /**
   * The newest minor EKS offers (EKS user guide, "Understand the Kubernetes version lifecycle on EKS", which names
   * 1.36 as the newest community minor; 1.35 released on EKS 2026-01-28). Raise it when EKS lists a newer one.
   */
  maxKubernetesMinor: 36,
} as const;
