// M13, continued: the start-up checks of pkg/mimir/mimir.go Config.Validate on the components other than the blocks
// storage, compactor, limits and querier (config-valid.ts): the ruler and its rule store, the alertmanager storage and
// the alertmanager, the query-frontend (and its results cache), the querier's frontend worker, the query-scheduler,
// the ingester client and usage stats, and the S3 bucket client configs of the three stores (s3ClientChecks below:
// their Validate, the bucket lookup type the config file must parse into, and the checks their client runs when a
// component creates it).
//
// Version read: grafana/mimir main (the search index holds no mimir-3.0.x tag; the fetch tool refuses the 544 MB
// snapshot). pkg/mimir/mimir.go Config.Validate at 0010b536a0b3 calls, in order and on every component whatever its
// -target: RulerStorage.Validate ("invalid rulestore config"), Ruler.Validate ("invalid ruler config"),
// MemberlistKV.Validate, ..., IngesterClient.Validate ("invalid ingester_client config"), Worker.Validate ("invalid
// frontend_worker config"), Frontend.Validate ("invalid query-frontend config"), ..., AlertmanagerStorage.Validate
// ("invalid alertmanager storage config"), QueryScheduler.Validate ("invalid query-scheduler config"),
// UsageStats.Validate ("invalid usage stats config"), and Alertmanager.Validate ("invalid alertmanager config") only
// when -target=alertmanager. Each check below exists in both a 2.x version and main of its file, so Mimir 3.0 has it;
// checks added after 3.0 are left out (memberlist zone-aware routing, the only MemberlistKV.Validate check, is a
// 3.1.0 feature: CHANGELOG 3.1.0 "Memberlist: Add experimental support for zone-aware routing" #13129).
import { MimirRelease } from "../../lib/mimir";
import { RuleContext } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { parseDurationMs } from "../../lib/duration";

export interface ComponentFinding {
  where: string;
  value: unknown;
  /** Mimir's error, as the pod logs it. */
  error: string;
  fix: string;
  consequence?: string;
}

const PREFIX = "error validating config: ";

/** The effective value a values file gives a key (a flag in extraArgs, else structuredConfig); undefined when unset. */
function read(
  ctx: RuleContext<object>,
  mimir: MimirRelease,
  path: string,
): { value: unknown; where: string } | undefined {
  const found = mimir.setting(path);
  if (found === undefined) return undefined;
  if (isUnknown(found)) {
    ctx.inconclusive(found);
    return undefined;
  }
  if (found.where.startsWith("Mimir default") || found.value === undefined || found.value === null) return undefined;
  return { value: found.value, where: found.where };
}

const asNumber = (v: unknown): number | undefined =>
  typeof v === "number" ? v : typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : undefined;
const asBool = (v: unknown): boolean | undefined =>
  v === true || v === "true" ? true : v === false || v === "false" ? false : undefined;

// dskit grpcclient/grpcclient.go Config.Validate: supported compressors are gzip, snappy and "" plus the client's
// CustomCompressors (Mimir registers s2 on its clients, e.g. pkg/ruler/ruler.go RegisterFlags
// `cfg.ClientTLSConfig.CustomCompressors = []string{s2.Name}`); anything else is
// errors.Errorf("unsupported compression type: %q"). s2 is accepted for every client so that no valid value is refused.
const GRPC_COMPRESSIONS = ["", "gzip", "snappy", "s2"];
export const MIMIR_VALIDATED_GRPC_CLIENTS: ReadonlyArray<{ path: string; wrap: string }> = [
  // Ruler.Validate: errors.Wrap(cfg.ClientTLSConfig.Validate(), "invalid ruler gRPC client config").
  { path: "ruler.ruler_client.grpc_compression", wrap: "invalid ruler config: invalid ruler gRPC client config: " },
  // pkg/ingester/client/client.go Config.Validate validates its GRPCClientConfig.
  { path: "ingester_client.grpc_client_config.grpc_compression", wrap: "invalid ingester_client config: " },
  // pkg/querier/worker/worker.go Config.Validate: QueryFrontendGRPCClientConfig and QuerySchedulerGRPCClientConfig.
  { path: "frontend_worker.grpc_client_config.grpc_compression", wrap: "invalid frontend_worker config: " },
  {
    path: "frontend_worker.query_scheduler_grpc_client_config.grpc_compression",
    wrap: "invalid frontend_worker config: ",
  },
  // pkg/frontend/v2/frontend.go Config.Validate: `return cfg.GRPCClientConfig.Validate()`.
  { path: "frontend.grpc_client_config.grpc_compression", wrap: "invalid query-frontend config: " },
];

/** pkg/frontend/querymiddleware (and pkg/ruler remotequerier.go): allFormats = json, protobuf. */
const RESPONSE_FORMATS = ["json", "protobuf"];
/** pkg/storage/bucket/client.go SupportedBackends; the rule and alertmanager stores add "local" (ExtraBackends). */
const BUCKET_BACKENDS = ["s3", "gcs", "azure", "swift", "filesystem"];
/** pkg/storage/bucket/client.go validPrefixCharactersRegex. */
const STORAGE_PREFIX = /^[\da-zA-Z]+$/;
/** pkg/scheduler/schedulerdiscovery/config.go modes. */
const DISCOVERY_MODES = ["dns", "ring"];
/** pkg/usagestats/reporter.go: custom, helm, jsonnet. */
const INSTALLATION_MODES = ["custom", "helm", "jsonnet"];

