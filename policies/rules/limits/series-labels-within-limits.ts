// Q2 (HARD at write time): Mimir and Loki refuse a series or stream whose labels exceed the tenant's limits, and the
// sender drops it (400, not retried).
// - Mimir (pkg/util/validation/limits.go RegisterFlags): max_label_names_per_series 30, max_label_name_length 1024,
//   max_label_value_length 2048 (also the metric name); a series over a limit is discarded with
//   err-mimir-max-label-names-per-series / label-name-too-long / label-value-too-long.
// - Loki v3.7.6 (pkg/validation/limits.go RegisterFlags): max_label_names_per_series 15, max_label_name_length 1024,
//   max_label_value_length 2048; pkg/distributor/validator.go ValidateLabels discards the stream's entries, and does
//   not count `service_name` (which Loki adds itself from discover_service_name) but checks its name and value.
// The floors are what this stack's own senders put on every series or stream (below); every tenant override counts.
// - Loki's required labels (pkg/validation/limits.go enforced_labels and policy_enforced_labels, experimental): the
//   distributor skips every stream lacking one of them (pkg/distributor/distributor.go Push -> missingEnforcedLabels:
//   validation.MissingEnforcedLabels, "missing required labels", the request answered 400 with the validation error;
//   the labels are the stream's after parseStreamLabels, so service_name counts) and loki.write does not retry a 4xx
//   other than 429 (Alloy loki.write reference). A label none of the stack's Alloy log pipelines ever attaches loses
//   every pod-log and event line of the tenant Alloy writes as (loki.write tenant_id). Only the tenant's own list and
//   the "*" policy (every stream) are judged; other policies apply to the streams policy_stream_mapping picks.
//   Mimir has no per-tenant required-labels limit to compare.
import { lokiReleases } from "../../lib/loki";
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { show, Sourced } from "../../lib/node";
import { PROMETHEUS_OPERATOR_LABELS } from "../../lib/prometheus";
import { RuleContext, stackRule } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";
import { alloyConfig, LimitScope, limitScopes, wholeNumber } from "./common";

/** Kubernetes object names (pods, ReplicaSets ...) are DNS subdomains of up to 253 characters (Kubernetes docs, "Object Names and IDs"). */
export const KUBERNETES_NAME_MAX = 253;

/**
 * INFERRED label-name floor of the series kube-prometheus-stack ships to Mimir: kube-state-metrics' kube_pod_info
 * (enabled by the chart by default) carries namespace, pod, uid, host_ip, pod_ip, node, created_by_kind,
 * created_by_name, priority_class, host_network (kube-state-metrics docs/metrics/workload/pod-metrics.md); its
 * ServiceMonitor adds service, container, endpoint, job, instance (prometheus-operator promcfg.go target labels;
 * honorLabels keeps the metric's own namespace and pod); plus __name__: 16 before Prometheus' external labels.
 * Without kube-state-metrics: __name__ and the 7 target labels, 8.
 */
const MIMIR_BASE_LABELS = { withKubeStateMetrics: 16, targetOnly: 8 };
/** Longest label name of a default kube-state-metrics series: `container_runtime_version` of kube_node_info (25; node-metrics.md). */
const MIMIR_LABEL_NAME_FLOOR = { withKubeStateMetrics: 25, targetOnly: "prometheus_replica".length };

interface Floors {
  names: number;
  namesWhy: string;
  nameLength: number;
  nameLengthWhy: string;
  valueLength: number;
  valueLengthWhy: string;
}

