import * as pulumi from "@pulumi/pulumi";
import type { ComponentSize, Settings } from "../../settings";
import { gibibytes } from "../../settings/derive/quantities";
import { HOSTNAME_SPREAD, IRSA_ROLE_ANNOTATION, podResources, zoneSpread } from "../shared/pods";
import * as upstream from "../../settings/upstream";
import type { Values } from "../shared/values";
import { gatewayAuthValues, LokiGatewayAuthRef } from "./gateway-auth";
import { ZONE_LABEL } from "../shared/labels";

/**
 * Names and ARNs may still be Outputs: they are only placed, never computed with, so the rest of the values stay
 * known while they are not (a preview, where the policy pack reads the values).
 */
export interface LokiInputs {
  /** Bucket names (loki.storage.bucketNames; the chart requires chunks and ruler, templates/_helpers.tpl). */
  buckets: { chunks: pulumi.Input<string>; ruler: pulumi.Input<string> };
  region: pulumi.Input<string>;
  /** IAM role Loki's service account assumes through IRSA. */
  roleArn: pulumi.Input<string>;
  storageClassName: string;
  /** The stack's AWS availability zones, in order: zone-aware ingester zones a, b and c are pinned to the first three. */
  availabilityZones: string[];
  /** The gateway's basic-auth user and the Secrets holding its htpasswd and credentials (never the password). */
  gatewayAuth: LokiGatewayAuthRef;
}

/**
 * The first day of the one schema the stack has used. It must never move: Loki reads data written before a period's
 * `from` with the previous entry (Loki docs, operations/storage/schema). The date is the chart's own example.
 */
export const SCHEMA_FROM = "2024-04-01";

/** The pods that hold a stream's replicas: the single binaries in Monolithic mode, the ingesters in Distributed mode. */
export function streamHolders(settings: Settings): number {
  return settings.loki.deploymentMode === "Monolithic"
    ? (settings.loki.sizes.singleBinary?.replicas ?? 0)
    : (settings.loki.sizes.ingester?.replicas ?? 0);
}

/** L1: pushes fail with "at least N live replicas required" when RF exceeds the pods holding replicas (grafana/loki#8899). */
export function assertReplicationFits(settings: Settings): void {
  const holders = streamHolders(settings);
  if (settings.loki.replicationFactor > holders) {
    const who =
      settings.loki.deploymentMode === "Monolithic"
        ? "settings.loki.sizes.singleBinary.replicas"
        : "settings.loki.sizes.ingester.replicas";
    throw new pulumi.RunError(
      `settings.loki.replicationFactor = ${settings.loki.replicationFactor} must be <= ${who} (${holders}): ` +
        `Loki rejects every push with "at least ${Math.floor(settings.loki.replicationFactor / 2) + 1} live replicas required"`,
    );
  }
}

function requireSize(settings: Settings, key: keyof Settings["loki"]["sizes"]): ComponentSize {
  const size = settings.loki.sizes[key];
  if (!size) {
    throw new pulumi.RunError(
      `settings.loki.sizes.${key} is missing; deploymentMode ${settings.loki.deploymentMode} needs it`,
    );
  }
  return size;
}

function diskOf(size: ComponentSize, key: string): number {
  if (!size.diskGiB)
    throw new pulumi.RunError(`settings.loki.sizes.${key}.diskGiB is missing; ${key} keeps data on a volume`);
  return size.diskGiB;
}

/** A StatefulSet data claim in the chart's `persistence.claims` shape (lists replace chart defaults, so it is complete). */
function dataClaim(sizeGiB: number, storageClass: string): Values {
  return { name: "data", accessModes: ["ReadWriteOnce"], size: gibibytes(sizeGiB), storageClass };
}

const SIMPLE_SCALABLE_OFF = { backend: { replicas: 0 }, read: { replicas: 0 }, write: { replicas: 0 } };

function monolithicWorkloads(settings: Settings, storageClass: string): Values {
  const single = requireSize(settings, "singleBinary");
  const off = { replicas: 0 };
  return {
    singleBinary: {
      replicas: single.replicas,
      resources: podResources(single),
      persistence: { enabled: true, size: gibibytes(diskOf(single, "singleBinary")), storageClass },
    },
    ingester: off,
    distributor: off,
    querier: off,
    queryFrontend: off,
    queryScheduler: off,
    indexGateway: off,
    compactor: off,
  };
}

