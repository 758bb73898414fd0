import type { BucketLifecycleOverrides, StackConfig } from "../schema";
import { days, goDuration, hours, minutes, parseDuration, promDuration } from "../durations";
import * as upstream from "../upstream";

import type { BucketKey } from "../names";
export type { BucketKey } from "../names";

/** Mimir's retention and deletion timings, each as the string Mimir's config expects. */
export interface MimirTimings {
  compactorBlocksRetentionPeriod: string;
  tsdbRetentionPeriod: string;
  queryIngestersWithin: string;
  queryStoreAfter: string;
  deletionDelay: string;
  cleanupInterval: string;
  bucketStoreSyncInterval: string;
  ignoreDeletionMarkDelay: string;
  ignoreDeletionMarkWhileQueryingDelay: string;
  blockRanges: string[];
}

export interface RetentionSettings {
  prometheusLocal: string;
  metrics: string;
  logs: string;
  kafkaMs: number;
  ms: { prometheusLocal: number; metrics: number; logs: number; kafka: number; tsdb: number };
  mimir: MimirTimings;
  loki: { retentionPeriod: string; retentionDeleteDelay: string; rejectOldSamplesMaxAge: string };
  /** Per-tenant retention where a tenant overrides the stack's. */
  tenants: Record<string, { metrics?: string; logs?: string }>;
  /** The same, parsed: the longest retention any tenant keeps (the stack's when no tenant keeps longer). */
  longestMs: { metrics: number; logs: number };
}

/** An S3 expiration: `days` after creation, only under `prefixes` (never the whole bucket). */
export interface Expiration {
  days: number;
  prefixes: string[];
}
export type LifecyclePlan = Record<BucketKey, Expiration | undefined>;

export function deriveRetention(config: StackConfig): RetentionSettings {
  const ms = {
    prometheusLocal: parseDuration(config.retention.prometheusLocal),
    metrics: parseDuration(config.retention.metrics),
    logs: parseDuration(config.retention.logs),
    kafka: parseDuration(config.retention.kafka),
    tsdb: hours(upstream.mimir.tsdbRetentionHours),
  };
  const tenants: RetentionSettings["tenants"] = {};
  const longestMs = { metrics: ms.metrics, logs: ms.logs };
  for (const t of config.tenants) {
    const metrics = t.limits?.metricsRetention ? parseDuration(t.limits.metricsRetention) : undefined;
    const logs = t.limits?.logsRetention ? parseDuration(t.limits.logsRetention) : undefined;
    if (metrics !== undefined) longestMs.metrics = Math.max(longestMs.metrics, metrics);
    if (logs !== undefined) longestMs.logs = Math.max(longestMs.logs, logs);
    if (metrics !== undefined || logs !== undefined) {
      tenants[t.id] = {
        ...(metrics !== undefined ? { metrics: promDuration(metrics) } : {}),
        ...(logs !== undefined ? { logs: promDuration(logs) } : {}),
      };
    }
  }
  return {
    prometheusLocal: promDuration(ms.prometheusLocal),
    metrics: promDuration(ms.metrics),
    logs: promDuration(ms.logs),
    kafkaMs: ms.kafka,
    ms,
    mimir: {
      compactorBlocksRetentionPeriod: promDuration(ms.metrics),
      // tsdb.retention_period is a Go duration: no "d" unit (Mimir config descriptor, fieldType duration).
      tsdbRetentionPeriod: goDuration(ms.tsdb),
      queryIngestersWithin: goDuration(hours(upstream.mimir.queryIngestersWithinHours)),
      queryStoreAfter: goDuration(hours(upstream.mimir.queryStoreAfterHours)),
      deletionDelay: goDuration(hours(upstream.mimir.compactorDeletionDelayHours)),
      cleanupInterval: goDuration(minutes(upstream.mimir.compactorCleanupIntervalMinutes)),
      bucketStoreSyncInterval: goDuration(minutes(upstream.mimir.bucketStoreSyncIntervalMinutes)),
      ignoreDeletionMarkDelay: goDuration(minutes(upstream.mimir.ignoreDeletionMarkDelayMinutes)),
      ignoreDeletionMarkWhileQueryingDelay: goDuration(
        minutes(upstream.mimir.ignoreDeletionMarkWhileQueryingDelayMinutes),
      ),
      blockRanges: upstream.mimir.compactorBlockRangesHours.map((h) => goDuration(hours(h))),
    },
    loki: {
      retentionPeriod: promDuration(ms.logs),
      retentionDeleteDelay: goDuration(hours(upstream.loki.retentionDeleteDelayHours)),
      // R6: accepting samples older than retention would store logs the compactor deletes at once.
      rejectOldSamplesMaxAge: promDuration(Math.min(hours(upstream.loki.defaultRejectOldSamplesMaxAgeHours), ms.logs)),
    },
    tenants,
    longestMs,
  };
}

/**
 * R2: S3 counts from object creation and rounds to midnight UTC, so an expiration must exceed
 * retention + Mimir's deletion delay + cleanup interval by at least one more day.
 */
export function mimirBlocksExpirationDays(retentionMs: number): number {
  const deletable =
    retentionMs +
    hours(upstream.mimir.compactorDeletionDelayHours) +
    minutes(upstream.mimir.compactorCleanupIntervalMinutes);
  return Math.ceil(deletable / days(1)) + upstream.s3.lifecycleRoundingDays;
}

/** R3: Loki's expiration must come after retention_period + retention_delete_delay (Loki retention.md). */
export function lokiChunksExpirationDays(retentionMs: number): number {
  const deletable = retentionMs + hours(upstream.loki.retentionDeleteDelayHours);
  return Math.ceil(deletable / days(1)) + upstream.s3.lifecycleRoundingDays;
}

/**
 * Lifecycle expirations per bucket, scoped to tenant prefixes: blocks under `<tenant>/` (Mimir bucket layout) and
 * chunks under `<tenant>/` (Loki v13 object layout), never `__mimir_cluster/`, `index/` or the delete-request store.
 * Ruler and alertmanager state never expires. The longest retention among tenants sets the days, so no tenant loses
 * data its own retention still covers.
 */
export function deriveLifecycle(config: StackConfig, retention: RetentionSettings): LifecyclePlan {
  const prefixes = config.tenants.map((t) => `${t.id}/`);
  const plan: LifecyclePlan = {
    mimirBlocks: { days: mimirBlocksExpirationDays(retention.longestMs.metrics), prefixes },
    lokiChunks: { days: lokiChunksExpirationDays(retention.longestMs.logs), prefixes },
    mimirRuler: undefined,
    mimirAlertmanager: undefined,
    lokiRuler: undefined,
  };
  return applyLifecycleOverrides(plan, config.overrides.bucketLifecycleDays ?? {}, prefixes);
}

/** The escape hatch: a number replaces the days (same prefixes), null removes the expiration. */
export function applyLifecycleOverrides(
  plan: LifecyclePlan,
  overrides: BucketLifecycleOverrides,
  prefixes: string[],
): LifecyclePlan {
  const result = { ...plan };
  for (const [key, value] of Object.entries(overrides) as [BucketKey, number | null | undefined][]) {
    if (value === undefined) continue;
    result[key] = value === null ? undefined : { days: value, prefixes: plan[key]?.prefixes ?? prefixes };
  }
  return result;
}
