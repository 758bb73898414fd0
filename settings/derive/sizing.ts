import type { Profile, StackConfig } from "../schema";
import { prometheusReplicas } from "./prometheus";
import * as upstream from "../upstream";
import { roundUpTo } from "./quantities";
import { parseDuration } from "../durations";

const DAY_MS = 86_400_000;
import { mimirZoneAware } from "./zones";

/** Replicas and per-pod resources for one component. Memory limit >= request; disk per pod where stateful. */
export interface ComponentSize {
  replicas: number;
  /** Pods per zone for zone-aware components; equals replicas when not zone-aware. */
  perZone: number;
  cpuMillis: number;
  memoryMiB: number;
  memoryLimitMiB: number;
  diskGiB?: number;
}

export interface MimirSizing {
  distributor: ComponentSize & { producerMaxBufferedBytes: number; workingSetMiB: number };
  ingester: ComponentSize;
  querier: ComponentSize;
  queryFrontend: ComponentSize;
  queryScheduler: ComponentSize;
  storeGateway: ComponentSize & StoreGatewayCaches;
  compactor: ComponentSize;
  ruler: ComponentSize;
  alertmanager: ComponentSize;
  gateway: ComponentSize;
}

const H = upstream.mimirCapacity.headroom;
const GB_IN_MIB = 1000 ** 3 / 1024 ** 2; // the planning doc's GB are decimal

/** Minimum replicas of stateless components: one in dev, two elsewhere so a rollout or node loss keeps serving. */
export const minReplicas = (profile: Profile): number => (profile === "dev" ? 1 : 2);

/**
 * Project choice: at most 1.5M in-memory series per ingester keeps WAL replay and restarts short; Mimir's planning
 * figures scale linearly, so more, smaller ingesters carry the same load.
 */
export const MAX_SERIES_PER_INGESTER = 1_500_000;
/** Project choice: spread CPU so no stateless pod asks for more than 2 cores (fits m6i.xlarge nodes with room). */
export const MAX_CORES_PER_POD = 2;

/**
 * K11: a distributor holds up to producer_max_buffered_bytes of unacknowledged Kafka records on top of its working
 * set. Project choice: 256 MiB in dev, 512 MiB elsewhere (Mimir's 1 GiB default is what OOMed the seed incident's
 * 1Gi distributors); Mimir fails produce fast when the buffer is full instead of growing.
 */
export function producerBufferBytes(profile: Profile): number {
  return (profile === "dev" ? 256 : 512) * upstream.bytes.MiB;
}
/** Go runtime and gRPC overhead above the planned working set (project choice). */
export const DISTRIBUTOR_OVERHEAD_MIB = 256;

function spread(totalCores: number, totalMemGB: number, replicas: number, floor: { cpu: number; mem: number }) {
  return {
    cpuMillis: Math.max(floor.cpu, roundUpTo((totalCores * 1000) / replicas, 50)),
    memoryMiB: Math.max(floor.mem, roundUpTo((totalMemGB * GB_IN_MIB) / replicas, 128)),
  };
}

export function distributorSize(profile: Profile, samplesPerSecond: number): MimirSizing["distributor"] {
  // 1 core + 1 GB per 25,000 samples/s (planning-capacity.md), +50%.
  const units = (samplesPerSecond / upstream.mimirCapacity.distributorSamplesPerSecondPerCoreAndGB) * H;
  const replicas = Math.max(minReplicas(profile), Math.ceil(units / MAX_CORES_PER_POD));
  const { cpuMillis, memoryMiB: workingSetMiB } = spread(units, units, replicas, { cpu: 250, mem: 512 });
  const buffer = producerBufferBytes(profile);
  // Requests equal limits: a distributor that may be OOM-killed under back-pressure must have it reserved.
  const memory = workingSetMiB + buffer / upstream.bytes.MiB + DISTRIBUTOR_OVERHEAD_MIB;
  return {
    replicas,
    perZone: replicas,
    cpuMillis,
    memoryMiB: memory,
    memoryLimitMiB: memory,
    producerMaxBufferedBytes: buffer,
    workingSetMiB,
  };
}

