// What the loss of one availability zone does to each replicated tier: for every AZ the nodes run in, whether writes
// and reads continue, whether acknowledged data may be lost, and whether the surviving zones' node groups at maxSize
// still hold the pods that must move. Shared by policy C4 and the check report. Plain data (JSON-serialisable).
//
// Stated assumptions: a pod group pinned to one AZ (nodeSelector or a one-zone affinity) is lost with it; a group
// spread with a required zone topology spread (maxSkew 1) has at most ceil(replicas / zones) pods in any AZ; anything
// else may have every pod in the lost AZ. Volumes are zonal (EBS), so a pod with a volume in the lost AZ waits for it.
// A NAT gateway is zonal (AWS VPC user guide, "NAT gateway basics": "If you have resources in multiple Availability
// Zones and they share one NAT gateway, and if the NAT gateway's Availability Zone is down, resources in the other
// Availability Zones lose internet access. To improve resiliency, create a NAT gateway in each Availability Zone"):
// node subnets whose default route leads to a NAT gateway in the lost AZ lose egress with it. A regional NAT gateway
// (no subnet) spans the AZs and is not judged.
import { kafkaLandscape, effectiveTopicSetting } from "../../lib/kafka";
import { strimziBelongsTo } from "../../lib/kafka/landscape";
import { lokiReleases } from "../../lib/loki";
import { mimirReleases } from "../../lib/mimir";
import { PropNode } from "../../lib/node";
import { CustomResource, HelmRelease, StackResource, StackView } from "../../lib/stack";
import { CHARTS, TYPES } from "../../lib/types";
import { known } from "../../lib/unknown";
import { subnetsOf, ZONE_LABEL } from "../../lib/zones";
import { CapacityAnalysis } from "./analysis";
import { fitPods } from "./fit";
import { PodGroup } from "./pods";
import { numberAt } from "./values";

export interface ZoneLossLine {
  /** The availability zone lost. */
  zone: string;
  tier: string;
  writes: boolean;
  reads: boolean;
  /** Acknowledged data may exist only in the lost zone. */
  dataLost: boolean;
  /** Why the tier keeps going, or what stops it. */
  reason: string;
  urn: string;
}

export interface ZoneLossAnalysis {
  zones: string[];
  lines: ZoneLossLine[];
}

/** Whether a line says the tier survives: writes and reads continue and nothing acknowledged is lost. */
export const survives = (line: ZoneLossLine): boolean => line.writes && line.reads && !line.dataLost;

type Verdict = Omit<ZoneLossLine, "zone" | "tier" | "urn">;

/** Mimir's default ingester.ring.replication_factor (config descriptor) when ingest storage is off. */
const MIMIR_INGESTER_RF = 3;
const quorum = (rf: number): number => Math.floor(rf / 2) + 1;

// ---- Ring tiers: zone-aware StatefulSets (one per ring zone), each to be pinned to one AZ.

interface RingTier {
  tier: string;
  urn: string;
  groups: PodGroup[];
  /** Verdict when `lost` of `zones` ring zones are gone (each ring zone holds one replica of everything). */
  judge(lost: number, zones: number): Verdict;
}

/** The AZ each ring zone is pinned to, or the reason one cannot be shown. */
function ringZonePins(groups: PodGroup[]): { pins: Map<string, string> } | { unpinned: string } {
  const pins = new Map<string, string>();
  for (const g of groups) {
    const zones = g.placement.kind === "zones" ? g.placement.zones : undefined;
    if (!g.ringZone)
      return { unpinned: `${g.component} is not zone-aware: Kubernetes may place every replica in one AZ` };
    if (!zones || zones.length !== 1) {
      return {
        unpinned: `ring zone ${g.ringZone} (${g.component}) is not pinned to one AZ (nodeSelector ${ZONE_LABEL}): two ring zones may share an AZ`,
      };
    }
    pins.set(g.ringZone, zones[0]);
  }
  return { pins };
}

