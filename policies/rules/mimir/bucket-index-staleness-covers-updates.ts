// M20 (HARD, reads fail; INFERRED bound): queriers and rulers refuse to query a tenant whose bucket index is older
// than blocks_storage.bucket_store.bucket_index.max_stale_period.
// - Mimir config descriptor, max_stale_period (default 1h): "The maximum allowed age of a bucket index (last updated)
//   before queries start failing because the bucket index is too old. The bucket index is periodically updated by the
//   compactor, and this check is enforced in the querier (at query time)."
// - The compactor rewrites each tenant's index every compactor.cleanup_interval (default 15m; Mimir runbooks,
//   MimirBucketIndexNotUpdated and err-mimir-bucket-index-too-old: "updated every -compactor.cleanup-interval ...
//   If the age is older than the maximum stale period ..., the query fails").
// - A querier re-reads an index it holds in memory only once it is older than blocks_storage.bucket_store.sync_interval
//   (bucketindex.LoaderConfig UpdateOnStaleInterval = BucketStore.SyncInterval, default 15m; the same wiring in the
//   Cortex code Mimir forked, pkg/querier/blocks_store_queryable.go).
// So the index a querier checks is up to cleanup_interval + sync_interval old even when everything works; a
// max_stale_period at or below that makes queries beyond the ingesters' window fail ("bucket index is too old") in
// every cycle, although nothing is broken. The sum as the bound is INFERRED from that wiring; Mimir's defaults keep
// 1h against 15m + 15m.
import { formatDuration } from "../../lib/duration";
import { mimirReleases } from "../../lib/mimir";
import { parseSourcedDuration, showDuration } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

const STALE = "blocks_storage.bucket_store.bucket_index.max_stale_period";

export const mimirBucketIndexStalenessCoversUpdates = stackRule<object>(
  {
    name: "mimir-bucket-index-staleness-covers-updates",
    rule: "M20",
    description:
      "Mimir bucket_index.max_stale_period must exceed compactor.cleanup_interval + bucket_store.sync_interval: the index queriers check is that old between updates, and an older one fails the query",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep blocks_storage.bucket_store.bucket_index.max_stale_period (default 1h) above compactor.cleanup_interval (15m) + blocks_storage.bucket_store.sync_interval (15m).",
    url: "https://grafana.com/docs/mimir/latest/references/architecture/bucket-index/ ; Mimir runbooks err-mimir-bucket-index-too-old",
    tags: ["mimir", "query"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const enabled = mimir.setting("blocks_storage.bucket_store.bucket_index.enabled");
      if (enabled && !isUnknown(enabled) && String(enabled.value) === "false") continue;
      const found = mimir.setting(STALE)!; // MIMIR_DEFAULTS holds the default (1h)
      const stale = isUnknown(found) ? found : parseSourcedDuration(found, "go", mimir.urn);
      const cleanup = mimir.duration("compactor.cleanup_interval");
      const sync = mimir.duration("blocks_storage.bucket_store.sync_interval");
      ctx.known([stale, cleanup, sync], (maxAge, interval, reload) => {
        const oldest = interval.value + reload.value;
        if (maxAge.value > oldest) return;
        ctx.violation(
          `INFERRED: ${showDuration(maxAge)} <= ${showDuration(interval)} + ${showDuration(reload)} = ${formatDuration(oldest)}: ` +
            `the compactor rewrites each tenant's bucket index only every ${formatDuration(interval.value)} and queriers reload it ` +
            `only once it is ${formatDuration(reload.value)} old, so the index they check reaches ${formatDuration(oldest)} in every ` +
            `cycle; past ${formatDuration(maxAge.value)} queriers and rulers fail every query that reaches the store-gateways ` +
            `("bucket index is too old and the last time it was updated exceeds the allowed max staleness"). ` +
            `Fix: raise ${STALE} above ${formatDuration(oldest)} (default 1h) or shorten the cleanup or sync interval.`,
          mimir.urn,
        );
      });
    }
  },
);
