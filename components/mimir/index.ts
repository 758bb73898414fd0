import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { Settings } from "../../settings";
import type { KafkaConnection } from "../kafka";
import { KAFKA_PASSWORD_ENV, KAFKA_PASSWORD_KEY } from "../kafka/security";
import { CHARTS, pinnedRelease } from "../shared/charts";
import { mimirFullname } from "./config";
import { tenantGatewayCredentials } from "../shared/gateway-credentials";
import { asResourceError } from "../shared/pods";
import { gatewayUsers } from "./gateway-auth";
import { buildMimirValues } from "./values";
import { zoneLayout } from "./zones";
import { componentNamespace } from "../shared/namespace";
import { POD_SECURITY } from "../shared/pod-security";
import { fenceRelease, PROMETHEUS_POD_LABELS } from "../shared/network-policies";
import { releasePodLabels } from "../../settings/names";

export { buildMimirValues, assertPartitionsCoverIngesters, MIMIR_CONFIG_COMPONENTS } from "./values";
export type { MimirValueInputs } from "./values";
export { buildStructuredConfig, s3Endpoint, mimirFullname, expandEnv, MIMIR_GRPC_PORT } from "./config";
export { zoneLayout, placementValues, ingestersPerChartZone, ZONE_LABEL } from "./zones";
export type { ZoneLayout, ZonePlacement } from "./zones";
export { gatewayNginxValues, gatewayUsers, htpasswdLine, HTPASSWD_KEY } from "./gateway-auth";

export interface MimirArgs {
  settings: Settings;
  region: string;
  /** AZ names, indexed by settings.mimir.zones[].azIndex. */
  availabilityZones: pulumi.Input<string>[];
  buckets: { blocks: pulumi.Input<string>; ruler: pulumi.Input<string>; alertmanager: pulumi.Input<string> };
  /** IAM role Mimir's service account assumes through IRSA (scoped to the three buckets). */
  roleArn: pulumi.Input<string>;
  /** StorageClass for ingester, store-gateway, compactor and alertmanager volumes (the cluster's gp3 class). */
  storageClassName: string;
  kafka: KafkaConnection;
  /**
   * The prometheus-operator CRDs release: the chart creates ServiceMonitor and PrometheusRule objects
   * (metaMonitoring), which fail to apply before those CRDs exist.
   */
  monitoringCrds: pulumi.Input<pulumi.Resource>;
  provider: k8s.Provider;
  /** Deep-merged over the chart values, last. */
  overrides?: object;
  /** Buckets, the IRSA role and cluster workload prerequisites. */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** How clients authenticate to Mimir's gateway: one user per tenant, named after the tenant. */
export interface MimirGatewayAuth {
  /** Each tenant's password (secret Outputs), by tenant id; pass one on into a Secret in the client's namespace. */
  passwords: Record<string, pulumi.Output<string>>;
  /** Secret in Mimir's namespace with the gateway's `.htpasswd`. */
  htpasswdSecretName: pulumi.Output<string>;
}

/** mimir-distributed in ingest-storage mode on Strimzi Kafka and S3 (IRSA), behind a basic-auth gateway. */
export class Mimir extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly release: k8s.helm.v3.Release;
  public readonly gatewayAuth: MimirGatewayAuth;
  public readonly pushUrl: string;
  public readonly queryUrl: string;

  constructor(name: string, args: MimirArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:mimir:Mimir", name, {}, opts);
    const s = args.settings;
    const child = { parent: this, provider: args.provider };

    const layout = asResourceError(this, () => zoneLayout(s, args.availabilityZones));
    if (layout.warning) pulumi.log.warn(layout.warning, this);

    // Names (the namespace's, the Secrets') go to consumers as the strings given here, not as outputs (namespace.ts).
    const {
      resource: namespace,
      name: namespaceName,
      inNamespace,
    } = componentNamespace(`${name}-namespace`, s.namespaces.mimir, POD_SECURITY.mimir, child);
    this.namespace = namespace.metadata.name;
    const secretName = (suffix: string) => `${mimirFullname(s.releases.mimir)}-${suffix}`;

    // Only the gateway (basic auth) takes traffic from other namespaces; see components/shared/network-policies.ts.
    fenceRelease(
      name,
      {
        release: s.releases.mimir,
        namespace: namespaceName,
        podLabels: releasePodLabels(s.releases.mimir, "mimir"),
        // The rollout-operator (a subchart, its own pod labels) calls ingesters and store-gateways before a downscale.
        inNamespacePeers: [{ "app.kubernetes.io/name": "rollout-operator" }],
        scraper: { namespace: s.namespaces.monitoring, podLabels: PROMETHEUS_POD_LABELS },
      },
      inNamespace,
    );

    const { htpasswd, passwords } = tenantGatewayCredentials(
      name,
      { namespace: namespaceName, users: gatewayUsers(s), htpasswdSecretName: secretName("gateway-htpasswd") },
      inNamespace,
    );

    // Secrets cannot be read across namespaces: Mimir gets its own copy of the Kafka password.
    let kafkaSecret: k8s.core.v1.Secret | undefined;
    if (args.kafka.sasl) {
      kafkaSecret = new k8s.core.v1.Secret(
        `${name}-kafka-credentials`,
        {
          metadata: { name: secretName("kafka-sasl"), namespace: namespaceName },
          type: "Opaque",
          stringData: { [KAFKA_PASSWORD_KEY]: args.kafka.sasl.password },
        },
        inNamespace,
      );
    }

    const values = asResourceError(this, () =>
      buildMimirValues(
        s,
        {
          region: args.region,
          availabilityZones: args.availabilityZones,
          buckets: args.buckets,
          roleArn: args.roleArn,
          storageClassName: args.storageClassName,
          kafka: {
            address: args.kafka.address,
            topic: args.kafka.topic,
            sasl:
              args.kafka.sasl && kafkaSecret
                ? {
                    username: args.kafka.sasl.username,
                    passwordEnvVar: KAFKA_PASSWORD_ENV,
                    secretName: secretName("kafka-sasl"),
                    secretKey: KAFKA_PASSWORD_KEY,
                  }
                : undefined,
          },
          gatewayAuthSecretName: secretName("gateway-htpasswd"),
        },
        args.overrides,
      ),
    );

    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        ...pinnedRelease(CHARTS.mimir, s.releases.mimir, namespaceName, values),
        // Not atomic: a timed-out upgrade of zone-aware StatefulSets is driven to completion by the rollout-operator; a
        // Helm rollback would restart ingesters and store-gateways a second time. Failed state stays for diagnosis.
        atomic: false,
        cleanupOnFail: false,
      },
      {
        ...child,
        dependsOn: [
          ...(args.dependsOn ?? []),
          namespace,
          args.monitoringCrds,
          ...args.kafka.ready,
          htpasswd,
          ...(kafkaSecret ? [kafkaSecret] : []),
        ],
      },
    );

    this.gatewayAuth = { passwords, htpasswdSecretName: htpasswd.metadata.name };
    this.pushUrl = s.mimir.pushUrl;
    this.queryUrl = s.mimir.queryUrl;
    this.registerOutputs({
      namespace: this.namespace,
      pushUrl: this.pushUrl,
      queryUrl: this.queryUrl,
      gatewayUsers: gatewayUsers(s),
    });
  }
}
