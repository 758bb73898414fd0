import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../../settings";
import { CHARTS, pinnedRelease } from "../shared/charts";
import { mergeOverrides, Values } from "../shared/values";
import { PASSWORD_KEY, tenantGatewayCredentials, USERNAME_KEY } from "../shared/gateway-credentials";
import { createBasicAuthSecret } from "../shared/basic-auth-secret";
import { gatewaySecretNames, gatewayUsers, LOKI_CANARY_TENANT } from "./gateway-auth";
import { assertReplicationFits, buildLokiValues } from "./values";
import { componentNamespace } from "../shared/namespace";
import { POD_SECURITY } from "../shared/pod-security";
import { fenceRelease, PROMETHEUS_POD_LABELS } from "../shared/network-policies";
import { releasePodLabels } from "../../settings/names";

export * from "./values";
export * from "./gateway-auth";

export interface LokiArgs {
  settings: Settings;
  provider: k8s.Provider;
  region: pulumi.Input<string>;
  /** The stack's availability zones: zone-aware ingester zones are pinned to them. */
  availabilityZones: string[];
  /** Bucket names for settings.bucketOwners.loki (lokiChunks, lokiRuler). */
  buckets: { chunks: pulumi.Input<string>; ruler: pulumi.Input<string> };
  /** IRSA role for the loki service account (its trust policy names settings.serviceAccounts.loki). */
  roleArn: pulumi.Input<string>;
  /** The prometheus-operator CRDs release: the chart creates a ServiceMonitor. */
  crdsRelease: pulumi.Resource;
  /** overrides.loki, deep-merged over the built values last. */
  overrides?: Values;
  /** The gp3 EBS StorageClass for ingester, index-gateway, compactor and single-binary volumes. */
  storageClassName: string;
  /** The buckets, the role and its policy: Loki must not start before it can write. */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** How clients authenticate to Loki's gateway: one user per tenant, named after the tenant. */
export interface LokiGatewayAuth {
  /** Each tenant's password (secret Outputs), by tenant id; pass one on into a Secret in the client's namespace. */
  passwords: Record<string, pulumi.Output<string>>;
  /** Secret in Loki's namespace with the gateway's `.htpasswd`. */
  htpasswdSecretName: pulumi.Output<string>;
}

/** Loki (grafana-community chart) storing chunks and rules in S3 through IRSA, multi-tenant, behind a basic-auth gateway. */
export class Loki extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  readonly release: k8s.helm.v3.Release;
  readonly values: Values;
  readonly gatewayAuth: LokiGatewayAuth;

  constructor(name: string, args: LokiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:loki:Loki", name, {}, opts);
    const { settings, provider } = args;
    const childOpts = { parent: this, provider };
    // Checked here too, so a bad setting fails while the program is read, not later inside an apply.
    assertReplicationFits(settings);

    // The namespace's name goes to consumers as the string given here, not as its output (namespace.ts).
    const {
      resource,
      name: namespace,
      inNamespace,
    } = componentNamespace(`${name}-namespace`, settings.namespaces.loki, POD_SECURITY.loki, childOpts);
    this.namespace = resource;

    // Only the gateway (basic auth) takes traffic from other namespaces; see components/shared/network-policies.ts.
    fenceRelease(
      name,
      {
        release: settings.releases.loki,
        namespace,
        podLabels: releasePodLabels(settings.releases.loki, "loki"),
        inNamespacePeers: [],
        scraper: { namespace: settings.namespaces.monitoring, podLabels: PROMETHEUS_POD_LABELS },
      },
      inNamespace,
    );

    const secretNames = gatewaySecretNames(settings);
    const { htpasswd, passwords } = tenantGatewayCredentials(
      name,
      { namespace, users: gatewayUsers(settings), htpasswdSecretName: secretNames.htpasswd },
      inNamespace,
    );
    // The chart's canary pushes and queries through the gateway as its own tenant (gateway-auth.ts).
    const canaryCredentials = createBasicAuthSecret(
      `${name}-canary-credentials`,
      {
        namespace,
        ref: { name: secretNames.canary, usernameKey: USERNAME_KEY, passwordKey: PASSWORD_KEY },
        credentials: { username: LOKI_CANARY_TENANT, password: passwords[LOKI_CANARY_TENANT] },
      },
      inNamespace,
    );

    // The Secret names are our own plain strings, so the values never wait on the Secrets' outputs; the release's
    // dependsOn orders the Secrets first.
    const gatewayAuth = { htpasswdSecretName: secretNames.htpasswd, canarySecretName: secretNames.canary };
    this.values = mergeOverrides(
      buildLokiValues(settings, {
        buckets: args.buckets,
        region: args.region,
        availabilityZones: args.availabilityZones,
        roleArn: args.roleArn,
        storageClassName: args.storageClassName,
        gatewayAuth,
      }),
      args.overrides,
    );

    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      pinnedRelease(CHARTS.loki, settings.releases.loki, namespace, this.values),
      // The gateway mounts the htpasswd Secret and the canary reads its credentials Secret: both must exist first.
      {
        ...childOpts,
        dependsOn: [this.namespace, args.crdsRelease, htpasswd, canaryCredentials, ...(args.dependsOn ?? [])],
      },
    );

    this.gatewayAuth = { passwords, htpasswdSecretName: htpasswd.metadata.name };
    this.registerOutputs({
      namespace: this.namespace.metadata.name,
      release: this.release.name,
      gatewayUsers: gatewayUsers(settings),
    });
  }
}
