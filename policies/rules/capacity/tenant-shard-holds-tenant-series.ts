// C8 (HARD): a tenant's Mimir ingester shuffle shard must hold the tenant's series.
//
// Ingest storage (ingest_storage.enabled, the chart's generated config): the distributor writes a tenant's series
// only to the partitions of its shard, `partitionsRing.ShuffleShard(userID, IngestionPartitionsTenantShardSize(userID))`
// (grafana/mimir pkg/distributor/distributor.go push path), each series to a single partition (Mimir docs, references/
// architecture/components/ingester: "distributors shard incoming series across Kafka partitions, writing each series
// to a single partition ... Each ingester owns a single Kafka partition"); the shard is `size` ACTIVE partitions, all of
// them when the size is 0 or not below the active ones (dskit ring/partition_ring.go ShuffleShard; limits
// ingestion_partitions_tenant_shard_size, flag -ingest-storage.ingestion-partition-tenant-shard-size, default 0 "tenant
// is sharded across all partitions"). A partition is active once an ingester owns it, one per ingester ordinal, so the
// active partitions are the ingesters of one zone (settings/derive/kafka.ts K8; topic partitions beyond stay unused).
// Every zone's ingester of a partition consumes all of it. Pigeonhole: at least one of the S shard partitions gets
// series / S of the tenant's series, and its ingester in every zone holds them (no assumption about the hash spread).
// With ingest storage ingestion_tenant_shard_size is not used on the write path (distributor.go: the ingesters ring is
// sharded only when ingest storage is off or Migration.DistributorSendToIngestersEnabled).
//
// Classic architecture (ingest storage off): the distributor shards the tenant over ingestion_tenant_shard_size
// ingesters (-distributor.ingestion-tenant-shard-size, default 0 = all; "the total size of the shard ... across all
// zones", Mimir pkg/util/validation/limits.go), ceil(size / zones) per zone when zone-aware (dskit ring/shard
// ShuffleShardExpectedInstancesPerZone), and writes each series to ingester.ring.replication_factor (default 3) of
// them: the shard's I instances hold series x min(RF, I) copies, so one holds at least series x min(RF, I) / I.
// Mimir's own jsonnet sizes the shard from the tenant's series the same way (operations/mimir/shuffle-sharding.
// libsonnet: "ceil(((series * 3) * 50%) / 100K)", a shard of 15 for a 1M-series tenant).
//
// An ingester carries what C1 counts for it: 1 core + 2.5 GB + 5 GB disk per 300,000 in-memory series (Mimir
// planning-capacity.md; MIMIR_PLANNING in figures.ts; disk scaled to the TSDB retention as tiers.ts does), from the
// pod model's requests (pods.ts). Judged only where the shard is narrower than the ingesters (else C1 and C5 judge
// the tenant against the whole tier):
//   - the tenant the stack's own remote writes all use (Prometheus / Alloy X-Scope-OrgID, as Q4 reads them) must
//     fit its shard with the declared workload's activeSeries;
//   - every scope (the defaults, each runtimeConfig.overrides tenant) must fit its shard with its
//     max_global_series_per_user: that limit is the guard against one tenant outgrowing its ingesters, and with a
//     shard of S partitions each ingester's local limit is global / S (Mimir pkg/ingester/limiter.go), so the tenant
//     is let in up to it on those few ingesters.
// Past capacity the shard's ingesters run out of memory in every zone at once (each zone holds the same partitions):
// the partition has no live consumer, recent data of every tenant on it is unqueryable, and if the crash loop
// outlasts the Kafka retention the data is lost.
import { formatFigure } from "./analysis";
import { MIMIR_PLANNING } from "./figures";
import { PodGroup, podInventory } from "./pods";
import { readWorkload, Workload, workloadSchema } from "./workload";
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { show, Sourced } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import { isUnknown, known } from "../../lib/unknown";
import { LimitScope, limitScopes, remoteWriteSenders, wholeNumber } from "../limits/common";

interface Config {
  workload?: Workload;
}

const GB = 1e9;
/** ingester.ring.replication_factor default (Mimir config descriptor). */
const DEFAULT_INGESTER_RF = 3;

