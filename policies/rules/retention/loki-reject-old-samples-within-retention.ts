// R6 (SOFT, INFERRED): accepting samples older than the retention makes the compactor delete them right after ingestion.
import { formatDuration } from "../../lib/duration";
import { lokiReleases } from "../../lib/loki";
import { showDuration } from "../../lib/node";
import { stackRule } from "../../lib/policy";

export const lokiRejectOldSamplesWithinRetention = stackRule<object>(
  {
    name: "loki-reject-old-samples-within-retention",
    rule: "R6",
    description: "Loki reject_old_samples_max_age should not exceed retention_period",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps: "Lower loki.limits_config.reject_old_samples_max_age (default 168h) to at most retention_period.",
    url: "https://grafana.com/docs/loki/latest/configure/#limits_config (conflict-rules.md R6, INFERRED)",
    tags: ["loki", "retention"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      ctx.known(
        [
          loki.boolean("limits_config.reject_old_samples"),
          loki.duration("limits_config.reject_old_samples_max_age"),
          loki.boolean("compactor.retention_enabled"),
          loki.duration("limits_config.retention_period"),
        ],
        (reject, maxAge, retentionEnabled, retention) => {
          if (!reject.value || !retentionEnabled.value || retention.value === 0 || maxAge.value <= retention.value)
            return;
          ctx.violation(
            `INFERRED: ${showDuration(maxAge)} > ${showDuration(retention)}: Loki accepts log lines ` +
              `older than it keeps, which the compactor deletes at its next retention pass; clients see success for data that vanishes. ` +
              `Fix: set reject_old_samples_max_age to at most ${formatDuration(retention.value)}.`,
            loki.urn,
          );
        },
      );
    }
  },
);
