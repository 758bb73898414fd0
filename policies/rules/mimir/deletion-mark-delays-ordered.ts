// M2 (HARD): the querier must stop using a block marked for deletion before the store-gateway drops it,
// and only after every querier has synced the bucket index.
import { formatDuration } from "../../lib/duration";
import { mimirReleases } from "../../lib/mimir";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";

export const mimirDeletionMarkDelaysOrdered = stackRule<object>(
  {
    name: "mimir-deletion-mark-delays-ordered",
    rule: "M2",
    description:
      "Mimir ignore_deletion_mark_while_querying_delay must be below ignore_deletion_mark_delay and above 3 x bucket_store.sync_interval",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep blocks_storage.bucket_store.ignore_deletion_mark_while_querying_delay (default 50m) between 3 x sync_interval (default 15m) and ignore_deletion_mark_delay (default 1h).",
    url: "https://github.com/grafana/mimir/blob/main/pkg/storage/tsdb/config.go (bucket store validation; conflict-rules.md M2)",
    tags: ["mimir"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const whileQuerying = mimir.duration("blocks_storage.bucket_store.ignore_deletion_mark_while_querying_delay");
      const markDelay = mimir.duration("blocks_storage.bucket_store.ignore_deletion_mark_delay");
      const sync = mimir.duration("blocks_storage.bucket_store.sync_interval");
      ctx.known([whileQuerying, markDelay, sync], (querying, mark, interval) => {
        if (querying.value >= mark.value) {
          ctx.violation(
            `${show(querying)} >= ${show(mark)}: Mimir refuses to start, because queriers would still use blocks the store-gateways ` +
              `already stopped serving. Fix: set ignore_deletion_mark_while_querying_delay below ${formatDuration(mark.value)}.`,
            mimir.urn,
          );
        }
        if (querying.value <= 3 * interval.value) {
          ctx.violation(
            `${show(querying)} <= 3 x ${show(interval)} (${formatDuration(3 * interval.value)}): Mimir refuses to start, because queriers ` +
              `may still hold a bucket index listing a block they already ignore. Fix: raise ignore_deletion_mark_while_querying_delay ` +
              `above ${formatDuration(3 * interval.value)} or lower sync_interval.`,
            mimir.urn,
          );
        }
      });
    }
  },
);
