// C5 (SOFT): a tenant's ingestion limit is what Mimir lets it send; a limit above what the distributors carry lets
// one tenant saturate the write path for every tenant before its own limit stops it.
import { mimirReleases } from "../../lib/mimir";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { analyzeCapacity, formatFigure } from "./analysis";

export const tenantLimitsWithinCapacity = stackRule<object>(
  {
    name: "tenant-limits-within-capacity",
    rule: "C5",
    description:
      "No Mimir tenant's ingestion_rate (the default or an override) should exceed what the distributors carry",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
      "Lower the tenant's ingestion_rate (limits or runtimeConfig.overrides) below the samples tier's capacity, or scale the distributors.",
    url: "https://grafana.com/docs/mimir/latest/manage/run-production-environment/planning-capacity/ (distributor: 1 core + 1 GB per 25,000 samples/s)",
    tags: ["capacity", "mimir"],
  },
  (stack, ctx) => {
    const samples = analyzeCapacity(stack).tiers.find((t) => t.tier === "samples");
    // Distributors without requests have no modelled capacity to compare with (C1 reports the tier itself).
    if (!samples || samples.capacity <= 0) return;
    for (const mimir of mimirReleases(stack)) {
      const limits: Array<{ who: string; rate: number; where: string }> = [];
      const rate = mimir.number("limits.ingestion_rate");
      if (isUnknown(rate)) return ctx.inconclusive(rate);
      limits.push({ who: "tenants on the default limit", rate: rate.value, where: show(rate) });
      const overrides = mimir.release.values.get("runtimeConfig").get("overrides").entries();
      if (isUnknown(overrides)) return ctx.inconclusive(overrides);
      for (const [tenant, node] of overrides ?? []) {
        const value = node.get("ingestion_rate").raw();
        if (typeof value === "number")
          limits.push({
            who: `tenant ${JSON.stringify(tenant)}`,
            rate: value,
            where: `${node.get("ingestion_rate").where}=${value}`,
          });
      }
      for (const l of limits.filter((x) => x.rate > samples.capacity)) {
        ctx.advisory(
          `${l.where} lets ${l.who} send ${formatFigure(l.rate)} samples/s, more than the ${formatFigure(samples.capacity)} samples/s the distributors carry ` +
            `(${samples.basis}): one tenant at its limit slows or rejects every tenant's writes before its own limit applies. ` +
            `Fix: lower it below ${formatFigure(samples.capacity)} or scale the distributors.`,
          mimir.urn,
        );
      }
    }
  },
);
