// Loki's effective configuration as a loki (grafana-community 18.11.0) release runs it:
//   values loki.structuredConfig  >  the section the chart templates from loki.* values  >  chart defaults
//   >  Loki's own defaults.
import { DurationFormat } from "./duration";
import { Maybe, PolicyInputError, PropNode, Sourced } from "./node";
import { ConfigSource, ReleaseConfig } from "./release-config";
import { HelmRelease, StackView } from "./stack";
import { CHARTS } from "./types";
import { isUnknown, Unknown } from "./unknown";

/** The zone StatefulSets the chart renders for zone-aware ingesters (templates/ingester/statefulset-ingester-zone-*.yaml). */
export const LOKI_INGESTER_ZONES = ["zone-a", "zone-b", "zone-c"] as const;

/**
 * Ingester pods per zone StatefulSet as the loki chart renders them: ceil(ingester.replicas / 3)
 * (templates/ingester/_helpers.tpl `loki.ingester.replicaCount`), so 2 replicas run as 1 in each of 3 zones, 3 in all.
 */
export function lokiIngestersPerZone(replicas: number): number {
  return Math.ceil(replicas / LOKI_INGESTER_ZONES.length);
}

// Config sections the chart templates from values (values.yaml `loki.config` template): Loki path prefix -> values path.
const VALUES_SECTION: ReadonlyArray<[string, string]> = [
  ["common.", "loki.commonConfig."],
  ["ingester.", "loki.ingester."],
  ["compactor.", "loki.compactor."],
  ["limits_config.", "loki.limits_config."],
  // loki 18.11.0 values.yaml loki.config: `querier:` renders loki.querier, `distributor:` loki.distributor.
  ["querier.", "loki.querier."],
  ["distributor.", "loki.distributor."],
  // loki 18.11.0 values.yaml loki.config: `query_scheduler:` renders loki.query_scheduler, `frontend:` loki.frontend.
  ["query_scheduler.", "loki.query_scheduler."],
  ["frontend.", "loki.frontend."],
  // `server:` renders loki.server, `ingester_client:` loki.ingester_client (loki 18.11.0 values.yaml loki.config).
  ["server.", "loki.server."],
  ["ingester_client.", "loki.ingester_client."],
  // loki 18.11.0 values.yaml loki.config: `ruler:` renders loki.rulerConfig, `index_gateway:` loki.index_gateway,
  // `pattern_ingester:` loki.pattern_ingester.
  ["ruler.", "loki.rulerConfig."],
  ["index_gateway.", "loki.index_gateway."],
  ["pattern_ingester.", "loki.pattern_ingester."],
];

// Defaults the chart itself puts in those sections (data/loki-18.11.0.values.yaml loki.commonConfig, loki.limits_config).
const CHART_SECTION_DEFAULTS: Readonly<Record<string, unknown>> = {
  "common.replication_factor": 3,
  "limits_config.reject_old_samples": true,
  "limits_config.reject_old_samples_max_age": "168h",
  // loki 18.11.0 values.yaml loki.server: grpc_server_max_recv_msg_size / grpc_server_max_send_msg_size 104857600.
  "server.grpc_server_max_recv_msg_size": 104_857_600,
  "server.grpc_server_max_send_msg_size": 104_857_600,
};

/** limits_config.max_line_size default 256KB (Loki configuration reference; flagext.ByteSize, KB = 1024 bytes). */
export const LOKI_MAX_LINE_SIZE_BYTES = 256 * 1024;