/** What one ingester pod carries by the planning figures (the least of CPU, memory and disk), in series. */
function ingesterCapacity(stack: StackView, mimir: MimirRelease): { series: number; basis: string } | undefined {
  const groups = podInventory(stack).groups.filter(
    (g) => g.role === "mimir-ingester" && g.ownerUrn === mimir.urn && g.replicas > 0,
  );
  if (groups.length === 0) return undefined;
  // tiers.ts ingesterRetentionFactor: the disk figure is for the default 13h TSDB retention.
  const retention = known(mimir.duration("blocks_storage.tsdb.retention_period"));
  const diskFactor = Math.max(1, retention.value / MIMIR_PLANNING.ingesterDiskRetentionMs);
  const perPod = (g: PodGroup) =>
    Math.min(
      g.cpuMillis / 1000,
      g.memoryBytes / GB / MIMIR_PLANNING.ingesterMemoryGBPerUnit,
      g.volumeBytes / GB / (MIMIR_PLANNING.ingesterDiskGBPerUnit * diskFactor),
    ) * MIMIR_PLANNING.ingesterSeriesPerUnit;
  const weakest = groups.reduce((a, b) => (perPod(b) < perPod(a) ? b : a));
  return {
    series: perPod(weakest),
    basis:
      `${weakest.component}: ${(weakest.cpuMillis / 1000).toFixed(2)} cores, ${(weakest.memoryBytes / GB).toFixed(2)} GB, ` +
      `${(weakest.volumeBytes / GB).toFixed(0)} GB disk (${weakest.requestsFrom}) at 1 core + 2.5 GB + 5 GB disk per 300,000 series (Mimir planning-capacity.md)`,
  };
}

/** How a tenant's series spread: the instances of its shard and the copies they hold between them. */
interface Shard {
  /** Ingesters (or, with ingest storage, partitions = ingesters per zone) the shard uses. */
  instances: number;
  /** Copies of each series across them (1 per zone's partition owner with ingest storage, RF in classic mode). */
  copies: number;
  /** e.g. "1 of 2 partitions". */
  text: string;
}

interface Layout {
  ingest: boolean;
  zones: number;
  perZone: number;
  rf: number;
  where: string;
}

function layout(mimir: MimirRelease, ctx: RuleContext<Config>): Layout | undefined {
  const ingest = mimir.boolean("ingest_storage.enabled");
  const pods = mimir.podsPerZone("ingester");
  if (isUnknown(ingest)) return void ctx.inconclusive(ingest);
  if (isUnknown(pods)) return void ctx.inconclusive(pods);
  const rfSetting = mimir.configured("ingester.ring.replication_factor");
  if (isUnknown(rfSetting)) return void ctx.inconclusive(rfSetting);
  const rf = (rfSetting && wholeNumber(rfSetting.value)) || DEFAULT_INGESTER_RF;
  return { ingest: ingest.value, zones: pods.value.zones, perZone: pods.value.perZone, rf, where: pods.where };
}

/** The shard a size gives, or undefined when it covers every ingester (0, or not below the instances there are). */
function shardOf(size: number, l: Layout): Shard | undefined {
  if (size <= 0) return undefined;
  if (l.ingest) {
    if (size >= l.perZone) return undefined;
    return {
      instances: size,
      copies: 1,
      text: `${size} of the ${l.perZone} active partitions (one per ingester of a zone)`,
    };
  }
  const total = l.zones * l.perZone;
  const instances = l.zones > 1 ? Math.ceil(size / l.zones) * l.zones : size;
  if (instances >= total) return undefined;
  return {
    instances,
    copies: Math.min(l.rf, instances),
    text: `${instances} of the ${total} ingesters, each series on ${Math.min(l.rf, instances)} of them (replication factor ${l.rf})`,
  };
}

interface Scope {
  who: string;
  tenant?: string;
  size: Sourced<number>;
  series?: Sourced<number>;
}

/** The shard size and series limit of the defaults and of every tenant the runtime overrides name. */
function scopes(mimir: MimirRelease, key: string, ctx: RuleContext<Config>): Scope[] | undefined {
  const sizes = limitScopes(mimir, `limits.${key}`, { value: 0, where: `Mimir default limits.${key}` });
  const limits = limitScopes(mimir, "limits.max_global_series_per_user");
  if (isUnknown(sizes)) return void ctx.inconclusive(sizes);
  if (isUnknown(limits)) return void ctx.inconclusive(limits);
  const number = (scope: LimitScope | undefined): Sourced<number> | undefined => {
    const found = scope?.value;
    if (found === undefined) return undefined;
    if (isUnknown(found)) return void ctx.inconclusive(found);
    const value = wholeNumber(found.value);
    return value === undefined ? undefined : { value, where: found.where };
  };
  const result: Scope[] = [];
  sizes.forEach((scope, i) => {
    const limit = limits[i];
    // A tenant that sets neither key is the defaults' case, judged once as the defaults.
    if (scope.tenant !== undefined && scope.inherited && limit?.inherited) return;
    const size = number(scope);
    if (size === undefined) return;
    result.push({ who: scope.who, tenant: scope.tenant, size, series: number(limit) });
  });
  return result;
}

