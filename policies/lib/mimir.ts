// Mimir's effective configuration as a mimir-distributed release runs it:
//   values mimir.structuredConfig  >  the chart's generated config  >  Mimir's own defaults.
// Per-tenant limit overrides come from values runtimeConfig.overrides.<tenant>.
import { DurationFormat } from "./duration";
import { Maybe, parseSourcedDuration, PolicyInputError, PropNode, show, Sourced } from "./node";
import { HelmRelease, StackView } from "./stack";
import { CHARTS } from "./types";
import { ConfigSource, ReleaseConfig } from "./release-config";
import { isUnknown } from "./unknown";
import { ZONE_LABEL } from "./zones";
import MIMIR_FLAGS from "./mimir-flags.json";

// Mimir defaults, from mimir-config-descriptor-2025-04.json (fieldDefaultValue) unless noted.
/** Mimir refuses producer_max_record_size_bytes outside these (pkg/storage/ingest/config.go ErrInvalidProducerMaxRecordSizeBytes:
 * 1 MiB .. 16,000,000 - 16,384, franz-go's batch overhead); the maximum is also the default. */
export const MIMIR_PRODUCER_RECORD_BYTES = { min: 1_048_576, max: 15_983_616 };

export const MIMIR_DEFAULTS: Readonly<Record<string, unknown>> = {
  "ingest_storage.enabled": false,
  "ingest_storage.kafka.address": "",
  "ingest_storage.kafka.topic": "",
  "ingest_storage.kafka.auto_create_topic_enabled": true,
  "ingest_storage.kafka.auto_create_topic_default_partitions": -1,
  "ingest_storage.kafka.producer_max_record_size_bytes": 15_983_616,
  "ingest_storage.kafka.producer_max_buffered_bytes": 1_073_741_824,
  "ingest_storage.kafka.write_clients": 1,
  "ingest_storage.kafka.sasl_username": "",
  "ingest_storage.kafka.sasl_password": "",
  // Mimir 3.x keys (not in the April 2025 descriptor): grafana/mimir docs configure-kafka-backend.md.
  "ingest_storage.kafka.sasl_mechanism": "PLAIN",
  "ingest_storage.kafka.tls_enabled": false,
  "ingest_storage.kafka.tls_cert_path": "",
  "ingest_storage.kafka.tls_key_path": "",
  // Mimir config descriptor: api.prometheus_http_prefix "/prometheus" (-http.prometheus-http-prefix).
  "api.prometheus_http_prefix": "/prometheus",
  // Mimir config descriptor: in-process cache sizes (index cache inmemory 1 GiB, series hash caches 1 GiB and 350 MiB).
  "blocks_storage.bucket_store.index_cache.inmemory.max_size_bytes": 1_073_741_824,
  "blocks_storage.bucket_store.series_hash_cache_max_size_bytes": 1_073_741_824,
  "blocks_storage.tsdb.series_hash_cache_max_size_bytes": 367_001_600,
  // Mimir config descriptor: blocks_storage.bucket_store.bucket_index.max_stale_period 1h.
  "blocks_storage.bucket_store.bucket_index.max_stale_period": "1h",
  "limits.compactor_blocks_retention_period": "0s",
  // Mimir config descriptor: ingestion_burst_size 200000 samples.
  "limits.ingestion_burst_size": 200_000,
  // Mimir config descriptor: ingestion_rate 10000 samples/s.
  "limits.ingestion_rate": 10_000,
  // Mimir config descriptor: request_rate 0 and request_burst_size 0 ("0 to disable", -distributor.request-rate-limit,
  // -distributor.request-burst-size).
  "limits.request_rate": 0,
  "limits.request_burst_size": 0,
  // Mimir config descriptor: max_global_series_per_user 150000 (-ingester.max-global-series-per-user).
  "limits.max_global_series_per_user": 150_000,
  "limits.query_ingesters_within": "13h",
  // Mimir config descriptor: accept_ha_samples false (-distributor.ha-tracker.enable-for-all-users).
  "limits.accept_ha_samples": false,
  // Mimir config descriptor: ha_cluster_label "cluster", ha_replica_label "__replica__"; the HA tracker off.
  "limits.ha_cluster_label": "cluster",
  "limits.ha_replica_label": "__replica__",
  "distributor.ha_tracker.enable_ha_tracker": false,
  "querier.query_store_after": "12h",
  "blocks_storage.tsdb.retention_period": "13h",
  // Mimir config descriptor: close_idle_tsdb_timeout 13h (-blocks-storage.tsdb.close-idle-tsdb-timeout).
  "blocks_storage.tsdb.close_idle_tsdb_timeout": "13h",
  // Hidden flag -blocks-storage.tsdb.block-ranges-period, default 2h (Mimir pkg/storage/tsdb/config.go).
  "blocks_storage.tsdb.block_ranges_period": ["2h"],
  "blocks_storage.bucket_store.sync_interval": "15m",
  "blocks_storage.bucket_store.ignore_deletion_mark_delay": "1h",
  "blocks_storage.bucket_store.ignore_deletion_mark_while_querying_delay": "50m",
  "compactor.deletion_delay": "12h",
  "compactor.cleanup_interval": "15m",
  // The descriptor prints [] for this list; the flag default is 2h,12h,24h (Mimir pkg/compactor/compactor.go RegisterFlags).
  "compactor.block_ranges": ["2h", "12h", "24h"],
  "store_gateway.sharding_ring.replication_factor": 3,
  "blocks_storage.backend": "filesystem",
  "ruler_storage.backend": "filesystem",
  "alertmanager_storage.backend": "filesystem",
  "common.storage.backend": "filesystem",
  "blocks_storage.storage_prefix": "",
  "ruler_storage.storage_prefix": "",
  "alertmanager_storage.storage_prefix": "",
  // Mimir config descriptor: every ring's heartbeat_period 15s and heartbeat_timeout 1m (-<ring>.heartbeat-period,
  // -<ring>.heartbeat-timeout; "0 = disabled" / "0 = never (timeout disabled)").
  ...Object.fromEntries(
    [
      "ingester.ring",
      "distributor.ring",
      "store_gateway.sharding_ring",
      "compactor.sharding_ring",
      "ruler.ring",
      "alertmanager.sharding_ring",
      "query_scheduler.ring",
      "overrides_exporter.ring",
    ].flatMap((ring) => [
      [`${ring}.heartbeat_period`, "15s"],
      [`${ring}.heartbeat_timeout`, "1m"],
    ]),
  ),
};