function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** The label floors of what kube-prometheus-stack sends to one Mimir scope (HA settings may differ per tenant). */
function mimirFloors(stack: StackView, mimir: MimirRelease, scope: LimitScope): Floors | undefined {
  const prometheus = stack.helmReleases(CHARTS.kubePrometheusStack)[0];
  if (!prometheus) return undefined;
  const spec = prometheus.values.at("prometheus.prometheusSpec");
  const ksm = prometheus.values.at("kubeStateMetrics.enabled").raw();
  const withKsm = ksm !== false && ksm !== "false";
  const external = new Set<string>();
  if (!isTrue(spec.get("prometheusExternalLabelNameClear").raw())) external.add(PROMETHEUS_OPERATOR_LABELS.cluster);
  if (!isTrue(spec.get("replicaExternalLabelNameClear").raw())) external.add(PROMETHEUS_OPERATOR_LABELS.replica);
  const extra = spec.get("externalLabels").entries();
  if (!isUnknown(extra)) for (const [name] of extra ?? []) external.add(name);
  // Mimir's HA tracker removes the replica label of accepted samples before validation (distributor HA middleware).
  const tenantOverride = (key: string) =>
    scope.tenant !== undefined
      ? mimir.values.at("runtimeConfig.overrides").get(scope.tenant).get(key).raw()
      : undefined;
  const fromDefaults = (key: string) => {
    const found = mimir.setting(`limits.${key}`);
    return found === undefined || isUnknown(found) ? undefined : found.value;
  };
  const accept = tenantOverride("accept_ha_samples") ?? fromDefaults("accept_ha_samples");
  const replicaLabel = tenantOverride("ha_replica_label") ?? fromDefaults("ha_replica_label");
  if (isTrue(accept) && typeof replicaLabel === "string") external.delete(replicaLabel);
  const base = withKsm ? MIMIR_BASE_LABELS.withKubeStateMetrics : MIMIR_BASE_LABELS.targetOnly;
  return {
    names: base + external.size,
    namesWhy:
      `${withKsm ? "kube-state-metrics' kube_pod_info: __name__, its 10 labels and the ServiceMonitor's service, container, endpoint, job, instance" : "__name__ and the 7 labels prometheus-operator gives every target"}` +
      ` (${base}) plus the external labels Prometheus adds (${[...external].join(", ") || "none"})`,
    nameLength: withKsm ? MIMIR_LABEL_NAME_FLOOR.withKubeStateMetrics : MIMIR_LABEL_NAME_FLOOR.targetOnly,
    nameLengthWhy: withKsm
      ? "kube-state-metrics' kube_node_info label container_runtime_version"
      : "the external label prometheus_replica",
    valueLength: KUBERNETES_NAME_MAX,
    valueLengthWhy:
      "pod and owner names in the pod, created_by_name labels (Kubernetes object names, up to 253 characters)",
  };
}

/** Labels the stack's Alloy configs give every log stream: relabel `target_label`s (not `__*`) and kubernetes_events' own. */
function alloyStreamLabels(
  stack: StackView,
  ctx: RuleContext<object>,
): { labels: Set<string>; podNames: boolean; tenants: Set<string> } {
  const labels = new Set<string>();
  const tenants = new Set<string>();
  let podNames = false;
  for (const alloy of stack.helmReleases(CHARTS.alloy)) {
    const content = alloyConfig(alloy, ctx);
    if (!content) continue;
    // Only pipelines that reach loki.write count; the stack's configs relabel log targets only (components/alloy/config.ts).
    if (!/\bloki\.write\b/.test(content.text)) continue;
    for (const m of content.text.matchAll(/\btarget_label\s*=\s*"([^"]+)"/g))
      if (!m[1].startsWith("__")) labels.add(m[1]);
    for (const m of content.text.matchAll(/stage\.label_drop\s*\{[^}]*values\s*=\s*\[([^\]]*)\]/g))
      for (const v of m[1].matchAll(/"([^"]+)"/g)) labels.delete(v[1]);
    // Alloy reference loki.source.kubernetes_events: every line has namespace, job and instance.
    if (/\bloki\.source\.kubernetes_events\b/.test(content.text))
      for (const l of ["namespace", "job", "instance"]) labels.add(l);
    if (/__meta_kubernetes_pod_name/.test(content.text)) podNames = true;
    // loki.write endpoint tenant_id (sent as X-Scope-OrgID).
    for (const m of content.text.matchAll(/\btenant_id\s*=\s*"([^"]+)"/g)) tenants.add(m[1]);
  }
  return { labels, podNames, tenants };
}