function enumCheck(
  ctx: RuleContext<object>,
  mimir: MimirRelease,
  path: string,
  allowed: readonly string[],
  error: (v: string) => string,
  fix: string,
  consequence?: string,
): ComponentFinding[] {
  const found = read(ctx, mimir, path);
  if (!found || allowed.includes(String(found.value))) return [];
  return [{ ...found, error: PREFIX + error(String(found.value)), fix, consequence }];
}

function grpcClients(ctx: RuleContext<object>, mimir: MimirRelease): ComponentFinding[] {
  return MIMIR_VALIDATED_GRPC_CLIENTS.flatMap(({ path, wrap }) =>
    enumCheck(
      ctx,
      mimir,
      path,
      GRPC_COMPRESSIONS,
      (v) => `${wrap}unsupported compression type: ${JSON.stringify(v)}`,
      "use gzip, snappy (or s2) or leave it empty for no compression",
    ),
  );
}

/** pkg/ruler/ruler.go Config.Validate and pkg/ruler/remotequerier.go QueryFrontendConfig.Validate. */
function rulerChecks(ctx: RuleContext<object>, mimir: MimirRelease): ComponentFinding[] {
  const findings: ComponentFinding[] = [];
  // `limits.RulerTenantShardSize < 0` is errInvalidTenantShardSize (the default limits only: Ruler.Validate(c.LimitsConfig)).
  const shard = read(ctx, mimir, "limits.ruler_tenant_shard_size");
  const n = shard && asNumber(shard.value);
  if (shard && n !== undefined && n < 0) {
    findings.push({
      ...shard,
      error: `${PREFIX}invalid ruler config: invalid tenant shard size, the value must be greater or equal to 0`,
      fix: "use 0 (no shuffle sharding) or a positive shard size",
    });
  }
  findings.push(
    ...enumCheck(
      ctx,
      mimir,
      "ruler.query_frontend.query_result_response_format",
      RESPONSE_FORMATS,
      (v) =>
        `invalid ruler config: invalid ruler query-frontend config: unknown query result response format '${v}'. Supported values: ${RESPONSE_FORMATS.join(", ")}`,
      "use protobuf (the default) or json",
    ),
  );
  // errInnvalidRuleEvaluationConcurrencyMinDurationPercentage: `IndependentRuleEvaluationConcurrencyMinDurationPercentage < 0`.
  const pct = read(ctx, mimir, "ruler.independent_rule_evaluation_concurrency_min_duration_percentage");
  const p = pct && asNumber(pct.value);
  if (pct && p !== undefined && p < 0) {
    findings.push({
      ...pct,
      error: `${PREFIX}invalid ruler config: invalid tenant minimum duration percentage for rule evaluation concurrency, the value must be greater or equal to 0`,
      fix: "use a percentage of 0 or more (default 50)",
    });
  }
  return findings;
}

/**
 * pkg/ruler/rulestore/config.go Config.Validate and pkg/alertmanager/alertstore Config.Validate call bucket.Config.Validate
 * (pkg/storage/bucket/client.go): a backend outside SupportedBackends (+ "local") is ErrUnsupportedStorageBackend
 * ("unsupported storage backend"), a storage_prefix outside [0-9a-zA-Z]+ is ErrInvalidCharactersInStoragePrefix. The
 * blocks storage runs the same bucket.Config.Validate (BlocksStorageConfig.Validate, wrapped "invalid TSDB config").
 * common.storage is inherited by all three, so its backend must be one every store accepts.
 */
function storageChecks(ctx: RuleContext<object>, mimir: MimirRelease): ComponentFinding[] {
  const findings: ComponentFinding[] = [];
  const stores: ReadonlyArray<{ section: string; wrap: string; backends: string[] }> = [
    { section: "common.storage", wrap: "invalid rulestore config: ", backends: BUCKET_BACKENDS },
    { section: "ruler_storage", wrap: "invalid rulestore config: ", backends: [...BUCKET_BACKENDS, "local"] },
    {
      section: "alertmanager_storage",
      wrap: "invalid alertmanager storage config: ",
      backends: [...BUCKET_BACKENDS, "local"],
    },
    { section: "blocks_storage", wrap: "invalid TSDB config: ", backends: BUCKET_BACKENDS },
  ];
  for (const { section, wrap, backends } of stores) {
    findings.push(
      ...enumCheck(
        ctx,
        mimir,
        `${section}.backend`,
        backends,
        () => `${wrap}unsupported storage backend`,
        `use one of ${backends.join(", ")}`,
      ),
    );
    if (section === "common.storage") continue;
    const prefix = read(ctx, mimir, `${section}.storage_prefix`);
    if (prefix && prefix.value !== "" && !STORAGE_PREFIX.test(String(prefix.value))) {
      findings.push({
        ...prefix,
        error: `${PREFIX}${wrap}storage prefix contains invalid characters, it may only contain digits and English alphabet letters`,
        fix: "use only digits and English letters (no '/', '-', '_' or '.'), or leave it empty",
      });
    }
  }
  // rulestore Config.Validate's `cfg.Cache.Validate()` (Redis removed in 3.0.0, CHANGELOG #12163) is cacheChecks'.
  return findings;
}

