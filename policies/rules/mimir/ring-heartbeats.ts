// M18, continued: every hash ring's heartbeat timeout must exceed its heartbeat period.
// - dskit ring/model.go InstanceDesc.IsHeartbeatHealthy: `if heartbeatTimeout == 0 { return true }; return
//   now.Sub(time.Unix(i.Timestamp, 0)) <= heartbeatTimeout` (the timestamp is in whole seconds). Readers of the ring
//   (replication_strategy.go, ring.go Get / GetReplicationSetForOperation) skip instances that are not
//   heartbeat-healthy, and InstanceDesc.IsReady ("instance %s past heartbeat timeout") gates the lifecycler's
//   readiness. A timeout at or below the period makes every instance unhealthy between two heartbeats; a period of 0
//   ("0 = disabled", dskit ring/lifecycler.go and basic_lifecycler.go) stops heartbeats, so instances turn unhealthy
//   for good once the timeout passes. A timeout of 0 never expires and is not judged.
// - Mimir reads each ring's pair as the release renders it (lib/mimir.ts: flags, structuredConfig, the chart's
//   mimir.config heartbeats, Mimir's 15s / 1m). Loki (v3.7.6 pkg/loki/config_wrapper.go applyDynamicRingConfigs):
//   a common.ring that differs from the defaults is copied into every ring (applyConfigToRings, mergeWithExisting),
//   then the file is parsed again so a ring's own keys win; without it each ring keeps its own default.
import { formatDuration, parseDurationMs } from "../../lib/duration";
import { LokiRelease, lokiReleases } from "../../lib/loki";
import { mimirReleases } from "../../lib/mimir";
import { Sourced } from "../../lib/node";
import { RuleContext } from "../../lib/policy";
import { ReleaseConfig } from "../../lib/release-config";
import { isUnknown } from "../../lib/unknown";

interface Ring {
  /** What the ring is, for the message. */
  name: string;
  period: string;
  timeout: string;
  /** What unhealthy instances of this ring break. */
  effect: string;
}

const WRITE_PATH =
  "distributors skip them and cannot reach the replicas a push needs (writes fail), queriers skip them (queries fail), and the readiness check flaps, so rollouts stall";

const MIMIR_RINGS: Ring[] = [
  {
    name: "Mimir ingester ring",
    period: "ingester.ring.heartbeat_period",
    timeout: "ingester.ring.heartbeat_timeout",
    effect:
      "queriers and rulers skip unhealthy partition owners (queries of recent data fail whenever all owners of a partition are between heartbeats) and the ingesters' readiness check flaps, so zone-by-zone rollouts stall",
  },
  {
    name: "Mimir distributor ring",
    period: "distributor.ring.heartbeat_period",
    timeout: "distributor.ring.heartbeat_timeout",
    effect:
      "the distributors count fewer healthy peers, so the global ingestion rate limits are split among too few and over-admit or under-admit, and the HA tracker's and readiness checks flap",
  },
  {
    name: "Mimir store-gateway ring",
    period: "store_gateway.sharding_ring.heartbeat_period",
    timeout: "store_gateway.sharding_ring.heartbeat_timeout",
    effect:
      "queriers find no healthy store-gateway for blocks whose owners are between heartbeats (queries of older data fail) and store-gateways reshuffle blocks continually",
  },
  {
    name: "Mimir compactor ring",
    period: "compactor.sharding_ring.heartbeat_period",
    timeout: "compactor.sharding_ring.heartbeat_timeout",
    effect: "tenants' compaction jobs move between compactors or are owned by none, so blocks pile up uncompacted",
  },
  {
    name: "Mimir ruler ring",
    period: "ruler.ring.heartbeat_period",
    timeout: "ruler.ring.heartbeat_timeout",
    effect: "rule groups are owned by no healthy ruler part of the time, so evaluations are skipped",
  },
  {
    name: "Mimir alertmanager ring",
    period: "alertmanager.sharding_ring.heartbeat_period",
    timeout: "alertmanager.sharding_ring.heartbeat_timeout",
    effect: "tenants' alertmanagers move between replicas and notifications are lost or duplicated",
  },
  {
    name: "Mimir query-scheduler ring",
    period: "query_scheduler.ring.heartbeat_period",
    timeout: "query_scheduler.ring.heartbeat_timeout",
    effect: "with ring service discovery, query-frontends and queriers lose their schedulers, so queries fail",
  },
  {
    name: "Mimir overrides-exporter ring",
    period: "overrides_exporter.ring.heartbeat_period",
    timeout: "overrides_exporter.ring.heartbeat_timeout",
    effect: "no overrides-exporter is the healthy leader part of the time, so limit metrics have gaps",
  },
];

