// K20: Strimzi's Topic Operator creates the KafkaTopic's topic and its User Operator the KafkaUser's credentials and
// ACLs; both run only when the Kafka CR declares them under spec.entityOperator (Strimzi docs, "Configuring the Entity
// Operator": topicOperator and userOperator are deployed only when their property is present). Without them the
// custom resources are never reconciled: Mimir's topic does not exist (auto-creation is off) and its ACLs are never
// written, so every write fails.
import { strimziBelongsTo } from "../../lib/kafka";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { landscape } from "./common";

const OPERATORS = [
  { kind: "KafkaTopic" as const, operator: "topicOperator", what: "its topic is never created" },
  { kind: "KafkaUser" as const, operator: "userOperator", what: "its credentials and ACLs are never written" },
];

export const kafkaOperatorsReconcileTopicAndUser = stackRule<object>(
  {
    name: "kafka-operators-reconcile-topic-and-user",
    rule: "K20",
    description:
      "A Kafka with KafkaTopic or KafkaUser resources must run the Entity Operator's topicOperator or userOperator that reconciles them",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Keep spec.entityOperator.topicOperator and spec.entityOperator.userOperator in the Kafka resource (overrides.kafkaCluster.entityOperator).",
    url: "https://strimzi.io/docs/operators/latest/deploying#assembly-using-the-entity-operator-str",
    tags: ["kafka"],
  },
  (stack, ctx) => {
    for (const cluster of landscape(stack, ctx).clusters) {
      if (cluster.kind !== "strimzi") continue;
      const kafka = stack.strimzi("Kafka").find((k) => k.resource.urn === cluster.urn);
      if (!kafka) continue;
      for (const { kind, operator, what } of OPERATORS) {
        const resources = stack.strimzi(kind).filter((r) => strimziBelongsTo(r, cluster));
        if (resources.length === 0) continue;
        const node = kafka.spec.get("entityOperator", operator);
        const raw = node.raw();
        if (isUnknown(raw)) {
          ctx.inconclusive(raw);
          continue;
        }
        if (raw !== undefined && raw !== null) continue;
        ctx.violation(
          `${kafka.label} has no spec.entityOperator.${operator}, but ${resources.map((r) => `${kind} "${r.name}"`).join(", ")} ` +
            `belong${resources.length === 1 ? "s" : ""} to it: nothing reconciles ${resources.length === 1 ? "it" : "them"}, so ${what} and Mimir's writes fail. ` +
            `Fix: keep spec.entityOperator.${operator} (an empty object deploys it with defaults).`,
          kafka.resource.urn,
        );
      }
    }
  },
);
