// The kube-prometheus-stack chart 88.5.3's render-time refusals (prometheus-community/helm-charts tag
// kube-prometheus-stack-88.5.3, charts/kube-prometheus-stack). Its subcharts grafana, kube-state-metrics,
// prometheus-node-exporter and prometheus-windows-exporter are fetched at packaging and not in the source tree.
import { CHARTS } from "../../../lib/types";
import { ChartValues, truthy } from "./helm";
import { one, RefusalPredicate } from "./types";

const TAG = "kube-prometheus-stack chart 88.5.3";

/** The chart defaults the refusals read (charts/kube-prometheus-stack/values.yaml at that tag). */
export const KPS_REFUSAL_DEFAULTS = {
  grafana: {
    enabled: true,
    forceDeployDashboards: false,
    defaultDashboardsEnabled: true,
    operator: {
      dashboardsConfigMapRefEnabled: false,
      matchLabels: {},
      folder: "General",
      folderUID: null,
      folderRef: null,
    },
  },
  thanosRuler: { enabled: false, thanosRulerSpec: { containers: [], extraEnv: [] } },
} as const;

/**
 * The GrafanaDashboard objects of templates/grafana/dashboards-1.14/*.yaml render when
 * `and .Values.grafana.operator.dashboardsConfigMapRefEnabled (or .Values.grafana.enabled
 * .Values.grafana.forceDeployDashboards) (semverCompare ">=1.14.0-0" $kubeTargetVersion) ... defaultDashboardsEnabled`;
 * 16 of the 35 add no further condition (the others add e.g. kubeApiServer.enabled), and EKS is past 1.14.
 */
function dashboardObjects(v: ChartValues) {
  const ref = v.get("grafana.operator.dashboardsConfigMapRefEnabled");
  const grafana = v.get("grafana.enabled");
  const force = v.get("grafana.forceDeployDashboards");
  const defaults = v.get("grafana.defaultDashboardsEnabled");
  const on = truthy(ref.value) && (truthy(grafana.value) || truthy(force.value)) && truthy(defaults.value);
  return { on, ref };
}

export const KPS_REFUSALS: RefusalPredicate[] = [
  {
    id: "kube-prometheus-stack.grafana-operator-folder",
    chart: CHARTS.kubePrometheusStack,
    source: `${TAG} templates/_helpers.tpl line 390 (kube-prometheus-stack.grafana.operator.folder, included by each GrafanaDashboard)`,
    check: (v) => {
      const objects = dashboardObjects(v);
      if (!objects.on) return [];
      const set = ["folder", "folderUID", "folderRef"].map((k) => v.get(`grafana.operator.${k}`));
      const count = set.filter((r) => truthy(r.value)).length;
      return one(
        count !== 1
          ? {
              trigger: `${objects.ref.shown} with ${set.map((r) => r.shown).join(", ")} (${count} set)`,
              chartMessage: "grafana.operator: only one of folder, folderUID, or folderRef must be set",
              fix:
                count === 0
                  ? "set one of grafana.operator.folder, folderUID and folderRef"
                  : "keep exactly one of grafana.operator.folder, folderUID and folderRef (set the others, folder's default General included, to null)",
            }
          : undefined,
      );
    },
  },
  {
    id: "kube-prometheus-stack.grafana-operator-match-labels",
    chart: CHARTS.kubePrometheusStack,
    source: `${TAG} templates/grafana/dashboards-1.14/*.yaml (35 files, line 51 or 52)`,
    check: (v) => {
      const objects = dashboardObjects(v);
      const labels = v.get("grafana.operator.matchLabels");
      return one(
        objects.on && !truthy(labels.value)
          ? {
              trigger: `${objects.ref.shown} with ${labels.shown}`,
              chartMessage:
                "grafana.operator.matchLabels must be specified when grafana.operator.dashboardsConfigMapRefEnabled is true",
              fix: "set grafana.operator.matchLabels to the labels of the Grafana instance, or dashboardsConfigMapRefEnabled: false",
            }
          : undefined,
      );
    },
  },
  {
    id: "kube-prometheus-stack.thanos-ruler-extra-env-and-container",
    chart: CHARTS.kubePrometheusStack,
    source: `${TAG} templates/thanos-ruler/ruler.yaml line 181`,
    check: (v) => {
      const enabled = v.get("thanosRuler.enabled");
      const env = v.get("thanosRuler.thanosRulerSpec.extraEnv");
      const containers = v.get("thanosRuler.thanosRulerSpec.containers");
      const named =
        Array.isArray(containers.value) &&
        containers.value.some(
          (c) => c !== null && typeof c === "object" && (c as { name?: unknown }).name === "thanos-ruler",
        );
      return one(
        truthy(enabled.value) && truthy(env.value) && named
          ? {
              trigger: `${env.shown} with a thanos-ruler entry in ${containers.shown}`,
              chartMessage:
                "thanosRuler.thanosRulerSpec.extraEnv cannot be used together with a thanos-ruler entry in thanosRuler.thanosRulerSpec.containers",
              fix: "put the variables in the thanos-ruler container entry's env, and drop extraEnv",
            }
          : undefined,
      );
    },
  },
];
