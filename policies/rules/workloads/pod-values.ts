// Where pod-spec fields sit in Helm values and Strimzi specs: the sections a chart renders, and a walk that finds
// every field of a given name (a `resources` block, a `nodeSelector`) under them, skipping configuration subtrees.
import { LOKI_CHART_DEFAULTS, LOKI_WORKLOADS } from "../../lib/loki";
import { PropNode } from "../../lib/node";
import { RuleContext } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";

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
export function renderedSection(release: HelmRelease, path: string[]): boolean {
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

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !isUnknown(v);

/**
 * Calls `onField` for every field named in `fields` under `node` (its path from the root given), skipping
 * configuration subtrees, sections switched off or scaled to nothing, and what `skip` says. A wholly unknown root
 * cannot be judged (inconclusive).
 */
export function visitPodFields(
  node: PropNode,
  fields: ReadonlySet<string>,
  onField: (field: PropNode, path: string[], parent: PropNode) => void,
  skip: (path: string[], node: PropNode) => boolean,
  ctx: RuleContext<object>,
  path: string[] = [],
  depth = 0,
): void {
  if (depth > 12) return;
  if (node.isUnknown) {
    // Unknown values or spec as a whole cannot be judged; an unknown leaf elsewhere (a role ARN annotation) holds no
    // pod field (unknown fields are handed to onField where they are met, below).
    if (path.length === 0) ctx.inconclusive(node.unknown());
    return;
  }
  const raw = node.raw();
  if (Array.isArray(raw)) {
    raw.forEach((_, i) => visitPodFields(node.get(i), fields, onField, skip, ctx, [...path, String(i)], depth + 1));
    return;
  }
  if (!isObject(raw)) return;
  // A section switched off, or scaled to nothing, creates no pod.
  if (path.length > 0 && (raw.enabled === false || raw.replicas === 0)) return;
  if (skip(path, node)) return;
  for (const key of Object.keys(raw)) {
    if (CONFIG_KEYS.has(key)) continue;
    const child = node.get(key);
    if (fields.has(key)) onField(child, [...path, key], node);
    else visitPodFields(child, fields, onField, skip, ctx, [...path, key], depth + 1);
  }
}
