/**
 * How long `pulumi up` takes from an empty stack: the engine creates a resource once its dependencies and its
 * provider exist, so the rollout is the longest path through the captured dependency graph weighted with nominal
 * durations. Compared with a lower bound (EKS cluster, then one node group, then the slowest chain of releases and
 * Strimzi resources that wait for readiness), and searched for dependencies a resource does not need.
 */
import { type CapacityAnalysis } from "../../policies/model";
import type { CapturedResource, CapturedStack } from "../harness/capture-types";
import { nominalDuration } from "./durations";
import { providerUrnOf } from "../harness/engine-identity";

/** Prerequisites a Kubernetes workload may need: schedulable nodes, cluster DNS, dynamic EBS volumes. */
export type Prerequisite = "nodes" | "dns" | "storage";

export interface RolloutNode {
  urn: string;
  name: string;
  type: string;
  minutes: number;
  source: string;
  /** URNs it waits for: its dependencies (components expanded to their resources) and its provider. */
  after: string[];
  /** The prerequisite this resource provides, if it is one. */
  provides?: Prerequisite;
  /** Prerequisites it really needs; undefined: not analysed (cloud infrastructure). */
  needs?: Prerequisite[];
  /** Counted in the lower bound's release chain: a Helm release or a Strimzi resource that waits for readiness. */
  releaseChain: boolean;
  stage?: "cluster" | "nodeGroup";
}

export interface PathStep {
  name: string;
  type: string;
  startMinute: number;
  minutes: number;
  source: string;
}

export interface UnneededDependency {
  /** The resource, and the exact edges that can go. */
  from: { name: string; type: string; urn: string };
  to: Array<{ name: string; type: string; urn: string }>;
  reason: string;
  /** Minutes the whole rollout gets shorter once these edges go (the prerequisites it does need kept). */
  savingMinutes: number;
}

export interface RolloutEstimate {
  minutes: number;
  criticalPath: PathStep[];
  lowerBound: { minutes: number; parts: Array<{ what: string; minutes: number }> };
  /** minutes / lowerBound.minutes. */
  ratioToLowerBound: number;
  unneededDependencies: UnneededDependency[];
}

const ADDON_PREREQUISITE: Record<string, Prerequisite> = { coredns: "dns", "aws-ebs-csi-driver": "storage" };

function providerUrn(reference: string | undefined): string | undefined {
  return reference ? providerUrnOf(reference) : undefined;
}

