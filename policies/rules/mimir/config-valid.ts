// M13 (HARD at start-up): Mimir validates its whole configuration in every component before anything starts
// (pkg/mimir/mimir.go Config.Validate wraps each section's error: "invalid TSDB config: ...", "invalid compactor
// config: ..."; the compactor's and the blocks storage's checks run whatever the -target). A value that breaks one
// of them stops every Mimir pod. This rule covers the checks of pkg/storage/tsdb/config.go (TSDBConfig.Validate,
// BucketStoreConfig.Validate) and pkg/compactor/compactor.go (Config.Validate) that a values file can break through
// mimir.structuredConfig, except those other rules own: ingest_storage (M9), compactor.block_ranges (M3) and the
// deletion-mark delays (M2). It also covers the HA tracker timeouts (Limits.Validate, defaults and every tenant of the
// runtime config), the other Limits.Validate checks a value can fail whatever Mimir's version (estimated-chunks
// multiplier, read consistency, name validation scheme, OTLP translation strategy, label-value strategy), the
// distributor and store-gateway tenant shard sizes, the querier's engine, streaming buffers and timeout, and the S3
// storage class of every Mimir bucket client (pkg/storage/bucket/s3/config.go Config.Validate), and the ruler's
// tenant federation, which needs the global one (pkg/mimir/modules.go initRuler; only the ruler pods exit).
//
// Version read: grafana/mimir pkg/storage/tsdb/config.go at commit eb75be526e1c24ad5a5998dc0079d74a5d7f55ba (main,
// December 2024) and pkg/compactor/compactor.go at 0a4655b69f875bb194f138191fafeb3f1445cdcd; the search index holds no
// copy of the release-3.0 branch or a mimir-3.0.x tag. INFERRED that Mimir 3.0 (mimir-distributed 6.0.x) keeps these
// checks: the config descriptor of April 2025 (shared/reference/data) still documents head_compaction_interval as
// "must be between 0 and 15 minutes" and the compaction orders below, and the CHANGELOG (commit 00135b602593) lists
// no change to any of them in 2.17.0 or 3.0.0. The 15m maximum dates from Mimir 2.7 (grafana/mimir#4364, before
// it 5m).
import { formatDuration, parseDurationMs } from "../../lib/duration";
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { componentChecks } from "./config-valid-components";
import { moduleStartupChecks } from "./config-valid-modules";
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

const TSDB = "blocks_storage.tsdb";
const BUCKET_STORE = "blocks_storage.bucket_store";

/** TSDBConfig.Validate: HeadCompactionInterval <= 0 || > 15*time.Minute is errInvalidCompactionInterval. */
const HEAD_COMPACTION_INTERVAL_MAX_MS = 15 * 60_000;
/** Prometheus tsdb/chunks/head_chunks.go MinWriteBufferSize (64 KiB) and MaxWriteBufferSize (8 MiB). */
const WRITE_BUFFER_BYTES = { min: 64 * 1024, max: 8 * 1024 * 1024 };
/** Prometheus tsdb/wlog/wlog.go pageSize (32 KiB): a WAL segment size must be a whole number of pages. */
const WAL_PAGE_BYTES = 32 * 1024;
/** pkg/compactor/job_sorting.go via CompactionOrders (the descriptor lists them in this order). */
export const MIMIR_COMPACTION_ORDERS = ["smallest-range-oldest-blocks-first", "newest-blocks-first"] as const;

interface Finding {
  node: PropNode;
  /** Mimir's error, as the pod logs it (with Config.Validate's wrapping). */
  error: string;
  fix: string;
  /** The consequence when it is not every Mimir pod that exits (default: Config.Validate's "every Mimir pod"). */
  consequence?: string;
}

type Value = { node: PropNode; raw: unknown };

/** A key set in mimir.structuredConfig (defaults pass every check); unknown values are recorded as inconclusive. */
function present(ctx: RuleContext<object>, mimir: MimirRelease, path: string): Value | undefined {
  const node = mimir.structuredNode(path);
  if (node.isUnknown) {
    ctx.inconclusive(node.unknown());
    return undefined;
  }
  const raw = node.raw();
  return raw === undefined || raw === null ? undefined : { node, raw };
}

/** Mimir's int fields take whole numbers (YAML ints or, through Helm, integer strings). */
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

// cmd/mimir/main.go prints a failed Config.Validate as "error validating config: <err>" and exits; a value YAML
// cannot decode fails earlier, while loading the file ("error loading config from ...").
const TSDB_ERROR = (text: string) => `error validating config: invalid TSDB config: ${text}`;
const COMPACTOR_ERROR = (text: string) => `error validating config: invalid compactor config: ${text}`;
const PARSE_ERROR = (raw: unknown, type: string) =>
  `error loading config: cannot unmarshal ${JSON.stringify(raw)} into ${type}`;

