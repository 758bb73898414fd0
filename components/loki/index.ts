import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../../settings";
import { CHARTS, pinnedRelease } from "../shared/charts";
import { mergeOverrides, Values } from "../shared/values";
import { assertReplicationFits, buildLokiValues } from "./values";

export * from "./values";

export interface LokiArgs {
  settings: Settings;
  provider: k8s.Provider;
  region: pulumi.Input<string>;
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

/** Loki (grafana-community chart) storing chunks and rules in S3 through IRSA, multi-tenant, with retention. */
export class Loki extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  readonly release: k8s.helm.v3.Release;
  readonly values: pulumi.Output<Values>;

  constructor(name: string, args: LokiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:loki:Loki", name, {}, opts);
    const { settings, provider } = args;
    const childOpts = { parent: this, provider };
    // Checked here too, so a bad setting fails while the program is read, not later inside an apply.
    assertReplicationFits(settings);

    this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: settings.namespaces.loki } }, childOpts);

    const storageClassName = args.storageClassName;
    this.values = pulumi
      .all([args.buckets.chunks, args.buckets.ruler, args.region, args.roleArn])
      .apply(([chunks, ruler, region, roleArn]) =>
        mergeOverrides(buildLokiValues(settings, { buckets: { chunks, ruler }, region, roleArn, storageClassName }), args.overrides),
      );

    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      pinnedRelease(CHARTS.loki, settings.releases.loki, this.namespace.metadata.name, this.values),
      { ...childOpts, dependsOn: [args.crdsRelease, ...(args.dependsOn ?? [])] },
    );

    this.registerOutputs({ namespace: this.namespace.metadata.name, release: this.release.name });
  }
}
