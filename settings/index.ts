import type { StackConfig } from "./schema";
import { AlloySettings, deriveAlloy } from "./derive/alloy";
import { deriveKafka, KafkaSettings } from "./derive/kafka";
import { deriveDurability, DurabilitySettings } from "./derive/durability";
import { deriveLoki, LokiSettings } from "./derive/loki";
import { derivePrometheus, PrometheusSettings } from "./derive/prometheus";
import { BucketKey, deriveLifecycle, deriveRetention, LifecyclePlan, RetentionSettings } from "./derive/retention";
import { deriveMimirSizing, MimirSizing } from "./derive/sizing";
import { mimirZoneAware, spreadsOverZones } from "./derive/zones";
import { bucketsOf, gatewayUrl, NAMESPACES, RELEASES, SERVICE_ACCOUNTS } from "./names";
import * as upstream from "./upstream";

export type { StackConfig, Profile } from "./schema";
export type { BucketKey, LifecyclePlan, RetentionSettings } from "./derive/retention";
export type { KafkaSettings } from "./derive/kafka";
export type { LokiSettings } from "./derive/loki";
export type { MimirSizing, ComponentSize } from "./derive/sizing";
export type { PrometheusSettings } from "./derive/prometheus";
export type { AlloySettings } from "./derive/alloy";
export type { DurabilitySettings } from "./derive/durability";
export { ConfigError, resolveConfig } from "./resolve";
export {
  BUCKET_KEYS,
  BUCKET_OWNERS,
  NAMESPACES,
  RELEASES,
  SERVICE_ACCOUNTS,
  accessLogBucketName,
  bucketName,
  bucketsOf,
  clusterName,
} from "./names";
export type { BucketOwner } from "./names";

/** A zone the stateful components spread over: Mimir's zone name and the index of the AZ that hosts it. */
export interface Zone {
  name: string;
  azIndex: number;
}

export interface MimirLimits {
  ingestion_rate: number;
  ingestion_burst_size: number;
  max_global_series_per_user: number;
  compactor_blocks_retention_period: string;
}

export interface MimirSettings {
  zones: Zone[];
  /** Whether the chart runs one StatefulSet per zone; false below the pinned chart's 3-zone minimum (derive/zones.ts). */
  zoneAware: boolean;
  storeGatewayReplicationFactor: number;
  sizing: MimirSizing;
  producerMaxRecordSizeBytes: number;
  remoteTimeout: string;
  limits: MimirLimits;
  tenantOverrides: Record<string, Partial<MimirLimits>>;
  /** In-cluster write and read URLs through the chart's gateway Service (names.ts gatewayUrl). */
  pushUrl: string;
  queryUrl: string;
}

export interface LokiTenantOverrides {
  retention_period?: string;
  ingestion_rate_mb?: number;
  ingestion_burst_size_mb?: number;
}

/** Every cross-component value, derived once from the config. Helm values are built from this only. */
export interface Settings {
  /**
   * Replicas spread over AWS zones (replication.zones > 1): stateless components get a required zone spread and
   * Prometheus runs as a pair. One decision for Mimir, Loki and Prometheus.
   */
  spreadOverZones: boolean;
  profile: StackConfig["profile"];
  tenants: string[];
  /** The tenant whose id Prometheus, Alloy and Grafana use for this cluster's own telemetry. */
  defaultTenant: string;
  retention: RetentionSettings;
  lifecycle: LifecyclePlan;
  durability: DurabilitySettings;
  kafka: KafkaSettings;
  mimir: MimirSettings;
  loki: LokiSettings & { tenantOverrides: Record<string, LokiTenantOverrides>; pushUrl: string; queryUrl: string };
  prometheus: PrometheusSettings;
  alloy: AlloySettings;
  namespaces: typeof NAMESPACES;
  releases: typeof RELEASES;
  serviceAccounts: typeof SERVICE_ACCOUNTS;
  /** Bucket keys each workload may use (IRSA policies are scoped to exactly these). */
  bucketOwners: Record<"mimir" | "loki", BucketKey[]>;
}

const ZONE_NAMES = ["zone-a", "zone-b", "zone-c"];

