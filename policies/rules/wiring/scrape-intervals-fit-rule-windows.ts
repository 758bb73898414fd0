// Q10 (silent loss): rate(), increase(), irate() and the *_over_time functions over a range vector need samples
// inside the range: rate/increase/irate "at least two samples" (Prometheus docs, querying/functions: rate "calculates
// the per-second average rate of increase of the time series in the range vector" and, like increase and irate,
// returns nothing for a series with fewer than two samples in the range; promql/functions.go extrapolatedRate
// `if len(samples.Floats)+len(samples.Histograms) < 2 { return enh.Out, nil }`). A target scraped every `interval`
// has at most ceil(range / interval) samples in a range, and reliably two only when interval <= range / 2. A scrape
// interval above half the shortest range window of the stack's own rules makes those rules return nothing for that
// target's metrics: the alerts never fire and nothing reports it.
//
// Intervals (what each ServiceMonitor endpoint the stack renders scrapes at):
// - The global prometheusSpec.scrapeInterval; unset (the chart's "") the Prometheus CRD default 30s
//   (prometheus-operator v0.93.0 pkg/apis/monitoring/v1/prometheus_types.go CommonPrometheusFields.ScrapeInterval
//   `+kubebuilder:default:="30s"`). An endpoint without an interval uses it (pkg/prometheus/promcfg.go
//   generateServiceMonitorConfig: `if ep.Interval != "" { scrape_interval }`).
// - kube-prometheus-stack 88.5.3 values.yaml: <section>.serviceMonitor.interval of its own monitors ("" = global),
//   kubelet.serviceMonitor.cAdvisorInterval / resourceInterval, kube-state-metrics / prometheus-node-exporter
//   prometheus.monitor.interval, grafana.serviceMonitor.interval, prometheus.additionalServiceMonitors[].endpoints[].interval.
// - mimir-distributed metaMonitoring.serviceMonitor.interval (templates/lib/service-monitor.tpl; null = global),
//   loki 18.11.0 monitoring.serviceMonitor.interval (values.yaml default 15s: "scrape interval needs to be at least
//   1/4 rate interval"), alloy 1.11.1 serviceMonitor.interval ("" = "the Prometheus default scrape interval").
// Rules: the stack's own PrometheusRule resources (components/alerts). Which rule reads which job's metrics is not
// modelled: each interval is compared with the shortest range window among all of them (a simplification that may
// flag an interval whose job no short-window rule reads). The charts' default rules (kube-prometheus-stack
// defaultRules, Mimir's and Loki's mixins) are not parsed.
import { parseDurationMs, formatDuration } from "../../lib/duration";
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { HelmRelease, StackView } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { known } from "../../lib/unknown";
import { flag } from "./stack-monitoring";
import { stackRuleExpressions } from "../../lib/stack-rules";

/** The Prometheus CRD's default scrapeInterval (prometheus_types.go, see the header). */
export const PROMETHEUS_DEFAULT_SCRAPE_INTERVAL = "30s";

export interface ScrapeInterval {
  readonly ms: number;
  /** e.g. `kube-prometheus-stack release "kps" values.prometheus.prometheusSpec.scrapeInterval=5s` */
  readonly where: string;
}

/** The interval text of a value node, or undefined when unset / empty / not literal. */
function intervalText(node: PropNode): string | undefined {
  const text = known(node.string());
  return text === undefined || text.trim() === "" ? undefined : text.trim();
}

/** The global scrape interval of a kube-prometheus-stack release's Prometheus (CRD default 30s when unset). */
export function globalScrapeInterval(release: HelmRelease): ScrapeInterval | undefined {
  const node = release.values.at("prometheus.prometheusSpec.scrapeInterval");
  const text = intervalText(node);
  if (text === undefined) {
    if (node.raw() !== undefined && known(node.raw()) === undefined) return undefined;
    return {
      ms: parseDurationMs(PROMETHEUS_DEFAULT_SCRAPE_INTERVAL, "prometheus")!,
      where: `${node.where} unset (the Prometheus CRD default ${PROMETHEUS_DEFAULT_SCRAPE_INTERVAL})`,
    };
  }
  const ms = parseDurationMs(text, "prometheus");
  return ms === undefined ? undefined : { ms, where: `${node.where}=${text}` };
}