/**
 * pkg/frontend/querymiddleware/roundtrip.go Config.Validate (identical in 2.x and the 3.x versions read):
 *   cache_results && split_queries_by_interval <= 0 -> "-query-frontend.cache-results may only be enabled in conjunction
 *   with -query-frontend.split-queries-by-interval. Please set the latter";
 *   cache_results || cache_errors || query_sharding_target_series_per_shard > 0 -> ResultsCache.Validate, wrapped
 *   "invalid query-frontend results cache config": backend outside supportedResultsCacheBackends (memcached only since
 *   3.0 removed Redis) is errUnsupportedResultsCacheBackend `"%w: %q, supported values: %v"` ("unsupported cache
 *   backend"), a compression other than "" / snappy is refused by cache.CompressionConfig.Validate (wording INFERRED);
 *   query_result_response_format outside json, protobuf -> "unknown query result response format '%s'. Supported values: %s".
 * The chart turns the results cache on with `results-cache.enabled` (its generated config sets cache_results and the
 * shard target then); split_queries_by_interval defaults to 24h (config descriptor).
 */
function frontendChecks(ctx: RuleContext<object>, mimir: MimirRelease): ComponentFinding[] {
  const findings: ComponentFinding[] = [];
  const wrap = "invalid query-frontend config: ";
  findings.push(
    ...enumCheck(
      ctx,
      mimir,
      "frontend.query_result_response_format",
      RESPONSE_FORMATS,
      (v) => `${wrap}unknown query result response format '${v}'. Supported values: ${RESPONSE_FORMATS.join(", ")}`,
      "use protobuf (the default) or json",
    ),
  );
  const chartCache = mimir.release.values.at("results-cache.enabled").boolean();
  if (isUnknown(chartCache)) {
    ctx.inconclusive(chartCache);
    return findings;
  }
  const cacheResults = read(ctx, mimir, "frontend.cache_results");
  const cacheErrors = read(ctx, mimir, "frontend.cache_errors");
  const target = read(ctx, mimir, "frontend.query_sharding_target_series_per_shard");
  const resultsOn = cacheResults !== undefined ? asBool(cacheResults.value) === true : chartCache === true;
  const validated =
    resultsOn ||
    asBool(cacheErrors?.value) === true ||
    (target !== undefined ? (asNumber(target.value) ?? 0) > 0 : chartCache === true);
  const split = read(ctx, mimir, "frontend.split_queries_by_interval");
  if (resultsOn && split) {
    const ms = typeof split.value === "string" ? parseDurationMs(split.value, "go") : asNumber(split.value);
    if (ms !== undefined && ms <= 0) {
      findings.push({
        ...split,
        error: `${PREFIX}${wrap}-query-frontend.cache-results may only be enabled in conjunction with -query-frontend.split-queries-by-interval. Please set the latter`,
        fix: "keep a positive split interval (default 24h) while the results cache is on, or turn frontend.cache_results off",
      });
    }
  }
  // newQueryTripperware (roundtrip.go) builds the results cache when `cfg.CacheResults ||
  // cfg.cardinalityBasedShardingEnabled()` (query_sharding_target_series_per_shard > 0: cardinality estimates are kept
  // in the results cache); newResultsCache returns errUnsupportedResultsCacheBackend(cfg.Backend) when
  // cache.CreateClient gives no client, which it does for the empty backend (dskit cache/cache.go CreateClient `case
  // "": return nil, nil`). Config.Validate lets the empty backend pass, so only the query-frontends fail, when they
  // build their round-tripper.
  const cache = effectiveCache(ctx, mimir, RESULTS_CACHE);
  if (cache === undefined) return findings;
  const targetOn = target !== undefined ? (asNumber(target.value) ?? 0) > 0 : chartCache === true;
  if ((resultsOn || targetOn) && cache.backend === "") {
    const because = resultsOn && cacheResults ? cacheResults : targetOn && target ? target : undefined;
    if (because)
      findings.push({
        ...because,
        error: `unsupported cache backend: "", supported values: [memcached]`,
        fix: `${because === target ? "query sharding sized by cardinality keeps its estimates in the results cache" : "the results cache needs a backend"}, and ${cache.chartWhere}, so the chart renders no frontend.results_cache: turn the chart's results cache on (results-cache.enabled: true renders the memcached backend, its addresses, cache_results and the shard target), point frontend.results_cache at a memcached (backend: memcached and memcached.addresses), or remove ${because === target ? "query_sharding_target_series_per_shard (0 shards by max_query_parallelism / query_sharding_total_shards)" : "frontend.cache_results"}`,
        consequence:
          "every query-frontend (and the ruler's query-frontend) exits at start-up when it builds the results cache (querymiddleware newQueryTripperware -> newResultsCache), so no query is answered and rules evaluated through the query-frontend fail",
      });
  }
  if (!validated) return findings;
  const cacheWrap = `${wrap}invalid query-frontend results cache config: `;
  findings.push(
    ...enumCheck(
      ctx,
      mimir,
      "frontend.results_cache.backend",
      ["", "memcached"],
      (v) => `${cacheWrap}unsupported cache backend: ${JSON.stringify(v)}, supported values: [memcached]`,
      "use memcached (Mimir 3.0 removed the Redis cache) or leave it empty",
    ),
    ...enumCheck(
      ctx,
      mimir,
      "frontend.results_cache.compression",
      ["", "snappy"],
      (v) => `${cacheWrap}unsupported compression type: ${v} (INFERRED wording)`,
      "use snappy or leave it empty",
    ),
    ...memcachedClientChecks(cache, `${cacheWrap}query-frontend results cache: `),
  );
  return findings;
}

