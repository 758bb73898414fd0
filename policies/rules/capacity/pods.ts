// The pods a stack's releases and custom resources will create, with their requests, volumes and placement.
import {
  LOKI_CHART_DEFAULTS,
  LOKI_INGESTER_ZONES,
  lokiIngestersPerZone,
  LokiRelease,
  lokiReleases,
} from "../../lib/loki";
import { MIMIR_CHART_DEFAULTS, MimirRelease, mimirReleases, replicasPerZone } from "../../lib/mimir";
import { PropNode } from "../../lib/node";
import { HelmRelease, StackView } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { known } from "../../lib/unknown";
import { ADDON_WORKLOADS } from "./figures";
import { allowedZones, booleanAt, numberAt, quantityBytes, requestsAt } from "./values";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Where pods of a group may run: every node (DaemonSet), or nodes of some zones (undefined: any zone). */
export type Placement = { kind: "daemonset" } | { kind: "zones"; zones?: string[] };

/** Identical pods of one workload (one Deployment, StatefulSet, zone's StatefulSet, node pool or DaemonSet). */
export interface PodGroup {
  /** e.g. `mimir-distributed release "mimir"` */
  owner: string;
  ownerUrn: string;
  /** e.g. "ingester (zone-a)" */
  component: string;
  /** Pods; for a DaemonSet, pods per node. */
  replicas: number;
  cpuMillis: number;
  memoryBytes: number;
  /** Persistent volume claims per pod, in bytes (EBS gp3 through the StorageClass). */
  volumeBytes: number;
  placement: Placement;
  /** Where the requests come from (values path or the chart default that applies). */
  requestsFrom: string;
  /** Mimir/Loki role the tiers are computed from, and the ring zone for zone-aware rings. */
  role?:
    | "mimir-distributor"
    | "mimir-ingester"
    | "mimir-querier"
    | "mimir-store-gateway"
    | "mimir-query-frontend"
    | "loki-ingester";
  ringZone?: string;
}

interface ComponentDefaults {
  replicas: number;
  cpuMillis: number;
  memoryBytes: number;
  enabled: boolean;
  /** Default PVC size when persistentVolume.enabled (absent: the component has no volume). */
  volumeBytes?: number;
  zoneAware?: boolean;
  role?: PodGroup["role"];
  /** Where the defaults are read. */
  source: string;
}

