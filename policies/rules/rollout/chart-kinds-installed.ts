// U11 (HARD, the release never installs or upgrades): every object a chart renders is of a kind the cluster serves.
// - Helm maps each object of a release to a REST resource before it applies any; a kind whose API the cluster does not
//   serve (no CRD installed) fails the whole install or upgrade: `resource mapping not found for name ... no matches
//   for kind "ScaledObject" in version "keda.sh/v1alpha1" ensure CRDs are installed first` (helm pkg/kube client.go
//   Build / pkg/action install.go, the REST mapper's NoKindMatchError). The Pulumi Release update then fails, and no
//   later change to that release rolls out until the value is reverted.
// - Which kinds each pinned chart can render from a group the cluster does not serve by itself, and under which values,
//   is inventoried in policies/lib/charts/chart-crd-kinds.json (tools/facts/extract-chart-crd-kinds.js over the chart
//   templates); each entry is modelled in OPTIONAL_KINDS below or carries a note (a test keeps the two in step). A
//   template that tests `.Capabilities.APIVersions.Has` before rendering (alloy vpa.yaml, kube-prometheus-stack
//   prometheus-operator verticalpodautoscaler.yaml) skips the object instead and is not judged.
// - What the cluster serves: an EKS cluster serves none of these groups by itself (EKS installs no CRDs of them; the
//   VPA, KEDA, cert-manager, Gateway API, Cilium and grafana-operator are separate installs; route.openshift.io and
//   security.openshift.io exist only on OpenShift). The stack installs a group's CRDs through a release of the chart
//   that ships them (PROVIDERS; kube-prometheus-stack only while `crds.enabled`, default true, values.yaml; its crds
//   subchart, Chart.yaml condition crds.enabled) or a CustomResourceDefinition resource of that group. Judged when the
//   stack creates the EKS cluster (a cluster made elsewhere may serve anything).
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease, StackView } from "../../lib/stack";
import { CHARTS, TYPES } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";
import { renderedSection } from "../workloads/pod-values";

/** A kind a chart renders under some values, and where those values turn it on. */
export interface OptionalKind {
  /** Id the inventory's `model` names. */
  readonly id: string;
  readonly chart: string;
  readonly apiVersion: string;
  readonly kinds: readonly string[];
  /** Template and condition it was read from. */
  readonly source: string;
  /** The value nodes that make the release render the kind (empty: not rendered); an unknown value is thrown. */
  readonly renderedBy: (release: HelmRelease) => PropNode[];
}

class UnknownValue extends Error {
  constructor(readonly node: PropNode) {
    super("unknown");
  }
}

function flag(node: PropNode, fallback: boolean): boolean {
  const value = node.boolean();
  if (isUnknown(value)) throw new UnknownValue(node);
  return value ?? fallback;
}

function text(node: PropNode, fallback: string): string {
  const value = node.string();
  if (isUnknown(value)) throw new UnknownValue(node);
  return value ?? fallback;
}

/** `<section>.kedaAutoscaling.enabled` of every section the release renders. */
function kedaSections(release: HelmRelease): PropNode[] {
  const entries = release.values.entries();
  if (isUnknown(entries)) throw new UnknownValue(release.values);
  const on: PropNode[] = [];
  for (const [section, node] of entries ?? []) {
    const keda = node.at("kedaAutoscaling.enabled");
    if (!keda.isPresent || !flag(keda, false)) continue;
    if (!flag(node.get("enabled"), true) || !renderedSection(release, [section])) continue;
    on.push(keda);
  }
  return on;
}

/** `<base>.<name>.enabled` of every entry of a route map (`range $name, $route := ...; if $route.enabled`). */
function routes(release: HelmRelease, base: string): PropNode[] {
  const entries = release.values.at(base).entries();
  if (isUnknown(entries)) throw new UnknownValue(release.values.at(base));
  return (entries ?? []).map(([, route]) => route.get("enabled")).filter((enabled) => flag(enabled, false));
}

const when = (condition: boolean, node: PropNode): PropNode[] => (condition ? [node] : []);

