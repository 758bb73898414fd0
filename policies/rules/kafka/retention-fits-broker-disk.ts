// K17 (HARD, blocked writes): what the Mimir topic retains must fit the brokers' volumes. A write that finds the
// volume full fails with an IOException, Kafka takes that log directory offline and, when it was the broker's last
// one, halts the broker (core LogManager.handleLogDirFailure: "Shutdown broker because all log dirs in ... have
// failed"); it fails again on restart while the volume is full. The retained bytes are the workload's write rate
// (samples/s x ASSUMED_KAFKA_BYTES_PER_SAMPLE) kept for min(retention.ms, retention.bytes per partition), times the
// replicas, spread evenly over the brokers, plus the headroom the program sizes the volumes with: one formula,
// policies/lib/kafka/sizing.ts brokerVolumeBytes, shared with settings/derive/kafka.ts brokerStorageGiB.
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { parseQuantityBytes } from "../../lib/bytes";
import { formatDuration } from "../../lib/duration";
import { effectiveTopicSetting, strimziBelongsTo } from "../../lib/kafka";
import {
  ASSUMED_KAFKA_BYTES_PER_SAMPLE,
  brokerVolumeBytes,
  KAFKA_BROKER_DISK_HEADROOM,
  kafkaWriteBytesPerSecond,
  topicBytesPerBroker,
} from "../../lib/kafka/sizing";
import { Maybe, PolicyInputError, show, Sourced } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { CustomResource } from "../../lib/stack";
import { isUnknown } from "../../lib/unknown";
import { readWorkload, workloadSchema } from "../capacity/workload";
import { writtenTopics, topicUrn } from "./common";

interface Config extends ExternalKafkaRuleConfig {
  workload?: unknown;
}

const GiB = 2 ** 30;
const gib = (bytes: number) => `${(bytes / GiB).toFixed(1)} GiB`;

/**
 * A node pool's volume per broker (Strimzi 1.2.0 KafkaNodePool CRD spec.storage: `persistent-claim` with `size`,
 * `ephemeral` with an optional `sizeLimit`, or `jbod` with such `volumes`, summed). Undefined when a volume has no size.
 */
function poolVolume(pool: CustomResource): Maybe<Sourced<number>> | undefined {
  const storage = pool.spec.get("storage");
  const type = storage.get("type").string();
  if (type === undefined || isUnknown(type)) return type;
  const volumes = type === "jbod" ? storage.get("volumes").items() : [storage];
  if (volumes === undefined || isUnknown(volumes)) return volumes;
  const parts: Array<Sourced<number>> = [];
  for (const volume of volumes) {
    const volumeType = volume.get("type").string();
    if (volumeType === undefined || isUnknown(volumeType)) return volumeType;
    const sizeNode = volume.get(volumeType === "ephemeral" ? "sizeLimit" : "size");
    const size = sizeNode.string();
    if (size === undefined || isUnknown(size)) return size;
    const bytes = parseQuantityBytes(size);
    if (bytes === undefined)
      throw new PolicyInputError(
        `${sizeNode.where}=${JSON.stringify(size)} is not a Kubernetes quantity (e.g. 200Gi).`,
        pool.resource.urn,
      );
    parts.push({ value: bytes, where: sizeNode.where, text: size });
  }
  if (parts.length === 1) return parts[0];
  const total = parts.reduce((sum, part) => sum + part.value, 0);
  return {
    value: total,
    where: `sum of ${parts.map((p) => p.where).join(" + ")}`,
    text: total % GiB === 0 ? `${total / GiB}Gi` : `${total}`,
    note: parts.map((p) => p.text).join(" + "),
  };
}

