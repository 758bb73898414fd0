// Q11 (DATA LOSS): a Prometheus remote-write queue must be able to send the samples the stack declares.
// - A queue sends with at most queueConfig.maxShards shards (prometheus/prometheus storage/remote/queue_manager.go:
//   calculateDesiredShards is clamped to max_shards), each shard one request of at most maxSamplesPerSend samples at a
//   time; defaults max_shards 50, max_samples_per_send 2000 (config/config.go DefaultQueueConfig). Its ceiling is
//   maxShards x maxSamplesPerSend x sends per second per shard, the last the project's one ASSUMPTION
//   (ASSUMED_REMOTE_WRITE_SENDS_PER_SHARD_PER_SECOND, policies/lib/prometheus.ts, which the program also sizes
//   queueConfig with: settings/derive/prometheus.ts). Refused when the queue falls short even at the 10 sends/s
//   Prometheus' defaults are sized with (PROMETHEUS_UPSTREAM_SENDS_PER_SHARD_PER_SECOND: 100 ms per write, whatever the
//   round trip to Mimir it cannot do better by much); advised when it falls short only at the project's 5.
// - Below the samples/s the Prometheus ingests, remote write falls behind without bound: it reads the WAL, and once the
//   unsent samples are older than what the WAL keeps (about 2h, truncated at head compaction) they are lost for Mimir
//   (Prometheus docs, "Remote write tuning": "if the remote endpoint ... falls behind ... data will be lost").
// - Each Prometheus of an HA pair scrapes and sends everything; prometheusSpec.shards splits the targets (each shard
//   a 1/shards hash, prometheus-operator), so one Prometheus sends workload.samplesPerSecond / shards.
import {
  ASSUMED_REMOTE_WRITE_SENDS_PER_SHARD_PER_SECOND,
  PROMETHEUS_QUEUE_DEFAULTS,
  PROMETHEUS_UPSTREAM_SENDS_PER_SHARD_PER_SECOND,
  remoteWriteQueueSamplesPerSecond,
} from "../../lib/prometheus";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { isUnknown, known, Unknown } from "../../lib/unknown";
import { formatFigure } from "../capacity/analysis";
import { booleanAt } from "../capacity/values";
import { readWorkload, Workload, workloadSchema } from "../capacity/workload";

export const remoteWriteQueueKeepsUp = stackRule<{ workload?: Workload }>(
  {
    name: "remote-write-queue-keeps-up",
    rule: "Q11",
    description:
      "Each Prometheus remoteWrite queue (maxShards x maxSamplesPerSend x the assumed sends per second per shard) must carry the samples/s the stack declares (per Prometheus shard)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise queueConfig.maxShards (or maxSamplesPerSend) so that maxShards x maxSamplesPerSend x 5 covers workload.samplesPerSecond / prometheusSpec.shards, " +
      "or remove the queueConfig override and let the program derive it from the workload.",
    url: "https://prometheus.io/docs/practices/remote_write/ (max_shards; falling behind); prometheus/prometheus storage/remote/queue_manager.go",
    tags: ["prometheus", "mimir", "limits"],
    configSchema: { properties: { workload: workloadSchema } },
  },
  (stack, ctx) => {
    const releases = stack.helmReleases(CHARTS.kubePrometheusStack);
    if (releases.length === 0) return;
    const sourced = readWorkload(stack, ctx.config.workload);
    if (!sourced) return; // nothing declared to compare with
    for (const release of releases) {
      const spec = release.values.at("prometheus.prometheusSpec");
      if (!booleanAt(release.values.at("prometheus.enabled"), true)) continue;
      const writes = spec.get("remoteWrite").items();
      const shardsNode = spec.get("shards");
      const shardCount = shardsNode.number();
      if (isUnknown(writes) || isUnknown(shardCount)) {
        ctx.inconclusive(isUnknown(writes) ? writes : (shardCount as Unknown));
        continue;
      }
      const shards = Math.max(shardCount ?? 1, 1);
      const needed = sourced.workload.samplesPerSecond / shards;
      for (const write of writes ?? []) {
        const maxShardsNode = write.get("queueConfig", "maxShards");
        const perSendNode = write.get("queueConfig", "maxSamplesPerSend");
        const maxShards = maxShardsNode.number();
        const perSend = perSendNode.number();
        if (isUnknown(maxShards) || isUnknown(perSend)) {
          ctx.inconclusive(isUnknown(maxShards) ? maxShards : (perSend as Unknown));
          continue;
        }
        const shardsUsed = maxShards ?? PROMETHEUS_QUEUE_DEFAULTS.maxShards;
        const perSendUsed = perSend ?? PROMETHEUS_QUEUE_DEFAULTS.maxSamplesPerSend;
        const ceiling = remoteWriteQueueSamplesPerSecond(shardsUsed, perSendUsed);
        if (ceiling >= needed) continue;
        const upstreamCeiling = remoteWriteQueueSamplesPerSecond(
          shardsUsed,
          perSendUsed,
          PROMETHEUS_UPSTREAM_SENDS_PER_SHARD_PER_SECOND,
        );
        const certain = upstreamCeiling < needed;
        const show = (value: number | undefined, where: string, fallback: number, key: string) =>
          value !== undefined
            ? `${where}=${value.toLocaleString("en-US")}`
            : `${key} ${fallback.toLocaleString("en-US")} (Prometheus default)`;
        const perShard = shards > 1 ? ` / ${shardsNode.where}=${shards}` : "";
        const fix = Math.ceil(needed / (perSendUsed * ASSUMED_REMOTE_WRITE_SENDS_PER_SHARD_PER_SECOND));
        const report = certain ? ctx.violation.bind(ctx) : ctx.advisory.bind(ctx);
        report(
          `${known(write.get("name").string()) ? `remoteWrite "${known(write.get("name").string())}": ` : ""}` +
            `${show(maxShards, maxShardsNode.where, PROMETHEUS_QUEUE_DEFAULTS.maxShards, "maxShards")} x ` +
            `${show(perSend, perSendNode.where, PROMETHEUS_QUEUE_DEFAULTS.maxSamplesPerSend, "maxSamplesPerSend")} x ` +
            `${ASSUMED_REMOTE_WRITE_SENDS_PER_SHARD_PER_SECOND} sends/s per shard (ASSUMPTION, policies/lib/prometheus.ts) = ${formatFigure(ceiling)} samples/s ` +
            `< ${sourced.where}.samplesPerSecond=${formatFigure(sourced.workload.samplesPerSecond)}${perShard}` +
            (certain
              ? ` (short even at the ${PROMETHEUS_UPSTREAM_SENDS_PER_SHARD_PER_SECOND} sends/s Prometheus' defaults assume: ${formatFigure(upstreamCeiling)} samples/s)`
              : ` (enough only if every write takes under ${Math.floor(1000 / (needed / (shardsUsed * perSendUsed)))} ms: Prometheus' defaults assume 100 ms)`) +
            `: remote write falls behind without bound, ` +
            `and once the unsent samples are older than what the WAL keeps (about 2h) they are lost for Mimir. ` +
            `Fix: raise queueConfig.maxShards to at least ${fix} (or remove the queueConfig override so the program derives it).`,
          release.resource.urn,
        );
      }
    }
  },
);
