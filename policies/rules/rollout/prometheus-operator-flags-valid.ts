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
// The chart's pod wiring stops the operator starting too (same templates/prometheus-operator/deployment.yaml):
// - prometheusOperator.tls.enabled (default true) mounts volume tls-secret from Secret `<fullname>-admission`
//   (`kube-prometheus-stack.fullname`, _helpers.tpl: truncated to 26). Only two templates make that Secret: the
//   admission-webhook createSecret Job (admission-webhooks/job-patch/job-createSecret.yaml, rendered when
//   prometheusOperator.enabled and admissionWebhooks.enabled (default true) and admissionWebhooks.patch.enabled (default
//   true) and not admissionWebhooks.certManager.enabled) and cert-manager's Certificate (certmanager.yaml, when
//   admissionWebhooks.certManager.enabled, default false, secretName `<fullname>-admission`). With neither, and no
//   such Secret declared by the stack in the release namespace (values.yaml: "if the secret exists ... You can use
//   this to provide your own certs"), the kubelet never mounts the volume and the operator pod stays
//   ContainerCreating (MountVolume.SetUp failed: secret not found).
// - prometheusOperator.hostNetwork (default false; values.yaml: "Required for use in managed kubernetes clusters (such
//   as AWS EKS) with custom CNI") runs the pod in the node's network namespace, where the operator listens on
//   `--web.listen-address=:<tls.internalPort>` (default 10250) with TLS, else :8080. pkg/server/server.go NewServer
//   net.Listen fails with "address already in use" when a node daemon holds the port, and cmd/operator/main.go
//   returns 1 ("failed to create web server"). Ports every EKS node holds (Kubernetes docs "Ports and Protocols";
//   kubelet and kube-proxy command-line reference defaults): 10250 kubelet API (--port), 10248 kubelet healthz
//   (--healthz-port, 127.0.0.1), 10249 kube-proxy metrics (--metrics-bind-address), 10256 kube-proxy healthz
//   (--healthz-bind-address); Linux refuses a wildcard bind on a port any address of the host already holds.
// A crash-looping operator reconciles nothing: no Prometheus or Alertmanager StatefulSet is created or updated, no
// ServiceMonitor or PrometheusRule change reaches Prometheus, and its admission webhook (when enabled) is down.
import { kubePrometheusStackFullname } from "../../lib/chart-names";
import { helmOn, readValue } from "../../lib/helm-values";
import { stackRule } from "../../lib/policy";
import { declaredKeys } from "../../lib/secret-keys";
import { CHARTS, TYPES } from "../../lib/types";
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

/** Ports a daemon holds on every EKS node (kubelet, kube-proxy command-line reference defaults). */
export const NODE_HELD_PORTS: Readonly<Record<number, string>> = {
  10248: "the kubelet's healthz port (--healthz-port)",
  10249: "kube-proxy's metrics port (--metrics-bind-address)",
  10250: "the kubelet API port (--port), open on every node",
  10256: "kube-proxy's healthz port (--healthz-bind-address)",
};

const CRASH =
  "prometheus-operator exits at start-up and crash-loops, so no Prometheus or Alertmanager is created or updated and no ServiceMonitor or PrometheusRule change is applied";

