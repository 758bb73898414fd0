// Upstream figures the capacity rules and the planning report compute with. Each names its source; re-check on a
// chart, add-on or AMI bump. Pure data: no imports, so tools/planning can share it.

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/**
 * Mimir capacity planning (docs planning-capacity.md, as summarised in conflict-rules.md section 5). Decimal GB,
 * per core + GB of what each component is given. The doc adds 50% headroom on top; the rules measure headroom
 * against the workload instead.
 */
export const MIMIR_PLANNING = {
  /** Distributor: 1 core + 1 GB per 25,000 samples/s. */
  distributorSamplesPerSecondPerUnit: 25_000,
  /** Ingester: 1 core + 2.5 GB RAM + 5 GB disk per 300,000 in-memory series. */
  ingesterSeriesPerUnit: 300_000,
  ingesterMemoryGBPerUnit: 2.5,
  ingesterDiskGBPerUnit: 5,
  /** The TSDB retention that disk figure is for: blocks_storage.tsdb.retention_period's default, 13h (config descriptor). */
  ingesterDiskRetentionMs: 13 * 3600 * 1000,
  /** Querier and store-gateway: 1 core + 1 GB per 10 queries per second. */
  querierQpsPerUnit: 10,
  storeGatewayQpsPerUnit: 10,
  /** Query-frontend: 1 core + 1 GB per 250 queries per second. */
  queryFrontendQpsPerUnit: 250,
} as const;

export interface LokiTierComponent {
  replicas: number;
  cores: number;
  memoryGiB: number;
}

export interface LokiSizingTier {
  /** The tier covers ingest up to this many GB per day. */
  upToGBPerDay: number;
  components: Record<
    "ingester" | "distributor" | "indexGateway" | "querier" | "queryFrontend" | "queryScheduler" | "compactor",
    LokiTierComponent
  >;
}

/**
 * Loki's sizing table (grafana/loki docs/sources/setup/size/_index.md at v3.7.6): p90 usage per pod in
 * microservices mode, with the replicas each ingest tier runs, replication factor 3. The tiers are anchors; between
 * them the project interpolates linearly (settings/derive/loki.ts, tiers.ts), and says so.
 */
export const LOKI_SIZING: { replicationFactor: number; tiers: LokiSizingTier[] } = {
  replicationFactor: 3,
  tiers: [
    {
      upToGBPerDay: 3_000,
      components: {
        ingester: { replicas: 6, cores: 2, memoryGiB: 4 },
        distributor: { replicas: 4, cores: 2, memoryGiB: 0.5 },
        indexGateway: { replicas: 4, cores: 0.5, memoryGiB: 2 },
        querier: { replicas: 10, cores: 1, memoryGiB: 1 },
        queryFrontend: { replicas: 2, cores: 1, memoryGiB: 2 },
        queryScheduler: { replicas: 2, cores: 1, memoryGiB: 0.5 },
        compactor: { replicas: 1, cores: 2, memoryGiB: 10 },
      },
    },
    {
      upToGBPerDay: 30_000,
      components: {
        ingester: { replicas: 90, cores: 2, memoryGiB: 6 },
        distributor: { replicas: 40, cores: 2, memoryGiB: 1 },
        indexGateway: { replicas: 10, cores: 0.5, memoryGiB: 4 },
        querier: { replicas: 100, cores: 1.5, memoryGiB: 2 },
        queryFrontend: { replicas: 8, cores: 1, memoryGiB: 2 },
        queryScheduler: { replicas: 2, cores: 1, memoryGiB: 0.5 },
        compactor: { replicas: 1, cores: 6, memoryGiB: 20 },
      },
    },
  ],
};

/** A component's total cores for an ingest rate, interpolated linearly between the tiers (from zero below the first). */
export function lokiTierCores(component: keyof LokiSizingTier["components"], gbPerDay: number): number {
  let previous = { gb: 0, cores: 0 };
  for (const tier of LOKI_SIZING.tiers) {
    const c = tier.components[component];
    const cores = c.replicas * c.cores;
    if (gbPerDay <= tier.upToGBPerDay)
      return previous.cores + ((gbPerDay - previous.gb) / (tier.upToGBPerDay - previous.gb)) * (cores - previous.cores);
    previous = { gb: tier.upToGBPerDay, cores };
  }
  // Past the last anchor: that tier's cores per GB/day.
  return (previous.cores / previous.gb) * gbPerDay;
}

/** The table's tier an ingest rate falls in (the last for anything beyond it): per-pod memory is read from it. */
export function lokiTierFor(gbPerDay: number): LokiSizingTier {
  return LOKI_SIZING.tiers.find((t) => gbPerDay <= t.upToGBPerDay) ?? LOKI_SIZING.tiers[LOKI_SIZING.tiers.length - 1];
}

