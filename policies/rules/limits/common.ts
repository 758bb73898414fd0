// Shared reads for the per-request and per-series limit rules (Q1-Q6): a limit's value for the defaults and for every
// tenant of the runtime overrides (Mimir `runtimeConfig.overrides.<tenant>`, Loki `loki.runtimeConfig.overrides.<tenant>`),
// and the senders this stack runs (Prometheus remoteWrite, Alloy prometheus.remote_write / loki.write).
import { lokiWriteEndpoints, remoteWriteEndpoints, stripComments } from "../../lib/alloy";
import { LokiRelease } from "../../lib/loki";
import { MimirRelease } from "../../lib/mimir";
import { Maybe, PropNode, Sourced } from "../../lib/node";
import { PROMETHEUS_MAX_SAMPLES_PER_SEND } from "../../lib/prometheus";
import { RuleContext } from "../../lib/policy";
import { HelmRelease, StackView } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { isUnknown, Unknown } from "../../lib/unknown";

/** One scope a limit applies to: the defaults (tenants without an override) or one tenant. */
export interface LimitScope {
  /** "tenants on the default limits" or `tenant "x"`. */
  who: string;
  tenant?: string;
  /** The effective value for this scope (the tenant's override, else the default); undefined when nothing sets it. */
  value: Maybe<Sourced<unknown>> | undefined;
  /** True for a tenant that does not set this key: it has the default's value, already judged as the defaults. */
  inherited: boolean;
}

type Release = MimirRelease | LokiRelease;

function overridesNode(release: Release): PropNode {
  return release instanceof MimirRelease
    ? release.values.at("runtimeConfig.overrides")
    : release.values.at("loki.runtimeConfig.overrides");
}

/** The tenants the runtime overrides name (each may override any limit). */
export function overrideTenants(release: Release): Maybe<Array<[string, PropNode]>> {
  return overridesNode(release).entries() ?? [];
}

/**
 * A per-tenant limit for the defaults and each tenant that overrides anything: the tenant's own key wins over the
 * default (Mimir pkg/util/validation/limits.go and Loki pkg/validation/limits.go `getOverridesForUser`: a tenant's
 * overrides are a full Limits struct filled from the defaults, then the tenant's keys).
 * `configPath` is the key in the config file (`limits.x` for Mimir, `limits_config.x` for Loki); `fallback` is the
 * product default when the pack's lib does not model the key.
 */
export function limitScopes(release: Release, configPath: string, fallback?: Sourced<unknown>): LimitScope[] | Unknown {
  const key = configPath.split(".").slice(1).join(".");
  const base = release.setting(configPath) ?? fallback;
  const scopes: LimitScope[] = [{ who: "tenants on the default limits", value: base, inherited: false }];
  const tenants = overrideTenants(release);
  if (isUnknown(tenants)) return tenants;
  for (const [tenant, node] of tenants) {
    const own = node.get(key);
    const who = `tenant ${JSON.stringify(tenant)}`;
    if (own.isUnknown) scopes.push({ who, tenant, value: own.unknown(), inherited: false });
    else if (own.isPresent)
      scopes.push({ who, tenant, value: { value: own.raw(), where: own.where }, inherited: false });
    else scopes.push({ who, tenant, value: base, inherited: true });
  }
  return scopes;
}

/** A whole number of a limit (Mimir and Loki accept numbers written as strings in YAML). */
export function wholeNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

export interface RemoteWriteSender {
  label: string;
  tenant?: string;
  perSend: number;
  perSendWhere: string;
  /** Whether the sender is configured to send native histograms (`sendNativeHistograms` / `send_native_histograms`). */
  sendsNativeHistograms: boolean;
  urn: string;
}

const TENANT_HEADER = "X-Scope-OrgID";

/**
 * Every remote-write sender of the stack: Prometheus `prometheusSpec.remoteWrite[]` (queueConfig.maxSamplesPerSend,
 * default 2000 from Prometheus' queue_config) and Alloy `prometheus.remote_write` endpoints (same default, Alloy
 * reference prometheus.remote_write).
 */
