import * as pulumi from "@pulumi/pulumi";
import type { ComponentSize } from "../../settings";
import { cpu, mebibytes } from "../../settings/derive/quantities";
import { ZONE_LABEL } from "./labels";

/** IRSA: the EKS pod identity webhook reads the role from this service-account annotation (EKS user guide, IRSA). */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

/** A container's resources from a sized component, in the Kubernetes shape every chart here takes. */
export function podResources(size: Pick<ComponentSize, "cpuMillis" | "memoryMiB" | "memoryLimitMiB">): {
  requests: { cpu: string; memory: string };
  limits: { memory: string };
} {
  return {
    requests: { cpu: cpu(size.cpuMillis), memory: mebibytes(size.memoryMiB) },
    // No CPU limit: throttling Go runtimes hurts latency; memory is limited so an OOM stays inside the pod.
    limits: { memory: mebibytes(size.memoryLimitMiB) },
  };
}

/** Pure builders throw plain errors naming the setting at fault; surface them as errors of `resource`. */
export function asResourceError<T>(resource: pulumi.Resource, build: () => T): T {
  try {
    return build();
  } catch (e) {
    throw new pulumi.ResourceError((e as Error).message, resource);
  }
}

/** A pod topology spread constraint as the charts take it (Kubernetes TopologySpreadConstraint). */
export type SpreadConstraint = Record<string, unknown>;

/** One pod per node where it can (the charts' own default, kept beside the zone spread). */
export const HOSTNAME_SPREAD: SpreadConstraint = {
  maxSkew: 1,
  topologyKey: "kubernetes.io/hostname",
  whenUnsatisfiable: "ScheduleAnyway",
};

/**
 * Replicas of a stateless component spread over the AWS zones, so losing one zone leaves the others' replicas
 * serving while the lost ones are rescheduled (Kubernetes docs, "Pod Topology Spread Constraints"):
 * - DoNotSchedule with maxSkew 1: no zone holds two more than another, required rather than preferred;
 * - nodeTaintsPolicy Honor: nodes of a lost zone carry node.kubernetes.io/unreachable:NoSchedule (node lifecycle
 *   controller, "Taint based evictions") which these pods do not tolerate, so that zone stops counting and the
 *   replacements schedule in the zones left instead of waiting for it;
 * - matchLabelKeys pod-template-hash: a rolling update's new ReplicaSet is spread on its own, not against the old one
 *   (keys a pod lacks, as on StatefulSets, are ignored).
 */
export function zoneSpread(labelSelector?: Record<string, unknown>): SpreadConstraint {
  return {
    maxSkew: 1,
    topologyKey: ZONE_LABEL,
    whenUnsatisfiable: "DoNotSchedule",
    nodeTaintsPolicy: "Honor",
    matchLabelKeys: ["pod-template-hash"],
    ...(labelSelector ? { labelSelector } : {}),
  };
}
