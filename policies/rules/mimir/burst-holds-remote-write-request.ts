// M10 (HARD at write time): Mimir's distributor takes a whole remote-write request from the tenant's token bucket
// (dskit limiter.RateLimiter over golang.org/x/time/rate, whose AllowN is false when n exceeds the burst), so a burst
// below one request's samples refuses every request with 429, whatever the rate: the sender retries forever.
// Every remote-write sender counts: Prometheus (kube-prometheus-stack remoteWrite) and Alloy (prometheus.remote_write).
import { remoteWriteEndpoints } from "../../lib/alloy";
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { show } from "../../lib/node";
import { PROMETHEUS_MAX_SAMPLES_PER_SEND } from "../../lib/prometheus";
import { RuleContext, stackRule } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";

const TENANT_HEADER = "X-Scope-OrgID";

/** One remote-write request's samples and the tenant it is sent as. */
interface Sender {
  label: string;
  tenant?: string;
  perSend: number;
  perSendWhere: string;
}

const senderDefault = (who: string) => `${who} default max_samples_per_send=${PROMETHEUS_MAX_SAMPLES_PER_SEND}`;

function prometheusSenders(stack: StackView, ctx: RuleContext<object>): Sender[] {
  const senders: Sender[] = [];
  for (const prometheus of stack.helmReleases(CHARTS.kubePrometheusStack)) {
    const writes = prometheus.values.at("prometheus.prometheusSpec.remoteWrite").items();
    if (isUnknown(writes)) {
      ctx.inconclusive(writes);
      continue;
    }
    for (const write of writes ?? []) {
      const tenant = write.get("headers", TENANT_HEADER).raw();
      const perSendNode = write.get("queueConfig", "maxSamplesPerSend");
      const perSend = perSendNode.raw();
      if (isUnknown(tenant) || isUnknown(perSend)) continue;
      senders.push({
        label: prometheus.label,
        tenant: typeof tenant === "string" ? tenant : undefined,
        perSend: typeof perSend === "number" ? perSend : PROMETHEUS_MAX_SAMPLES_PER_SEND,
        perSendWhere: typeof perSend === "number" ? `${perSendNode.where}=${perSend}` : senderDefault("Prometheus"),
      });
    }
  }
  return senders;
}

/** Alloy's queue_config max_samples_per_send defaults to 2000 as Prometheus' does (Alloy reference, prometheus.remote_write). */
function alloySenders(stack: StackView, ctx: RuleContext<object>): Sender[] {
  const senders: Sender[] = [];
  for (const alloy of stack.helmReleases(CHARTS.alloy)) {
    const contentNode = alloy.values.at("alloy.configMap.content");
    const content = contentNode.string();
    if (isUnknown(content)) {
      ctx.inconclusive(content);
      continue;
    }
    for (const endpoint of remoteWriteEndpoints(content ?? "")) {
      senders.push({
        label: `${alloy.label} ${endpoint.component}`,
        tenant: endpoint.tenant,
        perSend: endpoint.maxSamplesPerSend ?? PROMETHEUS_MAX_SAMPLES_PER_SEND,
        perSendWhere:
          endpoint.maxSamplesPerSend !== undefined
            ? `${contentNode.where} queue_config max_samples_per_send=${endpoint.maxSamplesPerSend}`
            : senderDefault("Alloy"),
      });
    }
  }
  return senders;
}

function checkSender(ctx: RuleContext<object>, mimir: MimirRelease, sender: Sender): void {
  const overrideNode =
    sender.tenant !== undefined
      ? mimir.release.values.get("runtimeConfig").get("overrides").get(sender.tenant).get("ingestion_burst_size")
      : undefined;
  const override = overrideNode?.raw();
  if (isUnknown(override)) return;
  const check = (burst: number, where: string) => {
    if (burst >= sender.perSend) return;
    ctx.violation(
      `${where} < one remote-write request of ${sender.label} (${sender.perSendWhere}) for tenant ${JSON.stringify(sender.tenant ?? "(none)")}: ` +
        `the distributor's token bucket never holds a whole request, so Mimir answers 429 to every request and the sender retries forever while its WAL fills. ` +
        `Fix: raise ingestion_burst_size to at least ${sender.perSend} or lower max_samples_per_send.`,
      mimir.urn,
    );
  };
  if (typeof override === "number") check(override, `${overrideNode!.where}=${override}`);
  else ctx.known([mimir.number("limits.ingestion_burst_size")], (burst) => check(burst.value, show(burst)));
}

export const mimirBurstHoldsRemoteWriteRequest = stackRule<object>(
  {
    name: "mimir-burst-holds-remote-write-request",
    rule: "M10",
    description:
      "Each remote-write request (Prometheus maxSamplesPerSend, Alloy max_samples_per_send) must fit its Mimir tenant's ingestion_burst_size",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Raise the tenant's ingestion_burst_size (limits or runtimeConfig.overrides) to at least the sender's max samples per send, or lower that.",
    url: "https://grafana.com/docs/mimir/latest/references/configuration-parameters/#limits (ingestion_burst_size)",
    tags: ["mimir", "prometheus", "alloy"],
  },
  (stack, ctx) => {
    const mimir = mimirReleases(stack)[0];
    if (!mimir) return;
    for (const sender of [...prometheusSenders(stack, ctx), ...alloySenders(stack, ctx)])
      checkSender(ctx, mimir, sender);
  },
);
