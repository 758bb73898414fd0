// What the stack's Prometheus selects (W13) and what the stack asks it to select: the ServiceMonitors, PodMonitors
// and PrometheusRules the stack's own charts and resources render.
//
// Prometheus resource selectors, as kube-prometheus-stack 88.5.3 renders them (prometheus-community/helm-charts tag
// kube-prometheus-stack-88.5.3, charts/kube-prometheus-stack/templates/prometheus/prometheus.yaml):
// - <kind>Selector (serviceMonitor, podMonitor, probe, scrapeConfig, rule): a non-empty prometheusSpec.<kind>Selector
//   is written as is (through `tpl`); else `<kind>SelectorNilUsesHelmValues` (values.yaml default true) writes
//   `matchLabels: {release: <release name>}`; else `{}`. For scrapeConfig and rule only, the `{}` branch is guarded by
//   `not (kindIs "invalid" ...)`: a selector set to null (Helm drops the key) leaves the field out (nil).
// - <kind>NamespaceSelector: a non-empty value as is, else `{}`; scrapeConfigNamespaceSelector set to null is left out.
// prometheus-operator v0.93.0 evaluates them:
// - pkg/prometheus/resource_selector.go selectObjects: metav1.LabelSelectorAsSelector(selector) for ServiceMonitors,
//   PodMonitors, Probes and ScrapeConfigs; pkg/operator/rules.go NewPrometheusRuleSelector the same for rules.
//   apimachinery LabelSelectorAsSelector: nil selects nothing (labels.Nothing()), {} selects everything.
// - pkg/operator/operator.go SelectNamespacesFromCache: a nil namespace selector means the Prometheus' own namespace
//   only; otherwise the namespaces whose labels match (pkg/prometheus/server/rules.go uses it for ruleNamespaceSelector).
// - With prometheus.agentMode the chart renders a PrometheusAgent, which has no ruleSelector and evaluates no rules
//   (prometheus.yaml `if not .Values.prometheus.agentMode` around ruleSelector; monitoringv1alpha1 PrometheusAgentSpec).
//
// Labels of the objects (each chart's helpers at the pinned version):
// - kube-prometheus-stack _helpers.tpl "kube-prometheus-stack.labels": app.kubernetes.io/managed-by, /instance,
//   /version (chart version), /part-of (chart name or nameOverride), chart (<name>-<version>), release, heritage, and
//   commonLabels; every ServiceMonitor template adds app: <name>-<component> and its serviceMonitor.additionalLabels
//   (templates/exporters/*/servicemonitor.yaml, prometheus/servicemonitor.yaml, alertmanager/servicemonitor.yaml;
//   prometheus-operator/_prometheus-operator.tpl adds app: <name>-operator, app.kubernetes.io/name and /component);
//   with prometheusSpec.ignoreNamespaceSelectors the exporter monitors move to kube-system (apiserver: default).
//   The default rules (templates/prometheus/rules-1.14/*.yaml) carry app: <name>, the same labels and defaultRules.labels.
// - kube-state-metrics 8.4.0 / prometheus-node-exporter 4.56.1 "*.labels": app.kubernetes.io/name, /instance,
//   /managed-by, /component: metrics, /part-of, customLabels/commonLabels, and release=<release> when releaseLabel
//   (kube-prometheus-stack values.yaml sets releaseLabel: true), plus prometheus.monitor.additionalLabels.
// - grafana 12.11.1 (grafana-community/helm-charts) templates/servicemonitor.yaml: release=<release>, "grafana.labels"
//   (app.kubernetes.io/name grafana, /instance, /managed-by ...) plus serviceMonitor.labels, in serviceMonitor.namespace
//   or the Grafana namespace.
// - mimir-distributed templates/lib/service-monitor.tpl: "mimir.labels" (app.kubernetes.io/name mimir, /instance,
//   /component, /managed-by ...) plus metaMonitoring.serviceMonitor.labels, in metaMonitoring.serviceMonitor.namespace
//   or the release namespace; its PrometheusRule the same with metaMonitoring.prometheusRule.labels/.namespace.
// - loki 18.11.0 templates/monitoring/servicemonitor.yaml: "loki.labels" (helm.sh/chart, app.kubernetes.io/name loki,
//   /instance, /version, commonLabels) plus monitoring.serviceMonitor.labels, in the Loki namespace.
// - alloy 1.11.1 templates/servicemonitor.yaml: "alloy.labels" (app.kubernetes.io/name alloy, /instance, /managed-by
//   ...) plus serviceMonitor.additionalLabels.
// Labels whose value the pack does not model (chart and app versions, per-component names) are open: a selector's
// requirement on them is taken as met.
import { HelmRelease, StackView } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { isEmptySelector, LabelSelector, labelSelector, Labels, plainLabels } from "../../lib/label-selector";
import { known } from "../../lib/unknown";
import { PropNode } from "../../lib/node";
import { isPlainObject } from "../../lib/plain";

