// P4 (HARD, pods never scheduled and rollouts stall): kube-prometheus-stack's "hard" pod anti-affinity allows one pod
// of a Prometheus (or Alertmanager) per topology domain, so its pods must not outnumber the domains.
// - `prometheus.prometheusSpec.podAntiAffinity: hard` renders a requiredDuringScheduling anti-affinity term on
//   `podAntiAffinityTopologyKey` (default kubernetes.io/hostname) selecting app.kubernetes.io/name=prometheus and the
//   Prometheus resource's instance, i.e. every pod of every shard (kube-prometheus-stack 88.5.3
//   templates/prometheus/prometheus.yaml, _helpers.tpl prometheus.pod-anti-affinity.matchExpressions); the same for
//   `alertmanager.alertmanagerSpec.podAntiAffinity` (templates/alertmanager/alertmanager.yaml).
// - The scheduler then places at most one of those pods per zone (topology.kubernetes.io/zone) or per node
//   (kubernetes.io/hostname) (Kubernetes docs, "Inter-pod affinity and anti-affinity"). Pods beyond the domains stay
//   Pending for good: the StatefulSet never has all its replicas, and the operator's rolling update, which waits for
//   each pod to be ready, never completes.
// - Domains: the zones of the stack's EKS node groups, or their nodes at maxSize (cluster-autoscaler's ceiling).
import { stackRule } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { known } from "../../lib/unknown";
import { nodeGroups } from "../capacity/nodes";

const ZONE_KEYS = new Set(["topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"]);
const HOST_KEY = "kubernetes.io/hostname";

interface Target {
  what: string;
  spec: string;
  pods: (release: HelmRelease) => { count: number; how: string };
}

const TARGETS: Target[] = [
  {
    what: "Prometheus",
    spec: "prometheus.prometheusSpec",
    pods: (release) => {
      const replicas = known(release.values.at("prometheus.prometheusSpec.replicas").number()) ?? 1;
      const shards = known(release.values.at("prometheus.prometheusSpec.shards").number()) ?? 1;
      return {
        count: replicas * shards,
        how: `prometheusSpec.replicas ${replicas}${shards > 1 ? ` x shards ${shards}` : ""}`,
      };
    },
  },
  {
    what: "Alertmanager",
    spec: "alertmanager.alertmanagerSpec",
    pods: (release) => {
      const replicas = known(release.values.at("alertmanager.alertmanagerSpec.replicas").number()) ?? 1;
      return { count: replicas, how: `alertmanagerSpec.replicas ${replicas}` };
    },
  },
];

export const hardAntiAffinityFitsTopology = stackRule<object>(
  {
    name: "hard-anti-affinity-fits-topology",
    rule: "P4",
    description:
      "With kube-prometheus-stack's podAntiAffinity hard, a Prometheus (replicas x shards) or Alertmanager must not have more pods than the node groups have zones (zone key) or nodes at maxSize (hostname key)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Lower the replicas (or shards) to the number of zones / nodes, use podAntiAffinity soft, or a topology key with more domains.",
    url: "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity (kube-prometheus-stack templates/prometheus/prometheus.yaml podAntiAffinity hard)",
    tags: ["kubernetes", "prometheus", "rollout"],
  },
  (stack, ctx) => {
    const groups = nodeGroups(stack).filter((g) => g.maxSize > 0);
    if (groups.length === 0) return;
    const zones = new Set(groups.flatMap((g) => g.zones));
    const nodes = groups.reduce((sum, g) => sum + g.maxSize, 0);
    for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      for (const target of TARGETS) {
        const mode = release.values.at(`${target.spec}.podAntiAffinity`);
        if (known(mode.string()) !== "hard") continue;
        const keyNode = release.values.at(`${target.spec}.podAntiAffinityTopologyKey`);
        const key = known(keyNode.string()) ?? HOST_KEY; // values.yaml default
        const domains = ZONE_KEYS.has(key)
          ? {
              count: zones.size,
              what: `zone${zones.size === 1 ? "" : "s"} the node groups span (${[...zones].sort().join(", ")})`,
            }
          : key === HOST_KEY
            ? { count: nodes, what: `node${nodes === 1 ? "" : "s"} the node groups have at maxSize` }
            : undefined;
        if (!domains) continue; // another key: its domains are not modelled
        const pods = target.pods(release);
        if (pods.count <= domains.count) continue;
        ctx.violation(
          `${mode.where}=hard on ${key} allows one ${target.what} pod per ${ZONE_KEYS.has(key) ? "zone" : "node"}, but ${pods.how} makes ` +
            `${pods.count} pods and there are ${domains.count} ${domains.what}: ${pods.count - domains.count} pod(s) stay Pending for good, ` +
            `the StatefulSet never has all its replicas and the operator's rolling updates, which wait for every pod, never complete. ` +
            `Fix: at most ${domains.count} pods, podAntiAffinity soft, or a topology key with more domains.`,
          release.resource.urn,
        );
      }
    }
  },
);
