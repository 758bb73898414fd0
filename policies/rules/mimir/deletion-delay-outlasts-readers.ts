// M22 (HARD for queries): the compactor must not delete a block while store-gateways may still serve it.
// - After compaction or retention the compactor marks source blocks for deletion and deletes them
//   `compactor.deletion_delay` later; with 0 it deletes them at once (Mimir config descriptor, -compactor.deletion-delay:
//   "If 0, blocks will be deleted straight away. Note that deleting blocks immediately can cause query failures").
// - Readers let go of a marked block only gradually: the bucket index lists the mark after the next cleanup
//   (`compactor.cleanup_interval`), store-gateways keep serving it until `ignore_deletion_mark_delay` has passed and they
//   next sync (`bucket_store.sync_interval`). Grafana's own deployment derives the delay as exactly that sum, with three
//   sync intervals for delays and failures (grafana/mimir operations/mimir/compactor.libsonnet 'compactor.deletion-delay':
//   cleanup interval + ignore-deletion-marks-delay + 3 x sync interval; the chart's 2h is that sum of the defaults).
// - Deleted earlier, store-gateways still holding the block fail the queries that touch it (object not found) until
//   they resync: every compaction then breaks queries over long-term storage for a while.
import { formatDuration } from "../../lib/duration";
import { mimirReleases } from "../../lib/mimir";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";

export const mimirDeletionDelayOutlastsReaders = stackRule<object>(
  {
    name: "mimir-deletion-delay-outlasts-readers",
    rule: "M22",
    description:
      "Mimir compactor.deletion_delay must cover cleanup_interval + ignore_deletion_mark_delay + 3 x bucket_store.sync_interval, so no store-gateway still serves a block the compactor deletes",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep compactor.deletion_delay at least compactor.cleanup_interval + blocks_storage.bucket_store.ignore_deletion_mark_delay + 3 x blocks_storage.bucket_store.sync_interval (2h with the defaults, the chart's value).",
    url: "https://github.com/grafana/mimir/blob/main/operations/mimir/compactor.libsonnet (compactor.deletion-delay); Mimir configuration reference -compactor.deletion-delay",
    tags: ["mimir", "query"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const inputs = [
        mimir.duration("compactor.deletion_delay"),
        mimir.duration("compactor.cleanup_interval"),
        mimir.duration("blocks_storage.bucket_store.ignore_deletion_mark_delay"),
        mimir.duration("blocks_storage.bucket_store.sync_interval"),
      ];
      ctx.known(inputs, (deletion, cleanup, ignore, sync) => {
        const needed = cleanup.value + ignore.value + 3 * sync.value;
        if (deletion.value >= needed) return;
        ctx.violation(
          `${show(deletion)} < ${show(cleanup)} + ${show(ignore)} + 3 x ${show(sync)} = ${formatDuration(needed)}: ` +
            `the compactor deletes ${deletion.value === 0 ? "compacted blocks at once" : "blocks marked for deletion"} while store-gateways may still serve them ` +
            `(they stop only after ignore_deletion_mark_delay and their next sync), so queries over long-term storage fail after every compaction ` +
            `until the store-gateways resync. Fix: set compactor.deletion_delay to at least ${formatDuration(needed)}.`,
          mimir.urn,
        );
      });
    }
  },
);
