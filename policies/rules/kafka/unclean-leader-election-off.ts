// K15 (HARD, data loss): unclean.leader.election.enable lets a replica outside the ISR become leader "as a last
// resort, even though doing so may result in data loss" (Kafka broker and topic config docs,
// unclean.leader.election.enable, default false): records the distributors already had acknowledged are truncated away.
// On the brokers it also covers __consumer_offsets, where each ingester commits how far it has consumed.
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { KafkaCluster, KafkaTopicView } from "../../lib/kafka";
import { show, showFor } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { brokerFix, landscape, topicUrn, writersText } from "./common";
import { brokerText, kafkaTrue, topicText } from "./text-settings";

const PROPERTY = "unclean.leader.election.enable";

const CONSEQUENCE =
  "when every in-sync replica of a partition is down, a replica that missed the latest writes becomes leader and the " +
  "records the distributors had acknowledged (and answered the write request for) are truncated on every replica: those samples are lost";

export const kafkaUncleanLeaderElectionOff = stackRule<ExternalKafkaRuleConfig>(
  {
    name: "kafka-unclean-leader-election-off",
    rule: "K15",
    description:
      "unclean.leader.election.enable must stay false on the Mimir topic and its brokers: an out-of-sync leader drops acknowledged records",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Remove unclean.leader.election.enable from the KafkaTopic spec.config and the Kafka spec.kafka.config (Kafka's default is false), or set it to false.",
    url: "https://kafka.apache.org/documentation/#brokerconfigs_unclean.leader.election.enable",
    tags: ["kafka", "mimir", "durability"],
    configSchema: { properties: { externalKafka: externalKafkaSchema } },
  },
  (stack, ctx) => {
    const external = ctx.config.externalKafka;
    const clusters = new Set<KafkaCluster>();
    const topics = new Set<KafkaTopicView>();
    for (const path of landscape(stack, ctx).paths) {
      if (path.cluster) clusters.add(path.cluster);
      if (path.topic) topics.add(path.topic);
    }
    for (const cluster of clusters) {
      const setting = brokerText(cluster, PROPERTY, external);
      if (setting === undefined) continue;
      ctx.known([setting], (enabled) => {
        if (!kafkaTrue(enabled.value)) return;
        ctx.violation(
          `${show(enabled)} on the brokers of ${cluster.label} applies to every topic that does not set it to false, Mimir's topic and ` +
            `__consumer_offsets (where the ingesters commit their offsets) included: ${CONSEQUENCE}. Fix: ${brokerFix(cluster, PROPERTY, "false")}, or remove it (Kafka's default is false).`,
          cluster.urn,
        );
      });
    }
    for (const topic of topics) {
      const setting = topicText(topic, PROPERTY, external);
      if (setting === undefined) continue;
      ctx.known([setting], (enabled) => {
        if (!kafkaTrue(enabled.value)) return;
        ctx.violation(
          `${showFor(topic.label, enabled)} on the Mimir topic${writersText(topic)}: ${CONSEQUENCE}. ` +
            `Fix: remove ${PROPERTY} from the topic config or set it to false.`,
          topicUrn(topic),
        );
      });
    }
  },
);
