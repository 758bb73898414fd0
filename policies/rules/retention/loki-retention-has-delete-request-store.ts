// R4 (HARD): Loki's compactor retention needs a delete-request store; without retention enabled, retention_period is ignored.
import { lokiReleases } from "../../lib/loki";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";

export const lokiRetentionHasDeleteRequestStore = stackRule<object>(
  {
    name: "loki-retention-has-delete-request-store",
    rule: "R4",
    description:
      "Loki compactor.retention_enabled requires compactor.delete_request_store, and retention_period only applies with retention_enabled",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Set loki.compactor.retention_enabled: true together with loki.compactor.delete_request_store (e.g. s3), or remove retention_period if logs should be kept forever.",
    url: "https://grafana.com/docs/loki/latest/operations/storage/retention/ (Loki pkg/compactor/config.go)",
    tags: ["loki", "retention"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      ctx.known(
        [
          loki.boolean("compactor.retention_enabled"),
          loki.string("compactor.delete_request_store"),
          loki.duration("limits_config.retention_period"),
        ],
        (enabled, store, period) => {
          if (enabled.value && store.value === "") {
            ctx.violation(
              `${show(enabled)} but ${show(store)} is empty: Loki 3 refuses to start ("compactor.delete-request-store should be configured when retention is enabled"). ` +
                `Fix: set compactor.delete_request_store to the object store holding the chunks (e.g. s3).`,
              loki.urn,
            );
          }
          if (!enabled.value && period.value > 0) {
            ctx.violation(
              `${show(period)} but ${show(enabled)}: the compactor never applies retention, so Loki never deletes a log or its index entries: ` +
                `without an S3 expiration the logs are kept forever and storage grows without bound; with one (the stack's chunks bucket ` +
                `lifecycle), S3 deletes chunks the index still lists and queries over those days fail on missing chunks. ` +
                `Fix: set compactor.retention_enabled: true with a delete_request_store, or drop retention_period.`,
              loki.urn,
            );
          }
        },
      );
    }
  },
);
