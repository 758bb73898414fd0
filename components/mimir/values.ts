import type * as pulumi from "@pulumi/pulumi";
import type { ComponentSize, Settings } from "../../settings";
import { gibibytes } from "../../settings/derive/quantities";
import { HOSTNAME_SPREAD, IRSA_ROLE_ANNOTATION, podResources, zoneSpread } from "../shared/pods";
import { mergeOverrides, Values } from "../shared/values";
import { buildStructuredConfig } from "./config";
import { ingestersPerChartZone, placementValues, ZoneLayout, zoneLayout } from "./zones";
import { gatewayNginxValues } from "./gateway-auth";
import { MIMIR_CONFIG_SECTIONS } from "../../policies/lib/mimir";

/** The chart sections that load Mimir's config: one list, the pack's (M16 checks each gets the Kafka password). */
export const MIMIR_CONFIG_COMPONENTS = MIMIR_CONFIG_SECTIONS;

export interface MimirValueInputs {
  region: string;
  /** AZ names, indexed by settings.mimir.zones[].azIndex. */
  availabilityZones: pulumi.Input<string>[];
  buckets: { blocks: pulumi.Input<string>; ruler: pulumi.Input<string>; alertmanager: pulumi.Input<string> };
  roleArn: pulumi.Input<string>;
  storageClassName: string;
  kafka: {
    address: string;
    topic: string;
    /** Present when Kafka authenticates clients: Mimir reads the password from `secretName` via `passwordEnvVar`. */
    sasl?: { username: string; passwordEnvVar: string; secretName: pulumi.Input<string>; secretKey: string };
  };
  /** Secret with the gateway's `.htpasswd` (chart: gateway.nginx.basicAuth.existingSecret must contain that key). */
  gatewayAuthSecretName: pulumi.Input<string>;
}

function disk(size: ComponentSize, storageClassName: string) {
  if (size.diskGiB === undefined) throw new Error("a stateful Mimir component needs diskGiB in settings.mimir.sizing");
  return { persistentVolume: { enabled: true, size: gibibytes(size.diskGiB), storageClass: storageClassName } };
}

/**
 * K8: ingesters in one chart zone consume distinct partitions by ordinal; more ingesters than partitions leaves some
 * with nothing to read (UNKNOWN_TOPIC_OR_PARTITION, grafana/mimir#14516).
 */
export function assertPartitionsCoverIngesters(settings: Settings, layout: ZoneLayout): void {
  const perZone = ingestersPerChartZone(layout, settings.mimir.sizing.ingester.replicas);
  if (perZone > settings.kafka.topic.partitions) {
    throw new Error(
      `Kafka topic "${settings.kafka.topic.name}" has ${settings.kafka.topic.partitions} partitions but ${perZone} ingesters share a zone: ` +
        `each ingester consumes its own partition, so partitions must be >= ${perZone}`,
    );
  }
}

/** mimir-distributed values, built from settings only; `overrides` are deep-merged last and win. */
export function buildMimirValues(settings: Settings, inputs: MimirValueInputs, overrides?: object): Values {
  const sz = settings.mimir.sizing;
  const layout = zoneLayout(settings, inputs.availabilityZones);
  assertPartitionsCoverIngesters(settings, layout);
  const sc = inputs.storageClassName;
  const sasl = inputs.kafka.sasl;

  // Stateless components over the AWS zones (the chart adds each component's selector labels and keeps its
  // podDisruptionBudget maxUnavailable 1: templates/lib/topologySpreadConstraints.tpl, values.yaml).
  const spread = settings.spreadOverZones ? { topologySpreadConstraints: [HOSTNAME_SPREAD, zoneSpread()] } : {};
  const values: Values = {
    serviceAccount: {
      create: true,
      name: settings.serviceAccounts.mimir,
      annotations: { [IRSA_ROLE_ANNOTATION]: inputs.roleArn },
    },
    // The chart's demo Kafka and MinIO are replaced by Strimzi and S3 (charts.md: both default to enabled).
    kafka: { enabled: false },
    minio: { enabled: false },
    // Required for zone-aware StatefulSets (charts.md); kept on so a move to zone awareness needs no new operator.
    rollout_operator: { enabled: true },
    mimir: {
      structuredConfig: buildStructuredConfig(settings, {
        region: inputs.region,
        buckets: inputs.buckets,
        kafka: {
          address: inputs.kafka.address,
          topic: inputs.kafka.topic,
          sasl: sasl && { username: sasl.username, passwordEnvVar: sasl.passwordEnvVar },
        },
      }),
    },
    // Per-tenant limits, reloaded without restarts (values.yaml runtimeConfig: overrides.<tenant>).
    runtimeConfig: { overrides: settings.mimir.tenantOverrides },
    distributor: { replicas: sz.distributor.replicas, resources: podResources(sz.distributor), ...spread },
    ingester: {
      replicas: sz.ingester.replicas,
      resources: podResources(sz.ingester),
      ...disk(sz.ingester, sc),
      ...placementValues(layout, sc),
    },
    store_gateway: {
      replicas: sz.storeGateway.replicas,
      resources: podResources(sz.storeGateway),
      ...disk(sz.storeGateway, sc),
      ...placementValues(layout, sc),
    },
    querier: { replicas: sz.querier.replicas, resources: podResources(sz.querier), ...spread },
    query_frontend: { replicas: sz.queryFrontend.replicas, resources: podResources(sz.queryFrontend), ...spread },
    query_scheduler: { replicas: sz.queryScheduler.replicas, resources: podResources(sz.queryScheduler), ...spread },
    compactor: { replicas: sz.compactor.replicas, resources: podResources(sz.compactor), ...disk(sz.compactor, sc) },
    ruler: { replicas: sz.ruler.replicas, resources: podResources(sz.ruler), ...spread },
    alertmanager: {
      replicas: sz.alertmanager.replicas,
      resources: podResources(sz.alertmanager),
      ...disk(sz.alertmanager, sc),
    },
    gateway: {
      ...spread,
      replicas: sz.gateway.replicas,
      resources: podResources(sz.gateway),
      nginx: gatewayNginxValues(inputs.gatewayAuthSecretName),
    },
    metaMonitoring: {
      // kube-prometheus-stack's Prometheus selects ServiceMonitors and rules labelled release=<its release> by default.
      serviceMonitor: { enabled: true, labels: { release: settings.releases.kubePrometheusStack } },
      prometheusRule: {
        enabled: true,
        mimirAlerts: true,
        mimirRules: true,
        labels: { release: settings.releases.kubePrometheusStack },
      },
    },
  };

  if (sasl) {
    const env = [
      { name: sasl.passwordEnvVar, valueFrom: { secretKeyRef: { name: sasl.secretName, key: sasl.secretKey } } },
    ];
    for (const component of MIMIR_CONFIG_COMPONENTS) {
      const section = (values[component] ?? {}) as Values;
      // Without -config.expand-env=true Mimir would send the literal "${VAR}" as password. Chart templates such as
      // distributor-dep.yaml pass it already; setting it per component does not depend on every template doing so
      // (a repeated Go boolean flag is accepted, the last occurrence wins).
      values[component] = { ...section, env, extraArgs: { "config.expand-env": true } };
    }
  }
  return mergeOverrides(values, overrides);
}
