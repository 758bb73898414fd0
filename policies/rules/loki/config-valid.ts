// L10 (HARD at start-up): Loki validates its whole configuration before any module starts (Loki 3.7.6
// pkg/loki/loki.go Config.Validate; cmd/loki/main.go logs `msg="validating config" err=...` and exits 1), each section's
// error wrapped as "CONFIG ERROR: invalid <section> config: ...". A value that breaks one stops every Loki pod. Tenants
// of the runtime config go through the same Limits.Validate (pkg/loki/runtime_config.go runtimeConfigValues.validate:
// "invalid override for tenant %s: %w"); the runtime-config module fails to start when its file does not load
// (dskit runtimeconfig Manager.starting: "failed to load runtime config"), so at start-up every pod fails too, and a
// running Loki keeps its old overrides and ignores every later change to the file (loadConfig errors on each reload).
// A tenant inherits the defaults it omits (Limits.UnmarshalYAML starts from the default limits), so a tenant is judged
// on the keys it sets; a bad default is reported once, as the default.
//
// Covered (what the loki chart 18.11.0 renders from loki.structuredConfig and loki.<section> values, and
// loki.runtimeConfig.overrides.<tenant>):
// - limits_config, Limits.Validate (pkg/validation/limits.go): deletion_mode (deletionmode.ParseMode), the OTLP
//   scope_attributes action (push.OTLPConfig.Validate), tsdb_sharding_strategy (logql.ParseShardVersion),
//   bloom_block_encoding (compression.ParseCodec), tsdb_max_bytes_per_shard > 0,
//   engine_results_cache_time_bucket_interval >= 1m. retention_stream periods and allow_structured_metadata are R5's.
// - ingester, Config.Validate and WALConfig.Validate (pkg/ingester/ingester.go, wal.go): chunk_encoding, WAL
//   checkpoint_duration and disk_full_threshold, flush_op_backoff, flush_op_timeout, index_shards.
// - distributor (pkg/distributor/distributor.go): kafka or ingester writes enabled.
// - querier (pkg/querier/querier.go), query_range (pkg/querier/queryrange/queryrangebase/roundtrip.go), frontend_worker
//   (pkg/querier/worker/worker.go), pattern_ingester (pkg/pattern/ingester.go), compactor (pkg/compactor/config.go,
//   jobqueue/worker.go; retention_enabled without delete_request_store is R4's).
// - ruler (pkg/ruler/config.go Config.Validate, RemoteWriteConfig.Validate): remote_write enabled with a client URL.
// - limits_config label selectors of retention_stream and policy_stream_mapping (Limits.Validate,
//   PolicyStreamMapping.Validate: syntax.ParseMatchers(selector, true)), conservatively: only what certainly fails
//   to parse (no braces, unbalanced quotes, no matcher, trailing pipeline, every matcher matching the empty value).
// - object storage clients (storageChecks below): the aws S3 client's signature version (v4 only) and SSE, the thanos
//   S3 client's endpoint prefix, STS endpoint, SSE and bucket lookup type, through every values path that reaches them.
// - bloom_gateway and bloom_build (pkg/bloomgateway/config.go, pkg/bloombuild/config.go): enabled while the client
//   address the chart renders is empty (bloomChecks; the chart's address helpers are modelled in policies/lib/loki.ts
//   LOKI_CHART_ADDRESSES).
// - config compatibility (pkg/loki/config_compat.go ValidateConfigCompatibility, compatChecks below): the ingesters'
//   index_shards a power of two when a schema period uses the TSDB index, query_range.shard_aggregations only with
//   frontend.encoding protobuf.
// - schema periods' object_store under use_thanos_objstore (pkg/loki/validation.go validateSchemaValues) and the thanos
//   S3 client's endpoint, which the chart renders null (storageChecks).
// Not covered: schema_config (L4, R5), the row_shards divisibility of non-TSDB periods, the S3 storage class (L8), ring num_tokens/replication_factor of the
// scheduler, compactor and index gateway (the program refuses those keys, absent from Loki's config reference), the
// ruler's remote_write client settings beyond the URL, the other bloom and kafka settings (off in this stack), and a full
// LogQL parse of selectors.
import { formatDuration, parseDurationMs } from "../../lib/duration";
import { LOKI_CHART_ADDRESSES, LokiRelease, lokiReleases } from "../../lib/loki";
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { lokiByteSize } from "./wal-replay-fits-memory";
import {
  certainlyNotUrl,
  endpointPrefixedWithBucket,
  notStringMap,
  S3_BUCKET_LOOKUP_TYPES,
} from "../mimir/config-valid-components";

/** Chart 18.11.0 values.yaml `loki.config`: `{{- with .Values.loki.<section> }} <section>: ...`. */
const VALUES_OF: Readonly<Record<string, string>> = {
  limits_config: "loki.limits_config",
  ingester: "loki.ingester",
  compactor: "loki.compactor",
  distributor: "loki.distributor",
  querier: "loki.querier",
  query_range: "loki.query_range",
  pattern_ingester: "loki.pattern_ingester",
  frontend_worker: "loki.frontend_worker",
  bloom_gateway: "loki.bloom_gateway",
  bloom_build: "loki.bloom_build",
  frontend: "loki.frontend",
};

/** pkg/compactor/deletionmode/mode.go AllModes. */
export const LOKI_DELETION_MODES = ["disabled", "filter-only", "filter-and-delete"] as const;
/** pkg/logql/shards.go validStrategies (PowerOfTwoVersion, BoundedVersion). */
const SHARD_VERSIONS = ["power_of_two", "bounded"] as const;
/** pkg/compression/codec.go supportedCodecs, in order; ParseCodec compares with strings.EqualFold. */
const CODECS = ["none", "gzip", "lz4-64k", "snappy", "lz4-256k", "lz4-1M", "lz4", "flate", "zstd"] as const;
const CODEC_ERROR = (raw: string) => `invalid encoding: ${raw}, supported: ${CODECS.join(", ")}`;

interface Finding {
  node: PropNode;
  /** Loki's error text, without the section or tenant wrapping. */
  error: string;
  fix: string;
}

interface Scope {
  /** Set keys of the section (undefined when unset, unknown recorded as inconclusive). */
  key(path: string): PropNode | undefined;
}

function present(ctx: RuleContext<object>, node: PropNode): PropNode | undefined {
  if (node.isUnknown) {
    ctx.inconclusive(node.unknown());
    return undefined;
  }
  return node.isPresent ? node : undefined;
}

/** A config section as Loki reads it: loki.structuredConfig.<section> merged over the chart's loki.<section> values. */
function section(ctx: RuleContext<object>, loki: LokiRelease, name: string): Scope {
  return {
    key: (path) =>
      present(ctx, loki.values.at(`loki.structuredConfig.${name}.${path}`)) ??
      (VALUES_OF[name] ? present(ctx, loki.values.at(`${VALUES_OF[name]}.${path}`)) : undefined),
  };
}

