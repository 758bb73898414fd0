// K7: with acks=all (Mimir's producer) every write needs min.insync.replicas in-sync replicas. Since Kafka 3.7 the
// broker caps the effective value at the partition's replica count (Partition.scala effectiveMinIsr, KAFKA-15583,
// apache/kafka#14594), so min ISR above RF no longer fails every write: it silently demands that every replica stay
// in sync, and any one broker's restart, or the loss of its zone, stops Mimir's writes.
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { effectiveTopicSetting } from "../../lib/kafka";
import { show, showFor } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { landscape, reportUnverifiable, topicFix, topicUrn, undeclared, writersText } from "./common";

export const kafkaMinInsyncWithinReplication = stackRule<ExternalKafkaRuleConfig>(
  {
    name: "kafka-min-insync-within-replication",
    rule: "K7",
    description: "Kafka min.insync.replicas (topic, else broker) must not exceed the topic's replication factor",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Lower min.insync.replicas to at most the replication factor; production habit: RF 3 with min ISR 2 on at least 3 brokers, so one broker may be lost.",
    url: "https://kafka.apache.org/documentation/#topicconfigs_min.insync.replicas (NOT_ENOUGH_REPLICAS; effective min ISR capped at the replicas since Kafka 3.7, KAFKA-15583)",
    tags: ["kafka", "mimir"],
    configSchema: { properties: { externalKafka: externalKafkaSchema } },
  },
  (stack, ctx) => {
    for (const topic of landscape(stack, ctx).topics) {
      const minIsr = effectiveTopicSetting(topic, "min.insync.replicas");
      const replicas = topic.replicas();
      if (minIsr === undefined || replicas === undefined) {
        const missing = undeclared([
          [minIsr, "min.insync.replicas (topic config or brokerConfig)"],
          [replicas, `topics["${topic.name}"].replicas`],
        ]);
        reportUnverifiable(ctx, topic.cluster, topicUrn(topic), missing, "K7 (min in-sync replicas)");
        continue;
      }
      ctx.known([minIsr, replicas], (isr, rf) => {
        if (isr.value === rf.value && rf.value > 1) {
          ctx.advisory(
            `${showFor(topic.label, isr)} equals replication factor ${show(rf)}${writersText(topic)}: every write needs all ${rf.value} replicas in sync, ` +
              `so each broker restart (a rolling update, a node drain) stops Mimir's writes until it is back. ` +
              `Fix: ${topicFix(topic, "min.insync.replicas", "min.insync.replicas", `${rf.value - 1} (one replica to spare)`)}.`,
            topicUrn(topic),
          );
          return;
        }
        if (isr.value <= rf.value) return;
        ctx.violation(
          `${showFor(topic.label, isr)} > replication factor ${show(rf)}${writersText(topic)}: with acks=all (Mimir's producer) ` +
            `Kafka (3.7 and later) caps it at the replica count, so every write needs all ${rf.value} replicas in sync: one broker restart or zone loss ` +
            `fails Mimir's writes with NOT_ENOUGH_REPLICAS until it returns (Kafka does not check this at creation). ` +
            `Fix: ${topicFix(topic, "min.insync.replicas", "min.insync.replicas", `at most ${rf.value}`)}.`,
          topicUrn(topic),
        );
      });
    }
  },
);
