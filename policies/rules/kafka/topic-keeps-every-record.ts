// K14 (HARD, data loss): the Mimir topic must be cleaned up by deletion only. Mimir keys every record with the
// tenant id (grafana/mimir pkg/storage/ingest/writer.go marshalWriteRequestToRecord: `Key: []byte(tenantID)`), so
// compaction ("compact", "compact,delete") keeps only the newest record per tenant per partition (Kafka topic config
// docs, cleanup.policy: "compact" retains the latest value for each key) and every earlier write request is dropped.
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { showFor } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { writtenTopics, topicFix, topicUrn, writersText } from "./common";
import { effectiveTopicText } from "./text-settings";

/** Kafka's default log.cleanup.policy (Kafka broker config docs). */
const KAFKA_DEFAULT_CLEANUP_POLICY = "delete";

export const kafkaTopicKeepsEveryRecord = stackRule<ExternalKafkaRuleConfig>(
  {
    name: "kafka-topic-keeps-every-record",
    rule: "K14",
    description:
      "The Mimir ingest topic's cleanup.policy must be delete only: Mimir keys every record with the tenant id, so compaction keeps one record per tenant per partition",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'Set cleanup.policy to "delete" on the topic (KafkaTopic spec.config) and leave log.cleanup.policy at its default "delete" on the brokers.',
    url: "https://kafka.apache.org/documentation/#topicconfigs_cleanup.policy; https://github.com/grafana/mimir/blob/main/pkg/storage/ingest/writer.go (marshalWriteRequestToRecord)",
    tags: ["kafka", "mimir", "retention"],
    configSchema: { properties: { externalKafka: externalKafkaSchema } },
  },
  (stack, ctx) => {
    for (const topic of writtenTopics(stack, ctx)) {
      const policy = effectiveTopicText(
        topic,
        "cleanup.policy",
        "log.cleanup.policy",
        KAFKA_DEFAULT_CLEANUP_POLICY,
        ctx.config.externalKafka,
      );
      if (policy === undefined) continue;
      ctx.known([policy], (cleanup) => {
        const policies = cleanup.value.split(",").map((p) => p.trim().toLowerCase());
        if (!policies.includes("compact")) return;
        ctx.violation(
          `${showFor(topic.label, cleanup)} compacts the Mimir topic${writersText(topic)}, but Mimir keys every record with its tenant id ` +
            `(grafana/mimir pkg/storage/ingest/writer.go marshalWriteRequestToRecord): the log cleaner keeps only the newest record per tenant ` +
            `per partition, so the write requests an ingester replays after a restart or lag are gone and their samples are lost. ` +
            `Fix: ${topicFix(topic, "cleanup.policy", "log.cleanup.policy", '"delete"')}.`,
          topicUrn(topic),
        );
      });
    }
  },
);