/**
 * The ruler section: loki.structuredConfig.ruler (merged whatever ruler.enabled), then loki.rulerConfig, which
 * chart 18.11.0 renders only while ruler.enabled (default true): templates/_helpers.tpl "loki.rulerConfig",
 * values.yaml `{{- if .Values.ruler.enabled }} {{ include "loki.rulerConfig" . }}`. Loki's Config.Validate checks the
 * ruler section in every pod whatever its target (pkg/loki/loki.go: "CONFIG ERROR: invalid ruler config").
 */
function rulerSection(ctx: RuleContext<object>, loki: LokiRelease): Scope {
  const rulerEnabled = present(ctx, loki.values.at("ruler.enabled"));
  const rendered = !rulerEnabled || bool(rulerEnabled.raw()) !== false;
  return {
    key: (path) =>
      present(ctx, loki.values.at(`loki.structuredConfig.ruler.${path}`)) ??
      (rendered ? present(ctx, loki.values.at(`loki.rulerConfig.${path}`)) : undefined),
  };
}

function integer(raw: unknown): number | undefined {
  if (typeof raw === "number" && Number.isInteger(raw)) return raw;
  if (typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw)) return Number(raw);
  return undefined;
}

function float(raw: unknown): number | undefined {
  if (typeof raw === "number" && Number.isFinite(raw)) return raw;
  if (typeof raw === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(raw)) return Number(raw);
  return undefined;
}

function bool(raw: unknown): boolean | undefined {
  if (typeof raw === "boolean") return raw;
  return raw === "true" ? true : raw === "false" ? false : undefined;
}

/** A Go time.Duration field (yaml.v2 decodes a string with time.ParseDuration; an int as nanoseconds). */
function goMs(raw: unknown): number | undefined {
  if (typeof raw === "number") return raw / 1e6;
  return typeof raw === "string" ? parseDurationMs(raw, "go") : undefined;
}

// --- limits_config: Limits.Validate (defaults and every tenant) ---

function limitsChecks(scope: Scope): Finding[] {
  const findings: Finding[] = [];
  const mode = scope.key("deletion_mode");
  if (mode && typeof mode.raw() === "string" && !(LOKI_DELETION_MODES as readonly unknown[]).includes(mode.raw())) {
    findings.push({
      node: mode,
      error: `unknown deletion mode: must be one of ${LOKI_DELETION_MODES.join("|")}`,
      fix: `use one of ${LOKI_DELETION_MODES.join(", ")} (hyphens, default filter-and-delete)`,
    });
  }
  const strategy = scope.key("tsdb_sharding_strategy");
  if (
    strategy &&
    typeof strategy.raw() === "string" &&
    !(SHARD_VERSIONS as readonly unknown[]).includes(strategy.raw())
  ) {
    findings.push({
      node: strategy,
      error: `invalid tsdb sharding strategy: invalid shard version ${String(strategy.raw())}`,
      fix: `use ${SHARD_VERSIONS.join(" or ")} (default power_of_two)`,
    });
  }
  const encoding = scope.key("bloom_block_encoding");
  if (encoding && typeof encoding.raw() === "string") {
    const text = encoding.raw() as string;
    if (!CODECS.some((c) => c.toLowerCase() === text.toLowerCase())) {
      findings.push({
        node: encoding,
        error: CODEC_ERROR(text),
        fix: `use one of ${CODECS.join(", ")} (default none)`,
      });
    }
  }
  const shard = scope.key("tsdb_max_bytes_per_shard");
  if (shard && lokiByteSize(shard.raw()) === 0) {
    findings.push({
      node: shard,
      error: "querier.tsdb-max-bytes-per-shard must be greater than 0",
      fix: "use a positive size (default 600MB)",
    });
  }
  const bucket = scope.key("engine_results_cache_time_bucket_interval");
  if (bucket && typeof bucket.raw() === "string") {
    // model.Duration (Prometheus format); a text it cannot parse is left to the parser's own error.
    const ms = parseDurationMs(bucket.raw() as string, "prometheus");
    if (ms !== undefined && ms < 60_000) {
      findings.push({
        node: bucket,
        error: `engine_results_cache_time_bucket_interval must be >= 1m, got ${String(bucket.raw())}`,
        fix: "use 1m or more (default 24h)",
      });
    }
  }
  const scopeAttributes = scope.key("otlp_config.scope_attributes");
  const items = scopeAttributes && Array.isArray(scopeAttributes.raw()) ? scopeAttributes.items() : undefined;
  if (items && !isUnknown(items)) {
    for (const item of items) {
      const action = item.get("action");
      if (action.raw() === "index_label") {
        findings.push({
          node: action,
          error: "index_label action is only supported for resource_attributes",
          fix: "use structured_metadata or drop for scope_attributes; index labels come from resource_attributes",
        });
      }
    }
  }
  findings.push(...selectorChecks(scope));
  return findings;
}

// --- label selectors (syntax.ParseMatchers with validation, pkg/logql/syntax/parser.go) ---

/** pkg/logql/syntax/parser.go errAtleastOneEqualityMatcherRequired (validateMatchers). */
const EMPTY_MATCHERS_ERROR =
  'queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will';

/**
 * Why `selector` certainly fails syntax.ParseMatchers(selector, true), else undefined. Conservative: only a
 * selector that does not start with `{`, has an unterminated quoted string, no closing `}`, nothing or anything
 * but matchers inside (`{}`), text after the `}` (a pipeline: "only label matchers are supported",
 * logqlmodel.ErrParseMatchers), or only matchers that match the empty value (validateMatchers). Any other text is
 * left to Loki, never refused.
 */
export function selectorProblem(selector: string): string | undefined {
  const text = selector.trim();
  if (!text.startsWith("{")) return 'a stream selector must be enclosed in braces, e.g. {namespace="dev"}';
  let quote: string | undefined;
  let close = -1;
  for (let i = 1; i < text.length && close < 0; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "`") quote = c;
    else if (c === "}") close = i;
  }
  if (quote) return `unterminated quoted string (${quote})`;
  if (close < 0) return "no closing brace";
  if (text.slice(close + 1).trim() !== "")
    return `text after the closing brace ("${text.slice(close + 1).trim()}"): only label matchers are supported`;
  const inner = text.slice(1, close).trim();
  if (inner === "") return "no label matcher between the braces";
  // Split on commas outside quotes; judge emptiness only when every matcher has the simple form.
  const parts: string[] = [];
  let current = "";
  quote = undefined;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quote) {
      if (c === "\\" && quote === '"') {
        current += c + (inner[i + 1] ?? "");
        i++;
        continue;
      }
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "`") quote = c;
    else if (c === ",") {
      parts.push(current);
      current = "";
      continue;
    }
    current += c;
  }
  parts.push(current);
  const matcher = /^\s*[A-Za-z_][A-Za-z0-9_]*\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)\s*$/;
  const parsed = parts.map((part) => matcher.exec(part));
  if (parsed.some((m) => m === null)) return undefined;
  const matchesEmpty = (m: RegExpExecArray) => {
    const value = m[2].slice(1, -1);
    if (m[1] === "=") return value === "";
    if (m[1] === "!=") return value !== "";
    if (m[1] === "=~") return value === "" || value === ".*";
    return false; // !~: depends on the regexp; never refused
  };
  if ((parsed as RegExpExecArray[]).every(matchesEmpty)) return EMPTY_MATCHERS_ERROR;
  return undefined;
}

