// The kube-prometheus-stack chart 88.5.3's render-time refusals (prometheus-community/helm-charts tag
// kube-prometheus-stack-88.5.3, charts/kube-prometheus-stack), and those of the subcharts its Chart.yaml pins, which
// are fetched at packaging (tools/facts/regenerate-chart-refusals.sh unpacks them under charts/<name>): grafana 12.11.1
// (grafana-community/helm-charts tag grafana-12.11.1), kube-state-metrics 8.4.0 (no refusal), prometheus-node-exporter
// 4.56.1 and prometheus-windows-exporter 0.12.8 (prometheus-community/helm-charts tags of those names). A subchart reads
// its values under its key in the parent's (grafana.*, prometheus-node-exporter.*, prometheus-windows-exporter.*) and
// renders only when its Chart.yaml dependency condition holds (grafana.enabled, nodeExporter.enabled,
// windowsMonitoring.enabled).
import { CHARTS } from "../../../lib/types";
import { isPlainObject } from "../../../lib/plain";
import { Inconclusive, isUnknown } from "../../../lib/unknown";
import { ChartValues, failsRequired, truthy } from "./helm";
import { one, RefusalFinding, RefusalPredicate } from "./types";

const TAG = "kube-prometheus-stack chart 88.5.3";

/**
 * The grafana subchart's defaults its refusals read: grafana 12.11.1 values.yaml, with kube-prometheus-stack's own
 * grafana section over it (kube-prometheus-stack values.yaml grafana.sidecar.dashboards/datasources.enabled true).
 */
const GRAFANA_SUBCHART_DEFAULTS = {
  useStatefulSet: false,
  createConfigmap: true,
  assertNoLeakedSecrets: true,
  persistence: { enabled: false, type: "pvc" },
  // grafana values.yaml grafana.ini: paths, analytics, log, server, unified_storage (no sensitive key).
  "grafana.ini": {},
  sidecar: {
    alerts: { enabled: false, initAlerts: false, watchMethod: "WATCH" },
    dashboards: { enabled: true, initDashboards: false, watchMethod: "WATCH" },
    datasources: { enabled: true, initDatasources: false, watchMethod: "WATCH" },
    notifiers: { enabled: false, initNotifiers: false, watchMethod: "WATCH" },
    plugins: { enabled: false, watchMethod: "WATCH" },
  },
};

