import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../../settings";
import { cpu, gibibytes, mebibytes } from "../../settings/derive/quantities";
import { byteSizeBytes } from "../../policies/rules/retention/prometheus-retention-size-within-volume";
import { ZONE_LABEL } from "../shared/labels";
import type { Values } from "../shared/values";
import type { BasicAuthSecretRef } from "../shared/basic-auth-secret";

/** The tenant header of Mimir and Loki multi-tenancy (Mimir docs "About authentication and authorization"; Loki docs "Multi-tenancy"). */
export const TENANT_HEADER = "X-Scope-OrgID";

/**
 * The API server's histograms with the most buckets per series (one series per verb, resource, scope and bucket):
 * kept in the local Prometheus, where the chart's apiserver SLO and burn-rate rules read them, but never shipped to Mimir.
 */
export const APISERVER_HISTOGRAM_BUCKETS = [
  "apiserver_request_duration_seconds_bucket",
  "apiserver_request_body_size_bytes_bucket",
  "apiserver_response_body_size_bytes_bucket",
  "apiserver_watch_events_sizes_bucket",
] as const;

/** The stores Grafana reads, each behind its own gateway with one credential per tenant. */
export const DATASOURCE_STORES = ["mimir", "loki"] as const;
export type DatasourceStore = (typeof DATASOURCE_STORES)[number];

/**
 * The Grafana container's environment variable holding one tenant's password for one store's gateway. Tenants are
 * numbered by their position in settings.tenants: a tenant id may hold characters ('!', '*', '(' ...) that neither
 * an environment variable name nor a Secret key allows.
 */
export function grafanaPasswordEnv(store: DatasourceStore, tenantIndex: number): string {
  return `${store.toUpperCase()}_TENANT_${tenantIndex}_PASSWORD`;
}

/** The key of that password in the datasource credentials Secret (Secret keys allow only [-._a-zA-Z0-9]). */
export function datasourcePasswordKey(store: DatasourceStore, tenantIndex: number): string {
  return `${store}-tenant-${tenantIndex}-password`;
}

/**
 * Stable datasource uids, so dashboards and links can refer to them: the stack's own tenant (settings.tenants[0])
 * keeps the plain store name, the others get their position.
 */
export function datasourceUid(store: DatasourceStore, tenantIndex: number): string {
  return tenantIndex === 0 ? store : `${store}-tenant-${tenantIndex}`;
}

export interface GrafanaAdminSecretRef {
  name: string;
  userKey: string;
  passwordKey: string;
}

export interface KubePrometheusStackInputs {
  /** StorageClass of the Prometheus volume (a gp3 EBS class). */
  storageClassName: string;
  /** Secret in the monitoring namespace holding the stack tenant's Mimir credentials (remote write). */
  mimirAuthSecret: BasicAuthSecretRef;
  /** Secret in the monitoring namespace holding every tenant's gateway passwords for Grafana (datasourcePasswordKey). */
  datasourceSecretName: string;
  /** Secret in the monitoring namespace holding the Grafana admin user and password. */
  grafanaAdminSecret: GrafanaAdminSecretRef;
}

/** Bytes of a prometheus-operator ByteSize such as "12GiB" (prometheus-operator API reference, type ByteSize). */
export function byteSize(text: string): number {
  const bytes = byteSizeBytes(text);
  if (bytes === undefined) throw new Error(`"${text}" is not a prometheus-operator ByteSize such as 50GiB`);
  return bytes;
}

/**
 * retentionSize must stay below the volume: Prometheus deletes the oldest blocks only past it, so a retentionSize at or
 * above the volume lets the disk fill and the TSDB stop writing (Prometheus storage docs, "size-based retention").
 */