// mimir-distributed 6.0.x chart values defaults (data/mimir-distributed-6.0.x.values-excerpts.yaml).
export const MIMIR_CHART_DEFAULTS = {
  kafkaEnabled: true,
  kafkaReplicas: 1, // rendered demo StatefulSet: replicas 1, single KRaft voter
  kafkaServicePort: 9092,
  kafkaLogRetentionHours: 24,
  distributorReplicas: 1,
  ingesterReplicas: 3,
  ingesterZoneAware: true,
  storeGatewayReplicas: 1,
  storeGatewayZoneAware: true,
  zones: ["zone-a", "zone-b", "zone-c"],
  minioEnabled: true,
} as const;

/**
 * mimir-distributed 6.0.x refuses to render zone-aware ingesters, store-gateways or alertmanagers with fewer than 3
 * zones: templates/_helpers.tpl `mimir.zoneAwareReplicationMap` fails "When zone-awareness is enabled, you must have
 * at least 3 zones defined." (grafana/mimir 01064b3a; grafana/mimir#14065 against 6.0.5). The 2-zone relaxation for
 * ingest-storage ingesters (PR #14449) is unreleased in the 6.0 line (chart CHANGELOG "main / unreleased").
 */
export const MIMIR_MIN_ZONE_AWARE_ZONES = 3;

