import type { StackConfig } from "../schema";
import * as upstream from "../upstream";
import type { ComponentSize } from "./sizing";
import { minReplicas } from "./sizing";
import { roundUpTo } from "./quantities";
import { lokiZoneAware } from "./zones";
import { LokiSizingTier, lokiTierCores, lokiTierFor } from "../../policies/rules/capacity/figures";

export type LokiDeploymentMode = "Monolithic" | "Distributed";

export interface LokiSettings {
  /** Monolithic in dev (one binary), Distributed elsewhere (SimpleScalable is deprecated in chart 18, charts.md). */
  deploymentMode: LokiDeploymentMode;
  replicationFactor: number;
  /** Per-tenant ingestion limits (limits_config), MB. */
  ingestionRateMB: number;
  ingestionBurstSizeMB: number;
  /** Pods that hold replicas of a stream: singleBinary in Monolithic, ingesters in Distributed (L1: >= RF). */
  sizes: {
    singleBinary?: ComponentSize;
    distributor?: ComponentSize;
    ingester?: ComponentSize;
    querier?: ComponentSize;
    queryFrontend?: ComponentSize;
    queryScheduler?: ComponentSize;
    indexGateway?: ComponentSize;
    compactor?: ComponentSize;
    gateway: ComponentSize;
  };
  /**
   * Ingesters run as the chart's three zone StatefulSets (derive/zones.ts). When true, sizes.ingester.replicas is a
   * multiple of three: the chart runs ceil(replicas / 3) per zone (templates/ingester/_helpers.tpl
   * `loki.ingester.replicaCount`), so the declared count is the count that runs.
   */
  ingesterZoneAware: boolean;
  /** memcached chunks cache (chunksCache.allocatedMemory, MB); absent in Monolithic mode, which caches in process. */
  chunksCacheMB?: number;
  /** Alloy's loki.write batch, kept below the tenant burst (L2). */
  alloyBatchSizeBytes: number;
  /**
   * ingester.wal.replay_memory_ceiling in Loki's MB (2^20 bytes) for the pods that run the ingester (singleBinary in
   * Monolithic mode, ingester in Distributed): below their memory limit, so a replay flushes before an OOM kill (L9).
   */
  walReplayMemoryCeilingMB: number;
}

/** Project assumption: peaks run at twice the daily average; then the planning doc's 50% headroom. */
export const LOG_PEAK_FACTOR = 2;
/**
 * Loki's components from its sizing table (policies/rules/capacity/figures.ts LOKI_SIZING), INTERPOLATED: a
 * component's total cores scale linearly with the ingest rate between the table's tiers and are split over its
 * replicas; replicas are the tier's share of its replicas, at least the HA floor; per-pod memory is the tier's
 * (memory is held per pod: WAL, streams, caches), except the compactor's, which follows its share of the index.
 * The ingest rate sized for is the daily average x the peak factor x the planning headroom.
 */
function tableSize(
  component: keyof LokiSizingTier["components"],
  sizedGBPerDay: number,
  minimum: { replicas: number; cpuMillis: number; memoryMiB?: number },
  diskGiB?: number,
): ComponentSize {
  const tier = lokiTierFor(sizedGBPerDay).components[component];
  const share = sizedGBPerDay / lokiTierFor(sizedGBPerDay).upToGBPerDay;
  const replicas = Math.max(minimum.replicas, Math.ceil(tier.replicas * Math.min(1, share)));
  const cpuMillis = Math.max(
    minimum.cpuMillis,
    roundUpTo(Math.round((lokiTierCores(component, sizedGBPerDay) * 1000) / replicas), 50),
  );
  const tableMiB = tier.memoryGiB * 1024;
  const memoryMiB =
    component === "compactor"
      ? Math.max(minimum.memoryMiB ?? 1024, roundUpTo(tableMiB * Math.min(1, share), 128))
      : Math.max(minimum.memoryMiB ?? 0, tableMiB);
  return size(replicas, cpuMillis, memoryMiB, diskGiB);
}

/** Average ingest rate in MB/s from GB per day (the workload's decimal GB; sizing figures, not Loki limits). */
export const averageMBps = (gbPerDay: number): number => (gbPerDay * 1000) / 86_400;

/** Tenant limits in Loki's MB (2^20 bytes, upstream.loki.bytesPerMB) from the workload's decimal GB per day. */
export function ingestionLimits(gbPerDay: number): { rateMB: number; burstMB: number } {
  const peakBytesPerSecond = averageMBps(gbPerDay) * 1e6 * LOG_PEAK_FACTOR * upstream.mimirCapacity.headroom;
  const rateMB = Math.max(4, Math.ceil(peakBytesPerSecond / upstream.loki.bytesPerMB));
  // Burst covers at least Loki's default 6 MB so a single Alloy batch always fits (L2).
  return { rateMB, burstMB: Math.max(upstream.loki.defaultIngestionBurstSizeMB, rateMB * 2) };
}

/** L2: batches below half the burst leave room for two in flight; never above Alloy's 1 MiB default. */
export function alloyBatchSizeBytes(burstMB: number): number {
  return Math.min(upstream.alloy.defaultLokiBatchSizeBytes, Math.floor((burstMB * upstream.loki.bytesPerMB) / 2));
}

