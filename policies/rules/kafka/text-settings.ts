// Kafka properties that are not numbers (cleanup.policy, unclean.leader.election.enable), read where a rule can see
// them: a Strimzi Kafka's spec.kafka.config, a KafkaTopic's spec.config, or an external cluster's policy config.
// The chart's built-in Kafka takes them only as env vars the lib does not parse as text: not read (undefined).
import { ExternalKafkaConfig } from "../../lib/config";
import { KafkaCluster, KafkaTopicView } from "../../lib/kafka";
import { StrimziCluster } from "../../lib/kafka/clusters";
import { StrimziTopic } from "../../lib/kafka/topics";
import { Maybe, PropNode, Sourced } from "../../lib/node";
import { isUnknown } from "../../lib/unknown";

function nodeText(node: PropNode): Maybe<Sourced<string>> | undefined {
  const raw = node.raw();
  if (isUnknown(raw)) return raw;
  // A list (Strimzi accepts list values in config) is Kafka's comma-separated list.
  if (Array.isArray(raw)) return { value: raw.map(String).join(","), where: node.where };
  const text = node.string();
  if (text === undefined || isUnknown(text)) return text;
  return { value: text, where: node.where };
}

/** A broker property as set on the cluster (undefined: not set, or not readable for this kind of cluster). */
export function brokerText(
  cluster: KafkaCluster,
  property: string,
  external: ExternalKafkaConfig | undefined,
): Maybe<Sourced<string>> | undefined {
  if (cluster instanceof StrimziCluster) return nodeText(cluster.kafka.spec.get("kafka", "config", property));
  if (cluster.kind === "external") {
    const value = external?.brokerConfig?.[property];
    return value === undefined
      ? undefined
      : { value: String(value), where: `policy config externalKafka.brokerConfig["${property}"]` };
  }
  return undefined;
}

/** A topic-level override (undefined: not set). */
export function topicText(
  topic: KafkaTopicView,
  property: string,
  external: ExternalKafkaConfig | undefined,
): Maybe<Sourced<string>> | undefined {
  if (topic instanceof StrimziTopic) return nodeText(topic.resource.spec.get("config", property));
  if (topic.cluster.kind === "external") {
    const value = external?.topics?.[topic.name]?.config?.[property];
    return value === undefined
      ? undefined
      : { value: String(value), where: `policy config externalKafka.topics["${topic.name}"].config["${property}"]` };
  }
  return undefined;
}

/**
 * The topic's override, else the broker property that provides its default, else Kafka's default on a Strimzi
 * cluster. Undefined for the built-in Kafka and for an external cluster that declares neither.
 */
export function effectiveTopicText(
  topic: KafkaTopicView,
  topicProperty: string,
  brokerProperty: string,
  kafkaDefault: string,
  external: ExternalKafkaConfig | undefined,
): Maybe<Sourced<string>> | undefined {
  const own = topicText(topic, topicProperty, external);
  if (own !== undefined) return own;
  const broker = brokerText(topic.cluster, brokerProperty, external);
  if (broker !== undefined) return broker;
  if (!(topic.cluster instanceof StrimziCluster)) return undefined;
  return {
    value: kafkaDefault,
    where: `Kafka default ${brokerProperty}`,
    note: topic.declared
      ? `not set in ${topic.label} spec.config nor ${topic.cluster.label} spec.kafka.config`
      : `not set in ${topic.cluster.label} spec.kafka.config`,
  };
}

/** Kafka's boolean parsing: "true" in any case, trimmed (clients ConfigDef.parseType BOOLEAN). */
export function kafkaTrue(text: string): boolean {
  return text.trim().toLowerCase() === "true";
}
