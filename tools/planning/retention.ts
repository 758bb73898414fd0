/**
 * How long the stack keeps metrics and logs in S3, read from the registered resources: the retention Mimir's
 * compactor and Loki's compactor apply (Helm values as registered), bounded by the S3 lifecycle expiration of
 * the bucket that holds them (tenant prefixes). Per-tenant retention overrides are listed, not apportioned:
 * the workload is not split by tenant.
 */
import {
  bucketViews,
  expirationRules,
  lokiReleases,
  mimirReleases,
  type StackView,
  DAY_MS,
  isUnknown,
} from "../../policies/model";

export interface StoreRetention {
  /** Days objects live: the component's retention, else the lifecycle's, else `undefined` (kept forever). */
  days?: number;
  basis: string;
  tenantOverrides: string[];
}

function lifecycleDays(stack: StackView, role: "mimirBlocks" | "lokiChunks"): number | undefined {
  const bucket = bucketViews(stack).find((b) => b.role === role);
  if (!bucket) return undefined;
  const days: number[] = [];
  for (const lifecycle of bucket.lifecycles) {
    const rules = expirationRules(lifecycle);
    if (isUnknown(rules)) continue;
    days.push(...rules.filter((r) => r.prefix.value !== "").map((r) => r.days.value));
  }
  return days.length > 0 ? Math.max(...days) : undefined;
}

function bounded(
  componentMs: number | undefined,
  lifecycle: number | undefined,
  what: string,
  bucket: string,
): Pick<StoreRetention, "days" | "basis"> {
  const component = componentMs && componentMs > 0 ? componentMs / DAY_MS : undefined;
  if (component !== undefined && (lifecycle === undefined || component <= lifecycle)) {
    return {
      days: component,
      basis: `${what} ${component}d${lifecycle !== undefined ? ` (S3 lifecycle of ${bucket} expires after ${lifecycle}d)` : ""}`,
    };
  }
  if (lifecycle !== undefined)
    return {
      days: lifecycle,
      basis: `S3 lifecycle of ${bucket}: ${lifecycle}d${component !== undefined ? ` (before ${what} ${component}d)` : ` (${what} keeps forever)`}`,
    };
  return { days: undefined, basis: `${what} 0 (forever) and no S3 lifecycle on ${bucket}` };
}

export function metricsRetention(stack: StackView): StoreRetention | undefined {
  const mimir = mimirReleases(stack)[0];
  if (!mimir) return undefined;
  const setting = mimir.duration("limits.compactor_blocks_retention_period");
  const ms = isUnknown(setting) ? undefined : setting.value;
  const tenants = mimir
    .tenantDurations("compactor_blocks_retention_period")
    .flatMap((t) => (isUnknown(t.value) ? [] : [`${t.tenant} ${t.value.value / DAY_MS}d`]));
  return {
    ...bounded(ms, lifecycleDays(stack, "mimirBlocks"), "Mimir compactor_blocks_retention_period", "the blocks bucket"),
    tenantOverrides: tenants,
  };
}

export function logsRetention(stack: StackView): StoreRetention | undefined {
  const loki = lokiReleases(stack)[0];
  if (!loki) return undefined;
  const setting = loki.duration("limits_config.retention_period");
  const enabled = loki.boolean("compactor.retention_enabled");
  const ms = isUnknown(setting) || isUnknown(enabled) || !enabled.value ? undefined : setting.value;
  const overrides = loki.tenantOverrides();
  const tenants =
    overrides && !isUnknown(overrides)
      ? overrides.flatMap(([tenant, node]) => {
          const value = node.get("retention_period").raw();
          return typeof value === "string" ? [`${tenant} ${value}`] : [];
        })
      : [];
  return {
    ...bounded(ms, lifecycleDays(stack, "lokiChunks"), "Loki retention_period", "the chunks bucket"),
    tenantOverrides: tenants,
  };
}
