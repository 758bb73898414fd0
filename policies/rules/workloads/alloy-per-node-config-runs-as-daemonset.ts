// P2 (HARD, silent log loss): an Alloy configuration that collects only what is on its own node must run on every node.
// - The alloy chart 1.11.1 runs Alloy as `controller.type` ('daemonset' by default; 'deployment' or 'statefulset' run
//   `controller.replicas` pods wherever the scheduler puts them: values.yaml "Number of pods to deploy. Ignored when
//   controller.type is 'daemonset'"), and sets K8S_NODE_NAME from the pod's spec.nodeName (templates/containers/_agent.yaml).
// - A config is per node when it:
//   - discovers pods through a `discovery.kubernetes` field selector on `spec.nodeName=` (Alloy reference,
//     discovery.kubernetes `selectors`: the API server returns only the pods bound to that node; the program's config
//     does this with sys.env("K8S_NODE_NAME"), components/alloy/config.ts buildAlloyConfig);
//   - tails files under /var/log, which with the chart's hostPath mount (alloy.mounts.varlog) are the kubelet's log
//     files of the node the pod runs on (Kubernetes docs, "Logging architecture": /var/log/pods on each node);
//   - reads the node's systemd journal (loki.source.journal: the journal of the host whose files it reads).
// With a Deployment or StatefulSet the nodes without an Alloy pod are never read: their pods' logs never reach Loki and
// nothing reports an error (every Alloy pod is healthy). L7 (alloy-reads-host-logs) checks the mount itself.
// - A DaemonSet runs a pod only on the nodes its pod template admits: `controller.nodeSelector`, the required node
//   affinity of `controller.affinity` and, against each node's NoSchedule / NoExecute taints, `controller.tolerations`
//   (alloy chart 1.11.1 templates/controllers/_pod.yaml; Kubernetes docs, "DaemonSet", Running Pods on select Nodes:
//   "the DaemonSet controller will create Pods on nodes which match that node selector"; the controller adds only the
//   node.kubernetes.io/* condition tolerations by itself, "Taints and tolerations"). The nodes are the EKS node groups,
//   each node in one zone of its group's subnets (labels as P3 node-selectors-match-node-groups reads them, the zone
//   label from the subnet's availabilityZone). A per-node config on a DaemonSet that leaves out some of the stack's
//   nodes loses those nodes' logs the same silent way.
import { stripComments } from "../../lib/alloy";
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease, StackView } from "../../lib/stack";
import { CHARTS, TYPES } from "../../lib/types";
import { isUnknown, known } from "../../lib/unknown";
import { subnetsOf, ZONE_LABEL } from "../../lib/zones";
import { nodeGroupLabels, satisfiable } from "./node-selectors-match-node-groups";

/** EKS taint effects (API NO_SCHEDULE ...) as Kubernetes names them. */
const EFFECT: Record<string, string> = {
  NO_SCHEDULE: "NoSchedule",
  NO_EXECUTE: "NoExecute",
  PREFER_NO_SCHEDULE: "PreferNoSchedule",
};

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

/** Kubernetes toleration matching (core/v1 Toleration.ToleratesTaint): key, Exists / Equal value, effect. */
function tolerates(t: Toleration, taint: { key: string; value?: string; effect: string }): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === "Exists") return !t.key || t.key === taint.key;
  return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
}

/**
 * The stack's nodes (node group and zone) the DaemonSet's pod template leaves out, each with why; undefined when an
 * input is unknown (recorded as inconclusive).
 */