/** An integer key that must satisfy `ok`; a value that is not an integer fails YAML decoding, also at start-up. */
function integerCheck(
  ctx: RuleContext<object>,
  mimir: MimirRelease,
  path: string,
  ok: (n: number) => boolean,
  error: string,
  fix: string,
): Finding[] {
  const found = present(ctx, mimir, path);
  if (!found) return [];
  const n = integer(found.raw);
  if (n === undefined) return [{ node: found.node, error: PARSE_ERROR(found.raw, "int"), fix }];
  return ok(n) ? [] : [{ node: found.node, error, fix }];
}

function tsdbChecks(ctx: RuleContext<object>, mimir: MimirRelease): Finding[] {
  const findings: Finding[] = [];
  // errInvalidStripeSize: `cfg.StripeSize <= 1 || (cfg.StripeSize&(cfg.StripeSize-1)) != 0`.
  findings.push(
    ...integerCheck(
      ctx,
      mimir,
      `${TSDB}.stripe_size`,
      (n) => n > 1 && (n & (n - 1)) === 0,
      TSDB_ERROR("invalid TSDB stripe size"),
      "use a power of 2 greater than 1 (default 16384)",
    ),
  );
  // errInvalidCompactionInterval: `HeadCompactionInterval <= 0 || HeadCompactionInterval > 15*time.Minute`.
  const interval = present(ctx, mimir, `${TSDB}.head_compaction_interval`);
  if (interval) {
    const ms = typeof interval.raw === "string" ? parseDurationMs(interval.raw, "go") : undefined;
    if (ms === undefined || ms <= 0 || ms > HEAD_COMPACTION_INTERVAL_MAX_MS) {
      findings.push({
        node: interval.node,
        error:
          ms === undefined
            ? PARSE_ERROR(interval.raw, "time.Duration")
            : TSDB_ERROR("invalid TSDB compaction interval"),
        fix: "use a Go duration above 0 and at most 15m (default 1m)",
      });
    }
  }
  // errInvalidShipConcurrency: `ShipInterval > 0 && ShipConcurrency <= 0` (ship_interval default 1m).
  const shipInterval = present(ctx, mimir, `${TSDB}.ship_interval`);
  const shipping =
    shipInterval === undefined ||
    (typeof shipInterval.raw === "string" && (parseDurationMs(shipInterval.raw, "go") ?? 1) > 0);
  if (shipping) {
    findings.push(
      ...integerCheck(
        ctx,
        mimir,
        `${TSDB}.ship_concurrency`,
        (n) => n > 0,
        TSDB_ERROR("invalid TSDB ship concurrency"),
        "use 1 or more (default 10) while blocks are shipped (ship_interval > 0)",
      ),
    );
  }
  // errInvalidCompactionConcurrency: `HeadCompactionConcurrency <= 0`.
  findings.push(
    ...integerCheck(
      ctx,
      mimir,
      `${TSDB}.head_compaction_concurrency`,
      (n) => n > 0,
      TSDB_ERROR("invalid TSDB compaction concurrency"),
      "use 1 or more (default 1)",
    ),
  );
  // errors.Errorf("head chunks write buffer size must be a multiple of 1024 between %d and %d", Min, Max).
  findings.push(
    ...integerCheck(
      ctx,
      mimir,
      `${TSDB}.head_chunks_write_buffer_size_bytes`,
      (n) => n >= WRITE_BUFFER_BYTES.min && n <= WRITE_BUFFER_BYTES.max && n % 1024 === 0,
      TSDB_ERROR(
        `head chunks write buffer size must be a multiple of 1024 between ${WRITE_BUFFER_BYTES.min} and ${WRITE_BUFFER_BYTES.max}`,
      ),
      `use a multiple of 1024 between ${WRITE_BUFFER_BYTES.min} and ${WRITE_BUFFER_BYTES.max} (default 4194304)`,
    ),
  );
  // errEmptyBlockranges: `len(cfg.BlockRanges) == 0` (hidden block_ranges_period, default [2h]).
  const ranges = present(ctx, mimir, `${TSDB}.block_ranges_period`);
  if (ranges && ((Array.isArray(ranges.raw) && ranges.raw.length === 0) || ranges.raw === "")) {
    findings.push({
      node: ranges.node,
      error: TSDB_ERROR("empty block ranges for TSDB"),
      fix: "remove the key (default 2h)",
    });
  }
  // errInvalidWALSegmentSizeBytes: `WALSegmentSizeBytes <= 0`.
  findings.push(
    ...integerCheck(
      ctx,
      mimir,
      `${TSDB}.wal_segment_size_bytes`,
      (n) => n > 0,
      TSDB_ERROR("invalid TSDB WAL segment size bytes"),
      "use a positive size (default 134217728)",
    ),
  );
  // Past Validate, every tenant TSDB is opened with tsdb.Options.WALSegmentSize = wal_segment_size_bytes (grafana/mimir
  // pkg/ingester/ingester.go createTSDB), and Prometheus' write log takes only whole 32 KiB pages: tsdb/db.go open()
  // -> tsdb/wlog/wlog.go NewSize `if segmentSize%pageSize != 0 { return nil, errors.New("invalid segment size") }`,
  // pageSize = 32 * 1024 (prometheus/prometheus v3.14.0-rc.0; Mimir vendors its fork grafana/mimir-prometheus).
  const segment = present(ctx, mimir, `${TSDB}.wal_segment_size_bytes`);
  const segmentBytes = segment && integer(segment.raw);
  if (segment && segmentBytes !== undefined && segmentBytes > 0 && segmentBytes % WAL_PAGE_BYTES !== 0) {
    findings.push({
      node: segment.node,
      error: `failed to open TSDB: invalid segment size`,
      fix: `use a multiple of ${WAL_PAGE_BYTES} bytes (32 KiB), e.g. ${Math.max(1, Math.round(segmentBytes / WAL_PAGE_BYTES)) * WAL_PAGE_BYTES}, or remove the key (default 134217728 = 128 MiB)`,
      consequence: `the value is not a multiple of the write log's ${WAL_PAGE_BYTES}-byte page (${segmentBytes} % ${WAL_PAGE_BYTES} = ${segmentBytes % WAL_PAGE_BYTES}), so every ingester fails to open or create any tenant TSDB: it cannot apply a single Kafka record nor reopen its existing TSDBs, stays unready, and no sample is ingested`,
    });
  }
  // errInvalidWALReplayConcurrency: `WALReplayConcurrency < 0`.
  findings.push(
    ...integerCheck(
      ctx,
      mimir,
      `${TSDB}.wal_replay_concurrency`,
      (n) => n >= 0,
      TSDB_ERROR("invalid TSDB WAL replay concurrency"),
      "use 0 (one per CPU core) or more",
    ),
  );
  // errEarlyCompactionRequiresActiveSeries: `EarlyHeadCompactionMinInMemorySeries > 0 && !activeSeriesCfg.Enabled`
  // (ingester.active_series_metrics_enabled, default true).
  const early = present(ctx, mimir, `${TSDB}.early_head_compaction_min_in_memory_series`);
  const activeSeries = present(ctx, mimir, "ingester.active_series_metrics_enabled");
  if (early && (integer(early.raw) ?? 0) > 0 && activeSeries && String(activeSeries.raw) === "false") {
    findings.push({
      node: early.node,
      error: TSDB_ERROR("early compaction requires -ingester.active-series-metrics-enabled to be enabled"),
      fix: `set it to 0 or leave ${activeSeries.node.where} at its default true`,
    });
  }
  // errInvalidEarlyHeadCompactionMinSeriesReduction: percentage outside [0, 100].
  findings.push(
    ...integerCheck(
      ctx,
      mimir,
      `${TSDB}.early_head_compaction_min_estimated_series_reduction_percentage`,
      (n) => n >= 0 && n <= 100,
      TSDB_ERROR("early compaction minimum series reduction percentage must be a value between 0 and 100 (included)"),
      "use a percentage from 0 to 100 (default 15)",
    ),
  );
  return findings;
}

