// The nodes each availability zone can have: the EKS managed node groups, their instance types and scaling limits.
import { StackResource, StackView } from "../../lib/stack";
import { TYPES } from "../../lib/types";
import { subnetsOf } from "../../lib/zones";
import { known } from "../../lib/unknown";
import { allocatableOf, Allocatable, INSTANCE_SHAPES } from "./figures";
import { numberAt } from "./values";

export interface NodeGroupView {
  name: string;
  urn: string;
  zones: string[];
  /** The type the capacity is computed with: the smallest listed (a group may launch any of them). */
  instanceType: string;
  instanceTypes: string[];
  minSize: number;
  desiredSize: number;
  maxSize: number;
  diskGiB: number;
  allocatable?: Allocatable;
}

function subnetZones(group: StackResource, subnets: StackResource[]): string[] {
  const zones = known(subnetsOf(group, subnets)).map((s) => known(s.props.get("availabilityZone").string()));
  return [...new Set(zones.filter((z): z is string => !!z))].sort();
}

/** EKS NodeGroup diskSize default 20 GiB (EKS API CreateNodegroup), also the EKS AMIs' root snapshot size. */
const DEFAULT_DISK_GIB = 20;

/**
 * A node group's root disk: its diskSize, or with a launch template (named or by id) that template's first block
 * device mapping (EKS user guide, "Customize managed nodes with launch templates": the two exclude each other).
 */
export function nodeGroupDiskGiB(group: StackResource, templates: StackResource[]): number {
  const reference = group.props.get("launchTemplate");
  if (!reference.isPresent) return numberAt(group.props.get("diskSize"), DEFAULT_DISK_GIB);
  const name = known(reference.get("name").string());
  const id = known(reference.get("id").string());
  const template = templates.find(
    (t) =>
      (name !== undefined && known(t.props.get("name").string()) === name) ||
      (id !== undefined && known(t.props.get("id").string()) === id),
  );
  const mappings = template ? (known(template.props.get("blockDeviceMappings").items()) ?? []) : [];
  return mappings.length > 0 ? numberAt(mappings[0].get("ebs", "volumeSize"), DEFAULT_DISK_GIB) : DEFAULT_DISK_GIB;
}

export function nodeGroups(stack: StackView): NodeGroupView[] {
  const subnets = stack.ofType(TYPES.subnet);
  const templates = stack.ofType(TYPES.launchTemplate);
  return stack.ofType(TYPES.eksNodeGroup).map((group) => {
    const types = (known(group.props.get("instanceTypes").items()) ?? [])
      .map((n) => known(n.string()))
      .filter((t): t is string => !!t);
    // EKS defaults a node group without instance types to t3.medium (CreateNodegroup instanceTypes).
    const listed = types.length > 0 ? types : ["t3.medium"];
    const sized = listed.filter((t) => INSTANCE_SHAPES[t]);
    const smallest = sized.sort((a, b) => INSTANCE_SHAPES[a].memoryBytes - INSTANCE_SHAPES[b].memoryBytes)[0];
    const scaling = group.props.get("scalingConfig");
    return {
      name: group.name,
      urn: group.urn,
      zones: subnetZones(group, subnets),
      instanceType: smallest ?? listed[0],
      instanceTypes: listed,
      minSize: numberAt(scaling.get("minSize"), 0),
      desiredSize: numberAt(scaling.get("desiredSize"), 0),
      maxSize: numberAt(scaling.get("maxSize"), 0),
      diskGiB: nodeGroupDiskGiB(group, templates),
      allocatable: smallest ? allocatableOf(INSTANCE_SHAPES[smallest]) : undefined,
    };
  });
}
