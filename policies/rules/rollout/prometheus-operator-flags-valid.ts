// U10 (HARD at start-up): the prometheus-operator flags kube-prometheus-stack renders must pass the operator's start-up.
// kube-prometheus-stack 88.5.3 (appVersion v0.93.1) templates/prometheus-operator/deployment.yaml renders, while
// prometheusOperator.enabled (default true):
//   --kubelet-service=<kubeletService.namespace>/<name> when kubeletService.enabled (default true),
//   --kubelet-endpoints=<kubeletEndpointsEnabled> (default true), --kubelet-endpointslice=<kubeletEndpointSliceEnabled>
//   (default false), --log-format / --log-level when set, --deny-namespaces when denyNamespaces is non-empty,
//   --namespaces when the prometheusOperator.namespaces map is non-empty (`with`), --feature-gates=<k>=<v>,... from
//   the featureGates map.
// prometheus-operator cmd/operator/main.go start() (read at v0.93.0, the newest tag the mirror holds; the chart pins
// v0.93.1) then exits 1 before any controller runs when:
// - kubelet.New fails: pkg/kubelet/controller.go New `if !c.manageEndpoints && !c.manageEndpointSlice` "at least one
//   of endpoints or endpointslice needs to be enabled" ("instantiating kubelet endpoints controller failed");
// - both --namespaces and --deny-namespaces are set (`len(cfg.Namespaces.AllowList) > 0 && len(...DenyList) > 0`:
//   return 1 with no log line; pkg/operator/config.go StringSet.Set adds even an empty `--namespaces=`);
// - a feature gate is unknown: pkg/operator/feature_gates.go UpdateFeatureGates "feature gate %q is unknown"
//   (pkg/operator/config.go DefaultConfig Gates: the five below);
// - the log level or format is unknown: internal/log/slog.go parseLevel ("log log_level %s unknown") and
//   getHandlerFromFormat ("log format %s unknown"), case-insensitive; start() calls stdlog.Fatal.
// A crash-looping operator reconciles nothing: no Prometheus or Alertmanager StatefulSet is created or updated, no
// ServiceMonitor or PrometheusRule change reaches Prometheus, and its admission webhook (when enabled) is down.
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";

/** pkg/operator/config.go DefaultConfig Gates (v0.93.0). */
export const OPERATOR_FEATURE_GATES = [
  "PrometheusAgentDaemonSet",
  "PrometheusTopologySharding",
  "PrometheusShardRetentionPolicy",
  "StatusForConfigurationResources",
  "RemoteWriteCustomResourceDefinition",
] as const;
/** internal/log/log.go AvailableLogLevels / AvailableLogFormats. */
const LOG_LEVELS = ["all", "debug", "info", "warn", "error", "none"];
const LOG_FORMATS = ["logfmt", "json"];

const CRASH =
  "prometheus-operator exits at start-up and crash-loops, so no Prometheus or Alertmanager is created or updated and no ServiceMonitor or PrometheusRule change is applied";

/** A value node, or undefined after recording an unknown as inconclusive. */
function read(ctx: RuleContext<object>, node: PropNode): { raw: unknown; where: string } | undefined {
  if (node.isUnknown) {
    ctx.inconclusive(node.unknown());
    return undefined;
  }
  return { raw: node.raw(), where: node.where };
}

/** Helm truthiness of a value with a chart default. */
function on(value: { raw: unknown } | undefined, fallback: boolean): boolean {
  const raw = value?.raw;
  if (raw === undefined || raw === null) return raw === null ? false : fallback;
  return raw !== false && raw !== "false" && raw !== 0 && raw !== "";
}