export function remoteWriteSenders(stack: StackView, ctx: RuleContext<object>): RemoteWriteSender[] {
  const senders: RemoteWriteSender[] = [];
  for (const prometheus of stack.helmReleases(CHARTS.kubePrometheusStack)) {
    const writes = prometheus.values.at("prometheus.prometheusSpec.remoteWrite").items();
    if (isUnknown(writes)) {
      ctx.inconclusive(writes);
      continue;
    }
    (writes ?? []).forEach((write, i) => {
      const tenant = write.get("headers", TENANT_HEADER).raw();
      const perSendNode = write.get("queueConfig", "maxSamplesPerSend");
      const perSend = perSendNode.raw();
      const native = write.get("sendNativeHistograms").raw();
      if (isUnknown(tenant) || isUnknown(perSend) || isUnknown(native)) return;
      senders.push({
        label: `${prometheus.label} prometheusSpec.remoteWrite[${i}]`,
        tenant: typeof tenant === "string" ? tenant : undefined,
        perSend: typeof perSend === "number" ? perSend : PROMETHEUS_MAX_SAMPLES_PER_SEND,
        perSendWhere:
          typeof perSend === "number"
            ? `${perSendNode.where}=${perSend}`
            : `Prometheus default queue_config.max_samples_per_send=${PROMETHEUS_MAX_SAMPLES_PER_SEND}`,
        sendsNativeHistograms: native === true || native === "true",
        urn: prometheus.resource.urn,
      });
    });
  }
  for (const alloy of stack.helmReleases(CHARTS.alloy)) {
    const content = alloyConfig(alloy, ctx);
    if (content === undefined) continue;
    for (const endpoint of remoteWriteEndpoints(content.text)) {
      senders.push({
        label: `${alloy.label} ${endpoint.component}`,
        tenant: endpoint.tenant,
        perSend: endpoint.maxSamplesPerSend ?? PROMETHEUS_MAX_SAMPLES_PER_SEND,
        perSendWhere:
          endpoint.maxSamplesPerSend !== undefined
            ? `${content.where} queue_config max_samples_per_send=${endpoint.maxSamplesPerSend}`
            : `Alloy default queue_config max_samples_per_send=${PROMETHEUS_MAX_SAMPLES_PER_SEND}`,
        sendsNativeHistograms: /\bsend_native_histograms\s*=\s*true\b/.test(stripComments(content.text)),
        urn: alloy.resource.urn,
      });
    }
  }
  return senders;
}

/** The Alloy config text of a release (values alloy.configMap.content), or undefined when absent or unknown. */
export function alloyConfig(alloy: HelmRelease, ctx: RuleContext<object>): { text: string; where: string } | undefined {
  const node = alloy.values.at("alloy.configMap.content");
  const text = node.string();
  if (isUnknown(text)) {
    ctx.inconclusive(text);
    return undefined;
  }
  return text === undefined ? undefined : { text, where: node.where };
}

export interface LokiBatchSender {
  label: string;
  batchText: string;
  batchWhere: string;
  urn: string;
}

/** Alloy `loki.write` endpoints with their batch_size (default "1MiB", Alloy reference loki.write). */
export function lokiBatchSenders(stack: StackView, ctx: RuleContext<object>): LokiBatchSender[] {
  const senders: LokiBatchSender[] = [];
  for (const alloy of stack.helmReleases(CHARTS.alloy)) {
    const content = alloyConfig(alloy, ctx);
    if (content === undefined) continue;
    for (const endpoint of lokiWriteEndpoints(content.text)) {
      senders.push({
        label: `${alloy.label} ${endpoint.component}`,
        batchText: endpoint.batchSize ?? "1MiB",
        batchWhere:
          endpoint.batchSize !== undefined
            ? `${content.where} ${endpoint.component} endpoint batch_size="${endpoint.batchSize}"`
            : `Alloy default loki.write endpoint batch_size="1MiB"`,
        urn: alloy.resource.urn,
      });
    }
  }
  return senders;
}
