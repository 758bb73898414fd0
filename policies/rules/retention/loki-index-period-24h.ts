// R5 (HARD): Loki's TSDB index is per day; retention streams cannot be shorter than the index period.
import { DAY_MS, formatDuration, parseDurationMs } from "../../lib/duration";
import { LokiRelease, lokiReleases } from "../../lib/loki";
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

// Loki pkg/validation/limits.go Limits.Validate.
function checkStreams(
  ctx: RuleContext<object>,
  loki: LokiRelease,
  streams: PropNode[] | undefined,
  consequence: string,
): void {
  for (const stream of streams ?? []) {
    const periodNode = stream.get("period");
    const text = periodNode.string();
    if (isUnknown(text)) {
      ctx.inconclusive(text);
      continue;
    }
    if (text === undefined) continue;
    const ms = parseDurationMs(text, "prometheus");
    if (ms === undefined) {
      ctx.violation(
        `${periodNode.where}=${text} is not a Prometheus duration such as 24h or 7d; Loki refuses to start.`,
        loki.urn,
      );
    } else if (ms < DAY_MS) {
      ctx.violation(
        `${periodNode.where}=${text} < 24h, the TSDB index period: ${consequence} ("retention period must be >= 24h was ${formatDuration(ms)}"). ` +
          `Fix: set the stream period to 24h or more.`,
        loki.urn,
      );
    }
  }
}

/**
 * Structured metadata (limits_config.allow_structured_metadata, true by default in Loki 3) needs the active schema
 * period to be v13 on TSDB, or Loki refuses to start: "CONFIG ERROR: schema v13 is required to store Structured
 * Metadata and use native OTLP ingestion" / "`tsdb` index type is required to store Structured Metadata" (Loki 3.7.6
 * pkg/loki/validation.go validateSchemaValues). The active period is the last one whose `from` has passed.
 */
function checkStructuredMetadataSchema(ctx: RuleContext<object>, loki: LokiRelease, configs: PropNode[]): void {
  const allowed = loki.values.at("loki.limits_config.allow_structured_metadata").raw();
  if (isUnknown(allowed) || allowed === false || allowed === "false") return;
  const today = new Date().toISOString().slice(0, 10);
  const started = configs.filter((c) => {
    const from = c.get("from").raw();
    return typeof from === "string" && from <= today;
  });
  const active = started[started.length - 1];
  if (!active) return;
  const schema = active.get("schema").raw();
  const store = active.get("store").raw();
  if (isUnknown(schema) || isUnknown(store)) return;
  const version = typeof schema === "string" ? Number(schema.replace(/^v/, "")) : NaN;
  if (version >= 13 && store === "tsdb") return;
  ctx.violation(
    `${active.where} (schema ${String(schema)}, store ${String(store)}) is the active period and structured metadata is allowed (limits_config.allow_structured_metadata, default true): ` +
      `Loki refuses to start ("schema v13 is required to store Structured Metadata", "tsdb index type is required"). ` +
      `Fix: add a period from a future date with schema v13 and store tsdb, or set allow_structured_metadata: false.`,
    loki.urn,
  );
}

export const lokiIndexPeriod24h = stackRule<object>(
  {
    name: "loki-index-period-24h",
    rule: "R5",
    description:
      "Loki TSDB schema index.period must be 24h, every retention_stream period at least 24h, and the active period v13 on tsdb while structured metadata is allowed",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Use index.period: 24h in every tsdb schema_config period and retention_stream periods of 24h or more.",
    url: "https://grafana.com/docs/loki/latest/operations/storage/retention/ (Loki pkg/storage/config/schema_config.go)",
    tags: ["loki", "retention"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      const configs = loki.schemaConfigs();
      if (isUnknown(configs)) {
        ctx.inconclusive(configs);
      } else if (configs === undefined || configs.length === 0) {
        ctx.violation(
          `${loki.label} has no loki.schemaConfig (nor loki.structuredConfig.schema_config): the chart refuses to render ("You must provide a schema_config for Loki"). ` +
            `Fix: add a tsdb v13 period with index.period 24h.`,
          loki.urn,
        );
      } else {
        checkStructuredMetadataSchema(ctx, loki, configs);
        for (const config of configs) {
          const store = config.get("store").string();
          const period = config.get("index", "period");
          const text = period.string();
          if (isUnknown(store)) {
            ctx.inconclusive(store);
            continue;
          }
          if (isUnknown(text)) {
            ctx.inconclusive(text);
            continue;
          }
          if (store !== "tsdb") continue;
          // Loki reads index.period as a Prometheus duration (model.Duration in PeriodConfig), so "1d" is 24h.
          const ms = text === undefined ? undefined : parseDurationMs(text, "prometheus");
          if (ms !== DAY_MS) {
            ctx.violation(
              `${period.where}=${text ?? "(not set)"} for store tsdb: Loki requires the TSDB index period to be 24h and refuses to start otherwise. Fix: set index.period: 24h.`,
              loki.urn,
            );
          }
        }
      }
      const streams = loki.listSetting("limits_config.retention_stream");
      if (isUnknown(streams)) ctx.inconclusive(streams);
      else checkStreams(ctx, loki, streams, "Loki refuses to start");
      const tenants = loki.tenantOverrides();
      if (isUnknown(tenants)) ctx.inconclusive(tenants);
      else {
        for (const [tenant, overrides] of tenants ?? []) {
          const tenantStreams = overrides.get("retention_stream").items();
          if (isUnknown(tenantStreams)) ctx.inconclusive(tenantStreams);
          else
            checkStreams(
              ctx,
              loki,
              tenantStreams,
              `Loki rejects the runtime config ("invalid override for tenant ${tenant}") and keeps the previous overrides`,
            );
        }
      }
    }
  },
);
