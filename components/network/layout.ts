// Tags and NAT placement for the network: pure data in, data out.

export type SubnetTier = "public" | "private";
export type NatGatewayMode = "single" | "perZone";

/**
 * Load-balancer subnet discovery (AWS Load Balancer Controller docs, "Subnet auto-discovery"; EKS user guide,
 * "VPC and subnet requirements"): public subnets carry kubernetes.io/role/elb=1, private ones
 * kubernetes.io/role/internal-elb=1, and both kubernetes.io/cluster/<cluster>=shared (the legacy in-tree cloud
 * provider still filters on it; "shared" because the cluster does not own the subnet's lifecycle).
 */
export function subnetTags(
  tier: SubnetTier,
  clusterName: string,
  zoneIndex: number,
  baseTags: Record<string, string>,
): Record<string, string> {
  return {
    ...baseTags,
    Name: `${clusterName}-${tier}-${zoneIndex}`,
    [`kubernetes.io/cluster/${clusterName}`]: "shared",
    [tier === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"]: "1",
  };
}

export function natGatewayCount(mode: NatGatewayMode, zoneCount: number): number {
  return mode === "single" ? 1 : zoneCount;
}

/**
 * Which NAT gateway a zone's private route table uses. "single" saves the hourly NAT charge per extra zone but
 * sends the other zones' egress across zones and loses egress when that zone fails; "perZone" keeps each zone
 * independent (AWS VPC docs, "NAT gateway basics": a NAT gateway is zonal).
 */
export function natGatewayIndexForZone(mode: NatGatewayMode, zoneIndex: number): number {
  return mode === "single" ? 0 : zoneIndex;
}
