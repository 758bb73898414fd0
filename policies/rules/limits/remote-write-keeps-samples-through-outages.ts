// Q7 (DATA LOSS after an outage): a remote-write sender must not give up on samples it still holds.
// - Prometheus' queue_config `sample_age_limit` drops every sample older than the limit instead of sending it
//   (prometheus/prometheus storage/remote/queue_manager.go: counted as dropped with reason "too_old"; configuration
//   docs, queue_config: "If set, samples older than the limit are dropped", default 0s = off); prometheus-operator
//   passes RemoteWriteSpec.queueConfig.sampleAgeLimit through. Alloy's prometheus.remote_write has the same
//   `queue_config { sample_age_limit }` (Alloy reference, prometheus.remote_write queue_config block, default 0).
// - After Mimir, Kafka or the network was away, the sender re-sends what its WAL holds, about two hours
//   (Prometheus docs, "Remote write tuning"; Q6 holds Mimir's side of the same window): a limit below that turns
//   every longer outage, a gateway or distributor rollout that stalls, a broker restart, into a gap in every series.
import { formatDuration, parseDurationMs } from "../../lib/duration";
import { stripComments } from "../../lib/alloy";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { known } from "../../lib/unknown";
import { PROMETHEUS_RESEND_WINDOW_MS } from "./mimir-past-grace-covers-resend";

function judged(limitMs: number | undefined): boolean {
  return limitMs !== undefined && limitMs > 0 && limitMs < PROMETHEUS_RESEND_WINDOW_MS;
}

const LOSS =
  `so after any outage of Mimir's write path longer than that (a stalled rollout, a broker restart, the network) the sender ` +
  `drops what its WAL still holds (reason too_old) instead of re-sending it: a gap in every series, although Mimir would accept the samples.`;

export const remoteWriteKeepsSamplesThroughOutages = stackRule<object>(
  {
    name: "remote-write-keeps-samples-through-outages",
    rule: "Q7",
    description:
      "Prometheus remoteWrite queueConfig.sampleAgeLimit and Alloy prometheus.remote_write sample_age_limit must be 0 (off) or at least the 2h a sender re-sends from its WAL",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Remove sampleAgeLimit / sample_age_limit (0, the default: samples are re-sent as long as the WAL holds them), or set it to at least 2h.",
    url: "https://prometheus.io/docs/prometheus/latest/configuration/configuration/#queue_config (sample_age_limit); https://prometheus.io/docs/practices/remote_write/",
    tags: ["prometheus", "alloy", "mimir", "limits"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      const writes = known(release.values.at("prometheus.prometheusSpec.remoteWrite").items()) ?? [];
      for (const write of writes) {
        const node = write.at("queueConfig.sampleAgeLimit");
        const text = known(node.string());
        if (text === undefined) continue;
        const ms = parseDurationMs(text, "prometheus");
        if (!judged(ms)) continue;
        ctx.violation(
          `${node.where}=${text}: Prometheus drops samples older than ${formatDuration(ms!)} when sending, ${LOSS} ` +
            `Fix: remove sampleAgeLimit (0, the default) or set it to at least ${formatDuration(PROMETHEUS_RESEND_WINDOW_MS)}.`,
          release.resource.urn,
        );
      }
    }
    for (const release of stack.helmReleases(CHARTS.alloy)) {
      const node = release.values.at("alloy.configMap.content");
      const content = known(node.string());
      if (!content) continue;
      for (const match of stripComments(content).matchAll(/\bsample_age_limit\s*=\s*"([^"]*)"/g)) {
        const ms = parseDurationMs(match[1], "go");
        if (!judged(ms)) continue;
        ctx.violation(
          `${node.where}: prometheus.remote_write queue_config sample_age_limit = "${match[1]}": Alloy drops samples older than ${formatDuration(ms!)} when sending, ${LOSS} ` +
            `Fix: remove sample_age_limit (0, the default) or set it to at least ${formatDuration(PROMETHEUS_RESEND_WINDOW_MS)}.`,
          release.resource.urn,
        );
      }
    }
  },
);
