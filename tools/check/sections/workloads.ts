/**
 * Sizing as deployed: every workload a Helm release or a Strimzi node pool sizes (replicas, CPU and memory,
 * volumes), and the EKS node groups they run on. Found by shape (an object with `replicas` or `resources`), so a
 * component an override adds or resizes appears without this file knowing the charts.
 */
import { nodeGroupDiskGiB, type StackView, TYPES, Inconclusive } from "../../../policies/model";
import { at, isPlainObject, type Plain } from "../readable";
import type { ReportView } from "./report-view";

export interface WorkloadRow {
  /** Helm release name, or "Strimzi" for Kafka node pools. */
  owner: string;
  /** Values path (e.g. "ingester") or custom resource ("KafkaNodePool broker"). */
  workload: string;
  replicas: string;
  cpuRequest: string;
  memory: string;
  storage: string;
}

export interface NodeGroupRow {
  name: string;
  instanceTypes: string;
  scaling: string;
  diskGiB: string;
}

const NOT_SET = "—";
/** Subtrees that hold configuration rather than workloads. */
const SKIPPED_KEYS = new Set([
  "structuredConfig",
  "env",
  "extraEnv",
  "extraArgs",
  "serviceAccount",
  "runtimeConfig",
  "configMap",
]);
const MAX_DEPTH = 3;

function text(value: Plain | undefined): string {
  if (value === undefined || value === null) return NOT_SET;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function sizesOf(list: Plain | undefined): string[] {
  return Array.isArray(list)
    ? list.map((item) => at(item, "size")).filter((s): s is string => typeof s === "string")
    : [];
}

/** Volume sizes under the shapes the charts and Strimzi use; "none" when persistence is switched off. */
export function storageOf(workload: { [key: string]: Plain }): string {
  const candidates: [Plain | undefined, string[]][] = [
    [at(workload, "persistentVolume.enabled"), sizesOf([at(workload, "persistentVolume") ?? null])],
    [
      at(workload, "persistence.enabled"),
      [...sizesOf([at(workload, "persistence") ?? null]), ...sizesOf(at(workload, "persistence.claims"))],
    ],
    [
      undefined,
      [at(workload, "storageSpec.volumeClaimTemplate.spec.resources.requests.storage")].filter(
        (s): s is string => typeof s === "string",
      ),
    ],
    [undefined, [...sizesOf([at(workload, "storage") ?? null]), ...sizesOf(at(workload, "storage.volumes"))]],
  ];
  for (const [enabled, sizes] of candidates) {
    if (enabled === false) return "none";
    if (sizes.length > 0) return sizes.join(" + ");
  }
  return NOT_SET;
}

function memoryOf(workload: { [key: string]: Plain }): string {
  const request = at(workload, "resources.requests.memory");
  const limit = at(workload, "resources.limits.memory");
  if (request === undefined && limit === undefined) return NOT_SET;
  return `${text(request)} / ${text(limit)}`;
}

function workloadRow(owner: string, path: string, workload: { [key: string]: Plain }, replicas: string): WorkloadRow {
  return {
    owner,
    workload: path,
    replicas,
    cpuRequest: text(at(workload, "resources.requests.cpu")),
    memory: memoryOf(workload),
    storage: storageOf(workload),
  };
}

/** Objects in a release's values that size a workload. */
export function valuesWorkloads(owner: string, values: Plain, chart = ""): WorkloadRow[] {
  const rows: WorkloadRow[] = [];
  // The alloy chart runs one pod per node with controller.type daemonset, its default (alloy-1.11.1 values.yaml,
  // controller.type: 'daemonset').
  const controller = at(values, "controller.type");
  const perNode = controller === "daemonset" || (chart === "alloy" && controller === undefined);
  const visit = (node: Plain, path: string[], depth: number): void => {
    if (!isPlainObject(node) || depth > MAX_DEPTH) return;
    const replicas = node.replicas;
    const sized = typeof replicas === "number" || isPlainObject(node.resources);
    if (path.length > 0 && sized) {
      if (replicas === 0) return;
      const shown = typeof replicas === "number" ? String(replicas) : perNode ? "1 per node" : NOT_SET;
      rows.push(workloadRow(owner, path.join("."), node, shown));
      return;
    }
    for (const key of Object.keys(node).sort()) {
      if (!SKIPPED_KEYS.has(key)) visit(node[key], [...path, key], depth + 1);
    }
  };
  visit(values, [], 0);
  return rows;
}

export function workloadRows(report: ReportView): WorkloadRow[] {
  const rows = report
    .releases()
    .sort((a, b) => a.releaseName.localeCompare(b.releaseName))
    .flatMap((release) => valuesWorkloads(release.releaseName, report.shown(release.values) ?? {}, release.chart));
  for (const pool of report.strimzi("KafkaNodePool").sort((a, b) => a.name.localeCompare(b.name))) {
    const spec = report.shown(pool.spec);
    if (!isPlainObject(spec)) continue;
    const roles = at(spec, "roles");
    const label = `KafkaNodePool ${pool.name}${Array.isArray(roles) ? ` (${roles.join(", ")})` : ""}`;
    rows.push(workloadRow("Strimzi", label, spec, text(spec.replicas)));
  }
  return rows;
}

/** A node group's root disk as the pack's capacity model reads it (diskSize, or its launch template's volume). */
function diskOf(view: StackView, urn: string): string {
  const group = view.byUrn(urn);
  if (!group) return NOT_SET;
  try {
    return String(nodeGroupDiskGiB(group, view.ofType(TYPES.launchTemplate)));
  } catch (error) {
    if (error instanceof Inconclusive) return NOT_SET;
    throw error;
  }
}

export function nodeGroupRows(report: ReportView): NodeGroupRow[] {
  return [...report.view.ofType(TYPES.eksNodeGroup)]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((group) => {
      const types = report.shown(group.props.get("instanceTypes"));
      const scaling = (key: string) => text(report.shown(group.props.get("scalingConfig", key)));
      return {
        name: group.name,
        instanceTypes: Array.isArray(types) ? types.join(", ") : text(types),
        scaling: `${scaling("minSize")} / ${scaling("desiredSize")} / ${scaling("maxSize")}`,
        diskGiB: diskOf(report.view, group.urn),
      };
    });
}
