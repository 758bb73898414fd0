// U7: scrapeTimeout against the scrape intervals, Prometheus' and the kubelet ServiceMonitor's.
import { parseDurationMs } from "../../../lib/duration";
import { RuleContext } from "../../../lib/policy";
import { HelmRelease } from "../../../lib/stack";
import { containsUnknownSentinel } from "../../../lib/unknown";
import { API_REFUSES, DURATION, Obj, PROM_STOPS, Report, obj, q } from "./common";

/** The CRD default of Prometheus.spec.scrapeInterval (prometheus_types.go +kubebuilder:default:="30s"). */
const DEFAULT_SCRAPE_INTERVAL = "30s";
/** kube-prometheus-stack 88.5.3 values.yaml kubelet.serviceMonitor defaults the checks below read. */
const KUBELET_DEFAULTS: Obj = {
  kubelet: true,
  probes: true,
  cAdvisor: true,
  resource: false,
  interval: "",
  cAdvisorInterval: "10s",
  resourceInterval: "10s",
  scrapeTimeout: "",
};

/** A Duration field the chart renders only when truthy; its text when set, undefined otherwise. */
export const rendered = (value: unknown): string | undefined =>
  value === undefined || value === null || value === "" || value === false ? undefined : String(value);

export function checkScrapeIntervals(
  release: HelmRelease,
  spec: Obj,
  where: string,
  agent: boolean,
  report: Report,
  ctx: RuleContext<object>,
): void {
  const fields: Array<[string, boolean]> = [
    ["scrapeInterval", true],
    ["scrapeTimeout", true],
    ["evaluationInterval", !agent],
    ["ruleQueryOffset", !agent],
  ];
  const bad = new Set<string>();
  for (const [key, renders] of fields) {
    const value = rendered(spec[key]);
    if (!renders || value === undefined || DURATION.test(value)) continue;
    bad.add(key);
    report(
      `${where}.${key}=${q(spec[key])} is not a prometheus-operator Duration (pattern ${DURATION.source}, e.g. 30s or 1m30s): ` +
        `${API_REFUSES}. Fix: write it as whole units such as 30s, 1m or 1m30s.`,
    );
  }
  if (bad.has("scrapeInterval") || bad.has("scrapeTimeout")) return;
  const interval = rendered(spec.scrapeInterval) ?? DEFAULT_SCRAPE_INTERVAL;
  const timeout = rendered(spec.scrapeTimeout);
  const intervalMs = parseDurationMs(interval, "prometheus");
  if (timeout !== undefined && intervalMs !== undefined) {
    const timeoutMs = parseDurationMs(timeout, "prometheus");
    if (timeoutMs !== undefined && timeoutMs > intervalMs)
      report(
        `${where}.scrapeTimeout=${q(timeout)} is greater than scrapeInterval ${q(interval)}${rendered(spec.scrapeInterval) ? "" : " (the CRD default)"}: ` +
          `prometheus-operator refuses to generate the configuration ('creating config failed: generating config failed: scrapeTimeout ` +
          `"${timeout}" greater than scrapeInterval "${interval}"', pkg/prometheus/promcfg.go CompareScrapeTimeoutToScrapeInterval), and ` +
          `${PROM_STOPS}. Fix: keep prometheus.prometheusSpec.scrapeTimeout at or below scrapeInterval (raise scrapeInterval or lower the timeout).`,
      );
  }
  if (intervalMs === undefined) return;

  // The kubelet ServiceMonitor (templates/exporters/kubelet/servicemonitor.yaml).
  const values = release.values;
  const gates = [
    values.at("kubelet.enabled"),
    values.at("kubelet.serviceMonitor"),
    values.at("kubernetesServiceMonitors.enabled"),
  ];
  const raws = gates.map((g) => g.raw());
  if (raws.some((r) => containsUnknownSentinel(r)) || gates.some((g) => g.isUnknown))
    return ctx.inconclusive(gates[1].unknown());
  if (raws[0] === false || raws[2] === false) return;
  const sm: Obj = { enabled: true, ...KUBELET_DEFAULTS, ...(obj(raws[1]) ?? {}) };
  const smTimeout = rendered(sm.scrapeTimeout);
  if (!sm.enabled || smTimeout === undefined) return;
  const smTimeoutMs = parseDurationMs(smTimeout, "prometheus");
  if (smTimeoutMs === undefined) return;
  const own = rendered(sm.interval);
  const endpoints: Array<[string, boolean, string | undefined]> = [
    ["kubelet", sm.kubelet === true, own],
    ["cAdvisor", sm.cAdvisor === true, own ?? rendered(sm.cAdvisorInterval)],
    ["probes", sm.probes === true, own],
    ["resource", sm.resource === true, own ?? rendered(sm.resourceInterval)],
  ];
  const short: string[] = [];
  for (const [name, on, endpointInterval] of endpoints) {
    if (!on) continue;
    // resource_selector.go validateScrapeIntervalAndTimeout: an empty endpoint interval takes Prometheus' scrapeInterval.
    const effective = endpointInterval ?? interval;
    const ms = parseDurationMs(effective, "prometheus");
    if (ms !== undefined && smTimeoutMs > ms) short.push(`${name} (interval ${effective})`);
  }
  if (short.length > 0)
    report(
      `kubelet.serviceMonitor.scrapeTimeout=${q(smTimeout)} is greater than the interval of the kubelet ServiceMonitor's ${short.join(", ")} ` +
        `endpoint${short.length > 1 ? "s" : ""}: prometheus-operator rejects the whole ServiceMonitor ('scrapeTimeout "${smTimeout}" greater than ` +
        `scrapeInterval', pkg/prometheus/resource_selector.go checkServiceMonitor, logged as "skipping object"), so no kubelet, cAdvisor ` +
        `or probe series is scraped (silent loss of node and container metrics). Fix: lower kubelet.serviceMonitor.scrapeTimeout to at most ` +
        `the shortest interval (cAdvisorInterval and resourceInterval default to 10s) or raise those intervals.`,
    );
}