// --- memcached-backed caches and the chart's cache StatefulSets ---
// dskit cache/memcached_client.go MemcachedClientConfig.Validate (grafana/dskit 0682988; both checks since 2023, so in
// the dskit Mimir 3.0 vendors): no addresses is ErrNoMemcachedAddresses "no memcached addresses provided",
// max_async_concurrency <= 0 is ErrMemcachedMaxAsyncConcurrencyNotPositive "max async concurrency must be positive".
// dskit cache/cache.go BackendConfig.Validate: a backend other than "" / memcached is `fmt.Errorf("unsupported cache
// backend: %s")`, memcached runs the client Validate. Mimir's Config.Validate (pkg/mimir/mimir.go) reaches each cache
// on every component whatever its -target:
// - frontend.results_cache (above): CombinedFrontendConfig.Validate -> querymiddleware Config.Validate, when
//   cache_results || cache_errors || query_sharding_target_series_per_shard > 0 -> ResultsCacheConfig.Validate
//   (results_cache.go: memcached -> errors.Wrap(Memcached.Validate(), "query-frontend results cache")), wrapped
//   "invalid query-frontend results cache config" and "invalid query-frontend config".
// - blocks_storage.bucket_store.{index,chunks,metadata}_cache: BlocksStorageConfig.Validate -> BucketStoreConfig.Validate
//   (pkg/storage/tsdb/config.go: errors.Wrap(..., "index-cache configuration" / "chunks-cache configuration" /
//   "metadata-cache configuration")), wrapped "invalid TSDB config"; IndexCacheConfig.Validate
//   (pkg/storage/tsdb/indexcache/config.go) refuses a backend outside inmemory / memcached ("unsupported index cache
//   backend", the empty string included: the default is inmemory) and validates the memcached BackendConfig;
//   ChunksCacheConfig / MetadataCacheConfig.Validate (caching_config.go) are BackendConfig.Validate.
// - ruler_storage.cache: rulestore Config.Validate (pkg/ruler/rulestore/config.go) `return cfg.Cache.Validate()`,
//   wrapped "invalid rulestore config".
// The chart renders each memcached backend with its addresses only when its cache is on (mimir-distributed values.yaml
// `mimir.config`, grafana/mimir 000dee8: `{{- if index .Values "chunks-cache" "enabled" }}` chunks_cache, index-cache
// index_cache, metadata-cache metadata_cache, results-cache results_cache with cache_results and the shard target;
// the 6.0.0 CI render data/mimir-distributed-6.0.0-dev.rendered-mimir-config.yaml also gives ruler_storage.cache the
// metadata-cache address); every `<x>-cache.enabled` defaults to false (values.yaml).

interface CacheSpec {
  /** The config block, e.g. blocks_storage.bucket_store.chunks_cache. */
  path: string;
  /** The chart section whose memcached StatefulSet the chart renders it from. */
  chart: string;
  /** Mimir's default backend ("" = no cache; the index cache is in-memory). */
  defaultBackend: string;
}

const RESULTS_CACHE: CacheSpec = { path: "frontend.results_cache", chart: "results-cache", defaultBackend: "" };
const VALIDATED_CACHES: ReadonlyArray<
  CacheSpec & { wrap: string; backends: string[]; unsupported: (v: string) => string }
> = [
  {
    path: "blocks_storage.bucket_store.index_cache",
    chart: "index-cache",
    defaultBackend: "inmemory",
    wrap: "invalid TSDB config: index-cache configuration: ",
    backends: ["inmemory", "memcached"],
    unsupported: () => "unsupported index cache backend",
  },
  {
    path: "blocks_storage.bucket_store.chunks_cache",
    chart: "chunks-cache",
    defaultBackend: "",
    wrap: "invalid TSDB config: chunks-cache configuration: ",
    backends: ["", "memcached"],
    unsupported: (v) => `unsupported cache backend: ${v}`,
  },
  {
    path: "blocks_storage.bucket_store.metadata_cache",
    chart: "metadata-cache",
    defaultBackend: "",
    wrap: "invalid TSDB config: metadata-cache configuration: ",
    backends: ["", "memcached"],
    unsupported: (v) => `unsupported cache backend: ${v}`,
  },
  {
    path: "ruler_storage.cache",
    chart: "metadata-cache",
    defaultBackend: "",
    wrap: "invalid rulestore config: ",
    backends: ["", "memcached"],
    unsupported: (v) => `unsupported cache backend: ${v}`,
  },
];

