// B4 (HARD): Prometheus' memory limit must hold the head block of the series it scrapes.
//
// Prometheus keeps every active series in its in-memory head block (Prometheus docs, "Storage": the head holds the
// most recent samples of every series, 2 hours by default, and the WAL is replayed into it on start); a limit below
// what the head needs gets the container OOM-killed, and each restart replays the WAL into the same limit, so it is
// killed again (a crash loop with no scraping and no remote write). The figure per series is the project's own
// planning figure PROMETHEUS_BYTES_PER_SERIES (4 KiB, policies/lib/prometheus.ts, which the program sizes
// prometheusSpec.resources with: settings/derive/prometheus.ts). The series are the workload's activeSeries, read as
// C1 reads it (policy config `workload`, else the stack output `workload`); each Prometheus of an HA pair scrapes all
// of them, and `shards` split them (prometheus-operator: each shard scrapes a 1/shards hash of the targets; default 1).
import { formatBytes } from "../../lib/bytes";
import { PROMETHEUS_BYTES_PER_SERIES, PROMETHEUS_QUEUE_DEFAULTS } from "../../lib/prometheus";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { known } from "../../lib/unknown";
import { formatFigure } from "../capacity/analysis";
import { booleanAt } from "../capacity/values";
import { readWorkload, Workload, workloadSchema } from "../capacity/workload";
import { eachChecked, MiB, memoryLimit, showLimit } from "./limits";
import { PropNode } from "../../lib/node";

/**
 * Remote-write queues: each shard buffers up to `capacity` samples (Prometheus configuration reference,
 * queue_config: capacity 10000, max_shards 50 by default; prometheus-operator passes queueConfig through). A queued
 * sample is at least its 8-byte timestamp and 8-byte value (prompb.Sample), so this is a lower bound.
 */
const QUEUE_DEFAULTS = PROMETHEUS_QUEUE_DEFAULTS;
const BYTES_PER_QUEUED_SAMPLE = 16;

function queueBytes(remoteWrite: PropNode): { bytes: number; where: string } {
  const entries = known(remoteWrite.items()) ?? [];
  let bytes = 0;
  const parts: string[] = [];
  entries.forEach((entry, i) => {
    const capacity = known(entry.get("queueConfig", "capacity").number()) ?? QUEUE_DEFAULTS.capacity;
    const maxShards = known(entry.get("queueConfig", "maxShards").number()) ?? QUEUE_DEFAULTS.maxShards;
    bytes += capacity * maxShards * BYTES_PER_QUEUED_SAMPLE;
    parts.push(`remoteWrite[${i}] capacity ${formatFigure(capacity)} x maxShards ${formatFigure(maxShards)}`);
  });
  return { bytes, where: parts.join(", ") };
}

export const prometheusMemoryHoldsSeries = stackRule<{ workload?: Workload }>(
  {
    name: "prometheus-memory-holds-series",
    rule: "B4",
    description: `Prometheus' memory limit holds the workload's active series at ${PROMETHEUS_BYTES_PER_SERIES} bytes each (per shard)`,
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise prometheus.prometheusSpec.resources.limits.memory to at least activeSeries / shards x 4 KiB (plus headroom), " +
      "add shards, or correct the workload the stack is sized for (config key workload).",
    url: "https://prometheus.io/docs/prometheus/latest/storage/ (in-memory head block; figure: policies/lib/prometheus.ts PROMETHEUS_BYTES_PER_SERIES)",
    tags: ["prometheus", "memory", "capacity"],
    configSchema: { properties: { workload: workloadSchema } },
  },
  (stack, ctx) => {
    const releases = stack.helmReleases(CHARTS.kubePrometheusStack);
    if (releases.length === 0) return;
    const sourced = readWorkload(stack, ctx.config.workload);
    // No workload (neither the stack output nor the policy config): nothing to compare.
    if (!sourced) return;
    for (const release of releases) {
      eachChecked(ctx, () => {
        const values = release.values;
        if (!booleanAt(values.at("prometheus.enabled"), true)) return;
        const spec = values.at("prometheus.prometheusSpec");
        const limit = memoryLimit(spec.get("resources"));
        if (limit === undefined) return;
        const shardsNode = spec.get("shards");
        const shards = Math.max(known(shardsNode.number()) ?? 1, 1);
        const series = Math.ceil(sourced.workload.activeSeries / shards);
        const needed = series * PROMETHEUS_BYTES_PER_SERIES;
        const queues = queueBytes(spec.get("remoteWrite"));
        if (limit.bytes >= needed && limit.bytes >= needed + queues.bytes) return;
        if (limit.bytes >= needed) {
          ctx.violation(
            `${showLimit(limit)} holds the head block (${formatBytes(needed)}) but not also the remote-write queues: ${queues.where} ` +
              `samples of at least ${BYTES_PER_QUEUED_SAMPLE} bytes each = ${formatBytes(queues.bytes)}. When Mimir slows down the queues fill, ` +
              `Prometheus is OOM-killed and scraping and remote write stop. Fix: lower queueConfig capacity or maxShards, or raise the limit to at ` +
              `least ${Math.ceil((needed + queues.bytes) / MiB)}Mi.`,
            release.resource.urn,
          );
          return;
        }
        const perShard = shards > 1 ? ` / ${shardsNode.where}=${shards}` : "";
        ctx.violation(
          `${showLimit(limit)} < ${sourced.where}.activeSeries=${formatFigure(sourced.workload.activeSeries)}${perShard} x ${PROMETHEUS_BYTES_PER_SERIES} bytes ` +
            `per series (the project's planning figure) = ${formatBytes(needed)}, about ${Math.ceil(needed / MiB)}Mi: the head block outgrows the limit, ` +
            `Prometheus is OOM-killed, and every restart replays the WAL into the same limit, so scraping and remote write stop. ` +
            `Fix: raise prometheus.prometheusSpec.resources.limits.memory to at least ${Math.ceil(needed / MiB)}Mi (the program adds headroom on top), ` +
            `or add shards.`,
          release.resource.urn,
        );
      });
    }
  },
);