/** The optional kinds of the pinned charts (sources: the templates named, at the chart tags in components/shared/charts.ts). */
export const OPTIONAL_KINDS: readonly OptionalKind[] = [
  {
    id: "mimir-keda",
    chart: CHARTS.mimir,
    apiVersion: "keda.sh/v1alpha1",
    kinds: ["ScaledObject"],
    source:
      "mimir-distributed 6.0.x templates/<component>/<component>-so.yaml: `if and .Values.<component>.enabled .Values.<component>.kedaAutoscaling.enabled`",
    renderedBy: kedaSections,
  },
  {
    id: "mimir-monitors",
    chart: CHARTS.mimir,
    apiVersion: "monitoring.coreos.com/v1",
    kinds: ["ServiceMonitor", "PrometheusRule"],
    source:
      "mimir-distributed 6.0.x templates/*/*-servmon.yaml (metaMonitoring.serviceMonitor.enabled), templates/metamonitoring/mixin-alerts.yaml (metaMonitoring.prometheusRule.enabled)",
    renderedBy: (r) => [
      ...when(
        flag(r.values.at("metaMonitoring.serviceMonitor.enabled"), false),
        r.values.at("metaMonitoring.serviceMonitor.enabled"),
      ),
      ...when(
        flag(r.values.at("metaMonitoring.prometheusRule.enabled"), false),
        r.values.at("metaMonitoring.prometheusRule.enabled"),
      ),
    ],
  },
  {
    id: "mimir-openshift-route",
    chart: CHARTS.mimir,
    apiVersion: "route.openshift.io/v1",
    kinds: ["Route"],
    source: "mimir-distributed 6.0.x templates/gateway/gateway-route.yaml: `if .Values.gateway.route.enabled`",
    renderedBy: (r) => when(flag(r.values.at("gateway.route.enabled"), false), r.values.at("gateway.route.enabled")),
  },
  {
    id: "loki-keda",
    chart: CHARTS.loki,
    apiVersion: "keda.sh/v1alpha1",
    kinds: ["ScaledObject"],
    source:
      "loki 18.11.0 templates/_keda.tpl loki.keda (`if .component.kedaAutoscaling.enabled`), included by templates/<component>/so.yaml for the deployment mode's components",
    renderedBy: kedaSections,
  },
  {
    id: "loki-monitors",
    chart: CHARTS.loki,
    apiVersion: "monitoring.coreos.com/v1",
    kinds: ["ServiceMonitor", "PrometheusRule"],
    source:
      "loki 18.11.0 templates/monitoring/servicemonitor.yaml (monitoring.serviceMonitor.enabled), monitoring/rules/loki_rules.yaml (monitoring.rules.enabled), monitoring/alerts/loki_alerts.yaml (monitoring.alerts.enabled), monitoring/additional-prometheus-rules.yaml (range monitoring.additionalPrometheusRules), table-manager/servicemonitor.yaml (tableManager.enabled and serviceMonitor.enabled)",
    renderedBy: (r) => {
      const v = r.values;
      const extra = v.at("monitoring.additionalPrometheusRules").entries();
      if (isUnknown(extra)) throw new UnknownValue(v.at("monitoring.additionalPrometheusRules"));
      return [
        ...["monitoring.serviceMonitor.enabled", "monitoring.rules.enabled", "monitoring.alerts.enabled"]
          .map((p) => v.at(p))
          .filter((n) => flag(n, false)),
        ...when((extra ?? []).length > 0, v.at("monitoring.additionalPrometheusRules")),
        ...when(
          flag(v.at("tableManager.enabled"), false) && flag(v.at("serviceMonitor.enabled"), false),
          v.at("serviceMonitor.enabled"),
        ),
      ];
    },
  },
  {
    id: "loki-grafana-operator",
    chart: CHARTS.loki,
    apiVersion: "grafana.integreatly.org/v1beta1",
    kinds: ["GrafanaDashboard"],
    source:
      "loki 18.11.0 templates/monitoring/dashboards/*.yaml: `if and .Values.monitoring.dashboards.enabled .Values.monitoring.dashboards.grafanaOperator.enabled`",
    renderedBy: (r) =>
      when(
        flag(r.values.at("monitoring.dashboards.enabled"), false) &&
          flag(r.values.at("monitoring.dashboards.grafanaOperator.enabled"), false),
        r.values.at("monitoring.dashboards.grafanaOperator.enabled"),
      ),
  },
  {
    id: "loki-cilium",
    chart: CHARTS.loki,
    apiVersion: "cilium.io/v2",
    kinds: ["CiliumNetworkPolicy"],
    source:
      'loki 18.11.0 templates/ciliumnetworkpolicy.yaml: `if and .Values.networkPolicy.enabled (eq .Values.networkPolicy.flavor "cilium")`',
    renderedBy: (r) =>
      when(
        flag(r.values.at("networkPolicy.enabled"), false) &&
          text(r.values.at("networkPolicy.flavor"), "kubernetes") === "cilium",
        r.values.at("networkPolicy.flavor"),
      ),
  },
  {
    id: "loki-openshift-scc",
    chart: CHARTS.loki,
    apiVersion: "security.openshift.io/v1",
    kinds: ["SecurityContextConstraints"],
    source: "loki 18.11.0 templates/securitycontextconstraints.yaml: `if .Values.rbac.sccEnabled`",
    renderedBy: (r) => when(flag(r.values.at("rbac.sccEnabled"), false), r.values.at("rbac.sccEnabled")),
  },
  {
    id: "loki-gateway-api",
    chart: CHARTS.loki,
    apiVersion: "gateway.networking.k8s.io/v1",
    kinds: ["HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"],
    source:
      "loki 18.11.0 templates/route.yaml (range .Values.route, `if $route.enabled`), gateway/route-gateway.yaml (gateway.enabled, range .Values.gateway.route); _route.tpl takes the apiVersion from the cluster's capabilities but falls back to gateway.networking.k8s.io/v1, so the route renders either way",
    renderedBy: (r) => [
      ...routes(r, "route"),
      ...(flag(r.values.at("gateway.enabled"), true) ? routes(r, "gateway.route") : []),
    ],
  },
  {
    id: "alloy-service-monitor",
    chart: CHARTS.alloy,
    apiVersion: "monitoring.coreos.com/v1",
    kinds: ["ServiceMonitor"],
    source:
      "alloy 1.11.1 templates/servicemonitor.yaml: `if and .Values.service.enabled .Values.serviceMonitor.enabled`",
    renderedBy: (r) =>
      when(
        flag(r.values.at("service.enabled"), true) && flag(r.values.at("serviceMonitor.enabled"), false),
        r.values.at("serviceMonitor.enabled"),
      ),
  },
  {
    id: "kps-operator-objects",
    chart: CHARTS.kubePrometheusStack,
    apiVersion: "monitoring.coreos.com/v1",
    kinds: ["Prometheus", "Alertmanager", "ServiceMonitor", "PrometheusRule"],
    source:
      "kube-prometheus-stack 88.5.3 templates/prometheus/prometheus.yaml (prometheus.enabled, default true), alertmanager/alertmanager.yaml (alertmanager.enabled, default true) and the rules and monitors under them",
    renderedBy: (r) =>
      ["prometheus.enabled", "alertmanager.enabled"].map((p) => r.values.at(p)).filter((n) => flag(n, true)),
  },
  {
    id: "kps-vpa",
    chart: CHARTS.kubePrometheusStack,
    apiVersion: "autoscaling.k8s.io/v1",
    kinds: ["VerticalPodAutoscaler"],
    source:
      "kube-prometheus-stack 88.5.3 templates/alertmanager/verticalpodautoscaler.yaml and prometheus/verticalpodautoscaler.yaml: `if and .Values.<x>.enabled .Values.<x>.verticalPodAutoscaler.enabled`, no capabilities test (the prometheus-operator one has it and is not judged)",
    renderedBy: (r) =>
      ["alertmanager", "prometheus"]
        .filter((s) => flag(r.values.at(`${s}.enabled`), true))
        .map((s) => r.values.at(`${s}.verticalPodAutoscaler.enabled`))
        .filter((n) => flag(n, false)),
  },
  {
    id: "kps-cert-manager",
    chart: CHARTS.kubePrometheusStack,
    apiVersion: "cert-manager.io/v1",
    kinds: ["Certificate", "Issuer"],
    source:
      "kube-prometheus-stack 88.5.3 templates/prometheus-operator/certmanager.yaml: `if .Values.prometheusOperator.admissionWebhooks.certManager.enabled`",
    renderedBy: (r) => {
      const n = r.values.at("prometheusOperator.admissionWebhooks.certManager.enabled");
      return when(flag(n, false), n);
    },
  },
  {
    id: "kps-cilium",
    chart: CHARTS.kubePrometheusStack,
    apiVersion: "cilium.io/v2",
    kinds: ["CiliumNetworkPolicy"],
    source:
      'kube-prometheus-stack 88.5.3 templates/prometheus-operator/ciliumnetworkpolicy.yaml and prometheus/ciliumnetworkpolicy.yaml: `if and .Values.<x>.networkPolicy.enabled (eq .Values.<x>.networkPolicy.flavor "cilium")`',
    renderedBy: (r) =>
      ["prometheusOperator", "prometheus"]
        .filter(
          (s) =>
            flag(r.values.at(`${s}.networkPolicy.enabled`), false) &&
            text(r.values.at(`${s}.networkPolicy.flavor`), "kubernetes") === "cilium",
        )
        .map((s) => r.values.at(`${s}.networkPolicy.flavor`)),
  },
  {
    id: "kps-grafana-operator",
    chart: CHARTS.kubePrometheusStack,
    apiVersion: "grafana.integreatly.org/v1beta1",
    kinds: ["GrafanaDashboard"],
    source:
      "kube-prometheus-stack 88.5.3 templates/grafana/dashboards-1.14/*.yaml: `if and .Values.grafana.operator.dashboardsConfigMapRefEnabled (or .Values.grafana.enabled .Values.grafana.forceDeployDashboards) ... .Values.grafana.defaultDashboardsEnabled`",
    renderedBy: (r) => {
      const n = r.values.at("grafana.operator.dashboardsConfigMapRefEnabled");
      const on =
        flag(n, false) &&
        (flag(r.values.at("grafana.enabled"), true) || flag(r.values.at("grafana.forceDeployDashboards"), false)) &&
        flag(r.values.at("grafana.defaultDashboardsEnabled"), true);
      return when(on, n);
    },
  },
  {
    id: "kps-secrets-store",
    chart: CHARTS.kubePrometheusStack,
    apiVersion: "secrets-store.csi.x-k8s.io/v1alpha1",
    kinds: ["SecretProviderClass"],
    source:
      "kube-prometheus-stack 88.5.3 templates/prometheus/csi-secret.yaml: `if and .Values.prometheus.prometheusSpec.thanos .Values.prometheus.prometheusSpec.thanos.secretProviderClass`",
    renderedBy: (r) => {
      const n = r.values.at("prometheus.prometheusSpec.thanos.secretProviderClass");
      if (n.isUnknown) throw new UnknownValue(n);
      const raw = n.raw();
      return when(raw !== undefined && raw !== null && raw !== false && raw !== "", n);
    },
  },
  {
    id: "kps-gateway-api",
    chart: CHARTS.kubePrometheusStack,
    apiVersion: "gateway.networking.k8s.io/v1",
    kinds: ["HTTPRoute"],
    source:
      'kube-prometheus-stack 88.5.3 templates/{alertmanager,prometheus,thanos-ruler}/route.yaml: `range $name, $route := .Values.<x>.route`, `if $route.enabled`; _helpers.tpl kube-prometheus-stack.route (`$route.apiVersion | default "gateway.networking.k8s.io/v1"`)',
    renderedBy: (r) =>
      [
        ["alertmanager", true],
        ["prometheus", true],
        ["thanosRuler", false],
      ].flatMap(([s, on]) => (flag(r.values.at(`${s}.enabled`), on as boolean) ? routes(r, `${s}.route`) : [])),
  },
];

