// What each tier carries, from the requests its pods are given, by Mimir's capacity-planning figures (and the
// project's Loki assumption), and the headroom against the workload.
import { lokiReleases } from "../../lib/loki";
import { mimirReleases } from "../../lib/mimir";
import { showDuration } from "../../lib/node";
import { StackView } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { known } from "../../lib/unknown";
import { LOKI_SIZING, lokiGBPerDayForIngesterCores, MIMIR_PLANNING } from "./figures";
import { PodGroup } from "./pods";
import { numberAt } from "./values";
import { Workload } from "./workload";

export type TierName = "samples" | "series" | "queries" | "logs";

export interface TierCapacity {
  tier: TierName;
  /** What the tier carries, e.g. "samples per second through distributors". */
  label: string;
  unit: string;
  capacity: number;
  /** The workload's figure for this tier, when the workload is known. */
  load?: number;
  /** (capacity - load) / capacity; negative when the workload exceeds the capacity. */
  headroom?: number;
  /** How the capacity was computed, with the pods it counts. */
  basis: string;
  /** True when the figure rests on a project assumption rather than a published one. */
  inferred: boolean;
}

const GB = 1e9;
const cores = (g: PodGroup) => g.cpuMillis / 1000;

function ofRole(groups: PodGroup[], role: PodGroup["role"]): PodGroup[] {
  return groups.filter((g) => g.role === role && g.replicas > 0);
}

function describe(groups: PodGroup[]): string {
  return groups
    .map(
      (g) =>
        `${g.replicas} x ${g.component} (${(g.cpuMillis / 1000).toFixed(2)} cores, ${(g.memoryBytes / GB).toFixed(2)} GB${g.volumeBytes ? `, ${(g.volumeBytes / GB).toFixed(0)} GB disk` : ""})`,
    )
    .join(" + ");
}

/** Bytes a distributor holds for Kafka besides its working set: producer_max_buffered_bytes x write_clients (rule K11). */
function producerBufferBytes(stack: StackView): number {
  const mimir = mimirReleases(stack)[0];
  if (!mimir) return 0;
  if (!known(mimir.boolean("ingest_storage.enabled")).value) return 0;
  return (
    known(mimir.number("ingest_storage.kafka.producer_max_buffered_bytes")).value *
    known(mimir.number("ingest_storage.kafka.write_clients")).value
  );
}

/**
 * Copies of each sample the distributors receive: one per Prometheus replica when Mimir deduplicates an HA pair
 * (limits.accept_ha_samples). The tracker drops the copies in the distributor, after they were received and decoded.
 */
function haCopies(stack: StackView): number {
  const mimir = mimirReleases(stack)[0];
  if (!mimir || !known(mimir.boolean("limits.accept_ha_samples")).value) return 1;
  const replicas = stack
    .helmReleases(CHARTS.kubePrometheusStack)
    .map((r) => numberAt(r.values.at("prometheus.prometheusSpec.replicas"), 1));
  return Math.max(1, ...replicas);
}

function samplesTier(stack: StackView, groups: PodGroup[]): TierCapacity | undefined {
  const distributors = ofRole(groups, "mimir-distributor");
  if (distributors.length === 0) return undefined;
  const buffer = producerBufferBytes(stack);
  const copies = haCopies(stack);
  const received = distributors.reduce(
    (sum, g) =>
      sum +
      g.replicas *
        Math.max(0, Math.min(cores(g), (g.memoryBytes - buffer) / GB)) *
        MIMIR_PLANNING.distributorSamplesPerSecondPerUnit,
    0,
  );
  const capacity = received / copies;
  return {
    tier: "samples",
    label: "samples per second through distributors",
    unit: "samples/s",
    capacity,
    basis:
      `1 core + 1 GB per ${MIMIR_PLANNING.distributorSamplesPerSecondPerUnit.toLocaleString("en-US")} samples/s (Mimir planning-capacity.md) over ${describe(distributors)}` +
      (buffer ? `, memory less the ${(buffer / 2 ** 20).toFixed(0)} MiB Kafka producer buffer each` : "") +
      (copies > 1
        ? `; each sample arrives ${copies} times (Prometheus HA replicas, deduplicated by Mimir's HA tracker)`
        : ""),
    inferred: false,
  };
}

/**
 * How many times the disk of Mimir's planning figure an ingester needs: the figure is for the default TSDB retention
 * (blocks_storage.tsdb.retention_period 13h, Mimir config descriptor), and an ingester keeps its compacted blocks on
 * disk that long (Mimir docs "About the ingester": blocks are kept until the retention period expires), so a longer
 * retention grows the disk in proportion (INFERRED: the WAL part of the figure does not grow, so this is an upper bound).
 */
function ingesterRetentionFactor(stack: StackView): { factor: number; text: string } {
  const mimir = mimirReleases(stack)[0];
  if (!mimir) return { factor: 1, text: "" };
  const retention = known(mimir.duration("blocks_storage.tsdb.retention_period"));
  const factor = Math.max(1, retention.value / MIMIR_PLANNING.ingesterDiskRetentionMs);
  return factor > 1
    ? { factor, text: `; disk x${factor.toFixed(1)} for ${showDuration(retention)} (the figure is for 13h)` }
    : { factor, text: "" };
}