// Loki 3.x defaults (Loki configuration reference; pkg/compactor/config.go, pkg/validation/limits.go; conflict-rules.md).
export const LOKI_DEFAULTS: Readonly<Record<string, unknown>> = {
  "compactor.retention_enabled": false,
  // pkg/querier/querier.go RegisterFlagsWithPrefix: -querier.query-store-only, -querier.query-ingester-only (false).
  // pkg/validation/limits.go: -ingester.max-global-streams-per-user 5000.
  "limits_config.max_global_streams_per_user": 5000,
  "querier.query_store_only": false,
  // pkg/distributor/distributor.go: -distributor.max-recv-msg-size 100<<20; -distributor.max-decompressed-size
  // 5000<<20 (the help text's "50x max-recv-msg-size" applies only when it is set to 0, Config.Validate).
  "distributor.max_recv_msg_size": 100 * 2 ** 20,
  "distributor.max_decompressed_size": 5000 * 2 ** 20,
  "querier.query_ingester_only": false,
  "compactor.retention_delete_delay": "2h",
  "compactor.delete_request_store": "",
  "compactor.delete_request_store_key_prefix": "index/",
  "limits_config.retention_period": "0s",
  "limits_config.ingestion_rate_mb": 4,
  "limits_config.ingestion_burst_size_mb": 6,
  "limits_config.reject_old_samples": true,
  "limits_config.reject_old_samples_max_age": "168h",
  // v3.7.6 pkg/validation/limits.go: -querier.max-query-parallelism 32, -querier.tsdb-max-query-parallelism 128.
  "limits_config.max_query_parallelism": 32,
  "limits_config.tsdb_max_query_parallelism": 128,
  // v3.7.6 pkg/scheduler/scheduler.go -query-scheduler.max-outstanding-requests-per-tenant 32000;
  // pkg/lokifrontend/frontend/v1/frontend.go -querier.max-outstanding-requests-per-tenant 2048.
  "query_scheduler.max_outstanding_requests_per_tenant": 32000,
  "frontend.max_outstanding_per_tenant": 2048,
  // dskit crypto/grpcclient Config.RegisterFlagsWithPrefix (-ingester.client.grpc-max-send-msg-size,
  // -grpc-max-recv-msg-size): 100<<20 each.
  "ingester_client.grpc_client_config.max_send_msg_size": 100 * 2 ** 20,
  "ingester_client.grpc_client_config.max_recv_msg_size": 100 * 2 ** 20,
  // Ring heartbeats (v3.7.6): the lifecycler rings (ingester, pattern ingester) take dskit ring/lifecycler.go
  // -<prefix>heartbeat-period 5s and ring/ring.go -ring.heartbeat-timeout 1m; pkg/distributor/distributor_ring.go and
  // pkg/ruler/base/ruler_ring.go 5s / 1m; pkg/util/ring/ring_config.go (common, compactor, query-scheduler, index
  // gateway rings) 15s / 1m.
  "ingester.lifecycler.heartbeat_period": "5s",
  "ingester.lifecycler.ring.heartbeat_timeout": "1m",
  "pattern_ingester.lifecycler.heartbeat_period": "5s",
  "pattern_ingester.lifecycler.ring.heartbeat_timeout": "1m",
  "distributor.ring.heartbeat_period": "5s",
  "distributor.ring.heartbeat_timeout": "1m",
  "ruler.ring.heartbeat_period": "5s",
  "ruler.ring.heartbeat_timeout": "1m",
  "common.ring.heartbeat_period": "15s",
  "common.ring.heartbeat_timeout": "1m",
  "compactor.compactor_ring.heartbeat_period": "15s",
  "compactor.compactor_ring.heartbeat_timeout": "1m",
  "query_scheduler.scheduler_ring.heartbeat_period": "15s",
  "query_scheduler.scheduler_ring.heartbeat_timeout": "1m",
  "index_gateway.ring.heartbeat_period": "15s",
  "index_gateway.ring.heartbeat_timeout": "1m",
};

// Loki numbers may be written as decimal strings (e.g. limits_config.ingestion_burst_size_mb is a float64).
const LOKI_NUMBER = { pattern: /^\d+(\.\d+)?$/, expected: "a number" };

/**
 * The targets the loki chart 18.11.0 templates/validate.yaml counts, exactly ($atLeastOneScalableReplica: backend,
 * read, write; $atLeastOneDistributedReplica: the eight below): it leaves out the bloom, pattern-ingester and
 * overrides-exporter workloads, so these are deliberately not LOKI_WORKLOADS, which lists every workload rendered.
 */
export const LOKI_VALIDATE_TARGETS = {
  scalable: ["backend", "read", "write"],
  distributed: [
    "ingester",
    "distributor",
    "querier",
    "queryFrontend",
    "queryScheduler",
    "indexGateway",
    "compactor",
    "ruler",
  ],
} as const;

/**
 * The loki chart's sections that run Loki pods, per deployment mode (loki 18.11.0 values.yaml and templates: singleBinary
 * in Monolithic, write/read/backend in SimpleScalable, one section per component in Distributed).
 */
export const LOKI_WORKLOADS = {
  monolithic: ["singleBinary"],
  simpleScalable: ["write", "read", "backend"],
  distributed: [
    ...LOKI_VALIDATE_TARGETS.distributed,
    "bloomGateway",
    "bloomPlanner",
    "bloomBuilder",
    "patternIngester",
    "overridesExporter",
  ],
} as const;

