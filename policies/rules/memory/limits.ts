// Reading container memory limits and environment variables out of Helm values and custom resource specs, for the
// memory rules (B1-B4). A value unknown during preview throws Inconclusive (lib/unknown `known`); `eachChecked`
// records it and goes on with the next item, so one unknown value does not skip the other checks of a policy.
import { formatBytes, parseQuantityBytes } from "../../lib/bytes";
import { PolicyInputError, PropNode } from "../../lib/node";
import { RuleContext } from "../../lib/policy";
import { Inconclusive, known } from "../../lib/unknown";

export const MiB = 2 ** 20;

/** A container's memory limit with the place it is set. */
export interface MemoryLimit {
  bytes: number;
  /** e.g. `mimir-distributed release "mimir" values.distributor.resources.limits.memory` */
  where: string;
  /** The quantity as written, e.g. "2Gi". */
  text: string;
}

/** `where=text (bytes)`, for messages. */
export function showLimit(limit: MemoryLimit): string {
  return `${limit.where}=${limit.text} (${formatBytes(limit.bytes)})`;
}

/** `resources.limits.memory` of a resources node; undefined when no limit is set (then nothing is OOM-killed against it). */
export function memoryLimit(resources: PropNode): MemoryLimit | undefined {
  const node = resources.at("limits.memory");
  const raw = known(node.raw());
  if (raw === undefined || raw === null || raw === "") return undefined;
  const bytes = typeof raw === "string" || typeof raw === "number" ? parseQuantityBytes(raw) : undefined;
  if (bytes === undefined)
    throw new PolicyInputError(
      `${node.where}=${JSON.stringify(raw)} is not a Kubernetes quantity such as 512Mi or 2Gi.`,
      node.owner.urn,
    );
  return { bytes, where: node.where, text: String(raw) };
}

/** Runs one item's check; an unknown value or bad input ends that item only. */
export function eachChecked<C extends object>(ctx: RuleContext<C>, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof Inconclusive) ctx.inconclusive(error.unknown);
    else if (error instanceof PolicyInputError) ctx.violation(error.message, error.urn);
    else throw error;
  }
}

/** A literal env var value with where it is set. */
export interface EnvSetting {
  value: string;
  where: string;
}

/**
 * The value a container gets for env var `name` from lists of `{name, value}` entries rendered in this order: the
 * kubelet keeps the last entry of a name (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables: `tmpEnv[envVar.Name]
 * = runtimeVal` over container.Env in order). undefined when not set; `valueFrom` when the last entry reads a Secret,
 * ConfigMap or field (not known to the pack).
 */
export function envValue(lists: ReadonlyArray<PropNode>, name: string): EnvSetting | "valueFrom" | undefined {
  let found: EnvSetting | "valueFrom" | undefined;
  for (const list of lists) {
    for (const item of known(list.items()) ?? []) {
      if (known(item.get("name").string()) !== name) continue;
      const value = item.get("value");
      const text = known(value.string());
      found = text === undefined ? "valueFrom" : { value: text, where: value.where };
    }
  }
  return found;
}