interface EffectiveCache {
  spec: CacheSpec;
  /** The backend Mimir runs with, and the values setting that chose it (undefined: the chart or Mimir's default). */
  backend: string;
  backendSet?: { value: unknown; where: string };
  /** How many memcached addresses it gets, and the values setting that gave them (undefined: the chart's, if on). */
  addresses: number;
  addressesSet?: { value: unknown; where: string };
  /** "results-cache.enabled is false (chart default)" or "... values.results-cache.enabled=false". */
  chartWhere: string;
  maxAsync?: { value: unknown; where: string };
}

/** A cache block as Mimir reads it: the values' settings over the chart's rendered block (when its cache is on). */
function effectiveCache(ctx: RuleContext<object>, mimir: MimirRelease, spec: CacheSpec): EffectiveCache | undefined {
  const node = mimir.release.values.at(`${spec.chart}.enabled`);
  const on = node.boolean();
  if (isUnknown(on)) {
    ctx.inconclusive(on);
    return undefined;
  }
  const chartOn = on === true;
  const chartWhere =
    on === undefined
      ? `${spec.chart}.enabled is false (mimir-distributed chart default)`
      : `${node.where}=${String(on)}`;
  const backendSet = read(ctx, mimir, `${spec.path}.backend`);
  const addressesSet = read(ctx, mimir, `${spec.path}.memcached.addresses`);
  const count = (v: unknown): number =>
    Array.isArray(v)
      ? v.filter((a) => String(a).trim() !== "").length
      : String(v)
          .split(",")
          .filter((a) => a.trim() !== "").length;
  return {
    spec,
    backend: backendSet ? String(backendSet.value) : chartOn ? "memcached" : spec.defaultBackend,
    backendSet,
    addresses: addressesSet ? count(addressesSet.value) : chartOn ? 1 : 0,
    addressesSet,
    chartWhere,
    maxAsync: read(ctx, mimir, `${spec.path}.memcached.max_async_concurrency`),
  };
}

/** dskit MemcachedClientConfig.Validate on a cache whose backend is memcached. */
function memcachedClientChecks(cache: EffectiveCache, wrap: string): ComponentFinding[] {
  if (cache.backend !== "memcached") return [];
  const findings: ComponentFinding[] = [];
  const { spec } = cache;
  if (cache.addresses === 0) {
    const at = cache.addressesSet ?? cache.backendSet;
    if (at)
      findings.push({
        ...at,
        error: `${PREFIX}${wrap}no memcached addresses provided`,
        fix: `${spec.path} ${cache.addressesSet ? "lists no memcached address" : "has the memcached backend but no memcached.addresses"}, and ${cache.chartWhere}, so the chart runs no ${spec.chart} memcached and renders no address for it: turn the chart's cache on (${spec.chart}.enabled: true; it renders the backend and the addresses of its StatefulSet), give ${spec.path}.memcached.addresses of a memcached you run, or remove ${spec.path}.backend`,
      });
  }
  const n = cache.maxAsync && asNumber(cache.maxAsync.value);
  if (cache.maxAsync && n !== undefined && n <= 0)
    findings.push({
      ...cache.maxAsync,
      error: `${PREFIX}${wrap}max async concurrency must be positive`,
      fix: "use 1 or more (default 50)",
    });
  return findings;
}

/** The store-gateway / querier caches and the ruler storage cache (see the block comment above). */
function cacheChecks(ctx: RuleContext<object>, mimir: MimirRelease): ComponentFinding[] {
  return VALIDATED_CACHES.flatMap((spec): ComponentFinding[] => {
    const found = read(ctx, mimir, `${spec.path}.backend`);
    if (found && !spec.backends.includes(String(found.value)))
      return [
        {
          ...found,
          error: `${PREFIX}${spec.wrap}${spec.unsupported(String(found.value))}`,
          fix: `use ${spec.backends.filter((b) => b !== "").join(" or ")}${spec.backends.includes("") ? " or leave it empty (no cache)" : ""} (Mimir 3.0 removed the Redis cache)`,
        },
      ];
    const cache = effectiveCache(ctx, mimir, spec);
    return cache ? memcachedClientChecks(cache, spec.wrap) : [];
  });
}

/**
 * pkg/scheduler/scheduler.go Config.Validate -> pkg/scheduler/schedulerdiscovery/config.go Config.Validate: the mode
 * must be dns or ring; max_used_instances > 0 only with ring; max_used_instances < 0 is refused.
 */
