// M6: ingesters must keep blocks longer than the window queriers skip the store for, or recent data has a gap no
// query reads; and longer than the block range, or a block may go before it is shipped (data loss). Both mandatory.
import { formatDuration } from "../../lib/duration";
import { mimirReleases } from "../../lib/mimir";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";

export const mimirBlocksRetentionCoversQueryStoreAfter = stackRule<object>(
  {
    name: "mimir-blocks-retention-covers-query-store-after",
    rule: "M6",
    description:
      "Mimir blocks_storage.tsdb.retention_period must exceed querier.query_store_after and the TSDB block range",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep blocks_storage.tsdb.retention_period (default 13h) above query_store_after (default 12h) and the block range (2h).",
    url: "https://github.com/grafana/mimir/discussions/2553 (conflict-rules.md M6)",
    tags: ["mimir", "retention"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      ctx.known(
        [
          mimir.duration("blocks_storage.tsdb.retention_period"),
          mimir.duration("querier.query_store_after"),
          mimir.durationList("blocks_storage.tsdb.block_ranges_period"),
        ],
        (retention, storeAfter, blockRanges) => {
          const blockRange = Math.max(...blockRanges.value, 0);
          if (storeAfter.value !== 0 && retention.value <= storeAfter.value) {
            ctx.violation(
              `${show(retention)} <= ${show(storeAfter)}: ingesters drop blocks before queriers start reading them from the store, ` +
                `so queries miss the most recent data in that gap. Fix: raise retention_period above ${formatDuration(storeAfter.value)}.`,
              mimir.urn,
            );
          }
          if (retention.value <= blockRange) {
            ctx.violation(
              `${show(retention)} <= TSDB block range ${show(blockRanges)}: ingesters may delete a block before it is shipped and queryable from the store. ` +
                `Fix: raise retention_period above ${formatDuration(blockRange)}.`,
              mimir.urn,
            );
          }
        },
      );
    }
  },
);
