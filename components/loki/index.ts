import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../../settings";
import { CHARTS, pinnedRelease } from "../shared/charts";
import { mergeOverrides, Values } from "../shared/values";
import { gatewayCredentials } from "../shared/gateway-credentials";
import { gatewaySecretNames, gatewayUsername } from "./gateway-auth";
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

/** How in-cluster clients authenticate to Loki's gateway. */
export interface LokiGatewayAuth {
  username: string;
  /** Secret output: pass it on into a Secret in the client's namespace. */
  password: pulumi.Output<string>;
  /** Secret in Loki's namespace with `username` and `password` keys. */
  credentialsSecretName: pulumi.Output<string>;
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
    const { resource, name: namespace, inNamespace } = componentNamespace(`${name}-namespace`, settings.namespaces.loki, POD_SECURITY.loki, childOpts);
    this.namespace = resource;

    // Only the gateway (basic auth) takes traffic from other namespaces; see components/shared/network-policies.ts.
    fenceRelease(name, {
      release: settings.releases.loki,
      namespace,
      podLabels: releasePodLabels(settings.releases.loki, "loki"),
      inNamespacePeers: [],
      scraper: { namespace: settings.namespaces.monitoring, podLabels: PROMETHEUS_POD_LABELS },
    }, inNamespace);

    const username = gatewayUsername(settings);
    const secretNames = gatewaySecretNames(settings);
    const { password, htpasswd, credentials } = gatewayCredentials(
      name,
      { namespace, username, htpasswdSecretName: secretNames.htpasswd, credentialsSecretName: secretNames.credentials },
      inNamespace,
    );

    // The Secret names are our own plain strings, so the values never wait on the Secrets' outputs; the release's
    // dependsOn orders the Secrets first.
    const gatewayAuth = { username, htpasswdSecretName: secretNames.htpasswd, credentialsSecretName: secretNames.credentials };
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
      // The gateway mounts the htpasswd Secret and the canary reads the credentials Secret: both must exist first.
      { ...childOpts, dependsOn: [this.namespace, args.crdsRelease, htpasswd, credentials, ...(args.dependsOn ?? [])] },
    );

    this.gatewayAuth = {
      username,
      password: pulumi.secret(password.result),
      credentialsSecretName: credentials.metadata.name,
      htpasswdSecretName: htpasswd.metadata.name,
    };
    this.registerOutputs({ namespace: this.namespace.metadata.name, release: this.release.name, gatewayUsername: username });
  }
}