function schedulerChecks(ctx: RuleContext<object>, mimir: MimirRelease): ComponentFinding[] {
  const wrap = "invalid query-scheduler config: ";
  const findings = enumCheck(
    ctx,
    mimir,
    "query_scheduler.service_discovery_mode",
    DISCOVERY_MODES,
    () =>
      `${wrap}unsupported query-scheduler service discovery mode (supported values are: ${DISCOVERY_MODES.join(", ")})`,
    "use dns (the chart's headless-service addresses) or ring",
  );
  const max = read(ctx, mimir, "query_scheduler.max_used_instances");
  const n = max && asNumber(max.value);
  if (max && n !== undefined && n !== 0) {
    const mode = read(ctx, mimir, "query_scheduler.service_discovery_mode");
    const ring = mode !== undefined && mode.value === "ring";
    if (n < 0) {
      findings.push({
        ...max,
        error: `${PREFIX}${wrap}the query-scheduler max used instances can't be negative`,
        fix: "use 0 (all instances) or a positive count",
      });
    } else if (!ring) {
      findings.push({
        ...max,
        error: `${PREFIX}${wrap}the query-scheduler max used instances can be set only when -query-scheduler.service-discovery-mode is set to 'ring'`,
        fix: "remove it, or also set query_scheduler.service_discovery_mode: ring (and drop the chart's scheduler addresses)",
      });
    }
  }
  return findings;
}

/** pkg/usagestats/reporter.go Config.Validate: errors.Errorf("unsupported installation mode: %q"). The chart sets helm. */
function usageStatsChecks(ctx: RuleContext<object>, mimir: MimirRelease): ComponentFinding[] {
  return enumCheck(
    ctx,
    mimir,
    "usage_stats.installation_mode",
    INSTALLATION_MODES,
    (v) => `invalid usage stats config: unsupported installation mode: ${JSON.stringify(v)}`,
    "use helm (what the chart sets), jsonnet or custom",
  );
}

/**
 * pkg/alertmanager/multitenant.go MultitenantAlertmanagerConfig.Validate, run only with -target=alertmanager (the
 * chart's alertmanager pods; rendered unless alertmanager.enabled is false): external_url empty (errEmptyExternalURL),
 * not a path and missing a scheme or host, or a path ending in "/". The chart sets /alertmanager.
 */
function alertmanagerChecks(ctx: RuleContext<object>, mimir: MimirRelease): ComponentFinding[] {
  const enabled = mimir.release.values.at("alertmanager.enabled").boolean();
  if (isUnknown(enabled)) {
    ctx.inconclusive(enabled);
    return [];
  }
  if (enabled === false) return [];
  const url = read(ctx, mimir, "alertmanager.external_url");
  if (!url) return [];
  const text = String(url.value);
  const consequence = "every alertmanager pod exits, so no alert notification is sent";
  const finding = (error: string, fix: string): ComponentFinding[] => [
    { ...url, error: `${PREFIX}invalid alertmanager config: ${error}`, fix, consequence },
  ];
  if (text === "")
    return finding("-alertmanager.web.external-url cannot be empty", "use /alertmanager (the chart's value)");
  let path = text;
  if (!text.startsWith("/")) {
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/.exec(text);
    if (!m)
      return finding(
        "the configured external URL is invalid because it's missing the scheme (e.g. https://)",
        "give a full URL (https://host/alertmanager) or a path starting with /",
      );
    if (m[2] === "")
      return finding(
        "the configured external URL is invalid because it's missing the hostname",
        "give a full URL with a host (https://host/alertmanager) or a path starting with /",
      );
    path = m[3];
  }
  if (path.endsWith("/"))
    return finding(
      "the configured external URL is invalid: should not end with /",
      "drop the trailing / (e.g. /alertmanager)",
    );
  return [];
}

