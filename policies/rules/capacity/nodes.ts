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

/** EKS NodeGroup diskSize default 20 GiB (EKS API CreateNodegroup). */
const DEFAULT_DISK_GIB = 20;

export function nodeGroups(stack: StackView): NodeGroupView[] {
    const subnets = stack.ofType(TYPES.subnet);
    return stack.ofType(TYPES.eksNodeGroup).map((group) => {
        const types = (known(group.props.get("instanceTypes").items()) ?? []).map((n) => known(n.string())).filter((t): t is string => !!t);
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
            diskGiB: numberAt(group.props.get("diskSize"), DEFAULT_DISK_GIB),
            allocatable: smallest ? allocatableOf(INSTANCE_SHAPES[smallest]) : undefined,
        };
    });
}