// mimir-distributed 6.0.x defaults. "excerpt": data/mimir-distributed-6.0.x.values-excerpts.yaml; "values": the chart's
// values.yaml at grafana/mimir commit 063371ec (the commit the excerpt was taken from); "assumed": not in either
// read, modelled like its sibling components (the program sets every one of these explicitly).
const MIMIR_COMPONENTS: Readonly<Record<string, ComponentDefaults>> = {
  distributor: {
    replicas: MIMIR_CHART_DEFAULTS.distributorReplicas,
    cpuMillis: 100,
    memoryBytes: 512 * MiB,
    enabled: true,
    role: "mimir-distributor",
    source: "excerpt distributor",
  },
  ingester: {
    replicas: MIMIR_CHART_DEFAULTS.ingesterReplicas,
    cpuMillis: 100,
    memoryBytes: 512 * MiB,
    enabled: true,
    volumeBytes: 2 * GiB,
    zoneAware: MIMIR_CHART_DEFAULTS.ingesterZoneAware,
    role: "mimir-ingester",
    source: "excerpt ingester",
  },
  store_gateway: {
    replicas: MIMIR_CHART_DEFAULTS.storeGatewayReplicas,
    cpuMillis: 100,
    memoryBytes: 512 * MiB,
    enabled: true,
    volumeBytes: 2 * GiB,
    zoneAware: MIMIR_CHART_DEFAULTS.storeGatewayZoneAware,
    role: "mimir-store-gateway",
    source: "excerpt store_gateway (resources assumed)",
  },
  querier: {
    replicas: 2,
    cpuMillis: 100,
    memoryBytes: 128 * MiB,
    enabled: true,
    role: "mimir-querier",
    source: "values querier",
  },
  query_frontend: {
    replicas: 1,
    cpuMillis: 100,
    memoryBytes: 128 * MiB,
    enabled: true,
    role: "mimir-query-frontend",
    source: "values query_frontend",
  },
  query_scheduler: {
    replicas: 2,
    cpuMillis: 100,
    memoryBytes: 128 * MiB,
    enabled: true,
    source: "assumed like values ruler_query_scheduler",
  },
  compactor: {
    replicas: 1,
    cpuMillis: 100,
    memoryBytes: 512 * MiB,
    enabled: true,
    volumeBytes: 2 * GiB,
    source: "values compactor",
  },
  ruler: { replicas: 1, cpuMillis: 100, memoryBytes: 128 * MiB, enabled: true, source: "assumed like values querier" },
  // charts.md: alertmanager.zoneAwareReplication.enabled defaults to false.
  alertmanager: {
    replicas: 1,
    cpuMillis: 10,
    memoryBytes: 32 * MiB,
    enabled: true,
    volumeBytes: 1 * GiB,
    zoneAware: false,
    source: "assumed",
  },
  overrides_exporter: {
    replicas: 1,
    cpuMillis: 100,
    memoryBytes: 128 * MiB,
    enabled: true,
    source: "assumed like values querier",
  },
  gateway: { replicas: 1, cpuMillis: 0, memoryBytes: 0, enabled: true, source: "values gateway.resources {}" },
};
/** The rollout-operator subchart (grafana/helm-charts charts/rollout-operator values.yaml: requests 100m / 100Mi). */
const ROLLOUT_OPERATOR = { cpuMillis: 100, memoryBytes: 100 * MiB };
/** The demo Kafka and MinIO the chart enables by default (values at 063371ec: kafka 1 / 1Gi with 5Gi, minio 100m / 128Mi with 5Gi). */
const MIMIR_DEMO = {
  kafka: { enabled: MIMIR_CHART_DEFAULTS.kafkaEnabled, cpuMillis: 1000, memoryBytes: 1 * GiB, volumeBytes: 5 * GiB },
  minio: { enabled: MIMIR_CHART_DEFAULTS.minioEnabled, cpuMillis: 100, memoryBytes: 128 * MiB, volumeBytes: 5 * GiB },
};
/** Mimir memcached caches: disabled by default; allocatedMemory (MB) defaults; a pod requests floor(1.2 x allocatedMemory) (values comments). */
const MIMIR_CACHES: Readonly<Record<string, number>> = {
  "chunks-cache": 8192,
  "index-cache": 2048,
  "metadata-cache": 512,
  "results-cache": 512,
};
/** memcachedExporter sidecar requests 50m / 50Mi (values memcachedExporter.resources). */
const MIMIR_MEMCACHED_EXPORTER = { cpuMillis: 50, memoryBytes: 50 * MiB };