/**
 * The chart's three ingester zones, each pinned to one AWS zone (loki values.yaml
 * ingester.zoneAwareReplication.zoneA/B/C.nodeSelector, null by default: the zone StatefulSets then carry only
 * hostname anti-affinity, so two "zones" can share an AWS zone and its loss takes two of three replicas).
 */
function ingesterZones(settings: Settings, availabilityZones: string[]): Values {
  if (!settings.loki.ingesterZoneAware) return { enabled: false };
  if (availabilityZones.length < 3) {
    throw new Error(
      `Loki's zone-aware ingesters need three availability zones to pin zones a, b and c to; got ${availabilityZones.join(", ") || "none"}`,
    );
  }
  const pinned = (az: string) => ({ nodeSelector: { [ZONE_LABEL]: az } });
  return {
    enabled: true,
    zoneA: pinned(availabilityZones[0]),
    zoneB: pinned(availabilityZones[1]),
    zoneC: pinned(availabilityZones[2]),
  };
}

/** The chart's pod labels of a component (templates/_pod.tpl; the same tpl strings as its querier default). */
function componentSelector(target: string): Values {
  return {
    matchLabels: {
      "app.kubernetes.io/component": target,
      "app.kubernetes.io/name": '{{ include "loki.name" . }}',
      "app.kubernetes.io/instance": "{{ .Release.Name }}",
    },
  };
}

/**
 * Read and write path replicas spread over the AWS zones where the stack spans several (shared/pods.ts zoneSpread;
 * the chart injects no selector, so each names its own), with a PodDisruptionBudget: the chart enables the budget
 * but renders it only with maxUnavailable or minAvailable set (templates/_pdb.tpl), which are null by default.
 */
export function availabilityValues(settings: Settings, target: string): Values {
  if (!settings.spreadOverZones) return {};
  return {
    topologySpreadConstraints: [
      { ...HOSTNAME_SPREAD, labelSelector: componentSelector(target) },
      zoneSpread(componentSelector(target)),
    ],
    podDisruptionBudget: { maxUnavailable: 1 },
  };
}

function distributedWorkloads(settings: Settings, storageClass: string, availabilityZones: string[]): Values {
  const TARGETS = {
    distributor: "distributor",
    querier: "querier",
    queryFrontend: "query-frontend",
    queryScheduler: "query-scheduler",
  };
  const stateless = (key: "distributor" | "querier" | "queryFrontend" | "queryScheduler") => {
    const size = requireSize(settings, key);
    return { replicas: size.replicas, resources: podResources(size), ...availabilityValues(settings, TARGETS[key]) };
  };
  const ingester = requireSize(settings, "ingester");
  const indexGateway = requireSize(settings, "indexGateway");
  const compactor = requireSize(settings, "compactor");
  return {
    singleBinary: { replicas: 0 },
    distributor: stateless("distributor"),
    querier: stateless("querier"),
    queryFrontend: stateless("queryFrontend"),
    queryScheduler: stateless("queryScheduler"),
    ingester: {
      // A multiple of three when zone-aware (settings/derive/loki.ts), so the chart runs exactly this many.
      replicas: ingester.replicas,
      resources: podResources(ingester),
      // The chart keeps the WAL on an emptyDir unless persistence is on (values.yaml ingester.persistence.enabled: false).
      persistence: { enabled: true, claims: [dataClaim(diskOf(ingester, "ingester"), storageClass)] },
      zoneAwareReplication: ingesterZones(settings, availabilityZones),
    },
    indexGateway: {
      ...availabilityValues(settings, "index-gateway"),
      replicas: indexGateway.replicas,
      resources: podResources(indexGateway),
      persistence: { enabled: true, size: gibibytes(diskOf(indexGateway, "indexGateway")), storageClass },
    },
    compactor: {
      replicas: compactor.replicas,
      resources: podResources(compactor),
      persistence: { enabled: true, claims: [dataClaim(diskOf(compactor, "compactor"), storageClass)] },
    },
  };
}

/**
 * The chart runs memcached for chunks (8192 MB by default, a ~9.6 GiB pod) and query results. Monolithic (dev) turns
 * both off: a single binary caches in process and the default would not fit a dev node. The size is a setting
 * (settings.loki.chunksCacheMB).
 */
export function memcachedValues(settings: Settings): Values {
  if (settings.loki.deploymentMode === "Monolithic")
    return { chunksCache: { enabled: false }, resultsCache: { enabled: false } };
  if (settings.loki.chunksCacheMB === undefined) {
    throw new pulumi.RunError(
      `settings.loki.chunksCacheMB is missing; deploymentMode ${settings.loki.deploymentMode} runs a chunks cache`,
    );
  }
  return {
    chunksCache: { enabled: true, allocatedMemory: settings.loki.chunksCacheMB },
    resultsCache: { enabled: true },
  };
}