function selectorChecks(scope: Scope): Finding[] {
  const findings: Finding[] = [];
  const judge = (item: PropNode, wrap: string) => {
    const selector = item.get("selector");
    const raw = selector.raw();
    if (isUnknown(raw) || typeof raw !== "string") return;
    const problem = selectorProblem(raw);
    if (problem)
      findings.push({
        node: selector,
        error:
          problem === EMPTY_MATCHERS_ERROR
            ? `${wrap}: parse error : ${problem}` // logqlmodel ParseError.Error at line 0, col 0
            : `${wrap}: parse error: ${problem} (Loki's parser words it differently; the selector cannot parse)`,
        fix: 'write the selector as a LogQL stream selector in braces with at least one matcher that does not match the empty value, e.g. {namespace="audit"}, quoted in YAML',
      });
  };
  const streams = scope.key("retention_stream");
  const items = streams ? streams.items() : undefined;
  if (items && !isUnknown(items)) for (const item of items) judge(item, "invalid labels matchers");
  const mapping = scope.key("policy_stream_mapping");
  const policies = mapping ? mapping.entries() : undefined;
  if (policies && !isUnknown(policies)) {
    for (const [, list] of policies) {
      const entries = list.items();
      if (entries && !isUnknown(entries))
        for (const item of entries) judge(item, "invalid labels matchers for policy stream mapping");
    }
  }
  return findings;
}

// --- ruler: Config.Validate -> RemoteWriteConfig.Validate (pkg/ruler/config.go, Loki 3.7.6) ---

function rulerChecks(scope: Scope): Finding[] {
  const enabled = scope.key("remote_write.enabled");
  if (!enabled || bool(enabled.raw()) !== true) return [];
  const clientUrl = scope.key("remote_write.client.url");
  const clients = scope.key("remote_write.clients");
  const entries = clients ? clients.entries() : undefined;
  if (entries !== undefined && isUnknown(entries)) return [];
  // (c.Client == nil || c.Client.URL == nil) && len(c.Clients) == 0
  if (!clientUrl && (entries ?? []).length === 0) {
    return [
      {
        node: enabled,
        error: "invalid ruler remote-write config: remote-write enabled but no clients URL are configured",
        fix: "add ruler.remote_write.clients.<id>.url (the Prometheus-compatible write endpoint for recording rules), or set remote_write.enabled to false",
      },
    ];
  }
  const findings: Finding[] = [];
  for (const [id, client] of entries ?? []) {
    const url = client.get("url");
    if (url.isUnknown) continue;
    if (!url.isPresent || url.raw() === null || url.raw() === "") {
      findings.push({
        node: client,
        error: `invalid ruler remote-write config: remote-write enabled but client '${String(client.get("name").raw() ?? "")}' URL for tenant ${id} is not configured`,
        fix: `set ruler.remote_write.clients.${id}.url, or remove that client`,
      });
    }
  }
  return findings;
}

// --- ingester: Config.Validate, WALConfig.Validate ---

function ingesterChecks(scope: Scope): Finding[] {
  const findings: Finding[] = [];
  const encoding = scope.key("chunk_encoding");
  if (encoding && typeof encoding.raw() === "string") {
    const text = encoding.raw() as string;
    if (!CODECS.some((c) => c.toLowerCase() === text.toLowerCase())) {
      findings.push({
        node: encoding,
        error: CODEC_ERROR(text),
        fix: `use one of ${CODECS.join(", ")} (default gzip)`,
      });
    }
  }
  // `cfg.Enabled && cfg.CheckpointDuration < 1` (wal.enabled default true).
  const walEnabled = scope.key("wal.enabled");
  const checkpoint = scope.key("wal.checkpoint_duration");
  if (checkpoint && bool(walEnabled?.raw()) !== false) {
    const ms = goMs(checkpoint.raw());
    if (ms !== undefined && ms <= 0) {
      findings.push({
        node: checkpoint,
        error: `invalid checkpoint duration: ${String(checkpoint.raw())}`,
        fix: "use a positive duration (default 5m)",
      });
    }
  }
  const disk = scope.key("wal.disk_full_threshold");
  const threshold = disk ? float(disk.raw()) : undefined;
  if (disk && threshold !== undefined && (threshold < 0 || threshold > 1)) {
    findings.push({
      node: disk,
      error: `invalid disk full threshold: ${threshold} (must be between 0 and 1)`,
      fix: "use a fraction from 0 (no throttling) to 1 (default 0.9)",
    });
  }
  // FlushOpBackoff defaults: min_period 10s, max_period 1m, max_retries 10; flush_op_timeout 10m (RegisterFlags).
  const minNode = scope.key("flush_op_backoff.min_period");
  const maxNode = scope.key("flush_op_backoff.max_period");
  const min = minNode ? goMs(minNode.raw()) : 10_000;
  const max = maxNode ? goMs(maxNode.raw()) : 60_000;
  if ((minNode || maxNode) && min !== undefined && max !== undefined && min > max) {
    findings.push({
      node: (minNode ?? maxNode)!,
      error: "invalid flush op min backoff: cannot be larger than max backoff",
      fix: `keep flush_op_backoff.min_period (${minNode ? String(minNode.raw()) : "10s"}) <= max_period (${maxNode ? String(maxNode.raw()) : "1m"})`,
    });
  }
  const retries = scope.key("flush_op_backoff.max_retries");
  const retryCount = retries ? integer(retries.raw()) : undefined;
  if (retries && retryCount !== undefined && retryCount <= 0) {
    findings.push({
      node: retries,
      error: `invalid flush op max retries: ${retryCount}`,
      fix: "use 1 or more (default 10)",
    });
  }
  const timeout = scope.key("flush_op_timeout");
  const timeoutMs = timeout ? goMs(timeout.raw()) : undefined;
  if (timeout && timeoutMs !== undefined && timeoutMs <= 0) {
    findings.push({
      node: timeout,
      error: `invalid flush op timeout: ${String(timeout.raw())}`,
      fix: "use a positive duration (default 10m)",
    });
  }
  const shards = scope.key("index_shards");
  const shardCount = shards ? integer(shards.raw()) : undefined;
  if (shards && shardCount !== undefined && shardCount <= 0) {
    findings.push({
      node: shards,
      error: `invalid ingester index shard factor: ${shardCount}`,
      fix: "use a positive factor that every schema's shard factor divides (default 32)",
    });
  }
  return findings;
}

// --- config compatibility: pkg/loki/config_compat.go ValidateConfigCompatibility (Loki 3.7.6, run by Config.Validate) ---

