/**
 * Capacity, cost and rollout planning (tools/planning, issue 6) as a report section: the single call site.
 * `planStack` gives the JSON form (under "planning" in the JSON report), `renderPlanning` the text.
 */
import { PolicyInputError } from "../../../policies/lib/node";
import { planStack, renderPlanning, type PlanningReport } from "../../planning";
import { section } from "./section";

/** Planning that a value of the stack makes impossible (an override that is not a number, say): said, not a crash. */
export interface PlanningNotComputed {
  notComputed: string;
}

export type PlanningData = PlanningReport | PlanningNotComputed;

export const planningSection = section<PlanningData>({
  key: "planning",
  title: "Capacity, cost and rollout planning",
  build: (evidence) => {
    try {
      return planStack(evidence.captured);
    } catch (err) {
      // The same reading of the same value is the policy pack's finding (a violation naming it): bad input, not a bug.
      if (err instanceof PolicyInputError) return { notComputed: err.message };
      throw err;
    }
  },
  render: (data) =>
    "notComputed" in data
      ? `Not computed: ${data.notComputed}\nThe policy pack reports the same value as a violation (see Policies).`
      : renderPlanning(data),
});
