// B7 (ADVISORY): Grafana's memory limit is at least Grafana's documented minimum.
//
// Grafana's installation requirements say "Minimum recommended memory: 512 MB" (grafana.com/docs/grafana/latest/
// setup-grafana/installation, "Hardware recommendations"; 255 MB up to Grafana 7). At start-up Grafana loads its
// plugins, migrates its SQLite database and provisions the stack's datasources and dashboards; below the documented
// minimum the container can be OOM-killed before it is Ready, and again on every restart, so no dashboard reads Mimir
// or Loki. The kube-prometheus-stack chart passes `grafana.resources` to the Grafana container (grafana chart
// values.yaml `resources: {}`, no limit by default: nothing is OOM-killed against an unset limit). Advisory: the
// figure is a recommendation, not a measured floor; the stack's data is not lost, only unreadable while it lasts.
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { booleanAt } from "../capacity/values";
import { eachChecked, MiB, memoryLimit, showLimit } from "./limits";

/** Grafana's documented minimum memory, read as MiB (docs: "Minimum recommended memory: 512 MB"). */
export const GRAFANA_MINIMUM_MEMORY_BYTES = 512 * MiB;

export const grafanaMemoryMeetsMinimum = stackRule(
  {
    name: "grafana-memory-meets-minimum",
    rule: "B7",
    description: "Grafana's memory limit is at least the 512 MB Grafana documents as its minimum",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
      "Raise kube-prometheus-stack values grafana.resources.limits.memory to at least 512Mi, or remove the limit.",
    url: "https://grafana.com/docs/grafana/latest/setup-grafana/installation/ (Hardware recommendations)",
    tags: ["grafana", "memory"],
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      eachChecked(ctx, () => {
        // kube-prometheus-stack Chart.yaml: the grafana dependency's condition is grafana.enabled (default true).
        if (!booleanAt(release.values.at("grafana.enabled"), true)) return;
        const limit = memoryLimit(release.values.at("grafana.resources"));
        if (limit === undefined || limit.bytes >= GRAFANA_MINIMUM_MEMORY_BYTES) return;
        ctx.violation(
          `${showLimit(limit)} is below 512Mi, the memory Grafana documents as its minimum ` +
            `("Minimum recommended memory: 512 MB", Grafana installation requirements): Grafana loads its plugins, ` +
            `migrates its database and provisions the stack's datasources and dashboards at start-up and can be OOM-killed ` +
            `before it is Ready, again on every restart, leaving Mimir's and Loki's data without a reader. ` +
            `Fix: raise grafana.resources.limits.memory to at least 512Mi, or remove the limit.`,
          release.resource.urn,
        );
      });
    }
  },
);