function bucketStoreChecks(ctx: RuleContext<object>, mimir: MimirRelease): Finding[] {
  const findings: Finding[] = [];
  // BucketStoreConfig.Validate errInvalidStreamingBatchSize: `StreamingBatchSize <= 0`
  // (yaml streaming_series_batch_size, flag -blocks-storage.bucket-store.batch-series-size).
  findings.push(
    ...integerCheck(
      ctx,
      mimir,
      `${BUCKET_STORE}.streaming_series_batch_size`,
      (n) => n > 0,
      TSDB_ERROR("invalid store-gateway streaming batch size"),
      "use 1 or more (default 5000)",
    ),
  );
  // BucketStoreConfig.Validate: `SeriesFetchPreference <= 0` is "invalid worst-case series preference; must be positive".
  const preference = present(ctx, mimir, `${BUCKET_STORE}.series_fetch_preference`);
  if (preference) {
    const n = float(preference.raw);
    if (n === undefined || n <= 0) {
      findings.push({
        node: preference.node,
        error:
          n === undefined
            ? PARSE_ERROR(preference.raw, "float64")
            : TSDB_ERROR("invalid worst-case series preference; must be positive"),
        fix: "use a positive number (default 0.75)",
      });
    }
  }
  return findings;
}

function compactorChecks(ctx: RuleContext<object>, mimir: MimirRelease): Finding[] {
  const findings: Finding[] = [];
  // errInvalidCompactionOrder: `!util.StringsContain(CompactionOrders, cfg.CompactionJobsOrder)`.
  const order = present(ctx, mimir, "compactor.compaction_jobs_order");
  if (order && !(MIMIR_COMPACTION_ORDERS as readonly unknown[]).includes(order.raw)) {
    findings.push({
      node: order.node,
      error: COMPACTOR_ERROR(`unsupported compaction order (supported values: ${MIMIR_COMPACTION_ORDERS.join(", ")})`),
      fix: `use one of ${MIMIR_COMPACTION_ORDERS.join(", ")} (default ${MIMIR_COMPACTION_ORDERS[0]})`,
    });
  }
  const positive = (key: string, flag: string) =>
    integerCheck(
      ctx,
      mimir,
      `compactor.${key}`,
      (n) => n >= 1,
      COMPACTOR_ERROR(`invalid ${flag} value, must be positive`),
      "use 1 or more (default 1)",
    );
  // errInvalidMaxOpeningBlocksConcurrency, errInvalidMaxClosingBlocksConcurrency, errInvalidSymbolFlushersConcurrency.
  findings.push(...positive("max_opening_blocks_concurrency", "max-opening-blocks-concurrency"));
  findings.push(...positive("max_closing_blocks_concurrency", "max-closing-blocks-concurrency"));
  findings.push(...positive("symbols_flushers_concurrency", "symbols-flushers-concurrency"));
  // errInvalidMaxBlockUploadValidationConcurrency: `MaxBlockUploadValidationConcurrency < 0`.
  findings.push(
    ...integerCheck(
      ctx,
      mimir,
      "compactor.max_block_upload_validation_concurrency",
      (n) => n >= 0,
      COMPACTOR_ERROR("invalid max-block-upload-validation-concurrency value, can't be negative"),
      "use 0 (no limit) or more (default 1)",
    ),
  );
  return findings;
}

