// One capacity analysis of a stack, shared by the capacity policies and tools/planning: the pods, whether they
// fit the node groups per zone, and what each tier carries against the workload. Plain data (JSON-serialisable).
import { StackView } from "../../lib/stack";
import { FitResult, fitPods } from "./fit";
import { nodeGroups, NodeGroupView } from "./nodes";
import { PodGroup, podInventory } from "./pods";
import { TierCapacity, tierCapacities } from "./tiers";
import { SourcedWorkload } from "./workload";

export interface CapacityAnalysis {
  workload?: SourcedWorkload;
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
  return {
    workload,
    pods: inventory.groups,
    nodeGroups: groups,
    fit: fitPods(inventory.groups, groups),
    tiers: tierCapacities(stack, inventory.groups, workload?.workload),
    unmodelledReleases: inventory.unmodelled,
  };
}

/** "1,234,567" / "12.5": figures as the messages print them. */
export function formatFigure(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(1);
}
