// Shared wording and plumbing of the Kafka rules.
import { ExternalKafkaRuleConfig } from "../../lib/config";
import { KafkaCluster, kafkaEnvName, KafkaLandscape, kafkaLandscape, KafkaTopicView } from "../../lib/kafka";
import { RuleContext } from "../../lib/policy";
import { StackView } from "../../lib/stack";

export function landscape<C extends ExternalKafkaRuleConfig>(stack: StackView, ctx: RuleContext<C>): KafkaLandscape {
  const found = kafkaLandscape(stack, ctx.config.externalKafka);
  found.unknowns.forEach((u) => ctx.inconclusive(u));
  return found;
}

/** The topics Mimir writes to, each once however many Mimir releases write to it (one finding per topic). */
export function writtenTopics<C extends ExternalKafkaRuleConfig>(
  stack: StackView,
  ctx: RuleContext<C>,
): KafkaTopicView[] {
  const topics = landscape(stack, ctx).paths.map((path) => path.topic);
  return [...new Set(topics.filter((topic): topic is KafkaTopicView => topic !== undefined))];
}

/** Labels of the facts a check needs that are not declared (value undefined), for reportUnverifiable. */
export function undeclared(facts: ReadonlyArray<readonly [unknown, string]>): string[] {
  return facts.filter(([value]) => value === undefined).map(([, label]) => label);
}

/** Advisory for a cluster outside the stack whose facts were not declared in the policy config. */
export function reportUnverifiable<C extends object>(
  ctx: RuleContext<C>,
  cluster: KafkaCluster,
  urn: string,
  facts: string[],
  rule: string,
): void {
  ctx.advisory(
    `${cluster.label} is not defined in this stack, so ${rule} cannot be verified: ${facts.join(", ")} not declared. ` +
      `Declare them under externalKafka in this policy's config (--policy-pack-config; see policies/README.md).`,
    urn,
  );
}

/** How to set a broker property on this kind of cluster; `target` reads like "at least 16000000". */
export function brokerFix(cluster: KafkaCluster, property: string, target: string): string {
  switch (cluster.kind) {
    case "strimzi":
      return `set spec.kafka.config["${property}"] to ${target} on ${cluster.label}`;
    case "builtin":
      return `set env ${kafkaEnvName(property)} to ${target} in the values kafka.extraEnv (chart 6.0.x; kafka.env in later charts) of ${cluster.label.replace("the built-in Kafka of ", "")}, or use a Strimzi Kafka`;
    case "external":
      return `set ${property} to ${target} on the brokers of ${cluster.label} and declare it in externalKafka.brokerConfig`;
  }
}

/** How to set a topic property (falling back to the broker property when the topic is not declared). */
export function topicFix(topic: KafkaTopicView, topicProperty: string, brokerProperty: string, target: string): string {
  if (topic.cluster.kind === "strimzi" && topic.declared) {
    return `set spec.config["${topicProperty}"] to ${target} on ${topic.label}, or ${brokerProperty} on its brokers`;
  }
  if (topic.cluster.kind === "strimzi") {
    return `declare the topic as a KafkaTopic with spec.config["${topicProperty}"] ${target}, or ${brokerFix(topic.cluster, brokerProperty, target)}`;
  }
  return brokerFix(topic.cluster, brokerProperty, target);
}

/** The resource a topic finding is attached to: the KafkaTopic when declared, else the cluster's resource. */
export function topicUrn(topic: KafkaTopicView): string {
  return topic.declared && topic.cluster.kind === "strimzi"
    ? topic.urn
    : topic.cluster.kind === "external"
      ? topic.urn
      : topic.cluster.urn;
}

export function writersText(topic: KafkaTopicView): string {
  return topic.writers.length ? ` (written by ${topic.writers.map((w) => w.label).join(", ")})` : "";
}
