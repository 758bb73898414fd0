// M23: Mimir's per-component tenant lists must not leave out a tenant the stack writes or configures.
// - `compactor`, `store_gateway` and `ruler` each take `enabled_tenants` (only these, when set) and `disabled_tenants`
//   (never these), comma-separated (Mimir config descriptor: -compactor.enabled-tenants, -compactor.disabled-tenants,
//   -store-gateway.*, -ruler.*).
// - A tenant the compactor leaves out is never compacted, never has retention applied, and gets no bucket index (the
//   compactor's blocks cleaner writes it: Mimir docs "Bucket index": "The compactor periodically scans the bucket and
//   uploads an updated bucket index"); queriers and store-gateways find a tenant's blocks only through its index, so
//   its long-term metrics become unreadable and its blocks are never deleted (mandatory).
// - A tenant the store-gateways leave out has no store-gateway loading its blocks: queries beyond query_store_after
//   fail the querier's consistency check ("failed to fetch some blocks", Mimir runbooks
//   err-mimir-store-consistency-check-failed) (mandatory).
// - A tenant the ruler leaves out has none of its recording or alerting rules evaluated (advisory: the pack cannot see
//   whether the tenant has rule groups).
// Tenants: those the stack's own senders write as (Prometheus remote write, Alloy prometheus.remote_write) and those
// the runtime config names (runtimeConfig.overrides).
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { RuleContext, stackRule } from "../../lib/policy";
import { known } from "../../lib/unknown";
import { overrideTenants } from "../limits/common";
import { metricTenants } from "../wiring/endpoints";

const COMPONENTS = [
  {
    section: "compactor",
    level: "mandatory",
    consequence:
      "it never compacts them, applies no retention and writes no bucket index for them, so queriers and store-gateways find none of their blocks: their long-term metrics are unreadable and never deleted",
  },
  {
    section: "store_gateway",
    level: "mandatory",
    consequence:
      "no store-gateway loads their blocks, so every query reaching past query_store_after fails the consistency check (err-mimir-store-consistency-check-failed)",
  },
  {
    section: "ruler",
    level: "advisory",
    consequence: "none of their recording or alerting rules is evaluated",
  },
] as const;

/** A comma-separated tenant list (Mimir flagext.StringSliceCSV); undefined when unset or empty. */
function tenantList(mimir: MimirRelease, path: string): { tenants: string[]; where: string } | undefined {
  const found = known(mimir.configured(path));
  if (found === undefined) return undefined;
  const tenants = String(found.value)
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  return tenants.length > 0 ? { tenants, where: `${found.where}=${JSON.stringify(found.value)}` } : undefined;
}

function stackTenants(mimir: MimirRelease, ctx: RuleContext<object>, stack: Parameters<typeof metricTenants>[0]) {
  const tenants = new Map<string, string>();
  for (const [tenant, senders] of metricTenants(stack, ctx) ?? [])
    tenants.set(tenant, `written by ${senders.join(", ")}`);
  for (const [tenant] of known(overrideTenants(mimir)) ?? [])
    if (!tenants.has(tenant)) tenants.set(tenant, `named in runtimeConfig.overrides`);
  return tenants;
}

export const mimirComponentsServeStackTenants = stackRule<object>(
  {
    name: "mimir-components-serve-stack-tenants",
    rule: "M23",
    description:
      "Mimir's compactor and store-gateway enabled_tenants / disabled_tenants must not leave out a tenant the stack writes or configures (the ruler's: advisory)",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Remove compactor / store_gateway / ruler enabled_tenants and disabled_tenants, or make them include every tenant the stack's senders write as and every tenant of runtimeConfig.overrides.",
    url: "https://grafana.com/docs/mimir/latest/references/architecture/bucket-index/ ; Mimir configuration reference (-compactor.enabled-tenants, -store-gateway.disabled-tenants)",
    tags: ["mimir", "tenants", "storage"],
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const tenants = stackTenants(mimir, ctx, stack);
      if (tenants.size === 0) continue;
      for (const component of COMPONENTS) {
        const enabled = tenantList(mimir, `${component.section}.enabled_tenants`);
        const disabled = tenantList(mimir, `${component.section}.disabled_tenants`);
        const left = [...tenants].filter(
          ([tenant]) => (enabled && !enabled.tenants.includes(tenant)) || disabled?.tenants.includes(tenant),
        );
        if (left.length === 0) continue;
        const lists = [enabled?.where, disabled?.where].filter((w) => w).join(" and ");
        const message =
          `${lists} leave${enabled && disabled ? "" : "s"} out tenant(s) ${left.map(([t, why]) => `"${t}" (${why})`).join(", ")}: ` +
          `${component.consequence}. Fix: remove ${component.section}.enabled_tenants / disabled_tenants, or include ${left.map(([t]) => `"${t}"`).join(", ")}.`;
        if (component.level === "mandatory") ctx.violation(message, mimir.urn);
        else ctx.advisory(message, mimir.urn);
      }
    }
  },
);
