// K16 (HARD, data loss): size-based retention must hold the same replay window K9 asks of retention.ms. Kafka deletes
// a partition's oldest segments once the partition grows past retention.bytes, whatever their age (Kafka topic config
// docs, retention.bytes: "the maximum size a partition ... can grow to before we will discard old log segments";
// -1, or any negative value, means no size limit). The write rate is the workload's samples/s times the program's
// ASSUMPTION of Kafka bytes per sample (policies/lib/kafka/sizing.ts), spread evenly over the partitions (Mimir
// shards series over partitions).
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { formatBytes } from "../../lib/bytes";
import { formatDuration } from "../../lib/duration";
import { effectiveTopicSetting } from "../../lib/kafka";
import { ASSUMED_KAFKA_BYTES_PER_SAMPLE, kafkaWriteBytesPerSecond } from "../../lib/kafka/sizing";
import { show, showFor } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { readWorkload, workloadSchema } from "../capacity/workload";
import { landscape, reportUnverifiable, topicFix, topicUrn, undeclared } from "./common";
import { replayWindow } from "./retention-covers-replay-window";

interface Config extends ExternalKafkaRuleConfig {
  workload?: unknown;
}

export const kafkaRetentionBytesCoversReplayWindow = stackRule<Config>(
  {
    name: "kafka-retention-bytes-covers-replay-window",
    rule: "K16",
    description:
      "The Mimir ingest topic's retention.bytes (per partition) must hold Mimir's replay window (blocks_storage.tsdb.retention_period) at the workload's write rate",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise retention.bytes on the topic (or log.retention.bytes on the brokers) to the write rate per partition x the replay window, or set it to -1 and bound the topic by retention.ms.",
    url: "https://kafka.apache.org/documentation/#topicconfigs_retention.bytes (K9's replay window; ASSUMED_KAFKA_BYTES_PER_SAMPLE, grafana/mimir#13981)",
    tags: ["kafka", "mimir", "retention"],
    configSchema: { properties: { externalKafka: externalKafkaSchema, workload: workloadSchema } },
  },
  (stack, ctx) => {
    const workload = readWorkload(stack, ctx.config.workload);
    if (!workload) return; // no write rate to compare with
    const seen = new Set<string>();
    for (const path of landscape(stack, ctx).paths) {
      const topic = path.topic;
      if (!topic) continue;
      const retention = effectiveTopicSetting(topic, "retention.bytes");
      const partitions = topic.partitions();
      if (retention === undefined || partitions === undefined) {
        reportUnverifiable(
          ctx,
          topic.cluster,
          topicUrn(topic),
          undeclared([
            [retention, "retention.bytes (topic config or brokerConfig log.retention.bytes)"],
            [partitions, `partitions of topic "${topic.name}"`],
          ]),
          "K16 (retention.bytes vs replay window)",
        );
        continue;
      }
      ctx.known([retention, partitions, replayWindow(path)], (kept, count, replay) => {
        if (kept.value < 0) return; // no size limit
        const samples = workload.workload.samplesPerSecond;
        const perPartition = kafkaWriteBytesPerSecond(samples) / count.value;
        const heldMs = (kept.value / perPartition) * 1000;
        if (heldMs >= replay.value) return;
        const key = `${topicUrn(topic)} ${kept.value} ${replay.value}`;
        if (seen.has(key)) return;
        seen.add(key);
        const needed = Math.ceil((perPartition * replay.value) / 1000);
        ctx.violation(
          `${showFor(topic.label, kept)} (${formatBytes(kept.value)} per partition) holds only ${formatDuration(Math.floor(heldMs / 1000) * 1000)} of writes: ` +
            `${workload.where}.samplesPerSecond=${samples} x ${ASSUMED_KAFKA_BYTES_PER_SAMPLE} bytes per sample (ASSUMPTION, policies/lib/kafka/sizing.ts) / ` +
            `${show(count)} partitions = ${Math.round(perPartition)} bytes/s per partition, less than ${path.mimir.label} replay window ${show(replay)}: ` +
            `Kafka deletes a partition's oldest segments once it passes retention.bytes, so an ingester that restarts without a committed offset ` +
            `or falls behind finds the records it still needs deleted and those samples are lost. ` +
            `Fix: ${topicFix(topic, "retention.bytes", "log.retention.bytes", `at least ${needed} (or -1, bounding the topic by retention.ms)`)}.`,
          topicUrn(topic),
        );
      });
    }
  },
);
