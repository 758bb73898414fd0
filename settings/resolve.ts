import deepmerge from "deepmerge";
import { distance } from "fastest-levenshtein";
import { z } from "zod";
// Pure arithmetic shared with the policy pack's rule S7, so config validation and the pack judge alike.
import { describeCoverage, IPV4_ADDRESSES, ipv4Coverage } from "../policies/lib/ipv4-coverage";
import { isPlainObject, replaceArrays } from "../policies/lib/plain";
import { hours, parseDuration } from "./durations";
import { PROFILES } from "./profiles";
import { CONFIG_KEYS, Profile, StackConfig, stackConfigSchema } from "./schema";
import * as upstream from "./upstream";
// Pure layout arithmetic of the network component, run here so a bad block is a config error before any resource.
import { planSubnetCidrs } from "../components/network/cidr";
// One AMI per node group (components/cluster/nodes.ts amiTypeFor): checked here so a mix is a config error.
import { isArmInstanceType } from "../components/cluster/nodes";
import { deriveLoki } from "./derive/loki";
import { deriveMimirSizing } from "./derive/sizing";
import { EBS_GP3_MAX_GIB, KUBERNETES_CLUSTER_LIMITS } from "../policies/rules/capacity/figures";
import { brokerStorageGiB } from "./derive/kafka";
import { prometheusVolumeGiB } from "./derive/prometheus";
import { overridePathIssues } from "./overrides/paths";
import { LOKI_CANARY_TENANT } from "./names";

/** One rejected config value: the key path, what was given and what is allowed. */
export interface ConfigIssue {
  key: string;
  value: unknown;
  problem: string;
}

/** Raised before any resource is registered; the check command maps it to exit code 2. */
export class ConfigError extends Error {
  constructor(
    readonly project: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `Invalid configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
        issues.map((i) => `  - ${project}:${i.key} = ${show(i.value)}: ${i.problem}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

function show(value: unknown): string {
  if (value === undefined) return "(not set)";
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Engine config values are strings; structured values arrive JSON-encoded (Pulumi config docs). */
export function decodeConfigValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

function keyOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

// Lists replace rather than concatenate (replaceArrays): a stack that lists two AZs means exactly those two.

/**
 * Merges the stack's keys over its profile's defaults and validates the result.
 * `raw` is the project's config namespace with the prefix stripped, values as the engine passes them.
 */
export function resolveConfig(project: string, raw: Record<string, string>): StackConfig {
  const given: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) given[key] = decodeConfigValue(value);

  const profile = given.profile ?? "dev";
  if (typeof profile !== "string" || !(profile in PROFILES)) {
    throw new ConfigError(project, [{ key: "profile", value: profile, problem: "expected one of dev, staging, prod" }]);
  }
  const unknownKeys = Object.keys(given).filter((k) => !(CONFIG_KEYS as string[]).includes(k));
  if (unknownKeys.length > 0) {
    throw new ConfigError(
      project,
      unknownKeys.map((k) => {
        const near = closest(k, CONFIG_KEYS);
        return {
          key: k,
          value: given[k],
          problem: `unknown key${near ? ` (did you mean ${near}?)` : ""}; allowed keys: ${CONFIG_KEYS.join(", ")}`,
        };
      }),
    );
  }
  // A scalar where an object belongs would be silently replaced by deepmerge; let the schema see it instead.
  const merged = deepmerge(PROFILES[profile as Profile], given as Partial<StackConfig>, { arrayMerge: replaceArrays });
  for (const key of CONFIG_KEYS)
    if (key in given && !isPlainObject(given[key])) (merged as Record<string, unknown>)[key] = given[key];

  const parsed = stackConfigSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(project, schemaIssues(parsed.error, merged));
  const contradictions = [
    ...overridePathIssues(parsed.data.overrides),
    ...crossKeyIssues(parsed.data),
    ...scaleIssues(parsed.data),
  ];
  if (contradictions.length > 0) throw new ConfigError(project, contradictions);
  return parsed.data;
}

function schemaIssues(error: z.ZodError, input: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) {
        const path = [...issue.path, k];
        const allowed = schemaKeysAt(stackConfigSchema, issue.path);
        const near = closest(String(k), allowed);
        issues.push({
          key: keyOf(path),
          value: valueAt(input, path),
          problem: `unknown key${near ? ` (did you mean ${near}?)` : ""}; allowed here: ${allowed.join(", ") || "(see README)"}`,
        });
      }
      continue;
    }
    issues.push({ key: keyOf(issue.path), value: valueAt(input, issue.path), problem: issue.message });
  }
  return issues;
}

