// C7 (HARD at write time): the stack's own senders write its declared workload as known tenants: Prometheus
// remote_write with its X-Scope-OrgID header, Alloy's prometheus.remote_write with its header and Alloy's loki.write
// with its tenant_id. A tenant that receives all of one signal must be allowed that signal's traffic, else the
// distributors refuse the excess with 429 and the senders drop it after their retries (data loss):
// - Mimir: the per-tenant ingestion_rate token bucket (ingestion_burst_size its bucket size) is taken in
//   prePushValidationMiddleware, after prePushHaDedupeMiddleware has dropped the non-elected replica's samples
//   (grafana/mimir pkg/distributor/distributor.go wrapPushWithMiddlewares: limits, metrics, HA dedupe, relabel,
//   sort/filter, validation (ingestionRateLimiter.AllowN)), so a deduplicated HA pair counts once: the limit must
//   hold one replica's samples, the workload's samplesPerSecond (M12 judges the deduplication itself) or, when the
//   Prometheus scrape interval is shorter than the workload assumes, activeSeries / scrapeInterval
//   (workload.ts effectiveSamplesPerSecond).
//   max_global_series_per_user caps the tenant's in-memory series (Mimir configuration reference, limits): past it
//   the ingesters refuse new series ("per-user series limit").
// - Loki: ingestion_rate_mb / ingestion_burst_size_mb per tenant (Loki configuration reference, limits_config); Loki's
//   MB is 2^20 bytes (grafana/loki pkg/validation/limits.go bytesInMB); above it Loki answers 429 "Ingestion rate limit
//   exceeded" and loki.write drops the batch after max_backoff_retries (Alloy reference, loki.write).
// - Mimir's request_rate / request_burst_size (0: off) limit push requests per second, before any deduplication
//   (limits middleware first; pkg/distributor/rate_strategy.go requestRateStrategy: with a rate set, Burst is
//   request_burst_size, and a burst of 0 admits no request). Each remote-write request carries at most
//   max_samples_per_send samples, so the senders make at least samplesPerSecond / max_samples_per_send requests a second.
// A burst below one second of the traffic: INFERRED (token-bucket arithmetic, golang.org/x/time/rate): the bucket
// then cannot absorb the second-to-second variation of remote-write shards and loki.write batches at the average
// rate; the program sets burst = 2 x rate (settings/derive/mimir.ts, loki.ts).
// When one signal's senders write as different tenants, how the workload splits between them is unknown: no tenant
// is judged for that signal. A tenant not literal in the config (an expression, an env var) is not judged either.
import { LokiRelease, lokiReleases } from "../../lib/loki";
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { PolicyInputError, PropNode, show } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { Inconclusive, isUnknown, known } from "../../lib/unknown";
import { StackView } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { nodeGroups } from "./nodes";
import { podInventory } from "./pods";
import { logTenants, metricTenants, SenderTenants } from "../wiring/endpoints";
import { formatFigure } from "./analysis";
import { remoteWriteSenders } from "../limits/common";
import { effectiveSamplesPerSecond, readWorkload, Workload, workloadSchema } from "./workload";

interface Config {
  workload?: Workload;
}

/** Loki's MB in limits (grafana/loki pkg/validation/limits.go bytesInMB = 1 << 20). */
const LOKI_MB = 1 << 20;

/** The one tenant receiving all of a signal, or undefined (no sender, several tenants, a non-literal tenant). */
function soleTenant(found: SenderTenants): { tenant: string; senders: string } | undefined {
  if (!found || found.size !== 1) return undefined;
  const [[tenant, senders]] = [...found];
  return { tenant, senders: senders.join(", ") };
}