/**
 * Replicas the loki chart 18.11.0 defaults each workload section to (values.yaml: singleBinary 0, backend, read and write 3, every
 * Distributed component 0). Monolithic's singleBinary is modelled by LokiRelease.ringMembers (always >= 1 pod).
 */
export const LOKI_WORKLOAD_DEFAULT_REPLICAS: Readonly<Record<string, number>> = {
  singleBinary: 0,
  backend: 3,
  read: 3,
  write: 3,
  ...Object.fromEntries(LOKI_VALIDATE_TARGETS.distributed.map((key) => [key, 0])),
  ...Object.fromEntries(
    ["bloomGateway", "bloomPlanner", "bloomBuilder", "patternIngester", "overridesExporter"].map((k) => [k, 0]),
  ),
};

// Chart defaults (loki 18.11.0 values.yaml); the replicas are LOKI_WORKLOAD_DEFAULT_REPLICAS', written once.
export const LOKI_CHART_DEFAULTS = {
  deploymentMode: "Monolithic",
  storageType: "s3",
  singleBinaryReplicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.singleBinary,
  writeReplicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.write,
  ingesterReplicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.ingester,
  ingesterZoneAware: true,
} as const;

/**
 * The deployment targets the loki chart 18.11.0 renders (templates/_helpers.tpl lines 92-108): "loki.deployment.
 * isMonolithic" (SingleBinary, Monolithic, or a transition from them to SimpleScalable), "isScalable" (object storage
 * and SimpleScalable or a transition to or from it), "isDistributed" (object storage and Distributed or
 * SimpleScalable<->Distributed). A transition renders two.
 */
export interface LokiChartTargets {
  readonly monolithic: boolean;
  readonly scalable: boolean;
  readonly distributed: boolean;
  /** e.g. `loki release "loki" values.deploymentMode=Distributed` */
  readonly where: string;
}

/**
 * The address helpers of the loki chart 18.11.0 (templates/_helpers.tpl lines 1003-1080) and the config keys its
 * values.yaml fills with them (`{{ include "loki.<helper>" . }}`): which workload section each points at, per target
 * ("" = the helper renders an empty string). The scalable branch is evaluated after the distributed one, so in
 * SimpleScalable<->Distributed the index-gateway, bloom-planner and bloom-gateway addresses name the backend.
 */
export const LOKI_CHART_ADDRESSES = [
  {
    helper: "loki.indexGatewayAddress",
    keys: [
      "storage_config.tsdb_shipper.index_gateway_client.server_address",
      "storage_config.boltdb_shipper.index_gateway_client.server_address",
    ],
    target: (t: LokiChartTargets) => (t.scalable ? "backend" : t.distributed ? "indexGateway" : ""),
  },
  {
    helper: "loki.querySchedulerAddress",
    keys: ["frontend.scheduler_address", "frontend_worker.scheduler_address"],
    target: (t: LokiChartTargets) => (t.distributed ? "queryScheduler" : ""),
  },
  {
    helper: "loki.querierAddress",
    keys: ["frontend.tail_proxy_url"],
    target: (t: LokiChartTargets) => (t.distributed ? "querier" : ""),
  },
  {
    helper: "loki.compactorAddress",
    keys: ["common.compactor_grpc_address"],
    target: (t: LokiChartTargets) => (t.monolithic ? "singleBinary" : t.distributed ? "compactor" : "backend"),
  },
  {
    helper: "loki.bloomPlannerAddress",
    keys: ["bloom_build.builder.planner_address"],
    target: (t: LokiChartTargets) => (t.scalable ? "backend" : t.distributed ? "bloomPlanner" : ""),
  },
  {
    helper: "loki.bloomGatewayAddresses",
    keys: ["bloom_gateway.client.addresses"],
    target: (t: LokiChartTargets) => (t.scalable ? "backend" : t.distributed ? "bloomGateway" : ""),
  },
] as const;

export type LokiChartAddress = (typeof LOKI_CHART_ADDRESSES)[number];

/**
 * The values sections the loki chart 18.11.0 renders into Loki's config file, as [values key under `loki.`, config
 * section] (values.yaml `loki.config`: `{{- with .Values.loki.<key> }} <section>: ...`; `loki.rulerConfig` through
 * _helpers.tpl "loki.rulerConfig"; `loki.memberlistConfig` merged into `memberlist`). `loki.structuredConfig` is
 * merged over the whole file.
 */