// --- HA tracker timeouts ---
// Mimir 3.0.0 CHANGELOG: "[CHANGE] Distributor: Remove deprecated global HA tracker timeout configuration flags.
// #12321": the timeouts are per-tenant limits now. The old keys under distributor.ha_tracker still parse and are
// ignored (grafana/mimir pkg/mimir TestRemovedGlobalHATrackerTimeouts, "ignores values in removed
// distributor.ha_tracker"), so they are no start-up failure and this rule leaves them alone.
const HA_TRACKER_KEYS = [
  "ha_tracker_update_timeout",
  "ha_tracker_update_timeout_jitter_max",
  "ha_tracker_failover_timeout",
] as const;
/** pkg/util/validation/limits.go RegisterFlags: update 15s, jitter 5s, failover 30s (-distributor.ha-tracker.*). */
const HA_DEFAULTS_MS = {
  ha_tracker_update_timeout: 15_000,
  ha_tracker_update_timeout_jitter_max: 5_000,
  ha_tracker_failover_timeout: 30_000,
} as const;
type HaKey = keyof typeof HA_DEFAULTS_MS;
/** Limits.Validate const errInvalidFailoverTimeout (Go prints model.Duration, e.g. 5s and 21s). */
const FAILOVER_ERROR = (failover: number, min: number) =>
  `HA Tracker failover timeout (${formatDuration(failover)}) must be at least 1s greater than update timeout - max jitter (${formatDuration(min)})`;

/**
 * Limits.Validate (pkg/util/validation/limits.go): `HATrackerUpdateTimeoutJitterMax < 0` is rejected, and when the
 * update or failover timeout is above 0, the failover timeout must be >= update + jitter + 1s. Mimir validates the
 * defaults at start-up and each tenant of the runtime config when it loads it (pkg/mimir/runtime_config.go
 * runtimeConfigLoader: `l.validate(limits)` for every TenantLimits entry; a tenant inherits the defaults it omits).
 */
