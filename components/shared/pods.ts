import * as pulumi from "@pulumi/pulumi";
import type { ComponentSize } from "../../settings";
import { cpu, mebibytes } from "../../settings/derive/quantities";

/** IRSA: the EKS pod identity webhook reads the role from this service-account annotation (EKS user guide, IRSA). */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

/** A container's resources from a sized component, in the Kubernetes shape every chart here takes. */
export function podResources(size: Pick<ComponentSize, "cpuMillis" | "memoryMiB" | "memoryLimitMiB">): { requests: { cpu: string; memory: string }; limits: { memory: string } } {
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