function ringTiers(stack: StackView, capacity: CapacityAnalysis): RingTier[] {
  const tiers: RingTier[] = [];
  const ofRole = (role: PodGroup["role"]) => capacity.pods.filter((g) => g.role === role && g.replicas > 0);
  for (const mimir of mimirReleases(stack)) {
    const owned = (role: PodGroup["role"]) => ofRole(role).filter((g) => g.ownerUrn === mimir.release.resource.urn);
    const ingestStorage = known(mimir.boolean("ingest_storage.enabled")).value;
    tiers.push({
      tier: `Mimir ingesters (${mimir.release.label})`,
      urn: mimir.release.resource.urn,
      groups: owned("mimir-ingester"),
      judge: (lost, zones) => {
        const left = zones - lost;
        if (ingestStorage) {
          // Ingest storage: writes are acknowledged by Kafka; every ingester zone consumes every partition, so
          // one zone left answers every query (Mimir docs, "About ingest storage architecture").
          return {
            writes: true,
            reads: left >= 1,
            dataLost: false,
            reason: `${left} of ${zones} ingester zones left; writes go to Kafka, each zone holds every series`,
          };
        }
        const ok = left >= quorum(MIMIR_INGESTER_RF);
        return {
          writes: ok,
          reads: left >= 1,
          dataLost: lost >= quorum(MIMIR_INGESTER_RF),
          reason: `${left} of ${zones} ingester zones left, quorum ${quorum(MIMIR_INGESTER_RF)} of RF ${MIMIR_INGESTER_RF}`,
        };
      },
    });
    const rf = known(mimir.number("store_gateway.sharding_ring.replication_factor")).value;
    tiers.push({
      tier: `Mimir store-gateways (${mimir.release.label})`,
      urn: mimir.release.resource.urn,
      groups: owned("mimir-store-gateway"),
      // Zone-aware: each block's RF copies are in RF distinct zones; blocks themselves are in S3.
      judge: (lost) => ({
        writes: true,
        reads: lost < rf,
        dataLost: false,
        reason: `each block is served from ${rf} zones; ${lost} lost`,
      }),
    });
  }
  for (const loki of lokiReleases(stack)) {
    const rf = known(loki.replicationFactor()).value;
    tiers.push({
      tier: `Loki ingesters (${loki.release.label})`,
      urn: loki.release.resource.urn,
      groups: ofRole("loki-ingester").filter((g) => g.ownerUrn === loki.release.resource.urn),
      // Zone-aware replication puts one replica of each stream in each ring zone; a push needs a quorum
      // (Loki docs, "The write path": replication_factor / 2 + 1 acknowledgements).
      judge: (lost) => {
        const left = rf - Math.min(lost, rf);
        return {
          writes: left >= quorum(rf),
          reads: left >= 1,
          dataLost: lost >= quorum(rf),
          reason: `${left} of ${rf} replicas of each stream left, a push needs ${quorum(rf)}`,
        };
      },
    });
  }
  return tiers.filter((t) => t.groups.length > 0);
}

function judgeRing(tier: RingTier, zone: string): Verdict {
  const pinned = ringZonePins(tier.groups);
  if ("unpinned" in pinned) {
    if (tier.groups.length === 1 && tier.groups[0].replicas === 1) return tier.judge(1, 1);
    return {
      writes: false,
      reads: false,
      dataLost: true,
      reason: `cannot survive by construction: ${pinned.unpinned}`,
    };
  }
  const lostZones = [...pinned.pins].filter(([, az]) => az === zone).map(([ring]) => ring);
  const verdict = tier.judge(lostZones.length, pinned.pins.size);
  return lostZones.length > 1
    ? { ...verdict, reason: `ring zones ${lostZones.join(" and ")} are both pinned to ${zone}; ${verdict.reason}` }
    : verdict;
}

// ---- Spread StatefulSets: Kafka node pools and Prometheus.