/** The ingest (GB/day) the table gives a set of ingester cores at a replication factor: the inverse of the interpolation. */
export function lokiGBPerDayForIngesterCores(cores: number, replicationFactor: number): number {
  const perReplica = cores * (LOKI_SIZING.replicationFactor / Math.max(1, replicationFactor));
  let previous = { gb: 0, cores: 0 };
  for (const tier of LOKI_SIZING.tiers) {
    const c = tier.components.ingester;
    const tierCores = c.replicas * c.cores;
    if (perReplica <= tierCores)
      return (
        previous.gb + ((perReplica - previous.cores) / (tierCores - previous.cores)) * (tier.upToGBPerDay - previous.gb)
      );
    previous = { gb: tier.upToGBPerDay, cores: tierCores };
  }
  return (previous.gb / previous.cores) * perReplica;
}

/** The largest gp3 (and gp2) EBS volume: 16 TiB (Amazon EBS user guide, "Amazon EBS volume types", volume size). */
export const EBS_GP3_MAX_GIB = 16_384;

/** Kubernetes docs, "Considerations for large clusters": at most 5,000 nodes and 150,000 pods in one cluster. */
export const KUBERNETES_CLUSTER_LIMITS = { maxNodes: 5000, maxPods: 150_000 } as const;

/** The report flags a tier whose headroom (capacity - load) / capacity falls below this (issue 6). */
export const DEFAULT_MINIMUM_HEADROOM = 0.2;

export interface InstanceShape {
  vcpus: number;
  memoryBytes: number;
  /** Pods the kubelet admits: ENIs x (IPv4 per ENI - 1) + 2 (amazon-eks-ami eni-max-pods.txt, VPC CNI without prefix delegation). */
  maxPods: number;
  /** Network interfaces the instance takes and private IPv4 addresses per interface (EC2 user guide, "IP addresses per network interface per instance type"). */
  enis: number;
  ipv4PerEni: number;
}

/** The kubelet's max pods for an ENI layout (aws/amazon-vpc-cni-k8s README: ENIs x (IPs per ENI - 1) + 2). */
const maxPodsOf = (enis: number, ipv4PerEni: number): number => enis * (ipv4PerEni - 1) + 2;

const shape = (vcpus: number, memoryGiB: number, enis: number, ipv4PerEni: number): InstanceShape => ({
  vcpus,
  memoryBytes: memoryGiB * GiB,
  maxPods: maxPodsOf(enis, ipv4PerEni),
  enis,
  ipv4PerEni,
});

/**
 * The instance families a node group may use (settings/schema.ts accepts exactly these), with memory per vCPU (EC2
 * instance type specifications: general purpose m = 4 GiB, memory optimized r = 8 GiB, compute optimized c = 2 GiB
 * per vCPU) and the sizes every one of them offers.
 */
export const INSTANCE_FAMILIES: Readonly<Record<string, { memoryGiBPerVcpu: number }>> = {
  m6i: { memoryGiBPerVcpu: 4 },
  m7i: { memoryGiBPerVcpu: 4 },
  m6g: { memoryGiBPerVcpu: 4 },
  m7g: { memoryGiBPerVcpu: 4 },
  r6i: { memoryGiBPerVcpu: 8 },
  r7g: { memoryGiBPerVcpu: 8 },
  c6i: { memoryGiBPerVcpu: 2 },
};

/**
 * vCPUs per size (EC2 instance type specifications: a large has 2 vCPUs and each step doubles or scales linearly) and
 * max pods (awslabs/amazon-eks-ami eni-max-pods.txt, VPC CNI without prefix delegation: ENIs x (IPv4 per ENI - 1) + 2;
 * large 3 x 10 = 29, xlarge and 2xlarge 4 x 15 = 58, 4xlarge to 12xlarge 8 x 30 = 234, 16xlarge 15 x 50 = 737).
 */
export const INSTANCE_SIZES: Readonly<
  Record<string, { vcpus: number; maxPods: number; enis: number; ipv4PerEni: number }>
> = {
  large: { vcpus: 2, maxPods: maxPodsOf(3, 10), enis: 3, ipv4PerEni: 10 },
  xlarge: { vcpus: 4, maxPods: maxPodsOf(4, 15), enis: 4, ipv4PerEni: 15 },
  "2xlarge": { vcpus: 8, maxPods: maxPodsOf(4, 15), enis: 4, ipv4PerEni: 15 },
  "4xlarge": { vcpus: 16, maxPods: maxPodsOf(8, 30), enis: 8, ipv4PerEni: 30 },
  "8xlarge": { vcpus: 32, maxPods: maxPodsOf(8, 30), enis: 8, ipv4PerEni: 30 },
  "12xlarge": { vcpus: 48, maxPods: maxPodsOf(8, 30), enis: 8, ipv4PerEni: 30 },
  "16xlarge": { vcpus: 64, maxPods: maxPodsOf(15, 50), enis: 15, ipv4PerEni: 50 },
};

/** t3.medium, the type EKS gives a node group that names none (EKS API CreateNodegroup instanceTypes; eni-max-pods.txt 3 x 6 = 17 pods). */
const EKS_DEFAULT_TYPE = { "t3.medium": shape(2, 4, 3, 6) };

