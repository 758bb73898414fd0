// M15 (HARD, queries miss data; INFERRED): blocks younger than blocks_storage.bucket_store.ignore_blocks_within are
// read by no store, so ingesters must answer for at least that long.
// - Store-gateways skip every block whose minimum time is within ignore_blocks_within of now (Mimir config descriptor:
//   "Blocks with minimum time within this duration are ignored, and not loaded by store-gateway. Useful when used
//   together with -querier.query-store-after ..."; pkg/storegateway, newMinTimeMetaFilter in the bucket stores' metadata filters), and
//   queriers apply the same filter when they list the blocks to query (pkg/querier/blocks_store_queryable.go,
//   BucketIndexBlocksFinderConfig.IgnoreBlocksWithin), so no consistency check notices the skipped blocks.
// - Queriers ask ingesters only for the last limits.query_ingesters_within (default 13h; per tenant in the runtime
//   overrides; 0 = always).
// A sample between query_ingesters_within and ignore_blocks_within old whose block starts within
// ignore_blocks_within is then in neither answer: the query silently lacks it (and the query-frontend caches the gap).
// Mimir's jsonnet keeps ignore_blocks_within 2h below query_store_after (operations/mimir/store-gateway.libsonnet,
// "We use 2h buffer to make sure that blocks are ready for querying when needed"); no Mimir doc states the bound
// against query_ingesters_within itself, hence INFERRED. M1 (query_ingesters_within > query_store_after) and M6
// (TSDB retention) are separate rules.
import { formatDuration } from "../../lib/duration";
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { Maybe, parseSourcedDuration, showDuration, Sourced } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

const KEY = "blocks_storage.bucket_store.ignore_blocks_within";
const FLAG = "blocks-storage.bucket-store.ignore-blocks-within";
/** Mimir config descriptor: ignore_blocks_within default 10h (36000000000000 ns). */
const DEFAULT_IGNORE_BLOCKS_WITHIN = "10h";

/** The store-gateways' value: their extraArgs flag wins over the config file (CLI flags take precedence). */
function ignoreBlocksWithin(mimir: MimirRelease): Maybe<Sourced<number>> {
  const flag = mimir.values.at("store_gateway.extraArgs").get(FLAG);
  const flagValue = flag.raw();
  if (isUnknown(flagValue)) return flagValue;
  if (flagValue !== undefined && flagValue !== null) {
    return parseSourcedDuration({ value: String(flagValue), where: flag.where }, "go", mimir.urn);
  }
  const found = mimir.setting(KEY) ?? { value: DEFAULT_IGNORE_BLOCKS_WITHIN, where: `Mimir default ${KEY}` };
  if (isUnknown(found)) return found;
  return parseSourcedDuration(found, "go", mimir.urn);
}

export const mimirStoreGatewaySeesRecentBlocks = stackRule<object>(
  {
    name: "mimir-store-gateway-sees-recent-blocks",
    rule: "M15",
    description:
      "Mimir blocks_storage.bucket_store.ignore_blocks_within must not exceed limits.query_ingesters_within (defaults and tenants): blocks younger than it are read by no store-gateway",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep ignore_blocks_within (default 10h) at or below query_ingesters_within (default 13h) for every tenant; Mimir's own jsonnet keeps it 2h below query_store_after.",
    url: "https://github.com/grafana/mimir/blob/main/pkg/querier/blocks_store_queryable.go (IgnoreBlocksWithin); operations/mimir/store-gateway.libsonnet",
    tags: ["mimir", "query"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const ignore = ignoreBlocksWithin(mimir);
      const limits = [
        { tenant: undefined as string | undefined, value: mimir.duration("limits.query_ingesters_within") },
        ...mimir.tenantDurations("query_ingesters_within"),
      ];
      for (const { tenant, value } of limits) {
        ctx.known([ignore, value], (skipped, within) => {
          // 0 or less disables the store-gateway filter; 0 query_ingesters_within sends every query to ingesters.
          if (skipped.value <= 0 || within.value === 0 || skipped.value <= within.value) return;
          const who = tenant === undefined ? "" : ` for tenant "${tenant}"`;
          ctx.violation(
            `INFERRED: ${showDuration(skipped)} > ${showDuration(within)}${who}: store-gateways (and queriers, which apply the same filter) ` +
              `skip blocks starting within the last ${formatDuration(skipped.value)}, while ingesters are asked only for the last ` +
              `${formatDuration(within.value)}: samples between ${formatDuration(within.value)} and ${formatDuration(skipped.value)} old are read ` +
              `from nowhere, so queries over that window silently miss data. Fix: set ${KEY} to at most ${formatDuration(within.value)} ` +
              `(Mimir's jsonnet uses 2h less than query_store_after) or raise query_ingesters_within above ${formatDuration(skipped.value)}.`,
            mimir.urn,
          );
        });
      }
    }
  },
);