export type MonitoredKind = "ServiceMonitor" | "PodMonitor" | "PrometheusRule";

/** A ServiceMonitor, PodMonitor or PrometheusRule the stack renders. */
export interface StackObject {
  readonly kind: MonitoredKind;
  /** e.g. `kube-prometheus-stack release "kps" ServiceMonitor kubelet` */
  readonly label: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly open: ReadonlySet<string>;
}

/** The Prometheus resource's selector fields (the `Selector`/`NamespaceSelector` pair of each kind). */
export const SELECTED_KINDS = {
  ServiceMonitor: "serviceMonitor",
  PodMonitor: "podMonitor",
  PrometheusRule: "rule",
} as const satisfies Record<MonitoredKind, string>;

/** A selector as the Prometheus resource gets it: nil (field left out) or a label selector; where it came from. */
export type EffectiveSelector =
  | { readonly nil: true; readonly source: string }
  | {
      readonly nil: false;
      readonly selector: LabelSelector;
      readonly source: string;
      readonly open: ReadonlySet<string>;
    };

/** Go template truthiness, as `if` judges a value (nil, false, 0, "" and empty maps and lists are false). */
function truthy(raw: unknown): boolean {
  if (raw === undefined || raw === null || raw === false || raw === 0 || raw === "") return false;
  if (Array.isArray(raw)) return raw.length > 0;
  if (isPlainObject(raw)) return Object.keys(raw).length > 0;
  return true;
}

/** A boolean value with its chart default. */
export function flag(values: PropNode, path: string, fallback: boolean): boolean {
  return known(values.at(path).boolean()) ?? fallback;
}

const RELEASE_NAME_TPL = /\{\{-?\s*\$?\.Release\.Name\s*-?\}\}/g;
const RELEASE_NAMESPACE_TPL = /\{\{-?\s*\$?\.Release\.Namespace\s*-?\}\}/g;

/**
 * The chart passes explicit selectors through `tpl`: {{ .Release.Name }} and {{ .Release.Namespace }} are rendered;
 * a key whose value holds any other template is left open (not judged).
 */
function rendered(selector: LabelSelector, release: HelmRelease): { selector: LabelSelector; open: Set<string> } {
  const open = new Set<string>();
  const render = (key: string, text: string) => {
    const out = text.replace(RELEASE_NAME_TPL, release.releaseName).replace(RELEASE_NAMESPACE_TPL, release.namespace);
    if (out.includes("{{")) open.add(key);
    return out;
  };
  return {
    selector: {
      matchLabels: Object.fromEntries(Object.entries(selector.matchLabels).map(([k, v]) => [k, render(k, v)])),
      matchExpressions: selector.matchExpressions.map((e) => ({ ...e, values: e.values.map((v) => render(e.key, v)) })),
    },
    open,
  };
}

const spec = (release: HelmRelease) => release.values.at("prometheus.prometheusSpec");

/** The <kind>Selector the chart writes into the Prometheus resource (prometheus.yaml, see the header). */
export function objectSelector(release: HelmRelease, field: string): EffectiveSelector {
  const node = spec(release).get(`${field}Selector`);
  const raw = known(node.raw());
  if (truthy(raw))
    return { nil: false, ...rendered(labelSelector(node), release), source: `${node.where}=${JSON.stringify(raw)}` };
  const nilUses = spec(release).get(`${field}SelectorNilUsesHelmValues`);
  const nilUsesValue = known(nilUses.boolean());
  if (nilUsesValue ?? true) {
    return {
      nil: false,
      selector: { matchLabels: { release: release.releaseName }, matchExpressions: [] },
      open: new Set(),
      source: `${nilUses.where}=${nilUsesValue === undefined ? "true (chart default)" : "true"}, which selects release=${release.releaseName}`,
    };
  }
  if ((field === "rule" || field === "scrapeConfig") && raw === null)
    return { nil: true, source: `${node.where}=null with ${nilUses.where}=false (the chart leaves the field out)` };
  return {
    nil: false,
    selector: { matchLabels: {}, matchExpressions: [] },
    open: new Set(),
    source: `${nilUses.where}=false, which selects every object`,
  };
}

