// K22: the Mimir topic must not roll a new log segment more often than once a minute.
// segment.ms (broker synonyms log.roll.ms, else log.roll.hours, default 168h: Kafka topic/broker config docs) forces a
// new segment when that much time has passed since the segment's first record; Mimir writes to every partition
// continuously, so each partition rolls at that period and keeps retention.ms / segment.ms segments. Each segment is
// an open .log file plus an offset and a time index, each memory-mapped ("each log segment uses 2 map areas ...
// creating 50000 partitions on a broker will result allocation of 100000 map areas and likely cause broker crash with
// OutOfMemoryError (Map failed) on a system with default vm.max_map_count" of 65530: Kafka docs, Operations, "OS").
// KIP-1030 raises the minimum of segment.ms / log.roll.ms from 1 ms to 1 minute for that reason (target Kafka 5.0;
// Kafka 4.x still accepts less). Below it the segment count, open files and map areas grow into the hundreds of
// thousands per broker within the retention period, until the broker fails with "Map failed" / "Too many open files"
// and the partitions it leads stop taking Mimir's writes.
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { formatDuration, HOUR_MS } from "../../lib/duration";
import { effectiveTopicSetting, KafkaTopicView } from "../../lib/kafka";
import { Maybe, showFor, Sourced } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { writtenTopics, topicFix, topicUrn, writersText } from "./common";

/** KIP-1030: new minimum of segment.ms / log.roll.ms (1 minute). */
const SEGMENT_MS_FLOOR = 60_000;
/** Kafka broker config docs: log.roll.hours default 168. */
const LOG_ROLL_DEFAULT_MS = 168 * HOUR_MS;

/** segment.ms, else the broker's log.roll.ms, else log.roll.hours, else 168h (Kafka broker config docs). */
function segmentMs(topic: KafkaTopicView): Maybe<Sourced<number>> | undefined {
  const own = topic.topicSetting("segment.ms");
  if (own !== undefined) return own;
  for (const [key, factor] of [
    ["log.roll.ms", 1],
    ["log.roll.hours", HOUR_MS],
  ] as const) {
    const broker = topic.cluster.brokerSetting(key);
    if (broker === undefined) continue;
    if (isUnknown(broker)) return broker;
    if (broker.value === undefined || Number.isNaN(broker.value)) continue;
    return factor === 1 ? broker : { value: broker.value * factor, where: broker.where, text: `${broker.value}` };
  }
  if (topic.cluster.kind === "external") return undefined;
  return { value: LOG_ROLL_DEFAULT_MS, where: "Kafka default log.roll.hours", text: "168" };
}

export const kafkaSegmentRollNotTooFrequent = stackRule<ExternalKafkaRuleConfig>(
  {
    name: "kafka-segment-roll-not-too-frequent",
    rule: "K22",
    description:
      "The Mimir ingest topic's segment.ms (else log.roll.ms / log.roll.hours) must be at least 1 minute (KIP-1030): shorter rolls pile up segments, open files and memory maps until the broker fails",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Remove segment.ms from the KafkaTopic (default 7 days) or set it to hours; size-based rolling (segment.bytes) already bounds segment size.",
    url: "https://cwiki.apache.org/confluence/display/KAFKA/KIP-1030%3A+Change+constraints+and+default+values+for+various+configurations; https://kafka.apache.org/documentation/#os",
    tags: ["kafka", "mimir"],
    configSchema: { properties: { externalKafka: externalKafkaSchema } },
  },
  (stack, ctx) => {
    for (const topic of writtenTopics(stack, ctx)) {
      const roll = segmentMs(topic);
      if (roll === undefined) continue;
      ctx.known([roll], (period) => {
        if (period.value >= SEGMENT_MS_FLOOR) return;
        const retention = effectiveTopicSetting(topic, "retention.ms");
        const kept =
          retention !== undefined && !isUnknown(retention) && retention.value > 0 && period.value > 0
            ? ` With ${showFor(topic.label, retention)} each partition keeps about ${Math.ceil(retention.value / period.value).toLocaleString("en-US")} segments, ` +
              `each an open file and two memory maps on every replica.`
            : "";
        ctx.violation(
          `${showFor(topic.label, period)} (${formatDuration(period.value)}) rolls a new log segment on every partition of the Mimir topic` +
            `${writersText(topic)} that often, below the 1 minute minimum KIP-1030 sets for segment.ms.${kept} The brokers run out of ` +
            `memory map areas (vm.max_map_count 65530: "OutOfMemoryError (Map failed)", Kafka docs, Operations) or file descriptors and ` +
            `stop serving the partitions, so Mimir's writes fail. Fix: ${topicFix(topic, "segment.ms", "log.roll.ms", "at least 3600000 (or remove it: default 7 days)")}.`,
          topicUrn(topic),
        );
      });
    }
  },
);
