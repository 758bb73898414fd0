// K21: the Mimir topic must accept the timestamps Mimir's records carry.
// - Mimir's producer never sets a timestamp: franz-go sets Record.Timestamp when Produce is called and always writes
//   CreateTime batches (twmb/franz-go pkg/kgo/record_and_fetch.go, Record.Timestamp: "Record batches are always
//   written with CreateTime ... This field is always set in Produce"). Mimir retries a record until
//   ingest_storage.kafka.write_timeout (default 10s, config descriptor) with that same timestamp
//   (grafana/mimir pkg/storage/ingest/writer_client.go NewKafkaWriterClient: RecordRetries(MaxInt64),
//   RecordDeliveryTimeout(WriteTimeout)).
// - With message.timestamp.type=CreateTime the leader rejects a record whose timestamp is more than
//   message.timestamp.before.max.ms older, or more than message.timestamp.after.max.ms newer, than its own clock:
//   INVALID_TIMESTAMP, "Timestamp ... is out of range" (apache/kafka storage LogValidator.validateTimestamp; topic
//   config docs, TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_DOC: "ignored if message.timestamp.type=LogAppendTime").
//   Defaults: log.message.timestamp.before.max.ms Long.MAX_VALUE (ServerLogConfigs); after.max.ms 1 hour since Kafka
//   4.0 (KIP-1030).
// So a before-bound under write_timeout refuses records the producer is still allowed to deliver (retries after a
// leader change, back-pressure), and a tiny one refuses every record: the distributor answers 5xx and the write
// fails. The after-bound only has to absorb clock skew between distributor and broker nodes: below 1s it is advisory
// (INFERRED: no upstream floor; Kafka's own default is 1h).
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { formatDuration } from "../../lib/duration";
import { KafkaTopicView, MimirKafkaPath } from "../../lib/kafka";
import { Maybe, parseSourcedDuration, show, showFor, Sourced } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { landscape, topicFix, topicUrn, writersText } from "./common";
import { effectiveTopicText } from "./text-settings";

/** Mimir config descriptor: ingest_storage.kafka.write_timeout 10s (-ingest-storage.kafka.write-timeout). */
const MIMIR_WRITE_TIMEOUT_MS = 10_000;
/** KIP-1030 (Kafka 4.0): log.message.timestamp.after.max.ms default 3600000; before.max.ms stays Long.MAX_VALUE. */
const KAFKA_AFTER_MAX_MS_DEFAULT = 3_600_000;
/** INFERRED floor for the after-bound: clock skew between EC2 nodes under chrony stays far below a second. */
const AFTER_MAX_ADVISORY_MS = 1_000;

/** Topic property, else its broker synonym (`log.` prefix, ServerTopicConfigSynonyms), else Kafka's default. */
export function topicNumber(
  topic: KafkaTopicView,
  property: string,
  kafkaDefault: number,
): Maybe<Sourced<number>> | undefined {
  const own = topic.topicSetting(property);
  if (own !== undefined) return own;
  const broker = topic.cluster.brokerSetting(`log.${property}`);
  if (broker === undefined) return topic.cluster.kind === "external" ? undefined : defaulted();
  if (isUnknown(broker)) return broker;
  return broker.value === undefined || Number.isNaN(broker.value) ? defaulted() : broker;

  function defaulted(): Sourced<number> {
    return { value: kafkaDefault, where: `Kafka default log.${property}` };
  }
}

function writeTimeout(path: MimirKafkaPath): Maybe<Sourced<number>> {
  const set = path.mimir.setting("ingest_storage.kafka.write_timeout");
  if (set === undefined)
    return { value: MIMIR_WRITE_TIMEOUT_MS, where: "Mimir default ingest_storage.kafka.write_timeout", text: "10s" };
  if (isUnknown(set)) return set;
  return parseSourcedDuration(set, "go", path.mimir.urn);
}

export const kafkaTopicAcceptsMimirTimestamps = stackRule<ExternalKafkaRuleConfig>(
  {
    name: "kafka-topic-accepts-mimir-timestamps",
    rule: "K21",
    description:
      "The Mimir ingest topic must accept the CreateTime timestamps of Mimir's records: message.timestamp.before.max.ms at least Mimir's write_timeout, message.timestamp.after.max.ms not below clock skew",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Remove message.timestamp.before.max.ms / after.max.ms from the KafkaTopic (and log.message.timestamp.* from the brokers), or raise before.max.ms to at least ingest_storage.kafka.write_timeout (10s).",
    url: "https://kafka.apache.org/documentation/#topicconfigs_message.timestamp.before.max.ms; https://github.com/apache/kafka/blob/trunk/storage/src/main/java/org/apache/kafka/storage/internals/log/LogValidator.java (validateTimestamp); https://github.com/grafana/mimir/blob/main/pkg/storage/ingest/writer_client.go",
    tags: ["kafka", "mimir"],
    configSchema: { properties: { externalKafka: externalKafkaSchema } },
  },
  (stack, ctx) => {
    const seen = new Set<KafkaTopicView>();
    for (const path of landscape(stack, ctx).paths) {
      const topic = path.topic;
      if (!topic || seen.has(topic)) continue;
      seen.add(topic);
      const type = effectiveTopicText(
        topic,
        "message.timestamp.type",
        "log.message.timestamp.type",
        "CreateTime",
        ctx.config.externalKafka,
      );
      if (isUnknown(type)) {
        ctx.inconclusive(type);
        continue;
      }
      // LogAppendTime: the broker overwrites the timestamp and ignores both bounds (TopicConfig docs).
      if (type !== undefined && type.value.trim() === "LogAppendTime") continue;
      const before = topicNumber(topic, "message.timestamp.before.max.ms", Number.MAX_SAFE_INTEGER);
      const after = topicNumber(topic, "message.timestamp.after.max.ms", KAFKA_AFTER_MAX_MS_DEFAULT);
      if (before !== undefined) {
        ctx.known([before, writeTimeout(path)], (bound, timeout) => {
          if (bound.value >= timeout.value) return;
          ctx.violation(
            `${showFor(topic.label, bound)} (${formatDuration(bound.value)})${writersText(topic)} < ${path.mimir.label} ${show(timeout)}: ` +
              `Mimir's records carry the CreateTime franz-go stamps when the distributor produces them and keep it through retries for up ` +
              `to write_timeout, but the partition leader refuses any record older than ${formatDuration(bound.value)} by its own clock ` +
              `(InvalidTimestampException, "Timestamp ... is out of range"), so those writes fail with 5xx` +
              (bound.value < 1_000 ? " — at this bound nearly every write does" : "") +
              `. Fix: ${topicFix(topic, "message.timestamp.before.max.ms", "log.message.timestamp.before.max.ms", `at least ${timeout.value} (or remove it: Kafka's default is unbounded)`)}.`,
            topicUrn(topic),
          );
        });
      }
      if (after !== undefined) {
        ctx.known([after], (bound) => {
          if (bound.value >= AFTER_MAX_ADVISORY_MS) return;
          ctx.advisory(
            `INFERRED: ${showFor(topic.label, bound)} (${formatDuration(bound.value)}) leaves no room for clock skew between the distributor ` +
              `and broker nodes${writersText(topic)}: a record stamped even a few ms ahead of the leader's clock is refused ` +
              `(InvalidTimestampException) and that write fails. Fix: ${topicFix(topic, "message.timestamp.after.max.ms", "log.message.timestamp.after.max.ms", `at least ${KAFKA_AFTER_MAX_MS_DEFAULT} (Kafka 4's default, KIP-1030)`)}.`,
            topicUrn(topic),
          );
        });
      }
    }
  },
);
