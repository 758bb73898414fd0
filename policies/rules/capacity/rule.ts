// Runs a capacity check inside stackRule on one analysis of the stack. An input unknown during preview throws
// Inconclusive out of the analysis; stackRule records it, so the SDK reports its own "can't run during preview"
// advisory instead of a violation.
import { RuleContext } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import { analyzeCapacity, CapacityAnalysis } from "./analysis";
import { readWorkload } from "./workload";

export function withCapacity<C extends { workload?: unknown }>(
  stack: StackView,
  ctx: RuleContext<C>,
  check: (analysis: CapacityAnalysis) => void,
): void {
  check(analyzeCapacity(stack, readWorkload(stack, ctx.config.workload)));
}