function mimirPods(mimir: MimirRelease): PodGroup[] {
  const release = mimir.release;
  const values = release.values;
  const groups: PodGroup[] = [];
  const base = { owner: release.label, ownerUrn: release.resource.urn };
  for (const [key, defaults] of Object.entries(MIMIR_COMPONENTS)) {
    const section = values.get(key);
    if (!booleanAt(section.get("enabled"), defaults.enabled)) continue;
    const replicas = numberAt(section.get("replicas"), defaults.replicas);
    const requests = requestsAt(section.get("resources"), {
      cpuMillis: defaults.cpuMillis,
      memoryBytes: defaults.memoryBytes,
      from: `${release.label} chart default ${key}.resources (${defaults.source})`,
    });
    const volumeBytes =
      defaults.volumeBytes !== undefined && booleanAt(section.at("persistentVolume.enabled"), true)
        ? (quantityBytes(section.at("persistentVolume.size")) ?? defaults.volumeBytes)
        : 0;
    const common = {
      ...base,
      cpuMillis: requests.cpuMillis,
      memoryBytes: requests.memoryBytes,
      volumeBytes,
      requestsFrom: requests.from,
      role: defaults.role,
    };
    const zoneAware =
      defaults.zoneAware !== undefined && booleanAt(section.at("zoneAwareReplication.enabled"), defaults.zoneAware);
    if (zoneAware) {
      const zoneNodes = known(section.at("zoneAwareReplication.zones").items());
      const zones = zoneNodes
        ? zoneNodes.map((z) => ({
            name: known(z.get("name").string()) ?? "zone",
            pinned: allowedZones(z.get("nodeSelector"), z.get("affinity")),
          }))
        : MIMIR_CHART_DEFAULTS.zones.map((name) => ({ name, pinned: undefined }));
      const perZone = replicasPerZone(replicas, zones.length);
      for (const zone of zones) {
        groups.push({
          ...common,
          component: `${key} (${zone.name})`,
          replicas: perZone,
          placement: { kind: "zones", zones: zone.pinned },
          ringZone: zone.name,
        });
      }
    } else if (replicas > 0) {
      groups.push({
        ...common,
        component: key,
        replicas,
        placement: { kind: "zones", zones: allowedZones(section.get("nodeSelector"), section.get("affinity")) },
      });
    }
  }
  if (booleanAt(values.at("rollout_operator.enabled"), true)) {
    groups.push({
      ...base,
      component: "rollout-operator",
      replicas: 1,
      ...ROLLOUT_OPERATOR,
      volumeBytes: 0,
      placement: { kind: "zones" },
      requestsFrom: "rollout-operator chart default resources",
    });
  }
  for (const [cache, allocatedMB] of Object.entries(MIMIR_CACHES)) {
    const section = values.get(cache);
    if (!booleanAt(section.get("enabled"), false)) continue;
    const memoryMB = Math.floor(1.2 * numberAt(section.get("allocatedMemory"), allocatedMB));
    const requests = requestsAt(section.get("resources"), {
      cpuMillis: 0,
      memoryBytes: memoryMB * MiB,
      from: `${release.label} ${cache} floor(1.2 x allocatedMemory)`,
    });
    groups.push({
      ...base,
      component: cache,
      replicas: numberAt(section.get("replicas"), 1),
      cpuMillis: requests.cpuMillis + MIMIR_MEMCACHED_EXPORTER.cpuMillis,
      memoryBytes: requests.memoryBytes + MIMIR_MEMCACHED_EXPORTER.memoryBytes,
      volumeBytes: 0,
      placement: { kind: "zones" },
      requestsFrom: `${requests.from} + memcached-exporter`,
    });
  }
  for (const [key, { enabled, ...demo }] of Object.entries(MIMIR_DEMO)) {
    if (!booleanAt(values.at(`${key}.enabled`), enabled)) continue;
    groups.push({
      ...base,
      component: `${key} (chart demo)`,
      replicas: 1,
      ...demo,
      placement: { kind: "zones" },
      requestsFrom: `${release.label} chart default ${key}.resources`,
    });
  }
  return groups;
}

// loki 18.11.0 defaults (data/loki-18.11.0.values.yaml): every component's resources are {} (no requests); replicas 0
// except where listed; lokiCanary is a DaemonSet; chunksCache (8192 MB) and resultsCache (1024 MB) memcached are on.
const LOKI_DISTRIBUTED: ReadonlyArray<{ key: string; volume?: boolean; role?: PodGroup["role"] }> = [
  { key: "distributor" },
  { key: "querier" },
  { key: "queryFrontend" },
  { key: "queryScheduler" },
  { key: "indexGateway", volume: true },
  { key: "compactor", volume: true },
  { key: "ruler", volume: true },
];
/** The chart's memcached StatefulSets request cpu 500m and round(1.2 x allocatedMemory) MB when resources is unset (templates/memcached). */
const LOKI_CACHES: Readonly<Record<string, number>> = { chunksCache: 8192, resultsCache: 1024 };

function persistenceBytes(section: PropNode, enabledByDefault: boolean, defaultBytes: number): number {
  if (!booleanAt(section.at("persistence.enabled"), enabledByDefault)) return 0;
  const claims = known(section.at("persistence.claims").items());
  if (claims) return claims.reduce((sum, claim) => sum + (quantityBytes(claim.get("size")) ?? defaultBytes), 0);
  return quantityBytes(section.at("persistence.size")) ?? defaultBytes;
}