/**
 * The streams the stack's own pods make, at least: when Alloy labels each log stream with its pod (a relabel rule
 * from __meta_kubernetes_pod_name to target_label "pod", as the program's config does), every running pod is a
 * stream of its own, or several (one per container). DaemonSet pods count once per node at the node groups'
 * desiredSize. Loki refuses a tenant's streams past max_global_streams_per_user (enforced per ingester as
 * global / ingesters x replication factor, pkg/ingester/limiter.go; every stream reaches RF ingesters, so the stack's
 * streams may not exceed the global limit) with 429 (pkg/ingester/instance.go StreamLimitErrorMsg).
 */
function podStreams(stack: StackView): { count: number; how: string } | undefined {
  const labelsPods = stack.helmReleases(CHARTS.alloy).some((alloy) => {
    const content = known(alloy.values.at("alloy.configMap.content").string()) ?? "";
    return /source_labels\s*=\s*\[\s*"__meta_kubernetes_pod_name"\s*\][^}]*target_label\s*=\s*"pod"/.test(content);
  });
  if (!labelsPods) return undefined;
  let inventory;
  try {
    inventory = podInventory(stack);
  } catch (error) {
    if (error instanceof PolicyInputError || error instanceof Inconclusive) return undefined;
    throw error;
  }
  const nodes = nodeGroups(stack).reduce((sum, g) => sum + g.desiredSize, 0);
  const count = inventory.groups.reduce(
    (sum, g) => sum + (g.placement.kind === "daemonset" ? g.replicas * nodes : g.replicas),
    0,
  );
  return {
    count,
    how: `one per pod the stack itself runs (Alloy labels streams by pod; DaemonSets on ${nodes} nodes at desiredSize)`,
  };
}

interface Limit {
  value: number;
  where: string;
}

/** A tenant's override (runtime config) wins over the default for that tenant (Mimir and Loki runtime config docs). */
function tenantLimit(
  overrides: PropNode | undefined,
  key: string,
  fallback: () => Limit | undefined,
): Limit | undefined | "unknown" {
  const node = overrides?.get(key);
  const raw = node?.raw();
  if (isUnknown(raw)) return "unknown";
  if (node && raw !== undefined && raw !== null) {
    const value = typeof raw === "string" && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    if (typeof value === "number") return { value, where: `${node.where}=${value}` };
    return undefined;
  }
  return fallback();
}

function sourced(
  ctx: RuleContext<Config>,
  value: ReturnType<MimirRelease["number"]> | ReturnType<LokiRelease["number"]>,
): Limit | undefined {
  if (isUnknown(value)) return void ctx.inconclusive(value);
  return { value: value.value, where: show(value) };
}