/** The chart defaults the refusals read (charts/kube-prometheus-stack/values.yaml at that tag). */
export const KPS_REFUSAL_DEFAULTS = {
  grafana: {
    ...GRAFANA_SUBCHART_DEFAULTS,
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
  // Chart.yaml dependency conditions (values.yaml nodeExporter.enabled true, windowsMonitoring.enabled false).
  nodeExporter: { enabled: true },
  windowsMonitoring: { enabled: false },
  // prometheus-node-exporter 4.56.1 values.yaml (image has no sha key; tlsSecret).
  "prometheus-node-exporter": {
    tlsSecret: { enabled: false, certItem: "tls.crt", keyItem: "tls.key" },
  },
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

const GRAFANA = "grafana chart 12.11.1 (kube-prometheus-stack 88.5.3 subchart)";

/**
 * Whether the grafana subchart renders its pod (templates/_pod.tpl grafana.pod): the dependency condition
 * grafana.enabled, then templates/deployment.yaml line 1 (`and (not useStatefulSet) (or (not persistence.enabled)
 * (eq persistence.type "pvc"))`) or templates/statefulset.yaml line 2 (`or useStatefulSet (and persistence.enabled
 * (not persistence.existingClaim) (has persistence.type (list "sts" "StatefulSet" "statefulset")))`).
 */
function grafanaWorkload(v: ChartValues): { pod: boolean; deployment: boolean } {
  if (!truthy(v.get("grafana.enabled").value)) return { pod: false, deployment: false };
  const sts = truthy(v.get("grafana.useStatefulSet").value);
  const persistence = truthy(v.get("grafana.persistence.enabled").value);
  const type = v.get("grafana.persistence.type").value;
  const deployment = !sts && (!persistence || type === "pvc");
  const statefulSet =
    sts ||
    (persistence &&
      !truthy(v.get("grafana.persistence.existingClaim").value) &&
      ["sts", "StatefulSet", "statefulset"].includes(String(type)));
  return { pod: deployment || statefulSet, deployment };
}

/**
 * The k8s-sidecar containers of grafana _pod.tpl, each with the `if` that renders it (lines 215, 449, 606, 735, 868,
 * 997, 1121); the alerts and notifiers init containers (lines 118, 357) check no watch timeout.
 */
const GRAFANA_SIDECARS: ReadonlyArray<{ kind: string; lines: string; renders: (v: ChartValues) => boolean }> = [
  {
    kind: "datasources",
    lines: "310/317 (init), 950/957",
    renders: (v) => truthy(v.get("grafana.sidecar.datasources.enabled").value),
  },
  {
    kind: "dashboards",
    lines: "548/555 (init), 821/828",
    renders: (v) => truthy(v.get("grafana.sidecar.dashboards.enabled").value),
  },
  {
    kind: "alerts",
    lines: "688/695",
    renders: (v) =>
      truthy(v.get("grafana.sidecar.alerts.enabled").value) &&
      !truthy(v.get("grafana.sidecar.alerts.initAlerts").value),
  },
  {
    kind: "notifiers",
    lines: "1074/1081",
    renders: (v) =>
      truthy(v.get("grafana.sidecar.notifiers.enabled").value) &&
      !truthy(v.get("grafana.sidecar.notifiers.initNotifiers").value),
  },
  { kind: "plugins", lines: "1198/1205", renders: (v) => truthy(v.get("grafana.sidecar.plugins.enabled").value) },
];

/** grafana _helpers.tpl lines 197-216 grafana.assertNoLeakedSecrets sensitiveKeys. */
const GRAFANA_SENSITIVE_KEYS: ReadonlyArray<readonly [string, string]> = [
  ["database", "password"],
  ["smtp", "password"],
  ["security", "secret_key"],
  ["security", "admin_password"],
  ["auth.basic", "password"],
  ["auth.ldap", "bind_password"],
  ["auth.google", "client_secret"],
  ["auth.github", "client_secret"],
  ["auth.gitlab", "client_secret"],
  ["auth.generic_oauth", "client_secret"],
  ["auth.okta", "client_secret"],
  ["auth.azuread", "client_secret"],
  ["auth.grafana_com", "client_secret"],
  ["auth.grafananet", "client_secret"],
  ["azure", "user_identity_client_secret"],
  ["unified_alerting", "ha_redis_password"],
  ["metrics", "basic_auth_password"],
  ["external_image_storage.s3", "secret_key"],
  ["external_image_storage.webdav", "password"],
  ["external_image_storage.azure_blob", "account_key"],
];
/** grafana _helpers.tpl line 227: a value passes when it holds a variable expansion. */
const GRAFANA_EXPANSION = /\$(?:__(?:env|file|vault))?{[^}]+}/;

/** Which image.sha refusal: prometheus-node-exporter / prometheus-windows-exporter _helpers.tpl line 79. */
function exporterImageSha(key: string, condition: string): RefusalPredicate {
  return {
    id: `kube-prometheus-stack.${key}-image-sha`,
    chart: CHARTS.kubePrometheusStack,
    source: `${key} subchart templates/_helpers.tpl line 79 (${key}.image, included by the DaemonSet)`,
    check: (v) => {
      const on = v.get(condition);
      const sha = v.get(`${key}.image.sha`);
      return one(
        truthy(on.value) && truthy(sha.value)
          ? {
              trigger: `${sha.shown} with ${on.shown}`,
              chartMessage: "image.sha forbidden. Use image.digest instead",
              fix: `move the value to ${key}.image.digest (with its sha256: prefix) and drop image.sha`,
            }
          : undefined,
      );
    },
  };
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
  {
    id: "grafana.sidecar-watch-timeout-needs-watch",
    chart: CHARTS.kubePrometheusStack,
    source: `${GRAFANA} templates/_pod.tpl (per sidecar, where its container renders)`,
    check: (v) => {
      if (!grafanaWorkload(v).pod) return [];
      const found: RefusalFinding[] = [];
      for (const sidecar of GRAFANA_SIDECARS) {
        if (!sidecar.renders(v)) continue;
        const method = v.get(`grafana.sidecar.${sidecar.kind}.watchMethod`);
        if (method.value === "WATCH") continue;
        for (const timeout of ["watchServerTimeout", "watchClientTimeout"]) {
          const read = v.get(`grafana.sidecar.${sidecar.kind}.${timeout}`);
          if (!truthy(read.value)) continue;
          found.push({
            trigger: `${read.shown} with ${method.shown} (_pod.tpl lines ${sidecar.lines})`,
            chartMessage: `Cannot use .Values.sidecar.${sidecar.kind}.${timeout} with .Values.sidecar.${sidecar.kind}.watchMethod ${String(method.value)}`,
            fix: `drop grafana.sidecar.${sidecar.kind}.${timeout} (the timeouts apply to WATCH only), or set grafana.sidecar.${sidecar.kind}.watchMethod: WATCH`,
          });
        }
      }
      return found;
    },
  },
  {
    id: "grafana.assert-no-leaked-secrets",
    chart: CHARTS.kubePrometheusStack,
    source: `${GRAFANA} templates/_helpers.tpl line 228 (grafana.assertNoLeakedSecrets, included by grafana.configData for the ConfigMap and the Deployment's config checksum)`,
    check: (v) => {
      const workload = grafanaWorkload(v);
      const assert = v.get("grafana.assertNoLeakedSecrets");
      // _config.tpl line 5; configmap.yaml line 1 `if .Values.createConfigmap`; deployment.yaml line 39 checksum.
      const rendered =
        truthy(v.get("grafana.enabled").value) &&
        (truthy(v.get("grafana.createConfigmap").value) || workload.deployment);
      if (!rendered || !truthy(assert.value)) return [];
      const grafana = v.get("grafana").value;
      const ini = isPlainObject(grafana) ? grafana["grafana.ini"] : undefined;
      if (isUnknown(ini)) throw new Inconclusive(ini);
      const found: RefusalFinding[] = [];
      for (const [section, key] of GRAFANA_SENSITIVE_KEYS) {
        const block = isPlainObject(ini) ? ini[section] : undefined;
        if (!isPlainObject(block) || !(key in block)) continue;
        const value = block[key];
        if (isUnknown(value)) throw new Inconclusive(value);
        if (typeof value === "string" && GRAFANA_EXPANSION.test(value)) continue;
        found.push({
          trigger: `values.grafana["grafana.ini"].${section}.${key} is a literal value with ${assert.shown}`,
          chartMessage: `Sensitive key '${section}.${key}' should not be defined explicitly in values. Use variable expansion instead. You can disable this client-side validation by changing the value of assertNoLeakedSecrets.`,
          fix: `set it to a variable expansion such as "$__file{/etc/secrets/...}" or "\${GF_...}" fed from a Secret (grafana.envValueFrom / extraSecretMounts)`,
        });
      }
      return found;
    },
  },
  {
    id: "kube-prometheus-stack.prometheus-node-exporter-tls-secret-items",
    chart: CHARTS.kubePrometheusStack,
    source: "prometheus-node-exporter subchart 4.56.1 templates/daemonset.yaml lines 391 and 393",
    check: (v) => {
      const on = v.get("nodeExporter.enabled");
      const tls = v.get("prometheus-node-exporter.tlsSecret.enabled");
      if (!truthy(on.value) || !truthy(tls.value)) return [];
      const found: RefusalFinding[] = [];
      for (const item of ["certItem", "keyItem"]) {
        const read = v.get(`prometheus-node-exporter.tlsSecret.${item}`);
        if (failsRequired(read.value))
          found.push({
            trigger: `${read.shown} with ${tls.shown}`,
            chartMessage: `Value tlsSecret.${item} must be set.`,
            fix: "name the Secret's certificate and key (prometheus-node-exporter.tlsSecret.certItem / keyItem, chart defaults tls.crt and tls.key)",
          });
      }
      return found;
    },
  },
  exporterImageSha("prometheus-node-exporter", "nodeExporter.enabled"),
  exporterImageSha("prometheus-windows-exporter", "windowsMonitoring.enabled"),
];
