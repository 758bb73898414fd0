import { DEFAULT_MAX_PUBLIC_SHARE } from "../policies/lib/ipv4-coverage";
import deepmerge from "deepmerge";
import { isPlainObject, replaceArrays } from "../policies/lib/plain";
import type { Profile, StackConfig } from "./schema";

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};

/**
 * Defaults per profile. The Cluster Autoscaler scales each zone's node group between minSize and maxSize: maxSize
 * must hold every pod the releases create in a zone, and after an AZ is lost the pods that move (policies C2, C4). A stack sets `profile` and overrides any key below (objects merge key by key,
 * lists replace). dev is cheap, staging is a smaller prod, prod is highly available across three zones.
 */

/**
 * Graviton (arm64) nodes: m7g lists about 15% below m6i for the same vCPUs and memory (tools/planning/prices.json),
 * and every image the stack runs publishes linux/arm64 for its pinned version (each project's release build:
 * Mimir, Loki, Alloy and their nginx/memcached images; Strimzi operator and Kafka; Prometheus, Alertmanager,
 * prometheus-operator, Grafana, kube-state-metrics, node-exporter; cluster-autoscaler; the EKS add-ons), so the
 * node groups run the AL2023 arm64 AMI (components/cluster/nodes.ts amiTypeFor). The pods' CPU:memory ratio
 * (about 1:2.3 GiB in prod) fits a general-purpose 1:4 family better than compute (1:2), whose memory runs out first.
 */
const NODE_FAMILY = "m7g";

// EKS 1.35: in standard support through early 2027 (EKS Kubernetes version calendar); re-check when bumping.
const KUBERNETES_VERSION = "1.35";

/** prod: highly available across three zones; the profile the others are written as changes to. */
const prod: StackConfig = {
  profile: "prod",
  network: { vpcCidr: "10.42.0.0/16", availabilityZones: 3, natGateways: "perZone" },
  cluster: {
    kubernetesVersion: KUBERNETES_VERSION,
    endpointPublicAccessCidrs: [],
    endpointPublicAccessMaxShare: DEFAULT_MAX_PUBLIC_SHARE,
    privateEndpoint: true,
    adminRoleArns: [],
    viewerRoleArns: [],
    nodeGroups: { instanceTypes: [`${NODE_FAMILY}.2xlarge`], minSize: 4, maxSize: 6, desiredSize: 4, diskSizeGiB: 100 },
  },
  retention: { prometheusLocal: "15d", metrics: "90d", logs: "30d", kafka: "72h" },
  replication: {
    zones: 3,
    kafkaBrokers: 3,
    kafkaReplicationFactor: 3,
    kafkaMinInsyncReplicas: 2,
    lokiReplicationFactor: 3,
    storeGatewayReplicationFactor: 3,
  },
  workload: { activeSeries: 2_000_000, samplesPerSecond: 133_334, logsGBPerDay: 200, queriesPerSecond: 40 },
  tenants: [{ id: "platform" }],
  overrides: {},
};

/** A profile written as what it changes in prod (objects merge key by key, lists replace). */
function changing(changes: DeepPartial<StackConfig> & { profile: Profile }): StackConfig {
  return deepmerge(prod, changes as Partial<StackConfig>, {
    arrayMerge: replaceArrays,
    isMergeableObject: isPlainObject,
  }) as StackConfig;
}

/** staging: a smaller prod. Three zones like prod: mimir-distributed 6.0.x renders zone-aware rings only with >= 3 zones (grafana/mimir#14065). */
const staging = changing({
  profile: "staging",
  // One NAT gateway per zone as in prod: with a single one, losing its AZ cuts the other zones' egress (image pulls, STS),
  // which policy C4 (zone-loss-survived) refuses in staging; the two extra gateways are the price of surviving a zone.
  network: { vpcCidr: "10.41.0.0/16", natGateways: "perZone" },
  cluster: {
    nodeGroups: { instanceTypes: [`${NODE_FAMILY}.xlarge`], minSize: 3, maxSize: 5, desiredSize: 3, diskSizeGiB: 50 },
  },
  retention: { prometheusLocal: "7d", metrics: "30d", logs: "14d", kafka: "24h" },
  workload: { activeSeries: 500_000, samplesPerSecond: 33_334, logsGBPerDay: 50, queriesPerSecond: 10 },
});

/** dev: cheap, one replication zone, reached from laptops (staging and prod default to a private endpoint only). */
const dev = changing({
  profile: "dev",
  network: { vpcCidr: "10.40.0.0/16", availabilityZones: 2, natGateways: "single" },
  cluster: {
    endpointPublicAccessCidrs: ["0.0.0.0/0"],
    nodeGroups: { instanceTypes: [`${NODE_FAMILY}.xlarge`], minSize: 1, maxSize: 4, desiredSize: 2, diskSizeGiB: 50 },
  },
  retention: { prometheusLocal: "2d", metrics: "7d", logs: "3d", kafka: "24h" },
  replication: {
    zones: 1,
    kafkaBrokers: 1,
    kafkaReplicationFactor: 1,
    kafkaMinInsyncReplicas: 1,
    lokiReplicationFactor: 1,
    storeGatewayReplicationFactor: 1,
  },
  workload: { activeSeries: 100_000, samplesPerSecond: 6_667, logsGBPerDay: 5, queriesPerSecond: 5 },
});

export const PROFILES: Record<Profile, StackConfig> = { dev, staging, prod };
