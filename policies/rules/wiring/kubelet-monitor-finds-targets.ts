// W18 (silent loss): the kubelet ServiceMonitor kube-prometheus-stack renders finds its targets only in the object
// Prometheus discovers with.
// - kube-prometheus-stack 88.5.3 templates/exporters/kubelet/servicemonitor.yaml (rendered while kubelet.enabled,
//   kubelet.serviceMonitor.enabled and kubernetesServiceMonitors.enabled, all default true) selects the kubelet
//   Service in kubelet.namespace; nothing in the cluster maintains that Service but prometheus-operator's kubelet
//   controller (--kubelet-service, prometheusOperator.kubeletService.enabled, default true).
// - The controller writes an Endpoints object when --kubelet-endpoints (kubeletEndpointsEnabled, default true) and an
//   EndpointSlice when --kubelet-endpointslice (kubeletEndpointSliceEnabled, default false) (prometheus-operator
//   v0.93.0 pkg/kubelet/controller.go sync: syncEndpoints / syncEndpointSlice). Kubernetes' EndpointSliceMirroring
//   controller copies a selector-less Service's Endpoints into EndpointSlices (unless labelled
//   endpointslice.kubernetes.io/skip-mirror, which the controller sets only when it writes both), never the reverse.
// - Prometheus discovers ServiceMonitor targets with prometheusSpec.serviceDiscoveryRole ("" in the chart = unset:
//   "If unset, the operator assumes the Endpoints role", pkg/apis/monitoring/v1/prometheus_types.go).
// So EndpointSlices only, discovered with the Endpoints role, or no kubelet Service at all, leave the kubelet
// ServiceMonitor with no target: no kubelet_* or cAdvisor container_* series, and every rule over them (the stack's
// own components/alerts: MimirDistributorMemoryNearLimit, KafkaBrokerDiskFillingUp / AlmostFull; the chart's default
// kubelet and container rules) returns nothing, without an error.
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { helmOn, readValue } from "../../lib/helm-values";

const shown = (value: { raw: unknown; where: string }, fallback: string) =>
  value.raw === undefined ? `${value.where} unset (${fallback})` : `${value.where}=${String(value.raw)}`;

const LOSS =
  "the kubelet ServiceMonitor finds no target, so no kubelet_* (volume stats) or cAdvisor container_* series is scraped and the rules over them " +
  "(the stack's MimirDistributorMemoryNearLimit, KafkaBrokerDiskFillingUp and KafkaBrokerDiskAlmostFull, the chart's kubelet rules) silently return nothing";

export const kubeletMonitorFindsTargets = stackRule<object>(
  {
    name: "kubelet-monitor-finds-targets",
    rule: "W18",
    description:
      "The kubelet ServiceMonitor kube-prometheus-stack renders finds its targets: prometheus-operator maintains the kubelet Service (prometheusOperator.kubeletService.enabled) and the object Prometheus discovers with (Endpoints unless prometheusSpec.serviceDiscoveryRole is EndpointSlice; Endpoints are mirrored into EndpointSlices, never the reverse)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep prometheusOperator.kubeletEndpointsEnabled true (the default) while Prometheus discovers with the Endpoints role, or set prometheus.prometheusSpec.serviceDiscoveryRole: EndpointSlice together with kubeletEndpointSliceEnabled; keep prometheusOperator.kubeletService.enabled while the kubelet ServiceMonitor is rendered.",
    url: "https://github.com/prometheus-operator/prometheus-operator/blob/v0.93.0/pkg/kubelet/controller.go (syncEndpoints, syncEndpointSlice)",
    tags: ["prometheus", "monitoring"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const kps of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      const v = kps.values;
      const conditions = [
        "prometheus.enabled",
        "kubelet.enabled",
        "kubelet.serviceMonitor.enabled",
        "kubernetesServiceMonitors.enabled",
      ].map((path) => readValue(ctx, v.at(path)));
      if (conditions.some((c) => c === undefined || !helmOn(c, true))) continue;
      const operator = readValue(ctx, v.at("prometheusOperator.enabled"));
      const service = readValue(ctx, v.at("prometheusOperator.kubeletService.enabled"));
      const endpoints = readValue(ctx, v.at("prometheusOperator.kubeletEndpointsEnabled"));
      const slices = readValue(ctx, v.at("prometheusOperator.kubeletEndpointSliceEnabled"));
      const role = readValue(ctx, v.at("prometheus.prometheusSpec.serviceDiscoveryRole"));
      if (!operator || !service || !endpoints || !slices || !role) continue;
      if (!helmOn(operator, true)) continue; // an operator outside the release: its flags are not known here
      if (!helmOn(service, true)) {
        ctx.violation(
          `${service.where}=${String(service.raw)} while the kubelet ServiceMonitor is rendered (kubelet.serviceMonitor.enabled): nothing creates the kubelet Service ` +
            `and its endpoints (only prometheus-operator's --kubelet-service does, pkg/kubelet/controller.go), so ${LOSS}. ` +
            `Fix: keep prometheusOperator.kubeletService.enabled true (the default), or set kubelet.serviceMonitor.enabled false if the metrics are not wanted.`,
          kps.resource.urn,
        );
        continue;
      }
      const roleText = typeof role.raw === "string" && role.raw !== "" ? role.raw : "Endpoints";
      if (roleText !== "Endpoints" || helmOn(endpoints, true) || !helmOn(slices, false)) continue;
      // Both off is U10's (the operator does not start).
      ctx.violation(
        `${shown(endpoints, "true")} with ${shown(slices, "false")}: prometheus-operator writes the kubelet targets only as an EndpointSlice ` +
          `(pkg/kubelet/controller.go sync), while Prometheus discovers ServiceMonitor targets with the Endpoints role ` +
          `(${shown(role, 'the chart\'s "": "If unset, the operator assumes the Endpoints role"')}) and Kubernetes mirrors Endpoints into EndpointSlices, never the reverse: ` +
          `${LOSS}. Fix: keep kubeletEndpointsEnabled true (the default; both may be on), or set prometheus.prometheusSpec.serviceDiscoveryRole: EndpointSlice.`,
        kps.resource.urn,
      );
    }
  },
);
