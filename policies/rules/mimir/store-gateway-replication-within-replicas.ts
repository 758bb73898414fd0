// M7 (HARD): the store-gateway ring needs at least RF instances, and every component must agree on that RF.
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { Maybe, show, Sourced } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

const RF_FLAG = "store-gateway.sharding-ring.replication-factor";

/** Store-gateway pods the chart runs: every zone's pods when zone-aware. */
export function storeGatewayInstances(mimir: MimirRelease): Maybe<Sourced<number>> {
  const layout = mimir.podsPerZone("store_gateway");
  if (isUnknown(layout)) return layout;
  return { value: layout.value.perZone * layout.value.zones, where: layout.where };
}

function checkFlagOverrides(ctx: RuleContext<object>, mimir: MimirRelease, rf: Sourced<number>): void {
  for (const component of ["store_gateway", "querier", "ruler"]) {
    const node = mimir.release.values.at(`${component}.extraArgs`).get(RF_FLAG);
    const value = node.number();
    if (isUnknown(value)) {
      ctx.inconclusive(value);
      continue;
    }
    if (value !== undefined && value !== rf.value) {
      ctx.violation(
        `${node.where}=${value} differs from ${show(rf)}: the ${component} computes block ownership with another replication factor than ` +
          `the store-gateways, so queries look for blocks on store-gateways that do not hold them and fail. Fix: set the same value everywhere (only in structuredConfig).`,
        mimir.urn,
      );
    }
  }
}

export const mimirStoreGatewayReplicationWithinReplicas = stackRule<object>(
  {
    name: "mimir-store-gateway-replication-within-replicas",
    rule: "M7",
    description:
      "Mimir store-gateway replication factor must not exceed the store-gateway instances and must be the same on store-gateway, querier and ruler",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Run at least store_gateway.sharding_ring.replication_factor (default 3) store-gateways, or lower the RF; set it only in mimir.structuredConfig so every component shares it.",
    url: "https://grafana.com/docs/mimir/latest/references/architecture/components/store-gateway/ (conflict-rules.md M7)",
    tags: ["mimir"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const rf = mimir.number("store_gateway.sharding_ring.replication_factor");
      ctx.known([rf, storeGatewayInstances(mimir)], (factor, instances) => {
        checkFlagOverrides(ctx, mimir, factor);
        if (instances.value >= factor.value) return;
        const quorum = Math.floor(factor.value / 2) + 1;
        const consequence =
          instances.value < quorum
            ? `the ring needs ${quorum} live store-gateways per block ("at least ${quorum} live replicas required, could only find ${instances.value}"), so queries of long-term data fail`
            : `every block is held by fewer store-gateways than configured, so losing one more store-gateway fails queries of long-term data`;
        ctx.violation(
          `${show(factor)} > ${instances.value} store-gateways (${instances.where}): ${consequence}. Fix: run at least ${factor.value} store-gateways or lower the replication factor.`,
          mimir.urn,
        );
      });
    }
  },
);