/** In ingest storage mode each zone holds every series: the per-zone load is the full active series. */
export function ingesterSize(activeSeries: number, zones: number): ComponentSize {
  const units = (activeSeries / upstream.mimirCapacity.ingesterSeriesPerUnit) * H;
  const perZone = Math.max(1, Math.ceil((activeSeries * H) / MAX_SERIES_PER_INGESTER));
  const { cpuMillis, memoryMiB } = spread(units, units * upstream.mimirCapacity.ingesterMemoryGBPerUnit, perZone, {
    cpu: 500,
    mem: 1024,
  });
  const diskGiB = Math.max(10, roundUpTo((units * upstream.mimirCapacity.ingesterDiskGBPerUnit) / perZone, 5));
  return {
    replicas: perZone * zones,
    perZone,
    cpuMillis,
    memoryMiB,
    memoryLimitMiB: roundUpTo(memoryMiB * 1.25, 128),
    diskGiB,
  };
}

export function querierSize(profile: Profile, qps: number): ComponentSize {
  const units = (qps / upstream.mimirCapacity.querierQpsPerCoreAndGB) * H;
  const replicas = Math.max(minReplicas(profile), Math.ceil(units / MAX_CORES_PER_POD));
  const s = spread(units, units, replicas, { cpu: 250, mem: 512 });
  return { replicas, perZone: replicas, ...s, memoryLimitMiB: roundUpTo(s.memoryMiB * 1.5, 128) };
}

/** The store-gateway's in-process caches, in bytes (Mimir blocks_storage.bucket_store). */
export interface StoreGatewayCaches {
  indexCacheBytes: number;
  seriesHashCacheBytes: number;
}

/**
 * B5: a full in-process cache is live heap, and with GOGC=100 and no GOMEMLIMIT the Go heap grows to twice the live
 * heap before a collection (Go GC guide), so the caches must stay well under half the container limit. Mimir's
 * defaults (1 GiB in-memory index cache, 1 GiB series hash cache; config descriptor) exceed that on a 1.5 GiB
 * store-gateway. Project choice: a quarter of the limit for the index cache, a tenth for the series hash cache.
 */
export function storeGatewayCaches(memoryLimitMiB: number): StoreGatewayCaches {
  const MiB = upstream.bytes.MiB;
  return {
    indexCacheBytes: Math.floor(memoryLimitMiB * 0.25) * MiB,
    seriesHashCacheBytes: Math.floor(memoryLimitMiB * 0.1) * MiB,
  };
}

/**
 * M7/M8: with zone awareness each zone holds one replica of every block (so zones >= RF, checked in config);
 * without it, the RF replicas need RF pods.
 */
/** Days of blocks kept; retention 0 keeps blocks forever (Mimir compactor_blocks_retention_period), sized as ten years. */
const keptDays = (retentionDays: number): number => (retentionDays > 0 ? Math.min(retentionDays, 3650) : 3650);