/** Every instance type the model can size: each family at each size, and EKS's default type. */
export const INSTANCE_SHAPES: Readonly<Record<string, InstanceShape>> = {
  ...EKS_DEFAULT_TYPE,
  ...Object.fromEntries(
    Object.entries(INSTANCE_FAMILIES).flatMap(([family, { memoryGiBPerVcpu }]) =>
      Object.entries(INSTANCE_SIZES).map(([size, { vcpus, enis, ipv4PerEni }]) => [
        `${family}.${size}`,
        shape(vcpus, vcpus * memoryGiBPerVcpu, enis, ipv4PerEni),
      ]),
    ),
  ),
};

/**
 * Memory the hypervisor and kernel keep from the nominal size before the kubelet sees it: Karpenter's
 * VM_MEMORY_OVERHEAD_PERCENT default 0.075 (Karpenter settings docs), the figure it schedules EKS nodes with.
 */
export const VM_MEMORY_OVERHEAD = 0.075;
/** kubelet evictionHard memory.available (amazon-eks-ami kubelet-config.json). */
export const EVICTION_HARD_MEMORY_BYTES = 100 * MiB;

/**
 * kube-reserved CPU of the EKS AMIs (amazon-eks-ami bootstrap.sh get_cpu_millicores_to_reserve, ranges from GKE):
 * 6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% of the rest.
 */
export function kubeReservedCpuMillis(vcpus: number): number {
  const total = vcpus * 1000;
  const ranges: Array<[number, number, number]> = [
    [0, 1000, 0.06],
    [1000, 2000, 0.01],
    [2000, 4000, 0.005],
    [4000, Infinity, 0.0025],
  ];
  return ranges.reduce((sum, [start, end, share]) => sum + Math.max(0, Math.min(total, end) - start) * share, 0);
}

/** kube-reserved memory of the EKS AMIs: 11 MiB per pod the node admits + 255 MiB (bootstrap.sh get_memory_mebibytes_to_reserve). */
export function kubeReservedMemoryBytes(maxPods: number): number {
  return (11 * maxPods + 255) * MiB;
}

export interface Allocatable {
  cpuMillis: number;
  memoryBytes: number;
  pods: number;
}

/** What the scheduler may place on one node: capacity minus kube-reserved and the eviction threshold. */
export function allocatableOf(instance: InstanceShape): Allocatable {
  const memory =
    instance.memoryBytes * (1 - VM_MEMORY_OVERHEAD) -
    kubeReservedMemoryBytes(instance.maxPods) -
    EVICTION_HARD_MEMORY_BYTES;
  return {
    cpuMillis: instance.vcpus * 1000 - kubeReservedCpuMillis(instance.vcpus),
    memoryBytes: Math.floor(memory),
    pods: instance.maxPods,
  };
}

export interface AddonWorkload {
  component: string;
  kind: "daemonset" | "deployment";
  replicas: number;
  cpuMillis: number;
  memoryBytes: number;
  source: string;
}

/**
 * Pods each EKS add-on runs, by add-on name (aws.eks.Addon addonName), with their requests as the add-on manifests
 * set them. DaemonSets land on every node.
 */
export const ADDON_WORKLOADS: Readonly<Record<string, AddonWorkload[]>> = {
  "vpc-cni": [
    {
      component: "aws-node",
      kind: "daemonset",
      replicas: 1,
      cpuMillis: 50,
      memoryBytes: 0,
      source: "amazon-vpc-cni-k8s aws-k8s-cni.yaml: aws-node 25m + aws-eks-nodeagent 25m",
    },
  ],
  "kube-proxy": [
    {
      component: "kube-proxy",
      kind: "daemonset",
      replicas: 1,
      cpuMillis: 100,
      memoryBytes: 0,
      source: "EKS kube-proxy manifest: requests cpu 100m",
    },
  ],
  "eks-pod-identity-agent": [
    {
      component: "eks-pod-identity-agent",
      kind: "daemonset",
      replicas: 1,
      cpuMillis: 0,
      memoryBytes: 0,
      source: "EKS Pod Identity agent DaemonSet (no requests modelled)",
    },
  ],
  coredns: [
    {
      component: "coredns",
      kind: "deployment",
      replicas: 2,
      cpuMillis: 100,
      memoryBytes: 70 * MiB,
      source: "EKS CoreDNS manifest: 2 replicas, requests 100m / 70Mi",
    },
  ],
  "aws-ebs-csi-driver": [
    {
      component: "ebs-csi-controller",
      kind: "deployment",
      replicas: 2,
      cpuMillis: 60,
      memoryBytes: 240 * MiB,
      source: "aws-ebs-csi-driver chart values: controller 2 replicas, 6 containers at 10m / 40Mi",
    },
    {
      component: "ebs-csi-node",
      kind: "daemonset",
      replicas: 1,
      cpuMillis: 30,
      memoryBytes: 120 * MiB,
      source: "aws-ebs-csi-driver chart values: node 3 containers at 10m / 40Mi",
    },
  ],
};
