// U1 (HARD): every PodDisruptionBudget the stack renders must allow an eviction, and every rolling update must be
// one the API server accepts; otherwise node drains and upgrades stop for good.
import { lokiReleases } from "../../lib/loki";
import { mimirReleases } from "../../lib/mimir";
import { PolicyInputError } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { Inconclusive } from "../../lib/unknown";
import { podInventory, PodInventory } from "../capacity/pods";
import {
  allowedEvictions,
  alloyStrategies,
  Budget,
  isZero,
  kubePrometheusStackBudgets,
  kubePrometheusStackStrategies,
  lokiBudgets,
  lokiStrategies,
  mimirBudgets,
  mimirStrategies,
  PodsRef,
  Strategy,
  strategyRefusal,
  strimziOperandBudgets,
  strimziOperatorBudgets,
} from "./budgets";

/**
 * What a drain that cannot evict does: `kubectl drain` and the cluster-autoscaler retry the eviction for good
 * (Kubernetes "Specifying a Disruption Budget": an eviction that would violate the budget is refused with 429), and
 * an EKS managed node group update fails with PodEvictionFailure when pods do not leave a node within 15 minutes
 * (EKS user guide, "Understand each phase of node updates", upgrade phase) unless forced, which ignores the budget.
 */
const BLOCKED_DRAIN =
  "every node drain waits on these pods for good: kubectl drain and cluster-autoscaler scale-down retry the eviction forever, " +
  "and an EKS managed node group update (AMI or Kubernetes version) fails with PodEvictionFailure after 15 minutes unless forced";

/** `where` without the owner's label when it repeats one already named (for a second value of the same release). */
function after(owner: string, where: string): string {
  return where.startsWith(`${owner} `) ? where.slice(owner.length + 1) : where;
}

/** Pods of one workload from the pack's pod model (policies/rules/capacity/pods.ts), zones summed. */
class Pods {
  private inventory?: PodInventory | "unavailable";

  constructor(
    private readonly stack: StackView,
    private readonly ctx: RuleContext<object>,
  ) {}

  count(ref: PodsRef): number | undefined {
    if ("count" in ref) return ref.count;
    if (this.inventory === undefined) {
      try {
        this.inventory = podInventory(this.stack);
      } catch (error) {
        // A value unknown during preview: the counts wait for the update; a malformed one is another policy's to report.
        if (error instanceof Inconclusive) this.ctx.inconclusive(error.unknown);
        else if (!(error instanceof PolicyInputError)) throw error;
        this.inventory = "unavailable";
      }
    }
    if (this.inventory === "unavailable") return undefined;
    return this.inventory.groups
      .filter(
        (g) =>
          g.ownerUrn === ref.ownerUrn &&
          (g.component === ref.component || g.component.startsWith(`${ref.component} (`)),
      )
      .reduce((sum, g) => sum + g.replicas, 0);
  }
}

function checkBudget(ctx: RuleContext<object>, budget: Budget, pods: Pods): void {
  const { maxUnavailable: max, minAvailable: min } = budget;
  if (max && min) {
    // kubernetes pkg/apis/policy/validation ValidatePodDisruptionBudgetSpec.
    ctx.violation(
      `${max.where}=${max.value.text} and ${after(budget.owner, min.where)}=${min.value.text}: the ${budget.component} PodDisruptionBudget gets both, and the ` +
        `API server refuses it ("minAvailable and maxUnavailable cannot be both set"), so the ${budget.owner} install or upgrade fails. ` +
        `Fix: keep one of them and set the other to null where it comes from (maxUnavailable: ${max.where}; minAvailable: ` +
        `${min.where}); a chart default is removed by setting its key to null.`,
      budget.urn,
    );
    return;
  }
  const count = pods.count(budget.pods);
  if (count === undefined || count === 0) return; // no pods (component off, or not counted): nothing to evict
  if (allowedEvictions(budget, count) > 0) return;
  const podsText =
    "count" in budget.pods ? `${count} pod(s), ${budget.pods.note}` : `${count} pod(s) as the chart renders them`;
  if (max && isZero(max.value)) {
    ctx.violation(
      `${max.where}=${max.value.text}: the ${budget.component} PodDisruptionBudget (${podsText}) never allows an eviction, so ${BLOCKED_DRAIN}. ` +
        `Fix: set ${budget.path}${budget.path.endsWith("maxUnavailable") ? "" : ".maxUnavailable"} to 1 (the default).`,
      budget.urn,
    );
    return;
  }
  if (min) {
    const more = budget.replicasPath ? `, or raise ${budget.replicasPath} above ${count}` : "";
    const lower =
      count > 1
        ? `lower minAvailable to at most ${count - 1} (or set it to null and maxUnavailable to 1)`
        : "set minAvailable to null and maxUnavailable to 1";
    ctx.violation(
      `${min.where}=${min.value.text} with ${podsText}: the ${budget.component} PodDisruptionBudget requires every pod to stay up, so it ` +
        `never allows an eviction and ${BLOCKED_DRAIN}. Fix: in ${budget.path}, ${lower}${more}.`,
      budget.urn,
    );
  }
}