function seriesTier(stack: StackView, groups: PodGroup[]): TierCapacity | undefined {
  const ingesters = ofRole(groups, "mimir-ingester");
  if (ingesters.length === 0) return undefined;
  const retention = ingesterRetentionFactor(stack);
  const perUnit = (g: PodGroup) =>
    Math.min(
      cores(g),
      g.memoryBytes / GB / MIMIR_PLANNING.ingesterMemoryGBPerUnit,
      g.volumeBytes / GB / (MIMIR_PLANNING.ingesterDiskGBPerUnit * retention.factor),
    ) * MIMIR_PLANNING.ingesterSeriesPerUnit;
  const byZone = new Map<string, number>();
  for (const g of ingesters)
    byZone.set(g.ringZone ?? "ring", (byZone.get(g.ringZone ?? "ring") ?? 0) + g.replicas * perUnit(g));
  // Ingest storage: every zone's ingesters hold every series, so the zone carrying the least bounds the tier.
  const capacity = Math.min(...byZone.values());
  const zones = [...byZone.entries()]
    .map(([zone, series]) => `${zone} ${Math.round(series).toLocaleString("en-US")}`)
    .join(", ");
  return {
    tier: "series",
    label: `active series (in-memory series across ${byZone.size} ingester zone${byZone.size > 1 ? "s" : ""}: each zone holds every series)`,
    unit: "series",
    capacity,
    basis: `1 core + 2.5 GB + 5 GB disk per 300,000 in-memory series (Mimir planning-capacity.md)${retention.text} over ${describe(ingesters)}; per zone: ${zones}`,
    inferred: false,
  };
}

function queriesTier(groups: PodGroup[]): TierCapacity | undefined {
  const parts: Array<{ name: string; groups: PodGroup[]; perUnit: number }> = [
    { name: "queriers", groups: ofRole(groups, "mimir-querier"), perUnit: MIMIR_PLANNING.querierQpsPerUnit },
    {
      name: "store-gateways",
      groups: ofRole(groups, "mimir-store-gateway"),
      perUnit: MIMIR_PLANNING.storeGatewayQpsPerUnit,
    },
    {
      name: "query-frontends",
      groups: ofRole(groups, "mimir-query-frontend"),
      perUnit: MIMIR_PLANNING.queryFrontendQpsPerUnit,
    },
  ].filter((p) => p.groups.length > 0);
  if (parts.length === 0) return undefined;
  const each = parts.map((p) => ({
    ...p,
    qps: p.groups.reduce((sum, g) => sum + g.replicas * Math.min(cores(g), g.memoryBytes / GB) * p.perUnit, 0),
  }));
  const limiting = each.reduce((a, b) => (b.qps < a.qps ? b : a));
  return {
    tier: "queries",
    label: "queries per second (the least of queriers, store-gateways, query-frontends)",
    unit: "queries/s",
    capacity: limiting.qps,
    basis:
      `1 core + 1 GB per 10 QPS (queriers, store-gateways) and per 250 QPS (query-frontends) (Mimir planning-capacity.md): ` +
      each.map((p) => `${p.name} ${p.qps.toFixed(1)}`).join(", ") +
      `; limited by ${limiting.name}`,
    inferred: false,
  };
}

function logsTier(stack: StackView, groups: PodGroup[]): TierCapacity | undefined {
  const ingesters = ofRole(groups, "loki-ingester");
  const loki = lokiReleases(stack)[0];
  if (ingesters.length === 0 || !loki) return undefined;
  const rf = known(loki.replicationFactor()).value;
  const ingesterCores = ingesters.reduce((sum, g) => sum + g.replicas * cores(g), 0);
  return {
    tier: "logs",
    label: "log GB per day (daily average)",
    unit: "GB/day",
    capacity: lokiGBPerDayForIngesterCores(ingesterCores, rf),
    basis:
      `INTERPOLATED from Loki's sizing table (docs setup/size: ${LOKI_SIZING.tiers.map((t) => `${t.components.ingester.replicas * t.components.ingester.cores} ingester cores for ${t.upToGBPerDay.toLocaleString("en-US")} GB/day`).join(", ")}, ` +
      `RF ${LOKI_SIZING.replicationFactor}), linear between the tiers, scaled to replication_factor ${rf}, over ${describe(ingesters)}`,
    inferred: true,
  };
}

const LOAD: Record<TierName, keyof Workload> = {
  samples: "samplesPerSecond",
  series: "activeSeries",
  queries: "queriesPerSecond",
  logs: "logsGBPerDay",
};

export function tierCapacities(stack: StackView, groups: PodGroup[], workload?: Workload): TierCapacity[] {
  const tiers = [
    samplesTier(stack, groups),
    seriesTier(stack, groups),
    queriesTier(groups),
    logsTier(stack, groups),
  ].filter((t): t is TierCapacity => t !== undefined);
  if (!workload) return tiers;
  return tiers.map((t) => {
    const load = workload[LOAD[t.tier]];
    return { ...t, load, headroom: t.capacity > 0 ? (t.capacity - load) / t.capacity : -1 };
  });
}
