/**
 * A monthly estimate of what the registered resources cost: EKS control plane, EC2 by instance type and count,
 * EBS (node disks and the pods' volumes), NAT gateways and the traffic they process, S3 storage and requests for
 * the retained metrics and logs, KMS keys and requests, and Kafka's cross-zone replication.
 */
import {
  type CapacityAnalysis,
  INSTANCE_SHAPES,
  type Workload,
  type StackView,
  kafkaLandscape,
  CHARTS,
  TYPES,
  isUnknown,
} from "../../policies/model";
import { PRICES, Price, PriceTable, ResolvedPrices } from "./price-table";
import { StoreRetention } from "./retention";

export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  unitUsd: number;
  monthlyUsd: number;
  /** How the quantity was derived. */
  basis: string;
  source: string;
}

export interface CostEstimate {
  region: string;
  pricedAs: string;
  standInReason?: string;
  asOf: string;
  currency: string;
  lines: CostLine[];
  monthlyUsd: number;
}

export interface CostInputs {
  stack: StackView;
  capacity: CapacityAnalysis;
  workload: Workload;
  prices: ResolvedPrices;
  metricsRetention?: StoreRetention;
  logsRetention?: StoreRetention;
  table?: PriceTable;
  /** A node autoscaler runs: nodes converge to what the pods need, down to minSize. */
  autoscaler?: boolean;
}

const GIB = 2 ** 30;
const GB = 1e9;
const SECONDS_PER_DAY = 86_400;
/** A store kept forever is priced at what one year holds, and says so. */
const FOREVER_DAYS = 365;

function line(item: string, quantity: number, unit: string, price: Price, basis: string, scale = 1): CostLine {
  return {
    item,
    quantity,
    unit,
    unitUsd: price.usd,
    monthlyUsd: quantity * price.usd * scale,
    basis,
    source: `${price.source}; ${price.asOf}`,
  };
}

/** A zone's share of its node groups' minSize (a group over several zones is balanced across them). */
function zoneMinNodes(capacity: CapacityAnalysis, zone: string): number {
  return capacity.nodeGroups
    .filter((g) => g.zones.includes(zone))
    .reduce(
      (sum, g) =>
        sum + Math.floor(g.minSize / g.zones.length) + (g.zones.indexOf(zone) < g.minSize % g.zones.length ? 1 : 0),
      0,
    );
}

/**
 * Nodes a zone runs: what the pods need, at most maxSize, and at least desiredSize without an autoscaler (EKS keeps
 * it) or minSize with one (the Cluster Autoscaler removes unneeded nodes down to minSize: its FAQ, "How does
 * scale-down work?").
 */
export function zoneNodes(
  capacity: CapacityAnalysis,
  zone: CapacityAnalysis["fit"]["zones"][number],
  autoscaler: boolean,
): number {
  const floor = autoscaler ? zoneMinNodes(capacity, zone.zone) : zone.desiredNodes;
  return Math.min(zone.maxNodes, Math.max(floor, zone.nodesNeeded));
}

/** Nodes per instance type the estimate pays for (zoneNodes in every zone). */
export function nodesPaidFor(capacity: CapacityAnalysis, autoscaler = false): Map<string, number> {
  const byType = new Map<string, number>();
  for (const zone of capacity.fit.zones) {
    const nodes = zoneNodes(capacity, zone, autoscaler);
    const type = capacity.nodeGroups.find((g) => g.zones.includes(zone.zone))?.instanceType ?? zone.instanceType;
    byType.set(type, (byType.get(type) ?? 0) + nodes);
  }
  return byType;
}

function kafkaReplication(stack: StackView): { replicas: number; zones: number } {
  // Mimir's topics as the pack resolves them: a topic without `replicas` gets the broker's default.replication.factor.
  const topicReplicas = kafkaLandscape(stack).paths.map((path) => {
    const replicas = path.topic?.replicas();
    return replicas === undefined || isUnknown(replicas) ? 1 : replicas.value;
  });
  const brokerZones = stack
    .strimzi("KafkaNodePool")
    .filter((p) => JSON.stringify(p.spec.get("roles").raw() ?? []).includes("broker"))
    .map((p) => {
      const terms = p.spec
        .at("template.pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms")
        .raw();
      const zones = JSON.stringify(terms ?? []).match(/[a-z]{2}-[a-z]+-\d[a-z]/g) ?? [];
      return Math.min(new Set(zones).size || 1, Number(p.spec.get("replicas").raw()) || 1);
    });
  return { replicas: Math.max(1, ...topicReplicas), zones: Math.max(1, ...brokerZones) };
}

