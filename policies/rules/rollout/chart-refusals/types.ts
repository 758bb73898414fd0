// The shape of one modelled chart refusal (a `fail` or `required` a template reaches for some values).
import { CHARTS } from "../../../lib/types";
import { ChartValues } from "./helm";

export type ChartName = (typeof CHARTS)[keyof typeof CHARTS];

export interface RefusalFinding {
  /** What the release's values (and the chart defaults they leave in place) say that reaches the refusal. */
  readonly trigger: string;
  /** The chart's own message, with any printf arguments filled in. */
  readonly chartMessage: string;
  readonly fix: string;
}

export interface RefusalPredicate {
  /** Named in policies/lib/charts/chart-refusals.json `predicate`. */
  readonly id: string;
  readonly chart: ChartName;
  /** The template and line(s) at the pinned tag. */
  readonly source: string;
  /** The findings for one release's values (none when the template renders). */
  readonly check: (values: ChartValues) => RefusalFinding[];
}

/** A predicate's findings from one condition: the finding when the chart refuses, none otherwise. */
export const one = (found: RefusalFinding | undefined): RefusalFinding[] => (found ? [found] : []);
