// Q12 (SOFT, silent loss): every series the stack's own alert and recording rules read has a scraper in the stack.
// The stack's PrometheusRule resources (components/alerts) read exporter series by name; a rule whose input series
// nobody scrapes evaluates to an empty vector, so its alert can never fire, and none of them guards with absent().
// The exporters, as kube-prometheus-stack 88.5.3 renders their ServiceMonitors (the same conditions W13's model reads,
// policies/rules/wiring/stack-monitoring.ts):
// - kube_* : kube-state-metrics (Chart.yaml dependency condition kubeStateMetrics.enabled; its subchart ServiceMonitor
//   kube-state-metrics.prometheus.monitor.enabled, set true by the chart's values.yaml);
// - node_* : prometheus-node-exporter (condition nodeExporter.enabled; prometheus-node-exporter.prometheus.monitor.enabled);
// - container_* and machine_* : the kubelet's cAdvisor endpoint, kubelet_* : its /metrics endpoint
//   (templates/exporters/kubelet/servicemonitor.yaml: rendered while kubelet.enabled, kubelet.serviceMonitor.enabled and
//   kubernetesServiceMonitors.enabled; endpoints kubelet.serviceMonitor.kubelet and .cAdvisor, default true).
// Advisory: turning an exporter off is a choice that loses no stored data; the finding is that the stack's own paging
// on those series goes silent. Whether the kubelet monitor finds targets at all is W18's; a kube-state-metrics
// collector or metric allow list narrower than the rules need is not modelled.
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { stackRuleExpressions } from "../../lib/stack-rules";
import { flag } from "./stack-monitoring";

interface Exporter {
  readonly series: RegExp;
  readonly name: string;
  /** values paths that must all be true (chart default true) for the series to be scraped. */
  readonly conditions: readonly string[];
  readonly fix: string;
}

export const STACK_EXPORTERS: readonly Exporter[] = [
  {
    series: /^kube_/,
    name: "kube-state-metrics",
    conditions: ["kubeStateMetrics.enabled", "kube-state-metrics.prometheus.monitor.enabled"],
    fix: "keep kubeStateMetrics.enabled (and kube-state-metrics.prometheus.monitor.enabled) true",
  },
  {
    series: /^node_/,
    name: "prometheus-node-exporter",
    conditions: ["nodeExporter.enabled", "prometheus-node-exporter.prometheus.monitor.enabled"],
    fix: "keep nodeExporter.enabled (and prometheus-node-exporter.prometheus.monitor.enabled) true",
  },
  {
    series: /^(container|machine)_/,
    name: "the kubelet's cAdvisor endpoint",
    conditions: [
      "kubelet.enabled",
      "kubelet.serviceMonitor.enabled",
      "kubernetesServiceMonitors.enabled",
      "kubelet.serviceMonitor.cAdvisor",
    ],
    fix: "keep kubelet.enabled, kubelet.serviceMonitor.enabled, kubernetesServiceMonitors.enabled and kubelet.serviceMonitor.cAdvisor true",
  },
  {
    series: /^kubelet_/,
    name: "the kubelet's metrics endpoint",
    conditions: [
      "kubelet.enabled",
      "kubelet.serviceMonitor.enabled",
      "kubernetesServiceMonitors.enabled",
      "kubelet.serviceMonitor.kubelet",
    ],
    fix: "keep kubelet.enabled, kubelet.serviceMonitor.enabled, kubernetesServiceMonitors.enabled and kubelet.serviceMonitor.kubelet true",
  },
];

/** PromQL binary operators and modifiers written as words (Prometheus docs, querying/operators and basics). */
const PROMQL_KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "atan2", "inf", "nan"]);

/**
 * The metric names a PromQL expression selects: label matchers `{...}`, quoted strings and the label lists of
 * by/without/on/ignoring/group_left/group_right are removed first, so label names are not taken for metrics.
 */
export function seriesNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)\b(?!\s*\()/g))
    if (!PROMQL_KEYWORDS.has(m[1].toLowerCase())) names.add(m[1]);
  return [...names];
}

function offCondition(kps: HelmRelease, exporter: Exporter): PropNode | undefined {
  for (const path of exporter.conditions) {
    const node = kps.values.at(path);
    if (node.isUnknown) return undefined;
    if (!flag(kps.values, path, true)) return node;
  }
  return undefined;
}

export const stackAlertInputsScraped = stackRule<object>(
  {
    name: "stack-alert-inputs-scraped",
    rule: "Q12",
    description:
      "Every series the stack's own alert rules read (components/alerts: kube-state-metrics kube_*, node-exporter node_*, kubelet kubelet_* and cAdvisor container_*) has its exporter and ServiceMonitor enabled in kube-prometheus-stack; otherwise those alerts can never fire",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
      "Keep the exporter the rules read enabled (kubeStateMetrics.enabled, nodeExporter.enabled, the kubelet ServiceMonitor and its cAdvisor / kubelet endpoints), or scrape it another way.",
    url: "https://github.com/prometheus-community/helm-charts/blob/kube-prometheus-stack-88.5.3/charts/kube-prometheus-stack/Chart.yaml (dependency conditions)",
    tags: ["prometheus", "alerts"],
  },
  (stack, ctx) => {
    const rules = stackRuleExpressions(stack);
    if (rules.length === 0) return;
    for (const kps of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      if (!flag(kps.values, "prometheus.enabled", true)) continue;
      for (const exporter of STACK_EXPORTERS) {
        const off = offCondition(kps, exporter);
        if (!off) continue;
        const readers = rules
          .map((r) => ({ rule: r.rule, series: seriesNames(r.expr).filter((s) => exporter.series.test(s)) }))
          .filter((r) => r.series.length > 0);
        if (readers.length === 0) continue;
        const series = [...new Set(readers.flatMap((r) => r.series))];
        ctx.violation(
          `${off.where}=${String(off.raw())}: nothing in the stack scrapes ${exporter.name}, yet the stack's own rules read its series ` +
            `${series.join(", ")} (${readers.map((r) => r.rule).join("; ")}): those expressions return nothing, so the alerts can never fire ` +
            `(silent loss of the stack's paging; no absent() guard). Fix: ${exporter.fix}, or scrape ${exporter.name} another way.`,
        );
      }
    }
  },
);