function haTrackerLimits(ctx: RuleContext<object>, mimir: MimirRelease): Finding[] {
  const findings: Finding[] = [];
  const read = (node: PropNode, fallback: number): { ms: number; node?: PropNode } | "unknown" | "bad" => {
    if (node.isUnknown) {
      ctx.inconclusive(node.unknown());
      return "unknown";
    }
    const raw = node.raw();
    if (raw === undefined || raw === null) return { ms: fallback };
    const ms = typeof raw === "string" ? parseDurationMs(raw, "prometheus") : undefined;
    if (ms === undefined) {
      findings.push({
        node,
        error: PARSE_ERROR(raw, "model.Duration"),
        fix: "use a Prometheus duration such as 15s, 5s or 30s",
      });
      return "bad";
    }
    return { ms, node };
  };
  const judge = (scope: (key: HaKey) => PropNode, fallback: (key: HaKey) => number, tenant?: string) => {
    const update = read(scope("ha_tracker_update_timeout"), fallback("ha_tracker_update_timeout"));
    const jitter = read(
      scope("ha_tracker_update_timeout_jitter_max"),
      fallback("ha_tracker_update_timeout_jitter_max"),
    );
    const failover = read(scope("ha_tracker_failover_timeout"), fallback("ha_tracker_failover_timeout"));
    if (typeof update !== "object" || typeof jitter !== "object" || typeof failover !== "object") return;
    if (update.ms <= 0 && failover.ms <= 0) return;
    const min = update.ms + jitter.ms + 1_000;
    if (failover.ms >= min) return;
    // Report on the key the operator set (failover first, else the update timeout or jitter that raised the minimum).
    const node = failover.node ?? update.node ?? jitter.node;
    if (!node) return;
    findings.push({
      node,
      error:
        (tenant
          ? `validating runtime config overrides of tenant ${JSON.stringify(tenant)}: `
          : "error validating config: ") + FAILOVER_ERROR(failover.ms, min),
      fix:
        `keep ha_tracker_failover_timeout (${formatDuration(failover.ms)}) at least ha_tracker_update_timeout ` +
        `(${formatDuration(update.ms)}) + ha_tracker_update_timeout_jitter_max (${formatDuration(jitter.ms)}) + 1s = ` +
        `${formatDuration(min)} (defaults 15s, 5s, 30s)`,
    });
  };
  const defaults = (key: HaKey) => mimir.structuredNode(`limits.${key}`);
  judge(defaults, (key) => HA_DEFAULTS_MS[key]);
  // What a tenant inherits for the keys it omits (a default that does not parse was reported above).
  const inherited = (key: HaKey): number => {
    const raw = defaults(key).raw();
    const ms = typeof raw === "string" ? parseDurationMs(raw, "prometheus") : undefined;
    return ms ?? HA_DEFAULTS_MS[key];
  };
  const overrides = mimir.values.at("runtimeConfig.overrides").entries();
  if (isUnknown(overrides)) {
    ctx.inconclusive(overrides);
    return findings;
  }
  for (const [tenant, node] of overrides ?? []) {
    if (!HA_TRACKER_KEYS.some((key) => node.get(key).isPresent)) continue;
    judge((key) => node.get(key), inherited, tenant);
  }
  return findings;
}

// --- Other Limits.Validate checks, the tenant shard sizes, the querier ---
// pkg/util/validation/limits.go Limits.Validate, read at the version whose find_string id is 2455655112 (Mimir 3.1
// era: it has 3.1's per-tenant early head compaction) and at aa3dce83c9eb (2024). Only checks that are either in both
// versions, or refuse a value Mimir 3.0 cannot accept whatever its version (an enum value no version knows: if the key
// itself is missing from 3.0, strict YAML refuses it as well) are judged here. Limits.Validate runs on the defaults
// at start-up and on every tenant of the runtime config (pkg/mimir/runtime_config.go), like the HA tracker check.
/** pkg/querier/api consistency.go ReadConsistencies (strong, eventual). */
const READ_CONSISTENCIES = ["strong", "eventual"];
/**
 * Enum limits whose values no Mimir version outside the list accepts. name_validation_scheme: Limits.Validate
 * "unrecognized name validation scheme" (prometheus/common model.ValidationScheme: legacy, utf8). otel_translation_strategy:
 * "unsupported OTLP translation strategy" (prometheus/otlptranslator TranslationStrategyOption). label_value_length_over_limit_strategy:
 * LabelValueLengthOverLimitStrategy (error, truncate, drop; its UnmarshalYAML refuses other values, INFERRED from the
 * field's doc "Options are: 'error', 'truncate', 'drop'"). All three were added in Mimir 3.0 (CHANGELOG 3.0.0 #12215,
 * #12284, #12627).
 */