export const prometheusOperatorFlagsValid = stackRule<object>(
  {
    name: "prometheus-operator-flags-valid",
    rule: "U10",
    description:
      "The prometheus-operator flags kube-prometheus-stack renders pass the operator's start-up: the kubelet Service (kubeletService.enabled) keeps Endpoints or EndpointSlices on, prometheusOperator.namespaces and denyNamespaces are not both set, every featureGates key is a gate the operator knows, logLevel / logFormat are levels and formats it accepts, the TLS Secret it mounts is made (admission webhooks with patch, cert-manager, or the stack), and on hostNetwork its port is not one the kubelet or kube-proxy holds",
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
      const enabled = readValue(ctx, v.at("prometheusOperator.enabled"));
      if (!helmOn(enabled, true)) continue;
      const report = (message: string) => ctx.violation(message, kps.resource.urn);

      // kubelet controller.
      const service = readValue(ctx, v.at("prometheusOperator.kubeletService.enabled"));
      const endpoints = readValue(ctx, v.at("prometheusOperator.kubeletEndpointsEnabled"));
      const slices = readValue(ctx, v.at("prometheusOperator.kubeletEndpointSliceEnabled"));
      if (
        service &&
        endpoints &&
        slices &&
        helmOn(service, true) &&
        !helmOn(endpoints, true) &&
        !helmOn(slices, false)
      ) {
        report(
          `${endpoints.where}=${String(endpoints.raw)} and ${slices.where}=${String(slices.raw ?? "false (chart default)")} while ` +
            `prometheusOperator.kubeletService.enabled is ${service.raw === undefined ? "true (chart default)" : String(service.raw)}: the chart starts the operator with ` +
            `--kubelet-service and both --kubelet-endpoints=false --kubelet-endpointslice=false, and kubelet.New refuses ("at least one of endpoints or endpointslice needs to be enabled"): ` +
            `${CRASH}. Fix: keep kubeletEndpointsEnabled true (the default), or set kubeletEndpointSliceEnabled true, or disable prometheusOperator.kubeletService.`,
        );
      }

      // Namespace allow and deny lists.
      const allow = readValue(ctx, v.at("prometheusOperator.namespaces"));
      const deny = readValue(ctx, v.at("prometheusOperator.denyNamespaces"));
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

      // The TLS Secret the operator mounts.
      const tls = readValue(ctx, v.at("prometheusOperator.tls.enabled"));
      const webhooks = readValue(ctx, v.at("prometheusOperator.admissionWebhooks.enabled"));
      const patch = readValue(ctx, v.at("prometheusOperator.admissionWebhooks.patch.enabled"));
      const certManager = readValue(ctx, v.at("prometheusOperator.admissionWebhooks.certManager.enabled"));
      const fullname = kubePrometheusStackFullname(kps);
      if (isUnknown(fullname)) ctx.inconclusive(fullname);
      else if (
        tls &&
        webhooks &&
        patch &&
        certManager &&
        helmOn(tls, true) &&
        !helmOn(certManager, false) &&
        !(helmOn(webhooks, true) && helmOn(patch, true))
      ) {
        const secret = `${fullname}-admission`;
        if (declaredKeys(stack, TYPES.kubernetesSecret, kps.namespace, secret) === undefined) {
          const off = !helmOn(webhooks, true) ? webhooks : patch;
          report(
            `${off.where}=${String(off.raw)} while prometheusOperator.tls.enabled is ${tls.raw === undefined ? "true (chart default)" : String(tls.raw)}: ` +
              `the operator pod mounts Secret "${secret}" (templates/prometheus-operator/deployment.yaml volume tls-secret), which only the ` +
              `admission-webhook createSecret Job (admissionWebhooks.enabled and patch.enabled) or cert-manager (admissionWebhooks.certManager.enabled) ` +
              `creates, and the stack declares no such Secret in namespace ${kps.namespace}: the pod stays ContainerCreating (secret not found), so ` +
              `the operator never runs and no Prometheus or Alertmanager is created or updated. Fix: keep admissionWebhooks.enabled and ` +
              `patch.enabled true, or enable admissionWebhooks.certManager, or set prometheusOperator.tls.enabled false, or declare Secret "${secret}" (keys cert, key).`,
          );
        }
      }

      // hostNetwork: the operator's listen port on the node.
      const hostNetwork = readValue(ctx, v.at("prometheusOperator.hostNetwork"));
      const port = readValue(ctx, v.at("prometheusOperator.tls.internalPort"));
      if (hostNetwork && tls && port && helmOn(hostNetwork, false)) {
        const listen = helmOn(tls, true) ? Number(port.raw ?? 10250) : 8080;
        const holder = NODE_HELD_PORTS[listen];
        if (holder)
          report(
            `${hostNetwork.where}=true runs the operator in the node's network, where it listens on :${listen} ` +
              `(${helmOn(tls, true) ? `${port.raw === undefined ? "prometheusOperator.tls.internalPort default 10250" : port.where}, --web.listen-address` : "TLS off: :8080"}), ` +
              `${holder}: net.Listen fails with "address already in use" (pkg/server/server.go NewServer; "failed to create web server"): ${CRASH}. ` +
              `Fix: set prometheusOperator.tls.internalPort to a port no node daemon holds (e.g. 10260), or keep hostNetwork false.`,
          );
      }

      // Log level and format.
      for (const [key, accepted, error] of [
        ["logLevel", LOG_LEVELS, "log log_level %s unknown"],
        ["logFormat", LOG_FORMATS, "log format %s unknown"],
      ] as const) {
        const node = readValue(ctx, v.at(`prometheusOperator.${key}`));
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