/** A required zone topology spread with maxSkew 1 over the group's pods (a list, or mimir-distributed's single map). */
function requiredZoneSpread(constraints: PropNode): boolean {
  const list = known(constraints.items()) ?? (constraints.isPresent ? [constraints] : []);
  return list.some(
    (c) =>
      known(c.get("topologyKey").string()) === ZONE_LABEL &&
      known(c.get("whenUnsatisfiable").string()) === "DoNotSchedule" &&
      numberAt(c.get("maxSkew"), 1) === 1,
  );
}

/** The most pods of a spread group one AZ can hold. */
function mostInOneZone(replicas: number, spread: boolean, zones: number): number {
  return spread ? Math.ceil(replicas / Math.max(1, zones)) : replicas;
}

function hasRole(pool: CustomResource, role: string): boolean {
  return (known(pool.spec.get("roles").items()) ?? []).some((r) => known(r.string()) === role);
}

function kafkaVerdicts(stack: StackView, zones: string[]): Array<{ tier: string; urn: string; verdict: Verdict }> {
  const out: Array<{ tier: string; urn: string; verdict: Verdict }> = [];
  const landscape = kafkaLandscape(stack);
  for (const cluster of landscape.clusters.filter((c) => c.kind === "strimzi")) {
    const kafka = stack.strimzi("Kafka").find((k) => k.resource.urn === cluster.urn);
    const pools = stack.strimzi("KafkaNodePool").filter((p) => kafka && strimziBelongsTo(p, cluster));
    const spread = (p: CustomResource) => requiredZoneSpread(p.spec.at("template.pod.topologySpreadConstraints"));
    const lostOf = (role: string) =>
      pools
        .filter((p) => hasRole(p, role))
        .reduce((sum, p) => sum + mostInOneZone(numberAt(p.spec.get("replicas"), 0), spread(p), zones.length), 0);
    const total = (role: string) =>
      pools.filter((p) => hasRole(p, role)).reduce((sum, p) => sum + numberAt(p.spec.get("replicas"), 0), 0);
    const brokers = total("broker");
    const brokersLost = lostOf("broker");
    const controllers = total("controller");
    const controllersLost = lostOf("controller");
    const rackAware = kafka ? known(kafka.spec.at("kafka.rack.topologyKey").string()) === ZONE_LABEL : false;
    const brokersSpread = pools.filter((p) => hasRole(p, "broker")).every(spread);
    const quorumKept = controllers - controllersLost >= quorum(controllers);
    for (const topic of landscape.topics.filter((t) => t.cluster === cluster && t.writers.length > 0)) {
      const rf = known(topic.replicas() ?? { value: 1, where: "" }).value;
      const minIsr = known(effectiveTopicSetting(topic, "min.insync.replicas") ?? { value: 1, where: "" }).value;
      // Rack awareness (broker.rack from the zone label) spreads a partition's replicas over the racks
      // (Kafka docs, "Balancing replicas across racks"), which are AZs only when the brokers are spread over them;
      // otherwise all of a partition's replicas may share the lost AZ.
      const racks = Math.min(zones.length, brokers);
      const replicasLost =
        brokersLost === 0
          ? 0
          : rackAware && brokersSpread
            ? Math.min(rf, Math.ceil(rf / Math.max(1, racks)))
            : Math.min(rf, brokersLost);
      const left = rf - replicasLost;
      const writes = quorumKept && left >= minIsr;
      const reasons = [
        `${brokersLost} of ${brokers} brokers may be in one AZ${brokersSpread ? "" : " (no required zone spread on the broker pools)"}${rackAware ? "" : " and the cluster is not rack-aware (kafka.rack)"}`,
        `${left} of ${rf} replicas of each partition left, min.insync.replicas ${minIsr}`,
        `KRaft controllers ${controllers - controllersLost} of ${controllers} left (quorum ${quorum(controllers)})`,
      ];
      out.push({
        tier: `Kafka topic ${topic.name} (${cluster.label})`,
        urn: topic.urn,
        verdict: {
          writes,
          reads: quorumKept && left >= 1,
          dataLost: replicasLost >= minIsr,
          reason: reasons.join("; "),
        },
      });
    }
  }
  return out;
}

