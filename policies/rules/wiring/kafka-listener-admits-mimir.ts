// W12 (HARD, writes stop): a Strimzi listener that names its network peers must admit every Mimir component that
// talks to Kafka.
// - Strimzi turns a listener's `networkPolicyPeers` into the only ingress rule for its port in the NetworkPolicy it
//   generates for the brokers (cluster-operator model/KafkaCluster.java generateNetworkPolicy:
//   NetworkPolicyUtils.createIngressRule(listener.getPort(), listener.getNetworkPolicyPeers())); without peers the port
//   is open to every pod (Strimzi docs, "Restricting access to listeners using network policies").
// - A peer is a Kubernetes NetworkPolicyPeer: a podSelector alone selects pods of the policy's (the Kafka) namespace, a
//   namespaceSelector alone every pod of the selected namespaces, both together the selected pods of the selected
//   namespaces (Kubernetes docs, "Network Policies", the to/from selectors); an ipBlock is not judged here.
// - With ingest storage the distributors produce every write to Kafka and the ingesters consume it (Mimir docs, "About
//   ingest storage architecture"). A distributor the listener does not admit cannot write: every push fails after its
//   retries; an ingester not admitted cannot read: no new sample becomes queryable and its lag grows until the data ages
//   out of the topic.
// - Mimir pod labels (mimir-distributed _helpers.tpl mimir.podLabels): app.kubernetes.io/name (mimir, or nameOverride),
//   app.kubernetes.io/instance (the release), app.kubernetes.io/component (the component), global.podLabels and the
//   component's podLabels; zone-aware StatefulSets add name, rollout-group and zone. Namespaces carry
//   kubernetes.io/metadata.name (Kubernetes sets it on every namespace since 1.22) plus the labels the stack gives them.
import { kafkaLandscape, strimziListeners } from "../../lib/kafka";
import { MimirRelease } from "../../lib/mimir";
import {
  Labels,
  labelSelector,
  namespaceLabels,
  plainLabels as plain,
  selectorMatches,
} from "../../lib/label-selector";
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown, known } from "../../lib/unknown";

/** The components that use Kafka in ingest storage, their values section, and what stops without it. */
const KAFKA_CLIENTS = [
  {
    component: "distributor",
    effect: "the distributors cannot produce: every remote-write push fails after its retries",
  },
  {
    component: "ingester",
    effect:
      "the ingesters cannot consume: no new sample becomes queryable and their lag grows until the records age out of the topic",
  },
] as const;

/** Pod labels a selector may name but whose values the pack does not model: never judged as missing. */
const UNMODELLED = new Set([
  "helm.sh/chart",
  "app.kubernetes.io/version",
  "app.kubernetes.io/managed-by",
  "app.kubernetes.io/part-of",
  "name",
  "rollout-group",
  "zone",
]);

function podLabels(mimir: MimirRelease, component: string): Labels {
  const values = mimir.release.values;
  const name = known(values.get("nameOverride").string());
  return new Map(
    Object.entries({
      ...plain(values.at("global.podLabels")),
      ...plain(values.at(`${component}.podLabels`)),
      "app.kubernetes.io/name": name || "mimir",
      "app.kubernetes.io/instance": mimir.release.releaseName,
      "app.kubernetes.io/component": component,
    }),
  );
}

/** Whether one NetworkPolicyPeer lets the pod in (an ipBlock is taken as admitting: pod IPs are not modelled). */
function admits(peer: PropNode, pod: Labels, podNamespace: Labels, policyNamespace: string): boolean {
  if (peer.get("ipBlock").isPresent) return true;
  const pods = peer.get("podSelector");
  const namespaces = peer.get("namespaceSelector");
  const namespaceOk = namespaces.isPresent
    ? selectorMatches(labelSelector(namespaces), podNamespace)
    : podNamespace.get("kubernetes.io/metadata.name") === policyNamespace;
  return namespaceOk && (!pods.isPresent || selectorMatches(labelSelector(pods), pod, UNMODELLED));
}

export const kafkaListenerAdmitsMimir = stackRule<object>(
  {
    name: "kafka-listener-admits-mimir",
    rule: "W12",
    description:
      "A Strimzi listener Mimir uses that lists networkPolicyPeers must admit Mimir's distributors and ingesters (ingest storage)",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Let the listener's networkPolicyPeers select every Mimir pod (namespaceSelector kubernetes.io/metadata.name=<mimir namespace> with " +
      "podSelector app.kubernetes.io/name=mimir, app.kubernetes.io/instance=<release>, as the program does), or at least the distributors and ingesters.",
    url: "https://strimzi.io/docs/operators/latest/configuring.html#con-common-configuration-listeners-reference (networkPolicyPeers); https://kubernetes.io/docs/concepts/services-networking/network-policies/",
    tags: ["kafka", "mimir", "wiring", "network"],
  },
  (stack, ctx) => {
    const landscape = kafkaLandscape(stack);
    landscape.unknowns.forEach((u) => ctx.inconclusive(u));
    for (const path of landscape.paths) {
      if (path.cluster?.kind !== "strimzi" || path.port === undefined) continue;
      const ingest = path.mimir.boolean("ingest_storage.enabled");
      if (isUnknown(ingest)) {
        ctx.inconclusive(ingest);
        continue;
      }
      if (!ingest.value) continue;
      const kafka = stack.strimzi("Kafka").find((k) => k.resource.urn === path.cluster!.urn);
      const listeners = strimziListeners(path.cluster);
      if (!kafka || listeners === undefined) continue;
      if (isUnknown(listeners)) {
        ctx.inconclusive(listeners);
        continue;
      }
      const listener = listeners.find((l) => l.get("port").raw() === path.port);
      const peers = listener && known(listener.get("networkPolicyPeers").items());
      if (!listener || !peers || peers.length === 0) continue; // no peers: the port is open to every pod
      const namespace = namespaceLabels(stack, path.mimir.release.namespace);
      const shut = KAFKA_CLIENTS.filter(
        (c) =>
          !peers.some((p) => admits(p, podLabels(path.mimir, c.component), namespace, kafka.namespace ?? "default")),
      );
      if (shut.length === 0) continue;
      ctx.violation(
        `${listener.get("networkPolicyPeers").where} admits none of ${path.mimir.label}'s ${shut.map((c) => c.component).join(" or ")} pods ` +
          `(namespace ${path.mimir.release.namespace}, labels ${shut.map((c) => `app.kubernetes.io/component=${c.component}`).join(" / ")}, ` +
          `app.kubernetes.io/instance=${path.mimir.release.releaseName}): Strimzi makes those peers the only ingress to port ${path.port}, ` +
          `so ${shut.map((c) => c.effect).join("; and ")}. Fix: let a peer select them (namespaceSelector ` +
          `kubernetes.io/metadata.name=${path.mimir.release.namespace} with podSelector app.kubernetes.io/instance=${path.mimir.release.releaseName}).`,
        kafka.resource.urn,
      );
    }
  },
);