// --- S3 bucket clients (blocks, ruler and alertmanager stores, and the common.storage they inherit) ---
// Version read: grafana/mimir pkg/storage/bucket/s3/config.go at 096dc676 (signature versions v4/v2, SSE-KMS/SSE-S3,
// common.HTTPConfig) and bucket_client.go at 0d4371ce (newS3Config). The April 2025 config descriptor lists the same
// s3 keys (signature_version default v4, sse.type/kms_key_id/kms_encryption_context, bucket_lookup_type auto,
// list_objects_version, sts_endpoint), and CHANGELOG 2.17.0 to 3.1.x changes none of them, so Mimir 3.0 has these
// checks; a later main (config_test.go with SSE-C and no signature test) is not 3.0 and is not followed. The storage
// class, also in this Validate, is config-valid.ts's; `insecure` is S13's; static keys are S4's.
// - pkg/storage/bucket/client.go StorageBackendConfig.Validate calls S3.Validate only when the store's backend is s3.
// - Config.Validate, in order: signature_version outside [v4, v2] is errUnsupportedSignatureVersion "unsupported
//   signature version (supported values: v4, v2)"; a bucket_name equal to the endpoint's first dot-separated label is
//   errInvalidEndpointPrefix "the endpoint must not prefixed with the bucket name"; an sts_endpoint that fails
//   util.IsValidURL (url.Parse without error, Scheme and Host non-empty; pkg/util/url.go) is errInvalidSTSEndpoint
//   "sts-endpoint must be a valid url"; SSEConfig.Validate: a type other than "" / SSE-KMS / SSE-S3 is
//   errUnsupportedSSEType "unsupported S3 SSE type", a kms_encryption_context json.Unmarshal cannot read into
//   map[string]string is errInvalidSSEContext "invalid S3 SSE encryption context" (whatever the type).
// - bucket_lookup_type is a thanos-io/objstore s3.BucketLookupType: its UnmarshalYAML (and the flag's
//   bucketLookupTypeValue.Set) refuse anything but auto, virtual-hosted, path: "unsupported bucket lookup type: %s",
//   so the config file does not load.
// - When a component creates the bucket client (bucket_client.go NewBucketClient -> objstore
//   providers/s3/s3.go NewBucketWithConfig, unchanged since objstore 1d6b5f8, July 2022): validate() refuses an empty
//   endpoint ("no s3 endpoint in config file") and SSE-KMS without kms_key_id ("kms_key_id must be set if
//   sse_config.type is set to 'SSE-KMS'"); a list_objects_version other than "", v1, v2 is refused ("Initialize s3
//   client list objects version: Unsupported version %q was provided. Supported values are v1, v2"). Those pods exit.
// Mimir's common config: a store's own key wins, else common.storage's (YAML common, then the specific section,
// pkg/mimir/mimir.go ConfigWithCommon.UnmarshalYAML). Config.Validate checks RulerStorage, then BlocksStorage, ...,
// then AlertmanagerStorage, so an inherited common value is reported under the first store that uses it.

const S3_STORES: ReadonlyArray<{ store: string; wrap: string; users: string }> = [
  { store: "ruler_storage", wrap: "invalid rulestore config: ", users: "rulers" },
  {
    store: "blocks_storage",
    wrap: "invalid TSDB config: ",
    users: "ingesters, store-gateways, the compactor and queriers",
  },
  { store: "alertmanager_storage", wrap: "invalid alertmanager storage config: ", users: "alertmanagers" },
];
/** pkg/storage/bucket/s3/config.go supportedSignatureVersions. */
const MIMIR_SIGNATURE_VERSIONS = ["v4", "v2"];
/** pkg/storage/bucket/s3/config.go supportedSSETypes. */
const MIMIR_SSE_TYPES = ["SSE-KMS", "SSE-S3"];
/** thanos-io/objstore providers/s3 BucketLookupType strings. */
export const S3_BUCKET_LOOKUP_TYPES = ["auto", "virtual-hosted", "path"];
/** S3 bucket names: 3-63 characters of a-z, 0-9, '.', '-' (S3 User Guide, bucket naming rules). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Go util.IsValidURL: url.Parse succeeds with a scheme and a host. Conservative: only a certain failure is false. */
export function certainlyNotUrl(text: string): boolean {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)/.exec(text);
  if (!m) return true; // no scheme://: Scheme or Host is empty
  return m[2].replace(/^[^@]*@/, "") === ""; // "https://" or "https://user@": no host
}

/** Whether Go's json.Unmarshal of `text` into map[string]string fails (a JSON object of strings, or null). */
export function notStringMap(text: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return true;
  }
  if (parsed === null) return false;
  if (typeof parsed !== "object" || Array.isArray(parsed)) return true;
  return Object.values(parsed as Record<string, unknown>).some((v) => v !== null && typeof v !== "string");
}

/** Whether the endpoint's first dot-separated label is the bucket name (errInvalidEndpointPrefix). */
export function endpointPrefixedWithBucket(endpoint: string, bucket: string): boolean {
  const first = endpoint.split(".")[0];
  return bucket !== "" && first !== "" && first === bucket;
}