function explicit(node: PropNode): ScrapeInterval | undefined {
  const text = intervalText(node);
  if (text === undefined) return undefined;
  const ms = parseDurationMs(text, "prometheus");
  return ms === undefined ? undefined : { ms, where: `${node.where}=${text}` };
}

const KPS_SECTIONS: ReadonlyArray<readonly [section: string, enabled: string, monitor: string]> = [
  ["prometheus", "prometheus.serviceMonitor.selfMonitor", "prometheus.serviceMonitor"],
  ["alertmanager", "alertmanager.serviceMonitor.selfMonitor", "alertmanager.serviceMonitor"],
  ["prometheusOperator", "prometheusOperator.serviceMonitor.selfMonitor", "prometheusOperator.serviceMonitor"],
  ["kubelet", "kubelet.serviceMonitor.enabled", "kubelet.serviceMonitor"],
  ["kubeApiServer", "kubeApiServer.serviceMonitor.enabled", "kubeApiServer.serviceMonitor"],
  ["coreDns", "coreDns.serviceMonitor.enabled", "coreDns.serviceMonitor"],
  ["kubeProxy", "kubeProxy.serviceMonitor.enabled", "kubeProxy.serviceMonitor"],
  ["kubeControllerManager", "kubeControllerManager.serviceMonitor.enabled", "kubeControllerManager.serviceMonitor"],
  ["kubeScheduler", "kubeScheduler.serviceMonitor.enabled", "kubeScheduler.serviceMonitor"],
  ["kubeEtcd", "kubeEtcd.serviceMonitor.enabled", "kubeEtcd.serviceMonitor"],
];

/** Every explicit endpoint interval the stack's charts render, plus each Prometheus' global interval. */
function stackIntervals(stack: StackView): ScrapeInterval[] {
  const out: ScrapeInterval[] = [];
  const push = (i: ScrapeInterval | undefined) => i && out.push(i);
  for (const kps of stack.helmReleases(CHARTS.kubePrometheusStack)) {
    const v = kps.values;
    if (!flag(v, "prometheus.enabled", true)) continue;
    push(globalScrapeInterval(kps));
    for (const [section, enabled, monitor] of KPS_SECTIONS) {
      if (!flag(v, `${section}.enabled`, true) || !flag(v, enabled, true)) continue;
      push(explicit(v.at(`${monitor}.interval`)));
      if (section === "kubelet") {
        if (flag(v, "kubelet.serviceMonitor.cAdvisor", true)) push(explicit(v.at(`${monitor}.cAdvisorInterval`)));
        if (flag(v, "kubelet.serviceMonitor.resource", false)) push(explicit(v.at(`${monitor}.resourceInterval`)));
      }
    }
    for (const [sub, condition] of [
      ["kube-state-metrics", "kubeStateMetrics.enabled"],
      ["prometheus-node-exporter", "nodeExporter.enabled"],
    ] as const) {
      if (flag(v, condition, true) && flag(v, `${sub}.prometheus.monitor.enabled`, true))
        push(explicit(v.at(`${sub}.prometheus.monitor.interval`)));
    }
    if (flag(v, "grafana.enabled", true) && flag(v, "grafana.serviceMonitor.enabled", true))
      push(explicit(v.at("grafana.serviceMonitor.interval")));
    for (const entry of known(v.at("prometheus.additionalServiceMonitors").items()) ?? [])
      for (const ep of known(entry.get("endpoints").items()) ?? []) push(explicit(ep.get("interval")));
    for (const entry of known(v.at("prometheus.additionalPodMonitors").items()) ?? [])
      for (const ep of known(entry.get("podMetricsEndpoints").items()) ?? []) push(explicit(ep.get("interval")));
  }
  for (const mimir of stack.helmReleases(CHARTS.mimir))
    if (flag(mimir.values, "metaMonitoring.serviceMonitor.enabled", false))
      push(explicit(mimir.values.at("metaMonitoring.serviceMonitor.interval")));
  for (const loki of stack.helmReleases(CHARTS.loki))
    if (flag(loki.values, "monitoring.serviceMonitor.enabled", false))
      push(explicit(loki.values.at("monitoring.serviceMonitor.interval")));
  for (const alloy of stack.helmReleases(CHARTS.alloy))
    if (flag(alloy.values, "serviceMonitor.enabled", false)) push(explicit(alloy.values.at("serviceMonitor.interval")));
  return out;
}