export const kafkaRetentionFitsBrokerDisk = stackRule<Config>(
  {
    name: "kafka-retention-fits-broker-disk",
    rule: "K17",
    description:
      "Each broker's volume must hold its share of what the Mimir topic retains (replicas x partitions x bytes kept per partition / brokers) plus 50% headroom",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise the broker KafkaNodePool's storage size, or lower retention.ms / retention.bytes on the topic (the program sizes volumes from retention.kafka and workload.samplesPerSecond).",
    url: "https://github.com/apache/kafka/blob/trunk/core/src/main/scala/kafka/log/LogManager.scala (handleLogDirFailure); policies/lib/kafka/sizing.ts",
    tags: ["kafka", "mimir", "capacity"],
    configSchema: { properties: { externalKafka: externalKafkaSchema, workload: workloadSchema } },
  },
  (stack, ctx) => {
    const workload = readWorkload(stack, ctx.config.workload);
    if (!workload) return; // no write rate to size against
    const samples = workload.workload.samplesPerSecond;
    const writeRate = kafkaWriteBytesPerSecond(samples);
    const pools = stack.strimzi("KafkaNodePool");
    for (const topic of writtenTopics(stack, ctx)) {
      // Only Strimzi clusters declare their volumes in the stack.
      if (topic.cluster.kind !== "strimzi") continue;
      const cluster = topic.cluster;
      const retentionMs = effectiveTopicSetting(topic, "retention.ms");
      const retentionBytes = effectiveTopicSetting(topic, "retention.bytes");
      const partitions = topic.partitions();
      const replicas = topic.replicas();
      const brokers = cluster.brokers();
      if (!retentionMs || !retentionBytes || !partitions || !replicas || !brokers) continue;
      ctx.known([retentionMs, retentionBytes, partitions, replicas, brokers], (ms, bytes, count, rf, brokerCount) => {
        if (brokerCount.value === 0) return; // no broker at all: K5 (replication within brokers) reports it
        const perPartitionRate = writeRate / count.value;
        const byTime = ms.value === -1 ? Infinity : (perPartitionRate * ms.value) / 1000;
        const bySize = bytes.value < 0 ? Infinity : bytes.value;
        const keptPerPartition = Math.min(byTime, bySize);
        if (keptPerPartition === Infinity) {
          ctx.violation(
            `${show(ms)} and ${show(bytes)}: ${topic.label} keeps every record forever, so at ${workload.where}.samplesPerSecond=${samples} ` +
              `x ${ASSUMED_KAFKA_BYTES_PER_SAMPLE} bytes per sample (ASSUMPTION) it grows by ${gib(writeRate * 86_400 * rf.value)} a day over its ` +
              `replicas until the brokers' volumes are full and the brokers halt (Kafka LogManager: "Shutdown broker because all log dirs ... have failed"): ` +
              `writes fail. Fix: set retention.ms (or retention.bytes) on the topic.`,
            topicUrn(topic),
          );
          return;
        }
        const topicBytes = keptPerPartition * count.value;
        const perBroker = topicBytesPerBroker(topicBytes, rf.value, brokerCount.value);
        const needed = brokerVolumeBytes(topicBytes, rf.value, brokerCount.value);
        const rateText =
          `${workload.where}.samplesPerSecond=${samples} x ${ASSUMED_KAFKA_BYTES_PER_SAMPLE} bytes per sample (ASSUMPTION) / ` +
          `${show(count)} partitions = ${Math.round(perPartitionRate)} bytes/s per partition`;
        const kept =
          byTime <= bySize
            ? `${show(ms)} (${formatDuration(ms.value)}) of writes at ${rateText} = ${gib(keptPerPartition)} per partition`
            : `${show(bytes)} bytes per partition, reached before ${show(ms)} at ${rateText}`;
        for (const pool of pools.filter((p) => strimziBelongsTo(p, cluster))) {
          const roles = pool.spec.get("roles").raw();
          if (isUnknown(roles)) {
            ctx.inconclusive(roles);
            continue;
          }
          if (!Array.isArray(roles) || !roles.includes("broker")) continue;
          const volume = poolVolume(pool);
          if (volume === undefined) continue; // an ephemeral volume without sizeLimit: bounded by the node, not declared
          ctx.known([volume], (size) => {
            if (size.value >= needed) return;
            ctx.violation(
              `${show(size)} per broker < ${gib(needed)} needed: each broker keeps ${gib(perBroker)} of the topic ` +
                `(${kept}; x ${show(rf)} replicas x ${count.value} partitions / ${show(brokerCount)} brokers), plus the ${Math.round((KAFKA_BROKER_DISK_HEADROOM - 1) * 100)}% headroom the program sizes ` +
                `volumes with. A full volume takes the broker's log directory offline and halts the broker (Kafka LogManager: "Shutdown broker ` +
                `because all log dirs ... have failed"), and it fails again on restart; every broker holds the same share, so they fill ` +
                `together and every write fails. Fix: raise the volume to at least ${Math.ceil(needed / GiB)}Gi, or lower ` +
                `retention.ms / retention.bytes on the topic.`,
              pool.resource.urn,
            );
          });
        }
      });
    }
  },
);