const LIMIT_ENUMS: ReadonlyArray<{ key: string; values: readonly string[]; error: (v: string) => string }> = [
  {
    key: "ingest_storage_read_consistency",
    values: READ_CONSISTENCIES,
    error: () => `invalid ingest storage read consistency (supported values: ${READ_CONSISTENCIES.join(", ")})`,
  },
  {
    key: "name_validation_scheme",
    values: ["legacy", "utf8"],
    error: (v) => `unrecognized name validation scheme: ${v}`,
  },
  {
    key: "otel_translation_strategy",
    values: [
      "UnderscoreEscapingWithSuffixes",
      "UnderscoreEscapingWithoutSuffixes",
      "NoUTF8EscapingWithSuffixes",
      "NoTranslation",
    ],
    error: (v) => `unsupported OTLP translation strategy ${JSON.stringify(v)}`,
  },
  {
    key: "label_value_length_over_limit_strategy",
    values: ["error", "truncate", "drop"],
    error: (v) => `invalid label value length over limit strategy ${JSON.stringify(v)} (INFERRED wording)`,
  },
];

function otherLimits(ctx: RuleContext<object>, mimir: MimirRelease): Finding[] {
  const findings: Finding[] = [];
  const judge = (node: (key: string) => PropNode, prefix: string) => {
    // errInvalidMaxEstimatedChunksPerQueryMultiplier: `< 1 && != 0`.
    const multiplier = node("max_estimated_fetched_chunks_per_query_multiplier");
    if (multiplier.isUnknown) ctx.inconclusive(multiplier.unknown());
    else if (multiplier.isPresent) {
      const n = float(multiplier.raw());
      if (n !== undefined && n !== 0 && n < 1)
        findings.push({
          node: multiplier,
          error: `${prefix}invalid value for -querier.max-estimated-fetched-chunks-per-query-multiplier: must be 0 or greater than or equal to 1`,
          fix: "use 0 (no estimate-based limit, the default) or a multiplier of 1 or more",
        });
    }
    for (const { key, values, error } of LIMIT_ENUMS) {
      const found = node(key);
      if (found.isUnknown) {
        ctx.inconclusive(found.unknown());
        continue;
      }
      const raw = found.raw();
      if (raw === undefined || raw === null || raw === "" || values.includes(String(raw))) continue;
      findings.push({
        node: found,
        error: prefix + error(String(raw)),
        fix: `use one of ${values.join(", ")} (or remove it for the default)`,
      });
    }
  };
  judge((key) => mimir.structuredNode(`limits.${key}`), "error validating config: ");
  const overrides = mimir.values.at("runtimeConfig.overrides").entries();
  if (isUnknown(overrides)) ctx.inconclusive(overrides);
  else
    for (const [tenant, node] of overrides ?? [])
      judge((key) => node.get(key), `validating runtime config overrides of tenant ${JSON.stringify(tenant)}: `);

  // Tenant shard sizes, validated against the default limits at start-up: pkg/distributor/distributor.go
  // Config.Validate and pkg/storegateway/gateway.go Config.Validate return errInvalidTenantShardSize ("invalid tenant
  // shard size, the value must be greater [than] or equal to zero/0"; the wording varies by version) when negative.
  for (const [key, component] of [
    ["ingestion_tenant_shard_size", "distributor"],
    ["store_gateway_tenant_shard_size", "store-gateway"],
  ] as const) {
    findings.push(
      ...integerCheck(
        ctx,
        mimir,
        `limits.${key}`,
        (n) => n >= 0,
        `error validating config: invalid ${component} config: invalid tenant shard size, the value must be greater than or equal to zero`,
        "use 0 (no shuffle sharding) or a positive shard size",
      ),
    );
  }
  return findings;
}

/**
 * pkg/querier/querier.go Config.Validate: `QueryEngine != "prometheus" && != "mimir"` is "unknown PromQL engine
 * '<x>'" (read at 096dc676b49a; Mimir 3.0 keeps both engines, CHANGELOG 3.0.0 #12361). Mimir 3.0.0 CHANGELOG:
 * "Querier: Require non-zero values for -querier.streaming-chunks-per-ingester-buffer-size and
 * -querier.streaming-chunks-per-store-gateway-buffer-size" (#12790 ...); the error's wording is INFERRED.
 */
