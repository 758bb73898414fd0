// R1 (SOFT): the long-term store should not keep less than the short-term one.
import { formatDuration } from "../../lib/duration";
import { mimirReleases } from "../../lib/mimir";
import { Maybe, parseSourcedDuration, showDuration, Sourced } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";

// kube-prometheus-stack 88.5.3 values prometheus.prometheusSpec.retention default (data/kube-prometheus-stack-88.5.3.values.yaml).
const KPS_DEFAULT_RETENTION = "10d";

function prometheusRetentions(stack: StackView): Array<{ urn: string; retention: Maybe<Sourced<number>> }> {
  return stack.helmReleases(CHARTS.kubePrometheusStack).map((release) => {
    const node = release.values.at("prometheus.prometheusSpec.retention");
    const text = node.string();
    if (isUnknown(text)) return { urn: release.resource.urn, retention: text };
    const found =
      text === undefined || text === ""
        ? { value: KPS_DEFAULT_RETENTION, where: `${release.label} chart default prometheus.prometheusSpec.retention` }
        : { value: text, where: node.where };
    return { urn: release.resource.urn, retention: parseSourcedDuration(found, "prometheus", release.resource.urn) };
  });
}

export const metricsRetentionCoversPrometheus = stackRule<object>(
  {
    name: "metrics-retention-covers-prometheus",
    rule: "R1",
    description: "Mimir compactor_blocks_retention_period (long-term) should be at least Prometheus's local retention",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps:
      "Raise mimir.structuredConfig.limits.compactor_blocks_retention_period (and tenant overrides) above prometheus.prometheusSpec.retention, or shorten Prometheus retention.",
    url: "https://grafana.com/docs/mimir/latest/configure/configure-metrics-storage-retention/ (conflict-rules.md R1)",
    tags: ["retention", "mimir", "prometheus"],
  },
  (stack, ctx) => {
    const prometheus = prometheusRetentions(stack);
    for (const mimir of mimirReleases(stack)) {
      const retentions = [
        { tenant: undefined as string | undefined, value: mimir.duration("limits.compactor_blocks_retention_period") },
        ...mimir.tenantDurations("compactor_blocks_retention_period"),
      ];
      for (const { retention: promRetention } of prometheus) {
        for (const { tenant, value } of retentions) {
          ctx.known([value, promRetention], (longTerm, shortTerm) => {
            if (longTerm.value === 0 || shortTerm.value === 0 || longTerm.value >= shortTerm.value) return; // 0 = keep forever
            ctx.violation(
              `${showDuration(longTerm)}${tenant ? ` (tenant "${tenant}")` : ""} < ${showDuration(shortTerm)}: ` +
                `Mimir deletes metrics Prometheus still holds locally, so dashboards reading Mimir lose history Prometheus has. ` +
                `Fix: raise compactor_blocks_retention_period to at least ${formatDuration(shortTerm.value)} or shorten Prometheus retention.`,
              mimir.urn,
            );
          });
        }
      }
    }
  },
);
