// R5 (HARD): Loki's TSDB index is per day; retention streams cannot be shorter than the index period.
import { DAY_MS, formatDuration, parseDurationMs } from "../../lib/duration";
import { LokiRelease, lokiReleases } from "../../lib/loki";
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

// Loki pkg/validation/limits.go Limits.Validate.
function checkStreams(ctx: RuleContext<object>, loki: LokiRelease, streams: PropNode[] | undefined, consequence: string): void {
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
            ctx.violation(`${periodNode.where}=${text} is not a Prometheus duration such as 24h or 7d; Loki refuses to start.`, loki.urn);
        } else if (ms < DAY_MS) {
            ctx.violation(
                `${periodNode.where}=${text} < 24h, the TSDB index period: ${consequence} ("retention period must be >= 24h was ${formatDuration(ms)}"). ` +
                    `Fix: set the stream period to 24h or more.`,
                loki.urn,
            );
        }
    }
}

export const lokiIndexPeriod24h = stackRule<object>(
    {
        name: "loki-index-period-24h",
        rule: "R5",
        description: "Loki TSDB schema index.period must be 24h and every retention_stream period at least 24h",
        enforcementLevel: "mandatory",
        severity: "high",
        remediationSteps: "Use index.period: 24h in every tsdb schema_config period and retention_stream periods of 24h or more.",
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
                    else checkStreams(ctx, loki, tenantStreams, `Loki rejects the runtime config ("invalid override for tenant ${tenant}") and keeps the previous overrides`);
                }
            }
        }
    },
);