/** Minutes of peak ingest the chunks cache holds: recent chunks are what most queries read (project choice). */
export const CHUNKS_CACHE_MINUTES = 10;
/** Project floor; the chart's default allocation is the ceiling (upstream.charts.lokiChunksCacheDefaultMB). */
export const CHUNKS_CACHE_MIN_MB = 1024;

/** CHUNKS_CACHE_MINUTES of the tenant ingestion rate limit, within the bounds above, in 128 MB steps. */
export function chunksCacheMB(ingestionRateMB: number): number {
  const wanted = ingestionRateMB * 60 * CHUNKS_CACHE_MINUTES;
  return Math.min(upstream.charts.lokiChunksCacheDefaultMB, Math.max(CHUNKS_CACHE_MIN_MB, roundUpTo(wanted, 128)));
}

/**
 * Loki docs operations/storage/wal.md: replay_memory_ceiling "We suggest setting this to a high percentage (~75%) of
 * available memory"; Loki's own default (4GB, pkg/ingester/wal.go) ignores the container's limit.
 */
export const WAL_REPLAY_MEMORY_FRACTION = 0.75;

/** The WAL replay ceiling (Loki MB, 2^20 bytes) for a container limited to memoryLimitMiB: ~75% of it, whole MB. */
export function walReplayMemoryCeilingMB(memoryLimitMiB: number): number {
  return Math.floor(memoryLimitMiB * WAL_REPLAY_MEMORY_FRACTION);
}

function size(replicas: number, cpuMillis: number, memoryMiB: number, diskGiB?: number): ComponentSize {
  return {
    replicas,
    perZone: replicas,
    cpuMillis,
    memoryMiB,
    memoryLimitMiB: memoryMiB * 2,
    ...(diskGiB ? { diskGiB } : {}),
  };
}

export function deriveLoki(config: StackConfig): LokiSettings {
  const rf = config.replication.lokiReplicationFactor;
  const { rateMB, burstMB } = ingestionLimits(config.workload.logsGBPerDay);
  const mbps = averageMBps(config.workload.logsGBPerDay) * LOG_PEAK_FACTOR * upstream.mimirCapacity.headroom;
  const n = minReplicas(config.profile);
  const gateway = size(n, 100, 128);
  const batch = alloyBatchSizeBytes(burstMB);
  if (config.profile === "dev") {
    // L1: every replica of a stream needs a live single-binary pod.
    const singleBinary = size(Math.max(1, rf), 500, 1024, 10);
    return {
      deploymentMode: "Monolithic",
      replicationFactor: rf,
      ingestionRateMB: rateMB,
      ingestionBurstSizeMB: burstMB,
      sizes: { singleBinary, gateway },
      ingesterZoneAware: false,
      alloyBatchSizeBytes: batch,
      walReplayMemoryCeilingMB: walReplayMemoryCeilingMB(singleBinary.memoryLimitMiB),
    };
  }
  const sized = config.workload.logsGBPerDay * LOG_PEAK_FACTOR * upstream.mimirCapacity.headroom;
  const ingesterZoneAware = lokiZoneAware(config.replication.zones, rf);
  const zones = upstream.charts.lokiIngesterZones;
  const tableIngester = tableSize("ingester", sized, { replicas: rf, cpuMillis: 500 });
  const ingesters = tableIngester.replicas;
  const ingesterReplicas = ingesterZoneAware ? roundUpTo(ingesters, zones) : ingesters;
  // Cores split over the replicas that run (zone rounding adds pods, not cores), at least the floor each.
  const ingesterCpu = Math.max(500, roundUpTo((tableIngester.cpuMillis * ingesters) / ingesterReplicas, 50));
  // Disk from the unrounded count: the pods added to fill the zones only add room.
  const ingester: ComponentSize = {
    ...size(ingesterReplicas, ingesterCpu, tableIngester.memoryMiB),
    diskGiB: Math.max(10, roundUpTo(((mbps * 3600 * 2) / 1000 / ingesters) * rf, 5)),
  };
  const qps = config.workload.queriesPerSecond;
  // Loki's table sizes queriers by ingest tier; one per 10 queries/s (project figure) when queries run higher.
  const queriers = Math.max(n, Math.ceil(qps / 10));
  return {
    deploymentMode: "Distributed",
    replicationFactor: rf,
    ingestionRateMB: rateMB,
    ingestionBurstSizeMB: burstMB,
    sizes: {
      distributor: tableSize("distributor", sized, { replicas: n, cpuMillis: 250 }),
      ingester,
      querier: tableSize("querier", sized, { replicas: queriers, cpuMillis: 250 }),
      queryFrontend: tableSize("queryFrontend", sized, { replicas: n, cpuMillis: 250 }),
      queryScheduler: tableSize("queryScheduler", sized, { replicas: n, cpuMillis: 100 }),
      indexGateway: tableSize("indexGateway", sized, { replicas: n, cpuMillis: 100 }, 10),
      compactor: tableSize("compactor", sized, { replicas: 1, cpuMillis: 250, memoryMiB: 1024 }, 10),
      gateway,
    },
    ingesterZoneAware,
    chunksCacheMB: chunksCacheMB(rateMB),
    alloyBatchSizeBytes: batch,
    walReplayMemoryCeilingMB: walReplayMemoryCeilingMB(ingester.memoryLimitMiB),
  };
}