/** pkg/ingester/index/index.go DefaultIndexShards (-ingester.index-shards). */
const LOKI_DEFAULT_INDEX_SHARDS = 32;

function compatChecks(ctx: RuleContext<object>, loki: LokiRelease): StorageFinding[] {
  const findings: StorageFinding[] = [];
  // ensureInvertedIndexShardingCompatibility: a period with the TSDB index runs index.ValidateBitPrefixShardFactor
  // (pkg/ingester/index/bitprefix.go: `1<<requiredBits != factor` -> "incompatible inverted index shard factor on
  // ingester: It must be a power of two, got %d"). The flag's help text ("MUST be evenly divisible by ALL schema shard
  // factors") describes the older non-TSDB indexes only. A factor <= 0 is the ingester section's own error.
  const shards = section(ctx, loki, "ingester").key("index_shards");
  const factor = shards ? integer(shards.raw()) : undefined;
  const periods = loki.schemaConfigs();
  if (periods !== undefined && isUnknown(periods)) ctx.inconclusive(periods);
  const tsdb = periods !== undefined && !isUnknown(periods) && periods.some((p) => p.get("store").raw() === "tsdb");
  if (shards && factor !== undefined && factor > 0 && tsdb && (factor & (factor - 1)) !== 0) {
    const lower = 2 ** Math.floor(Math.log2(factor));
    findings.push({
      node: shards,
      error: `incompatible inverted index shard factor on ingester: It must be a power of two, got ${factor}`,
      fix: `use a power of two (${lower} or ${lower * 2}; default ${LOKI_DEFAULT_INDEX_SHARDS}): with a tsdb schema period the factor must be a power of two, whatever the flag's help text says`,
      consequence: EVERY_POD,
    });
  }
  // ensureProtobufEncodingForAggregationSharding: `len(c.QueryRange.ShardAggregations) > 0 &&
  // c.Frontend.FrontendV2.Encoding != "protobuf"` -> "shard_aggregation requires frontend.encoding=protobuf".
  // frontend.encoding defaults to json (pkg/lokifrontend/frontend/v2/frontend.go -frontend.encoding); chart 18.11.0
  // renders loki.frontend as the frontend section (values.yaml `{{- with .Values.loki.frontend }}`) and sets only
  // scheduler_address and tail_proxy_url there.
  const aggregations = section(ctx, loki, "query_range").key("shard_aggregations");
  const raw = aggregations?.raw();
  const nonEmpty = Array.isArray(raw) ? raw.length > 0 : typeof raw === "string" && raw.trim() !== "";
  if (aggregations && nonEmpty) {
    const encoding = section(ctx, loki, "frontend").key("encoding");
    if (!encoding || encoding.raw() !== "protobuf") {
      findings.push({
        node: aggregations,
        error: "shard_aggregation requires frontend.encoding=protobuf",
        fix: `set loki.frontend.encoding (or loki.structuredConfig.frontend.encoding) to protobuf${encoding ? ` (it is ${shown(encoding)} at ${encoding.where})` : " (Loki's default is json)"}, or drop shard_aggregations`,
        consequence: EVERY_POD,
      });
    }
  }
  return findings;
}

// --- the other sections ---

function distributorChecks(scope: Scope): Finding[] {
  // `!cfg.KafkaEnabled && !cfg.IngesterEnabled` (kafka_writes_enabled default false, ingester_writes_enabled true).
  const ingesterWrites = scope.key("ingester_writes_enabled");
  const kafkaWrites = scope.key("kafka_writes_enabled");
  if (!ingesterWrites || bool(ingesterWrites.raw()) !== false || bool(kafkaWrites?.raw()) === true) return [];
  return [
    {
      node: ingesterWrites,
      error: "at least one of kafka and ingestor writes must be enabled",
      fix: "keep distributor.ingester_writes_enabled true (default) unless Kafka writes are on",
    },
  ];
}

function querierChecks(scope: Scope): Finding[] {
  const storeOnly = scope.key("query_store_only");
  const ingesterOnly = scope.key("query_ingester_only");
  if (!storeOnly || !ingesterOnly || bool(storeOnly.raw()) !== true || bool(ingesterOnly.raw()) !== true) return [];
  return [
    {
      node: ingesterOnly,
      error: "querier.query_store_only and querier.query_ingester_only cannot both be true",
      fix: "set at most one of them (both default false)",
    },
  ];
}

function queryRangeChecks(scope: Scope): Finding[] {
  // `len(cfg.ShardAggregations) > 0 && !cfg.ShardedQueries` (flagext.StringSliceCSV; parallelise_shardable_queries
  // default true).
  const aggregations = scope.key("shard_aggregations");
  const sharded = scope.key("parallelise_shardable_queries");
  if (!aggregations || !sharded || bool(sharded.raw()) !== false) return [];
  const raw = aggregations.raw();
  const nonEmpty = Array.isArray(raw) ? raw.length > 0 : typeof raw === "string" && raw.trim() !== "";
  if (!nonEmpty) return [];
  return [
    {
      node: sharded,
      error: "shard_aggregations requires parallelise_shardable_queries=true",
      fix: "keep parallelise_shardable_queries true (default) or drop shard_aggregations",
    },
  ];
}

/**
 * Config.Validate: both addresses set. The chart sets loki.frontend_worker.scheduler_address to
 * `{{ include "loki.querySchedulerAddress" . }}` (values.yaml), which renders the scheduler's address in Distributed
 * mode and "" otherwise (templates/_helpers.tpl).
 */
function frontendWorkerChecks(ctx: RuleContext<object>, loki: LokiRelease, scope: Scope): Finding[] {
  const frontend = scope.key("frontend_address");
  if (!frontend || typeof frontend.raw() !== "string" || (frontend.raw() as string).trim() === "") return [];
  const address = LOKI_CHART_ADDRESSES.find((a) => a.helper === "loki.querySchedulerAddress")!;
  const scheduler = loki.chartAddress(address, "frontend_worker.scheduler_address");
  if (isUnknown(scheduler)) {
    ctx.inconclusive(scheduler);
    return [];
  }
  const renders = scheduler.value.trim() !== "";
  if (!renders) return [];
  return [
    {
      node: frontend,
      error: "frontend address and scheduler address are mutually exclusive, please use only one",
      fix: "drop frontend_worker.frontend_address: the chart points the workers at the query-scheduler",
    },
  ];
}

/**
 * bloom_gateway and bloom_build enabled while the client address the chart renders is empty. Loki 3.7.6
 * pkg/bloomgateway/config.go Config.Validate (when enabled) calls client.go ClientConfig.Validate line 95: "addresses
 * requires a list of comma separated strings in DNS service discovery format with at least one item";
 * pkg/bloombuild/config.go Config.Validate (when enabled) wraps builder/config.go Config.Validate line 29 "planner
 * address is required". The chart fills both from "loki.bloomGatewayAddresses" / "loki.bloomPlannerAddress"
 * (values.yaml loki.bloom_gateway.client.addresses, loki.bloom_build.builder.planner_address), which render "" unless
 * the release is SimpleScalable or Distributed on object storage (LOKI_CHART_ADDRESSES).
 */