const CONFIG_SECTIONS: ReadonlyArray<[string, string]> = [
  ["server", "server"],
  ["pattern_ingester", "pattern_ingester"],
  ["memberlistConfig", "memberlist"],
  ["ingester", "ingester"],
  ["ingester_client", "ingester_client"],
  ["block_builder", "block_builder"],
  ["commonConfig", "common"],
  ["limits_config", "limits_config"],
  ["rulerConfig", "ruler"],
  ["query_range", "query_range"],
  ["storage_config", "storage_config"],
  ["query_scheduler", "query_scheduler"],
  ["compactor", "compactor"],
  ["compactor_grpc_client", "compactor_grpc_client"],
  ["analytics", "analytics"],
  ["querier", "querier"],
  ["index_gateway", "index_gateway"],
  ["frontend", "frontend"],
  ["frontend_worker", "frontend_worker"],
  ["distributor", "distributor"],
  ["bloom_build", "bloom_build"],
  ["bloom_gateway", "bloom_gateway"],
  ["operational_config", "operational_config"],
];

/** The values path the chart renders a config key from (CONFIG_SECTIONS), e.g. common.x -> loki.commonConfig.x. */
export function lokiValuesPath(key: string): string {
  const hit = CONFIG_SECTIONS.find(([, section]) => key.startsWith(`${section}.`));
  return hit ? `loki.${hit[0]}${key.slice(hit[1].length)}` : `loki.${key}`;
}

export class LokiRelease extends ReleaseConfig {
  constructor(release: HelmRelease) {
    super(release, "Loki", LOKI_NUMBER);
  }

  setting(path: string): Maybe<Sourced<unknown>> | undefined {
    const structured = this.values.at(`loki.structuredConfig.${path}`);
    if (structured.isUnknown) return structured.unknown();
    if (structured.isPresent) return { value: structured.raw(), where: structured.where };
    const section = VALUES_SECTION.find(([prefix]) => path.startsWith(prefix));
    if (section) {
      const fromValues = this.values.at(section[1] + path.slice(section[0].length));
      if (fromValues.isUnknown) return fromValues.unknown();
      if (fromValues.isPresent) return { value: fromValues.raw(), where: fromValues.where };
      if (path in CHART_SECTION_DEFAULTS) {
        return {
          value: CHART_SECTION_DEFAULTS[path],
          where: `${this.label} chart default ${section[1]}${path.slice(section[0].length)}`,
        };
      }
    }
    if (path in LOKI_DEFAULTS) return { value: LOKI_DEFAULTS[path], where: `Loki default ${path}` };
    return undefined;
  }

  /**
   * The ingesters' replication factor: an explicit ingester.lifecycler.ring.replication_factor wins over
   * common.replication_factor, because Loki applies the common section and then parses the file again
   * (pkg/loki/config_wrapper.go applyIngesterReplicationFactor; pkg/util/cfg/dynamic.go).
   */
  replicationFactor(): Maybe<Sourced<number>> {
    const explicit = this.setting("ingester.lifecycler.ring.replication_factor");
    if (isUnknown(explicit)) return explicit;
    if (explicit !== undefined) {
      const value = Number(explicit.value);
      if (!Number.isInteger(value) || value < 1) {
        throw new PolicyInputError(
          `${explicit.where}=${JSON.stringify(explicit.value)} is not a replication factor (a whole number >= 1).`,
          this.urn,
        );
      }
      return { value, where: explicit.where };
    }
    return this.number("common.replication_factor");
  }

  protected durationFormatOf(path: string): DurationFormat {
    // limits_config durations are model.Duration (Prometheus format); the rest time.Duration (Go format).
    return path.startsWith("limits_config.") ? "prometheus" : "go";
  }

  /** Nodes of a list-valued setting (e.g. limits_config.retention_stream), from the place that sets it. */
  listSetting(path: string): Maybe<PropNode[]> | undefined {
    for (const candidate of [
      `loki.structuredConfig.${path}`,
      ...VALUES_SECTION.filter(([p]) => path.startsWith(p)).map(([p, v]) => v + path.slice(p.length)),
    ]) {
      const node = this.values.at(candidate);
      if (node.isPresent) return node.items();
    }
    return undefined;
  }

  /** Every place the values write Loki's config file: structuredConfig, then each rendered section. */
  configSources(): ConfigSource[] {
    return [
      { node: this.values.at("loki.structuredConfig"), prefix: "" },
      ...CONFIG_SECTIONS.map(([key, section]) => ({ node: this.values.at(`loki.${key}`), prefix: section })),
    ];
  }

