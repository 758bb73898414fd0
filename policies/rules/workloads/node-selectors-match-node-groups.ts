// P3 (HARD, the component never starts): every node constraint a workload's pods carry must be met by some node group.
// - The scheduler places a pod only on a node whose labels match all of its `nodeSelector` pairs and one of its
//   required node-affinity terms (Kubernetes docs, "Assigning Pods to Nodes": nodeSelectorTerms are ORed, the
//   matchExpressions of a term ANDed; operators In, NotIn, Exists, DoesNotExist, Gt, Lt), and, for a
//   topologySpreadConstraint with `whenUnsatisfiable: DoNotSchedule`, that carries its `topologyKey` (kube-scheduler
//   PodTopologySpread Filter: "node(s) didn't match pod topology spread constraints (missing required label)").
//   Otherwise the pod stays Pending: a new component never starts, and a rollout stalls on its first new pod.
// - The nodes are the EKS managed node groups: their `labels`, plus what the kubelet and EKS set on every node
//   (Kubernetes "Well-Known Labels, Annotations and Taints": kubernetes.io/arch and /os, node.kubernetes.io/instance-type;
//   EKS user guide "Managed node groups": eks.amazonaws.com/nodegroup, eks.amazonaws.com/capacityType). The arch
//   follows the node group's amiType (EKS API Nodegroup amiType: *_ARM_64_* arm64, else amd64). Zone, hostname and
//   the other labels set outside the stack (ANY_VALUE) are not judged here (zones: C2's pod model).
// - Cluster autoscaler scales a node group up for a Pending pod only if a node of that group would fit it (its
//   template node carries the same labels), so no scale-up rescues it.
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { StackResource } from "../../lib/stack";
import { TYPES } from "../../lib/types";
import { known } from "../../lib/unknown";
import { renderedSection, visitPodFields } from "./pod-values";

/** A node label's possible values on a group's nodes: some values, any value (set outside the stack), or absent. */
export type LabelValues = string[] | "any" | "absent";

export interface NodeGroupLabels {
  name: string;
  labels: (key: string) => LabelValues;
}

/**
 * Labels every EKS node has whose values the stack does not decide (Kubernetes docs "Well-Known Labels, Annotations
 * and Taints": hostname, zone, region and their deprecated failure-domain forms; the AWS cloud provider's
 * topology.k8s.aws/zone-id; the EBS CSI node's topology.ebs.csi.aws.com/zone; EKS user guide "Managed node groups":
 * eks.amazonaws.com/nodegroup-image and the launch-template labels; k8s.io/cloud-provider-aws).
 */
const ANY_VALUE = new Set([
  "kubernetes.io/hostname",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "topology.k8s.aws/zone-id",
  "topology.ebs.csi.aws.com/zone",
  "eks.amazonaws.com/nodegroup-image",
  "eks.amazonaws.com/sourceLaunchTemplateId",
  "eks.amazonaws.com/sourceLaunchTemplateVersion",
  "k8s.io/cloud-provider-aws",
]);

/**
 * Other labels of AWS's domains may be set by AWS components the stack does not see (any value); other labels of the
 * Kubernetes domains are reserved and, outside the well-known list, set by nothing on an EKS node (absent).
 */
const AWS_DOMAIN = /(^|\.)(amazonaws\.com|k8s\.aws)\//;

export function nodeGroupLabels(group: StackResource): NodeGroupLabels | undefined {
  const labelsNode = group.props.get("labels");
  if (labelsNode.isUnknown) return undefined;
  const own: Record<string, string> = {};
  for (const [key, value] of known(labelsNode.entries()) ?? []) {
    const text = value.isUnknown ? undefined : known(value.string());
    if (text !== undefined) own[key] = text;
  }
  const types = (known(group.props.get("instanceTypes").items()) ?? [])
    .map((n) => (n.isUnknown ? undefined : known(n.string())))
    .filter((t): t is string => !!t);
  const ami = group.props.get("amiType").isUnknown ? undefined : known(group.props.get("amiType").string());
  const arch = ami === undefined ? undefined : /ARM_64/.test(ami) ? "arm64" : "amd64";
  const capacity = group.props.get("capacityType").isUnknown
    ? undefined
    : (known(group.props.get("capacityType").string()) ?? "ON_DEMAND");
  const groupName = group.props.get("nodeGroupName").isUnknown
    ? undefined
    : known(group.props.get("nodeGroupName").string());
  const wellKnown: Record<string, LabelValues> = {
    "kubernetes.io/arch": arch ? [arch] : "any",
    "beta.kubernetes.io/arch": arch ? [arch] : "any",
    "kubernetes.io/os": ["linux"],
    "beta.kubernetes.io/os": ["linux"],
    // EKS defaults a node group without instance types to t3.medium (CreateNodegroup instanceTypes).
    "node.kubernetes.io/instance-type": types.length > 0 ? types : ["t3.medium"],
    "eks.amazonaws.com/capacityType": capacity ? [capacity] : "any",
    "eks.amazonaws.com/nodegroup": groupName ? [groupName] : "any",
  };
  return {
    name: group.name,
    labels: (key) =>
      key in own ? [own[key]] : (wellKnown[key] ?? (ANY_VALUE.has(key) || AWS_DOMAIN.test(key) ? "any" : "absent")),
  };
}