function lokiPods(loki: LokiRelease): PodGroup[] {
  const release = loki.release;
  const values = release.values;
  const base = { owner: release.label, ownerUrn: release.resource.urn };
  const groups: PodGroup[] = [];
  const zero = (key: string) => ({
    cpuMillis: 0,
    memoryBytes: 0,
    from: `${release.label} chart default ${key}.resources {}`,
  });
  const mode = known(loki.stringValue("deploymentMode", LOKI_CHART_DEFAULTS.deploymentMode)).value;
  const placement = (section: PropNode): Placement => ({
    kind: "zones",
    zones: allowedZones(section.get("nodeSelector"), section.get("affinity")),
  });
  if (mode.includes("Monolithic") || mode.includes("SingleBinary")) {
    const section = values.get("singleBinary");
    const requests = requestsAt(section.get("resources"), zero("singleBinary"));
    const replicas = known(loki.ringMembers()).value;
    groups.push({
      ...base,
      component: "single-binary",
      replicas,
      cpuMillis: requests.cpuMillis,
      memoryBytes: requests.memoryBytes,
      volumeBytes: persistenceBytes(section, true, 10 * GiB),
      placement: placement(section),
      requestsFrom: requests.from,
      role: "loki-ingester",
    });
  }
  if (mode.includes("Distributed")) {
    const ingester = values.get("ingester");
    const replicas = numberAt(ingester.get("replicas"), LOKI_CHART_DEFAULTS.ingesterReplicas);
    const requests = requestsAt(ingester.get("resources"), zero("ingester"));
    const common = {
      ...base,
      cpuMillis: requests.cpuMillis,
      memoryBytes: requests.memoryBytes,
      volumeBytes: persistenceBytes(ingester, false, 10 * GiB),
      requestsFrom: requests.from,
      role: "loki-ingester" as const,
    };
    if (booleanAt(ingester.at("zoneAwareReplication.enabled"), LOKI_CHART_DEFAULTS.ingesterZoneAware)) {
      for (const zone of LOKI_INGESTER_ZONES) {
        const zoneKey = `zone${zone.slice(-1).toUpperCase()}`;
        const pinned = allowedZones(
          ingester.at(`zoneAwareReplication.${zoneKey}.nodeSelector`),
          ingester.at(`zoneAwareReplication.${zoneKey}.affinity`),
        );
        groups.push({
          ...common,
          component: `ingester (${zone})`,
          replicas: lokiIngestersPerZone(replicas),
          placement: { kind: "zones", zones: pinned },
          ringZone: zone,
        });
      }
    } else if (replicas > 0) {
      groups.push({ ...common, component: "ingester", replicas, placement: placement(ingester) });
    }
    for (const { key, volume } of LOKI_DISTRIBUTED) {
      const section = values.get(key);
      const count = numberAt(section.get("replicas"), 0);
      if (count === 0) continue;
      const r = requestsAt(section.get("resources"), zero(key));
      groups.push({
        ...base,
        component: key,
        replicas: count,
        cpuMillis: r.cpuMillis,
        memoryBytes: r.memoryBytes,
        volumeBytes: volume ? persistenceBytes(section, false, 10 * GiB) : 0,
        placement: placement(section),
        requestsFrom: r.from,
      });
    }
  }
  if (mode.includes("SimpleScalable")) {
    for (const key of ["write", "read", "backend"]) {
      const section = values.get(key);
      const count = numberAt(section.get("replicas"), 3);
      if (count === 0) continue;
      const r = requestsAt(section.get("resources"), zero(key));
      groups.push({
        ...base,
        component: key,
        replicas: count,
        cpuMillis: r.cpuMillis,
        memoryBytes: r.memoryBytes,
        volumeBytes: key === "read" ? 0 : persistenceBytes(section, true, 10 * GiB),
        placement: placement(section),
        requestsFrom: r.from,
        role: key === "write" ? "loki-ingester" : undefined,
      });
    }
  }
  const gateway = values.get("gateway");
  if (booleanAt(gateway.get("enabled"), true)) {
    const r = requestsAt(gateway.get("resources"), zero("gateway"));
    groups.push({
      ...base,
      component: "gateway",
      replicas: numberAt(gateway.get("replicas"), 1),
      cpuMillis: r.cpuMillis,
      memoryBytes: r.memoryBytes,
      volumeBytes: 0,
      placement: placement(gateway),
      requestsFrom: r.from,
    });
  }
  for (const [cache, allocatedMB] of Object.entries(LOKI_CACHES)) {
    const section = values.get(cache);
    if (!booleanAt(section.get("enabled"), true)) continue;
    const memoryMB = Math.round(1.2 * numberAt(section.get("allocatedMemory"), allocatedMB));
    const r = requestsAt(section.get("resources"), {
      cpuMillis: 500,
      memoryBytes: memoryMB * MiB,
      from: `${release.label} ${cache} memcached template (500m, 1.2 x allocatedMemory)`,
    });
    groups.push({
      ...base,
      component: cache,
      replicas: numberAt(section.get("replicas"), 1),
      cpuMillis: r.cpuMillis,
      memoryBytes: r.memoryBytes,
      volumeBytes: 0,
      placement: { kind: "zones" },
      requestsFrom: r.from,
    });
  }
  const canary = values.get("lokiCanary");
  if (booleanAt(canary.get("enabled"), true)) {
    const r = requestsAt(canary.get("resources"), zero("lokiCanary"));
    groups.push({
      ...base,
      component: "loki-canary",
      replicas: 1,
      cpuMillis: r.cpuMillis,
      memoryBytes: r.memoryBytes,
      volumeBytes: 0,
      placement: { kind: "daemonset" },
      requestsFrom: r.from,
    });
  }
  return groups;
}

