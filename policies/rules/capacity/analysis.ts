// One capacity analysis of a stack, shared by the capacity policies and tools/planning: the pods, whether they
// fit the node groups per zone, and what each tier carries against the workload. Plain data (JSON-serialisable).
import { StackView } from "../../lib/stack";
import { FitResult, fitPods } from "./fit";
import { nodeGroups, NodeGroupView } from "./nodes";
import { PodGroup, podInventory } from "./pods";
import { TierCapacity, tierCapacities } from "./tiers";
import { effectiveSamplesPerSecond, SamplesRate, SourcedWorkload } from "./workload";

export interface CapacityAnalysis {
  workload?: SourcedWorkload;
  /** The samples/s the stack's Prometheus sends (above the declared rate when it scrapes faster than assumed). */
  samples?: SamplesRate;
  pods: PodGroup[];
  nodeGroups: NodeGroupView[];
  fit: FitResult;
  tiers: TierCapacity[];
  /** Helm releases of charts the model does not know: their pods are not counted. */
  unmodelledReleases: string[];
}

/** Throws Inconclusive when a value the model needs is unknown during preview. */
export function analyzeCapacity(stack: StackView, workload?: SourcedWorkload): CapacityAnalysis {
  const inventory = podInventory(stack);
  const groups = nodeGroups(stack);
  const samples = workload ? effectiveSamplesPerSecond(stack, workload) : undefined;
  // The samples tier carries what Prometheus actually sends (workload.ts effectiveSamplesPerSecond).
  const load =
    workload && samples && samples.value > workload.workload.samplesPerSecond
      ? { ...workload.workload, samplesPerSecond: samples.value }
      : workload?.workload;
  return {
    workload,
    samples,
    pods: inventory.groups,
    nodeGroups: groups,
    fit: fitPods(inventory.groups, groups),
    tiers: tierCapacities(stack, inventory.groups, load),
    unmodelledReleases: inventory.unmodelled,
  };
}

/** "1,234,567" / "12.5": figures as the messages print them. */
export function formatFigure(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(1);
}