// Keys the chart's templated `mimir.config` sets, read by the rules (mimir-distributed 6.0.x values `mimir.config`;
// compactor.deletion_delay from the chart CI render data/mimir-distributed-6.0.0-dev.rendered-mimir-config.yaml).
// The Kafka address the template adds with the built-in Kafka is modelled in lib/kafka.ts.
const CHART_GENERATED_CONFIG: Readonly<Record<string, unknown>> = {
  "ingest_storage.enabled": true,
  "ingest_storage.kafka.topic": "mimir-ingest",
  "ingest_storage.kafka.auto_create_topic_enabled": true,
  "ingest_storage.kafka.auto_create_topic_default_partitions": 100,
  "compactor.deletion_delay": "2h",
  // values.yaml mimir.config ingester.ring.tokens_file_path (rendered config above).
  "ingester.ring.tokens_file_path": "/data/tokens",
  // values.yaml mimir.config ring heartbeats (rendered config above): ingester 2m / 10m, distributor and compactor
  // 1m / 4m, store-gateway 1m / 10m; the other rings keep Mimir's 15s / 1m.
  "ingester.ring.heartbeat_period": "2m",
  "ingester.ring.heartbeat_timeout": "10m",
  "distributor.ring.heartbeat_period": "1m",
  "distributor.ring.heartbeat_timeout": "4m",
  "compactor.sharding_ring.heartbeat_period": "1m",
  "compactor.sharding_ring.heartbeat_timeout": "4m",
  "store_gateway.sharding_ring.heartbeat_period": "1m",
  "store_gateway.sharding_ring.heartbeat_timeout": "10m",
};

// Mimir's integer flags (e.g. write_clients) take only whole numbers, also when written as strings.
const MIMIR_NUMBER = { pattern: /^-?\d+$/, expected: "an integer" };

/** Config key -> its CLI flag (tools/facts/extract-mimir-flags.js, from the config descriptor's fieldFlag). */
const FLAG_OF_KEY = new Map(Object.entries(MIMIR_FLAGS as Record<string, string>).map(([flag, key]) => [key, flag]));

/**
 * The chart section whose pods use a config key, so that its `extraArgs` flag is the one that counts: the chart
 * passes `<section>.extraArgs` as `-key=value` to that component only (mimir-distributed templates, e.g.
 * ingester-statefulset.yaml `range .Values.ingester.extraArgs`), and `global.extraArgs` to every component. First
 * match wins; a key no entry names takes a flag from any section.
 */
const USER_OF_KEY: Array<[RegExp, string]> = [
  [/^limits\.compactor_/, "compactor"],
  [/^limits\.(store_gateway_|max_fetched_|max_chunks_per_query)/, "store_gateway"],
  [/^limits\.(ruler_)/, "ruler"],
  [
    /^limits\.(max_query_|max_total_query|max_partial_query|query_|split_|results_cache|cardinality_analysis)/,
    "querier",
  ],
  [/^limits\.(max_global_series|max_global_exemplars|out_of_order|native_histograms|max_global_metadata)/, "ingester"],
  [/^limits\./, "distributor"],
  [/^blocks_storage\.tsdb\./, "ingester"],
  [/^blocks_storage\.bucket_store\./, "store_gateway"],
  [/^compactor\./, "compactor"],
  [/^querier\./, "querier"],
  [/^frontend\./, "query_frontend"],
  [/^query_scheduler\./, "query_scheduler"],
  [/^store_gateway\./, "store_gateway"],
  [/^distributor\./, "distributor"],
  [/^ingester\./, "ingester"],
  [/^ruler\./, "ruler"],
  [/^alertmanager\./, "alertmanager"],
];

export class MimirRelease extends ReleaseConfig {
  private readonly structured: PropNode;

  constructor(release: HelmRelease) {
    super(release, "Mimir", MIMIR_NUMBER);
    this.structured = release.values.at("mimir.structuredConfig");
  }

  /** mimir-distributed renders mimir.structuredConfig over its own config template (values.yaml mimir.config). */
  configSources(): ConfigSource[] {
    return [{ node: this.structured, prefix: "" }];
  }

  /** Mimir keys whose values are Prometheus durations (model.Duration): the per-tenant limits. */
  protected durationFormatOf(path: string): DurationFormat {
    return path.startsWith("limits.") ? "prometheus" : "go";
  }

  /** The node for a key set in structuredConfig (may be absent). */
  structuredNode(path: string): PropNode {
    return this.structured.at(path);
  }

  /**
   * The value a CLI flag in extraArgs gives a config key, for the component that uses it (CLI flags take precedence
   * over the config file: Mimir docs, configure/about-configurations.md), else undefined.
   */
  private flagSetting(path: string): Maybe<Sourced<unknown>> | undefined {
    const flag = FLAG_OF_KEY.get(path);
    if (flag === undefined) return undefined;
    const user = USER_OF_KEY.find(([pattern]) => pattern.test(path))?.[1];
    const sections = user ? [user, "global"] : this.extraArgsSections();
    for (const section of sections) {
      const args = this.release.values.at(`${section}.extraArgs`);
      for (const key of [flag, `-${flag}`]) {
        const node = args.get(key);
        if (node.isUnknown) return node.unknown();
        if (node.isPresent) return { value: node.raw(), where: node.where };
      }
    }
    return undefined;
  }

