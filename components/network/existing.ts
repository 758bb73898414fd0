import * as pulumi from "@pulumi/pulumi";

export interface ExistingNetwork {
  vpcId: string;
  /** Aligned with availabilityZones by index. */
  privateSubnetIds: string[];
}

/** EC2 resource id formats: "vpc-" / "subnet-" followed by 8 or 17 hex digits (EC2 API, "Resource IDs"). */
const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

export function validateExistingNetwork(existing: ExistingNetwork, zoneCount: number): void {
  if (!VPC_ID.test(existing.vpcId)) {
    throw new pulumi.RunError(`existing.vpcId "${existing.vpcId}" is not a VPC id (expected vpc-<8 or 17 hex digits>)`);
  }
  const bad = existing.privateSubnetIds.filter((id) => !SUBNET_ID.test(id));
  if (bad.length > 0) {
    throw new pulumi.RunError(
      `existing.privateSubnetIds contains ${bad.map((b) => `"${b}"`).join(", ")}, which is not a subnet id (expected subnet-<8 or 17 hex digits>)`,
    );
  }
  if (existing.privateSubnetIds.length !== zoneCount) {
    throw new pulumi.RunError(
      `existing.privateSubnetIds has ${existing.privateSubnetIds.length} subnets but availabilityZones has ${zoneCount}; ` +
        `give exactly one private subnet per zone, in the same order`,
    );
  }
  if (new Set(existing.privateSubnetIds).size !== existing.privateSubnetIds.length) {
    throw new pulumi.RunError(`existing.privateSubnetIds lists a subnet twice; each zone needs its own subnet`);
  }
}
