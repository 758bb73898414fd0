// Whether every pod finds a node: per availability zone, the pods placed there against that zone's node groups at
// their maximum size, after kube-reserved, the eviction threshold and the DaemonSets every node runs.
//
// Placement (stated assumptions): a pod pinned to one zone (nodeSelector or a one-zone affinity) goes there; other
// pods spread one at a time to the allowed zone holding the fewest pods of their group (what a topology spread with
// maxSkew 1 converges to), ties to the zone with the most free memory. Within a zone pods are packed first-fit,
// largest memory request first, onto the zone's nodes in order; a pod that fits no node is unschedulable.
//
// Arithmetic, not per pod: a replica count comes from values a user can override (1e12 must not loop). Spreading one
// at a time keeps the zones' counts within one of each other, so each zone gets floor(replicas / zones) and the
// remainder goes one at a time as the loop would; first-fit of identical pods fills each node in order.
import { Allocatable, KUBERNETES_CLUSTER_LIMITS } from "./figures";
import { NodeGroupView } from "./nodes";
import { PodGroup } from "./pods";

export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
  pods: number;
}

export interface Unschedulable {
  owner: string;
  ownerUrn: string;
  component: string;
  pods: number;
  zone?: string;
  reason: string;
}

export interface ZoneFit {
  zone: string;
  nodeGroups: string[];
  instanceType: string;
  maxNodes: number;
  desiredNodes: number;
  allocatablePerNode: Resources;
  daemonSetsPerNode: Resources;
  /** Requests of the pods placed in this zone (DaemonSets excluded). */
  requested: Resources;
  /** maxNodes x (allocatable - DaemonSets). */
  capacity: Resources;
  /** Nodes the packing opened: what the zone needs, at least. */
  nodesNeeded: number;
  unschedulable: Unschedulable[];
}

export interface UnsizedNodeGroup {
  nodeGroup: string;
  urn: string;
  zone: string;
  instanceTypes: string[];
}

export interface FitResult {
  zones: ZoneFit[];
  /** Pods that found no zone or no node; empty when everything schedules. */
  unschedulable: Unschedulable[];
  /** Node groups whose instance type the model cannot size: their zones are not checked. */
  unsized: UnsizedNodeGroup[];
}

interface Slot {
  cpuMillis: number;
  memoryBytes: number;
  pods: number;
  used: boolean;
}

/** Nodes per zone the model lays out: no more than one Kubernetes cluster holds, whatever a node group's maxSize says. */
const MAX_NODES_PER_CLUSTER = KUBERNETES_CLUSTER_LIMITS.maxNodes;

const add = (a: Resources, b: Resources): Resources => ({
  cpuMillis: a.cpuMillis + b.cpuMillis,
  memoryBytes: a.memoryBytes + b.memoryBytes,
  pods: a.pods + b.pods,
});
const ZERO: Resources = { cpuMillis: 0, memoryBytes: 0, pods: 0 };