/** Whether a node-selector requirement can hold on a node of the group. */
export function satisfiable(values: LabelValues, operator: string, wanted: string[]): boolean {
  if (values === "any") return true;
  switch (operator) {
    case "In":
      return values !== "absent" && values.some((v) => wanted.includes(v));
    case "NotIn":
      return values === "absent" || values.some((v) => !wanted.includes(v));
    case "Exists":
      return values !== "absent";
    case "DoesNotExist":
      return values === "absent";
    case "Gt":
    case "Lt": {
      if (values === "absent") return false;
      const bound = Number(wanted[0]);
      return values.some((v) => (operator === "Gt" ? Number(v) > bound : Number(v) < bound));
    }
    default:
      return true; // an operator the API server refuses is not this rule's to report
  }
}

/** One requirement as text, e.g. `kubernetes.io/arch In [amd64]`. */
interface Requirement {
  key: string;
  operator: string;
  values: string[];
  where: string;
}

const text = (r: Requirement) =>
  r.operator === "In" && r.values.length === 1 && /\.nodeSelector(\[|\.)/.test(r.where)
    ? `${r.key}=${r.values[0]}`
    : `${r.key} ${r.operator}${r.values.length > 0 ? ` [${r.values.join(", ")}]` : ""}`;

/** The constraints of one pod spec: every nodeSelector pair and topology key, and one of the affinity terms. */
interface PodConstraints {
  where: string;
  all: Requirement[];
  anyOf: Requirement[][];
}

function strings(node: PropNode): string[] | undefined {
  const items = node.isUnknown ? undefined : known(node.items());
  if (items === undefined) return [];
  const out = items.map((i) => (i.isUnknown ? undefined : known(i.string())));
  return out.every((v): v is string => v !== undefined) ? out : undefined;
}

/** Reads the constraint fields of one pod spec (siblings under `spec`); undefined when a part is unknown. */
function constraintsOf(spec: PropNode, fields: Set<string>): PodConstraints | undefined {
  const all: Requirement[] = [];
  const anyOf: Requirement[][] = [];
  if (fields.has("nodeSelector")) {
    const selector = spec.get("nodeSelector");
    if (selector.isUnknown) return undefined;
    for (const [key, value] of known(selector.entries()) ?? []) {
      if (value.isUnknown) return undefined;
      const v = known(value.string());
      if (v !== undefined) all.push({ key, operator: "In", values: [v], where: value.where });
    }
  }
  if (fields.has("affinity")) {
    const terms = spec.at("affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms");
    if (terms.isUnknown) return undefined;
    for (const term of known(terms.items()) ?? []) {
      const expressions: Requirement[] = [];
      for (const e of known(term.get("matchExpressions").items()) ?? []) {
        const key = e.get("key").isUnknown ? undefined : known(e.get("key").string());
        const operator = e.get("operator").isUnknown ? undefined : known(e.get("operator").string());
        const values = strings(e.get("values"));
        if (key === undefined || operator === undefined || values === undefined) return undefined;
        expressions.push({ key, operator, values, where: e.where });
      }
      // matchFields (metadata.name) names a node outside the stack: the term is not judged.
      if (term.get("matchFields").isPresent) return undefined;
      anyOf.push(expressions);
    }
  }
  if (fields.has("topologySpreadConstraints")) {
    const list = spec.get("topologySpreadConstraints");
    if (list.isUnknown) return undefined;
    for (const c of known(list.items()) ?? []) {
      const when = c.get("whenUnsatisfiable").isUnknown ? undefined : known(c.get("whenUnsatisfiable").string());
      const key = c.get("topologyKey").isUnknown ? undefined : known(c.get("topologyKey").string());
      if (when === "ScheduleAnyway" || key === undefined) continue;
      all.push({ key, operator: "Exists", values: [], where: c.get("topologyKey").where });
    }
  }
  return { where: spec.where, all, anyOf };
}

/** The requirements no node group can meet together, or undefined when some group can. */
function unmet(pod: PodConstraints, groups: NodeGroupLabels[]): Requirement[] | undefined {
  const holds = (g: NodeGroupLabels, r: Requirement) => satisfiable(g.labels(r.key), r.operator, r.values);
  const fits = (g: NodeGroupLabels) =>
    pod.all.every((r) => holds(g, r)) && (pod.anyOf.length === 0 || pod.anyOf.some((t) => t.every((r) => holds(g, r))));
  if (groups.some(fits)) return undefined;
  const failing = pod.all.filter((r) => !groups.some((g) => holds(g, r)));
  if (failing.length > 0) return failing;
  const terms = pod.anyOf.map((t) => t.filter((r) => !groups.some((g) => holds(g, r))));
  const blamed = terms.flat();
  // No single requirement fails everywhere: they fail together (say, an arch on one group, an instance type on another).
  return blamed.length > 0 ? blamed : [...pod.all, ...pod.anyOf.flat()];
}

/** What the node groups carry for a label key, e.g. `every node group has kubernetes.io/arch=arm64`. */
function onNodes(key: string, groups: NodeGroupLabels[]): string {
  const byValue = new Map<string, string[]>();
  for (const g of groups) {
    const values = g.labels(key);
    const shown =
      values === "absent"
        ? "no such label"
        : values === "any"
          ? "a value set outside the stack"
          : `${key}=${values.join("|")}`;
    byValue.set(shown, [...(byValue.get(shown) ?? []), g.name]);
  }
  if (byValue.size === 1) {
    const [only] = byValue.keys();
    return only === "no such label" ? "no node group has this label" : `every node group has ${only}`;
  }
  return [...byValue]
    .map(([shown, names]) => `${names.join(", ")} ${names.length > 1 ? "have" : "has"} ${shown}`)
    .join(", ");
}

const FIELDS = new Set(["nodeSelector", "affinity", "topologySpreadConstraints"]);

export const nodeSelectorsMatchNodeGroups = stackRule<object>(
  {
    name: "node-selectors-match-node-groups",
    rule: "P3",
    description:
      "Every nodeSelector, required node-affinity term and DoNotSchedule topology-spread key of the stack's workloads is met by the labels of some EKS node group",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Remove the selector, or select a label the node groups carry (their `labels`, kubernetes.io/arch of their AMI, " +
      "node.kubernetes.io/instance-type, eks.amazonaws.com/capacityType), or add a node group that carries it.",
    url: "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/; https://kubernetes.io/docs/reference/labels-annotations-taints/",
    tags: ["kubernetes", "capacity", "rollout"],
  },
  (stack, ctx) => {
    const resources = stack.ofType(TYPES.eksNodeGroup);
    if (resources.length === 0) return; // nodes outside the stack: nothing to judge against
    const read = resources.map(nodeGroupLabels);
    if (read.some((g) => g === undefined)) return; // a group's labels unknown (preview): judged at the update
    const groups = read as NodeGroupLabels[];
    const judged = new Set<string>();
    /** Judges the pod spec holding a constraint field once (its siblings are read with it). */
    const judgeSpec = (findings: string[]) => (_field: PropNode, _path: string[], spec: PropNode) => {
      if (judged.has(spec.where)) return;
      judged.add(spec.where);
      const pod = constraintsOf(spec, FIELDS);
      const failing = pod && unmet(pod, groups);
      if (failing) findings.push(failing.map((r) => `${r.where} (${text(r)}: ${onNodes(r.key, groups)})`).join(", "));
    };
    const report = (label: string, urn: string, findings: string[]) => {
      if (findings.length === 0) return;
      ctx.violation(
        `${findings.join("; ")}: no node group's nodes match, so no node can run these pods of ${label} (a Deployment's or StatefulSet's stay Pending, a DaemonSet runs none): ` +
          `the component never starts, and a rollout stalls on its first new pod (cluster-autoscaler adds no node for them: ` +
          `a new node of any group has the same labels). Fix: remove the selector or select a label the node groups carry, ` +
          `or add a node group that carries it.`,
        urn,
      );
    };
    for (const release of stack.helmReleases()) {
      const findings: string[] = [];
      visitPodFields(
        release.values,
        FIELDS,
        judgeSpec(findings),
        (path) => path.length === 1 && !renderedSection(release, path),
        ctx,
      );
      report(release.label, release.resource.urn, findings);
    }
    for (const kind of ["Kafka", "KafkaNodePool"] as const) {
      for (const cr of stack.strimzi(kind)) {
        const findings: string[] = [];
        visitPodFields(cr.spec, FIELDS, judgeSpec(findings), () => false, ctx);
        // Rack awareness adds a required node affinity `<topologyKey> Exists` to every broker pod (Strimzi
        // cluster-operator model/ModelUtils.java affinityWithRackLabelSelector, from KafkaCluster for broker nodes).
        const rack = cr.spec.at("kafka.rack.topologyKey");
        const key = kind === "Kafka" && !rack.isUnknown ? known(rack.string()) : undefined;
        const requirement = key && { key, operator: "Exists", values: [], where: rack.where };
        if (requirement && !groups.some((g) => satisfiable(g.labels(key), "Exists", [])))
          findings.push(
            `${rack.where} (${text(requirement)}: ${onNodes(key, groups)}; Strimzi requires it of every broker)`,
          );
        report(cr.label, cr.resource.urn, findings);
      }
    }
  },
);
