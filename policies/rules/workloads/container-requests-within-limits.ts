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
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";
import { parseQuantity } from "../../lib/bytes";
import { renderedSection, visitPodFields } from "./pod-values";

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

const RESOURCES = new Set(["resources"]);

/** A `resources` field that holds requests or limits (unknown: waits for the update). */
function resourcesBlock(ctx: RuleContext<object>, field: PropNode): boolean {
  if (field.isUnknown) {
    ctx.inconclusive(field.unknown());
    return false;
  }
  return (
    isObject(field.raw()) && ["requests", "limits"].some((k) => field.get(k).isUnknown || isObject(field.get(k).raw()))
  );
}

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
      visitPodFields(
        release.values,
        RESOURCES,
        (block, path) => {
          if (!resourcesBlock(ctx, block)) return;
          const chartDefault = defaults[path.join(".")];
          for (const f of judge(ctx, block, chartDefault)) findings.push(describe(block, f));
        },
        (path) => path.length === 1 && !renderedSection(release, path),
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
        visitPodFields(
          cr.spec,
          RESOURCES,
          (block) => {
            if (!resourcesBlock(ctx, block)) return;
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