/** Charts whose releases install a group's CRDs (their crds/ directory or a crds subchart). */
const PROVIDERS: Record<string, ReadonlyArray<{ chart: string; when?: (release: HelmRelease) => boolean }>> = {
  "monitoring.coreos.com": [
    // kube-prometheus-stack 88.5.3 Chart.yaml: dependency crds, condition crds.enabled (values.yaml default true).
    { chart: CHARTS.kubePrometheusStack, when: (r) => flag(r.values.at("crds.enabled"), true) },
    { chart: "prometheus-operator-crds" },
  ],
  "keda.sh": [{ chart: "keda" }],
  "cert-manager.io": [
    {
      chart: "cert-manager",
      when: (r) => flag(r.values.at("crds.enabled"), false) || flag(r.values.at("installCRDs"), false),
    },
  ],
  "autoscaling.k8s.io": [{ chart: "vertical-pod-autoscaler" }, { chart: "vpa" }],
  "cilium.io": [{ chart: "cilium" }],
  "grafana.integreatly.org": [{ chart: "grafana-operator" }],
};

const CRD_TYPE = /^kubernetes:apiextensions\.k8s\.io\/v[^:]+:CustomResourceDefinition$/;

/** The API groups the stack installs CRDs for; undefined when one is unknown at preview (recorded). */
function installedGroups(stack: StackView, ctx: RuleContext<object>): Set<string> | undefined {
  const groups = new Set<string>();
  for (const crd of stack.resources.filter((r) => CRD_TYPE.test(r.type))) {
    const group = crd.props.at("spec.group");
    if (group.isUnknown) {
      ctx.inconclusive(group.unknown());
      return undefined;
    }
    if (typeof group.raw() === "string") groups.add(group.raw() as string);
  }
  for (const [group, providers] of Object.entries(PROVIDERS)) {
    for (const provider of providers) {
      for (const release of stack.helmReleases().filter((r) => r.chart === provider.chart)) {
        try {
          if (!provider.when || provider.when(release)) groups.add(group);
        } catch (e) {
          if (!(e instanceof UnknownValue)) throw e;
          ctx.inconclusive(e.node.unknown());
          return undefined;
        }
      }
    }
  }
  return groups;
}

