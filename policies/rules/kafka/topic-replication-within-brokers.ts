// K5 (HARD): a topic cannot have more replicas than there are brokers.
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { show, showFor } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { landscape, reportUnverifiable, topicUrn, undeclared, writersText } from "./common";

export const kafkaTopicReplicationWithinBrokers = stackRule<ExternalKafkaRuleConfig>(
  {
    name: "kafka-topic-replication-within-brokers",
    rule: "K5",
    description: "A Kafka topic's replication factor must not exceed the number of brokers",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Lower the topic's replicas (KafkaTopic spec.replicas, or the broker default.replication.factor for auto-created topics) or add brokers (KafkaNodePool replicas with role broker).",
    url: "https://kafka.apache.org/documentation/#topicconfigs (INVALID_REPLICATION_FACTOR; conflict-rules.md K5)",
    tags: ["kafka"],
    configSchema: { properties: { externalKafka: externalKafkaSchema } },
  },
  (stack, ctx) => {
    for (const topic of landscape(stack, ctx).topics) {
      const replicas = topic.replicas();
      const brokers = topic.cluster.brokers();
      if (replicas === undefined || brokers === undefined) {
        const missing = undeclared([
          [replicas, `topics["${topic.name}"].replicas`],
          [brokers, "brokers"],
        ]);
        reportUnverifiable(ctx, topic.cluster, topicUrn(topic), missing, "K5 (topic replication factor)");
        continue;
      }
      ctx.known([replicas, brokers], (rf, brokerCount) => {
        if (rf.value <= brokerCount.value) return;
        ctx.violation(
          `${showFor(topic.label, rf)} > ${brokerCount.value} brokers (${show(brokerCount)})${writersText(topic)}: Kafka refuses ` +
            `to create the topic with INVALID_REPLICATION_FACTOR, so nothing can be written to it. ` +
            `Fix: lower the replication factor to at most ${brokerCount.value} or add brokers to ${topic.cluster.label}.`,
          topicUrn(topic),
        );
      });
    }
  },
);
