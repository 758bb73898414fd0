// L4 (HARD): Loki's schema periods (loki.schemaConfig.configs, or loki.structuredConfig.schema_config.configs, which
// the chart renders instead) must be readable, ordered, already in force and stored where the chart's storage points.
// Loki pkg/storage/config/schema_config.go:
// - DayTime.UnmarshalYAML parses `from` with time.Parse("2006-01-02"): anything else stops Loki while loading its config.
// - SchemaConfig.Validate: `Configs[i].From >= Configs[i+1].From` is errSchemaIncreasingFromTime, "from time in schemas
//   must be distinct and in increasing order": Loki refuses to start.
// - SchemaForTime: a time before the first period's `from` has no period, "no schema config found for time %v": with the
//   first period in the future every push of a current log line fails, and nothing is stored until that date.
// - PeriodConfig.ObjectType (object_store) picks the storage_config client the period's chunks go to ("Which store to use
//   for the chunks. Either aws (alias s3), azure, gcs, ..., filesystem, or a named_store"). The loki chart configures
//   only the client of loki.storage.type (templates/_helpers.tpl loki.commonStorageConfig), so another object_store
//   writes that period's chunks somewhere the chart never set up: with `filesystem`, a directory inside each writer pod
//   (INFERRED: Loki's filesystem client under the chart's path_prefix /var/loki), unreadable by other pods and lost
//   with the pod.
// Loki 3.7.6 pkg/loki/validation.go, run by Config.Validate at every start-up (pkg/loki/loki.go; "CONFIG ERROR: ..."):
// - validateSchemaRequirements judges only the active period (config.ActivePeriodConfig: the last one whose `from` has
//   passed): with limits_config.allow_structured_metadata (default true, pkg/validation/limits.go
//   -validation.allow-structured-metadata) it needs schema >= v13 ("schema v13 is required to store Structured Metadata")
//   and store tsdb ("`tsdb` index type is required to store Structured Metadata"). The active period today is R5's
//   finding; a FUTURE period that breaks either passes today and stops every Loki pod that starts once its date has
//   come (a rollout, an eviction, a node replacement): checked here. Its index_cache_validity check needs a non-tsdb
//   active period, which with structured metadata allowed already fails as above; not checked on its own.
// - validateSchemaValues, every period: `store` one of Loki's index types (types.SupportedIndexTypes tsdb,
//   boltdb-shipper; DeprecatedIndexTypes aws, aws-dynamo, bigtable, bigtable-hashed, boltdb, cassandra, gcp,
//   gcp-columnkey, grpc-store; TestingStorageTypes inmemory), else "unrecognized `store` (index) type". Its
//   object_store check is stricter below (the client the chart configures).
// - pkg/storage/config/schema_config.go PeriodConfig.validate (SchemaConfig.Validate, every period): the schema must read
//   as v9..v13 (VersionAsInt trims "v", strconv.Atoi; other numbers are errInvalidSchemaVersion "invalid schema
//   version"), so a typo or a not-yet-existing v14 stops Loki at once whatever its date.
// A period added later with a `from` in the past would re-read already written data with the new schema; the pack cannot
// know the previous deployment, so that case is not checked.
import { LokiRelease, LOKI_CHART_DEFAULTS, lokiReleases } from "../../lib/loki";
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

/** object_store names that select the client of each loki.storage.type (Loki PeriodConfig docs: aws alias s3). */
const OBJECT_STORES_OF_TYPE: Readonly<Record<string, readonly string[]>> = {
  s3: ["s3", "aws"],
  gcs: ["gcs"],
  azure: ["azure"],
  swift: ["swift"],
  alibabacloud: ["alibabacloud"],
  cos: ["cos"],
  bos: ["bos"],
  filesystem: ["filesystem"],
};

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `from` as Loki reads it (UTC midnight), or undefined when time.Parse("2006-01-02") would refuse it. */
function parseDay(text: string): number | undefined {
  const match = DAY.exec(text);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(ms).toISOString().slice(0, 10) === text ? ms : undefined;
}

/** Names of named stores (storage_config.named_stores.<type>.<name>), which a period may also name. */
function namedStores(loki: LokiRelease): Set<string> {
  const names = new Set<string>();
  for (const base of ["loki.structuredConfig.storage_config.named_stores", "loki.storage_config.named_stores"]) {
    const types = loki.values.at(base).raw();
    if (!types || typeof types !== "object" || isUnknown(types)) continue;
    for (const stores of Object.values(types as Record<string, unknown>)) {
      if (stores && typeof stores === "object") Object.keys(stores).forEach((name) => names.add(name));
    }
  }
  return names;
}

