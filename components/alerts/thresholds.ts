import type { Settings } from "../../settings";
import { parseDuration } from "../../settings/durations";
import * as upstream from "../../settings/upstream";

/** Share of a tenant's ingestion limit at which we warn: enough lead time to raise the limit before data is discarded. */
export const NEAR_LIMIT_SHARE = 0.8;

/** Share of all received samples/lines a tenant may lose before it pages: beyond occasional out-of-order noise. */
export const DISCARD_PAGE_RATIO = 0.01;

/**
 * The distributor's memory limit is working set + Kafka producer buffer + overhead (settings/derive/sizing.ts, rule K11).
 * Page once less than half a producer buffer of headroom is left: the next Kafka back-pressure spike that fills the
 * buffer would cross the limit and get the pod OOM-killed.
 */
export function distributorMemoryPageRatio(settings: Settings): number {
  const d = settings.mimir.sizing.distributor;
  const limitBytes = d.memoryLimitMiB * upstream.bytes.MiB;
  const ratio = 1 - d.producerMaxBufferedBytes / 2 / limitBytes;
  return Math.round(Math.min(0.95, Math.max(0.5, ratio)) * 1000) / 1000;
}

export interface TenantLimit {
  tenant: string;
  limit: number;
}

/** Per-tenant Mimir ingestion rate (samples/s): the stack default plus each tenant's override (settings.mimir). */
export function mimirIngestionLimits(settings: Settings): { defaultLimit: number; overrides: TenantLimit[] } {
  const overrides = Object.entries(settings.mimir.tenantOverrides)
    .filter(([, o]) => o.ingestion_rate !== undefined)
    .map(([tenant, o]) => ({ tenant, limit: o.ingestion_rate! }));
  return { defaultLimit: settings.mimir.limits.ingestion_rate, overrides };
}

/** Per-tenant Loki ingestion rate in bytes/s: ingestion_rate_mb of the stack and each tenant override (settings.loki). */
export function lokiIngestionLimitsBytes(settings: Settings): { defaultLimit: number; overrides: TenantLimit[] } {
  const overrides = Object.entries(settings.loki.tenantOverrides)
    .filter(([, o]) => o.ingestion_rate_mb !== undefined)
    .map(([tenant, o]) => ({ tenant, limit: o.ingestion_rate_mb! * upstream.loki.bytesPerMB }));
  return { defaultLimit: settings.loki.ingestionRateMB * upstream.loki.bytesPerMB, overrides };
}

/**
 * Compaction must keep up with the largest block range (Mimir default 24h, settings.retention.mimir.blockRanges):
 * a compactor without a successful run for that long leaves queries reading uncompacted 2h blocks.
 */
export function compactorStalenessSeconds(settings: Settings): number {
  return Math.max(...settings.retention.mimir.blockRanges.map((r) => parseDuration(r))) / 1000;
}

/**
 * An ingester whose Kafka receive delay reaches half the topic's retention is on its way to reading offsets Kafka
 * already deleted (K9): page while the other half is still there to catch up.
 */
export function kafkaLagDataLossSeconds(settings: Settings): number {
  return Math.floor(settings.retention.kafkaMs / 1000 / 2);
}