/** The distributor-to-ingester gRPC compression Loki is configured with ("" by default: Loki configuration reference). */
function lokiIngesterCompression(stack: StackView): string {
  const release = stack.helmReleases(CHARTS.loki)[0];
  const value = release?.values.at("loki.ingester_client.grpc_client_config.grpc_compression").raw();
  return typeof value === "string" ? value : "";
}

/** Share of requests between pods spread evenly over `zones` zones that cross a zone: (zones - 1) / zones. */
const crossShare = (zones: number): number => (zones > 1 ? (zones - 1) / zones : 0);

/** Prometheus replicas remote-writing to Mimir (the HA pair sends every sample twice; Mimir drops one copy). */
function prometheusWriters(stack: StackView): number {
  return Math.max(
    1,
    ...stack
      .helmReleases(CHARTS.kubePrometheusStack)
      .map((r) => Number(r.values.at("prometheus.prometheusSpec.replicas").raw() ?? 1) || 1),
  );
}

/**
 * Bytes that cross availability zones each month, billed in both directions (EC2 data transfer pricing). Per path:
 * - Mimir writes: each Prometheus replica -> gateway -> distributor, then distributor -> the partition's leader
 *   broker; pods spread evenly, so (zones - 1) / zones of each hop crosses;
 * - Kafka replication: every follower replica is in another zone (rack-aware placement);
 * - Kafka consumption: every ingester zone reads every partition from its leader, which is elsewhere for all but one
 *   zone (Mimir 3.0's reader fetches from leaders; no rack-aware fetching);
 * - Loki writes: Alloy -> gateway -> distributor (compressed pushes), then distributor -> one ingester per zone
 *   (zone-aware replication), all but one in other zones, uncompressed.
 * Queries are not counted (small next to ingestion at these read rates; labelled in the basis).
 */
function crossZoneTraffic(
  stack: StackView,
  capacity: CapacityAnalysis,
  workload: Workload,
  price: Price,
  table: PriceTable,
): CostLine[] {
  const sizes = table.sizes;
  const zones = new Set(capacity.nodeGroups.flatMap((g) => g.zones)).size;
  if (zones < 2) return [];
  const secondsPerMonth = table.hoursPerMonth * 3600;
  const lines: CostLine[] = [];
  const sampleGB = (workload.samplesPerSecond * secondsPerMonth * sizes.kafkaBytesPerSample.value) / GB;
  const share = crossShare(zones);
  const writers = prometheusWriters(stack);
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  lines.push(
    line(
      "Cross-zone traffic (Mimir write path)",
      sampleGB * (2 * writers * share + share),
      "GB",
      price,
      `${workload.samplesPerSecond.toLocaleString("en-US")} samples/s x ${sizes.kafkaBytesPerSample.value} B (${sizes.kafkaBytesPerSample.source}, also used for remote write): ` +
        `${writers} Prometheus replica(s) x 2 hops (to the gateway, to a distributor) + distributor to the leader broker, ${pct(share)} of each crossing`,
    ),
  );
  const kafka = kafkaReplication(stack);
  if (kafka.replicas > 1 && kafka.zones > 1) {
    lines.push(
      line(
        "Cross-zone traffic (Kafka replication)",
        sampleGB * (kafka.replicas - 1),
        "GB",
        price,
        `Kafka records x ${kafka.replicas - 1} follower(s) in other zones (rack-aware)`,
      ),
    );
  }
  const ingesterZones = new Set(
    capacity.pods.filter((g) => g.role === "mimir-ingester").map((g) => g.ringZone ?? "ring"),
  ).size;
  if (ingesterZones > 1) {
    lines.push(
      line(
        "Cross-zone traffic (Kafka consumers)",
        sampleGB * ingesterZones * share,
        "GB",
        price,
        `each of ${ingesterZones} ingester zones reads every record from the partition's leader, in another zone for ${pct(share)} of reads (no rack-aware fetching)`,
      ),
    );
  }
  const logGB = (workload.logsGBPerDay * table.hoursPerMonth) / 24;
  const lokiZones = new Set(
    capacity.pods
      .filter((g) => g.role === "loki-ingester")
      .map((g) => g.ringZone)
      .filter(Boolean),
  ).size;
  const replicasElsewhere = lokiZones > 1 ? lokiZones - 1 : 0;
  const compression = lokiIngesterCompression(stack);
  const replicaGB = compression ? logGB / sizes.lokiCompressionRatio.value : logGB;
  lines.push(
    line(
      "Cross-zone traffic (Loki write path)",
      (logGB / sizes.lokiCompressionRatio.value) * 2 * share + replicaGB * replicasElsewhere,
      "GB",
      price,
      `${workload.logsGBPerDay} GB/day: Alloy to the gateway and to a distributor, compressed (/${sizes.lokiCompressionRatio.value}), ${pct(share)} crossing; ` +
        `then ${replicasElsewhere} of each line's ingester replicas in other zones, ` +
        (compression
          ? `${compression}-compressed (ingester_client grpc_compression; ASSUMPTION: the same /${sizes.lokiCompressionRatio.value})`
          : "uncompressed (ingester_client grpc_compression unset, Loki's default)"),
    ),
  );
  return lines.map((l) => ({ ...l, basis: `${l.basis}; queries not counted` }));
}

