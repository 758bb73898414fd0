// Q3 (HARD, data kept but never readable): max_query_lookback cuts every query's start to now - lookback without an
// error, while the compactor keeps (and S3 bills) everything up to the retention: the data between lookback and
// retention can never be read, by Grafana, the ruler or an API client.
// - Mimir limits.max_query_lookback (default 0 = no limit; config descriptor: "Limit how long back data (series and
//   metadata) can be queried ... enforced in the query-frontend, querier and ruler") vs
//   limits.compactor_blocks_retention_period (0 = keep forever).
// - Loki limits_config.max_query_lookback (default 0s; v3.7.6 pkg/validation/limits.go: "the request will not fail,
//   but will be modified to only query data within the allowed time range") vs limits_config.retention_period
//   (0 = keep forever).
// Both are per-tenant limits: each tenant's own lookback is compared with its own retention.
import { formatDuration } from "../../lib/duration";
import { LokiRelease, lokiReleases } from "../../lib/loki";
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { parseSourcedDuration, Sourced } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { LimitScope, limitScopes } from "./common";

const ZERO = (where: string): Sourced<unknown> => ({ value: "0s", where });

function durationOf(scope: LimitScope, urn: string): Sourced<number> | undefined {
  const found = scope.value;
  if (found === undefined || isUnknown(found)) return undefined;
  return parseSourcedDuration(found, "prometheus", urn);
}

function checkRelease(
  ctx: RuleContext<object>,
  release: MimirRelease | LokiRelease,
  section: string,
  retentionKey: string,
  product: string,
): void {
  const lookbacks = limitScopes(
    release,
    `${section}.max_query_lookback`,
    ZERO(`${product} default ${section}.max_query_lookback`),
  );
  const retentions = limitScopes(
    release,
    `${section}.${retentionKey}`,
    ZERO(`${product} default ${section}.${retentionKey}`),
  );
  if (isUnknown(lookbacks)) return ctx.inconclusive(lookbacks);
  if (isUnknown(retentions)) return ctx.inconclusive(retentions);
  lookbacks.forEach((scope, i) => {
    const retentionScope = retentions[i];
    if (scope.inherited && retentionScope.inherited) return;
    if (isUnknown(scope.value)) return ctx.inconclusive(scope.value);
    if (retentionScope.value && isUnknown(retentionScope.value)) return ctx.inconclusive(retentionScope.value);
    const lookback = durationOf(scope, release.urn);
    const retention = durationOf(retentionScope, release.urn);
    if (!lookback || !retention) return;
    // 0 lookback: no limit. 0 retention: kept forever (no finite window to compare; a deliberate archive).
    if (lookback.value <= 0 || retention.value <= 0 || lookback.value >= retention.value) return;
    ctx.violation(
      `${lookback.where}=${formatDuration(lookback.value)} < ${retention.where}=${formatDuration(retention.value)} (${scope.who}): ` +
        `${product} keeps ${formatDuration(retention.value)} of data but silently cuts every query (Grafana, rules, API) to the last ${formatDuration(lookback.value)}, ` +
        `so ${formatDuration(retention.value - lookback.value)} of stored and paid-for data can never be read. ` +
        `Fix: set max_query_lookback to 0 (no limit) or at least the retention, or shorten the retention to the lookback.`,
      release.urn,
    );
  });
}

export const queryLookbackCoversRetention = stackRule<object>(
  {
    name: "query-lookback-covers-retention",
    rule: "Q3",
    description:
      "Mimir's and Loki's max_query_lookback (defaults and every tenant) must be 0 or at least the same scope's retention (compactor_blocks_retention_period, retention_period)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Set max_query_lookback to 0 (no limit) or to at least the retention, in limits / limits_config and in each tenant's runtime override.",
    url: "https://grafana.com/docs/mimir/latest/references/configuration-parameters/#limits (max_query_lookback); https://grafana.com/docs/loki/latest/configure/#limits_config (max_query_lookback)",
    tags: ["mimir", "loki", "retention", "limits"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack))
      checkRelease(ctx, mimir, "limits", "compactor_blocks_retention_period", "Mimir");
    for (const loki of lokiReleases(stack)) checkRelease(ctx, loki, "limits_config", "retention_period", "Loki");
  },
);
