import type { StackConfig } from "../schema";
import * as upstream from "../upstream";
import type { ComponentSize } from "./sizing";
import { minReplicas } from "./sizing";
import { roundUpTo } from "./quantities";
import { lokiZoneAware } from "./zones";

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
}

/** Project assumption: peaks run at twice the daily average; then the planning doc's 50% headroom. */
export const LOG_PEAK_FACTOR = 2;
/** Project assumption (no Loki figure in the reference): one ingester sustains 5 MB/s of replicated writes at 1 core/4 GiB. */
export const LOKI_INGESTER_MBPS = 5;

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

function size(replicas: number, cpuMillis: number, memoryMiB: number, diskGiB?: number): ComponentSize {
  return { replicas, perZone: replicas, cpuMillis, memoryMiB, memoryLimitMiB: memoryMiB * 2, ...(diskGiB ? { diskGiB } : {}) };
}

export function deriveLoki(config: StackConfig): LokiSettings {
  const rf = config.replication.lokiReplicationFactor;
  const { rateMB, burstMB } = ingestionLimits(config.workload.logsGBPerDay);
  const mbps = averageMBps(config.workload.logsGBPerDay) * LOG_PEAK_FACTOR * upstream.mimirCapacity.headroom;
  const n = minReplicas(config.profile);
  const gateway = size(n, 100, 128);
  const batch = alloyBatchSizeBytes(burstMB);
  if (config.profile === "dev") {
    return {
      deploymentMode: "Monolithic",
      replicationFactor: rf,
      ingestionRateMB: rateMB,
      ingestionBurstSizeMB: burstMB,
      // L1: every replica of a stream needs a live single-binary pod.
      sizes: { singleBinary: size(Math.max(1, rf), 500, 1024, 10), gateway },
      ingesterZoneAware: false,
      alloyBatchSizeBytes: batch,
    };
  }
  const ingesters = Math.max(rf, Math.ceil((mbps * rf) / LOKI_INGESTER_MBPS));
  const ingesterZoneAware = lokiZoneAware(config.replication.zones, rf);
  const zones = upstream.charts.lokiIngesterZones;
  const ingesterReplicas = ingesterZoneAware ? roundUpTo(ingesters, zones) : ingesters;
  const qps = config.workload.queriesPerSecond;
  const queriers = Math.max(n, Math.ceil(qps / 10));
  return {
    deploymentMode: "Distributed",
    replicationFactor: rf,
    ingestionRateMB: rateMB,
    ingestionBurstSizeMB: burstMB,
    sizes: {
      distributor: size(Math.max(n, Math.ceil(mbps / 10)), 500, 512),
      // Disk from the unrounded count: the pods added to fill the zones only add room.
      ingester: size(ingesterReplicas, 1000, 4096, Math.max(10, roundUpTo(mbps * 3600 * 2 / 1000 / ingesters * rf, 5))),
      querier: size(queriers, 500, 1024),
      queryFrontend: size(n, 250, 512),
      queryScheduler: size(n, 100, 256),
      indexGateway: size(n, 250, 512, 10),
      compactor: size(1, 500, 1024, 10),
      gateway,
    },
    ingesterZoneAware,
    chunksCacheMB: chunksCacheMB(rateMB),
    alloyBatchSizeBytes: batch,
  };
}