export const prometheusOperatorFlagsValid = stackRule<object>(
  {
    name: "prometheus-operator-flags-valid",
    rule: "U10",
    description:
      "The prometheus-operator flags kube-prometheus-stack renders pass the operator's start-up: the kubelet Service (kubeletService.enabled) keeps Endpoints or EndpointSlices on, prometheusOperator.namespaces and denyNamespaces are not both set, every featureGates key is a gate the operator knows, and logLevel / logFormat are levels and formats it accepts",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Keep kubeletEndpointsEnabled or kubeletEndpointSliceEnabled true (or disable kubeletService), set either namespaces or denyNamespaces, use only the operator's feature gates, and use a known log level (all, debug, info, warn, error, none) and format (logfmt, json).",
    url: "https://github.com/prometheus-operator/prometheus-operator/blob/v0.93.0/cmd/operator/main.go (start)",
    tags: ["prometheus", "startup"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const kps of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      const v = kps.values;
      const enabled = read(ctx, v.at("prometheusOperator.enabled"));
      if (!on(enabled, true)) continue;
      const report = (message: string) => ctx.violation(message, kps.resource.urn);

      // kubelet controller.
      const service = read(ctx, v.at("prometheusOperator.kubeletService.enabled"));
      const endpoints = read(ctx, v.at("prometheusOperator.kubeletEndpointsEnabled"));
      const slices = read(ctx, v.at("prometheusOperator.kubeletEndpointSliceEnabled"));
      if (service && endpoints && slices && on(service, true) && !on(endpoints, true) && !on(slices, false)) {
        report(
          `${endpoints.where}=${String(endpoints.raw)} and ${slices.where}=${String(slices.raw ?? "false (chart default)")} while ` +
            `prometheusOperator.kubeletService.enabled is ${service.raw === undefined ? "true (chart default)" : String(service.raw)}: the chart starts the operator with ` +
            `--kubelet-service and both --kubelet-endpoints=false --kubelet-endpointslice=false, and kubelet.New refuses ("at least one of endpoints or endpointslice needs to be enabled"): ` +
            `${CRASH}. Fix: keep kubeletEndpointsEnabled true (the default), or set kubeletEndpointSliceEnabled true, or disable prometheusOperator.kubeletService.`,
        );
      }

      // Namespace allow and deny lists.
      const allow = read(ctx, v.at("prometheusOperator.namespaces"));
      const deny = read(ctx, v.at("prometheusOperator.denyNamespaces"));
      const allowSet =
        !!allow && typeof allow.raw === "object" && allow.raw !== null && Object.keys(allow.raw).length > 0;
      const denySet = !!deny && Array.isArray(deny.raw) && deny.raw.length > 0;
      if (allowSet && denySet) {
        report(
          `${allow!.where}=${JSON.stringify(allow!.raw)} and ${deny!.where}=${JSON.stringify(deny!.raw)}: the chart renders both --namespaces and --deny-namespaces, ` +
            `and the operator returns 1 at start-up when both lists are set (cmd/operator/main.go start, without a log line): ${CRASH}. ` +
            `Fix: keep only one of prometheusOperator.namespaces and prometheusOperator.denyNamespaces.`,
        );
      }

      // Feature gates.
      const gates = v.at("prometheusOperator.featureGates");
      const entries = gates.entries();
      if (isUnknown(entries)) ctx.inconclusive(entries);
      for (const [gate, value] of isUnknown(entries) ? [] : (entries ?? [])) {
        if (!(OPERATOR_FEATURE_GATES as readonly string[]).includes(gate)) {
          report(
            `${value.where}: the chart renders --feature-gates=${gate}=..., and the operator refuses an unknown gate ` +
              `(feature gate "${gate}" is unknown, pkg/operator/feature_gates.go UpdateFeatureGates): ${CRASH}. ` +
              `Fix: use one of ${OPERATOR_FEATURE_GATES.join(", ")}, or remove the key.`,
          );
        }
      }

      // Log level and format.
      for (const [key, accepted, error] of [
        ["logLevel", LOG_LEVELS, "log log_level %s unknown"],
        ["logFormat", LOG_FORMATS, "log format %s unknown"],
      ] as const) {
        const node = read(ctx, v.at(`prometheusOperator.${key}`));
        if (!node || node.raw === undefined || node.raw === null || node.raw === "") continue;
        const text = String(node.raw);
        if (accepted.includes(text.toLowerCase())) continue;
        report(
          `${node.where}=${text}: the chart renders --${key === "logLevel" ? "log-level" : "log-format"}=${text}, which the operator does not know ` +
            `("${error.replace("%s", text)}", internal/log/slog.go; start() exits through log.Fatal): ${CRASH}. Fix: use one of ${accepted.join(", ")}.`,
        );
      }
    }
  },
);