function prometheusVerdict(release: HelmRelease): Verdict {
  const spec = release.values.at("prometheus.prometheusSpec");
  const replicas = numberAt(spec.get("replicas"), 1);
  // kube-prometheus-stack renders "hard" as required pod anti-affinity on podAntiAffinityTopologyKey (chart default
  // "soft" on kubernetes.io/hostname: templates/prometheus/prometheus.yaml).
  const zoneAntiAffinity =
    known(spec.get("podAntiAffinity").string()) === "hard" &&
    known(spec.get("podAntiAffinityTopologyKey").string()) === ZONE_LABEL;
  if (replicas >= 2 && zoneAntiAffinity) {
    return {
      writes: true,
      reads: true,
      dataLost: false,
      reason: `${replicas} replicas in distinct AZs scrape every target; Mimir's HA tracker switches to a survivor within its 30s failover timeout`,
    };
  }
  const why =
    replicas < 2
      ? `one replica (prometheus.prometheusSpec.replicas ${replicas})`
      : "replicas not kept in distinct AZs (podAntiAffinity hard on the zone label)";
  return {
    writes: false,
    reads: false,
    dataLost: false,
    reason: `${why}: scraping stops until its AZ and volume return`,
  };
}

// ---- Stateless paths: Deployments that must keep some replicas in the AZs left while the lost ones are rescheduled.

interface StatelessPath {
  tier: string;
  urn: string;
  components: Array<{ key: string; replicas: number; spread: boolean }>;
}

/** mimir-distributed and loki (Distributed) components on each path; the gateway is on both. */
const STATELESS = {
  mimir: { write: ["gateway", "distributor"], read: ["gateway", "query_frontend", "query_scheduler", "querier"] },
  loki: { write: ["gateway", "distributor"], read: ["gateway", "queryFrontend", "queryScheduler", "querier"] },
};

function statelessPaths(stack: StackView, capacity: CapacityAnalysis): StatelessPath[] {
  const paths: StatelessPath[] = [];
  const releases = [
    ...mimirReleases(stack).map((m) => ({ product: "Mimir", keys: STATELESS.mimir, release: m.release })),
    ...lokiReleases(stack).map((l) => ({ product: "Loki", keys: STATELESS.loki, release: l.release })),
  ];
  for (const { product, keys, release } of releases) {
    for (const [path, components] of Object.entries(keys)) {
      const present = components.flatMap((key) => {
        const group = capacity.pods.find(
          (g) => g.ownerUrn === release.resource.urn && g.component === key && g.replicas > 0,
        );
        return group
          ? [
              {
                key,
                replicas: group.replicas,
                spread: requiredZoneSpread(release.values.at(`${key}.topologySpreadConstraints`)),
              },
            ]
          : [];
      });
      if (present.length > 0)
        paths.push({
          tier: `${product} ${path} path (${release.label})`,
          urn: release.resource.urn,
          components: present,
        });
    }
  }
  return paths;
}

function judgeStateless(path: StatelessPath, zoneCount: number): Verdict {
  const exposed = path.components.filter((c) => mostInOneZone(c.replicas, c.spread, zoneCount) >= c.replicas);
  const ok = exposed.length === 0;
  const reason = ok
    ? `${path.components.map((c) => `${c.key} ${c.replicas}`).join(", ")} spread over the AZs; the rest serve while the lost replicas are rescheduled`
    : `${exposed.map((c) => `${c.key}: all ${c.replicas} replica(s) may be in one AZ${c.spread ? "" : " (no required zone topology spread)"}`).join("; ")}: stops until rescheduled`;
  const writes = !/write path/.test(path.tier) || ok;
  const reads = !/read path/.test(path.tier) || ok;
  return { writes, reads, dataLost: false, reason };
}

// ---- Egress: the node subnets' default routes and the AZ of the NAT gateway each one leads to.

