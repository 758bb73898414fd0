// W13 (silent loss): the stack's Prometheus must select the stack's own ServiceMonitors, PodMonitors and
// PrometheusRules. A selector (or namespace selector) that misses them leaves Prometheus without those scrape targets
// (nothing stored, nothing remote-written to Mimir) or without those rules (the stack's alerts never fire), and
// nothing reports it: the operator simply selects fewer objects. Selector semantics, chart rendering and the labels
// of each object: stack-monitoring.ts.
import { namespaceLabels, selectorMatches } from "../../lib/label-selector";
import { stackRule } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { StackView } from "../../lib/stack";
import {
  EffectiveSelector,
  flag,
  MonitoredKind,
  namespaceSelector,
  objectSelector,
  SELECTED_KINDS,
  StackObject,
  stackObjects,
} from "./stack-monitoring";

const LOSS: Record<MonitoredKind, string> = {
  ServiceMonitor:
    "Prometheus scrapes none of their targets, so those metrics are neither stored locally nor remote-written to Mimir, and the alerts on them never fire (silent loss)",
  PodMonitor:
    "Prometheus scrapes none of their pods, so those metrics are neither stored locally nor remote-written to Mimir (silent loss)",
  PrometheusRule:
    "Prometheus loads none of their rules, so the stack's alerts and recording rules are never evaluated and nothing pages when the stack fails (silent loss)",
};

function selects(
  stack: StackView,
  release: HelmRelease,
  sel: EffectiveSelector,
  ns: EffectiveSelector,
  o: StackObject,
): boolean {
  if (sel.nil) return false;
  // A nil namespace selector means the Prometheus' own namespace (operator.go SelectNamespacesFromCache).
  const inNamespace = ns.nil
    ? o.namespace === release.namespace
    : selectorMatches(ns.selector, namespaceLabels(stack, o.namespace), ns.open);
  return inNamespace && selectorMatches(sel.selector, o.labels, new Set([...o.open, ...sel.open]));
}

export const prometheusSelectsStackMonitors = stackRule<object>(
  {
    name: "prometheus-selects-stack-monitors",
    rule: "W13",
    description:
      "The stack's Prometheus (kube-prometheus-stack prometheusSpec.*Selector / *NamespaceSelector / *SelectorNilUsesHelmValues) must select the ServiceMonitors, PodMonitors and PrometheusRules the stack itself renders (kube-prometheus-stack, Mimir, Loki, Alloy, the stack's alerts)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Leave prometheusSpec.serviceMonitorSelector / podMonitorSelector / ruleSelector empty with *SelectorNilUsesHelmValues: false (the program's setting: select everything), " +
      "or select a label every stack object carries (release=<kube-prometheus-stack release>, which the program gives Mimir's monitors and the stack's alerts), and keep the namespace selectors matching the stack's namespaces.",
    url: "https://github.com/prometheus-operator/prometheus-operator/blob/v0.93.0/pkg/prometheus/resource_selector.go (selectObjects)",
    tags: ["prometheus", "wiring"],
  },
  (stack, ctx) => {
    const objects = stackObjects(stack);
    for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      if (!flag(release.values, "prometheus.enabled", true)) continue;
      const agent = flag(release.values, "prometheus.agentMode", false);
      for (const [kind, field] of Object.entries(SELECTED_KINDS) as Array<[MonitoredKind, string]>) {
        const ofKind = objects.filter((o) => o.kind === kind);
        if (ofKind.length === 0) continue;
        if (kind === "PrometheusRule" && agent) {
          ctx.violation(
            `${release.label} values.prometheus.agentMode=true renders a PrometheusAgent, which has no ruleSelector and evaluates no rules ` +
              `(kube-prometheus-stack templates/prometheus/prometheus.yaml), yet the stack renders ${ofKind.map((o) => o.label).join("; ")}: ` +
              `${LOSS.PrometheusRule}. Fix: run Prometheus in server mode (agentMode false) or evaluate the rules elsewhere (Mimir's ruler).`,
            release.resource.urn,
          );
          continue;
        }
        const sel = objectSelector(release, field);
        const ns = namespaceSelector(release, field);
        const missed = ofKind.filter((o) => !selects(stack, release, sel, ns, o));
        if (missed.length === 0) continue;
        // Labels for the first few only: the list of every object the selector misses can run to a dozen monitors.
        const listed = missed.map((o, i) =>
          i < 3
            ? `${o.label} (namespace ${o.namespace}, labels ${JSON.stringify(Object.fromEntries(o.labels))})`
            : `${o.label} (namespace ${o.namespace})`,
        );
        const selection = sel.nil
          ? `${sel.source}: a nil ${field}Selector selects no ${kind} (prometheus-operator v0.93.0 LabelSelectorAsSelector(nil) = labels.Nothing())`
          : `${field}Selector from ${sel.source}${ns.nil ? "" : `, ${field}NamespaceSelector from ${ns.source}`}`;
        ctx.violation(
          `${release.label}: the Prometheus resource's ${selection} does not select ${missed.length} of the stack's ${ofKind.length} ${kind}(s): ` +
            `${LOSS[kind]}. Fix: leave prometheus.prometheusSpec.${field}Selector empty with ${field}SelectorNilUsesHelmValues: false (select everything), ` +
            `or select labels these objects carry and a ${field}NamespaceSelector that matches their namespaces. Not selected: ${listed.join("; ")}.`,
          release.resource.urn,
        );
      }
    }
  },
);
