// PROMETHEUS_BYTES_PER_SERIES is read from the pack, which checks the memory limit against it (policy B4).
import {
  ASSUMED_REMOTE_WRITE_SENDS_PER_SHARD_PER_SECOND,
  PROMETHEUS_BYTES_PER_SERIES,
} from "../../policies/lib/prometheus";
import type { StackConfig } from "../schema";
import * as upstream from "../upstream";
import { roundUpTo } from "./quantities";
import { spreadsOverZones } from "./zones";

export interface PrometheusSettings {
  retention: string;
  /** prometheus-operator ByteSize; Prometheus deletes the oldest blocks past it, before the volume fills. */
  retentionSize: string;
  volumeGiB: number;
  replicas: number;
  cpuMillis: number;
  memoryMiB: number;
  queueConfig: {
    capacity: number;
    maxSamplesPerSend: number;
    minShards: number;
    maxShards: number;
    batchSendDeadline: string;
  };
}

/** Share of the volume Prometheus may fill before it deletes blocks: leaves room for the WAL and compaction. */
export const RETENTION_SIZE_SHARE = 0.8;

export function prometheusVolumeGiB(samplesPerSecond: number, retentionMs: number): number {
  const bytes =
    samplesPerSecond * (retentionMs / 1000) * upstream.prometheus.bytesPerSample * upstream.mimirCapacity.headroom;
  return Math.max(20, roundUpTo(bytes / upstream.bytes.GiB, 10));
}

/**
 * Remote-write shards: one shard sends maxSamplesPerSend per request; at ASSUMED_REMOTE_WRITE_SENDS_PER_SHARD_PER_SECOND
 * (5 requests/s per shard, 200 ms round trips; policies/lib/prometheus.ts, which policy Q11 checks the queue with) a
 * shard carries 10,000 samples/s. Prometheus' remote-write tuning docs set capacity to a few times
 * maxSamplesPerSend.
 */
export function queueConfig(samplesPerSecond: number): PrometheusSettings["queueConfig"] {
  const perShard = upstream.prometheus.maxSamplesPerSend * ASSUMED_REMOTE_WRITE_SENDS_PER_SHARD_PER_SECOND;
  return {
    maxSamplesPerSend: upstream.prometheus.maxSamplesPerSend,
    capacity: upstream.prometheus.maxSamplesPerSend * upstream.prometheus.capacityPerSamplesPerSend,
    minShards: 1,
    maxShards: Math.max(10, Math.ceil((samplesPerSecond * upstream.mimirCapacity.headroom) / perShard) * 2),
    batchSendDeadline: "5s",
  };
}

/**
 * An HA pair wherever the stack spans zones: each replica scrapes every target, the pair is spread over two AWS zones,
 * and Mimir's HA tracker keeps one replica's samples (components/mimir/config.ts). Losing one zone, or one node, keeps
 * metric collection running; one replica where the stack runs in one zone.
 */
export function prometheusReplicas(zones: number): number {
  return spreadsOverZones(zones) ? 2 : 1;
}

export function derivePrometheus(config: StackConfig, retentionMs: number, retention: string): PrometheusSettings {
  const volumeGiB = prometheusVolumeGiB(config.workload.samplesPerSecond, retentionMs);
  const memoryMiB = Math.max(
    1024,
    roundUpTo(
      (config.workload.activeSeries * PROMETHEUS_BYTES_PER_SERIES * upstream.mimirCapacity.headroom) /
        upstream.bytes.MiB,
      256,
    ),
  );
  return {
    retention,
    retentionSize: `${Math.floor(volumeGiB * RETENTION_SIZE_SHARE)}GiB`,
    volumeGiB,
    replicas: prometheusReplicas(config.replication.zones),
    cpuMillis: Math.max(500, roundUpTo(config.workload.samplesPerSecond / 50, 250)),
    memoryMiB,
    queueConfig: queueConfig(config.workload.samplesPerSecond),
  };
}
