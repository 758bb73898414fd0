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

/** The policy with a clock: the pack reads the date it runs on; tests pass a fixed one. */
export function lokiSchemaPeriodsValidRule(now: () => Date) {
  return stackRule<object>(
    {
      name: "loki-schema-periods-valid",
      rule: "L4",
      description:
        "Loki schema periods must have YYYY-MM-DD `from` dates, distinct and increasing, the first one not in the future, and the object_store that loki.storage.type configures",
      enforcementLevel: "mandatory",
      severity: "critical",
      remediationSteps:
        "Keep the first schema period on a past date, add later periods only with future dates in increasing order, and use object_store s3 (the chart's loki.storage.type) in every period.",
      url: "https://github.com/grafana/loki/blob/main/pkg/storage/config/schema_config.go (SchemaConfig.Validate, SchemaForTime); https://grafana.com/docs/loki/latest/operations/storage/schema/",
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
      }
    },
  );
}

export const lokiSchemaPeriodsValid = lokiSchemaPeriodsValidRule(() => new Date());