/** The resource a reference property names: by property dependency, else by the id it holds. */
function referenced(from: StackResource, prop: string, candidates: StackResource[]): StackResource | undefined {
  const urns = from.propertyDependencyUrns[prop] ?? [];
  const byDependency = candidates.find((c) => urns.includes(c.urn));
  if (byDependency) return byDependency;
  const id = known(from.props.get(prop).string());
  return id === undefined ? undefined : candidates.find((c) => known(c.props.get("id").string()) === id);
}

interface NodeSubnetEgress {
  subnet: string;
  zone: string;
  natZone: string;
  nat: string;
}

/**
 * For every node-group subnet whose route table's 0.0.0.0/0 route leads to a NAT gateway of the stack: the AZ of that
 * gateway (the AZ of its public subnet). Subnets whose egress the stack does not show (an existing VPC) are left out.
 */
function nodeSubnetEgress(stack: StackView): NodeSubnetEgress[] {
  const subnets = stack.ofType(TYPES.subnet);
  const nats = stack.ofType(TYPES.natGateway);
  if (nats.length === 0) return [];
  const tables = stack.ofType(TYPES.routeTable);
  const routes = stack.ofType(TYPES.route);
  const associations = stack.ofType(TYPES.routeTableAssociation);
  const nodeSubnets = new Map<string, StackResource>();
  for (const group of stack.ofType(TYPES.eksNodeGroup))
    for (const subnet of known(subnetsOf(group, subnets)) ?? []) nodeSubnets.set(subnet.urn, subnet);
  const out: NodeSubnetEgress[] = [];
  for (const subnet of nodeSubnets.values()) {
    const zone = known(subnet.props.get("availabilityZone").string());
    const association = associations.find((a) => referenced(a, "subnetId", subnets) === subnet);
    const table = association && referenced(association, "routeTableId", tables);
    if (!zone || !table) continue;
    const natIds = [
      ...routes
        .filter((r) => referenced(r, "routeTableId", tables) === table)
        .filter((r) => known(r.props.get("destinationCidrBlock").string()) === "0.0.0.0/0")
        .map((r) => referenced(r, "natGatewayId", nats)),
      // Routes inlined in the table (aws.ec2.RouteTable routes[]: cidrBlock, natGatewayId).
      ...(known(table.props.get("routes").items()) ?? [])
        .filter((r) => known(r.get("cidrBlock").string()) === "0.0.0.0/0")
        .map((r) => nats.find((n) => known(n.props.get("id").string()) === known(r.get("natGatewayId").string()))),
    ];
    const nat = natIds.find((n): n is StackResource => n !== undefined);
    const natSubnet = nat && referenced(nat, "subnetId", subnets);
    const natZone = natSubnet && known(natSubnet.props.get("availabilityZone").string());
    if (nat && natZone) out.push({ subnet: subnet.name, zone, natZone, nat: nat.name });
  }
  return out;
}

function egressVerdict(egress: NodeSubnetEgress[], zone: string): Verdict {
  const cut = egress.filter((e) => e.zone !== zone && e.natZone === zone);
  if (cut.length === 0) {
    return {
      writes: true,
      reads: true,
      dataLost: false,
      reason: "the node subnets of the other AZs egress through NAT gateways outside the lost AZ",
    };
  }
  const nats = [...new Set(cut.map((e) => `NatGateway "${e.nat}"`))].sort().join(", ");
  return {
    writes: false,
    reads: false,
    dataLost: false,
    reason:
      `the node subnets of ${[...new Set(cut.map((e) => e.zone))].sort().join(", ")} (${cut
        .map((e) => e.subnet)
        .sort()
        .join(", ")}) route 0.0.0.0/0 ` +
      `through ${nats} in ${zone}: the nodes left lose internet egress, so the pods that move cannot pull images from public registries ` +
      `(Docker Hub, quay.io, registry.k8s.io) nor fetch IRSA credentials from STS without VPC endpoints, and stay down; run one NAT gateway per AZ (network.natGateways perZone)`,
  };
}