/**
 * kube-prometheus-stack 88.5.3 (data/kube-prometheus-stack-88.5.3.values.yaml): Prometheus replicas x shards with
 * prometheusSpec.resources and its volumeClaimTemplate; Alertmanager, Grafana, the operator and kube-state-metrics
 * one pod each with resources {}; node-exporter a DaemonSet with resources {}.
 */
function kubePrometheusStackPods(release: HelmRelease): PodGroup[] {
  const values = release.values;
  const base = {
    owner: release.label,
    ownerUrn: release.resource.urn,
    volumeBytes: 0,
    placement: { kind: "zones" } as Placement,
  };
  const groups: PodGroup[] = [];
  const spec = values.at("prometheus.prometheusSpec");
  if (booleanAt(values.at("prometheus.enabled"), true)) {
    const r = requestsAt(spec.get("resources"), {
      cpuMillis: 0,
      memoryBytes: 0,
      from: `${release.label} chart default prometheus.prometheusSpec.resources {}`,
    });
    const volume = quantityBytes(spec.at("storageSpec.volumeClaimTemplate.spec.resources.requests.storage")) ?? 0;
    const replicas = numberAt(spec.get("replicas"), 1) * numberAt(spec.get("shards"), 1);
    groups.push({
      ...base,
      component: "prometheus",
      replicas,
      cpuMillis: r.cpuMillis,
      memoryBytes: r.memoryBytes,
      volumeBytes: volume,
      placement: { kind: "zones", zones: allowedZones(spec.get("nodeSelector"), spec.get("affinity")) },
      requestsFrom: r.from,
    });
  }
  const single = (key: string, enabledPath: string, resourcesPath: string, replicasPath?: string) => {
    if (!booleanAt(values.at(enabledPath), true)) return;
    const r = requestsAt(values.at(resourcesPath), {
      cpuMillis: 0,
      memoryBytes: 0,
      from: `${release.label} chart default ${resourcesPath} {}`,
    });
    groups.push({
      ...base,
      component: key,
      replicas: replicasPath ? numberAt(values.at(replicasPath), 1) : 1,
      cpuMillis: r.cpuMillis,
      memoryBytes: r.memoryBytes,
      requestsFrom: r.from,
    });
  };
  single(
    "alertmanager",
    "alertmanager.enabled",
    "alertmanager.alertmanagerSpec.resources",
    "alertmanager.alertmanagerSpec.replicas",
  );
  single("grafana", "grafana.enabled", "grafana.resources", "grafana.replicas");
  single("prometheus-operator", "prometheusOperator.enabled", "prometheusOperator.resources");
  single("kube-state-metrics", "kubeStateMetrics.enabled", "kube-state-metrics.resources");
  if (booleanAt(values.at("nodeExporter.enabled"), true)) {
    const r = requestsAt(values.at("prometheus-node-exporter.resources"), {
      cpuMillis: 0,
      memoryBytes: 0,
      from: `${release.label} chart default prometheus-node-exporter.resources {}`,
    });
    groups.push({
      ...base,
      component: "node-exporter",
      replicas: 1,
      cpuMillis: r.cpuMillis,
      memoryBytes: r.memoryBytes,
      placement: { kind: "daemonset" },
      requestsFrom: r.from,
    });
  }
  return groups;
}