function bloomChecks(ctx: RuleContext<object>, loki: LokiRelease, name: "bloom_gateway" | "bloom_build"): Finding[] {
  const enabled = section(ctx, loki, name).key("enabled");
  if (!enabled || bool(enabled.raw()) !== true) return [];
  const helper = name === "bloom_gateway" ? "loki.bloomGatewayAddresses" : "loki.bloomPlannerAddress";
  const address = LOKI_CHART_ADDRESSES.find((a) => a.helper === helper)!;
  const rendered = loki.chartAddress(address);
  if (isUnknown(rendered)) {
    ctx.inconclusive(rendered);
    return [];
  }
  if (rendered.value.trim() !== "") return [];
  const key = address.keys[0];
  return [
    {
      node: enabled,
      error:
        name === "bloom_gateway"
          ? "addresses requires a list of comma separated strings in DNS service discovery format with at least one item"
          : "invalid bloom builder configuration: planner address is required",
      fix:
        `${key} is empty (${rendered.where}): keep ${name}.enabled false (the default) in this deployment mode, ` +
        `run Loki SimpleScalable or Distributed (the chart then points it at the ${name === "bloom_gateway" ? "bloom-gateway" : "bloom-planner"} or backend pods), ` +
        `or set loki.structuredConfig.${key} to the running ${name === "bloom_gateway" ? "bloom gateways" : "bloom planner"}`,
    },
  ];
}

function patternIngesterChecks(scope: Scope): Finding[] {
  const findings: Finding[] = [];
  const rf = scope.key("lifecycler.ring.replication_factor");
  const rfValue = rf ? integer(rf.raw()) : undefined;
  if (rf && rfValue !== undefined && rfValue !== 1) {
    findings.push({
      node: rf,
      error: "pattern ingester replication factor must be 1",
      fix: "remove the key (default 1)",
    });
  }
  // Defaults (RegisterFlags): retain_for 3h, max_chunk_age 1h, pattern_sample_interval 10s, volume_threshold 0.99.
  const read = (key: string, fallback: number): { ms: number; node?: PropNode; text: string } | undefined => {
    const node = scope.key(key);
    if (!node) return { ms: fallback, text: `${formatDuration(fallback)} (default)` };
    const ms = goMs(node.raw());
    return ms === undefined ? undefined : { ms, node, text: String(node.raw()) };
  };
  const retain = read("retain_for", 3 * 3_600_000);
  const chunk = read("max_chunk_age", 3_600_000);
  const sample = read("pattern_sample_interval", 10_000);
  if (retain && chunk && retain.ms < chunk.ms && (retain.node ?? chunk.node)) {
    findings.push({
      node: (retain.node ?? chunk.node)!,
      error: `retain-for (${retain.text}) must be greater than or equal to chunk-duration (${chunk.text})`,
      fix: "keep pattern_ingester.retain_for >= max_chunk_age (defaults 3h and 1h)",
    });
  }
  if (chunk && sample && chunk.ms < sample.ms && (chunk.node ?? sample.node)) {
    findings.push({
      node: (chunk.node ?? sample.node)!,
      error: `chunk-duration (${chunk.text}) must be greater than or equal to sample-interval (${sample.text})`,
      fix: "keep pattern_ingester.max_chunk_age >= pattern_sample_interval (defaults 1h and 10s)",
    });
  }
  const volume = scope.key("volume_threshold");
  const threshold = volume ? float(volume.raw()) : undefined;
  if (volume && threshold !== undefined && (threshold < 0 || threshold > 1)) {
    findings.push({
      node: volume,
      error: `volume_threshold (${threshold}) must be between 0 and 1`,
      fix: "use a fraction from 0 to 1 (default 0.99)",
    });
  }
  return findings;
}

/** storage/config ValidatePathPrefix (pkg/storage/config/schema_config.go). */
function pathPrefixError(prefix: string): string | undefined {
  if (prefix === "") return "prefix must be set";
  if (prefix.includes("\\")) return "prefix should only have '/' as a path separator";
  if (prefix.startsWith("/")) return "prefix should never start with a path separator i.e '/'";
  if (!prefix.endsWith("/")) return "prefix should end with a path separator i.e '/'";
  return undefined;
}

function compactorChecks(ctx: RuleContext<object>, loki: LokiRelease, scope: Scope): Finding[] {
  const findings: Finding[] = [];
  const parallelism = scope.key("max_compaction_parallelism");
  const p = parallelism ? integer(parallelism.raw()) : undefined;
  if (parallelism && p !== undefined && p < 1) {
    findings.push({
      node: parallelism,
      error: "max compaction parallelism must be >= 1",
      fix: "use 1 or more (default 1)",
    });
  }
  const retention = loki.setting("compactor.retention_enabled");
  if (isUnknown(retention)) ctx.inconclusive(retention);
  else if (retention && bool(retention.value) === true) {
    const prefix = scope.key("delete_request_store_key_prefix");
    if (prefix && typeof prefix.raw() === "string") {
      const error = pathPrefixError(prefix.raw() as string);
      if (error) {
        findings.push({
          node: prefix,
          error: `validate delete store path prefix: ${error}`,
          fix: "use a relative prefix ending in / (default index/)",
        });
      }
    }
    const marker = scope.key("deletion_marker_object_store_prefix");
    if (marker && typeof marker.raw() === "string" && marker.raw() !== "" && !(marker.raw() as string).endsWith("/")) {
      findings.push({
        node: marker,
        error: "deletion marker object store prefix must end with /",
        fix: "end the prefix with / (or leave it empty: markers stay on the local disk)",
      });
    }
  }
  const manifest = scope.key("jobs_config.deletion.deletion_manifest_store_prefix");
  if (manifest && typeof manifest.raw() === "string" && !(manifest.raw() as string).endsWith("/")) {
    findings.push({
      node: manifest,
      error: "deletion manifest store prefix must end with /",
      fix: "end the prefix with / (default __deletion_manifest__/)",
    });
  }
  const workers = scope.key("worker_config.num_sub_workers");
  const w = workers ? integer(workers.raw()) : undefined;
  if (workers && w !== undefined && w <= 0) {
    findings.push({ node: workers, error: "num_sub_workers must be > 0", fix: "use 1 or more (default 4)" });
  }
  return findings;
}