export function assertRetentionSizeFitsVolume(prometheus: Settings["prometheus"]): void {
  const size = byteSize(prometheus.retentionSize);
  const volume = prometheus.volumeGiB * 1024 ** 3;
  if (size >= volume) {
    throw new pulumi.RunError(
      `settings.prometheus.retentionSize = ${prometheus.retentionSize} must be smaller than the Prometheus volume ` +
        `(settings.prometheus.volumeGiB = ${prometheus.volumeGiB}GiB): leave room for the WAL and compaction`,
    );
  }
}

/** The single remote-write target: Mimir's gateway, this cluster's tenant, that tenant's credential from a Secret. */
export function mimirRemoteWrite(settings: Settings, auth: BasicAuthSecretRef): Values {
  return {
    name: "mimir",
    url: settings.mimir.pushUrl,
    // The gateway refuses a header that names another tenant than the credential's user (policies/lib/tenant-binding.ts).
    headers: { [TENANT_HEADER]: settings.defaultTenant },
    // prometheus-operator RemoteWriteSpec.basicAuth takes SecretKeySelectors in the Prometheus namespace (API reference, BasicAuth).
    basicAuth: {
      username: { name: auth.name, key: auth.usernameKey },
      password: { name: auth.name, key: auth.passwordKey },
    },
    writeRelabelConfigs: [{ sourceLabels: ["__name__"], regex: APISERVER_HISTOGRAM_BUCKETS.join("|"), action: "drop" }],
    queueConfig: { ...settings.prometheus.queueConfig },
  };
}

/**
 * Grafana datasources for the long-term stores: one Mimir and one Loki datasource per tenant, each logging in as
 * that tenant (the gateway user is the tenant id) and sending that tenant's header. Passwords come from the Grafana
 * container's environment, which Grafana expands in provisioning files ("$ENV_VAR_NAME or ${ENV_VAR_NAME}", Grafana
 * docs, administration/provisioning "Use environment variables"); the values file never holds a password.
 */
export function grafanaDatasources(settings: Settings): Values[] {
  return settings.tenants.flatMap((tenant, i) => [
    {
      name: `Mimir (${tenant})`,
      uid: datasourceUid("mimir", i),
      type: "prometheus",
      access: "proxy",
      url: settings.mimir.queryUrl,
      // Mimir keeps the long ranges; the local Prometheus only holds settings.prometheus.retention.
      isDefault: i === 0,
      editable: false,
      basicAuth: true,
      basicAuthUser: tenant,
      jsonData: { httpMethod: "POST", prometheusType: "Mimir", httpHeaderName1: TENANT_HEADER },
      secureJsonData: { httpHeaderValue1: tenant, basicAuthPassword: `\${${grafanaPasswordEnv("mimir", i)}}` },
    },
    {
      name: `Loki (${tenant})`,
      uid: datasourceUid("loki", i),
      type: "loki",
      access: "proxy",
      url: settings.loki.queryUrl,
      isDefault: false,
      editable: false,
      basicAuth: true,
      basicAuthUser: tenant,
      jsonData: { httpHeaderName1: TENANT_HEADER },
      secureJsonData: { httpHeaderValue1: tenant, basicAuthPassword: `\${${grafanaPasswordEnv("loki", i)}}` },
    },
  ]);
}

/** Grafana's environment: each datasource password from the datasource credentials Secret. */
export function grafanaDatasourceEnv(settings: Settings, secretName: string): Values {
  return Object.fromEntries(
    DATASOURCE_STORES.flatMap((store) =>
      settings.tenants.map((_, i) => [
        grafanaPasswordEnv(store, i),
        { secretKeyRef: { name: secretName, key: datasourcePasswordKey(store, i) } },
      ]),
    ),
  );
}

/**
 * The HA pair in two AWS zones: "hard" renders requiredDuringScheduling pod anti-affinity on the topology key
 * (kube-prometheus-stack templates/prometheus/prometheus.yaml), so losing one zone leaves one replica scraping; the
 * budget keeps a drain from taking both at once (chart default podDisruptionBudget.enabled false).
 */
