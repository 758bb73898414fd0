// M10 (HARD at write time): Mimir's distributor takes a whole remote-write request from the tenant's token bucket
// (dskit limiter.RateLimiter over golang.org/x/time/rate, whose AllowN is false when n exceeds the burst), so a burst
// below one request's samples refuses every request with 429, whatever the rate: the sender retries forever.
import { mimirReleases } from "../../lib/mimir";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";

/** Prometheus remote_write queue_config.max_samples_per_send default (Prometheus configuration docs). */
const PROMETHEUS_MAX_SAMPLES_PER_SEND = 2000;
const TENANT_HEADER = "X-Scope-OrgID";

export const mimirBurstHoldsRemoteWriteRequest = stackRule<object>(
  {
    name: "mimir-burst-holds-remote-write-request",
    rule: "M10",
    description:
      "Each Prometheus remote-write request (maxSamplesPerSend) must fit its Mimir tenant's ingestion_burst_size",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Raise the tenant's ingestion_burst_size (limits or runtimeConfig.overrides) to at least the sender's maxSamplesPerSend, or lower maxSamplesPerSend.",
    url: "https://grafana.com/docs/mimir/latest/references/configuration-parameters/#limits (ingestion_burst_size)",
    tags: ["mimir", "prometheus"],
  },
  (stack, ctx) => {
    const mimir = mimirReleases(stack)[0];
    if (!mimir) return;
    for (const prometheus of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      const writes = prometheus.values.at("prometheus.prometheusSpec.remoteWrite").items();
      if (isUnknown(writes)) return ctx.inconclusive(writes);
      for (const write of writes ?? []) {
        const tenant = write.get("headers", TENANT_HEADER).raw();
        const perSendNode = write.get("queueConfig", "maxSamplesPerSend");
        const perSendRaw = perSendNode.raw();
        if (isUnknown(tenant) || isUnknown(perSendRaw)) continue;
        const perSend = typeof perSendRaw === "number" ? perSendRaw : PROMETHEUS_MAX_SAMPLES_PER_SEND;
        const perSendWhere =
          typeof perSendRaw === "number"
            ? `${perSendNode.where}=${perSendRaw}`
            : `Prometheus default max_samples_per_send=${PROMETHEUS_MAX_SAMPLES_PER_SEND}`;
        const overrideNode =
          typeof tenant === "string"
            ? mimir.release.values.get("runtimeConfig").get("overrides").get(tenant).get("ingestion_burst_size")
            : undefined;
        const override = overrideNode?.raw();
        if (isUnknown(override)) continue;
        const check = (burst: number, where: string) => {
          if (burst >= perSend) return;
          ctx.violation(
            `${where} < one remote-write request of ${prometheus.label} (${perSendWhere}) for tenant ${JSON.stringify(tenant ?? "(none)")}: ` +
              `the distributor's token bucket never holds a whole request, so Mimir answers 429 to every request and Prometheus retries forever while its WAL fills. ` +
              `Fix: raise ingestion_burst_size to at least ${perSend} or lower maxSamplesPerSend.`,
            mimir.urn,
          );
        };
        if (typeof override === "number") check(override, `${overrideNode!.where}=${override}`);
        else ctx.known([mimir.number("limits.ingestion_burst_size")], (burst) => check(burst.value, show(burst)));
      }
    }
  },
);