  /** Chart sections with an extraArgs map, global first (what every component receives). */
  private extraArgsSections(): string[] {
    const raw = this.release.values.raw();
    const sections = raw && typeof raw === "object" && !isUnknown(raw) ? Object.keys(raw).sort() : [];
    return ["global", ...sections.filter((s) => s !== "global")];
  }

  /** What the values set a Mimir config key to (a CLI flag in extraArgs, else structuredConfig); undefined if neither. */
  configured(path: string): Maybe<Sourced<unknown>> | undefined {
    const flagged = this.flagSetting(path);
    if (flagged !== undefined) return flagged;
    const node = this.structured.at(path);
    if (node.isUnknown) return node.unknown();
    return node.isPresent ? { value: node.raw(), where: node.where } : undefined;
  }

  /** Effective value of a Mimir config key with where it comes from; undefined when nothing sets it. */
  setting(path: string): Maybe<Sourced<unknown>> | undefined {
    const configured = this.configured(path);
    if (configured !== undefined) return configured;
    if (path in CHART_GENERATED_CONFIG) {
      return { value: CHART_GENERATED_CONFIG[path], where: `${this.label} chart-generated config ${path}` };
    }
    if (path in MIMIR_DEFAULTS) {
      return { value: MIMIR_DEFAULTS[path], where: `Mimir default ${path}` };
    }
    return undefined;
  }

  durationList(path: string): Maybe<Sourced<number[]>> {
    const found = this.required(path);
    if (isUnknown(found)) return found;
    const items = typeof found.value === "string" ? found.value.split(",") : found.value;
    if (!Array.isArray(items))
      throw new PolicyInputError(`${found.where}=${JSON.stringify(found.value)} is not a list of durations.`, this.urn);
    const values = items.map(
      (item) =>
        parseSourcedDuration(
          { value: typeof item === "string" ? item.trim() : item, where: found.where },
          "go",
          this.urn,
        ).value,
    );
    return { value: values, where: found.where, text: items.map((item) => String(item).trim()).join(",") };
  }

  /** Per-tenant overrides of a limit (runtimeConfig.overrides.<tenant>.<key>), as durations. */
  tenantDurations(limitKey: string): Array<{ tenant: string; value: Maybe<Sourced<number>> }> {
    const overrides = this.release.values.at("runtimeConfig.overrides").entries();
    if (overrides === undefined) return [];
    if (isUnknown(overrides)) return [{ tenant: "(unknown)", value: overrides }];
    return overrides.flatMap(([tenant, node]): Array<{ tenant: string; value: Maybe<Sourced<number>> }> => {
      const limit = node.get(limitKey);
      if (!limit.isPresent) return [];
      if (limit.isUnknown) return [{ tenant, value: limit.unknown() }];
      return [
        { tenant, value: parseSourcedDuration({ value: limit.raw(), where: limit.where }, "prometheus", this.urn) },
      ];
    });
  }

  // --- chart values (not Mimir config) ---

  /** `kafka.enabled`: the chart's built-in demo Kafka; TRUE when absent. */
  builtinKafkaEnabled(): Maybe<Sourced<boolean>> {
    return chartBoolean(
      this.release.values.at("kafka.enabled"),
      MIMIR_CHART_DEFAULTS.kafkaEnabled,
      `${this.label} chart default kafka.enabled`,
    );
  }

  zoneAware(component: "ingester" | "store_gateway"): Maybe<Sourced<boolean>> {
    const fallback =
      component === "ingester" ? MIMIR_CHART_DEFAULTS.ingesterZoneAware : MIMIR_CHART_DEFAULTS.storeGatewayZoneAware;
    return chartBoolean(
      this.release.values.at(`${component}.zoneAwareReplication.enabled`),
      fallback,
      `${this.label} chart default ${component}.zoneAwareReplication.enabled`,
    );
  }

