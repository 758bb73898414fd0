// L11 (HARD for reads): Loki's queriers must read both the ingesters and the store.
// - `querier.query_store_only: true` makes queriers skip the ingesters ("Only query the store, and not attempt any
//   ingesters. This is useful for running a standalone querier pool operating only against stored data."), and
//   `querier.query_ingester_only: true` skips the store ("useful when the object store is unavailable")
//   (grafana/loki v3.7.6 pkg/querier/querier.go RegisterFlagsWithPrefix, SelectLogs `if !q.cfg.QueryStoreOnly`).
// - In this stack one querier pool serves every query: ingesters hold each stream's newest chunks until they are
//   flushed (ingester.max_chunk_age, default 2h, or chunk_idle_period), the store everything flushed. Store-only
//   queriers miss the last hours of every stream; ingester-only ones everything older than a flush. No error is
//   shown: queries return partial results.
import { lokiReleases } from "../../lib/loki";
import { stackRule } from "../../lib/policy";

const MODES = [
  {
    key: "querier.query_store_only",
    misses:
      "the newest logs of every stream, which ingesters hold until they flush a chunk (up to ingester.max_chunk_age, 2h by default)",
  },
  {
    key: "querier.query_ingester_only",
    misses: "every log line the ingesters have already flushed to object storage, i.e. all but the last hours",
  },
] as const;

export const lokiQueriersReadIngestersAndStore = stackRule<object>(
  {
    name: "loki-queriers-read-ingesters-and-store",
    rule: "L11",
    description:
      "Loki's querier.query_store_only and querier.query_ingester_only stay false: the stack's one querier pool must read both the ingesters (recent logs) and the store",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Remove querier.query_store_only / query_ingester_only (false, the default); they are for extra querier pools that serve only one source.",
    url: "https://grafana.com/docs/loki/latest/configure/#querier (query_store_only, query_ingester_only)",
    tags: ["loki", "query"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      for (const mode of MODES) {
        ctx.known([loki.boolean(mode.key)], (on) => {
          if (!on.value) return;
          ctx.violation(
            `${on.where}=true: the stack's queriers then never read ${mode.key.endsWith("store_only") ? "the ingesters" : "the store"}, so every query silently ` +
              `misses ${mode.misses}. Fix: remove ${mode.key} (false, the default).`,
            loki.urn,
          );
        });
      }
    }
  },
);
