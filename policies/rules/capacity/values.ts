// Reading Kubernetes quantities and placement out of Helm values and custom resource specs, for the capacity model.
// A value unknown during preview throws Inconclusive (lib/unknown `known`), which stackRule records as inconclusive.
import { parseQuantityBytes } from "../../lib/bytes";
import { PolicyInputError, PropNode } from "../../lib/node";
import { known } from "../../lib/unknown";
import { ZONE_LABEL } from "../../lib/zones";

/** CPU quantity in millicores ("250m", "2", 1.5); undefined when absent. Kubernetes "Resource units in Kubernetes". */
export function cpuMillis(node: PropNode): number | undefined {
  const raw = known(node.raw());
  if (raw === undefined || raw === null || raw === "") return undefined;
  if (typeof raw === "number" && Number.isFinite(raw)) return raw * 1000;
  if (typeof raw === "string") {
    const match = /^\s*(\d+(?:\.\d+)?)(m?)\s*$/.exec(raw);
    if (match) return match[2] === "m" ? Number(match[1]) : Number(match[1]) * 1000;
  }
  throw new PolicyInputError(
    `${node.where}=${JSON.stringify(raw)} is not a CPU quantity such as 500m or 2.`,
    node.owner.urn,
  );
}

/** Memory or storage quantity in bytes ("512Mi", "10Gi"); undefined when absent. */
export function quantityBytes(node: PropNode): number | undefined {
  const raw = known(node.raw());
  if (raw === undefined || raw === null || raw === "") return undefined;
  const bytes = typeof raw === "string" || typeof raw === "number" ? parseQuantityBytes(raw) : undefined;
  if (bytes === undefined)
    throw new PolicyInputError(
      `${node.where}=${JSON.stringify(raw)} is not a quantity such as 512Mi or 10Gi.`,
      node.owner.urn,
    );
  return bytes;
}

export function numberAt(node: PropNode, fallback: number): number {
  const value = known(node.number());
  return value === undefined ? fallback : value;
}

export function booleanAt(node: PropNode, fallback: boolean): boolean {
  const value = known(node.boolean());
  return value === undefined ? fallback : value;
}

export interface Requests {
  cpuMillis: number;
  memoryBytes: number;
  /** Where the figures come from: the values path, or the chart default that applies. */
  from: string;
}

/**
 * `resources.requests` of a container. When a request is absent Kubernetes uses the limit as the request
 * (Kubernetes "Resource Management for Pods and Containers"); when both are absent the chart default applies.
 */
export function requestsAt(
  resources: PropNode,
  chartDefault: { cpuMillis: number; memoryBytes: number; from: string },
): Requests {
  const raw = known(resources.raw());
  if (raw === undefined || raw === null || (typeof raw === "object" && Object.keys(raw).length === 0))
    return { ...chartDefault };
  const cpu = cpuMillis(resources.get("requests", "cpu")) ?? cpuMillis(resources.get("limits", "cpu"));
  const memory = quantityBytes(resources.get("requests", "memory")) ?? quantityBytes(resources.get("limits", "memory"));
  return { cpuMillis: cpu ?? 0, memoryBytes: memory ?? 0, from: resources.where };
}

/**
 * Zones a pod may run in, from a nodeSelector on the zone label or a required node affinity `In` the zone label;
 * undefined when nothing restricts it.
 */
export function allowedZones(nodeSelector: PropNode, affinity: PropNode): string[] | undefined {
  const pinned = known(nodeSelector.get(ZONE_LABEL).string());
  if (pinned) return [pinned];
  const terms =
    known(affinity.at("nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms").items()) ?? [];
  const zones = new Set<string>();
  for (const term of terms) {
    for (const expression of known(term.get("matchExpressions").items()) ?? []) {
      if (known(expression.get("key").string()) !== ZONE_LABEL || known(expression.get("operator").string()) !== "In")
        continue;
      for (const value of known(expression.get("values").items()) ?? []) {
        const zone = known(value.string());
        if (zone) zones.add(zone);
      }
    }
  }
  return zones.size > 0 ? [...zones].sort() : undefined;
}