// --- object storage clients: Loki 3.7.6's S3 client configs ---
// - aws client (storage_config.aws, ruler.storage.s3; common.storage.s3 is copied into both, then the file's own keys
//   are parsed again over it: pkg/loki/config_wrapper.go applyStorageConfig): pkg/storage/chunk/client/aws
//   s3_storage_client.go S3Config.Validate, run on both whatever the store type (pkg/storage/factory.go
//   Config.Validate "invalid AWS Storage config" -> aws StorageConfig.Validate "invalid S3 Storage config";
//   pkg/ruler/config.go "invalid ruler store config" -> base/storage.go RuleStoreConfig.Validate): supportedSignatureVersions
//   is v4 only, anything else (v2, "") is errUnsupportedSignatureVersion "unsupported signature version". Its SSE is
//   parsed when the client is created (NewS3ObjectClient -> buildSSEParsedConfig -> sse_config.go NewSSEParsedConfig,
//   wrapped "failed to build SSE config"): a type other than SSE-S3 / SSE-KMS is "SSE type is empty or invalid",
//   SSE-KMS without kms_key_id "KMS key id must be passed when SSE-KMS encryption is selected", a context that is not
//   JSON "failed to parse KMS encryption context: failed to marshal KMS encryption context: ...". The chunk store
//   creates it for a schema period on s3/aws unless use_thanos_objstore; the ruler for its s3 store.
// - thanos client (storage_config.object_store.s3, common.storage.object_store.s3 copied into it, ruler_storage.s3):
//   pkg/storage/bucket/s3/config.go Config.Validate, run on both whatever the backend (bucket/client.go
//   Config.Validate; loki.go "invalid storage_config config" via factory.go "invalid object store config", and
//   "invalid ruler_storage config"): the endpoint-prefix, sts-endpoint, SSE type (SSE-KMS, SSE-S3) and KMS context
//   (map[string]string) checks, as Mimir's; bucket_lookup_type must parse (objstore BucketLookupType.UnmarshalYAML).
// - Chart 18.11.0 (templates/_helpers.tpl): loki.storage.s3 becomes common.storage.s3 ("loki.commonStorageConfig",
//   unless use_thanos_objstore or minio.enabled, with storage.type s3) and the ruler's storage.s3
//   ("loki.rulerStorageConfig", while ruler.enabled and loki.rulerConfig.storage.type is not local);
//   loki.storage.s3.signatureVersion is rendered as signature_version (`with`: empty is omitted), sse as sse, other
//   keys as they are. With use_thanos_objstore, loki.storage.object_store.s3 becomes common.storage.object_store.s3 and
//   ruler_storage.s3, each with bucket_name forced to loki.storage.bucketNames.chunks / .ruler ("loki.thanosStorageConfig").
// Storage classes are L8's, `insecure` S13's, static keys S4's. Not covered: named_stores, the thanos client's other
// creation-time checks (access/secret key pairing, SSE-C key).

const LOKI_SSE_TYPES = ["SSE-S3", "SSE-KMS"];
/** Loki 3.7.6 pkg/storage/bucket/client.go SupportedBackends (S3, GCS, Azure, Swift, Filesystem, Alibaba, BOS). */
const LOKI_THANOS_BACKENDS = ["s3", "gcs", "azure", "swift", "filesystem", "alibabacloud", "bos"];

interface StorageFinding {
  node: PropNode;
  /** Loki's error as logged. */
  error: string;
  fix: string;
  consequence: string;
}

const EVERY_POD = "every Loki pod validates the whole config and exits, so no log is written or read";