/** The tenant all of the stack's own metrics are written as, if there is exactly one and every sender names it. */
function stackTenant(stack: StackView, ctx: RuleContext<Config>): { tenant: string; senders: string } | undefined {
  const senders = remoteWriteSenders(stack, ctx as RuleContext<object>);
  if (senders.length === 0 || senders.some((s) => s.tenant === undefined)) return undefined;
  const tenants = new Set(senders.map((s) => s.tenant));
  if (tenants.size !== 1) return undefined;
  return { tenant: senders[0].tenant as string, senders: senders.map((s) => s.label).join(", ") };
}

export const tenantShardHoldsTenantSeries = stackRule<Config>(
  {
    name: "tenant-shard-holds-tenant-series",
    rule: "C8",
    description:
      "A Mimir tenant's shuffle shard (ingestion_partitions_tenant_shard_size with ingest storage, ingestion_tenant_shard_size in classic mode; defaults and runtime overrides) must hold its series: the declared workload for the tenant the stack writes as, and max_global_series_per_user for every tenant, within what each shard ingester carries by Mimir's planning figures",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise the tenant's shard size (runtimeConfig.overrides.<tenant>.ingestion_partitions_tenant_shard_size, or 0 for all partitions), lower its max_global_series_per_user to what the shard holds, or give the ingesters more CPU, memory and disk.",
    url: "https://grafana.com/docs/mimir/latest/configure/configure-shuffle-sharding/ (ingesters); grafana/mimir pkg/distributor/distributor.go (partitionsRing.ShuffleShard); planning-capacity.md",
    tags: ["capacity", "mimir", "shuffle-sharding"],
    configSchema: { properties: { workload: workloadSchema } },
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const l = layout(mimir, ctx);
      if (!l) continue;
      const key = l.ingest ? "ingestion_partitions_tenant_shard_size" : "ingestion_tenant_shard_size";
      const all = scopes(mimir, key, ctx);
      if (!all) continue;
      const sharded = all.map((scope) => ({ scope, shard: shardOf(scope.size.value, l) }));
      if (sharded.every((s) => !s.shard)) continue;
      const capacity = ingesterCapacity(stack, mimir);
      if (!capacity || capacity.series <= 0) continue;
      const declared = readWorkload(stack, ctx.config.workload);
      const own = declared ? stackTenant(stack, ctx) : undefined;

      for (const { scope, shard } of sharded) {
        if (!shard) continue;
        const each = (series: number) => (series * shard.copies) / shard.instances;
        // The stack's tenant is its own scope when the overrides name it, else one of the defaults' tenants.
        const writesAll =
          own !== undefined &&
          (scope.tenant === own.tenant || (scope.tenant === undefined && !all.some((s) => s.tenant === own.tenant)));
        const what =
          writesAll && own && declared && each(declared.workload.activeSeries) > capacity.series
            ? {
                series: declared.workload.activeSeries,
                text: `${declared.where}.activeSeries=${formatFigure(declared.workload.activeSeries)}, all written as tenant ${JSON.stringify(own.tenant)} (${own.senders})`,
                fix: "",
              }
            : scope.series && each(scope.series.value) > capacity.series
              ? {
                  series: scope.series.value,
                  text: `${show(scope.series)}, the series Mimir lets ${scope.who} keep`,
                  fix: ` or lower max_global_series_per_user to ${formatFigure(Math.floor((capacity.series * shard.instances) / shard.copies))}`,
                }
              : undefined;
        if (!what) continue;
        const need = each(what.series);
        // The smallest size whose shard holds it: S partitions hold series / S each; I >= RF ingesters hold series x RF / I.
        const minimum = Math.ceil((what.series * (l.ingest ? 1 : l.rf)) / capacity.series);
        const available = l.ingest ? l.perZone : l.zones * l.perZone;
        const size = minimum < available ? `at least ${minimum} (or 0 for all)` : "0 (all)";
        const consequence = l.ingest
          ? "The shard's ingesters run out of memory in every zone at once: their partitions have no live consumer, recent data of every tenant on them " +
            "cannot be queried, and data is lost if the crash loop outlasts the Kafka retention."
          : "The shard's ingesters run out of memory and are OOM-killed together: the tenant's writes lose their quorum and are refused, and every " +
            "tenant sharing those ingesters loses writes too.";
        ctx.violation(
          `${show(scope.size)} puts ${scope.who} on ${shard.text} (${l.where}), so one ingester${l.ingest ? " in every zone" : ""} holds at least ` +
            `${formatFigure(need)} of its series: ${what.text}. Each ingester carries ${formatFigure(capacity.series)} series (${capacity.basis}). ` +
            `${consequence} Fix: raise ${key} for ${scope.who} to ${size}${what.fix}, or give the ingesters more CPU, memory and disk.`,
          mimir.urn,
        );
      }
    }
  },
);