function checkStrategy(ctx: RuleContext<object>, strategy: Strategy, pods: Pods, ref?: PodsRef): void {
  const refusal = strategyRefusal(strategy);
  if (refusal === undefined) return;
  if (ref && !pods.count(ref)) return; // the chart renders no such workload in this mode
  ctx.violation(
    `${strategy.maxUnavailable.where}=${strategy.maxUnavailable.value.text} with ${after(strategy.owner, strategy.maxSurge.where)}=${strategy.maxSurge.value.text}: ` +
      `the API server refuses the ${strategy.component} ${strategy.kind} ("${refusal}"), so the ${strategy.owner} install or upgrade fails ` +
      `and no change to it is ever rolled out. Fix: in ${strategy.path}, set ` +
      (strategy.kind === "DaemonSet"
        ? "exactly one of maxUnavailable and maxSurge above 0 (maxUnavailable 1, maxSurge 0 is Kubernetes' default)."
        : "maxUnavailable or maxSurge above 0 (e.g. maxSurge 1 with maxUnavailable 0 keeps every replica serving)."),
    strategy.urn,
  );
}

/** Runs one source's check; a value unknown during preview skips that source only. */
function guarded(ctx: RuleContext<object>, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof Inconclusive) ctx.inconclusive(error.unknown);
    else if (error instanceof PolicyInputError) ctx.violation(error.message, error.urn);
    else throw error;
  }
}

export const disruptionBudgetsAllowEviction = stackRule<object>(
  {
    name: "disruption-budgets-allow-eviction",
    rule: "U1",
    description:
      "Every PodDisruptionBudget the charts and Strimzi render allows at least one eviction, and every rolling-update strategy is one the API server accepts",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep maxUnavailable at 1 or more (not 0 or 0%), or minAvailable below the replicas it covers (not 100%); never set both " +
      "minAvailable and maxUnavailable on one budget. In rolling updates, keep maxUnavailable or maxSurge above 0 (a DaemonSet: exactly one).",
    url: "https://kubernetes.io/docs/tasks/run-application/configure-pdb/ (Specifying a Disruption Budget; EKS managed node update behavior)",
    tags: ["rollout", "availability"],
  },
  (stack, ctx) => {
    const pods = new Pods(stack, ctx);
    for (const mimir of mimirReleases(stack)) {
      guarded(ctx, () => mimirBudgets(mimir).forEach((b) => checkBudget(ctx, b, pods)));
      guarded(ctx, () => mimirStrategies(mimir).forEach((s) => checkStrategy(ctx, s, pods, s.pods)));
    }
    for (const loki of lokiReleases(stack)) {
      guarded(ctx, () => lokiBudgets(loki).forEach((b) => checkBudget(ctx, b, pods)));
      guarded(ctx, () => lokiStrategies(loki).forEach((s) => checkStrategy(ctx, s, pods, s.pods)));
    }
    for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      guarded(ctx, () => kubePrometheusStackBudgets(release).forEach((b) => checkBudget(ctx, b, pods)));
      guarded(ctx, () => kubePrometheusStackStrategies(release).forEach((s) => checkStrategy(ctx, s, pods)));
    }
    for (const release of stack.helmReleases(CHARTS.strimzi)) {
      guarded(ctx, () => strimziOperatorBudgets(release).forEach((b) => checkBudget(ctx, b, pods)));
    }
    for (const release of stack.helmReleases(CHARTS.alloy)) {
      guarded(ctx, () => alloyStrategies(release).forEach((s) => checkStrategy(ctx, s, pods)));
    }
    guarded(ctx, () => strimziOperandBudgets(stack).forEach((b) => checkBudget(ctx, b, pods)));
  },
);