/** alloy 1.11.1: controller.type daemonset by default; alloy.resources {} and the config-reloader sidecar 10m / 50Mi (data/alloy-1.11.1.values.yaml). */
function alloyPods(release: HelmRelease): PodGroup[] {
  const values = release.values;
  const r = requestsAt(values.at("alloy.resources"), {
    cpuMillis: 0,
    memoryBytes: 0,
    from: `${release.label} chart default alloy.resources {}`,
  });
  const reloader = booleanAt(values.at("configReloader.enabled"), true)
    ? requestsAt(values.at("configReloader.resources"), {
        cpuMillis: 10,
        memoryBytes: 50 * MiB,
        from: "chart default configReloader.resources",
      })
    : { cpuMillis: 0, memoryBytes: 0, from: "" };
  const type = known(values.at("controller.type").string()) ?? "daemonset";
  const placement: Placement = type === "daemonset" ? { kind: "daemonset" } : { kind: "zones" };
  return [
    {
      owner: release.label,
      ownerUrn: release.resource.urn,
      component: `alloy (${type})`,
      replicas: type === "daemonset" ? 1 : numberAt(values.at("controller.replicas"), 1),
      cpuMillis: r.cpuMillis + reloader.cpuMillis,
      memoryBytes: r.memoryBytes + reloader.memoryBytes,
      volumeBytes: 0,
      placement,
      requestsFrom: `${r.from} + config-reloader`,
    },
  ];
}

/** One Deployment of a chart's release: its replicas and resources values, with the chart's defaults. */
function deploymentPods(
  release: HelmRelease,
  component: string,
  replicasKey: string,
  defaults: { replicas: number; cpuMillis: number; memoryBytes: number; from: string },
): PodGroup[] {
  const values = release.values;
  const r = requestsAt(values.get("resources"), {
    cpuMillis: defaults.cpuMillis,
    memoryBytes: defaults.memoryBytes,
    from: `${release.label} ${defaults.from}`,
  });
  return [
    {
      owner: release.label,
      ownerUrn: release.resource.urn,
      component,
      replicas: numberAt(values.get(replicasKey), defaults.replicas),
      cpuMillis: r.cpuMillis,
      memoryBytes: r.memoryBytes,
      volumeBytes: 0,
      placement: { kind: "zones" },
      requestsFrom: r.from,
    },
  ];
}

/** cluster-autoscaler 9.59: replicaCount 1, resources {} by default (kubernetes/autoscaler charts values.yaml). */
const clusterAutoscalerPods = (release: HelmRelease): PodGroup[] =>
  deploymentPods(release, "cluster-autoscaler", "replicaCount", {
    replicas: 1,
    cpuMillis: 0,
    memoryBytes: 0,
    from: "chart default resources {}",
  });

/** strimzi-kafka-operator 1.2.0: replicas 1, requests 200m / 384Mi (data/strimzi-kafka-operator-1.2.0.values.yaml). */
const strimziOperatorPods = (release: HelmRelease): PodGroup[] =>
  deploymentPods(release, "cluster-operator", "replicas", {
    replicas: 1,
    cpuMillis: 200,
    memoryBytes: 384 * MiB,
    from: "chart default resources",
  });

/**
 * Strimzi: one pod per KafkaNodePool replica with the pool's resources and persistent-claim volumes, placed by the
 * pool's template.pod affinity; one entity-operator pod per Kafka that declares one (Strimzi sets no default
 * requests for operands, so it counts as a pod without requests).
 */