export function estimateCost(inputs: CostInputs): CostEstimate {
  const { stack, capacity, workload, prices } = inputs;
  const table = inputs.table ?? PRICES;
  const p = prices.prices;
  const hours = table.hoursPerMonth;
  const sizes = table.sizes;
  const lines: CostLine[] = [];
  const secondsPerMonth = hours * 3600;

  // EKS control plane: STANDARD support at the standard rate; EXTENDED costs 6x once standard support ends.
  for (const cluster of stack.ofType(TYPES.eksCluster)) {
    const support = String(cluster.props.at("upgradePolicy.supportType").raw() ?? "EXTENDED");
    lines.push(
      line(
        `EKS control plane (${cluster.name})`,
        hours,
        "cluster-hours",
        p.eksClusterHour,
        support === "STANDARD"
          ? "upgradePolicy STANDARD"
          : `upgradePolicy ${support}: $${p.eksExtendedSupportClusterHour.usd}/h once the version leaves standard support`,
      ),
    );
  }

  // EC2.
  const autoscaler = inputs.autoscaler ?? false;
  const nodes = nodesPaidFor(capacity, autoscaler);
  for (const [type, count] of nodes) {
    const { usd: hourly, note } = ec2HourlyPrice(p.ec2Hour.usd, type, prices.pricedAs);
    lines.push(
      line(
        `EC2 ${type}`,
        count * hours,
        "instance-hours",
        { usd: hourly, source: p.ec2Hour.source, asOf: p.ec2Hour.asOf },
        `${count} nodes: per zone the nodes the pods need (first-fit packing), at most maxSize, at least ${autoscaler ? "minSize (the Cluster Autoscaler removes the rest)" : "desiredSize (no autoscaler runs)"}${note ? `; ${note}` : ""}`,
      ),
    );
  }

  // EBS: node root disks (priced as gp3) and the pods' persistent volumes (the gp3 StorageClass).
  const nodeDiskGiB = capacity.fit.zones.reduce((sum, zone) => {
    const group = capacity.nodeGroups.find((g) => g.zones.includes(zone.zone));
    return sum + zoneNodes(capacity, zone, autoscaler) * (group?.diskGiB ?? 20);
  }, 0);
  lines.push(
    line("EBS node disks", nodeDiskGiB, "GB-month", p.ebsGp3GBMonth, "node groups' diskSize x nodes (priced as gp3)"),
  );
  const volumeGiB = capacity.pods.reduce(
    (sum, g) => sum + (g.placement.kind === "daemonset" ? 0 : (g.volumeBytes / GIB) * g.replicas),
    0,
  );
  const storageClasses = stack
    .ofType("kubernetes:storage.k8s.io/v1:StorageClass")
    .map((sc) => String(sc.props.at("parameters.type").raw() ?? "gp2"));
  lines.push(
    line(
      "EBS persistent volumes",
      volumeGiB,
      "GB-month",
      p.ebsGp3GBMonth,
      `sum of the pods' volume claims (StorageClass type ${storageClasses.join(", ") || "unknown"})`,
    ),
  );

  // NAT gateways, their public IPv4 addresses, and S3 uploads through them.
  const natCount = stack.ofType("aws:ec2/natGateway:NatGateway").length;
  const eipCount = stack.ofType("aws:ec2/eip:Eip").length;
  if (natCount > 0)
    lines.push(line("NAT gateways", natCount * hours, "gateway-hours", p.natGatewayHour, `${natCount} NAT gateway(s)`));
  if (eipCount > 0)
    lines.push(
      line("Public IPv4 addresses", eipCount * hours, "address-hours", p.publicIpv4Hour, `${eipCount} Elastic IP(s)`),
    );

  // S3 storage.
  const samplesPerMonth = workload.samplesPerSecond * secondsPerMonth;
  const ingesterZones =
    new Set(capacity.pods.filter((g) => g.role === "mimir-ingester").map((g) => g.ringZone ?? "ring")).size || 1;
  const metricsDays = inputs.metricsRetention?.days ?? FOREVER_DAYS;
  const metricsGB = (workload.samplesPerSecond * metricsDays * SECONDS_PER_DAY * sizes.mimirBytesPerSample.value) / GB;
  if (inputs.metricsRetention) {
    lines.push(
      line(
        "S3 metrics blocks",
        metricsGB,
        "GB-month",
        p.s3StandardGBMonth,
        `${workload.samplesPerSecond.toLocaleString("en-US")} samples/s x ${metricsDays}d x ${sizes.mimirBytesPerSample.value} B/sample (${sizes.mimirBytesPerSample.source}); retention: ${inputs.metricsRetention.basis}` +
          (inputs.metricsRetention.days === undefined ? `; kept forever, priced at ${FOREVER_DAYS}d` : ""),
      ),
    );
  }
  const logsDays = inputs.logsRetention?.days ?? FOREVER_DAYS;
  const compressedLogGBPerDay = workload.logsGBPerDay / sizes.lokiCompressionRatio.value;
  if (inputs.logsRetention) {
    lines.push(
      line(
        "S3 log chunks",
        compressedLogGBPerDay * logsDays,
        "GB-month",
        p.s3StandardGBMonth,
        `${workload.logsGBPerDay} GB/day / ${sizes.lokiCompressionRatio.value} (${sizes.lokiCompressionRatio.source}) x ${logsDays}d; retention: ${inputs.logsRetention.basis}` +
          (inputs.logsRetention.days === undefined ? `; kept forever, priced at ${FOREVER_DAYS}d` : ""),
      ),
    );
  }

  // S3 requests. PUTs: every ingester uploads one block of about 4 objects (meta.json, index, chunks, and the
  // bucket-index update) per 2h block range and tenant, and the compactor rewrites as many; Loki puts chunks of
  // chunk_target_size. GETs: queries x an assumed number of object reads.
  const ingesterPods = capacity.pods.filter((g) => g.role === "mimir-ingester").reduce((n, g) => n + g.replicas, 0);
  const blockPuts = ingesterPods * 12 * (hours / 24) * 4 * 2;
  const chunkPuts = (compressedLogGBPerDay * (hours / 24) * GB) / sizes.lokiChunkTargetBytes.value;
  const puts = blockPuts + chunkPuts;
  lines.push(
    line(
      "S3 PUT/LIST requests",
      puts / 1000,
      "1,000 requests",
      p.s3PutPer1000,
      `${ingesterPods} ingesters x 12 blocks/day x 4 objects x 2 (compactor), one tenant; + Loki chunks of ${sizes.lokiChunkTargetBytes.value} B (${sizes.lokiChunkTargetBytes.source})`,
    ),
  );
  const gets = workload.queriesPerSecond * secondsPerMonth * sizes.s3GetsPerQuery.value;
  lines.push(
    line(
      "S3 GET requests",
      gets / 1000,
      "1,000 requests",
      p.s3GetPer1000,
      `${workload.queriesPerSecond} queries/s x ${sizes.s3GetsPerQuery.value} reads (${sizes.s3GetsPerQuery.source})`,
    ),
  );

  // NAT data: S3 traffic leaves the private subnets through NAT unless an S3 gateway endpoint routes it.
  const s3Endpoint = stack
    .ofType("aws:ec2/vpcEndpoint:VpcEndpoint")
    .some((e) => String(e.props.get("serviceName").raw() ?? "").endsWith(".s3"));
  if (natCount > 0 && !s3Endpoint) {
    const uploadGB =
      (samplesPerMonth * sizes.mimirBytesPerSample.value * (ingesterZones + 1)) / GB +
      compressedLogGBPerDay * (hours / 24);
    lines.push(
      line(
        "NAT data processed (S3 uploads)",
        uploadGB,
        "GB",
        p.natGatewayGB,
        `no S3 gateway endpoint: block uploads from ${ingesterZones} ingester zone(s) + compaction, and log chunks; query reads not counted`,
      ),
    );
  }

  // KMS.
  const keys = stack.ofType("aws:kms/key:Key").length;
  if (keys > 0) lines.push(line("KMS keys", keys, "key-months", p.kmsKeyMonth, `${keys} customer-managed key(s)`));
  // Only SSE-KMS buckets call KMS; SSE-S3 (AES256) buckets, like the access-log bucket, never do.
  const kmsEncryptions = stack
    .ofType(TYPES.bucketEncryption)
    .filter((e) => JSON.stringify(e.props.get("rules").raw() ?? []).includes('"aws:kms'));
  const bucketKeys = kmsEncryptions.every((e) =>
    JSON.stringify(e.props.get("rules").raw() ?? []).includes('"bucketKeyEnabled":true'),
  );
  const kmsRequests = bucketKeys ? 0 : Math.max(0, puts + gets - p.kmsPer10000Requests.freeRequests);
  lines.push(
    line(
      "KMS requests",
      kmsRequests / 10_000,
      "10,000 requests",
      p.kmsPer10000Requests,
      bucketKeys
        ? "S3 Bucket Keys on every SSE-KMS bucket: KMS is called per bucket key, not per object (negligible)"
        : "one KMS call per S3 request beyond the free 20,000",
    ),
  );

  lines.push(...crossZoneTraffic(stack, capacity, workload, p.crossAzGB, table));

  return {
    region: prices.region,
    pricedAs: prices.pricedAs,
    standInReason: prices.standInReason,
    asOf: prices.asOf,
    currency: table.currency,
    lines,
    monthlyUsd: lines.reduce((sum, l) => sum + l.monthlyUsd, 0),
  };
}