export function storeGatewaySize(
  qps: number,
  activeSeries: number,
  zones: number,
  replicationFactor: number,
  retentionDays = 365,
): ComponentSize & StoreGatewayCaches {
  const units = (qps / upstream.mimirCapacity.storeGatewayQpsPerCoreAndGB) * H;
  const zoneAware = mimirZoneAware(zones);
  const perZone = zoneAware
    ? Math.max(1, Math.ceil(units / zones / MAX_CORES_PER_POD))
    : Math.max(replicationFactor, Math.ceil(units / MAX_CORES_PER_POD));
  const replicas = zoneAware ? perZone * zones : perZone;
  const s = spread(units, units, replicas, { cpu: 250, mem: 1024 });
  // 13 GB of index-headers per 1M series for a year of blocks at RF 3, all copies (planning-capacity.md): scaled to the
  // blocks the retention keeps and to the copies held (INFERRED: index-headers grow with the blocks kept).
  const c = upstream.mimirCapacity;
  const copies = zoneAware ? zones : replicationFactor;
  const diskTotal =
    (activeSeries / 1e6) *
    c.storeGatewayDiskGBPerMillionSeries *
    H *
    (keptDays(retentionDays) / c.storeGatewayDiskFigureRetentionDays) *
    (copies / c.storeGatewayDiskFigureReplicationFactor);
  const memoryLimitMiB = roundUpTo(s.memoryMiB * 1.5, 128);
  return {
    replicas,
    perZone,
    ...s,
    memoryLimitMiB,
    diskGiB: Math.max(10, roundUpTo(diskTotal / replicas, 5)),
    ...storeGatewayCaches(memoryLimitMiB),
  };
}

export function queryFrontendSize(profile: Profile, qps: number): ComponentSize {
  const units = (qps / upstream.mimirCapacity.queryFrontendQpsPerCoreAndGB) * H;
  const replicas = Math.max(minReplicas(profile), Math.ceil(units / MAX_CORES_PER_POD));
  const s = spread(units, units, replicas, { cpu: 250, mem: 512 });
  return { replicas, perZone: replicas, ...s, memoryLimitMiB: s.memoryMiB * 2 };
}

export function compactorSize(activeSeries: number): ComponentSize {
  const c = upstream.mimirCapacity;
  const replicas = Math.max(1, Math.ceil(activeSeries / c.compactorSeriesPerInstance));
  const diskGiB = Math.max(
    20,
    roundUpTo((c.compactorDiskGB * H * activeSeries) / c.compactorSeriesPerInstance / replicas, 10),
  );
  const memoryMiB = roundUpTo(c.compactorMemoryGB * GB_IN_MIB, 128);
  return {
    replicas,
    perZone: replicas,
    cpuMillis: c.compactorCores * 1000,
    memoryMiB,
    memoryLimitMiB: roundUpTo(memoryMiB * 1.5, 128),
    diskGiB,
  };
}

/** Small fixed-size components the planning doc does not size (project choice from the chart's small values). */
function fixed(replicas: number, cpuMillis: number, memoryMiB: number, diskGiB?: number): ComponentSize {
  return {
    replicas,
    perZone: replicas,
    cpuMillis,
    memoryMiB,
    memoryLimitMiB: memoryMiB * 2,
    ...(diskGiB ? { diskGiB } : {}),
  };
}

export function deriveMimirSizing(config: StackConfig): MimirSizing {
  const { profile, workload: w, replication: r } = config;
  const n = minReplicas(profile);
  return {
    // Distributors receive every Prometheus replica's samples; the HA tracker drops the copies only after decoding
    // them (Mimir HA deduplication docs), so they are sized for all replicas' traffic.
    distributor: distributorSize(profile, w.samplesPerSecond * prometheusReplicas(r.zones)),
    ingester: ingesterSize(w.activeSeries, r.zones),
    querier: querierSize(profile, w.queriesPerSecond),
    queryFrontend: queryFrontendSize(profile, w.queriesPerSecond),
    queryScheduler: fixed(n, 100, 256),
    storeGateway: storeGatewaySize(
      w.queriesPerSecond,
      w.activeSeries,
      r.zones,
      r.storeGatewayReplicationFactor,
      parseDuration(config.retention.metrics) / DAY_MS,
    ),
    compactor: compactorSize(w.activeSeries),
    ruler: fixed(n, 250, 512),
    // Alertmanager keeps its state in S3 and a small volume; one per zone in HA profiles.
    alertmanager: fixed(profile === "dev" ? 1 : Math.max(2, r.zones), 100, 256, 1),
    gateway: fixed(n, 100, 128),
  };
}
