// K7 (HARD): with acks=all (Mimir's producer) every write needs min.insync.replicas replicas; more than RF is impossible.
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
        remediationSteps: "Lower min.insync.replicas to at most the replication factor; production habit: RF 3 with min ISR 2 on at least 3 brokers, so one broker may be lost.",
        url: "https://kafka.apache.org/documentation/#topicconfigs_min.insync.replicas (NOT_ENOUGH_REPLICAS; conflict-rules.md K7)",
        tags: ["kafka", "mimir"],
        configSchema: { properties: { externalKafka: externalKafkaSchema } },
    },
    (stack, ctx) => {
        for (const topic of landscape(stack, ctx).topics) {
            const minIsr = effectiveTopicSetting(topic, "min.insync.replicas");
            const replicas = topic.replicas();
            if (minIsr === undefined || replicas === undefined) {
                const missing = undeclared([[minIsr, "min.insync.replicas (topic config or brokerConfig)"], [replicas, `topics["${topic.name}"].replicas`]]);
                reportUnverifiable(ctx, topic.cluster, topicUrn(topic), missing, "K7 (min in-sync replicas)");
                continue;
            }
            ctx.known([minIsr, replicas], (isr, rf) => {
                if (isr.value <= rf.value) return;
                ctx.violation(
                    `${showFor(topic.label, isr)} > replication factor ${show(rf)}${writersText(topic)}: with acks=all (Mimir's producer) ` +
                        `every write fails with NOT_ENOUGH_REPLICAS (Kafka does not check this at creation). ` +
                        `Fix: ${topicFix(topic, "min.insync.replicas", "min.insync.replicas", `at most ${rf.value}`)}.`,
                    topicUrn(topic),
                );
            });
        }
    },
);
