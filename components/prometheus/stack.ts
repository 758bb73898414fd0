import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Settings } from "../../settings";
import { CHARTS, pinnedRelease } from "../shared/charts";
import { mergeOverrides, Values } from "../shared/values";
import { BasicAuthSecretRef, createBasicAuthSecret } from "../shared/basic-auth-secret";
import type { PrometheusOperatorCrds } from "./crds";
import {
  buildKubePrometheusStackValues,
  DATASOURCE_STORES,
  datasourcePasswordKey,
  DatasourceStore,
  GrafanaAdminSecretRef,
} from "./values";

export const MIMIR_AUTH_SECRET: BasicAuthSecretRef = {
  name: "mimir-remote-write-auth",
  usernameKey: "username",
  passwordKey: "password",
};
/** Every tenant's Mimir and Loki gateway passwords, for Grafana's datasources (values.ts datasourcePasswordKey). */
export const DATASOURCE_CREDENTIALS_SECRET = "grafana-datasource-credentials";
// Key names are the grafana chart's defaults for admin.existingSecret (grafana values.yaml: admin.userKey/passwordKey).
export const GRAFANA_ADMIN_SECRET: GrafanaAdminSecretRef = {
  name: "grafana-admin",
  userKey: "admin-user",
  passwordKey: "admin-password",
};
export const GRAFANA_ADMIN_USER = "admin";

export interface KubePrometheusStackArgs {
  settings: Settings;
  provider: k8s.Provider;
  /** The CRDs release (and the monitoring namespace it created); the stack waits for it. */
  crds: PrometheusOperatorCrds;
  /** Each tenant's gateway passwords, by store and tenant id; copied into Secrets in the monitoring namespace. */
  gatewayPasswords: Record<DatasourceStore, Record<string, pulumi.Output<string>>>;
  /** overrides.kubePrometheusStack, deep-merged over the built values last. */
  overrides?: Values;
  /** The gp3 EBS StorageClass for the Prometheus volume. */
  storageClassName: string;
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Prometheus (remote-writing to Mimir), Alertmanager and Grafana from kube-prometheus-stack. */
export class KubePrometheusStack extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  /** The generated Grafana admin password (secret). */
  readonly grafanaAdminPassword: pulumi.Output<string>;
  readonly values: Values;

  constructor(name: string, args: KubePrometheusStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:prometheus:KubePrometheusStack", name, {}, opts);
    const { settings, provider, crds } = args;
    const childOpts = { parent: this, provider };
    // The namespace by the name given to it, not its output (unknown in the first preview of a new stack).
    const namespace = settings.namespaces.monitoring;
    const inNamespace = { ...childOpts, dependsOn: [crds.namespace] };

    // Prometheus writes as the stack's own tenant, with that tenant's credential.
    const tenant = settings.defaultTenant;
    const mimirSecret = createBasicAuthSecret(
      `${name}-mimir-auth`,
      {
        namespace,
        ref: MIMIR_AUTH_SECRET,
        credentials: { username: tenant, password: args.gatewayPasswords.mimir[tenant] },
      },
      inNamespace,
    );
    const datasourceSecret = new k8s.core.v1.Secret(
      `${name}-datasource-credentials`,
      {
        metadata: { name: DATASOURCE_CREDENTIALS_SECRET, namespace },
        type: "Opaque",
        stringData: datasourcePasswords(settings, args.gatewayPasswords),
      },
      inNamespace,
    );

    const adminPassword = new random.RandomPassword(
      `${name}-grafana-admin`,
      { length: 32, special: false },
      { parent: this },
    );
    this.grafanaAdminPassword = adminPassword.result;
    const adminSecret = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      {
        metadata: { name: GRAFANA_ADMIN_SECRET.name, namespace },
        type: "Opaque",
        stringData: {
          [GRAFANA_ADMIN_SECRET.userKey]: GRAFANA_ADMIN_USER,
          [GRAFANA_ADMIN_SECRET.passwordKey]: adminPassword.result,
        },
      },
      inNamespace,
    );

    this.values = mergeOverrides(
      buildKubePrometheusStackValues(settings, {
        storageClassName: args.storageClassName,
        mimirAuthSecret: MIMIR_AUTH_SECRET,
        datasourceSecretName: DATASOURCE_CREDENTIALS_SECRET,
        grafanaAdminSecret: GRAFANA_ADMIN_SECRET,
      }),
      args.overrides,
    );

    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        ...pinnedRelease(CHARTS.kubePrometheusStack, settings.releases.kubePrometheusStack, namespace, this.values),
        // Belt and braces with crds.enabled=false: never install the stack's crds/ folder.
        skipCrds: true,
      },
      // The Secrets must exist before Grafana and Prometheus pods reference them.
      {
        ...childOpts,
        dependsOn: [crds.release, mimirSecret, datasourceSecret, adminSecret, ...(args.dependsOn ?? [])],
      },
    );

    this.registerOutputs({ release: this.release.name, grafanaAdminPassword: this.grafanaAdminPassword });
  }
}

/** The datasource credentials Secret's data: every store's password for every tenant, keyed by position. */
function datasourcePasswords(
  settings: Settings,
  passwords: KubePrometheusStackArgs["gatewayPasswords"],
): Record<string, pulumi.Output<string>> {
  return Object.fromEntries(
    DATASOURCE_STORES.flatMap((store) =>
      settings.tenants.map((tenant, i) => [datasourcePasswordKey(store, i), pulumi.secret(passwords[store][tenant])]),
    ),
  );
}