function storageChecks(ctx: RuleContext<object>, loki: LokiRelease): StorageFinding[] {
  const at = (path: string | undefined): PropNode | undefined =>
    path === undefined ? undefined : present(ctx, loki.values.at(path));
  const first = (paths: Array<string | undefined>): PropNode | undefined => {
    for (const p of paths) {
      const node = at(p);
      if (node && node.raw() !== null) return node;
    }
    return undefined;
  };
  const flag = (path: string): boolean | undefined => {
    const node = at(path);
    return node ? bool(node.raw()) : undefined;
  };
  const text = (path: string, fallback: string): string => {
    const node = at(path);
    return node && typeof node.raw() === "string" ? (node.raw() as string) : fallback;
  };
  const sc = "loki.structuredConfig";
  const thanosChart = flag("loki.storage.use_thanos_objstore") === true;
  const chartAws = !thanosChart && flag("minio.enabled") !== true && text("loki.storage.type", "s3") === "s3";
  const rulerEnabled = flag("ruler.enabled") !== false;
  const chartRulerAws = chartAws && rulerEnabled && text("loki.rulerConfig.storage.type", "") !== "local";
  const chartThanosS3 = thanosChart && text("loki.storage.object_store.type", "s3") === "s3";
  /** loki.storage.s3 as the chart renders key k (signatureVersion is `with`-rendered as signature_version). */
  const chart = (k: string): string[] => {
    if (k !== "signature_version") return [`loki.storage.s3.${k}`];
    const camel = at("loki.storage.s3.signatureVersion");
    return camel && camel.raw() ? ["loki.storage.s3.signatureVersion"] : ["loki.storage.s3.signature_version"];
  };
  const awsTargets = [
    {
      name: "storage_config.aws",
      wrap: "CONFIG ERROR: invalid storage_config config: invalid AWS Storage config: invalid S3 Storage config: ",
      key: (k: string) =>
        first([
          `${sc}.storage_config.aws.${k}`,
          `loki.storage_config.aws.${k}`,
          `${sc}.common.storage.s3.${k}`,
          ...(chartAws ? chart(k) : []),
        ]),
    },
    {
      name: "ruler.storage.s3",
      wrap: "CONFIG ERROR: invalid ruler config: invalid ruler store config: invalid S3 Storage config: ",
      key: (k: string) =>
        first([
          `${sc}.ruler.storage.s3.${k}`,
          rulerEnabled ? `loki.rulerConfig.storage.s3.${k}` : undefined,
          ...(chartRulerAws ? chart(k) : []),
          `${sc}.common.storage.s3.${k}`,
          ...(chartAws ? chart(k) : []),
        ]),
    },
  ];
  const findings = new Map<string, StorageFinding>();
  const add = (id: string, f: StorageFinding) => {
    if (!findings.has(`${f.node.where}|${id}`)) findings.set(`${f.node.where}|${id}`, f);
  };
  for (const target of awsTargets) {
    const signature = target.key("signature_version");
    if (signature && String(signature.raw()) !== "v4") {
      add("signature", {
        node: signature,
        error: `${target.wrap}unsupported signature version`,
        fix: "use v4 or remove the key: Loki 3.7's S3 client signs only with v4",
        consequence: EVERY_POD,
      });
    }
  }
  // The aws client's SSE, parsed when the chunk store or the ruler store creates the client.
  // The chart renders storage_config.use_thanos_objstore from loki.storage.use_thanos_objstore unless
  // loki.storage_config sets it (values.yaml `loki.config`).
  const thanosNode = first([
    `${sc}.storage_config.use_thanos_objstore`,
    "loki.storage_config.use_thanos_objstore",
    "loki.storage.use_thanos_objstore",
  ]);
  const thanosUsed = thanosNode !== undefined && bool(thanosNode.raw()) === true;
  const periods = loki.schemaConfigs();
  const chunksOnS3 =
    periods !== undefined &&
    !isUnknown(periods) &&
    periods.some((p) => ["s3", "aws"].includes(String(p.get("object_store").raw())));
  const rulerType = first([
    `${sc}.ruler.storage.type`,
    rulerEnabled ? "loki.rulerConfig.storage.type" : undefined,
  ])?.raw();
  const rulerOnS3 = rulerEnabled && (rulerType === undefined ? chartRulerAws : rulerType === "s3");
  const sseUsers: Array<{ target: (typeof awsTargets)[number]; used: boolean; who: string }> = [
    {
      target: awsTargets[0],
      used: !thanosUsed && chunksOnS3,
      who: "every Loki pod that opens the chunk store (ingesters, queriers, index gateways, the compactor) fails to start, so logs are neither written nor read",
    },
    {
      target: awsTargets[1],
      used: rulerOnS3,
      who: "the ruler fails to start when it opens its rule store, so no rule is evaluated",
    },
  ];
  for (const { target, used, who } of sseUsers) {
    if (!used) continue;
    const type = target.key("sse.type");
    const typeText = type ? String(type.raw()) : "";
    if (type && typeText !== "" && !LOKI_SSE_TYPES.includes(typeText)) {
      add("aws-sse-type", {
        node: type,
        error: "failed to build SSE config: SSE type is empty or invalid",
        fix: "use SSE-KMS or SSE-S3, or remove sse (the stack's buckets encrypt with their KMS key by default)",
        consequence: who,
      });
    }
    if (typeText !== "SSE-KMS") continue;
    const keyId = target.key("sse.kms_key_id");
    if (!keyId || String(keyId.raw()) === "") {
      add("aws-sse-key", {
        node: keyId ?? type!,
        error: "failed to build SSE config: KMS key id must be passed when SSE-KMS encryption is selected",
        fix: "set sse.kms_key_id to the KMS key ARN next to sse.type SSE-KMS, or remove sse.type",
        consequence: who,
      });
    }
    const context = target.key("sse.kms_encryption_context");
    if (context && typeof context.raw() === "string" && context.raw() !== "") {
      try {
        JSON.parse(context.raw() as string);
      } catch (e) {
        add("aws-sse-context", {
          node: context,
          error: `failed to build SSE config: failed to parse KMS encryption context: failed to marshal KMS encryption context: <Go's JSON error: ${(e as Error).message}>`,
          fix: 'give the context as JSON, quoted as one YAML string (e.g. \'{"team":"observability"}\'), or remove it',
          consequence: who,
        });
      }
    }
  }
  // The thanos client's Config.Validate (always run) and the bucket lookup type (parsed with the file).
  const thanosTargets = [
    {
      wrap: "CONFIG ERROR: invalid storage_config config: invalid object store config: ",
      key: (k: string) =>
        first([
          `${sc}.storage_config.object_store.s3.${k}`,
          `loki.storage_config.object_store.s3.${k}`,
          `${sc}.common.storage.object_store.s3.${k}`,
          chartThanosS3
            ? k === "bucket_name"
              ? "loki.storage.bucketNames.chunks"
              : `loki.storage.object_store.s3.${k}`
            : undefined,
        ]),
    },
    {
      wrap: "CONFIG ERROR: invalid ruler_storage config: ",
      key: (k: string) =>
        first([
          `${sc}.ruler_storage.s3.${k}`,
          chartThanosS3 && rulerEnabled
            ? k === "bucket_name"
              ? "loki.storage.bucketNames.ruler"
              : `loki.storage.object_store.s3.${k}`
            : undefined,
        ]),
    },
  ];
  for (const target of thanosTargets) {
    const endpoint = target.key("endpoint");
    const endpointText = endpoint ? String(endpoint.raw()) : "";
    if (
      endpoint &&
      endpointText.includes(".") &&
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(endpointText.split(".")[0])
    ) {
      const bucket = target.key("bucket_name");
      if (
        bucket &&
        typeof bucket.raw() === "string" &&
        endpointPrefixedWithBucket(endpointText, bucket.raw() as string)
      ) {
        add("endpoint-prefix", {
          node: endpoint,
          error: `${target.wrap}the endpoint must not prefixed with the bucket name`,
          fix: `give the regional endpoint without the bucket (s3.<region>.amazonaws.com); the bucket is ${String(bucket.raw())}`,
          consequence: EVERY_POD,
        });
      }
    }
    const sts = target.key("sts_endpoint");
    if (sts && String(sts.raw()) !== "" && certainlyNotUrl(String(sts.raw()))) {
      add("sts", {
        node: sts,
        error: `${target.wrap}sts-endpoint must be a valid url`,
        fix: "give a full URL with its scheme (https://sts.<region>.amazonaws.com) or remove it",
        consequence: EVERY_POD,
      });
    }
    const type = target.key("sse.type");
    if (type && String(type.raw()) !== "" && !LOKI_SSE_TYPES.includes(String(type.raw()))) {
      add("thanos-sse-type", {
        node: type,
        error: `${target.wrap}unsupported S3 SSE type`,
        fix: "use SSE-KMS or SSE-S3, or remove sse (the stack's buckets encrypt with their KMS key by default)",
        consequence: EVERY_POD,
      });
    }
    const context = target.key("sse.kms_encryption_context");
    if (context && typeof context.raw() === "string" && context.raw() !== "" && notStringMap(context.raw() as string)) {
      add("thanos-sse-context", {
        node: context,
        error: `${target.wrap}invalid S3 SSE encryption context`,
        fix: 'give a JSON object of strings, quoted as one YAML string (e.g. \'{"team":"observability"}\'), or remove it',
        consequence: EVERY_POD,
      });
    }
    const lookup = target.key("bucket_lookup_type");
    if (lookup && !S3_BUCKET_LOOKUP_TYPES.includes(String(lookup.raw()))) {
      add("lookup", {
        node: lookup,
        error: `failed parsing config: ...: unsupported bucket lookup type: ${String(lookup.raw())}`,
        fix: `use ${S3_BUCKET_LOOKUP_TYPES.join(", ")} (default auto)`,
        consequence: "the config file does not load, so no Loki pod starts",
      });
    }
  }
  // With use_thanos_objstore the chunk store's client is thanos-io/objstore's (pkg/storage/factory.go NewObjectClient
  // -> bucket.NewObjectClient; the ruler's rule store likewise from ruler_storage, pkg/loki/modules.go initRulerStorage).
  // - validateSchemaValues (pkg/loki/validation.go): each period's object_store must be one of bucket.SupportedBackends
  //   (pkg/storage/bucket/client.go: s3, gcs, azure, swift, filesystem, alibabacloud, bos) or a named store; the aws
  //   client's alias "aws" is not.
  // - The S3 bucket client (pkg/storage/bucket/s3/bucket_client.go newS3Config: Endpoint: cfg.Endpoint, flag default "")
  //   goes through thanos-io/objstore providers/s3/s3.go NewBucketWithConfig -> validate: `conf.Endpoint == ""` is
  //   "no s3 endpoint in config file". Chart 18.11.0 renders loki.storage.object_store.s3 (endpoint: null, values.yaml)
  //   and never loki.storage.s3 there ("loki.thanosStorageConfig"), so the stack's region and the AWS SDK's regional
  //   endpoint of the aws client do not carry over.
  if (thanosUsed && periods !== undefined && !isUnknown(periods)) {
    const named = new Set<string>();
    for (const base of [
      `${sc}.storage_config.object_store.named_stores`,
      "loki.storage_config.object_store.named_stores",
    ]) {
      const kinds = at(base)?.entries();
      if (!kinds || isUnknown(kinds)) continue;
      for (const [, stores] of kinds) {
        const names = stores.entries();
        if (names && !isUnknown(names)) for (const [name] of names) named.add(name);
      }
    }
    for (const period of periods) {
      const store = period.get("object_store");
      const type = store.raw();
      if (typeof type === "string" && !LOKI_THANOS_BACKENDS.includes(type) && !named.has(type)) {
        add("thanos-object-store", {
          node: store,
          error: `unrecognized \`object_store\` type \`${type}\`, which also does not match any named_stores. Choose one of: ${LOKI_THANOS_BACKENDS.join(", ")}. Or choose a named_store`,
          fix: `with ${thanosNode!.where}=true name the backend itself (${type === "aws" ? "s3" : LOKI_THANOS_BACKENDS.join(", ")}), or keep use_thanos_objstore false`,
          consequence: EVERY_POD,
        });
      }
    }
  }
  const s3Users = [
    {
      target: thanosTargets[0],
      used: thanosUsed && chunksOnS3,
      who: "every Loki pod that opens the chunk store (ingesters, queriers, index gateways, the compactor; the single binary) fails to start, so no chunk or index is written and nothing is read",
      where: "storage_config.object_store.s3.endpoint",
    },
    {
      target: thanosTargets[1],
      used:
        thanosUsed &&
        String(first([`${sc}.ruler_storage.backend`])?.raw() ?? (chartThanosS3 && rulerEnabled ? "s3" : "")) === "s3",
      who: "the ruler fails to start when it opens its rule store, so no rule is evaluated",
      where: "ruler_storage.s3.endpoint",
    },
  ];
  const emptyEndpoint = s3Users.filter(({ target, used }) => {
    const endpoint = used ? target.key("endpoint") : undefined;
    return used && (!endpoint || String(endpoint.raw()).trim() === "");
  });
  if (emptyEndpoint.length > 0) {
    const { target } = emptyEndpoint[0];
    const region = target.key("region");
    const regionText = region && typeof region.raw() === "string" ? (region.raw() as string) : "<region>";
    add("thanos-endpoint", {
      node: target.key("endpoint") ?? thanosNode!,
      error: "no s3 endpoint in config file",
      fix:
        `${emptyEndpoint.map((u) => u.where).join(" and ")} empty (the chart renders loki.storage.object_store.s3, endpoint null, and ignores loki.storage.s3): ` +
        `set loki.storage.object_store.s3.endpoint to s3.${regionText}.amazonaws.com and its region, or keep use_thanos_objstore false`,
      consequence: emptyEndpoint.map((u) => u.who).join("; "),
    });
  }
  return [...findings.values()];
}