/** A range selector `[5m]` or a subquery's range `[30m:1m]` (PromQL grammar: a duration in brackets). */
const RANGE = /\[\s*((?:\d+(?:ms|[smhdwy]))+)\s*(?::[^\]]*)?\]/g;

/**
 * Functions that need two samples in their range (promql/functions.go: extrapolatedRate for rate/increase/delta,
 * instantValue for irate/idelta, deriv and predict_linear's linear regression all return nothing below two); the
 * *_over_time functions (and any other range use) need one.
 */
const TWO_SAMPLES = new Set(["rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear"]);

/** The function whose argument list encloses position `at` of `expr` ("" when none). */
function enclosingFunction(expr: string, at: number): string {
  let depth = 0;
  for (let i = at - 1; i >= 0; i--) {
    if (expr[i] === ")") depth++;
    else if (expr[i] === "(") {
      if (depth === 0) return /([a-zA-Z_]\w*)\s*$/.exec(expr.slice(0, i))?.[1] ?? "";
      depth--;
    }
  }
  return "";
}

interface Window {
  /** The longest interval that still leaves the rule the samples it needs: range / samples needed. */
  readonly maxIntervalMs: number;
  readonly text: string;
  readonly fn: string;
  readonly samples: number;
  readonly rule: string;
}

/** The most demanding range window among the stack's own PrometheusRule resources, or undefined. */
function shortestWindow(stack: StackView): Window | undefined {
  let best: Window | undefined;
  for (const { rule, expr } of stackRuleExpressions(stack)) {
    for (const m of expr.matchAll(RANGE)) {
      const ms = parseDurationMs(m[1], "prometheus");
      if (ms === undefined || ms === 0) continue;
      const fn = enclosingFunction(expr, m.index ?? 0);
      const samples = TWO_SAMPLES.has(fn) ? 2 : 1;
      const maxIntervalMs = ms / samples;
      if (!best || maxIntervalMs < best.maxIntervalMs) best = { maxIntervalMs, text: m[1], fn, samples, rule };
    }
  }
  return best;
}

export const scrapeIntervalsFitRuleWindows = stackRule<object>(
  {
    name: "scrape-intervals-fit-rule-windows",
    rule: "Q10",
    description:
      "Every scrape interval of the stack's Prometheus (prometheusSpec.scrapeInterval, default 30s, and each ServiceMonitor interval the stack's charts render) must be at most half the shortest range window of the stack's own alert and recording rules: rate()/increase() need two samples in the range",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Scrape at most every <shortest rule window>/2 (the chart defaults: 30s global, Loki 15s), or widen the rules' range windows to at least twice the interval.",
    url: "https://prometheus.io/docs/prometheus/latest/querying/functions/#rate",
    tags: ["prometheus", "alerts"],
  },
  (stack, ctx) => {
    const window = shortestWindow(stack);
    if (!window) return;
    for (const interval of stackIntervals(stack)) {
      if (interval.ms <= window.maxIntervalMs) continue;
      const need = window.samples === 2 ? "two samples" : "a sample";
      ctx.violation(
        `${interval.where} scrapes every ${formatDuration(interval.ms)}, longer than the stack's own rules allow ` +
          `(${window.fn || "a range selector"}(...[${window.text}]) in ${window.rule} needs ${need} in its range: at most one scrape every ${formatDuration(window.maxIntervalMs)}; ` +
          `the policy compares every interval with the most demanding window of all the stack's rules, not per job): ` +
          `rate()/increase()/irate() need at least two samples in their range and *_over_time at least one (Prometheus docs, querying functions), so the rules over this target's metrics ` +
          `return nothing and their alerts never fire (silent loss). Fix: scrape at most every ${formatDuration(window.maxIntervalMs)} ` +
          `(leave the interval unset for the 30s default), or widen the rules' windows to at least ${formatDuration(interval.ms * window.samples)}.`,
      );
    }
  },
);