function check(
  ctx: RuleContext<object>,
  urn: string,
  product: string,
  scope: LimitScope,
  limitName: string,
  floor: number,
  why: string,
  consequence: string,
): void {
  if (scope.inherited) return;
  const found = scope.value;
  if (found === undefined) return;
  if (isUnknown(found)) return ctx.inconclusive(found);
  const value = wholeNumber(found.value);
  if (value === undefined || value <= 0 || value >= floor) return;
  ctx.violation(
    `${show(found as Sourced<unknown>)} (${scope.who}) < ${floor}, what this stack's own ${product} data needs (INFERRED: ${why}). ` +
      `${consequence} Fix: raise ${limitName} to at least ${floor} (or remove the override to use the default).`,
    urn,
  );
}

function checkMimir(stack: StackView, ctx: RuleContext<object>): void {
  for (const mimir of mimirReleases(stack)) {
    const consequence =
      "Mimir's distributor discards every such series with a 400 that Prometheus does not retry: those metrics are lost.";
    const scopesOf = (key: string) => limitScopes(mimir, `limits.${key}`, MIMIR_LIMIT_DEFAULTS[key]);
    for (const [key, pick] of [
      ["max_label_names_per_series", (f: Floors) => [f.names, f.namesWhy] as const],
      ["max_label_name_length", (f: Floors) => [f.nameLength, f.nameLengthWhy] as const],
      ["max_label_value_length", (f: Floors) => [f.valueLength, f.valueLengthWhy] as const],
    ] as const) {
      const scopes = scopesOf(key);
      if (isUnknown(scopes)) return ctx.inconclusive(scopes);
      for (const scope of scopes) {
        const floors = mimirFloors(stack, mimir, scope);
        if (!floors) continue;
        const [floor, why] = pick(floors);
        check(ctx, mimir.urn, "metrics", scope, key, floor, why, consequence);
      }
    }
  }
}

// Mimir defaults (pkg/util/validation/limits.go RegisterFlags; config descriptor).
const MIMIR_LIMIT_DEFAULTS: Record<string, Sourced<unknown>> = {
  max_label_names_per_series: { value: 30, where: "Mimir default limits.max_label_names_per_series" },
  max_label_name_length: { value: 1024, where: "Mimir default limits.max_label_name_length" },
  max_label_value_length: { value: 2048, where: "Mimir default limits.max_label_value_length" },
};
// Loki v3.7.6 defaults (pkg/validation/limits.go RegisterFlags).
const LOKI_LIMIT_DEFAULTS: Record<string, Sourced<unknown>> = {
  max_label_names_per_series: { value: 15, where: "Loki default limits_config.max_label_names_per_series" },
  max_label_name_length: { value: 1024, where: "Loki default limits_config.max_label_name_length" },
  max_label_value_length: { value: 2048, where: "Loki default limits_config.max_label_value_length" },
};

function checkLoki(stack: StackView, ctx: RuleContext<object>): void {
  const { labels, podNames } = alloyStreamLabels(stack, ctx);
  if (labels.size === 0) return;
  for (const loki of lokiReleases(stack)) {
    // service_name: added by Loki unless discover_service_name is an empty list (pkg/validation/limits.go).
    const discover = loki.setting("limits_config.discover_service_name");
    const addsServiceName = !(
      discover &&
      !isUnknown(discover) &&
      Array.isArray(discover.value) &&
      discover.value.length === 0
    );
    const longest = [...labels, ...(addsServiceName ? ["service_name"] : [])].reduce((a, b) =>
      b.length > a.length ? b : a,
    );
    const floors: Array<[string, number, string]> = [
      [
        "max_label_names_per_series",
        labels.size,
        `the labels Alloy gives every stream: ${[...labels].join(", ")} (service_name is not counted)`,
      ],
      ["max_label_name_length", longest.length, `the label name ${longest}`],
      [
        "max_label_value_length",
        podNames ? KUBERNETES_NAME_MAX : 63,
        podNames
          ? "pod names in the pod label (Kubernetes object names, up to 253 characters)"
          : "namespace names (up to 63 characters)",
      ],
    ];
    const consequence =
      "Loki's distributor discards the stream's lines with a 400 that loki.write does not retry: those logs are lost.";
    for (const [key, floor, why] of floors) {
      const scopes = limitScopes(loki, `limits_config.${key}`, LOKI_LIMIT_DEFAULTS[key]);
      if (isUnknown(scopes)) return ctx.inconclusive(scopes);
      for (const scope of scopes) check(ctx, loki.urn, "log", scope, key, floor, why, consequence);
    }
  }
}