export const chartKindsInstalled = stackRule<object>(
  {
    name: "chart-kinds-installed",
    rule: "U11",
    description:
      "Every object kind a chart renders from an optional API (KEDA ScaledObject, VerticalPodAutoscaler, ServiceMonitor / PrometheusRule, cert-manager, Gateway API routes, Cilium, grafana-operator, OpenShift) has its CRD installed by the stack",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Turn the value off, or install the API's CRDs in the stack (a release of the chart that ships them, or CustomResourceDefinition resources) before the release that renders the kind.",
    url: "https://helm.sh/docs/chart_best_practices/custom_resource_definitions/; https://keda.sh/docs/latest/deploy/",
    tags: ["rollout", "kubernetes", "helm"],
  },
  (stack, ctx) => {
    if (stack.ofType(TYPES.eksCluster).length === 0) return; // a cluster made elsewhere: its APIs are unknown
    const groups = installedGroups(stack, ctx);
    if (!groups) return;
    for (const kind of OPTIONAL_KINDS) {
      const group = kind.apiVersion.split("/")[0];
      if (groups.has(group)) continue;
      for (const release of stack.helmReleases().filter((r) => r.chart === kind.chart)) {
        let on: PropNode[];
        try {
          on = kind.renderedBy(release);
        } catch (e) {
          if (!(e instanceof UnknownValue)) throw e;
          ctx.inconclusive(e.node.unknown());
          continue;
        }
        if (on.length === 0) continue;
        const providers = (PROVIDERS[group] ?? []).map((p) => p.chart);
        ctx.violation(
          `${on.map((n) => `${n.where}=${JSON.stringify(n.raw())}`).join(", ")}: the chart then renders ${kind.kinds.join(" / ")} (${kind.apiVersion}; ${kind.source}), ` +
            `but nothing in the stack installs the ${group} CRDs and EKS serves no such API by itself. Helm cannot map the kind ("no matches for kind ... in version ${kind.apiVersion}, ensure CRDs are installed first"): ` +
            `the release's install or upgrade fails, and no later change to it rolls out. Fix: turn ${on.map((n) => n.pathText).join(" and ")} off, or install the ${group} CRDs in the stack ` +
            `(${providers.length > 0 ? `a ${providers.join(" or ")} release, or ` : ""}CustomResourceDefinition resources) ahead of this release.`,
          release.resource.urn,
        );
      }
    }
  },
);