/** Dependencies on a component stand for every custom resource under it (the Node SDK's expansion). */
function expandComponents(resources: CapturedResource[]): (urn: string) => string[] {
  const children = new Map<string, string[]>();
  for (const r of resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const expand = (urn: string): string[] => {
    const r = byUrn.get(urn);
    if (!r || r.custom) return [urn];
    return (children.get(urn) ?? []).flatMap(expand);
  };
  return expand;
}

export function buildRolloutGraph(captured: CapturedStack, capacity: CapacityAnalysis): RolloutNode[] {
  const expand = expandComponents(captured.resources);
  const podsOf = (urn: string) => capacity.pods.filter((g) => g.ownerUrn === urn && g.replicas > 0);
  const poolsNeedStorage = capacity.pods.some((g) => g.owner.startsWith("KafkaNodePool") && g.volumeBytes > 0);
  return captured.resources
    .filter((r) => r.custom && !r.read)
    .map((r) => {
      const pods = podsOf(r.urn);
      const duration = nominalDuration(r, pods.length > 0);
      const after = new Set(r.dependencies.flatMap(expand));
      const provider = providerUrn(r.provider);
      if (provider) after.add(provider);
      after.delete(r.urn);
      let provides: Prerequisite | undefined;
      if (r.type === "aws:eks/nodeGroup:NodeGroup") provides = "nodes";
      if (r.type === "aws:eks/addon:Addon") provides = ADDON_PREREQUISITE[String(r.inputs.addonName)];
      if (r.type === "kubernetes:storage.k8s.io/v1:StorageClass") provides = "storage";
      let needs: Prerequisite[] | undefined;
      if (r.type.startsWith("kubernetes:") && !provides) {
        if (r.type === "kubernetes:helm.sh/v3:Release") {
          needs =
            pods.length === 0
              ? []
              : ["nodes", "dns", ...(pods.some((g) => g.volumeBytes > 0) ? (["storage"] as const) : [])];
        } else if (r.type.startsWith("kubernetes:kafka.strimzi.io/") && r.type.endsWith(":Kafka")) {
          // Ready only once the node pools' pods run on their volumes.
          needs = ["nodes", "dns", ...(poolsNeedStorage ? (["storage"] as const) : [])];
        } else {
          needs = [];
        }
      }
      const releaseChain =
        r.type === "kubernetes:helm.sh/v3:Release" ||
        (r.type.startsWith("kubernetes:kafka.strimzi.io/") && duration.minutes > 0.1);
      return {
        urn: r.urn,
        name: r.name,
        type: r.type,
        minutes: duration.minutes,
        source: duration.source,
        after: [...after],
        provides,
        needs,
        releaseChain,
        stage:
          r.type === "aws:eks/cluster:Cluster"
            ? "cluster"
            : r.type === "aws:eks/nodeGroup:NodeGroup"
              ? "nodeGroup"
              : undefined,
      };
    });
}

/** Earliest finish of every node when each starts as soon as everything it waits for has finished. */
function finishTimes(nodes: RolloutNode[], weight: (n: RolloutNode) => number = (n) => n.minutes): Map<string, number> {
  const byUrn = new Map(nodes.map((n) => [n.urn, n]));
  const finish = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (n: RolloutNode): number => {
    const known = finish.get(n.urn);
    if (known !== undefined) return known;
    if (visiting.has(n.urn)) throw new Error(`dependency cycle through ${n.name}`);
    visiting.add(n.urn);
    const start = Math.max(
      0,
      ...n.after
        .map((u) => byUrn.get(u))
        .filter((d): d is RolloutNode => d !== undefined)
        .map(visit),
    );
    visiting.delete(n.urn);
    const end = start + weight(n);
    finish.set(n.urn, end);
    return end;
  };
  nodes.forEach(visit);
  return finish;
}

export function criticalPath(nodes: RolloutNode[]): { minutes: number; path: PathStep[] } {
  if (nodes.length === 0) return { minutes: 0, path: [] };
  const byUrn = new Map(nodes.map((n) => [n.urn, n]));
  const finish = finishTimes(nodes);
  let current: RolloutNode | undefined = nodes.reduce(
    (a: RolloutNode, b: RolloutNode) => (finish.get(b.urn)! > finish.get(a.urn)! ? b : a),
    nodes[0],
  );
  const minutes = finish.get(current.urn)!;
  const path: PathStep[] = [];
  while (current) {
    const start: number = finish.get(current.urn)! - current.minutes;
    if (current.minutes > 0)
      path.unshift({
        name: current.name,
        type: current.type,
        startMinute: start,
        minutes: current.minutes,
        source: current.source,
      });
    const deps: RolloutNode[] = current.after.map((u) => byUrn.get(u)).filter((d): d is RolloutNode => d !== undefined);
    current =
      deps.find((d) => Math.abs(finish.get(d.urn)! - start) < 1e-9 && (d.minutes > 0 || start > 0)) ??
      deps.find((d) => Math.abs(finish.get(d.urn)! - start) < 1e-9);
  }
  return { minutes, path };
}

/** Cluster, then one node group, then the slowest chain of releases and waiting Strimzi resources. */
export function lowerBound(nodes: RolloutNode[]): RolloutEstimate["lowerBound"] {
  const longest = (stage: RolloutNode["stage"]) =>
    Math.max(0, ...nodes.filter((n) => n.stage === stage).map((n) => n.minutes));
  const chain = Math.max(0, ...finishTimes(nodes, (n) => (n.releaseChain ? n.minutes : 0)).values());
  const parts = [
    { what: "EKS cluster", minutes: longest("cluster") },
    { what: "one node group", minutes: longest("nodeGroup") },
    { what: "slowest chain of releases and Strimzi resources", minutes: chain },
  ];
  return { minutes: parts.reduce((sum, p) => sum + p.minutes, 0), parts };
}

/** Does `from` still reach a provider of `need` through `after` edges? */
function reaches(nodes: Map<string, RolloutNode>, from: RolloutNode, need: Prerequisite): boolean {
  const seen = new Set<string>();
  const stack = [...from.after];
  while (stack.length > 0) {
    const urn = stack.pop()!;
    if (seen.has(urn)) continue;
    seen.add(urn);
    const node = nodes.get(urn);
    if (!node) continue;
    if (node.provides === need) return true;
    stack.push(...node.after);
  }
  return false;
}

/**
 * The graph after dropping `edges` (from -> to URNs), with every resource that needs a prerequisite and lost its
 * path to one given direct edges to that prerequisite's providers: the program change the finding asks for.
 */
export function withoutEdges(nodes: RolloutNode[], edges: Array<{ from: string; to: string }>): RolloutNode[] {
  const drop = new Set(edges.map((e) => `${e.from} ${e.to}`));
  const trimmed = nodes.map((n) => ({ ...n, after: n.after.filter((u) => !drop.has(`${n.urn} ${u}`)) }));
  const byUrn = new Map(trimmed.map((n) => [n.urn, n]));
  for (const node of trimmed) {
    for (const need of node.needs ?? []) {
      if (!reaches(byUrn, node, need))
        node.after = [...node.after, ...trimmed.filter((p) => p.provides === need).map((p) => p.urn)];
    }
  }
  return trimmed;
}

export function unneededDependencies(nodes: RolloutNode[]): UnneededDependency[] {
  const byUrn = new Map(nodes.map((n) => [n.urn, n]));
  const base = criticalPath(nodes).minutes;
  const findings: UnneededDependency[] = [];
  for (const node of nodes) {
    if (!node.needs) continue;
    const extra = node.after
      .map((u) => byUrn.get(u))
      .filter((d): d is RolloutNode => d?.provides !== undefined && !node.needs!.includes(d.provides));
    if (extra.length === 0) continue;
    const reduced = withoutEdges(
      nodes,
      extra.map((d) => ({ from: node.urn, to: d.urn })),
    );
    const what = node.needs.length === 0 ? "creates no pods" : `runs pods that need only ${node.needs.join(", ")}`;
    findings.push({
      from: { name: node.name, type: node.type, urn: node.urn },
      to: extra.map((d) => ({ name: d.name, type: d.type, urn: d.urn })),
      reason: `${node.name} ${what}, not ${[...new Set(extra.map((d) => d.provides))].join(" or ")}`,
      savingMinutes: Math.max(0, base - criticalPath(reduced).minutes),
    });
  }
  return findings.sort((a, b) => b.savingMinutes - a.savingMinutes);
}

export function estimateRollout(captured: CapturedStack, capacity: CapacityAnalysis): RolloutEstimate {
  const nodes = buildRolloutGraph(captured, capacity);
  const { minutes, path } = criticalPath(nodes);
  const bound = lowerBound(nodes);
  return {
    minutes,
    criticalPath: path,
    lowerBound: bound,
    ratioToLowerBound: bound.minutes > 0 ? minutes / bound.minutes : 1,
    unneededDependencies: unneededDependencies(nodes),
  };
}
