// K1 (HARD, the seed incident): Kafka's effective max message size must hold Mimir's producer batch.
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { effectiveTopicSetting, MIMIR_PRODUCER_BATCH_BYTES } from "../../lib/kafka";
import { showFor } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { landscape, reportUnverifiable, topicFix, topicUrn } from "./common";

interface Config extends ExternalKafkaRuleConfig {
  requiredMaxMessageBytes: number;
}

export const kafkaMessageSizeFitsMimirBatch = stackRule<Config>(
  {
    name: "kafka-message-size-fits-mimir-batch",
    rule: "K1",
    description:
      "Kafka's effective max message size (topic max.message.bytes, else broker message.max.bytes) must be at least Mimir's 16,000,000-byte producer batch",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Raise max.message.bytes on the Mimir topic (KafkaTopic spec.config) or message.max.bytes on the brokers (Kafka spec.kafka.config; " +
      "for the mimir-distributed built-in Kafka the env KAFKA_MESSAGE_MAX_BYTES in kafka.extraEnv / kafka.env) to at least 16000000.",
    url: "https://github.com/grafana/mimir/blob/main/docs/sources/mimir/configure/configure-kafka-backend.md (grafana/mimir#14821, PR #14874)",
    tags: ["kafka", "mimir"],
    configSchema: {
      properties: {
        requiredMaxMessageBytes: {
          type: "integer",
          minimum: 1,
          default: MIMIR_PRODUCER_BATCH_BYTES,
          description: "Bytes the effective max message size must reach (Mimir's batch: 16000000).",
        },
        externalKafka: externalKafkaSchema,
      },
    },
  },
  (stack, ctx) => {
    const required = ctx.config.requiredMaxMessageBytes;
    for (const path of landscape(stack, ctx).paths) {
      const topic = path.topic;
      if (!topic) continue;
      const effective = effectiveTopicSetting(topic, "max.message.bytes");
      if (effective === undefined) {
        reportUnverifiable(
          ctx,
          topic.cluster,
          topicUrn(topic),
          [`topics["${topic.name}"].config["max.message.bytes"] or brokerConfig["message.max.bytes"]`],
          "K1 (max message size)",
        );
        continue;
      }
      ctx.known([effective], (size) => {
        if (size.value >= required) return;
        ctx.violation(
          `${showFor(topic.label, size)} < ${required}, the producer batch of ${path.mimir.label} (Mimir batches up to ` +
            `16,000,000 bytes per partition): Kafka will answer MESSAGE_TOO_LARGE, Mimir returns HTTP 400 ` +
            `(err-mimir-distributor-max-write-request-data-item-size) and the samples are dropped. ` +
            `Fix: ${topicFix(topic, "max.message.bytes", "message.max.bytes", `at least ${required}`)}.`,
          topicUrn(topic),
        );
      });
    }
  },
);
