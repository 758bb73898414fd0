// Q6 (DATA LOSS after an outage): Mimir rejects any sample whose timestamp is older than
// now - out_of_order_time_window - past_grace_period (limits.past_grace_period, default 0 = disabled; config
// descriptor and pkg/util/validation/limits.go -validation.past-grace-period, "enforced in the distributor and
// ingester"). After Mimir, Kafka or the network was away, Prometheus re-sends what it queued from its WAL, oldest
// first: the Prometheus docs (practices/remote_write, "Remote write tuning") say it retries for as long as the WAL
// keeps the data, about two hours, before anything is lost. A grace below that turns every shorter outage into loss.
import { formatDuration, HOUR_MS } from "../../lib/duration";
import { mimirReleases } from "../../lib/mimir";
import { parseSourcedDuration } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { limitScopes } from "./common";

/** How long Prometheus' remote write bridges an unreachable endpoint from its WAL (Prometheus remote-write tuning docs). */
export const PROMETHEUS_RESEND_WINDOW_MS = 2 * HOUR_MS;

export const mimirPastGraceCoversResend = stackRule<object>(
  {
    name: "mimir-past-grace-covers-resend",
    rule: "Q6",
    description:
      "Mimir's limits.past_grace_period (plus out_of_order_time_window), defaults and every tenant, must be 0 or at least the 2h Prometheus re-sends from its WAL after an outage",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Set limits.past_grace_period to 0 (disabled, the default) or to at least 2h, in limits and in each tenant's runtime override.",
    url: "https://grafana.com/docs/mimir/latest/references/configuration-parameters/#limits (past_grace_period); https://prometheus.io/docs/practices/remote_write/",
    tags: ["mimir", "prometheus", "limits"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const zero = (key: string) => ({ value: "0s", where: `Mimir default limits.${key}` });
      const graces = limitScopes(mimir, "limits.past_grace_period", zero("past_grace_period"));
      const windows = limitScopes(mimir, "limits.out_of_order_time_window", zero("out_of_order_time_window"));
      if (isUnknown(graces)) return ctx.inconclusive(graces);
      if (isUnknown(windows)) return ctx.inconclusive(windows);
      graces.forEach((scope, i) => {
        const graceFound = scope.value;
        const windowFound = windows[i].value;
        if (scope.inherited && windows[i].inherited) return;
        if (graceFound === undefined || windowFound === undefined) return;
        if (isUnknown(graceFound)) return ctx.inconclusive(graceFound);
        if (isUnknown(windowFound)) return ctx.inconclusive(windowFound);
        const grace = parseSourcedDuration(graceFound, "prometheus", mimir.urn);
        const window = parseSourcedDuration(windowFound, "prometheus", mimir.urn);
        if (grace.value <= 0) return;
        const accepted = grace.value + window.value;
        if (accepted >= PROMETHEUS_RESEND_WINDOW_MS) return;
        ctx.violation(
          `${grace.where}=${formatDuration(grace.value)} + ${window.where}=${formatDuration(window.value)} (${scope.who}): Mimir rejects every sample older than ${formatDuration(accepted)}, ` +
            `while Prometheus re-sends up to ${formatDuration(PROMETHEUS_RESEND_WINDOW_MS)} of queued samples after Mimir, Kafka or the network was away: ` +
            `after any outage longer than ${formatDuration(accepted)} the re-sent samples are refused (400, not retried) and lost. ` +
            `Fix: set past_grace_period to 0 (disabled) or at least ${formatDuration(PROMETHEUS_RESEND_WINDOW_MS - window.value)}.`,
          mimir.urn,
        );
      });
    }
  },
);