  replicas(component: "ingester" | "store_gateway" | "distributor"): Maybe<Sourced<number>> {
    const node = this.release.values.at(`${component}.replicas`);
    const value = node.number();
    if (isUnknown(value)) return value;
    if (value !== undefined) return { value, where: node.where };
    const fallback =
      component === "ingester"
        ? MIMIR_CHART_DEFAULTS.ingesterReplicas
        : component === "store_gateway"
          ? MIMIR_CHART_DEFAULTS.storeGatewayReplicas
          : MIMIR_CHART_DEFAULTS.distributorReplicas;
    return { value: fallback, where: `${this.label} chart default ${component}.replicas` };
  }

  /** Zones of a zone-aware component: names and optional pinned availability zone (nodeSelector). */
  zones(component: "ingester" | "store_gateway"): Maybe<Sourced<Array<{ name: string; availabilityZone?: string }>>> {
    const node = this.release.values.at(`${component}.zoneAwareReplication.zones`);
    const items = node.items();
    if (isUnknown(items)) return items;
    if (items === undefined) {
      return {
        value: MIMIR_CHART_DEFAULTS.zones.map((name) => ({ name })),
        where: `${this.label} chart default ${component}.zoneAwareReplication.zones`,
        note: "zone-a, zone-b, zone-c",
      };
    }
    const zones: Array<{ name: string; availabilityZone?: string }> = [];
    for (const item of items) {
      const name = item.get("name").string();
      const az = item.get("nodeSelector", ZONE_LABEL).string();
      if (isUnknown(name)) return name;
      if (isUnknown(az)) return az;
      zones.push({ name: name ?? `zone #${zones.length + 1}`, availabilityZone: az });
    }
    return { value: zones, where: node.where };
  }

  /** How the chart lays out a component's pods: the zones they run in (1 when not zone-aware) and the pods in each. */
  podsPerZone(component: "ingester" | "store_gateway"): Maybe<Sourced<{ zones: number; perZone: number }>> {
    const replicas = this.replicas(component);
    const zoneAware = this.zoneAware(component);
    if (isUnknown(replicas)) return replicas;
    if (isUnknown(zoneAware)) return zoneAware;
    if (!zoneAware.value) return { value: { zones: 1, perZone: replicas.value }, where: show(replicas) };
    const zones = this.zones(component);
    if (isUnknown(zones)) return zones;
    const count = Math.max(zones.value.length, 1);
    const perZone = replicasPerZone(replicas.value, count);
    return {
      value: { zones: count, perZone },
      where: `${show(replicas)} over ${count} zones (${zones.where}), ${perZone} per zone`,
    };
  }
}

/** Pods in each zone of a zone-aware component: ceil(replicas / zones) (mimir-distributed templates/_helpers.tpl `mimir.zoneAwareReplicationMap`). */
export function replicasPerZone(replicas: number, zoneCount: number): number {
  return Math.ceil(replicas / Math.max(zoneCount, 1));
}

function chartBoolean(node: PropNode, fallback: boolean, defaultWhere: string): Maybe<Sourced<boolean>> {
  const value = node.boolean();
  if (isUnknown(value)) return value;
  return value === undefined ? { value: fallback, where: defaultWhere } : { value, where: node.where };
}

export function mimirReleases(stack: StackView): MimirRelease[] {
  return stack.helmReleases(CHARTS.mimir).map((r) => new MimirRelease(r));
}

/**
 * mimir-distributed sections whose pods run Mimir with the shared config file (values.yaml `global.extraEnv` scope
 * minus the nginx gateway, memcached and the test jobs): each validates the whole config at start-up and expands its
 * ${VAR}s. The program gives each the Kafka password variable (components/mimir/values.ts); M16 checks they have it.
 */
export const MIMIR_CONFIG_SECTIONS = [
  "alertmanager",
  "compactor",
  "distributor",
  "ingester",
  "overrides_exporter",
  "querier",
  "query_frontend",
  "query_scheduler",
  "ruler",
  "store_gateway",
] as const;

/** The ruler's own query path, rendered only with ruler.remoteEvaluationDedicatedQueryPath (chart values.yaml). */
export const MIMIR_REMOTE_RULER_SECTIONS = ["ruler_querier", "ruler_query_frontend", "ruler_query_scheduler"] as const;
