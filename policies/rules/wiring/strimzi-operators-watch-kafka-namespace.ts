// W8: a Strimzi operator must watch the namespaces holding the stack's Strimzi resources.
// - Cluster Operator (strimzi-kafka-operator chart 1.2.0): STRIMZI_NAMESPACE is "*" with watchAnyNamespace: true, else
//   watchNamespaces plus the release's own namespace (templates/_helpers.tpl "strimzi.watchNamespacesList": `append
//   .Values.watchNamespaces .Release.Namespace | uniq`; templates/060-Deployment-strimzi-cluster-operator.yaml), and the
//   RoleBindings are created only in those namespaces (020-/023-RoleBinding). A Kafka or KafkaNodePool elsewhere is
//   never reconciled: no broker pod, no bootstrap Service, so every Mimir write fails.
// - Topic and User Operators (Entity Operator) watch spec.entityOperator.{topicOperator,userOperator}.watchedNamespace,
//   by default the Kafka's own namespace (Strimzi docs, "EntityTopicOperatorSpec"/"EntityUserOperatorSpec":
//   watchedNamespace "The namespace the Topic Operator should watch", default the Kafka cluster's namespace). A
//   KafkaTopic or KafkaUser in another namespace is never reconciled: no topic, no credentials.
import { stackRule } from "../../lib/policy";
import { CustomResource, StackView, STRIMZI_CLUSTER_LABEL } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { isUnknown, Unknown } from "../../lib/unknown";

interface Watch {
  readonly any: boolean;
  readonly namespaces: Set<string>;
  readonly label: string;
}

function operatorWatches(stack: StackView): Watch[] | Unknown {
  const watches: Watch[] = [];
  for (const release of stack.helmReleases(CHARTS.strimzi)) {
    const any = release.values.at("watchAnyNamespace").boolean();
    const list = release.values.at("watchNamespaces").items();
    if (isUnknown(any)) return any;
    if (isUnknown(list)) return list;
    const namespaces = new Set<string>([release.namespace]);
    for (const item of list ?? []) {
      const ns = item.string();
      if (isUnknown(ns)) return ns;
      if (ns) namespaces.add(ns);
    }
    watches.push({ any: any === true, namespaces, label: release.label });
  }
  return watches;
}

export const strimziOperatorsWatchKafkaNamespace = stackRule<object>(
  {
    name: "strimzi-operators-watch-kafka-namespace",
    rule: "W8",
    description:
      "The Strimzi Cluster Operator must watch the namespace of every Kafka and KafkaNodePool (watchAnyNamespace, or watchNamespaces plus its release namespace), and the Entity Operator that of every KafkaTopic and KafkaUser",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Add the Kafka namespace to the strimzi-kafka-operator release's watchNamespaces (or install it there, or set watchAnyNamespace: true); keep KafkaTopic/KafkaUser in the Kafka's namespace or the Entity Operator's watchedNamespace.",
    url: "https://github.com/strimzi/strimzi-kafka-operator/blob/1.2.0/packaging/helm-charts/helm3/strimzi-kafka-operator/templates/_helpers.tpl (strimzi.watchNamespacesList); https://strimzi.io/docs/operators/latest/configuring.html#type-EntityTopicOperatorSpec-reference",
    tags: ["kafka", "wiring"],
  },
  (stack, ctx) => {
    const watches = operatorWatches(stack);
    if (isUnknown(watches)) {
      ctx.inconclusive(watches);
      return;
    }
    const kafkas = stack.strimzi("Kafka");
    // No operator release in the stack: it is installed some other way, which the pack cannot read.
    if (watches.length > 0 && !watches.some((w) => w.any)) {
      const watched = new Set(watches.flatMap((w) => [...w.namespaces]));
      const shown = [...watched].sort().join(", ");
      for (const resource of [...kafkas, ...stack.strimzi("KafkaNodePool")]) {
        const namespace = resource.namespace ?? "default";
        if (watched.has(namespace)) continue;
        ctx.violation(
          `${resource.label} is in namespace ${namespace}, but ${watches.map((w) => w.label).join(", ")} watches only ${shown} ` +
            `(watchNamespaces plus the release namespace; watchAnyNamespace false): the Cluster Operator never reconciles it, so no ` +
            `broker runs and no bootstrap Service exists, and every Mimir write fails. Fix: add ${namespace} to watchNamespaces ` +
            `(overrides.strimzi.watchNamespaces) or set watchAnyNamespace: true.`,
          resource.resource.urn,
        );
      }
    }
    const entities: Array<[CustomResource, "topicOperator" | "userOperator"]> = [
      ...stack.strimzi("KafkaTopic").map((t) => [t, "topicOperator"] as [CustomResource, "topicOperator"]),
      ...stack.strimzi("KafkaUser").map((u) => [u, "userOperator"] as [CustomResource, "userOperator"]),
    ];
    for (const [resource, operator] of entities) {
      const clusterName = resource.labels[STRIMZI_CLUSTER_LABEL];
      const kafka = kafkas.find((k) => k.name === clusterName);
      if (!kafka) continue; // K0/K19 report resources without their Kafka
      const node = kafka.spec.get("entityOperator", operator);
      if (!node.isPresent) continue; // K20 reports a missing operator
      const watchedNode = node.get("watchedNamespace").string();
      if (isUnknown(watchedNode)) {
        ctx.inconclusive(watchedNode);
        continue;
      }
      const watched = watchedNode || (kafka.namespace ?? "default");
      const namespace = resource.namespace ?? "default";
      if (namespace === watched) continue;
      ctx.violation(
        `${resource.label} is in namespace ${namespace}, but the ${operator} of ${kafka.label} watches only ${watched} ` +
          `(spec.entityOperator.${operator}.watchedNamespace${watchedNode ? "" : ", default the Kafka's namespace"}): it is never ` +
          `reconciled, so ${operator === "topicOperator" ? "Mimir's topic is never created" : "Mimir's credentials and ACLs are never written"} ` +
          `and every write fails. Fix: create it in namespace ${watched}.`,
        resource.resource.urn,
      );
    }
  },
);