const LOKI_RINGS: Ring[] = [
  {
    name: "Loki ingester ring",
    period: "ingester.lifecycler.heartbeat_period",
    timeout: "ingester.lifecycler.ring.heartbeat_timeout",
    effect: `${WRITE_PATH} (distributors need a quorum of each stream's replicas: "at least 2 live replicas required")`,
  },
  {
    name: "Loki pattern-ingester ring",
    period: "pattern_ingester.lifecycler.heartbeat_period",
    timeout: "pattern_ingester.lifecycler.ring.heartbeat_timeout",
    effect: "distributors skip pattern ingesters between heartbeats, so pattern pushes and queries fail",
  },
  {
    name: "Loki distributor ring",
    period: "distributor.ring.heartbeat_period",
    timeout: "distributor.ring.heartbeat_timeout",
    effect:
      "the distributors count fewer healthy peers, so the global ingestion rate limit is split among too few and the rate limits misfire",
  },
  {
    name: "Loki ruler ring",
    period: "ruler.ring.heartbeat_period",
    timeout: "ruler.ring.heartbeat_timeout",
    effect: "rule groups are owned by no healthy ruler part of the time, so evaluations are skipped",
  },
  {
    name: "Loki compactor ring",
    period: "compactor.compactor_ring.heartbeat_period",
    timeout: "compactor.compactor_ring.heartbeat_timeout",
    effect: "no compactor is the healthy owner part of the time, so compaction, retention and deletes stall",
  },
  {
    name: "Loki query-scheduler ring",
    period: "query_scheduler.scheduler_ring.heartbeat_period",
    timeout: "query_scheduler.scheduler_ring.heartbeat_timeout",
    effect: "with the scheduler ring in use, query-frontends and queriers lose their schedulers, so queries fail",
  },
  {
    name: "Loki index-gateway ring",
    period: "index_gateway.ring.heartbeat_period",
    timeout: "index_gateway.ring.heartbeat_timeout",
    effect: "in ring mode, queriers find no healthy index gateway for a tenant part of the time, so reads fail",
  },
];

/** Loki's common.ring as rendered (structuredConfig or loki.commonConfig.ring); undefined when unknown. */
function lokiCommonRingSet(ctx: RuleContext<object>, loki: LokiRelease): boolean | undefined {
  const common = loki.setting("common.ring");
  if (common !== undefined && isUnknown(common)) {
    ctx.inconclusive(common);
    return undefined;
  }
  return common !== undefined && common.value !== null && typeof common.value === "object";
}

/** The value a ring key takes: its own setting, else (Loki) the common ring's, else its default. */
function ringSetting(
  release: ReleaseConfig,
  key: string,
  commonKey: string | undefined,
): ReturnType<ReleaseConfig["setting"]> {
  const own = release.setting(key);
  if (own === undefined || isUnknown(own) || commonKey === undefined) return own;
  if (!own.where.startsWith("Loki default")) return own;
  return release.setting(commonKey) ?? own;
}

function durationOf(
  ctx: RuleContext<object>,
  found: ReturnType<ReleaseConfig["setting"]>,
): Sourced<number> | undefined {
  if (found === undefined) return undefined;
  if (isUnknown(found)) {
    ctx.inconclusive(found);
    return undefined;
  }
  const text = typeof found.value === "number" ? `${found.value}ns` : String(found.value);
  // A bare 0 is a valid Go duration; other malformed values are another rule's concern (start-up parse).
  const ms = text.trim() === "0" ? 0 : parseDurationMs(text.trim(), "go");
  if (ms === undefined) return undefined;
  return { value: ms, where: found.where, text };
}

function judge(ctx: RuleContext<object>, release: ReleaseConfig, rings: Ring[], commonSet: boolean): void {
  for (const ring of rings) {
    const commonPrefix = commonSet ? "common.ring." : undefined;
    const period = durationOf(
      ctx,
      ringSetting(release, ring.period, commonPrefix && `${commonPrefix}heartbeat_period`),
    );
    const timeout = durationOf(
      ctx,
      ringSetting(release, ring.timeout, commonPrefix && `${commonPrefix}heartbeat_timeout`),
    );
    if (period === undefined || timeout === undefined) continue;
    if (timeout.value === 0) continue;
    const shown = (s: Sourced<number>) =>
      `${s.where.startsWith(release.label) ? s.where : `${release.label} ${s.where}`}=${s.text}`;
    if (period.value === 0) {
      ctx.violation(
        `${ring.name}: ${shown(period)} disables heartbeats while ${shown(timeout)} still expires them: ` +
          `every instance turns unhealthy ${formatDuration(timeout.value)} after it registers (dskit IsHeartbeatHealthy) and stays so; ${ring.effect}. ` +
          `Fix: remove the heartbeat_period override (or set heartbeat_timeout to 0 to never expire).`,
        release.urn,
      );
    } else if (timeout.value <= period.value) {
      ctx.violation(
        `${ring.name}: ${shown(timeout)} is not longer than ${shown(period)}: ` +
          `an instance's ring heartbeat (whole seconds) is older than the timeout for part of every period, so dskit ` +
          `InstanceDesc.IsHeartbeatHealthy reports it unhealthy between heartbeats; ${ring.effect}. ` +
          `Fix: keep heartbeat_timeout several heartbeat periods long (Mimir and Loki default 1m over a 5-15s period; the Mimir chart 4-10m over 1-2m), or remove the override.`,
        release.urn,
      );
    }
  }
}

/** Judges every Mimir and Loki ring's heartbeat timeout against its period. */
export function ringHeartbeats(stack: Parameters<typeof mimirReleases>[0], ctx: RuleContext<object>): void {
  for (const mimir of mimirReleases(stack)) judge(ctx, mimir, MIMIR_RINGS, false);
  for (const loki of lokiReleases(stack)) {
    const commonSet = lokiCommonRingSet(ctx, loki);
    if (commonSet === undefined) continue;
    judge(ctx, loki, LOKI_RINGS, commonSet);
  }
}
