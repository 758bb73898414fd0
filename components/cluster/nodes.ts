// Managed node group settings derived from the node group spec.
import * as pulumi from "@pulumi/pulumi";
import { EBS_GP3_MAX_GIB } from "../../policies/rules/capacity/figures";

export interface NodeGroupSpec {
  instanceTypes: string[];
  minSize: number;
  maxSize: number;
  desiredSize: number;
  diskSizeGiB?: number;
}

/**
 * The EKS-optimized AMIs' root snapshot is 20 GiB, which is also the EKS default disk size (EKS API,
 * CreateNodegroup diskSize); a volume cannot be smaller than its snapshot. 16 TiB is the gp2/gp3 maximum.
 */
export const MIN_DISK_GIB = 20;
export const MAX_DISK_GIB = EBS_GP3_MAX_GIB;
/** The root volume when the spec sets none: the AMI's snapshot size, as EKS would give it. */
export const DEFAULT_NODE_DISK_GIB = MIN_DISK_GIB;

/** The nodes' launch template: one per cluster (EC2 launch template names are unique per account and region). */
export function nodeLaunchTemplateName(clusterName: string): string {
  return `${clusterName}-nodes`;
}

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

export function validateNodeGroupSpec(spec: NodeGroupSpec): void {
  const key = "nodeGroup";
  if (spec.instanceTypes.length === 0)
    throw new pulumi.RunError(`${key}.instanceTypes is empty; give at least one, e.g. "m6i.xlarge"`);
  for (const type of spec.instanceTypes) {
    if (!INSTANCE_TYPE.test(type))
      throw new pulumi.RunError(
        `${key}.instanceTypes contains "${type}", which is not an EC2 instance type like "m6i.xlarge"`,
      );
  }
  for (const field of ["minSize", "maxSize", "desiredSize"] as const) {
    if (!Number.isInteger(spec[field]) || spec[field] < 0) {
      throw new pulumi.RunError(`${key}.${field} is ${spec[field]}; it must be a whole number >= 0`);
    }
  }
  // EKS NodegroupScalingConfig: maxSize >= 1, minSize <= desiredSize <= maxSize.
  if (spec.maxSize < 1) throw new pulumi.RunError(`${key}.maxSize is ${spec.maxSize}; EKS requires at least 1`);
  if (spec.minSize > spec.desiredSize || spec.desiredSize > spec.maxSize) {
    throw new pulumi.RunError(
      `${key} sizes must satisfy minSize <= desiredSize <= maxSize (got ${spec.minSize} <= ${spec.desiredSize} <= ${spec.maxSize})`,
    );
  }
  if (
    spec.diskSizeGiB !== undefined &&
    (!Number.isInteger(spec.diskSizeGiB) || spec.diskSizeGiB < MIN_DISK_GIB || spec.diskSizeGiB > MAX_DISK_GIB)
  ) {
    throw new pulumi.RunError(
      `${key}.diskSizeGiB is ${spec.diskSizeGiB}; it must be a whole number from ${MIN_DISK_GIB} to ${MAX_DISK_GIB}`,
    );
  }
}

/**
 * Graviton families carry a "g" right after the generation digit (m6g, c7gn, r8gd, t4g, im4gn, x2gd, hpc7g),
 * plus the first-generation a1 (EC2 docs, "Instance type naming conventions").
 */
export function isArmInstanceType(instanceType: string): boolean {
  const family = instanceType.split(".")[0];
  return family === "a1" || /^[a-z]+\d+g/.test(family);
}

/**
 * One AMI per node group, so all its instance types must share an architecture. Amazon Linux 2023 AMIs: EKS
 * stopped publishing AL2 AMIs from Kubernetes 1.33 (EKS user guide, "AMI types").
 */
export function amiTypeFor(instanceTypes: string[]): "AL2023_ARM_64_STANDARD" | "AL2023_x86_64_STANDARD" {
  const arm = instanceTypes.filter(isArmInstanceType);
  if (arm.length > 0 && arm.length < instanceTypes.length) {
    throw new pulumi.RunError(
      `nodeGroup.instanceTypes mixes arm64 (${arm.join(", ")}) and x86_64 (${instanceTypes.filter((t) => !arm.includes(t)).join(", ")}) types; ` +
        `a node group runs one AMI, so use one architecture`,
    );
  }
  return arm.length > 0 ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

export const NODE_POOL_LABEL = "observability/node-pool";

/** The zone label topology.kubernetes.io/zone is set by the kubelet; this only names the pool. */
export function nodeGroupLabels(zoneIndex: number): Record<string, string> {
  return { [NODE_POOL_LABEL]: "workload", "observability/zone-index": String(zoneIndex) };
}