function s3ClientChecks(ctx: RuleContext<object>, mimir: MimirRelease): ComponentFinding[] {
  // One finding per setting (an inherited common.storage value is reported once, under the first store using it).
  const found = new Map<string, ComponentFinding & { stores: string[] }>();
  const add = (f: ComponentFinding, store: string, key: string) => {
    const id = `${f.where}|${key}`;
    const seen = found.get(id);
    if (seen) seen.stores.push(store);
    else found.set(id, { ...f, stores: [store] });
  };
  for (const { store, wrap, users } of S3_STORES) {
    const backend = read(ctx, mimir, `${store}.backend`) ?? read(ctx, mimir, "common.storage.backend");
    if (String(backend?.value ?? "filesystem") !== "s3") continue;
    const key = (k: string) => read(ctx, mimir, `${store}.s3.${k}`) ?? read(ctx, mimir, `common.storage.s3.${k}`);
    const atStartup = `the ${users} exit at start-up when they create the ${store} bucket client, so that store can be neither written nor read`;
    const signature = key("signature_version");
    if (signature && !MIMIR_SIGNATURE_VERSIONS.includes(String(signature.value))) {
      add(
        {
          ...signature,
          error: `${PREFIX}${wrap}unsupported signature version (supported values: ${MIMIR_SIGNATURE_VERSIONS.join(", ")})`,
          fix: "use v4 (the default) or remove the key",
        },
        store,
        "signature",
      );
    }
    const endpoint = key("endpoint");
    const endpointText = endpoint ? String(endpoint.value) : "";
    const firstLabel = endpointText.split(".")[0];
    // Only an endpoint whose first label could be a bucket name needs the (possibly not yet known) bucket name.
    if (endpoint && BUCKET_NAME.test(firstLabel) && endpointText.includes(".")) {
      const bucket = key("bucket_name");
      if (bucket && typeof bucket.value === "string" && endpointPrefixedWithBucket(endpointText, bucket.value)) {
        add(
          {
            ...endpoint,
            error: `${PREFIX}${wrap}the endpoint must not prefixed with the bucket name`,
            fix: `give the regional endpoint without the bucket (e.g. s3.<region>.amazonaws.com); the bucket is ${store}.s3.bucket_name (${bucket.value})`,
          },
          store,
          "endpoint-prefix",
        );
      }
    }
    if (endpoint && endpointText === "") {
      // An explicit empty endpoint (the store's own key overrides the common one): objstore validate() refuses it.
      add(
        {
          ...endpoint,
          error: "no s3 endpoint in config file",
          fix: "remove the empty endpoint so the common regional endpoint (s3.<region>.amazonaws.com) applies",
          consequence: atStartup,
        },
        store,
        "endpoint-empty",
      );
    }
    const sts = key("sts_endpoint");
    if (sts && String(sts.value) !== "" && certainlyNotUrl(String(sts.value))) {
      add(
        {
          ...sts,
          error: `${PREFIX}${wrap}sts-endpoint must be a valid url`,
          fix: `give a full URL with its scheme (https://${String(sts.value)
            .replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
            .replace(/^\/+/, "")}) or remove it (the default STS endpoint)`,
        },
        store,
        "sts",
      );
    }
    const sseType = key("sse.type");
    const sseText = sseType ? String(sseType.value) : "";
    if (sseType && sseText !== "" && !MIMIR_SSE_TYPES.includes(sseText)) {
      add(
        {
          ...sseType,
          error: `${PREFIX}${wrap}unsupported S3 SSE type`,
          fix: "use SSE-KMS or SSE-S3 (Mimir 3.0 has no SSE-C), or remove it: the stack's buckets encrypt with their KMS key by default",
        },
        store,
        "sse-type",
      );
    }
    const context = key("sse.kms_encryption_context");
    if (context && typeof context.value === "string" && context.value !== "" && notStringMap(context.value)) {
      add(
        {
          ...context,
          error: `${PREFIX}${wrap}invalid S3 SSE encryption context`,
          fix: 'give a JSON object of strings, quoted as one YAML string (e.g. \'{"team":"observability"}\'), or remove it',
        },
        store,
        "sse-context",
      );
    }
    if (sseText === "SSE-KMS") {
      const keyId = key("sse.kms_key_id");
      if (!keyId || String(keyId.value) === "") {
        add(
          {
            ...(keyId ?? sseType!),
            error: "kms_key_id must be set if sse_config.type is set to 'SSE-KMS'",
            fix: "set sse.kms_key_id to the KMS key ARN next to sse.type SSE-KMS, or remove sse.type (the buckets encrypt with their KMS key by default)",
            consequence: atStartup,
          },
          store,
          "sse-kms-key",
        );
      }
    }
    const lookup = key("bucket_lookup_type");
    if (lookup && !S3_BUCKET_LOOKUP_TYPES.includes(String(lookup.value))) {
      add(
        {
          ...lookup,
          error: `error loading config: unsupported bucket lookup type: ${String(lookup.value)}`,
          fix: `use ${S3_BUCKET_LOOKUP_TYPES.join(", ")} (default auto; AWS S3 works with auto or virtual-hosted)`,
        },
        store,
        "lookup",
      );
    }
    const list = key("list_objects_version");
    if (list && !["", "v1", "v2"].includes(String(list.value))) {
      add(
        {
          ...list,
          error: `Initialize s3 client list objects version: Unsupported version ${JSON.stringify(String(list.value))} was provided. Supported values are v1, v2`,
          fix: "use v2 or v1, or remove it (the client's default)",
          consequence: atStartup,
        },
        store,
        "list-version",
      );
    }
  }
  return [...found.values()].map(({ stores, ...f }) =>
    stores.length > 1 ? { ...f, where: `${f.where} (inherited by ${stores.join(", ")})` } : f,
  );
}

export function componentChecks(ctx: RuleContext<object>, mimir: MimirRelease): ComponentFinding[] {
  return [
    ...storageChecks(ctx, mimir),
    ...s3ClientChecks(ctx, mimir),
    ...rulerChecks(ctx, mimir),
    ...grpcClients(ctx, mimir),
    ...frontendChecks(ctx, mimir),
    ...cacheChecks(ctx, mimir),
    ...schedulerChecks(ctx, mimir),
    ...usageStatsChecks(ctx, mimir),
    ...alertmanagerChecks(ctx, mimir),
  ];
}