interface Period {
  node: PropNode;
  from?: { text: string; ms?: number; node: PropNode };
}

function checkPeriods(ctx: RuleContext<object>, loki: LokiRelease, configs: PropNode[], nowMs: number): void {
  const periods: Period[] = [];
  for (const node of configs) {
    const fromNode = node.get("from");
    const raw = fromNode.raw();
    if (isUnknown(raw)) {
      ctx.inconclusive(raw);
      periods.push({ node });
      continue;
    }
    if (raw === undefined || raw === null) {
      periods.push({ node });
      continue;
    }
    const text = String(raw);
    const ms = parseDay(text);
    if (ms === undefined) {
      ctx.violation(
        `${fromNode.where}=${JSON.stringify(raw)}: Loki reads schema dates as YYYY-MM-DD (time.Parse "2006-01-02") and refuses to start with anything else. ` +
          `Fix: write the date as a quoted "YYYY-MM-DD" string.`,
        loki.urn,
      );
    }
    periods.push({ node, from: { text, ms, node: fromNode } });
  }
  // Distinct and increasing, pairwise as SchemaConfig.Validate compares them.
  for (let i = 0; i + 1 < periods.length; i++) {
    const a = periods[i].from;
    const b = periods[i + 1].from;
    if (a?.ms === undefined || b?.ms === undefined || a.ms < b.ms) continue;
    ctx.violation(
      `${b.node.where}=${b.text} is not after ${a.node.where}=${a.text}: Loki refuses to start ("from time in schemas must be distinct and in increasing order"). ` +
        `Fix: give each period a later date than the one before it; keep existing periods unchanged and add new ones with a future date.`,
      loki.urn,
    );
  }
  const first = periods[0]?.from;
  if (first?.ms !== undefined && first.ms > nowMs) {
    const today = new Date(nowMs).toISOString().slice(0, 10);
    ctx.violation(
      `${first.node.where}=${first.text} is after today (${today}) and no period starts earlier: Loki has no schema for current log lines, so every push fails ` +
        `("no schema config found for time ...") and no log is stored until ${first.text}. Fix: start the first period on a past date (the stack uses 2024-04-01) and add later periods only with future dates.`,
      loki.urn,
    );
  }
}

function checkObjectStores(ctx: RuleContext<object>, loki: LokiRelease, configs: PropNode[]): void {
  const type = loki.stringValue("loki.storage.type", LOKI_CHART_DEFAULTS.storageType);
  if (isUnknown(type)) {
    ctx.inconclusive(type);
    return;
  }
  const allowed = OBJECT_STORES_OF_TYPE[type.value];
  if (!allowed) return;
  const named = namedStores(loki);
  for (const period of configs) {
    const storeNode = period.get("object_store");
    const store = storeNode.string();
    if (isUnknown(store)) {
      ctx.inconclusive(store);
      continue;
    }
    if (store === undefined || allowed.includes(store) || named.has(store)) continue;
    const consequence =
      store === "filesystem"
        ? `chunks of that period go to a directory inside each writer pod, not to the ${type.value} bucket: no other pod can read them and they are lost with the pod`
        : `chunks of that period go to the ${store} client, which the chart never configures: Loki cannot write or read them`;
    ctx.violation(
      `${storeNode.where}=${store} while ${type.where}=${type.value}: the chart configures only the ${type.value} object store, so ${consequence}. ` +
        `Fix: set object_store to ${allowed[0]} (the store loki.storage.type configures).`,
      loki.urn,
    );
  }
}

/** Loki 3.7.6 pkg/storage/types/types.go: Supported, Deprecated and Testing index types (validateSchemaValues). */
const INDEX_TYPES = [
  "tsdb",
  "boltdb-shipper",
  "aws",
  "aws-dynamo",
  "bigtable",
  "bigtable-hashed",
  "boltdb",
  "cassandra",
  "gcp",
  "gcp-columnkey",
  "grpc-store",
  "inmemory",
];