/** Loki's enforced_labels and policy_enforced_labels["*"] against every label the stack's Alloy ever attaches. */
function checkLokiEnforced(stack: StackView, ctx: RuleContext<object>): void {
  const { labels, tenants } = alloyStreamLabels(stack, ctx);
  if (labels.size === 0) return;
  for (const loki of lokiReleases(stack)) {
    const discover = loki.setting("limits_config.discover_service_name");
    const sent = new Set(labels);
    if (!(discover && !isUnknown(discover) && Array.isArray(discover.value) && discover.value.length === 0))
      sent.add("service_name");
    for (const [key, sub] of [
      ["enforced_labels", undefined],
      ["policy_enforced_labels", "*"],
    ] as const) {
      const scopes = limitScopes(loki, `limits_config.${key}`);
      if (isUnknown(scopes)) return ctx.inconclusive(scopes);
      for (const scope of scopes) {
        // The defaults reach the stack's streams when a tenant Alloy writes as has no override of its own.
        if (scope.inherited) continue;
        const writers =
          scope.tenant === undefined
            ? [...tenants].filter((t) => !scopes.some((x) => x.tenant === t && !x.inherited))
            : tenants.has(scope.tenant)
              ? [scope.tenant]
              : [];
        if (writers.length === 0 && (scope.tenant !== undefined || tenants.size > 0)) continue;
        const found = scope.value;
        if (found === undefined) continue;
        if (isUnknown(found)) {
          ctx.inconclusive(found);
          continue;
        }
        let list: unknown = found.value;
        let where = found.where;
        if (sub !== undefined) {
          if (!list || typeof list !== "object" || Array.isArray(list)) continue;
          list = (list as Record<string, unknown>)[sub];
          where = `${where}["${sub}"]`;
        }
        if (!Array.isArray(list)) continue;
        const missing = list.map(String).filter((l) => !sent.has(l));
        if (missing.length === 0) continue;
        const who = writers;
        ctx.violation(
          `${where}=${JSON.stringify(list)} (${scope.who}) requires ${missing.map((l) => `"${l}"`).join(", ")} on every stream, ` +
            `but no log stream of this stack's Alloy carries ${missing.length > 1 ? "them" : "it"} (its streams have at most ${[...sent].join(", ")}): ` +
            `Loki's distributor skips every such stream ("missing required labels '<labels>' for user '<tenant>' ...", reason missing_enforced_labels) and answers 400, which loki.write does not retry, ` +
            `so every pod-log and event line Alloy writes${who.length > 0 ? ` as tenant ${who.map((t) => `"${t}"`).join(", ")}` : ""} is lost. ` +
            `Fix: drop ${missing.join(", ")} from ${key}${sub ? `["${sub}"]` : ""}, or make Alloy attach ${missing.length > 1 ? "them" : "it"} (a discovery.relabel target_label in components/alloy/config.ts).`,
          loki.urn,
        );
      }
    }
  }
}

export const seriesLabelsWithinLimits = stackRule<object>(
  {
    name: "series-labels-within-limits",
    rule: "Q2",
    description:
      "Mimir's and Loki's max_label_names_per_series, max_label_name_length and max_label_value_length (defaults and every tenant) must admit the labels this stack's own Prometheus and Alloy put on every series and stream, and Loki's enforced_labels / policy_enforced_labels[\"*\"] must name only labels Alloy's streams carry",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Raise the limit (limits / limits_config or the tenant's runtime override) to at least the floor named in the message, or keep the default (Mimir 30/1024/2048, Loki 15/1024/2048).",
    url: "https://grafana.com/docs/mimir/latest/manage/mimir-runbooks/#err-mimir-max-label-names-per-series; grafana/loki pkg/distributor/validator.go ValidateLabels",
    tags: ["mimir", "loki", "prometheus", "alloy", "limits"],
  },
  (stack, ctx) => {
    checkMimir(stack, ctx);
    checkLoki(stack, ctx);
    checkLokiEnforced(stack, ctx);
  },
);
