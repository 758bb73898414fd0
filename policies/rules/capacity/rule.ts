// Runs a capacity check inside stackRule: an unknown input during preview makes the check inconclusive (the SDK
// then reports its own "can't run during preview" advisory) instead of a violation.
import { RuleContext } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import { analyzeCapacity, CapacityAnalysis } from "./analysis";
import { Inconclusive } from "./values";
import { readWorkload } from "./workload";

export function withCapacity<C extends { workload?: unknown }>(stack: StackView, ctx: RuleContext<C>, check: (analysis: CapacityAnalysis) => void): void {
    let analysis: CapacityAnalysis;
    try {
        analysis = analyzeCapacity(stack, readWorkload(stack, ctx.config.workload));
    } catch (error) {
        if (error instanceof Inconclusive) {
            ctx.inconclusive(error.unknown);
            return;
        }
        throw error;
    }
    check(analysis);
}
