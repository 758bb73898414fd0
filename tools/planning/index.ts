/**
 * Capacity, cost and rollout planning of a captured stack, for the check report: what each tier carries and
 * whether the pods fit the node groups (the same model the capacity policies use), a monthly cost estimate beside
 * the managed alternatives, and the critical path of `pulumi up` from an empty stack.
 *
 *   const report = planStack(captured);   // JSON-serialisable
 *   console.log(renderPlanning(report));
 */
import { analyzeCapacity, CapacityAnalysis, analyzeZoneLoss, ZoneLossAnalysis } from "../../policies/model";
import type { CapturedStack } from "../harness/capture-types";
import { AlternativeEstimate, ampAndCloudWatchEstimate, grafanaCloudEstimate } from "./alternatives";
import { stackViewOf } from "./capture-view";
import { CostEstimate, estimateCost } from "./cost";
import { PRICE_TABLE_FILE, PRICES, pricesFor } from "./price-table";
import { logsRetention, metricsRetention, StoreRetention } from "./retention";
import { estimateRollout, RolloutEstimate } from "./rollout";
import { plannedWorkload, stackRegion } from "./workload";

export { renderPlanning } from "./render";
export type { CapacityAnalysis } from "../../policies/model";
export type { ZoneLossAnalysis, ZoneLossLine } from "../../policies/model";
export type { CostEstimate, CostLine } from "./cost";
export type { AlternativeEstimate } from "./alternatives";
export type { RolloutEstimate, PathStep, UnneededDependency } from "./rollout";

export interface PlanningReport {
  project: string;
  stack: string;
  region: string;
  capacity: CapacityAnalysis & {
    /** Lowest headroom among the tiers (null when no tier is modelled). */
    lowestHeadroom: number | null;
    /** Zones whose pods need more nodes than desiredSize: with no autoscaler in the stack they stay Pending. */
    belowDesired: Array<{ zone: string; desiredNodes: number; nodesNeeded: number }>;
    autoscaler: boolean;
  };
  /** Per AZ and tier: do writes and reads continue, is acknowledged data lost (policy C4's model). */
  zoneLoss: ZoneLossAnalysis;
  retention: { metrics?: StoreRetention; logs?: StoreRetention };
  cost: CostEstimate & {
    /** Monthly cost per million active series of the workload. */
    perMillionActiveSeriesUsd: number;
    /** The largest lines, most expensive first, with their share of the total. */
    topLines: Array<{ item: string; monthlyUsd: number; share: number }>;
  };
  alternatives: AlternativeEstimate[];
  rollout: RolloutEstimate;
  /** Where the prices come from. */
  priceTable: string;
}

/** Charts that scale node groups; without one, an EKS managed node group stays at desiredSize. */
const AUTOSCALER_CHARTS = ["cluster-autoscaler", "karpenter"];

export function planStack(captured: CapturedStack): PlanningReport {
  if (captured.error) {
    throw new Error(
      `stack ${captured.stack}: the program failed (${captured.error.message}); there is nothing to plan`,
    );
  }
  const view = stackViewOf(captured);
  const { workload, source } = plannedWorkload(captured);
  const capacity = analyzeCapacity(view, { workload, where: source });
  const autoscaler = view
    .helmReleases()
    .some((r) => AUTOSCALER_CHARTS.some((c) => String(r.resource.props.get("chart").raw() ?? "").endsWith(c)));
  const region = stackRegion(captured);
  const prices = pricesFor(region);
  const retention = { metrics: metricsRetention(view), logs: logsRetention(view) };
  const cost = estimateCost({
    stack: view,
    capacity,
    workload,
    prices,
    metricsRetention: retention.metrics,
    logsRetention: retention.logs,
    autoscaler,
  });
  const headrooms = capacity.tiers.map((t) => t.headroom).filter((h): h is number => h !== undefined);
  return {
    project: captured.project,
    stack: captured.stack,
    region,
    capacity: {
      ...capacity,
      lowestHeadroom: headrooms.length > 0 ? Math.min(...headrooms) : null,
      belowDesired: autoscaler
        ? []
        : capacity.fit.zones
            .filter((z) => z.nodesNeeded > z.desiredNodes)
            .map((z) => ({ zone: z.zone, desiredNodes: z.desiredNodes, nodesNeeded: z.nodesNeeded })),
      autoscaler,
    },
    zoneLoss: analyzeZoneLoss(view, capacity),
    retention,
    cost: {
      ...cost,
      perMillionActiveSeriesUsd: workload.activeSeries > 0 ? cost.monthlyUsd / (workload.activeSeries / 1e6) : 0,
      topLines: [...cost.lines]
        .sort((a, b) => b.monthlyUsd - a.monthlyUsd)
        .slice(0, 5)
        .map((l) => ({ item: l.item, monthlyUsd: l.monthlyUsd, share: l.monthlyUsd / cost.monthlyUsd })),
    },
    alternatives: [
      ampAndCloudWatchEstimate(
        workload,
        { metricsDays: retention.metrics?.days, logsDays: retention.logs?.days },
        prices.prices,
        cost.monthlyUsd,
      ),
      grafanaCloudEstimate(workload, retention.logs?.days, PRICES.grafanaCloud, cost.monthlyUsd),
    ],
    rollout: estimateRollout(captured, capacity),
    priceTable: PRICE_TABLE_FILE,
  };
}