function querierChecks(ctx: RuleContext<object>, mimir: MimirRelease): Finding[] {
  const findings: Finding[] = [];
  const engine = present(ctx, mimir, "querier.query_engine");
  if (engine && engine.raw !== "prometheus" && engine.raw !== "mimir") {
    findings.push({
      node: engine.node,
      error: `error validating config: invalid querier config: unknown PromQL engine '${String(engine.raw)}'`,
      fix: "use mimir (Mimir's query engine) or prometheus",
    });
  }
  for (const key of [
    "streaming_chunks_per_ingester_series_buffer_size",
    "streaming_chunks_per_store_gateway_series_buffer_size",
  ]) {
    findings.push(
      ...integerCheck(
        ctx,
        mimir,
        `querier.${key}`,
        (n) => n > 0,
        `error validating config: invalid querier config: ${key} must be greater than 0 (INFERRED wording; Mimir 3.0 requires a non-zero value)`,
        "use a positive number of series (default 256)",
      ),
    );
  }
  // pkg/mimir/mimir.go Config.Validate (read at the version with find_string id 2776907737, the 3.x Config.Validate
  // order): `Querier.EngineConfig.Timeout > Server.HTTPServerWriteTimeout` is "querier timeout (%s) must be lower than
  // or equal to HTTP server write timeout (%s)", unwrapped. Defaults: querier.timeout 2m (config descriptor),
  // server.http_server_write_timeout 2m (registerServerFlagsWithChangedDefaultValues).
  const timeout = present(ctx, mimir, "querier.timeout");
  const write = present(ctx, mimir, "server.http_server_write_timeout");
  const unknownTimeout = ["querier.timeout", "server.http_server_write_timeout"].some(
    (path) => mimir.structuredNode(path).isUnknown,
  );
  if ((timeout || write) && !unknownTimeout) {
    const ms = (v: Value | undefined) =>
      v === undefined ? 120_000 : typeof v.raw === "string" ? parseDurationMs(v.raw, "go") : undefined;
    const q = ms(timeout);
    const w = ms(write);
    if (q !== undefined && w !== undefined && q > w) {
      findings.push({
        node: (timeout ?? write)!.node,
        error: `error validating config: querier timeout (${formatDuration(q)}) must be lower than or equal to HTTP server write timeout (${formatDuration(w)})`,
        fix: `keep querier.timeout (${formatDuration(q)}) at most server.http_server_write_timeout (${formatDuration(w)}); both default to 2m, so raise the write timeout with it`,
      });
    }
  }
  return findings;
}

// --- Module-level cross-section checks ---
/**
 * pkg/mimir/modules.go initRuler (read at the version of find_string id 2458555902, the 3.x modules.go):
 * `if t.Cfg.Ruler.TenantFederation.Enabled && !t.Cfg.TenantFederation.Enabled` returns
 * errors.New("-" + ruler.TenantFederationFlag + "=true requires -tenant-federation.enabled=true"); the ruler module
 * fails to initialise, so the ruler pods exit (other components do not build the ruler module). Both flags default
 * to false (-ruler.tenant-federation.enabled, -tenant-federation.enabled: Mimir config descriptor). The ruler pods
 * render unless the chart's ruler.enabled is false (mimir-distributed values, default true).
 */
function moduleChecks(ctx: RuleContext<object>, mimir: MimirRelease): Finding[] {
  const rulerEnabled = mimir.release.values.at("ruler.enabled").boolean();
  if (isUnknown(rulerEnabled)) {
    ctx.inconclusive(rulerEnabled);
    return [];
  }
  if (rulerEnabled === false) return [];
  const flag = (path: string): boolean | undefined | "unknown" => {
    const found = mimir.setting(path);
    if (found === undefined) return false;
    if (isUnknown(found)) {
      ctx.inconclusive(found);
      return "unknown";
    }
    const v = found.value;
    return v === true || v === "true" ? true : v === false || v === "false" || v === undefined ? false : undefined;
  };
  const ruler = flag("ruler.tenant_federation.enabled");
  const global = flag("tenant_federation.enabled");
  if (ruler !== true || global !== false) return [];
  return [
    {
      node: mimir.structuredNode("ruler.tenant_federation.enabled"),
      error: "-ruler.tenant-federation.enabled=true requires -tenant-federation.enabled=true",
      fix: "also set mimir.structuredConfig.tenant_federation.enabled: true (federated rule groups query several tenants through it), or remove ruler.tenant_federation.enabled",
      consequence:
        "the ruler module fails to initialise and every ruler pod exits, so no recording or alerting rule is evaluated",
    },
  ];
}