/** The <kind>NamespaceSelector (absent or empty: `{}`, every namespace). */
export function namespaceSelector(release: HelmRelease, field: string): EffectiveSelector {
  const node = spec(release).get(`${field}NamespaceSelector`);
  const raw = known(node.raw());
  if (truthy(raw))
    return { nil: false, ...rendered(labelSelector(node), release), source: `${node.where}=${JSON.stringify(raw)}` };
  return {
    nil: false,
    selector: { matchLabels: {}, matchExpressions: [] },
    open: new Set(),
    source: `${node.where}={}`,
  };
}

export function selectsEverything(selector: EffectiveSelector): boolean {
  return !selector.nil && isEmptySelector(selector.selector);
}

const OPEN_VERSIONS = ["helm.sh/chart", "app.kubernetes.io/version"];

function object(
  kind: MonitoredKind,
  label: string,
  namespace: string,
  labels: Record<string, string>,
  open: string[] = OPEN_VERSIONS,
): StackObject {
  return { kind, label, namespace, labels: new Map(Object.entries(labels)), open: new Set(open) };
}

/** kube-prometheus-stack's own ServiceMonitors: component, enabling flags (chart defaults), values section. */
const KPS_MONITORS: ReadonlyArray<{
  component: string;
  enabled: ReadonlyArray<readonly [string, boolean]>;
  section: string;
  /** Namespace with prometheusSpec.ignoreNamespaceSelectors (else the chart's namespace). */
  ignoreNs?: string;
}> = [
  {
    component: "prometheus",
    enabled: [
      ["prometheus.enabled", true],
      ["prometheus.serviceMonitor.selfMonitor", true],
    ],
    section: "prometheus",
  },
  {
    component: "alertmanager",
    enabled: [
      ["alertmanager.enabled", true],
      ["alertmanager.serviceMonitor.selfMonitor", true],
    ],
    section: "alertmanager",
  },
  {
    component: "operator",
    enabled: [
      ["prometheusOperator.enabled", true],
      ["prometheusOperator.serviceMonitor.selfMonitor", true],
    ],
    section: "prometheusOperator",
  },
  ...(
    [
      ["kubelet", "kubelet", "kube-system"],
      ["apiserver", "kubeApiServer", "default"],
      ["coredns", "coreDns", "kube-system"],
      ["kube-proxy", "kubeProxy", "kube-system"],
      ["kube-controller-manager", "kubeControllerManager", "kube-system"],
      ["kube-scheduler", "kubeScheduler", "kube-system"],
      ["kube-etcd", "kubeEtcd", "kube-system"],
    ] as const
  ).map(([component, section, ignoreNs]) => ({
    component,
    section,
    ignoreNs,
    enabled: [
      [`${section}.enabled`, true],
      [`${section}.serviceMonitor.enabled`, true],
      ["kubernetesServiceMonitors.enabled", true],
    ] as const,
  })),
];

