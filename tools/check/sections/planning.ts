/**
 * Capacity, cost and rollout planning (tools/planning, issue 6) as a report section: the single call site.
 * `planStack` gives the JSON form (under "planning" in the JSON report), `renderPlanning` the text.
 */
import { planStack, renderPlanning, type PlanningReport } from "../../planning";
import { section } from "./section";

export const planningSection = section<PlanningReport>({
  key: "planning",
  title: "Capacity, cost and rollout planning",
  build: (evidence) => planStack(evidence.captured),
  render: renderPlanning,
});