export function fmtCpu(millis: number): string {
  return millis >= 1000 ? `${(millis / 1000).toFixed(2).replace(/\.?0+$/, "")} cores` : `${Math.round(millis)}m`;
}
export function fmtMemory(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)}Gi`;
}

function zoneGroups(groups: NodeGroupView[]): Map<string, NodeGroupView[]> {
  const byZone = new Map<string, NodeGroupView[]>();
  for (const group of groups) {
    for (const zone of group.zones) byZone.set(zone, [...(byZone.get(zone) ?? []), group]);
  }
  return byZone;
}

export function fitPods(groups: PodGroup[], nodeGroupViews: NodeGroupView[]): FitResult {
  const byZone = zoneGroups(nodeGroupViews);
  const zoneNames = [...byZone.keys()].sort();
  const daemonSets = groups.filter((g) => g.placement.kind === "daemonset");
  const perNodeDaemonSets = daemonSets.reduce<Resources>(
    (sum, g) =>
      add(sum, { cpuMillis: g.cpuMillis * g.replicas, memoryBytes: g.memoryBytes * g.replicas, pods: g.replicas }),
    ZERO,
  );
  const unschedulable: Unschedulable[] = [];
  const unsized: UnsizedNodeGroup[] = [];

  const zones = new Map<string, { fit: ZoneFit; slots: Slot[]; pods: Map<PodGroup, number> }>();
  for (const zone of zoneNames) {
    const views = byZone.get(zone)!;
    const slots: Slot[] = [];
    let allocatable: Allocatable | undefined;
    let maxNodes = 0;
    let desiredNodes = 0;
    for (const view of views) {
      // A group spanning several zones is balanced across them by its Auto Scaling group.
      const share = (n: number) =>
        Math.floor(n / view.zones.length) + (view.zones.indexOf(zone) < n % view.zones.length ? 1 : 0);
      const nodes = Math.min(share(view.maxSize), MAX_NODES_PER_CLUSTER);
      maxNodes += nodes;
      desiredNodes += share(view.desiredSize);
      if (!view.allocatable) {
        unsized.push({ nodeGroup: view.name, urn: view.urn, zone, instanceTypes: view.instanceTypes });
        continue;
      }
      allocatable = allocatable ?? view.allocatable;
      for (let i = 0; i < nodes; i++) {
        slots.push({
          cpuMillis: view.allocatable.cpuMillis - perNodeDaemonSets.cpuMillis,
          memoryBytes: view.allocatable.memoryBytes - perNodeDaemonSets.memoryBytes,
          pods: view.allocatable.pods - perNodeDaemonSets.pods,
          used: false,
        });
      }
    }
    const perNode = allocatable ?? ZERO;
    const free: Resources = {
      cpuMillis: perNode.cpuMillis - perNodeDaemonSets.cpuMillis,
      memoryBytes: perNode.memoryBytes - perNodeDaemonSets.memoryBytes,
      pods: perNode.pods - perNodeDaemonSets.pods,
    };
    zones.set(zone, {
      slots,
      pods: new Map(),
      fit: {
        zone,
        nodeGroups: views.map((v) => v.name),
        instanceType: views.map((v) => v.instanceType).join(", "),
        maxNodes,
        desiredNodes,
        allocatablePerNode: { ...perNode },
        daemonSetsPerNode: perNodeDaemonSets,
        requested: { ...ZERO },
        capacity: {
          cpuMillis: free.cpuMillis * slots.length,
          memoryBytes: free.memoryBytes * slots.length,
          pods: free.pods * slots.length,
        },
        nodesNeeded: 0,
        unschedulable: [],
      },
    });
  }

  // Zone assignment.
  for (const group of groups.filter((g) => g.placement.kind === "zones" && g.replicas > 0)) {
    const allowed = (group.placement.kind === "zones" && group.placement.zones) || zoneNames;
    const candidates = allowed.filter((z) => zones.has(z));
    if (candidates.length === 0) {
      unschedulable.push({
        owner: group.owner,
        ownerUrn: group.ownerUrn,
        component: group.component,
        pods: group.replicas,
        reason: `it may only run in ${allowed.join(", ")}, where no node group has nodes (node groups cover ${zoneNames.join(", ") || "no zone"})`,
      });
      continue;
    }
    const place = (zone: string, count: number) => {
      if (count === 0) return;
      counts.set(zone, counts.get(zone)! + count);
      const entry = zones.get(zone)!;
      entry.pods.set(group, (entry.pods.get(group) ?? 0) + count);
      entry.fit.requested = add(entry.fit.requested, {
        cpuMillis: group.cpuMillis * count,
        memoryBytes: group.memoryBytes * count,
        pods: count,
      });
    };
    const counts = new Map(candidates.map((z) => [z, 0]));
    const each = Math.floor(group.replicas / candidates.length);
    for (const zone of candidates) place(zone, each);
    for (let i = 0; i < group.replicas - each * candidates.length; i++) {
      const zone = candidates.reduce((best, z) => {
        const diff = counts.get(z)! - counts.get(best)!;
        if (diff !== 0) return diff < 0 ? z : best;
        const load = (name: string) =>
          zones.get(name)!.fit.requested.memoryBytes - zones.get(name)!.fit.capacity.memoryBytes;
        return load(z) < load(best) ? z : best;
      });
      place(zone, 1);
    }
  }

  // Packing per zone.
  for (const { fit, slots, pods } of zones.values()) {
    if (unsized.some((u) => u.zone === fit.zone)) continue;
    const order = [...pods.keys()].sort((a, b) => b.memoryBytes - a.memoryBytes || b.cpuMillis - a.cpuMillis);
    const failed = new Map<PodGroup, number>();
    for (const group of order) {
      let left = pods.get(group)!;
      for (const slot of slots) {
        if (left === 0) break;
        if (slot.cpuMillis < 0 || slot.memoryBytes < 0) continue;
        const fits = Math.min(
          left,
          slot.pods,
          group.cpuMillis > 0 ? Math.floor(slot.cpuMillis / group.cpuMillis) : left,
          group.memoryBytes > 0 ? Math.floor(slot.memoryBytes / group.memoryBytes) : left,
        );
        if (fits <= 0) continue;
        slot.cpuMillis -= group.cpuMillis * fits;
        slot.memoryBytes -= group.memoryBytes * fits;
        slot.pods -= fits;
        slot.used = true;
        left -= fits;
      }
      if (left > 0) failed.set(group, left);
    }
    fit.nodesNeeded = slots.reduce((last, s, i) => (s.used ? i + 1 : last), 0);
    for (const [group, count] of failed) {
      const largest = slots.reduce((best, s) => (s.memoryBytes > best.memoryBytes ? s : best), {
        cpuMillis: 0,
        memoryBytes: 0,
        pods: 0,
        used: false,
      });
      const reason =
        slots.length === 0
          ? `zone ${fit.zone} has no nodes the model can size`
          : `each pod requests ${fmtCpu(group.cpuMillis)} / ${fmtMemory(group.memoryBytes)}; the zone's ${fit.maxNodes} ${fit.instanceType} nodes at maxSize ` +
            `(${fmtCpu(fit.capacity.cpuMillis)} / ${fmtMemory(fit.capacity.memoryBytes)} after DaemonSets) are full ` +
            `(${fmtCpu(fit.requested.cpuMillis)} / ${fmtMemory(fit.requested.memoryBytes)} requested there; most free on one node: ${fmtCpu(largest.cpuMillis)} / ${fmtMemory(largest.memoryBytes)})`;
      const entry: Unschedulable = {
        owner: group.owner,
        ownerUrn: group.ownerUrn,
        component: group.component,
        pods: count,
        zone: fit.zone,
        reason,
      };
      fit.unschedulable.push(entry);
      unschedulable.push(entry);
    }
  }
  return { zones: [...zones.values()].map((z) => z.fit), unschedulable, unsized };
}
