import type { StackConfig } from "./schema";
import { AlloySettings, deriveAlloy } from "./derive/alloy";
import { deriveKafka, KafkaSettings } from "./derive/kafka";
import { deriveDurability, DurabilitySettings } from "./derive/durability";
import { deriveLoki, LokiSettings } from "./derive/loki";
import { derivePrometheus, PrometheusSettings } from "./derive/prometheus";
import { BucketKey, deriveLifecycle, deriveRetention, LifecyclePlan, RetentionSettings } from "./derive/retention";
import { deriveMimirSizing } from "./derive/sizing";
import { spreadsOverZones } from "./derive/zones";
import { deriveMimir, MimirSettings } from "./derive/mimir";
import { deriveTenantOverrides, LokiTenantOverrides } from "./derive/tenants";
import { bucketsOf, gatewayUrl, NAMESPACES, RELEASES, SERVICE_ACCOUNTS } from "./names";

export type { StackConfig, Profile } from "./schema";
export type { BucketKey, LifecyclePlan, RetentionSettings } from "./derive/retention";
export type { KafkaSettings } from "./derive/kafka";
export type { LokiSettings } from "./derive/loki";
export type { MimirSizing, ComponentSize } from "./derive/sizing";
export type { PrometheusSettings } from "./derive/prometheus";
export type { AlloySettings } from "./derive/alloy";
export type { DurabilitySettings } from "./derive/durability";
export type { MimirLimits, MimirSettings, Zone } from "./derive/mimir";
export { mimirLimits } from "./derive/mimir";
export type { LokiTenantOverrides } from "./derive/tenants";
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

/** Every cross-component value, derived once from the config (each part in derive/). Helm values are built from this only. */
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

export function deriveSettings(config: StackConfig): Settings {
  const retention = deriveRetention(config);
  const sizing = deriveMimirSizing(config);
  const tenantOverrides = deriveTenantOverrides(config, retention);
  return {
    profile: config.profile,
    tenants: config.tenants.map((t) => t.id),
    defaultTenant: config.tenants[0].id,
    retention,
    lifecycle: deriveLifecycle(config, retention),
    durability: deriveDurability(config.profile),
    kafka: deriveKafka(config, sizing.ingester.perZone, retention.kafkaMs),
    mimir: deriveMimir(config, retention, sizing, tenantOverrides.mimir),
    loki: {
      ...deriveLoki(config),
      tenantOverrides: tenantOverrides.loki,
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