  /** Per-tenant overrides from the runtime config (values loki.runtimeConfig.overrides.<tenant>). */
  tenantOverrides(): Maybe<Array<[string, PropNode]>> | undefined {
    return this.values.at("loki.runtimeConfig.overrides").entries();
  }

  /** Schema config periods (loki.structuredConfig.schema_config or loki.schemaConfig). */
  schemaConfigs(): Maybe<PropNode[]> | undefined {
    const structured = this.values.at("loki.structuredConfig.schema_config.configs");
    if (structured.isPresent) return structured.items();
    return this.values.at("loki.schemaConfig.configs").items();
  }

  stringValue(valuesPath: string, fallback: string): Maybe<Sourced<string>> {
    const node = this.values.at(valuesPath);
    const value = node.string();
    if (isUnknown(value)) return value;
    return value === undefined
      ? { value: fallback, where: `${this.label} chart default ${valuesPath}` }
      : { value, where: node.where };
  }

  /** The targets the chart renders for this release (LokiChartTargets). */
  chartTargets(): Maybe<LokiChartTargets> {
    const mode = this.stringValue("deploymentMode", LOKI_CHART_DEFAULTS.deploymentMode);
    if (isUnknown(mode)) return mode;
    const storage = this.stringValue("loki.storage.type", LOKI_CHART_DEFAULTS.storageType);
    if (isUnknown(storage)) return storage;
    // _helpers.tpl line 545 "loki.isUsingObjectStorage": s3, gcs, azure, swift, alibabacloud, cos, bos.
    const objectStorage = ["s3", "gcs", "azure", "swift", "alibabacloud", "cos", "bos"].includes(storage.value);
    const m = mode.value;
    return {
      monolithic: [
        "SingleBinary",
        "Monolithic",
        "SingleBinary<->SimpleScalable",
        "Monolithic<->SimpleScalable",
      ].includes(m),
      scalable:
        objectStorage &&
        [
          "SingleBinary<->SimpleScalable",
          "Monolithic<->SimpleScalable",
          "SimpleScalable",
          "SimpleScalable<->Distributed",
        ].includes(m),
      distributed: objectStorage && ["Distributed", "SimpleScalable<->Distributed"].includes(m),
      where: `${mode.where}=${m}${objectStorage ? "" : ` with ${storage.where}=${storage.value}`}`,
    };
  }

  /**
   * A config key the chart fills from an address helper, as Loki reads it: an explicit loki.structuredConfig value or
   * a values override that is not the chart's template is taken as written (`helper: false`); otherwise the helper's
   * rendering for this release's targets, with the workload section it points at ("" when it renders empty).
   */
  chartAddress(
    address: LokiChartAddress,
    key: string = address.keys[0],
  ): Maybe<{ value: string; where: string; workload: string; helper: boolean }> {
    const targets = this.chartTargets();
    if (isUnknown(targets)) return targets;
    const structured = this.values.at(`loki.structuredConfig.${key}`);
    if (structured.isUnknown) return structured.unknown();
    const valuesPath = lokiValuesPath(key);
    const values = this.values.at(valuesPath);
    if (values.isUnknown) return values.unknown();
    const node = structured.isPresent ? structured : values.isPresent ? values : undefined;
    const text = node === undefined ? undefined : node.raw() === null ? "" : String(node.raw());
    if (node !== undefined && text !== undefined && !text.includes("{{")) {
      return { value: text, where: node.where, workload: "", helper: false };
    }
    const workload = address.target(targets);
    return {
      value: workload,
      where: `${this.label} chart default ${valuesPath} ({{ include "${address.helper}" }}, ${workload === "" ? "empty" : `the ${workload} pods`} with ${targets.where})`,
      workload,
      helper: true,
    };
  }

  /**
   * Pods the chart runs for a workload section: `<key>.replicas` (chart default LOKI_WORKLOAD_DEFAULT_REPLICAS), or
   * undefined when autoscaling or kedaAutoscaling is enabled or replicas is null (templates/_workload.tpl line 52
   * then leaves `replicas` out of the workload). singleBinary: ringMembers' monolithic count (always >= 1).
   */
  workloadReplicas(key: string): Maybe<Sourced<number>> | undefined {
    if (key === "singleBinary") return this.monolithicReplicas();
    for (const scaler of ["autoscaling.enabled", "kedaAutoscaling.enabled"]) {
      const on = this.values.at(`${key}.${scaler}`);
      if (on.isUnknown) return on.unknown();
      if (on.raw() === true || on.raw() === "true") return undefined;
    }
    if (this.values.at(`${key}.replicas`).raw() === null) return undefined;
    return this.replicasAt(`${key}.replicas`, LOKI_WORKLOAD_DEFAULT_REPLICAS[key] ?? 0);
  }

