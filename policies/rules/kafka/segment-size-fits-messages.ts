// K2 (HARD): a log segment must be able to hold the largest message the topic accepts.
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { effectiveTopicSetting } from "../../lib/kafka";
import { show, showFor } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { landscape, reportUnverifiable, topicFix, topicUrn, undeclared, writersText } from "./common";

export const kafkaSegmentSizeFitsMessages = stackRule<ExternalKafkaRuleConfig>(
  {
    name: "kafka-segment-size-fits-messages",
    rule: "K2",
    description:
      "Kafka segment.bytes (topic, else broker log.segment.bytes) must be at least the effective max message size",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise segment.bytes on the topic (or log.segment.bytes on the brokers, default 1 GiB) to at least the effective max message size, or lower max.message.bytes.",
    url: "https://kafka.apache.org/documentation/#topicconfigs_segment.bytes (RECORD_LIST_TOO_LARGE; conflict-rules.md K2)",
    tags: ["kafka"],
    configSchema: { properties: { externalKafka: externalKafkaSchema } },
  },
  (stack, ctx) => {
    for (const topic of landscape(stack, ctx).topics) {
      const segment = effectiveTopicSetting(topic, "segment.bytes");
      const maxMessage = effectiveTopicSetting(topic, "max.message.bytes");
      if (segment === undefined || maxMessage === undefined) {
        const missing = undeclared([
          [segment, "segment.bytes (or brokerConfig log.segment.bytes)"],
          [maxMessage, "max.message.bytes (or brokerConfig message.max.bytes)"],
        ]);
        reportUnverifiable(ctx, topic.cluster, topicUrn(topic), missing, "K2 (segment size)");
        continue;
      }
      ctx.known([segment, maxMessage], (seg, max) => {
        if (seg.value >= max.value) return;
        ctx.violation(
          `${showFor(topic.label, seg)} < max message size ${show(max)}${writersText(topic)}: a batch that fits the message limit ` +
            `does not fit a segment, the broker answers RECORD_LIST_TOO_LARGE and the write fails. ` +
            `Fix: ${topicFix(topic, "segment.bytes", "log.segment.bytes", `at least ${max.value}`)}.`,
          topicUrn(topic),
        );
      });
    }
  },
);
