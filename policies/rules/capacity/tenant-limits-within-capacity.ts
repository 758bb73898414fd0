// C5: a tenant's limits are what Mimir and Loki let it send; a limit above what the tier carries lets one tenant
// saturate the write path (or the ingesters' memory) for every tenant before its own limit stops it. An availability
// risk, not a conflict: a limit is a ceiling, not traffic (the traffic the stack declares is judged, mandatorily, by
// C1-C3), and operators raise limits above need on purpose. So advisory by default in every environment; a team that
// forbids oversubscribed tenants enforces it with the policy config `environments: ["staging", "prod"]`.
import { Environment } from "../../lib/config";
import { describeEnvironment, ruleApplies, stackEnvironment } from "../../lib/environment";
import { LOKI_DEFAULTS, lokiReleases } from "../../lib/loki";
import { mimirReleases } from "../../lib/mimir";
import { PropNode, show } from "../../lib/node";
import { enforcedEnvironmentsSchema, environmentOverrideSchema } from "../../lib/config";
import { RuleContext, stackRule } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import { isUnknown } from "../../lib/unknown";
import { analyzeCapacity, formatFigure } from "./analysis";
import { TierCapacity } from "./tiers";

interface Config {
  environment?: Environment;
  environments: Environment[];
}

interface TenantLimit {
  who: string;
  value: number;
  where: string;
  urn: string;
}

/** A per-tenant limit of Mimir's (default and runtime overrides), as a number. */
function mimirLimits(stack: StackView, ctx: RuleContext<Config>, key: string): TenantLimit[] | undefined {
  const limits: TenantLimit[] = [];
  for (const mimir of mimirReleases(stack)) {
    const value = mimir.number(`limits.${key}`);
    if (isUnknown(value)) return void ctx.inconclusive(value);
    limits.push({ who: "tenants on the default limit", value: value.value, where: show(value), urn: mimir.urn });
    const overrides = mimir.release.values.get("runtimeConfig").get("overrides").entries();
    if (isUnknown(overrides)) return void ctx.inconclusive(overrides);
    for (const [tenant, node] of overrides ?? []) {
      const own = node.get(key).raw();
      if (typeof own === "number")
        limits.push({
          who: `tenant ${JSON.stringify(tenant)}`,
          value: own,
          where: `${node.get(key).where}=${own}`,
          urn: mimir.urn,
        });
    }
  }
  return limits;
}

/** Loki's ingestion_rate_mb for the defaults and every tenant override (Loki numbers may be decimal strings). */
function lokiRates(stack: StackView, ctx: RuleContext<Config>): TenantLimit[] | undefined {
  const limits: TenantLimit[] = [];
  for (const loki of lokiReleases(stack)) {
    const defaults = loki.values.at("loki.limits_config");
    const scopes: Array<[string, PropNode]> = [["tenants on the default limit", defaults]];
    const tenants = loki.tenantOverrides();
    if (isUnknown(tenants)) return void ctx.inconclusive(tenants);
    for (const [tenant, node] of tenants ?? []) scopes.push([`tenant ${JSON.stringify(tenant)}`, node]);
    const fallback = Number(
      defaults.get("ingestion_rate_mb").raw() ?? LOKI_DEFAULTS["limits_config.ingestion_rate_mb"],
    );
    for (const [who, node] of scopes) {
      const raw = node.get("ingestion_rate_mb").raw();
      if (isUnknown(raw)) continue;
      const value = raw === undefined ? fallback : Number(raw);
      if (Number.isFinite(value))
        limits.push({ who, value, where: `${node.get("ingestion_rate_mb").where}=${value}`, urn: loki.urn });
    }
  }
  return limits;
}

const MB_PER_GB_DAY = 1000 / 86_400;

export const tenantLimitsWithinCapacity = stackRule<Config>(
  {
    name: "tenant-limits-within-capacity",
    rule: "C5",
    description:
      "No tenant's Mimir ingestion_rate or max_global_series_per_user, or Loki ingestion_rate_mb (the default or an override), may exceed what its tier carries (advisory unless the policy config's environments enforce it)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Lower the tenant's limit (limits or runtimeConfig.overrides) below the tier's capacity, or scale the tier (distributors, ingesters, Loki ingesters).",
    url: "https://grafana.com/docs/mimir/latest/manage/run-production-environment/planning-capacity/ (distributor: 1 core + 1 GB per 25,000 samples/s; ingester: per 300,000 series); Loki docs setup/size",
    tags: ["capacity", "mimir", "loki"],
    configSchema: {
      properties: {
        environment: environmentOverrideSchema,
        environments: enforcedEnvironmentsSchema([]),
      },
    },
  },
  (stack, ctx) => {
    const env = stackEnvironment(stack, ctx.config.environment);
    const report = ruleApplies(env, ctx.config.environments)
      ? (message: string, urn: string) => ctx.violation(`${message} Environment: ${describeEnvironment(env)}.`, urn)
      : (message: string, urn: string) => ctx.advisory(message, urn);
    const tiers = analyzeCapacity(stack).tiers;
    const tier = (name: TierCapacity["tier"]) => tiers.find((t) => t.tier === name && t.capacity > 0);
    const checks: Array<{
      tier?: TierCapacity;
      limits?: TenantLimit[];
      what: string;
      unit: string;
      per: number;
      slack: number;
      fix: string;
    }> = [
      {
        tier: tier("samples"),
        limits: mimirLimits(stack, ctx, "ingestion_rate"),
        what: "send",
        unit: "samples/s",
        per: 1,
        slack: 0,
        fix: "scale the distributors",
      },
      {
        tier: tier("series"),
        limits: mimirLimits(stack, ctx, "max_global_series_per_user"),
        what: "keep",
        unit: "active series",
        per: 1,
        slack: 0,
        fix: "scale the ingesters",
      },
      // Loki's limit is in MB/s and the program writes it in whole MB/s: within one MB/s of the tier is at capacity.
      {
        tier: tier("logs"),
        limits: lokiRates(stack, ctx),
        what: "send",
        unit: "MB/s of logs",
        per: MB_PER_GB_DAY,
        slack: 1,
        fix: "scale the Loki ingesters",
      },
    ];
    for (const check of checks) {
      if (!check.tier || !check.limits) continue;
      const capacity = check.tier.capacity * check.per;
      for (const l of check.limits.filter((x) => x.value > capacity + check.slack)) {
        report(
          `${l.where} lets ${l.who} ${check.what} ${formatFigure(l.value)} ${check.unit}, more than the ${formatFigure(capacity)} ${check.unit} the ` +
            `${check.tier.label} tier carries (${check.tier.basis}): one tenant at its limit slows or rejects every tenant's writes before its own limit applies. ` +
            `Fix: lower it below ${formatFigure(capacity)} or ${check.fix}.`,
          l.urn,
        );
      }
    }
  },
);
