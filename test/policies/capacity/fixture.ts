// A small three-zone stack the capacity policies pass, with figures chosen so every capacity is computed by hand:
//   distributors 3 x (1 core, 2Gi - 512Mi buffer = 1.61 GB) -> 3 x min(1, 1.61) x 25,000 = 75,000 samples/s
//   ingesters 1 per zone x (3 cores, 8Gi = 8.59 GB / 2.5, 20Gi = 21.47 GB / 5) -> min(3, 3.44, 4.29) x 300,000 = 900,000 series per zone
//   queriers 2 x min(1 core, 1.07 GB) x 10 = 20 QPS; store-gateways 3 x 10 = 30; query-frontend 0.5 x 250 = 125 -> 20 QPS
//   Loki single binary 2 cores at RF 1 = 6 cores' worth at Loki's RF 3; its sizing table gives 12 ingester cores for
//   3,000 GB/day, so 1,500 GB/day
// against a workload of 50,000 samples/s, 600,000 series, 10 QPS and 20 GB/day (headroom 33%, 33%, 50%, 99%).
import { ResourceRecord } from "../support/harness";

export const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
export const WORKLOAD = { activeSeries: 600_000, samplesPerSecond: 50_000, logsGBPerDay: 20, queriesPerSecond: 10 };

const RELEASE = "kubernetes:helm.sh/v3:Release";
const resources = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { memory } });
const pinnedZones = ZONES.map((az, i) => ({
  name: `zone-${"abc"[i]}`,
  nodeSelector: { "topology.kubernetes.io/zone": az },
}));

export function capacityStack(): ResourceRecord[] {
  const subnets: ResourceRecord[] = ZONES.map((az, i) => ({
    type: "aws:ec2/subnet:Subnet",
    name: `subnet-${i}`,
    props: { id: `subnet-${i}`, availabilityZone: az },
  }));
  const nodeGroups: ResourceRecord[] = ZONES.map((_, i) => ({
    type: "aws:eks/nodeGroup:NodeGroup",
    name: `zone-${i}`,
    props: {
      subnetIds: [`subnet-${i}`],
      instanceTypes: ["m6i.xlarge"],
      scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 3 },
      diskSize: 50,
    },
    propertyDependencies: { subnetIds: [`subnet-${i}`] },
  }));
  const addons: ResourceRecord[] = ["vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"].map((addonName) => ({
    type: "aws:eks/addon:Addon",
    name: addonName,
    props: { addonName, clusterName: "obs" },
  }));
  return [
    { type: "pulumi:pulumi:Stack", name: "observability-stack-test", props: { workload: { ...WORKLOAD } } },
    ...subnets,
    ...nodeGroups,
    ...addons,
    {
      type: RELEASE,
      name: "mimir",
      props: {
        chart: "mimir-distributed",
        name: "mimir",
        namespace: "mimir",
        values: {
          kafka: { enabled: false },
          minio: { enabled: false },
          mimir: { structuredConfig: { ingest_storage: { kafka: { producer_max_buffered_bytes: 536870912 } } } },
          distributor: { replicas: 3, resources: resources("1", "2Gi") },
          ingester: {
            replicas: 3,
            resources: resources("3", "8Gi"),
            persistentVolume: { enabled: true, size: "20Gi" },
            zoneAwareReplication: { enabled: true, zones: pinnedZones },
          },
          store_gateway: {
            replicas: 3,
            resources: resources("1", "2Gi"),
            zoneAwareReplication: { enabled: true, zones: pinnedZones },
          },
          querier: { replicas: 2, resources: resources("1", "1Gi") },
          query_frontend: { replicas: 1, resources: resources("500m", "512Mi") },
        },
      },
    },
    {
      type: RELEASE,
      name: "loki",
      props: {
        chart: "loki",
        name: "loki",
        namespace: "loki",
        values: {
          deploymentMode: "Monolithic",
          loki: { commonConfig: { replication_factor: 1 } },
          singleBinary: { replicas: 1, resources: resources("2", "8Gi"), persistence: { enabled: true, size: "10Gi" } },
          chunksCache: { enabled: false },
          resultsCache: { enabled: false },
        },
      },
    },
  ];
}