// ---- Capacity left: the surviving zones' node groups at maxSize hold what must move.

/** The pods that run after `zone` is lost: pinned ones wait for it; stateful ones keep their survivors; the rest move. */
function podsAfterLoss(groups: PodGroup[], zone: string, zoneCount: number): PodGroup[] {
  const out: PodGroup[] = [];
  for (const g of groups) {
    if (g.placement.kind === "daemonset") {
      out.push(g);
      continue;
    }
    const allowed = g.placement.zones;
    if (allowed && allowed.length === 1 && allowed[0] === zone) continue;
    const remaining = allowed?.filter((z) => z !== zone);
    // A pod with a zonal volume in the lost AZ waits there; at least floor(replicas / zones) of a spread group were.
    const waiting =
      g.volumeBytes > 0 && (!allowed || allowed.includes(zone))
        ? Math.floor(g.replicas / Math.max(1, allowed?.length ?? zoneCount))
        : 0;
    out.push({ ...g, replicas: g.replicas - waiting, placement: { kind: "zones", zones: remaining } });
  }
  return out;
}

function capacityVerdict(capacity: CapacityAnalysis, zone: string, zoneCount: number): Verdict {
  // A node group spanning several AZs keeps its maxSize: its Auto Scaling group launches in the AZs left.
  const survivors = capacity.nodeGroups
    .map((n) => ({ ...n, zones: n.zones.filter((z) => z !== zone) }))
    .filter((n) => n.zones.length > 0);
  const fit = fitPods(podsAfterLoss(capacity.pods, zone, zoneCount), survivors);
  if (fit.unschedulable.length === 0) {
    return {
      writes: true,
      reads: true,
      dataLost: false,
      reason: `node groups of the other AZs at maxSize hold every pod that moves (${fit.zones.map((z) => `${z.zone} needs ${z.nodesNeeded} of ${z.maxNodes}`).join(", ")})`,
    };
  }
  const pending = fit.unschedulable.map((u) => `${u.pods} x ${u.component}${u.zone ? ` in ${u.zone}` : ""}`).join(", ");
  return {
    writes: false,
    reads: false,
    dataLost: false,
    reason: `stays Pending on the surviving node groups at maxSize: ${pending}`,
  };
}

export function analyzeZoneLoss(stack: StackView, capacity: CapacityAnalysis): ZoneLossAnalysis {
  const zones = [...new Set(capacity.nodeGroups.flatMap((n) => n.zones))].sort();
  const lines: ZoneLossLine[] = [];
  const rings = ringTiers(stack, capacity);
  const kafka = kafkaVerdicts(stack, zones);
  const prometheus = stack.helmReleases(CHARTS.kubePrometheusStack);
  const stateless = statelessPaths(stack, capacity);
  const egress = nodeSubnetEgress(stack);
  for (const zone of zones) {
    for (const tier of rings) lines.push({ zone, tier: tier.tier, urn: tier.urn, ...judgeRing(tier, zone) });
    for (const k of kafka) lines.push({ zone, tier: k.tier, urn: k.urn, ...k.verdict });
    for (const s of stateless) lines.push({ zone, tier: s.tier, urn: s.urn, ...judgeStateless(s, zones.length) });
    for (const p of prometheus)
      lines.push({ zone, tier: `Prometheus (${p.label})`, urn: p.resource.urn, ...prometheusVerdict(p) });
    if (egress.length > 0) {
      const nat = stack
        .ofType(TYPES.natGateway)
        .find((n) => egress.some((e) => e.nat === n.name && e.natZone === zone));
      lines.push({ zone, tier: "Egress (NAT gateways)", urn: nat?.urn ?? "", ...egressVerdict(egress, zone) });
    }
    const nodeGroup = capacity.nodeGroups.find((n) => n.zones.includes(zone));
    lines.push({
      zone,
      tier: "Capacity left",
      urn: nodeGroup?.urn ?? "",
      ...capacityVerdict(capacity, zone, zones.length),
    });
  }
  return { zones, lines };
}
