import type { StackConfig } from "../schema";
import type { MimirLimits } from "./mimir";
import type { RetentionSettings } from "./retention";

/** Loki limits a tenant overrides (runtime config `overrides.<tenant>`). */
export interface LokiTenantOverrides {
  retention_period?: string;
  ingestion_rate_mb?: number;
  ingestion_burst_size_mb?: number;
}

export interface TenantOverrides {
  mimir: Record<string, Partial<MimirLimits>>;
  loki: Record<string, LokiTenantOverrides>;
}

/** Each tenant's own limits as Mimir's and Loki's runtime overrides; a tenant that overrides nothing is left out. */
export function deriveTenantOverrides(config: StackConfig, retention: RetentionSettings): TenantOverrides {
  const overrides: TenantOverrides = { mimir: {}, loki: {} };
  for (const t of config.tenants) {
    const l = t.limits;
    if (!l) continue;
    const own = retention.tenants[t.id];
    const mimir: Partial<MimirLimits> = {};
    if (l.ingestionRate !== undefined) mimir.ingestion_rate = l.ingestionRate;
    if (l.ingestionBurstSize !== undefined) mimir.ingestion_burst_size = l.ingestionBurstSize;
    if (l.maxGlobalSeries !== undefined) mimir.max_global_series_per_user = l.maxGlobalSeries;
    if (own?.metrics) mimir.compactor_blocks_retention_period = own.metrics;
    if (Object.keys(mimir).length > 0) overrides.mimir[t.id] = mimir;
    const loki: LokiTenantOverrides = {};
    if (own?.logs) loki.retention_period = own.logs;
    if (l.logsIngestionRateMB !== undefined) loki.ingestion_rate_mb = l.logsIngestionRateMB;
    if (l.logsIngestionBurstSizeMB !== undefined) loki.ingestion_burst_size_mb = l.logsIngestionBurstSizeMB;
    if (Object.keys(loki).length > 0) overrides.loki[t.id] = loki;
  }
  return overrides;
}