/** PeriodConfig.VersionAsInt: strings.Trim(schema, "v") then strconv.Atoi (an optional sign, decimal digits). */
function schemaVersion(schema: string): number | undefined {
  const trimmed = schema.replace(/^v+|v+$/g, "");
  return /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

function checkSchemaValues(ctx: RuleContext<object>, loki: LokiRelease, configs: PropNode[], nowMs: number): void {
  const allowedNode = loki.setting("limits_config.allow_structured_metadata");
  if (isUnknown(allowedNode)) ctx.inconclusive(allowedNode);
  const allowed = isUnknown(allowedNode)
    ? undefined
    : allowedNode === undefined
      ? { value: true, where: "limits_config.allow_structured_metadata (Loki default true)" }
      : {
          value: allowedNode.value !== false && allowedNode.value !== "false",
          where: `${allowedNode.where}=${String(allowedNode.value)}`,
        };
  for (const period of configs) {
    const [schemaNode, storeNode, fromNode] = [period.get("schema"), period.get("store"), period.get("from")];
    const [schema, store, from] = [schemaNode.raw(), storeNode.raw(), fromNode.raw()];
    const unknown = [schema, store, from].find(isUnknown);
    if (unknown !== undefined) {
      ctx.inconclusive(unknown);
      continue;
    }
    const version = typeof schema === "string" ? schemaVersion(schema) : undefined;
    if (schema !== undefined && schema !== null && (version === undefined || version < 9 || version > 13)) {
      ctx.violation(
        `${schemaNode.where}=${JSON.stringify(schema)}: Loki 3.7.6 knows schemas v9 to v13 only and refuses to start ("invalid schema version", ` +
          `pkg/storage/config/schema_config.go PeriodConfig.validate), whatever the period's date. Fix: use schema: v13.`,
        loki.urn,
      );
      continue;
    }
    if (typeof store === "string" && !INDEX_TYPES.includes(store)) {
      ctx.violation(
        `${storeNode.where}=${store}: Loki refuses to start ("unrecognized \`store\` (index) type \`${store}\`, choose one of: boltdb-shipper, tsdb", ` +
          `pkg/loki/validation.go validateSchemaValues). Fix: use store: tsdb.`,
        loki.urn,
      );
      continue;
    }
    const fromMs = typeof from === "string" ? parseDay(from) : undefined;
    // Only future periods: the active one is R5's finding (loki-index-period-24h).
    if (!allowed?.value || fromMs === undefined || fromMs <= nowMs) continue;
    const problems: string[] = [];
    if (version !== undefined && version < 13)
      problems.push(
        `schema ${String(schema)} ("schema v13 is required to store Structured Metadata and use native OTLP ingestion")`,
      );
    if (store !== "tsdb")
      problems.push(`store ${String(store)} ("\`tsdb\` index type is required to store Structured Metadata")`);
    if (problems.length === 0) continue;
    ctx.violation(
      `${period.where} starts ${String(from)} with ${problems.join(" and ")} while structured metadata is allowed (${allowed.where}): ` +
        `from ${String(from)} on it is the active period, and Loki 3.7.6 refuses to start with it (pkg/loki/validation.go ` +
        `validateSchemaRequirements, "CONFIG ERROR"), so every Loki pod that starts after that date (rollout, eviction, node ` +
        `replacement) crash-loops and log writes stop once the running ones are gone. Fix: give the new period schema: v13 and ` +
        `store: tsdb, or set limits_config.allow_structured_metadata: false.`,
      loki.urn,
    );
  }
}

/** The policy with a clock: the pack reads the date it runs on; tests pass a fixed one. */
export function lokiSchemaPeriodsValidRule(now: () => Date) {
  return stackRule<object>(
    {
      name: "loki-schema-periods-valid",
      rule: "L4",
      description:
        "Loki schema periods must have YYYY-MM-DD `from` dates, distinct and increasing, the first one not in the future, the object_store that loki.storage.type configures, a known schema (v9-v13) and index store, and future periods v13 on tsdb while structured metadata is allowed",
      enforcementLevel: "mandatory",
      severity: "critical",
      remediationSteps:
        "Keep the first schema period on a past date, add later periods only with future dates in increasing order, use object_store s3 (the chart's loki.storage.type) in every period, and give every new period schema v13 and store tsdb (or set limits_config.allow_structured_metadata: false).",
      url: "https://github.com/grafana/loki/blob/v3.7.6/pkg/storage/config/schema_config.go (SchemaConfig.Validate, SchemaForTime); pkg/loki/validation.go (validateSchemaRequirements, validateSchemaValues); https://grafana.com/docs/loki/latest/operations/storage/schema/",
      tags: ["loki", "storage"],
      judgedPerResource: true,
    },
    (stack, ctx) => {
      for (const loki of lokiReleases(stack)) {
        const configs = loki.schemaConfigs();
        if (isUnknown(configs)) {
          ctx.inconclusive(configs);
          continue;
        }
        // An absent schema is R5's finding (the chart refuses to render).
        if (!configs || configs.length === 0) continue;
        checkPeriods(ctx, loki, configs, now().getTime());
        checkObjectStores(ctx, loki, configs);
        checkSchemaValues(ctx, loki, configs, now().getTime());
      }
    },
  );
}

export const lokiSchemaPeriodsValid = lokiSchemaPeriodsValidRule(() => new Date());