  /**
   * Replicas that receive pushes and sit in the ingester ring, per deployment mode (loki chart 18.11.0
   * templates: single-binary `loki.MonolithicReplicas` = singleBinary.replicas when > 1 with object storage,
   * else 1; SimpleScalable write.replicas; Distributed ingester.replicas).
   */
  ringMembers(): Maybe<Sourced<number>> {
    const mode = this.stringValue("deploymentMode", LOKI_CHART_DEFAULTS.deploymentMode);
    if (isUnknown(mode)) return mode;
    const parts: Array<Sourced<number>> = [];
    const add = (part: Maybe<Sourced<number>>): Unknown | undefined => {
      if (isUnknown(part)) return part;
      parts.push(part);
      return undefined;
    };
    const modes = mode.value.split("<->");
    if (modes.some((m) => m === "Monolithic" || m === "SingleBinary")) {
      const failed = add(this.monolithicReplicas());
      if (failed) return failed;
    }
    if (modes.includes("SimpleScalable")) {
      const failed = add(this.replicasAt("write.replicas", LOKI_CHART_DEFAULTS.writeReplicas));
      if (failed) return failed;
    }
    if (modes.includes("Distributed")) {
      const failed = add(this.ingesterPods());
      if (failed) return failed;
    }
    if (parts.length === 0) {
      throw new PolicyInputError(
        `${mode.where}=${mode.value} is not a deployment mode of the loki chart (Monolithic, SimpleScalable, Distributed, or a transition like Monolithic<->SimpleScalable).`,
        this.urn,
      );
    }
    return {
      value: parts.reduce((t, p) => t + p.value, 0),
      where: `${mode.where}=${mode.value}: ${parts.map((p) => p.where).join(" + ")}`,
    };
  }

  /** Distributed ingesters as the chart renders them: zone-aware (its default) rounds up to whole zones. */
  private ingesterPods(): Maybe<Sourced<number>> {
    const replicas = this.replicasAt("ingester.replicas", LOKI_CHART_DEFAULTS.ingesterReplicas);
    if (isUnknown(replicas)) return replicas;
    const zoneAwareNode = this.values.at("ingester.zoneAwareReplication.enabled");
    const zoneAware = zoneAwareNode.boolean();
    if (isUnknown(zoneAware)) return zoneAware;
    if (!(zoneAware ?? LOKI_CHART_DEFAULTS.ingesterZoneAware)) return replicas;
    const perZone = lokiIngestersPerZone(replicas.value);
    const pods = perZone * LOKI_INGESTER_ZONES.length;
    return pods === replicas.value
      ? replicas
      : {
          value: pods,
          where: `${replicas.where}, zone-aware: the chart runs ceil(${replicas.value} / 3) = ${perZone} in each of zones a, b and c`,
        };
  }

  private replicasAt(path: string, fallback: number): Maybe<Sourced<number>> {
    const node = this.values.at(path);
    const value = node.number();
    if (isUnknown(value)) return value;
    return value === undefined
      ? { value: fallback, where: `${this.label} chart default ${path}=${fallback}` }
      : { value, where: `${node.where}=${value}` };
  }

  private monolithicReplicas(): Maybe<Sourced<number>> {
    const requested = this.replicasAt("singleBinary.replicas", LOKI_CHART_DEFAULTS.singleBinaryReplicas);
    if (isUnknown(requested)) return requested;
    const storage = this.stringValue("loki.storage.type", LOKI_CHART_DEFAULTS.storageType);
    if (isUnknown(storage)) return storage;
    const objectStorage = storage.value !== "filesystem";
    const value = objectStorage && requested.value > 1 ? requested.value : 1;
    return {
      value,
      where:
        value === requested.value
          ? requested.where
          : `single-binary StatefulSet with ${value} replica (chart uses 1 unless singleBinary.replicas > 1 with object storage; ${requested.where})`,
    };
  }
}

export function lokiReleases(stack: StackView): LokiRelease[] {
  return stack.helmReleases(CHARTS.loki).map((r) => new LokiRelease(r));
}
