// P6 (HARD, every in-cluster connection): a pod on the host network with dnsPolicy ClusterFirst does not use the
// cluster DNS: Kubernetes docs "DNS for Services and Pods", Pod's DNS policy: "For Pods running with hostNetwork, you
// should explicitly set its DNS policy to ClusterFirstWithHostNet. Otherwise, Pods running with hostNetwork and
// ClusterFirst will fallback to the behavior of the Default policy" (the node's resolver, which knows no
// `<service>.<namespace>.svc` name). Every push to a Service name then fails to resolve.
// - Alloy 1.11.1 chart (grafana/alloy helm-chart/1.11.1 operations/helm/charts/alloy/templates/controllers/_pod.yaml):
//   `hostNetwork: {{ .Values.controller.hostNetwork }}` and always `dnsPolicy: {{ .Values.controller.dnsPolicy }}`,
//   values.yaml controller.dnsPolicy ClusterFirst: hostNetwork alone keeps ClusterFirst.
// - kube-prometheus-stack 88.5.3 renders prometheusSpec / alertmanagerSpec hostNetwork into the CRs; prometheus-operator
//   v0.93.0 sets ClusterFirstWithHostNet itself "unless .spec.dnsPolicy is set" (pkg/apis/monitoring/v1
//   prometheus_types.go, alertmanager_types.go; pkg/alertmanager/statefulset.go): only an explicit other dnsPolicy
//   breaks. The chart's operator and admission-webhook Deployments write ClusterFirstWithHostNet with hostNetwork
//   (templates/prometheus-operator/deployment.yaml, admission-webhooks/deployment/deployment.yaml): nothing to judge.
import { stripComments } from "../../lib/alloy";
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";
import { serviceUrl } from "../wiring/endpoints";

const WITH_HOST_NET = "ClusterFirstWithHostNet";
// `<service>.<namespace>.svc` in a config text (Kubernetes DNS for Services).
const SERVICE_NAME = /\b[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\.svc\b/;

function truthy(raw: unknown): boolean {
  return raw === true || raw === "true";
}

/** A workload on the host network whose DNS policy (explicit or the chart's) is not ClusterFirstWithHostNet. */
function judge(
  ctx: RuleContext<object>,
  release: HelmRelease,
  section: string,
  policyDefault: string | undefined,
  dials: string | undefined,
): void {
  const host: PropNode = release.values.at(`${section}.hostNetwork`);
  const on = host.raw();
  const dnsNode = release.values.at(`${section}.dnsPolicy`);
  const dns = dnsNode.raw();
  if (isUnknown(on) || isUnknown(dns)) {
    [on, dns].forEach((v) => isUnknown(v) && ctx.inconclusive(v));
    return;
  }
  if (!truthy(on) || dials === undefined) return;
  const explicit = typeof dns === "string" && dns !== "" ? dns : undefined;
  const policy = explicit ?? policyDefault;
  // None takes its resolvers from dnsConfig: the user chose them.
  if (policy === undefined || policy === WITH_HOST_NET || policy === "None") return;
  const where = explicit !== undefined ? `${dnsNode.where}=${explicit}` : `the chart's ${section}.dnsPolicy=${policy}`;
  ctx.violation(
    `${host.where}=true runs ${release.label}'s ${section} pods on the host network with ${where}: Kubernetes falls back to the node's resolver ` +
      `("Pods running with hostNetwork and ClusterFirst will fallback to the behavior of the Default policy"), which cannot resolve ${dials}, ` +
      `so every connection to those in-cluster Services fails (pushes dropped, peers not found). ` +
      `Fix: set ${section}.dnsPolicy to ClusterFirstWithHostNet, or turn hostNetwork off.`,
    release.resource.urn,
  );
}

function alloyDials(release: HelmRelease, ctx: RuleContext<object>): string | undefined {
  const content = release.values.at("alloy.configMap.content").string();
  const clustering = release.values.at("alloy.clustering.enabled").raw();
  if (isUnknown(content) || isUnknown(clustering)) {
    [content, clustering].forEach((v) => isUnknown(v) && ctx.inconclusive(v));
    return undefined;
  }
  const name = content === undefined ? null : SERVICE_NAME.exec(stripComments(content));
  if (name) return `the Service names its config dials (${name[0]}, ...)`;
  // alloy chart: clustering joins through the headless `<release>-cluster` Service (templates/service-cluster.yaml).
  if (truthy(clustering)) return "the cluster Service its clustering joins";
  return undefined;
}

function prometheusDials(release: HelmRelease, ctx: RuleContext<object>): string | undefined {
  const writes = release.values.at("prometheus.prometheusSpec.remoteWrite").items();
  if (isUnknown(writes)) {
    ctx.inconclusive(writes);
    return undefined;
  }
  for (const write of writes ?? []) {
    const url = write.get("url").string();
    if (isUnknown(url)) {
      ctx.inconclusive(url);
      continue;
    }
    const service = url === undefined ? undefined : serviceUrl(url);
    if (service) return `its remote-write Service ${service.service}.${service.namespace}.svc`;
  }
  return undefined;
}

function alertmanagerDials(release: HelmRelease, ctx: RuleContext<object>): string | undefined {
  const replicas = release.values.at("alertmanager.alertmanagerSpec.replicas").raw();
  if (isUnknown(replicas)) {
    ctx.inconclusive(replicas);
    return undefined;
  }
  // Alertmanager peers find each other as <pod>.alertmanager-operated (prometheus-operator --cluster.peer flags).
  return typeof replicas === "number" && replicas > 1
    ? "its cluster peers' names (<pod>.alertmanager-operated)"
    : undefined;
}

export const hostNetworkPodsResolveServices = stackRule<object>(
  {
    name: "host-network-pods-resolve-services",
    rule: "P6",
    description:
      "Workloads the stack runs with hostNetwork (Alloy controller.hostNetwork, Prometheus / Alertmanager hostNetwork) that dial in-cluster Service names must use dnsPolicy ClusterFirstWithHostNet",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Set the section's dnsPolicy to ClusterFirstWithHostNet (Alloy controller.dnsPolicy; for Prometheus and Alertmanager leave dnsPolicy unset and the operator sets it), or turn hostNetwork off.",
    url: "https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-dns-policy",
    tags: ["workloads", "alloy", "prometheus", "dns"],
  },
  (stack, ctx) => {
    for (const alloy of stack.helmReleases(CHARTS.alloy))
      judge(ctx, alloy, "controller", "ClusterFirst", alloyDials(alloy, ctx));
    for (const kps of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      judge(ctx, kps, "prometheus.prometheusSpec", undefined, prometheusDials(kps, ctx));
      judge(ctx, kps, "alertmanager.alertmanagerSpec", undefined, alertmanagerDials(kps, ctx));
    }
  },
);