const shown = (node: PropNode): string => {
  const value = node.raw();
  return typeof value === "string" ? value : JSON.stringify(value);
};

export const lokiConfigValid = stackRule<object>(
  {
    name: "loki-config-valid",
    rule: "L10",
    description:
      "Loki's limits_config (defaults and every tenant of the runtime config), ingester, distributor, querier, query_range, frontend_worker, pattern_ingester and compactor settings must pass Loki 3.7.6's start-up validation (a known deletion_mode, sharding strategy and codec, engine_results_cache_time_bucket_interval >= 1m, positive sizes, counts and durations, ordered backoffs and pattern windows, ruler remote-write clients when enabled, parseable retention_stream and policy_stream_mapping selectors, bloom_gateway / bloom_build enabled only with the client address the chart renders non-empty, S3 clients: signature version v4, a known SSE type with its KMS key and a parseable context, an STS endpoint URL, an endpoint not prefixed with the bucket, a known bucket lookup type, with use_thanos_objstore a non-empty endpoint and thanos backends as object_store; ingester index_shards a power of two with tsdb, shard_aggregations only with frontend.encoding protobuf)",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Keep each setting within what Loki's Validate accepts (the message names the key, Loki's error and the accepted values), or remove it to use Loki's default.",
    url: "https://github.com/grafana/loki/blob/v3.7.6/pkg/validation/limits.go (Limits.Validate); pkg/loki/loki.go (Config.Validate); pkg/loki/runtime_config.go",
    tags: ["loki", "startup"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      const sectionFindings: Array<[string, Finding[]]> = [
        ["limits_config", limitsChecks(section(ctx, loki, "limits_config"))],
        ["ingester", ingesterChecks(section(ctx, loki, "ingester"))],
        ["distributor", distributorChecks(section(ctx, loki, "distributor"))],
        ["querier", querierChecks(section(ctx, loki, "querier"))],
        ["query_range", queryRangeChecks(section(ctx, loki, "query_range"))],
        ["frontend_worker", frontendWorkerChecks(ctx, loki, section(ctx, loki, "frontend_worker"))],
        ["pattern_ingester", patternIngesterChecks(section(ctx, loki, "pattern_ingester"))],
        ["compactor", compactorChecks(ctx, loki, section(ctx, loki, "compactor"))],
        ["ruler", rulerChecks(rulerSection(ctx, loki))],
        ["bloom_gateway", bloomChecks(ctx, loki, "bloom_gateway")],
        ["bloom_build", bloomChecks(ctx, loki, "bloom_build")],
      ];
      for (const [name, findings] of sectionFindings) {
        for (const f of findings) {
          ctx.violation(
            `${f.node.where}=${shown(f.node)}: Loki refuses to start ("CONFIG ERROR: invalid ${name} config: ${f.error}"); ` +
              `every Loki pod validates the whole config and exits, so no log is written or read. Fix: ${f.fix}.`,
            loki.urn,
          );
        }
      }
      for (const f of [...compatChecks(ctx, loki), ...storageChecks(ctx, loki)]) {
        ctx.violation(
          `${f.node.where}=${shown(f.node)}: Loki refuses to start ("${f.error}"); ${f.consequence}. Fix: ${f.fix}.`,
          loki.urn,
        );
      }
      const tenants = loki.tenantOverrides();
      if (isUnknown(tenants)) {
        ctx.inconclusive(tenants);
        continue;
      }
      for (const [tenant, node] of tenants ?? []) {
        const scope: Scope = { key: (path) => present(ctx, node.at(path)) };
        for (const f of limitsChecks(scope)) {
          ctx.violation(
            `${f.node.where}=${shown(f.node)}: Loki's runtime config does not load ("invalid override for tenant ${tenant}: ${f.error}"): ` +
              `at start-up every Loki pod fails ("failed to load runtime config"), and a running Loki keeps its old overrides and ` +
              `ignores every later change to the runtime config, for all tenants. Fix: ${f.fix}.`,
            loki.urn,
          );
        }
      }
    }
  },
);
