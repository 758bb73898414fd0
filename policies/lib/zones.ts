// Availability zones the cluster's nodes can run in: the zones of the subnets of the EKS node groups.
import { Maybe, Sourced } from "./node";
import { StackResource, StackView } from "./stack";
import { TYPES } from "./types";
import { isUnknown } from "./unknown";

/** Node label carrying a node's availability zone (Kubernetes well-known labels: topology.kubernetes.io/zone). */
export const ZONE_LABEL = "topology.kubernetes.io/zone";

/** The subnets a node group launches into: by property dependency, else by the subnet ids it lists. */
export function subnetsOf(nodeGroup: StackResource, subnets: StackResource[]): Maybe<StackResource[]> {
  const byDependency = (nodeGroup.propertyDependencyUrns.subnetIds ?? [])
    .map((urn) => subnets.find((s) => s.urn === urn))
    .filter((s): s is StackResource => s !== undefined);
  if (byDependency.length > 0) return byDependency;
  const ids = nodeGroup.props.get("subnetIds").items();
  if (isUnknown(ids)) return ids;
  const found: StackResource[] = [];
  for (const idNode of ids ?? []) {
    const id = idNode.string();
    if (isUnknown(id)) return id;
    const subnet = subnets.find((s) => s.props.get("id").raw() === id);
    if (subnet) found.push(subnet);
  }
  return found;
}

/** Distinct availability zones of the node groups' subnets; undefined when the stack has no node group. */
export function nodeAvailabilityZones(stack: StackView): Maybe<Sourced<string[]>> | undefined {
  const nodeGroups = stack.ofType(TYPES.eksNodeGroup);
  if (nodeGroups.length === 0) return undefined;
  const subnets = stack.ofType(TYPES.subnet);
  const zones = new Set<string>();
  const described: string[] = [];
  for (const nodeGroup of nodeGroups) {
    const groupSubnets = subnetsOf(nodeGroup, subnets);
    if (isUnknown(groupSubnets)) return groupSubnets;
    const groupZones: string[] = [];
    for (const subnet of groupSubnets) {
      const az = subnet.props.get("availabilityZone").string();
      if (isUnknown(az)) return az;
      if (az) {
        zones.add(az);
        groupZones.push(az);
      }
    }
    described.push(
      `NodeGroup "${nodeGroup.name}" subnets in ${groupZones.length ? [...new Set(groupZones)].sort().join(", ") : "no known zone"}`,
    );
  }
  return { value: [...zones].sort(), where: described.join("; ") };
}