export const tenantLimitsHoldStackTraffic = stackRule<Config>(
  {
    name: "tenant-limits-hold-stack-traffic",
    rule: "C7",
    description:
      "The tenant the stack's own senders write all of a signal as (Prometheus/Alloy remote write, Alloy loki.write) must be allowed the declared workload: Mimir ingestion_rate, ingestion_burst_size, max_global_series_per_user, request_rate (push requests), Loki ingestion_rate_mb and ingestion_burst_size_mb",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Raise the tenant's limit (tenants[].limits, or mimir limits / runtimeConfig.overrides.<tenant>, loki limits_config / runtimeConfig.overrides.<tenant>) to at least the workload, or correct the workload (config key workload).",
    url: "https://grafana.com/docs/mimir/latest/references/configuration-parameters/#limits; https://grafana.com/docs/loki/latest/configure/#limits_config",
    tags: ["capacity", "mimir", "loki"],
    configSchema: { properties: { workload: workloadSchema } },
  },
  (stack, ctx) => {
    const declared = readWorkload(stack, ctx.config.workload);
    if (!declared) return;
    const { workload, where } = declared;
    // What the stack's Prometheus actually sends: a scrape interval shorter than the workload assumes raises it.
    const samples = effectiveSamplesPerSecond(stack, declared);
    const report = (limit: Limit, tenant: { tenant: string; senders: string }, need: string, urn: string) =>
      ctx.violation(
        `${limit.where} for tenant ${JSON.stringify(tenant.tenant)}, which receives all of the stack's own ${need} (${tenant.senders}): ` +
          `writes above the limit get 429 and the senders drop them after their retries (data loss). ` +
          `Fix: raise the tenant's limit to at least the workload or correct the workload.`,
        urn,
      );

    const mimir = mimirReleases(stack)[0];
    const metrics = mimir ? soleTenant(metricTenants(stack, ctx)) : undefined;
    if (mimir && metrics) {
      const overrides = mimir.release.values.get("runtimeConfig").get("overrides").get(metrics.tenant);
      const checks: Array<[string, number, string]> = [
        ["ingestion_rate", samples.value, samples.what],
        [
          "ingestion_burst_size",
          samples.value,
          `one second of ${samples.what} (INFERRED: a smaller bucket cannot absorb the senders' bursts)`,
        ],
        [
          "max_global_series_per_user",
          workload.activeSeries,
          `${where}.activeSeries=${formatFigure(workload.activeSeries)} series`,
        ],
      ];
      for (const [key, need, what] of checks) {
        const limit = tenantLimit(overrides, key, () => sourced(ctx, mimir.number(`limits.${key}`)));
        if (limit === "unknown" || limit === undefined) continue;
        if (limit.value < need) report(limit, metrics, `metrics, ${what}`, mimir.urn);
      }
    }

    if (mimir && metrics) {
      const overrides = mimir.release.values.get("runtimeConfig").get("overrides").get(metrics.tenant);
      const perSend = remoteWriteSenders(stack, ctx)
        .filter((s) => s.tenant === metrics.tenant)
        .reduce((max, s) => (s.perSend > max.perSend ? s : max), { perSend: 0, perSendWhere: "" });
      const rate = tenantLimit(overrides, "request_rate", () => sourced(ctx, mimir.number("limits.request_rate")));
      const burst = tenantLimit(overrides, "request_burst_size", () =>
        sourced(ctx, mimir.number("limits.request_burst_size")),
      );
      if (perSend.perSend > 0 && rate !== "unknown" && rate !== undefined && rate.value > 0) {
        const need = samples.value / perSend.perSend;
        const what = `metrics, at least ${Math.ceil(need)} push requests/s (${samples.what} / ${perSend.perSendWhere})`;
        if (rate.value < need) report(rate, metrics, what, mimir.urn);
        else if (burst !== "unknown" && burst !== undefined && burst.value < 1) report(burst, metrics, what, mimir.urn);
      }
    }

    const loki = lokiReleases(stack)[0];
    const logs = loki ? soleTenant(logTenants(stack, ctx)) : undefined;
    if (loki && logs) {
      const tenants = loki.tenantOverrides();
      if (isUnknown(tenants)) return void ctx.inconclusive(tenants);
      const overrides = (tenants ?? []).find(([name]) => name === logs.tenant)?.[1];
      const mbps = (workload.logsGBPerDay * 1e9) / 86_400 / LOKI_MB;
      const what = `logs, ${where}.logsGBPerDay=${formatFigure(workload.logsGBPerDay)} = ${mbps.toFixed(2)} MB/s (Loki MB = 2^20 bytes)`;
      for (const key of ["ingestion_rate_mb", "ingestion_burst_size_mb"]) {
        const limit = tenantLimit(overrides, key, () => sourced(ctx, loki.number(`limits_config.${key}`)));
        if (limit === "unknown" || limit === undefined) continue;
        if (limit.value < mbps) report(limit, logs, what, loki.urn);
      }
      const pods = podStreams(stack);
      if (pods) {
        const limit = tenantLimit(overrides, "max_global_streams_per_user", () =>
          sourced(ctx, loki.number("limits_config.max_global_streams_per_user")),
        );
        if (limit !== "unknown" && limit !== undefined && limit.value > 0 && limit.value < pods.count)
          report(limit, logs, `logs: at least ${pods.count} streams, ${pods.how}`, loki.urn);
      }
    }
  },
);