export function mimirLimits(config: StackConfig, retention: RetentionSettings): MimirLimits {
  const rate = Math.ceil(config.workload.samplesPerSecond * upstream.mimirCapacity.headroom);
  return {
    ingestion_rate: Math.max(upstream.mimir.defaultIngestionRate, rate),
    // A burst must hold the largest remote-write request; keep Mimir's 20x-rate default shape, at least its default.
    ingestion_burst_size: Math.max(upstream.mimir.defaultIngestionBurstSize, rate * 2),
    max_global_series_per_user: Math.max(
      upstream.mimir.defaultMaxGlobalSeriesPerUser,
      Math.ceil(config.workload.activeSeries * upstream.mimirCapacity.headroom),
    ),
    compactor_blocks_retention_period: retention.mimir.compactorBlocksRetentionPeriod,
  };
}

export function deriveSettings(config: StackConfig): Settings {
  const retention = deriveRetention(config);
  const sizing = deriveMimirSizing(config);
  const zones: Zone[] = ZONE_NAMES.slice(0, config.replication.zones).map((name, azIndex) => ({ name, azIndex }));
  const loki = deriveLoki(config);

  const mimirTenantOverrides: Record<string, Partial<MimirLimits>> = {};
  const lokiTenantOverrides: Record<string, LokiTenantOverrides> = {};
  for (const t of config.tenants) {
    const l = t.limits;
    if (!l) continue;
    const m: Partial<MimirLimits> = {};
    if (l.ingestionRate !== undefined) m.ingestion_rate = l.ingestionRate;
    if (l.ingestionBurstSize !== undefined) m.ingestion_burst_size = l.ingestionBurstSize;
    if (l.maxGlobalSeries !== undefined) m.max_global_series_per_user = l.maxGlobalSeries;
    if (retention.tenants[t.id]?.metrics) m.compactor_blocks_retention_period = retention.tenants[t.id].metrics;
    if (Object.keys(m).length > 0) mimirTenantOverrides[t.id] = m;
    const o: LokiTenantOverrides = {};
    if (retention.tenants[t.id]?.logs) o.retention_period = retention.tenants[t.id].logs;
    if (l.logsIngestionRateMB !== undefined) o.ingestion_rate_mb = l.logsIngestionRateMB;
    if (l.logsIngestionBurstSizeMB !== undefined) o.ingestion_burst_size_mb = l.logsIngestionBurstSizeMB;
    if (Object.keys(o).length > 0) lokiTenantOverrides[t.id] = o;
  }

  return {
    profile: config.profile,
    tenants: config.tenants.map((t) => t.id),
    defaultTenant: config.tenants[0].id,
    retention,
    lifecycle: deriveLifecycle(config, retention),
    durability: deriveDurability(config.profile),
    kafka: deriveKafka(config, sizing.ingester.perZone, retention.kafkaMs),
    mimir: {
      zones,
      zoneAware: mimirZoneAware(zones.length),
      storeGatewayReplicationFactor: config.replication.storeGatewayReplicationFactor,
      sizing,
      producerMaxRecordSizeBytes: upstream.mimir.producerMaxRecordSizeBytes,
      remoteTimeout: upstream.mimir.distributorRemoteTimeout,
      limits: mimirLimits(config, retention),
      tenantOverrides: mimirTenantOverrides,
      pushUrl: `${gatewayUrl(RELEASES.mimir, "mimir", NAMESPACES.mimir)}/api/v1/push`,
      queryUrl: `${gatewayUrl(RELEASES.mimir, "mimir", NAMESPACES.mimir)}/prometheus`,
    },
    loki: {
      ...loki,
      tenantOverrides: lokiTenantOverrides,
      pushUrl: `${gatewayUrl(RELEASES.loki, "loki", NAMESPACES.loki)}/loki/api/v1/push`,
      queryUrl: gatewayUrl(RELEASES.loki, "loki", NAMESPACES.loki),
    },
    spreadOverZones: spreadsOverZones(config.replication.zones),
    prometheus: derivePrometheus(config, retention.ms.prometheusLocal, retention.prometheusLocal),
    alloy: deriveAlloy(),
    namespaces: NAMESPACES,
    releases: RELEASES,
    serviceAccounts: SERVICE_ACCOUNTS,
    bucketOwners: { mimir: bucketsOf("mimir"), loki: bucketsOf("loki") },
  };
}