/** Per-tenant limits for the runtime config (Loki docs, "runtime configuration": `overrides: {<tenant>: {...}}`). */
export function tenantOverrides(settings: Settings): Values {
  const overrides: Values = {};
  for (const [tenant, limits] of Object.entries(settings.loki.tenantOverrides)) overrides[tenant] = { ...limits };
  return overrides;
}

/** Values for the grafana-community loki chart 18.x (paths from its values.yaml). Pure: settings and names in, values out. */
export function buildLokiValues(settings: Settings, inputs: LokiInputs): Values {
  assertReplicationFits(settings);
  const loki = settings.loki;
  const retention = settings.retention.loki;
  const gateway = loki.sizes.gateway;
  const auth = gatewayAuthValues(inputs.gatewayAuth);
  return {
    deploymentMode: loki.deploymentMode,
    loki: {
      // Tenants are told apart by X-Scope-OrgID (values.yaml loki.auth_enabled).
      auth_enabled: true,
      // The chart defaults RF to 3 even with one single binary (charts.md); L1 is checked above.
      commonConfig: { replication_factor: loki.replicationFactor },
      schemaConfig: {
        configs: [
          {
            from: SCHEMA_FROM,
            store: "tsdb",
            object_store: "s3",
            schema: "v13",
            // R5: the TSDB index must use 24h periods (Loki schema_config docs).
            index: { prefix: "index_", period: `${upstream.loki.indexPeriodHours}h` },
          },
        ],
      },
      storage: {
        type: "s3",
        bucketNames: { chunks: inputs.buckets.chunks, ruler: inputs.buckets.ruler },
        // No keys or endpoint: the AWS SDK finds the web identity token IRSA mounts and the regional endpoint.
        s3: { region: inputs.region },
      },
      // Each pushed line goes to an ingester in every zone, two of three in other zones (billed cross-AZ traffic):
      // compress the distributor-to-ingester gRPC (Loki 3.7 configuration reference, ingester_client.grpc_client_config
      // grpc_compression: '' by default, 'gzip' or 'snappy'; snappy for its low CPU cost).
      ingester_client: { grpc_client_config: { grpc_compression: "snappy" } },
      // L9: Loki's 4GB default replay ceiling (pkg/ingester/wal.go) can exceed the ingester's memory limit, so a replay
      // after a crash would be OOM-killed before it flushes; the settings put it at ~75% of that limit (flagext.ByteSize:
      // MB = 2^20 bytes). The chart's own loki.ingester.wal.flush_on_shutdown stays (Helm merges maps).
      ingester: { wal: { replay_memory_ceiling: `${loki.walReplayMemoryCeilingMB}MB` } },
      limits_config: {
        retention_period: retention.retentionPeriod,
        ingestion_rate_mb: loki.ingestionRateMB,
        ingestion_burst_size_mb: loki.ingestionBurstSizeMB,
        reject_old_samples: true,
        reject_old_samples_max_age: retention.rejectOldSamplesMaxAge,
      },
      compactor: {
        // R4: without retention_enabled, retention_period is ignored; with it, Loki 3 refuses to start unless
        // delete_request_store names an object store (Loki docs operations/storage/retention.md).
        retention_enabled: true,
        delete_request_store: "s3",
        retention_delete_delay: retention.retentionDeleteDelay,
      },
      runtimeConfig: { overrides: tenantOverrides(settings) },
    },
    serviceAccount: {
      create: true,
      name: settings.serviceAccounts.loki,
      annotations: { [IRSA_ROLE_ANNOTATION]: inputs.roleArn },
    },
    ...SIMPLE_SCALABLE_OFF,
    ...(loki.deploymentMode === "Monolithic"
      ? monolithicWorkloads(settings, inputs.storageClassName)
      : distributedWorkloads(settings, inputs.storageClassName, inputs.availabilityZones)),
    ...memcachedValues(settings),
    gateway: {
      replicas: gateway.replicas,
      resources: podResources(gateway),
      ...availabilityValues(settings, "gateway"),
      ...auth.gateway,
    },
    lokiCanary: auth.lokiCanary,
    // Deprecated and for testing only; the chart fails unless ignoreMinioDeprecation is set (templates/validate.yaml).
    minio: { enabled: false },
    monitoring: { serviceMonitor: { enabled: true } },
  };
}