/**
 * An instance type's on-demand price: the table's own, else scaled by vCPUs from a listed size of the same family
 * (on-demand prices are linear in size within a family: m6i.large 0.096, xlarge 0.192, 2xlarge 0.384 in us-east-1),
 * with a note saying so. A family the table lists no size of cannot be priced: that is a gap in prices.json.
 */
export function ec2HourlyPrice(
  table: Record<string, number>,
  type: string,
  pricedAs: string,
): { usd: number; note?: string } {
  if (table[type] !== undefined) return { usd: table[type] };
  const [family] = type.split(".");
  const vcpus = INSTANCE_SHAPES[type]?.vcpus;
  const listed = Object.keys(table).find((t) => t.startsWith(`${family}.`) && INSTANCE_SHAPES[t]);
  if (vcpus === undefined || listed === undefined) {
    throw new Error(
      `tools/planning/prices.json: regions.${pricedAs}.ec2Hour.usd has no price for any ${family} size; add one (e.g. ${family}.xlarge)`,
    );
  }
  const usd = (table[listed] * vcpus) / INSTANCE_SHAPES[listed].vcpus;
  return {
    usd,
    note: `STAND-IN price: ${listed}'s scaled by vCPUs (${INSTANCE_SHAPES[listed].vcpus} -> ${vcpus}), not a listed price`,
  };
}
