// Q8 (HARD at query time): Loki refuses a log query whose line limit exceeds the tenant's
// limits_config.max_entries_limit_per_query with 400 "max entries limit per query exceeded, limit >
// max_entries_limit_per_query (%d > %d)" (grafana/loki v3.7.6 pkg/querier/queryrange/limits.go validateMaxEntriesLimits
// and pkg/querier/http.go validateEntriesLimits; 0 = no limit; default 5000, pkg/validation/limits.go
// -validation.max-entries-limit). Grafana's Loki datasource sends every log query with limit = its jsonData.maxLines
// (grafana/grafana public/app/plugins/datasource/loki/datasource.ts: `DEFAULT_MAX_LINES = 1000`, used when maxLines is
// unset or not a number; Grafana docs Loki data source "Maximum lines"): a smaller limit fails every Explore and
// logs-panel query of that datasource.
// Per tenant: the datasource's X-Scope-OrgID picks the tenant's override (else the defaults); a datasource without a
// literal tenant is compared with the defaults and every tenant.
import { lokiReleases } from "../../lib/loki";
import { Sourced } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { datasourceTenant, grafanaDatasources, isExpanded } from "../wiring/endpoints";
import { limitScopes, wholeNumber } from "./common";

/** grafana/grafana public/app/plugins/datasource/loki/datasource.ts DEFAULT_MAX_LINES. */
export const GRAFANA_LOKI_DEFAULT_MAX_LINES = 1000;
/** grafana/loki v3.7.6 pkg/validation/limits.go: -validation.max-entries-limit 5000. */
export const LOKI_MAX_ENTRIES_LIMIT_DEFAULT = 5000;

export const lokiEntriesLimitHoldsGrafanaLines = stackRule<object>(
  {
    name: "loki-entries-limit-holds-grafana-lines",
    rule: "Q8",
    description:
      "Loki's limits_config.max_entries_limit_per_query (defaults and every tenant) must be 0 or at least the line limit (jsonData.maxLines, default 1000) of each Grafana Loki datasource querying it",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise max_entries_limit_per_query (default 5000; 0 = no limit) in limits_config and the tenants' overrides to at least the datasources' maxLines, or lower the datasource's jsonData.maxLines.",
    url: "https://grafana.com/docs/loki/latest/configure/#limits_config (max_entries_limit_per_query); https://grafana.com/docs/grafana/latest/datasources/loki/ (Maximum lines)",
    tags: ["loki", "grafana", "limits"],
  },
  (stack, ctx) => {
    const loki = lokiReleases(stack)[0];
    if (!loki) return;
    const { datasources, unknowns } = grafanaDatasources(stack);
    unknowns.forEach((u) => ctx.inconclusive(u));
    const scopes = limitScopes(loki, "limits_config.max_entries_limit_per_query", {
      value: LOKI_MAX_ENTRIES_LIMIT_DEFAULT,
      where: "Loki default limits_config.max_entries_limit_per_query",
    });
    if (isUnknown(scopes)) return ctx.inconclusive(scopes);
    const reported = new Set<string>();
    for (const { node, release } of datasources) {
      const type = node.get("type").string();
      if (isUnknown(type)) {
        ctx.inconclusive(type);
        continue;
      }
      if (type !== "loki") continue;
      const name = node.get("name").raw();
      const linesNode = node.get("jsonData", "maxLines");
      const rawLines = linesNode.raw();
      const tenant = datasourceTenant(node);
      if (isUnknown(rawLines) || isUnknown(tenant) || isUnknown(name)) {
        [rawLines, tenant, name].forEach((v) => isUnknown(v) && ctx.inconclusive(v));
        continue;
      }
      const parsed = wholeNumber(rawLines);
      const lines: Sourced<number> =
        parsed !== undefined && parsed > 0
          ? { value: parsed, where: linesNode.where }
          : { value: GRAFANA_LOKI_DEFAULT_MAX_LINES, where: "Grafana's default Loki datasource maxLines" };
      const literal = tenant && !isExpanded(tenant.value) ? tenant.value : undefined;
      // A tenant without its own key has the defaults' value: judged (and reported once) as the defaults.
      const own = literal ? scopes.find((s) => s.tenant === literal && !s.inherited) : undefined;
      const judged = literal ? [own ?? scopes[0]] : scopes.filter((s) => !s.inherited);
      for (const scope of judged) {
        const key = `${scope.who}/${lines.value}`;
        if (reported.has(key)) continue;
        reported.add(key);
        if (scope.value === undefined) continue;
        if (isUnknown(scope.value)) {
          ctx.inconclusive(scope.value);
          continue;
        }
        const limit = wholeNumber(scope.value.value);
        if (limit === undefined || limit <= 0 || limit >= lines.value) continue;
        ctx.violation(
          `${scope.value.where}=${limit} (${scope.who}) is below the ${lines.value} lines ${release.label}'s Loki datasource ${JSON.stringify(name)} asks for (${lines.where}): ` +
            `Loki answers every log query of that datasource (Explore, logs panels) with 400 "max entries limit per query exceeded, limit > max_entries_limit_per_query (${lines.value} > ${limit})". ` +
            `Fix: raise max_entries_limit_per_query to at least ${lines.value} (Loki's default is ${LOKI_MAX_ENTRIES_LIMIT_DEFAULT}, 0 = no limit) or lower the datasource's jsonData.maxLines.`,
          loki.urn,
        );
      }
    }
  },
);