// --- S3 storage class ---
// pkg/storage/bucket/s3/config.go: `supportedStorageClasses = s3_types.ObjectStorageClass("").Values()` and
// Config.Validate returns errUnsupportedStorageClass ("unsupported S3 storage class (supported values: ...)") for
// any other non-empty value. The list is the AWS SDK's ObjectStorageClass enum: the Mimir config descriptor (April
// 2025) lists STANDARD ... EXPRESS_ONEZONE; newer SDKs add FSX_OPENZFS and FSX_ONTAP (AWS S3 API reference,
// InvalidObjectState StorageClass), accepted here so a newer value is never refused wrongly.
export const MIMIR_S3_STORAGE_CLASSES = [
  "STANDARD",
  "REDUCED_REDUNDANCY",
  "GLACIER",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "DEEP_ARCHIVE",
  "OUTPOSTS",
  "GLACIER_IR",
  "SNOW",
  "EXPRESS_ONEZONE",
  "FSX_OPENZFS",
  "FSX_ONTAP",
] as const;
/** Every Mimir bucket client config (blocks, ruler, alertmanager, and the common block they inherit from). */
export const MIMIR_S3_SECTIONS = ["common.storage", "blocks_storage", "ruler_storage", "alertmanager_storage"] as const;

function storageClassChecks(ctx: RuleContext<object>, mimir: MimirRelease): Finding[] {
  return MIMIR_S3_SECTIONS.flatMap((section): Finding[] => {
    const found = present(ctx, mimir, `${section}.s3.storage_class`);
    if (!found || found.raw === "") return [];
    if ((MIMIR_S3_STORAGE_CLASSES as readonly unknown[]).includes(found.raw)) return [];
    return [
      {
        node: found.node,
        error: `error validating config: unsupported S3 storage class (supported values: ${MIMIR_S3_STORAGE_CLASSES.slice(0, 11).join(", ")})`,
        fix: "use STANDARD (or leave it unset), STANDARD_IA, INTELLIGENT_TIERING or GLACIER_IR",
      },
    ];
  });
}

export const mimirConfigValid = stackRule<object>(
  {
    name: "mimir-config-valid",
    rule: "M13",
    description:
      "Mimir's blocks storage, store-gateway, compactor, limits, querier and S3 settings must pass Mimir 3.0's start-up validation (stripe size a power of 2, head compaction interval in (0, 15m], a supported compaction jobs order, positive concurrencies and sizes, HA failover timeout >= update timeout + jitter + 1s, known limit enum values, estimated-chunks multiplier 0 or >= 1, non-negative tenant shard sizes, a known query engine, querier timeout <= HTTP write timeout, a known S3 storage class, S3 clients with a v4/v2 signature, an STS endpoint URL, an endpoint not prefixed with the bucket, SSE-KMS/SSE-S3 (SSE-KMS with a key, a JSON string-map context), a known bucket lookup type and list-objects version, ruler tenant federation only with the global tenant federation; the ruler, rule and alertmanager stores, query-frontend and results cache, memcached caches with addresses (the chart renders them only with its cache on) and a results cache backend when query-frontends build the cache, frontend worker, query-scheduler, ingester client, usage stats and alertmanager checks: known storage backends and gRPC compressions, alphanumeric storage prefixes, non-negative ruler shard size, json/protobuf response formats, a split interval with the results cache, memcached results cache, dns/ring scheduler discovery, a valid alertmanager external URL)",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Keep each blocks_storage.tsdb, blocks_storage.bucket_store, compactor, limits.ha_tracker_* and s3.storage_class setting within what Mimir's Validate accepts, or remove it to use the default; set the HA tracker timeouts under limits, not distributor.ha_tracker; use only the documented values of the limits' enums and querier.query_engine, and raise server.http_server_write_timeout with querier.timeout.",
    url: "https://github.com/grafana/mimir/blob/main/pkg/storage/tsdb/config.go (TSDBConfig.Validate, BucketStoreConfig.Validate); pkg/compactor/compactor.go (Config.Validate)",
    tags: ["mimir", "startup"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const findings = [
        ...tsdbChecks(ctx, mimir),
        ...bucketStoreChecks(ctx, mimir),
        ...compactorChecks(ctx, mimir),
        ...haTrackerLimits(ctx, mimir),
        ...otherLimits(ctx, mimir),
        ...querierChecks(ctx, mimir),
        ...storageClassChecks(ctx, mimir),
        ...moduleChecks(ctx, mimir),
      ];
      const all = [
        ...findings.map((f) => ({ ...f, where: f.node.where, value: f.node.raw() })),
        ...componentChecks(ctx, mimir),
        ...moduleStartupChecks(ctx, mimir),
      ];
      for (const f of all) {
        const value = f.value;
        ctx.violation(
          `${f.where}=${typeof value === "string" ? value : JSON.stringify(value)}: Mimir refuses to start ("${f.error}"); ` +
            `${f.consequence ?? "every Mimir pod validates the whole config and exits, so no sample is written or read"}. Fix: ${f.fix}.`,
          mimir.urn,
        );
      }
    }
  },
);