function nodesLeftOut(stack: StackView, release: HelmRelease, ctx: RuleContext<object>): string[] | undefined {
  const v = release.values;
  const selectorNode = v.at("controller.nodeSelector");
  const termsNode = v.at(
    "controller.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms",
  );
  const tolerationsNode = v.at("controller.tolerations");
  for (const n of [selectorNode, termsNode, tolerationsNode])
    if (n.isUnknown) {
      ctx.inconclusive(n.unknown());
      return undefined;
    }
  const selector = (selectorNode.raw() ?? {}) as Record<string, unknown>;
  const terms = (Array.isArray(termsNode.raw()) ? termsNode.raw() : []) as Array<{
    matchExpressions?: Array<{ key: string; operator: string; values?: unknown[] }>;
  }>;
  const tolerations = (Array.isArray(tolerationsNode.raw()) ? tolerationsNode.raw() : []) as Toleration[];
  const subnets = stack.ofType(TYPES.subnet);
  const out: string[] = [];
  for (const group of stack.ofType(TYPES.eksNodeGroup)) {
    const labels = nodeGroupLabels(group);
    const groupSubnets = subnetsOf(group, subnets);
    if (!labels || isUnknown(groupSubnets)) {
      if (isUnknown(groupSubnets)) ctx.inconclusive(groupSubnets);
      return undefined;
    }
    const zones = groupSubnets
      .map((s) => known(s.props.get("availabilityZone").string()))
      .filter((z): z is string => !!z);
    const taintsNode = group.props.get("taints");
    if (taintsNode.isUnknown) {
      ctx.inconclusive(taintsNode.unknown());
      return undefined;
    }
    const taints = (
      (Array.isArray(taintsNode.raw()) ? taintsNode.raw() : []) as Array<{
        key: string;
        value?: string;
        effect: string;
      }>
    )
      .map((t) => ({ ...t, effect: EFFECT[t.effect] ?? t.effect }))
      .filter((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
    const untolerated = taints.filter((t) => !tolerations.some((tol) => tolerates(tol, t)));
    for (const zone of zones.length > 0 ? zones : [undefined]) {
      const valuesOf = (key: string) => (key === ZONE_LABEL && zone ? [zone] : labels.labels(key));
      const why: string[] = [];
      for (const [key, wanted] of Object.entries(selector)) {
        if (!satisfiable(valuesOf(key), "In", [String(wanted)])) why.push(`nodeSelector ${key}=${String(wanted)}`);
      }
      if (
        terms.length > 0 &&
        !terms.some((term) =>
          (term.matchExpressions ?? []).every((e) =>
            satisfiable(valuesOf(e.key), e.operator, (e.values ?? []).map(String)),
          ),
        )
      )
        why.push("no required node-affinity term matches");
      for (const t of untolerated) why.push(`taint ${t.key}${t.value ? `=${t.value}` : ""}:${t.effect} not tolerated`);
      if (why.length > 0) out.push(`NodeGroup "${group.name}"${zone ? ` in ${zone}` : ""} (${why.join("; ")})`);
    }
  }
  return out;
}

/** The placement values set on the release, for messages. */
function placementWhere(release: HelmRelease): string {
  const nodes: PropNode[] = ["controller.nodeSelector", "controller.affinity", "controller.tolerations"].map((p) =>
    release.values.at(p),
  );
  const set = nodes.filter((n) => n.isPresent).map((n) => `${n.where}=${JSON.stringify(n.raw())}`);
  return set.length > 0 ? set.join(", ") : `${release.label}'s DaemonSet pod template`;
}

/** What makes a config per node, with how messages describe it. */
const PER_NODE: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  {
    pattern: /"\s*spec\.nodeName\s*=/,
    what: 'discovers only its own node\'s pods (a discovery.kubernetes field selector "spec.nodeName=...")',
  },
  { pattern: /"\/var\/log\//, what: "tails the node's log files under /var/log" },
  { pattern: /\bloki\.source\.journal\s+"/, what: "reads the node's systemd journal (loki.source.journal)" },
];

export const alloyPerNodeConfigRunsAsDaemonset = stackRule<object>(
  {
    name: "alloy-per-node-config-runs-as-daemonset",
    rule: "P2",
    description:
      "An Alloy config that collects from its own node only (spec.nodeName discovery, /var/log files, the journal) must run as a DaemonSet whose placement (nodeSelector, required node affinity, tolerations of the node groups' taints) covers every node of the stack",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep controller.type: daemonset (the chart default) for the log-collecting Alloy; run cluster-wide collection that needs a " +
      "Deployment or StatefulSet in a second Alloy release whose config discovers pods of every node.",
    url: "https://grafana.com/docs/alloy/latest/reference/components/discovery/discovery.kubernetes/ (selectors); alloy chart values.yaml controller.type",
    tags: ["alloy", "loki", "kubernetes"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.alloy)) {
      const content = release.values.at("alloy.configMap.content").string();
      const typeNode = release.values.at("controller.type");
      const type = typeNode.string();
      if (isUnknown(content)) {
        ctx.inconclusive(content);
        continue;
      }
      if (isUnknown(type)) {
        ctx.inconclusive(type);
        continue;
      }
      if (!content) continue;
      const text = stripComments(content);
      const reasons = PER_NODE.filter((p) => p.pattern.test(text)).map((p) => p.what);
      if (reasons.length === 0) continue;
      // alloy chart values.yaml controller.type: 'daemonset'.
      if (type === undefined || type === "" || type === "daemonset") {
        const left = nodesLeftOut(stack, release, ctx);
        if (!left || left.length === 0) continue;
        ctx.violation(
          `${placementWhere(release)}: the Alloy DaemonSet runs no pod on ${[...left].sort().join(", ")}, while its config ` +
            `(values.alloy.configMap.content) ${reasons.join(" and ")}: the pods the stack runs on those nodes never have their logs collected, ` +
            `silently (every Alloy pod stays healthy). Fix: drop the placement values so the DaemonSet runs on every node, or widen them ` +
            `(and tolerate the node groups' taints) to cover every node group and zone the stack schedules pods on.`,
          release.resource.urn,
        );
        continue;
      }
      const replicas = release.values.at("controller.replicas").number();
      const count =
        isUnknown(replicas) || replicas === undefined ? "1 (chart default controller.replicas)" : String(replicas);
      ctx.violation(
        `${typeNode.where}=${type} runs ${count} Alloy pod(s) wherever the scheduler places them, but its config (values.alloy.configMap.content) ` +
          `${reasons.join(" and ")}: each pod collects only from the node it landed on, so the pods on every node without an Alloy pod ` +
          `never have their logs collected, silently (every Alloy pod stays healthy). Fix: set controller.type: daemonset (the chart default), ` +
          `which runs one Alloy pod per node.`,
        release.resource.urn,
      );
    }
  },
);