function kpsObjects(release: HelmRelease): StackObject[] {
  const v = release.values;
  const version = release.chartVersion ?? "88.5.3";
  const name = known(v.get("nameOverride").string()) || CHARTS.kubePrometheusStack;
  const namespace = known(v.get("namespaceOverride").string()) || release.namespace;
  const common = {
    "app.kubernetes.io/managed-by": "Helm",
    "app.kubernetes.io/instance": release.releaseName,
    "app.kubernetes.io/version": version,
    "app.kubernetes.io/part-of": name,
    chart: `${CHARTS.kubePrometheusStack}-${version}`,
    release: release.releaseName,
    heritage: "Helm",
    ...plainLabels(v.get("commonLabels")),
  };
  const ignoreNs = flag(v, "prometheus.prometheusSpec.ignoreNamespaceSelectors", false);
  const objects: StackObject[] = [];
  for (const m of KPS_MONITORS) {
    if (!m.enabled.every(([path, fallback]) => flag(v, path, fallback))) continue;
    const operator: Record<string, string> =
      m.component === "operator"
        ? {
            "app.kubernetes.io/name": `${name}-prometheus-operator`,
            "app.kubernetes.io/component": "prometheus-operator",
          }
        : {};
    const ns =
      ignoreNs && m.ignoreNs
        ? m.component === "kubelet"
          ? known(v.at("kubelet.namespace").string()) || m.ignoreNs
          : m.ignoreNs
        : namespace;
    objects.push(
      object(
        "ServiceMonitor",
        `${release.label} ServiceMonitor ${m.component}`,
        ns,
        {
          app: `${name}-${m.component}`,
          ...plainLabels(v.at(`${m.section}.serviceMonitor.additionalLabels`)),
          ...common,
          ...operator,
        },
        [],
      ),
    );
  }
  // Subcharts (Chart.yaml dependencies, conditions kubeStateMetrics.enabled / nodeExporter.enabled / grafana.enabled).
  for (const [sub, condition, extra] of [
    ["kube-state-metrics", "kubeStateMetrics.enabled", "customLabels"],
    ["prometheus-node-exporter", "nodeExporter.enabled", "commonLabels"],
  ] as const) {
    if (!flag(v, condition, true) || !flag(v, `${sub}.prometheus.monitor.enabled`, true)) continue;
    const subName = known(v.at(`${sub}.nameOverride`).string()) || sub;
    objects.push(
      object(
        "ServiceMonitor",
        `${release.label} ServiceMonitor ${sub} (subchart)`,
        known(v.at(`${sub}.namespaceOverride`).string()) || release.namespace,
        {
          "app.kubernetes.io/managed-by": "Helm",
          "app.kubernetes.io/component": "metrics",
          "app.kubernetes.io/part-of": subName,
          "app.kubernetes.io/name": subName,
          "app.kubernetes.io/instance": release.releaseName,
          ...plainLabels(v.at(`${sub}.${extra}`)),
          ...(flag(v, `${sub}.releaseLabel`, true) ? { release: release.releaseName } : {}),
          ...plainLabels(v.at(`${sub}.prometheus.monitor.additionalLabels`)),
        },
      ),
    );
  }
  if (flag(v, "grafana.enabled", true) && flag(v, "grafana.serviceMonitor.enabled", true)) {
    objects.push(
      object(
        "ServiceMonitor",
        `${release.label} ServiceMonitor grafana (subchart)`,
        known(v.at("grafana.serviceMonitor.namespace").string()) ||
          known(v.at("grafana.namespaceOverride").string()) ||
          release.namespace,
        {
          release: release.releaseName,
          "app.kubernetes.io/managed-by": "Helm",
          "app.kubernetes.io/name": known(v.at("grafana.nameOverride").string()) || "grafana",
          "app.kubernetes.io/instance": release.releaseName,
          ...plainLabels(v.at("grafana.serviceMonitor.labels")),
        },
      ),
    );
  }
  // prometheus.additionalServiceMonitors / additionalPodMonitors (templates/prometheus/servicemonitors.yaml, podmonitors.yaml).
  for (const [kind, key] of [
    ["ServiceMonitor", "additionalServiceMonitors"],
    ["PodMonitor", "additionalPodMonitors"],
  ] as const) {
    if (!flag(v, "prometheus.enabled", true)) break;
    for (const [i, entry] of (known(v.at(`prometheus.${key}`).items()) ?? []).entries()) {
      const entryName = known(entry.get("name").string()) ?? String(i);
      objects.push(
        object(
          kind,
          `${release.label} ${kind} ${entryName} (values.prometheus.${key}[${i}])`,
          namespace,
          {
            app: `${name}-prometheus`,
            ...common,
            ...plainLabels(entry.get("additionalLabels")),
          },
          [],
        ),
      );
    }
  }
  if (flag(v, "defaultRules.create", true)) {
    objects.push(
      object(
        "PrometheusRule",
        `${release.label} default rules (defaultRules.create)`,
        namespace,
        {
          app: name,
          ...common,
          ...plainLabels(v.at("defaultRules.labels")),
        },
        [],
      ),
    );
  }
  return objects;
}

function chartLabels(release: HelmRelease, chartName: string, nameOverride: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": known(release.values.at(nameOverride).string()) || chartName,
    "app.kubernetes.io/instance": release.releaseName,
  };
}