/** Contradictions between keys that no single-key schema can see. */
export function crossKeyIssues(c: StackConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (key: string, value: unknown, problem: string) => issues.push({ key, value, problem });
  const r = c.replication;
  const azCount =
    typeof c.network.availabilityZones === "number" ? c.network.availabilityZones : c.network.availabilityZones.length;

  c.tenants.forEach((t, i) => {
    if (t.id === LOKI_CANARY_TENANT)
      add(
        `tenants[${i}].id`,
        t.id,
        `is reserved for the Loki canary's own tenant: the tenant would share the canary's gateway credential and receive its synthetic streams; choose another id`,
      );
  });
  const types = c.cluster.nodeGroups.instanceTypes;
  const arm = types.filter(isArmInstanceType);
  if (arm.length > 0 && arm.length < types.length)
    add(
      "cluster.nodeGroups.instanceTypes",
      types,
      `mixes arm64 (${arm.join(", ")}) and x86_64 (${types.filter((t) => !arm.includes(t)).join(", ")}) types: a node group runs one AMI, ` +
        `so every instance type must share an architecture (EKS user guide, "AMI types"); list only Graviton or only x86_64 types`,
    );
  if (r.zones > azCount) {
    add(
      "replication.zones",
      r.zones,
      `must be <= the number of availability zones (network.availabilityZones gives ${azCount})`,
    );
  }
  // K5: INVALID_REPLICATION_FACTOR when the topic RF exceeds the brokers (Kafka topic creation).
  if (r.kafkaReplicationFactor > r.kafkaBrokers) {
    add(
      "replication.kafkaReplicationFactor",
      r.kafkaReplicationFactor,
      `must be <= replication.kafkaBrokers (${r.kafkaBrokers}): Kafka rejects the topic with INVALID_REPLICATION_FACTOR`,
    );
  }
  // K7: with acks=all every write fails NOT_ENOUGH_REPLICAS when min ISR > RF.
  if (r.kafkaMinInsyncReplicas > r.kafkaReplicationFactor) {
    add(
      "replication.kafkaMinInsyncReplicas",
      r.kafkaMinInsyncReplicas,
      `must be <= replication.kafkaReplicationFactor (${r.kafkaReplicationFactor}): every Mimir write would fail with NOT_ENOUGH_REPLICAS`,
    );
  }
  // M7/M8 need no check here: store-gateways are zone-aware only with 3 zones (settings/derive/zones.ts), where the
  // schema's RF <= 3 holds, and without zone awareness sizing gives them at least RF replicas.
  if (c.profile === "prod" && r.zones === 1) {
    add(
      "replication.zones",
      r.zones,
      "prod needs 2 or 3 zones: with one zone a single zone outage loses ingestion (Mimir recommends 2 ingester zones with ingest storage)",
    );
  }

  const durationKeys = ["prometheusLocal", "metrics", "logs", "kafka"] as const;
  const ms: Partial<Record<(typeof durationKeys)[number], number>> = {};
  for (const key of durationKeys) {
    const value = parseDuration(c.retention[key]);
    if (value <= 0) add(`retention.${key}`, c.retention[key], "must be longer than zero");
    ms[key] = value;
  }
  // R1: the long-term store holding less than the short-term one is a contradiction.
  if (ms.metrics! < ms.prometheusLocal!) {
    add(
      "retention.metrics",
      c.retention.metrics,
      `must be >= retention.prometheusLocal (${c.retention.prometheusLocal}): Mimir would keep less history than Prometheus`,
    );
  }
  if (ms.prometheusLocal! < hours(2)) {
    add(
      "retention.prometheusLocal",
      c.retention.prometheusLocal,
      "must be >= 2h, Prometheus' head block span (Prometheus storage docs)",
    );
  }
  // K9: Kafka must retain at least the ingesters' replay window (blocks_storage.tsdb.retention_period).
  if (ms.kafka! < hours(upstream.mimir.tsdbRetentionHours)) {
    add(
      "retention.kafka",
      c.retention.kafka,
      `must be >= ${upstream.mimir.tsdbRetentionHours}h, Mimir's TSDB retention: a restarting ingester replays that window from Kafka`,
    );
  }
  // Loki: retention_period must be a multiple of the 24h index period (Loki retention docs, rule R5).
  if (ms.logs! % hours(upstream.loki.indexPeriodHours) !== 0) {
    add("retention.logs", c.retention.logs, "must be a whole number of days: Loki deletes by 24h index table");
  }
  // Mimir's compactor retention below its own query-ingesters window would hide recent data; 1d is a sane floor.
  if (ms.metrics! < hours(24)) {
    add("retention.metrics", c.retention.metrics, "must be >= 1d: Mimir's compactor works in 24h blocks");
  }

  for (const [i, tenant] of c.tenants.entries()) {
    for (const k of ["metricsRetention", "logsRetention"] as const) {
      const value = tenant.limits?.[k];
      if (value === undefined) continue;
      const v = parseDuration(value);
      if (k === "metricsRetention" && v < ms.prometheusLocal!) {
        add(
          `tenants[${i}].limits.metricsRetention`,
          value,
          `must be >= retention.prometheusLocal (${c.retention.prometheusLocal})`,
        );
      }
      if (k === "logsRetention" && v % hours(24) !== 0) {
        add(
          `tenants[${i}].limits.logsRetention`,
          value,
          "must be a whole number of days (Loki deletes by 24h index table)",
        );
      }
    }
  }
  const ids = c.tenants.map((t) => t.id);
  for (const [i, id] of ids.entries()) {
    if (ids.indexOf(id) !== i) add(`tenants[${i}].id`, id, "duplicate tenant id");
  }

  const ng = c.cluster.nodeGroups;
  if (ng.minSize > ng.maxSize)
    add("cluster.nodeGroups.minSize", ng.minSize, `must be <= cluster.nodeGroups.maxSize (${ng.maxSize})`);
  // The Cluster Autoscaler is itself a pod (components/cluster, cluster-autoscaler chart): with no node it never runs,
  // so it never scales a group up from zero (kubernetes/autoscaler cluster-autoscaler FAQ: scaling from zero needs a
  // running autoscaler); CoreDNS and every stack pod stay Pending.
  if (ng.desiredSize < 1)
    add(
      "cluster.nodeGroups.desiredSize",
      ng.desiredSize,
      "must be >= 1: with no node the Cluster Autoscaler (a pod itself) never runs, so no group ever scales up and every pod stays Pending",
    );
  else if (ng.desiredSize < ng.minSize || ng.desiredSize > ng.maxSize) {
    add(
      "cluster.nodeGroups.desiredSize",
      ng.desiredSize,
      `must be between minSize (${ng.minSize}) and maxSize (${ng.maxSize})`,
    );
  }

  const net = c.network;
  if (net.existingVpcId !== undefined || net.existingPrivateSubnetIds !== undefined) {
    if (net.existingVpcId === undefined)
      add("network.existingVpcId", undefined, "is required with network.existingPrivateSubnetIds");
    if (net.existingPrivateSubnetIds === undefined)
      add(
        "network.existingPrivateSubnetIds",
        undefined,
        "is required with network.existingVpcId: one private subnet per availability zone",
      );
    if (!Array.isArray(net.availabilityZones)) {
      add(
        "network.availabilityZones",
        net.availabilityZones,
        "must list the zone of each subnet in network.existingPrivateSubnetIds, in the same order",
      );
    } else if (net.existingPrivateSubnetIds && net.existingPrivateSubnetIds.length !== net.availabilityZones.length) {
      add(
        "network.existingPrivateSubnetIds",
        net.existingPrivateSubnetIds,
        `must have one subnet per availability zone (${net.availabilityZones.length})`,
      );
    }
  }
  if (Array.isArray(net.availabilityZones) && new Set(net.availabilityZones).size !== net.availabilityZones.length) {
    add("network.availabilityZones", net.availabilityZones, "zones must be distinct");
  }
  // Judged by the addresses the blocks open together, not by their spelling: 0.0.0.0/1 + 128.0.0.0/1 is 0.0.0.0/0.
  const opened = ipv4Coverage(c.cluster.endpointPublicAccessCidrs);
  if (c.profile !== "dev" && opened.share > c.cluster.endpointPublicAccessMaxShare) {
    add(
      "cluster.endpointPublicAccessCidrs",
      c.cluster.endpointPublicAccessCidrs,
      `together open ${describeCoverage(opened.addresses)} to the EKS API in ${c.profile}; at most ` +
        `${describeCoverage(Math.floor(c.cluster.endpointPublicAccessMaxShare * IPV4_ADDRESSES))} is allowed outside dev ` +
        `(cluster.endpointPublicAccessMaxShare): list your CI runners' and VPN egress CIDRs, or leave it empty for a private endpoint`,
    );
  }
  const adminAndViewer = c.cluster.viewerRoleArns.filter((arn) => c.cluster.adminRoleArns.includes(arn));
  if (adminAndViewer.length > 0) {
    add(
      "cluster.viewerRoleArns",
      c.cluster.viewerRoleArns,
      `must not repeat cluster.adminRoleArns (${adminAndViewer.join(", ")}): EKS allows one access entry per principal`,
    );
  }
  if (net.existingVpcId === undefined) {
    const problem = thrownBy(() => planSubnetCidrs(net.vpcCidr, azCount));
    // The layout's messages start with the key and value this line already names.
    if (problem) add("network.vpcCidr", net.vpcCidr, problem.replace(/^(vpcCidr|availabilityZones) ("[^"]*" )?/, ""));
  }
  if (!c.cluster.privateEndpoint && c.cluster.endpointPublicAccessCidrs.length === 0) {
    add(
      "cluster.privateEndpoint",
      false,
      "the cluster would have no API endpoint: enable privateEndpoint or list endpointPublicAccessCidrs",
    );
  }
  return issues;
}

function thrownBy(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * The workload sized into pods: more than one Kubernetes cluster can run is a configuration error, before any model
 * or policy has to count them (KUBERNETES_CLUSTER_LIMITS.maxPods).
 */
export function scaleIssues(c: StackConfig): ConfigIssue[] {
  const mimir = Object.values(deriveMimirSizing(c)).reduce((sum, size) => sum + size.replicas, 0);
  const loki = Object.values(deriveLoki(c).sizes).reduce((sum, size) => sum + (size?.replicas ?? 0), 0);
  const pods = mimir + loki;
  if (pods <= KUBERNETES_CLUSTER_LIMITS.maxPods) return volumeIssues(c);
  return [
    {
      key: "workload",
      value: c.workload,
      problem:
        `sizes Mimir and Loki to ${pods.toExponential(2)} pods; one Kubernetes cluster runs at most ` +
        `${KUBERNETES_CLUSTER_LIMITS.maxPods.toLocaleString("en-US")} (Kubernetes docs, "Considerations for large clusters"): ` +
        "split the workload across stacks or check the figures' units (activeSeries, samplesPerSecond, logsGBPerDay, queriesPerSecond)",
    },
  ];
}

/**
 * Volumes the config sizes beyond the largest gp3 volume (EBS_GP3_MAX_GIB): the claim is never bound and the pod
 * stays Pending. Named by the key that sizes each volume.
 */
function volumeIssues(c: StackConfig): ConfigIssue[] {
  const r = c.replication;
  const volumes: Array<{ key: string; value: unknown; what: string; gib: number }> = [
    {
      key: "retention.kafka",
      value: c.retention.kafka,
      what: "each Kafka broker's volume",
      gib: brokerStorageGiB(
        c.workload.samplesPerSecond,
        parseDuration(c.retention.kafka),
        r.kafkaReplicationFactor,
        r.kafkaBrokers,
      ),
    },
    {
      key: "retention.prometheusLocal",
      value: c.retention.prometheusLocal,
      what: "Prometheus' volume",
      gib: prometheusVolumeGiB(c.workload.samplesPerSecond, parseDuration(c.retention.prometheusLocal)),
    },
    ...Object.entries(deriveMimirSizing(c)).map(([name, size]) => ({
      key: "workload",
      value: c.workload,
      what: `each Mimir ${name}'s volume`,
      gib: size.diskGiB ?? 0,
    })),
    ...Object.entries(deriveLoki(c).sizes).map(([name, size]) => ({
      key: "workload",
      value: c.workload,
      what: `each Loki ${name}'s volume`,
      gib: size?.diskGiB ?? 0,
    })),
  ];
  return volumes
    .filter((v) => v.gib > EBS_GP3_MAX_GIB)
    .map((v) => ({
      key: v.key,
      value: v.value,
      problem:
        `sizes ${v.what} to ${v.gib.toLocaleString("en-US")} GiB; a gp3 EBS volume holds at most ${EBS_GP3_MAX_GIB.toLocaleString("en-US")} GiB ` +
        `(Amazon EBS volume types), so the claim is never bound and the pod stays Pending: shorten the retention or split the workload`,
    }));
}

/** The keys the schema allows at a path (objects by key, arrays by element, optional and defaulted values unwrapped). */
export function schemaKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.ZodType | undefined = schema;
  const unwrap = (t: z.ZodType): z.ZodType => {
    let current = t;
    while (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodNullable)
      current = current.unwrap() as z.ZodType;
    return current;
  };
  for (const segment of path) {
    if (!node) return [];
    const current = unwrap(node);
    if (current instanceof z.ZodObject) node = (current.shape as Record<string, z.ZodType>)[String(segment)];
    else if (current instanceof z.ZodArray) node = current.element as z.ZodType;
    else return [];
  }
  const last = node ? unwrap(node) : undefined;
  return last instanceof z.ZodObject ? Object.keys(last.shape) : [];
}

/** The allowed key within two edits of `key` (a typo), if exactly one is that close. */
export function closest(key: string, allowed: readonly string[]): string | undefined {
  const near = allowed.filter((candidate) => distance(key.toLowerCase(), candidate.toLowerCase()) <= 2);
  return near.length === 1 ? near[0] : undefined;
}