function haPlacement(replicas: number): Values {
  if (replicas < 2) return {};
  return { podAntiAffinity: "hard", podAntiAffinityTopologyKey: ZONE_LABEL };
}

/** Values for kube-prometheus-stack 88.x (paths from its values.yaml). Pure: settings and names in, values out. */
export function buildKubePrometheusStackValues(settings: Settings, inputs: KubePrometheusStackInputs): Values {
  const p = settings.prometheus;
  assertRetentionSizeFitsVolume(p);
  const mimirAuth = inputs.mimirAuthSecret;
  return {
    // CRDs come from the separate prometheus-operator-crds release: the stack's own CRDs exceed client-side apply's
    // annotation limit and bloat the release Secret (prometheus-community/helm-charts#1500, #3345).
    crds: { enabled: false },
    // EKS runs the control plane; these targets cannot be scraped and would only raise false "Down" alerts.
    // Disabling them also drops their rule groups (templates/prometheus/rules-1.14/*: `if ... .Values.kubeEtcd.enabled`).
    kubeScheduler: { enabled: false },
    kubeControllerManager: { enabled: false },
    kubeEtcd: { enabled: false },
    prometheus: {
      ...(p.replicas > 1 ? { podDisruptionBudget: { enabled: true, minAvailable: 1 } } : {}),
      prometheusSpec: {
        replicas: p.replicas,
        ...haPlacement(p.replicas),
        retention: p.retention,
        retentionSize: p.retentionSize,
        resources: {
          requests: { cpu: cpu(p.cpuMillis), memory: mebibytes(p.memoryMiB) },
          limits: { memory: mebibytes(p.memoryMiB) },
        },
        storageSpec: {
          volumeClaimTemplate: {
            spec: {
              storageClassName: inputs.storageClassName,
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: gibibytes(p.volumeGiB) } },
            },
          },
        },
        remoteWrite: [mimirRemoteWrite(settings, mimirAuth)],
        // false: select every ServiceMonitor/PodMonitor/Probe/ScrapeConfig/PrometheusRule, not only those labelled
        // release=<this release> (values.yaml comments on *SelectorNilUsesHelmValues), so Mimir's and Loki's are picked up.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
      },
    },
    grafana: {
      admin: {
        existingSecret: inputs.grafanaAdminSecret.name,
        userKey: inputs.grafanaAdminSecret.userKey,
        passwordKey: inputs.grafanaAdminSecret.passwordKey,
      },
      envValueFrom: grafanaDatasourceEnv(settings, inputs.datasourceSecretName),
      // Only one datasource may be the default; the chart's Prometheus datasource is by default (values.yaml).
      sidecar: { datasources: { isDefaultDatasource: false } },
      additionalDataSources: grafanaDatasources(settings),
    },
  };
}

type LabelSelector = { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };

/**
 * Whether the stack's Prometheus selects a PrometheusRule with these labels, following the chart's template
 * (templates/prometheus/prometheus.yaml: an explicit ruleSelector wins; else NilUsesHelmValues selects
 * release=<release name>; else `{}` selects all).
 */
export function stackSelectsRule(values: Values, releaseName: string, ruleLabels: Record<string, string>): boolean {
  const spec = ((values.prometheus as Values | undefined)?.prometheusSpec ?? {}) as Values;
  const explicit = spec.ruleSelector as LabelSelector | undefined;
  const nilUsesHelmValues = spec.ruleSelectorNilUsesHelmValues ?? true; // chart default true (values.yaml)
  let selector: LabelSelector;
  if (explicit && Object.keys(explicit).length > 0) selector = explicit;
  else if (nilUsesHelmValues) selector = { matchLabels: { release: releaseName } };
  else selector = {};
  if (selector.matchExpressions && selector.matchExpressions.length > 0) {
    throw new Error(
      "stackSelectsRule: matchExpressions are not evaluated; use matchLabels in prometheus.prometheusSpec.ruleSelector",
    );
  }
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => ruleLabels[k] === v);
}