function strimziPods(stack: StackView): PodGroup[] {
  const groups: PodGroup[] = [];
  for (const pool of stack.strimzi("KafkaNodePool")) {
    const spec = pool.spec;
    const r = requestsAt(spec.get("resources"), {
      cpuMillis: 0,
      memoryBytes: 0,
      from: `${pool.label} spec.resources (none)`,
    });
    const volumes = known(spec.at("storage.volumes").items()) ?? [];
    const volumeBytes =
      volumes.reduce(
        (sum, v) =>
          sum + (known(v.get("type").string()) === "persistent-claim" ? (quantityBytes(v.get("size")) ?? 0) : 0),
        0,
      ) +
      (known(spec.at("storage.type").string()) === "persistent-claim"
        ? (quantityBytes(spec.at("storage.size")) ?? 0)
        : 0);
    const roles = (known(spec.get("roles").items()) ?? []).map((n) => known(n.string())).join("+");
    groups.push({
      owner: pool.label,
      ownerUrn: pool.resource.urn,
      component: `kafka ${roles || "node"}`,
      replicas: numberAt(spec.get("replicas"), 0),
      cpuMillis: r.cpuMillis,
      memoryBytes: r.memoryBytes,
      volumeBytes,
      placement: {
        kind: "zones",
        zones: allowedZones(spec.at("template.pod.nodeSelector"), spec.at("template.pod.affinity")),
      },
      requestsFrom: r.from,
    });
  }
  for (const kafka of stack.strimzi("Kafka")) {
    if (!kafka.spec.get("entityOperator").isPresent) continue;
    groups.push({
      owner: kafka.label,
      ownerUrn: kafka.resource.urn,
      component: "entity-operator",
      replicas: 1,
      cpuMillis: 0,
      memoryBytes: 0,
      volumeBytes: 0,
      placement: { kind: "zones" },
      requestsFrom: "Strimzi default (no requests)",
    });
  }
  return groups;
}

/** Pods of the EKS add-ons the stack registers (aws.eks.Addon addonName). */
function addonPods(stack: StackView): PodGroup[] {
  const groups: PodGroup[] = [];
  for (const addon of stack.ofType("aws:eks/addon:Addon")) {
    const name = known(addon.props.get("addonName").string()) ?? addon.name;
    for (const w of ADDON_WORKLOADS[name] ?? []) {
      groups.push({
        owner: `EKS add-on "${name}"`,
        ownerUrn: addon.urn,
        component: w.component,
        replicas: w.replicas,
        cpuMillis: w.cpuMillis,
        memoryBytes: w.memoryBytes,
        volumeBytes: 0,
        placement: w.kind === "daemonset" ? { kind: "daemonset" } : { kind: "zones" },
        requestsFrom: w.source,
      });
    }
  }
  return groups;
}

export interface PodInventory {
  groups: PodGroup[];
  /** Releases whose chart the model does not know: their pods are not counted. */
  unmodelled: string[];
}

/** Charts that create no pods (CRDs only). */
const NO_POD_CHARTS = new Set(["prometheus-operator-crds"]);

export function podInventory(stack: StackView): PodInventory {
  const groups: PodGroup[] = [...addonPods(stack)];
  const unmodelled: string[] = [];
  groups.push(...mimirReleases(stack).flatMap(mimirPods));
  groups.push(...lokiReleases(stack).flatMap(lokiPods));
  groups.push(...stack.helmReleases(CHARTS.kubePrometheusStack).flatMap(kubePrometheusStackPods));
  groups.push(...stack.helmReleases(CHARTS.alloy).flatMap(alloyPods));
  groups.push(...stack.helmReleases(CHARTS.strimzi).flatMap(strimziOperatorPods));
  groups.push(...stack.helmReleases(CHARTS.clusterAutoscaler).flatMap(clusterAutoscalerPods));
  groups.push(...strimziPods(stack));
  const modelled = new Set<string>([
    CHARTS.mimir,
    CHARTS.loki,
    CHARTS.kubePrometheusStack,
    CHARTS.alloy,
    CHARTS.strimzi,
    CHARTS.clusterAutoscaler,
    ...NO_POD_CHARTS,
  ]);
  for (const release of stack.helmReleases()) {
    const chart = known(release.resource.props.get("chart").string())?.split("/").pop();
    if (!chart || !modelled.has(chart)) unmodelled.push(release.label);
  }
  return { groups, unmodelled };
}
