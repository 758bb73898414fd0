// P1 (HARD, the release or the Kafka cluster never comes up): a container's resource request must not exceed its limit.
// - Kubernetes core validation refuses it: pkg/apis/core/validation/validation.go ValidateResourceRequirements compares
//   every request with the limit of the same resource and reports `spec.template.spec.containers[i].resources.requests:
//   Invalid value: "1Gi": must be less than or equal to memory limit of 512Mi` (the pod template of a Deployment,
//   StatefulSet or DaemonSet is validated when the workload is created or updated), so `helm install/upgrade` fails with
//   that error and the release is left failed. A request absent while its limit is set defaults to the limit
//   (Kubernetes docs, "Resource Management for Pods and Containers"), which is valid.
// - kube-prometheus-stack's Prometheus and Alertmanager resources go into custom resources the operator turns into
//   StatefulSets (prometheus-operator pkg/prometheus/server/statefulset.go copies spec.resources to the container); the
//   API server refuses that StatefulSet the same way, so the operator's reconcile fails and no pod is (re)created.
// - Strimzi refuses KafkaNodePool.spec.resources and the entity operator's, Cruise Control's and Kafka Exporter's
//   resources with "<path> memory request must be <= limit" (cluster-operator model/ModelUtils.java
//   validateComputeResources, called from KafkaPool.fromCrd, EntityTopicOperator, EntityUserOperator, CruiseControl,
//   KafkaExporter): the Kafka resource goes NotReady with InvalidResourceException and nothing is rolled.
// Helm merges the release's values over the chart's values.yaml map by map, so a `resources` block that sets only a
// limit keeps the chart's default request: CHART_DEFAULTS below (only the non-empty defaults the pack has read).
// Quantities follow k8s.io/apimachinery pkg/api/resource/quantity.go (decimal and binary suffixes, exponents).
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";
import { LOKI_CHART_DEFAULTS, LOKI_WORKLOADS } from "../../lib/loki";
import { parseQuantity } from "../../lib/bytes";

/** The resources Kubernetes compares (the brief's compute and local-storage resources). */
const COMPARED = ["cpu", "memory", "ephemeral-storage"] as const;

type Block = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };

/**
 * Chart defaults of `resources` blocks that are not empty, by chart and values path:
 * - strimzi-kafka-operator 1.2.0 values.yaml `resources` (limits 1000m / 384Mi, requests 200m / 384Mi);
 * - alloy 1.11.1 values.yaml `configReloader.resources` (requests 10m / 50Mi);
 * - mimir-distributed 6.0.x values.yaml (grafana/mimir 063371ec, data/mimir-distributed-6.0.x.values-excerpts.yaml):
 *   distributor and ingester requests 100m / 512Mi, the demo `kafka` requests 1 / 1Gi; querier and query_frontend
 *   100m / 128Mi, compactor 100m / 512Mi (the values file as read for the capacity model, rules/capacity/pods.ts);
 * - loki 18.11.0 values.yaml `minio.resources` (requests 100m / 128Mi).
 * kube-prometheus-stack 88.5.3 and the other loki sections default to `{}` (or empty requests/limits).
 */
const CHART_DEFAULTS: Readonly<Record<string, Readonly<Record<string, Block>>>> = {
  [CHARTS.strimzi]: {
    resources: { limits: { memory: "384Mi", cpu: "1000m" }, requests: { memory: "384Mi", cpu: "200m" } },
  },
  [CHARTS.alloy]: { "configReloader.resources": { requests: { cpu: "10m", memory: "50Mi" } } },
  [CHARTS.mimir]: {
    "distributor.resources": { requests: { cpu: "100m", memory: "512Mi" } },
    "ingester.resources": { requests: { cpu: "100m", memory: "512Mi" } },
    "kafka.resources": { requests: { cpu: "1", memory: "1Gi" } },
    "querier.resources": { requests: { cpu: "100m", memory: "128Mi" } },
    "query_frontend.resources": { requests: { cpu: "100m", memory: "128Mi" } },
    "compactor.resources": { requests: { cpu: "100m", memory: "512Mi" } },
  },
  [CHARTS.loki]: { "minio.resources": { requests: { cpu: "100m", memory: "128Mi" } } },
};

