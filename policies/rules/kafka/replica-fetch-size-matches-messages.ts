// K4 (SOFT): replica.fetch.max.bytes aligned with the max message size keeps replication of large batches fast.
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { effectiveTopicSetting } from "../../lib/kafka";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { brokerFix, landscape, reportUnverifiable, topicUrn, writersText } from "./common";

export const kafkaReplicaFetchSizeMatchesMessages = stackRule<ExternalKafkaRuleConfig>(
  {
    name: "kafka-replica-fetch-size-matches-messages",
    rule: "K4",
    description: "Kafka replica.fetch.max.bytes should be at least the effective max message size",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps:
      "Set replica.fetch.max.bytes on the brokers to the same value as message.max.bytes (the seed incident fix used 16777216 for both).",
    url: "https://kafka.apache.org/documentation/#brokerconfigs_replica.fetch.max.bytes (KIP-74; conflict-rules.md K4)",
    tags: ["kafka"],
    configSchema: { properties: { externalKafka: externalKafkaSchema } },
  },
  (stack, ctx) => {
    for (const topic of landscape(stack, ctx).topics) {
      const fetch = topic.cluster.brokerSetting("replica.fetch.max.bytes");
      const maxMessage = effectiveTopicSetting(topic, "max.message.bytes");
      if (fetch === undefined || maxMessage === undefined) {
        reportUnverifiable(
          ctx,
          topic.cluster,
          topicUrn(topic),
          ["brokerConfig replica.fetch.max.bytes and message.max.bytes"],
          "K4 (replica fetch size)",
        );
        continue;
      }
      ctx.known([fetch, maxMessage], (fetchSize, max) => {
        if (fetchSize.value >= max.value) return;
        ctx.violation(
          `${show(fetchSize)} < max message size of ${topic.label} ${show(max)}${writersText(topic)}: since KIP-74 followers still ` +
            `replicate an oversized first batch, but one batch per fetch slows replication and can hold back the ISR under load. ` +
            `Fix: ${brokerFix(topic.cluster, "replica.fetch.max.bytes", `at least ${max.value}`)}.`,
          topic.cluster.urn,
        );
      });
    }
  },
);