function mimirObjects(release: HelmRelease): StackObject[] {
  const v = release.values;
  const base = { ...chartLabels(release, "mimir", "nameOverride"), "app.kubernetes.io/managed-by": "Helm" };
  const open = [...OPEN_VERSIONS, "app.kubernetes.io/component", "app.kubernetes.io/part-of"];
  const objects: StackObject[] = [];
  if (flag(v, "metaMonitoring.serviceMonitor.enabled", false))
    objects.push(
      object(
        "ServiceMonitor",
        `${release.label} ServiceMonitors (metaMonitoring.serviceMonitor)`,
        known(v.at("metaMonitoring.serviceMonitor.namespace").string()) || release.namespace,
        { ...base, ...plainLabels(v.at("metaMonitoring.serviceMonitor.labels")) },
        open,
      ),
    );
  if (
    flag(v, "metaMonitoring.prometheusRule.enabled", false) &&
    (flag(v, "metaMonitoring.prometheusRule.mimirAlerts", false) ||
      flag(v, "metaMonitoring.prometheusRule.mimirRules", false))
  )
    objects.push(
      object(
        "PrometheusRule",
        `${release.label} PrometheusRule (metaMonitoring.prometheusRule)`,
        known(v.at("metaMonitoring.prometheusRule.namespace").string()) || release.namespace,
        { ...base, ...plainLabels(v.at("metaMonitoring.prometheusRule.labels")) },
        open,
      ),
    );
  return objects;
}

function lokiObjects(release: HelmRelease): StackObject[] {
  const v = release.values;
  const namespace = known(v.get("namespaceOverride").string()) || release.namespace;
  const base = { ...chartLabels(release, "loki", "nameOverride"), ...plainLabels(v.get("commonLabels")) };
  const objects: StackObject[] = [];
  if (flag(v, "monitoring.serviceMonitor.enabled", false))
    objects.push(
      object("ServiceMonitor", `${release.label} ServiceMonitor (monitoring.serviceMonitor)`, namespace, {
        ...base,
        ...plainLabels(v.at("monitoring.serviceMonitor.labels")),
      }),
    );
  if (flag(v, "monitoring.rules.enabled", false))
    objects.push(
      object(
        "PrometheusRule",
        `${release.label} PrometheusRule (monitoring.rules)`,
        known(v.at("monitoring.namespace").string()) || namespace,
        {
          ...base,
          ...plainLabels(v.at("monitoring.rules.labels")),
        },
      ),
    );
  return objects;
}

function alloyObjects(release: HelmRelease): StackObject[] {
  const v = release.values;
  if (!flag(v, "serviceMonitor.enabled", false)) return [];
  return [
    object(
      "ServiceMonitor",
      `${release.label} ServiceMonitor (serviceMonitor)`,
      known(v.get("namespaceOverride").string()) || release.namespace,
      {
        ...chartLabels(release, "alloy", "nameOverride"),
        "app.kubernetes.io/managed-by": "Helm",
        ...plainLabels(v.at("serviceMonitor.additionalLabels")),
      },
      [...OPEN_VERSIONS, "app.kubernetes.io/part-of", "app.kubernetes.io/component"],
    ),
  ];
}

/** The program's own PrometheusRule resources (components/alerts). */
function ruleResources(stack: StackView): StackObject[] {
  return stack.resources
    .filter((r) => /^kubernetes:monitoring\.coreos\.com\/v1:PrometheusRule$/.test(r.type))
    .map((r) => {
      const metadata = r.props.get("metadata");
      const name = known(metadata.get("name").string()) ?? r.name;
      return object(
        "PrometheusRule",
        `PrometheusRule "${name}"`,
        known(metadata.get("namespace").string()) ?? "default",
        plainLabels(metadata.get("labels")),
        [],
      );
    });
}

/** Every ServiceMonitor, PodMonitor and PrometheusRule the stack renders. */
export function stackObjects(stack: StackView): StackObject[] {
  return [
    ...stack.helmReleases(CHARTS.kubePrometheusStack).flatMap(kpsObjects),
    ...stack.helmReleases(CHARTS.mimir).flatMap(mimirObjects),
    ...stack.helmReleases(CHARTS.loki).flatMap(lokiObjects),
    ...stack.helmReleases(CHARTS.alloy).flatMap(alloyObjects),
    ...ruleResources(stack),
  ];
}