/**
 * Sections a chart renders only when switched on (their `resources` reach no pod otherwise), beyond an explicit
 * `enabled: false` / `replicas: 0` on the path, which always means no pod:
 * - mimir-distributed: the memcached caches are off by default (values `<cache>.enabled: false`); the dedicated
 *   remote-ruler query path only with `ruler.remoteEvaluationDedicatedQueryPath`; `enterprise`-only components.
 * - loki 18.11.0: `minio.enabled` false; the components of another deployment mode are not rendered
 *   (templates/<component>/*.yaml check `deploymentMode`).
 * - kube-prometheus-stack: `thanosRuler.enabled` false; the subcharts follow `kubeStateMetrics.enabled`,
 *   `nodeExporter.enabled`, `grafana.enabled` (Chart.yaml dependency conditions).
 */
function rendered(release: HelmRelease, path: string[]): boolean {
  const values = release.values;
  const flag = (dotted: string, fallback: boolean): boolean => {
    const value = values.at(dotted).boolean();
    return isUnknown(value) || value === undefined ? fallback : value;
  };
  const top = path[0];
  if (release.chart === CHARTS.mimir) {
    if (/-cache$/.test(top)) return flag(`${top}.enabled`, false);
    if (top.startsWith("ruler_")) return flag("ruler.remoteEvaluationDedicatedQueryPath", false);
    if (["admin_api", "graphite", "enterprise", "gr-aggr-cache", "gr-metricname-cache"].includes(top))
      return flag("enterprise.enabled", false);
  }
  if (release.chart === CHARTS.loki) {
    if (top === "minio") return flag("minio.enabled", false);
    const modeValue = values.at("deploymentMode").string();
    const mode = isUnknown(modeValue) || !modeValue ? LOKI_CHART_DEFAULTS.deploymentMode : modeValue;
    const single = /Monolithic|SingleBinary/.test(mode);
    const scalable = mode.includes("SimpleScalable");
    const distributed = mode.includes("Distributed");
    if ((LOKI_WORKLOADS.monolithic as readonly string[]).includes(top)) return single;
    if ((LOKI_WORKLOADS.simpleScalable as readonly string[]).includes(top)) return scalable;
    if ((LOKI_WORKLOADS.distributed as readonly string[]).includes(top)) return distributed;
  }
  if (release.chart === CHARTS.kubePrometheusStack) {
    if (top === "thanosRuler") return flag("thanosRuler.enabled", false);
    if (top === "kube-state-metrics") return flag("kubeStateMetrics.enabled", true);
    if (top === "prometheus-node-exporter") return flag("nodeExporter.enabled", true);
  }
  return true;
}

/** Subtrees that hold an application's configuration, not pod specs. */
const CONFIG_KEYS = new Set([
  "structuredConfig",
  "runtimeConfig",
  "configMap",
  "config",
  "extraArgs",
  "env",
  "extraEnv",
]);

