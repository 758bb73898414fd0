// M6: ingesters must keep blocks longer than the window queriers skip the store for, or recent data has a gap no
// query reads; and longer than the block range, or a block may go before it is shipped (data loss). Both mandatory.
// The same gap opens when an idle tenant's TSDB is closed: grafana/mimir pkg/storage/tsdb/config.go flag
// -blocks-storage.tsdb.close-idle-tsdb-timeout ("If TSDB has not received any data for this duration, and all blocks
// from TSDB have been shipped, TSDB is closed and deleted from local disk. If set to positive value, this value should
// be equal or higher than -querier.query-ingesters-within flag to make sure that TSDB is not closed prematurely, which
// could cause partial query results. 0 or negative value disables closing of idle TSDB."; config descriptor default
// 13h). What breaks for certain is a timeout below query_store_after: the tenant's samples of the last
// query_store_after are then in no ingester and queriers do not ask the store-gateways for them (config descriptor,
// querier.query_store_after: "the query end is not more recent than 'now - query-store-after'"), so every query over that window
// is partial until the data ages past it. Between query_store_after and query_ingesters_within the store already serves
// the data once its blocks are loaded (store-gateways skip blocks younger than ignore_blocks_within, default 10h): the
// flag doc's stronger bound is named in the fix, not enforced.
import { formatDuration } from "../../lib/duration";
import { mimirReleases } from "../../lib/mimir";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";

export const mimirBlocksRetentionCoversQueryStoreAfter = stackRule<object>(
  {
    name: "mimir-blocks-retention-covers-query-store-after",
    rule: "M6",
    description:
      "Mimir blocks_storage.tsdb.retention_period must exceed querier.query_store_after and the TSDB block range, and a positive close_idle_tsdb_timeout must not be below query_store_after",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep blocks_storage.tsdb.retention_period (default 13h) above query_store_after (default 12h) and the block range (2h), and close_idle_tsdb_timeout (default 13h) at least query_ingesters_within or 0.",
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
          mimir.duration("blocks_storage.tsdb.close_idle_tsdb_timeout"),
        ],
        (retention, storeAfter, blockRanges, closeIdle) => {
          if (closeIdle.value > 0 && storeAfter.value !== 0 && closeIdle.value < storeAfter.value) {
            ctx.violation(
              `${show(closeIdle)} < ${show(storeAfter)}: a tenant that writes nothing for ${formatDuration(closeIdle.value)} ` +
                `(a quiet team, or any tenant during a producer or Kafka outage) has its TSDB closed and deleted from the ingesters ` +
                `once its blocks are shipped, while queriers ask the store-gateways only for data older than ${formatDuration(storeAfter.value)}: ` +
                `that tenant's last ${formatDuration(storeAfter.value)} of samples is read from neither path and queries return partial results, ` +
                `exactly while the outage is investigated. Fix: remove close_idle_tsdb_timeout (default 13h) or keep it at least ` +
                `query_ingesters_within (Mimir's flag doc: "should be equal or higher than -querier.query-ingesters-within"); 0 disables closing.`,
              mimir.urn,
            );
          }
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
