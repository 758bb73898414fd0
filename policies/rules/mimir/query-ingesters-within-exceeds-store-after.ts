// M1 (HARD): Mimir refuses to start when ingesters are not queried for at least as long as the store is skipped.
import { formatDuration } from "../../lib/duration";
import { mimirReleases } from "../../lib/mimir";
import { showDuration } from "../../lib/node";
import { stackRule } from "../../lib/policy";

// Mimir pkg/querier/querier.go errBadLookbackConfigs.
const MIMIR_ERROR =
  "the -querier.query-ingesters-within setting must be greater than -querier.query-store-after otherwise queries might return partial results";

export const mimirQueryIngestersWithinExceedsStoreAfter = stackRule<object>(
  {
    name: "mimir-query-ingesters-within-exceeds-store-after",
    rule: "M1",
    description: "Mimir limits.query_ingesters_within must be greater than querier.query_store_after",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Keep query_ingesters_within (default 13h) above query_store_after (default 12h), in the defaults and in every tenant override; 0 disables either bound.",
    url: "https://github.com/grafana/mimir/blob/main/pkg/querier/querier.go (errBadLookbackConfigs)",
    tags: ["mimir"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const storeAfter = mimir.duration("querier.query_store_after");
      const limits = [
        { tenant: undefined as string | undefined, value: mimir.duration("limits.query_ingesters_within") },
        ...mimir.tenantDurations("query_ingesters_within"),
      ];
      for (const { tenant, value } of limits) {
        ctx.known([value, storeAfter], (within, after) => {
          if (within.value === 0 || after.value === 0 || within.value > after.value) return;
          // Tenant overrides go through the same Limits.Validate when the runtime config loads (pkg/mimir
          // runtime_config.go runtimeConfigLoader): at start-up every component fails "failed to load runtime
          // config"; on a later reload the file is refused and the previous overrides stay.
          const consequence =
            tenant === undefined
              ? `Mimir refuses to start: "${MIMIR_ERROR}"`
              : `Mimir refuses the runtime overrides file (tenant "${tenant}": "${MIMIR_ERROR}"): at start-up every component fails with "failed to load runtime config"; a later reload keeps the previous overrides`;
          ctx.violation(
            `${showDuration(within)} <= ${showDuration(after)}: ${consequence}. ` +
              `Fix: raise query_ingesters_within above ${formatDuration(after.value)} or lower query_store_after.`,
            mimir.urn,
          );
        });
      }
    }
  },
);