/** The value of a Kubernetes quantity ("500m" -> 0.5, "1Gi" -> 2^30); undefined when malformed (not judged here). */
export function quantityValue(raw: unknown): number | undefined {
  return typeof raw === "number" || typeof raw === "string" ? parseQuantity(raw) : undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !isUnknown(v);

/** Helm's coalesce of one level: the values' keys over the chart's; a null in the values deletes the chart's key. */
function merge(chart: Record<string, unknown> | undefined, values: unknown): Record<string, unknown> | undefined {
  if (!isObject(values)) return values === null ? undefined : chart;
  const out: Record<string, unknown> = { ...(chart ?? {}) };
  for (const [key, value] of Object.entries(values)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

interface Finding {
  resource: string;
  request: unknown;
  limit: unknown;
  fromDefault: boolean;
}

/** Requests above limits in one `resources` block (merged over the chart default when there is one). */
function judge(ctx: RuleContext<object>, node: PropNode, chartDefault: Block | undefined): Finding[] {
  const requestsNode = node.get("requests");
  const limitsNode = node.get("limits");
  const found: Finding[] = [];
  for (const name of COMPARED) {
    const requestNode = requestsNode.get(name);
    const limitNode = limitsNode.get(name);
    if (requestNode.isUnknown || limitNode.isUnknown) {
      if (requestNode.isPresent && limitNode.isPresent)
        ctx.inconclusive((requestNode.isUnknown ? requestNode : limitNode).unknown());
      continue;
    }
    const requests = merge(chartDefault?.requests, requestsNode.raw());
    const limits = merge(chartDefault?.limits, limitsNode.raw());
    const request = requests?.[name];
    const limit = limits?.[name];
    if (request === undefined || request === null || limit === undefined || limit === null) continue;
    const r = quantityValue(request);
    const l = quantityValue(limit);
    if (r === undefined || l === undefined) continue;
    // Relative tolerance for floating point (a request equal to its limit is valid).
    if (r <= l * (1 + 1e-12)) continue;
    found.push({
      resource: name,
      request,
      limit,
      fromDefault: requestNode.raw() === undefined || limitNode.raw() === undefined,
    });
  }
  return found;
}

/** Every `resources` object under `node` (skipping configuration subtrees and switched-off sections). */
function visit(
  node: PropNode,
  path: string[],
  onBlock: (block: PropNode, path: string[]) => void,
  skip: (path: string[], node: PropNode) => boolean,
  ctx: RuleContext<object>,
  depth = 0,
): void {
  if (depth > 12) return;
  if (node.isUnknown) {
    // Unknown values or spec as a whole cannot be judged; an unknown leaf elsewhere (a role ARN annotation) holds no
    // resources block (unknown `resources` blocks are recorded where they are met, below).
    if (path.length === 0) ctx.inconclusive(node.unknown());
    return;
  }
  const raw = node.raw();
  if (Array.isArray(raw)) {
    raw.forEach((_, i) => visit(node.get(i), [...path, String(i)], onBlock, skip, ctx, depth + 1));
    return;
  }
  if (!isObject(raw)) return;
  // A section switched off, or scaled to nothing, creates no pod.
  if (path.length > 0 && (raw.enabled === false || raw.replicas === 0)) return;
  if (skip(path, node)) return;
  for (const key of Object.keys(raw)) {
    if (CONFIG_KEYS.has(key)) continue;
    const child = node.get(key);
    if (key === "resources" && (child.isUnknown || isObject(child.raw()))) {
      if (child.isUnknown) ctx.inconclusive(child.unknown());
      else if (["requests", "limits"].some((k) => child.get(k).isUnknown || isObject(child.get(k).raw())))
        onBlock(child, [...path, key]);
      continue;
    }
    visit(child, [...path, key], onBlock, skip, ctx, depth + 1);
  }
}

function describe(block: PropNode, f: Finding): string {
  const origin = f.fromDefault ? " (one side from the chart's default, which Helm merges under the values)" : "";
  return `${block.where}: requests.${f.resource} ${String(f.request)} > limits.${f.resource} ${String(f.limit)}${origin}`;
}

export const containerRequestsWithinLimits = stackRule<object>(
  {
    name: "container-requests-within-limits",
    rule: "P1",
    description:
      "Every container resources block the charts and Strimzi render must request no more CPU, memory or ephemeral-storage than its limit",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise the limit to at least the request, or lower the request (a request left out defaults to the limit). For a chart whose " +
      "values.yaml sets a default request (Mimir components, Alloy's config reloader, the Strimzi operator), set both sides.",
    url: "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/ (kubernetes pkg/apis/core/validation ValidateResourceRequirements)",
    tags: ["kubernetes", "rollout"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases()) {
      const defaults = CHART_DEFAULTS[release.chart] ?? {};
      const findings: string[] = [];
      visit(
        release.values,
        [],
        (block, path) => {
          const chartDefault = defaults[path.join(".")];
          for (const f of judge(ctx, block, chartDefault)) findings.push(describe(block, f));
        },
        (path) => path.length === 1 && !rendered(release, path),
        ctx,
      );
      if (findings.length === 0) continue;
      ctx.violation(
        `${findings.join("; ")}: the Kubernetes API server refuses a container whose request exceeds its limit ("must be less than or equal to ` +
          `<resource> limit", core validation ValidateResourceRequirements), so the workload is never created or updated and ` +
          `the Helm release fails (for Prometheus and Alertmanager, the operator's StatefulSet is refused and no pod is created). ` +
          `Fix: raise each limit to at least its request, or lower the request.`,
        release.resource.urn,
      );
    }
    for (const kind of ["Kafka", "KafkaNodePool"] as const) {
      for (const cr of stack.strimzi(kind)) {
        const findings: string[] = [];
        visit(
          cr.spec,
          [],
          (block) => {
            for (const f of judge(ctx, block, undefined)) findings.push(describe(block, f));
          },
          () => false,
          ctx,
        );
        if (findings.length === 0) continue;
        ctx.violation(
          `${findings.join("; ")}: Strimzi refuses the resource ("<path> <resource> request must be <= limit", ModelUtils.validateComputeResources) ` +
            `and the API server would refuse the pod anyway, so the cluster operator stops reconciling ${cr.label} (NotReady, InvalidResourceException) ` +
            `and no broker or operator pod is created or rolled. Fix: raise each limit to at least its request, or lower the request.`,
          cr.resource.urn,
        );
      }
    }
  },
);
