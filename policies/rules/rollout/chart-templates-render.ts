// U8 (HARD): values with which a pinned chart's templates refuse to render (`{{ fail }}` or `{{ required }}` reached):
// Helm stops at the first such call, so the release cannot install or upgrade.
// - Every `fail`/`required` in the pinned charts' templates is listed in policies/lib/charts/chart-refusals.json
//   (made by tools/facts/extract-chart-refusals.js, tools/facts/regenerate-chart-refusals.sh), each with the id of
//   the predicate below that models it or the reason it is unreachable; a test holds the two together.
// - The predicates read the release's merged values over the chart defaults their conditions read (cited per chart in
//   chart-refusals/<chart>.ts), with Helm's coalescing and Go template truth (chart-refusals/helm.ts).
import { StackView } from "../../lib/stack";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { ALLOY_REFUSAL_DEFAULTS, ALLOY_REFUSALS } from "./chart-refusals/alloy";
import { CLUSTER_AUTOSCALER_REFUSAL_DEFAULTS, CLUSTER_AUTOSCALER_REFUSALS } from "./chart-refusals/cluster-autoscaler";
import { ChartValues } from "./chart-refusals/helm";
import { KPS_REFUSAL_DEFAULTS, KPS_REFUSALS } from "./chart-refusals/kube-prometheus-stack";
import { LOKI_REFUSAL_DEFAULTS, LOKI_REFUSALS } from "./chart-refusals/loki";
import { MIMIR_REFUSAL_DEFAULTS, MIMIR_REFUSALS } from "./chart-refusals/mimir";
import { ChartName, RefusalPredicate } from "./chart-refusals/types";

interface ChartModel {
  /** The chart version the predicates were written against (components/shared/charts.ts). */
  readonly version: string;
  readonly defaults: Record<string, unknown>;
  readonly predicates: RefusalPredicate[];
}

export const CHART_REFUSAL_MODELS: Partial<Record<ChartName, ChartModel>> = {
  [CHARTS.mimir]: { version: "6.0.6", defaults: MIMIR_REFUSAL_DEFAULTS, predicates: MIMIR_REFUSALS },
  [CHARTS.loki]: { version: "18.11.0", defaults: LOKI_REFUSAL_DEFAULTS, predicates: LOKI_REFUSALS },
  [CHARTS.alloy]: { version: "1.11.1", defaults: ALLOY_REFUSAL_DEFAULTS, predicates: ALLOY_REFUSALS },
  [CHARTS.kubePrometheusStack]: { version: "88.5.3", defaults: KPS_REFUSAL_DEFAULTS, predicates: KPS_REFUSALS },
  [CHARTS.clusterAutoscaler]: {
    version: "9.59.0",
    defaults: CLUSTER_AUTOSCALER_REFUSAL_DEFAULTS,
    predicates: CLUSTER_AUTOSCALER_REFUSALS,
  },
};

/** Every predicate id, for the facts test. */
export const CHART_REFUSAL_PREDICATE_IDS: ReadonlySet<string> = new Set(
  Object.values(CHART_REFUSAL_MODELS).flatMap((model) => model!.predicates.map((p) => p.id)),
);

function judge(stack: StackView, report: (message: string, urn: string) => void): void {
  for (const [chart, model] of Object.entries(CHART_REFUSAL_MODELS) as Array<[ChartName, ChartModel]>) {
    for (const release of stack.helmReleases(chart)) {
      // The predicates model the pinned chart; another version is C-rules' business (chart-versions.ts).
      if (release.chartVersion !== undefined && release.chartVersion !== model.version) continue;
      const values = new ChartValues(
        release.values,
        model.defaults,
        `${chart} chart ${model.version} default, values.yaml`,
      );
      for (const predicate of model.predicates) {
        for (const finding of predicate.check(values)) {
          report(
            `${finding.trigger.includes(release.label) ? "" : `${release.label}: `}${finding.trigger}. The chart refuses to render (${predicate.source}): "${finding.chartMessage}", ` +
              `so the Helm release fails to render, so it cannot install or upgrade. Fix: ${finding.fix}.`,
            release.resource.urn,
          );
        }
      }
    }
  }
}

export const chartTemplatesRender = stackRule<object>(
  {
    name: "chart-templates-render",
    rule: "U8",
    description:
      "Values with which a pinned chart's templates refuse to render (a `fail` or `required` reached): the Helm release cannot install or upgrade",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Change the values the message names as its fix; each refusal quotes the chart's own message and template line.",
    url: "https://helm.sh/docs/howto/charts_tips_and_tricks/#using-the-required-function; policies/lib/charts/chart-refusals.json",
    tags: ["rollout", "helm"],
    judgedPerResource: true,
  },
  (stack, ctx) => judge(stack, (message, urn) => ctx.violation(message, urn)),
);
