// C9 (HARD): every subnet a node group launches into must hold the VPC addresses its nodes take at maxSize.
// - The Amazon VPC CNI gives every pod a VPC address from the node's subnet, from secondary IPs on the node's ENIs; the
//   kubelet admits ENIs x (IPs per ENI - 1) + 2 pods (aws/amazon-vpc-cni-k8s README, --max-pods), so a node at that
//   density holds every address of every ENI it may attach: ENIs x IPs per ENI (INSTANCE_SHAPES, EC2 "IP addresses
//   per network interface per instance type"). Even an empty node holds two ENIs' worth: WARM_ENI_TARGET=1 (the
//   default) keeps "a full ENI" of free addresses beside the primary one (aws/amazon-vpc-cni-k8s docs/eni-and-ip-target.md).
// - A subnet has 2^(32 - prefix) addresses, of which AWS reserves 5 (the first four and the last: AWS VPC user guide,
//   "Subnet CIDR blocks").
// - A node group's maxSize spreads over its subnets (the Auto Scaling group balances its AZs): ceil(maxSize / subnets)
//   nodes per subnet; several node groups in one subnet add up. With the largest instance type a group lists.
// When the subnet is short, pods stay ContainerCreating ("failed to assign an IP address to container") and new nodes
// cannot attach ENIs. Two figures per node at maxSize: the two ENIs' worth every node holds from its start (the primary
// ENI's addresses and the warm ENI: a certain floor, mandatory) and all its ENIs' addresses (a node full of pods: the
// most it can take, advisory, since the pods may never fill every node). Not counted: the EKS control plane's ENIs,
// load balancers, interface endpoints, the surge nodes of a managed node group update. Not modelled (the check stands
// aside): prefix delegation, WARM_IP_TARGET / MINIMUM_IP_TARGET, and custom networking
// (AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: pods take addresses from ENIConfig subnets, not the node's) in the vpc-cni
// add-on's configuration.
import { cidrAddresses } from "../../lib/ipv4-coverage";
import { stackRule } from "../../lib/policy";
import { StackResource } from "../../lib/stack";
import { TYPES } from "../../lib/types";
import { isUnknown, known } from "../../lib/unknown";
import { subnetsOf } from "../../lib/zones";
import { INSTANCE_SHAPES } from "./figures";
import { numberAt } from "./values";

/** The first four addresses and the last of every subnet (AWS VPC user guide, "Subnet CIDR blocks"). */
export const AWS_RESERVED_ADDRESSES_PER_SUBNET = 5;

/** vpc-cni settings that change how many addresses a node holds (aws/amazon-vpc-cni-k8s README, environment variables). */
const UNMODELLED_CNI_SETTINGS =
  /ENABLE_PREFIX_DELEGATION|WARM_IP_TARGET|MINIMUM_IP_TARGET|WARM_PREFIX_TARGET|AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG/;

/** ENIs every node holds from its start: the primary and, with WARM_ENI_TARGET=1 (the default), one warm ENI. */
const ENIS_HELD_BY_EVERY_NODE = 2;

interface Demand {
  nodes: number;
  /** Addresses the nodes hold from their start (two ENIs' worth each). */
  floor: number;
  /** Addresses the nodes take full of pods (every ENI's). */
  addresses: number;
  parts: string[];
}

export const subnetsHoldNodeAddresses = stackRule<object>(
  {
    name: "subnets-hold-node-addresses",
    rule: "C9",
    description:
      "Every node group subnet must hold the VPC addresses its nodes take at maxSize (VPC CNI: ENIs x IPs per ENI per node, 5 addresses reserved per subnet)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Give the node subnets more addresses (network.vpcCidr: the program gives each zone's private subnet a quarter of the VPC; /16 gives 16,379 addresses per zone), " +
      "or lower cluster.nodeGroups.maxSize or the instance size.",
    url: "https://github.com/aws/amazon-vpc-cni-k8s/blob/master/docs/eni-and-ip-target.md; https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html",
    tags: ["capacity", "network"],
  },
  (stack, ctx) => {
    const cni = stack.ofType("aws:eks/addon:Addon").find((a) => known(a.props.get("addonName").string()) === "vpc-cni");
    const cniConfig = cni ? cni.props.get("configurationValues").string() : undefined;
    if (isUnknown(cniConfig)) {
      ctx.inconclusive(cniConfig);
      return;
    }
    if (cniConfig && UNMODELLED_CNI_SETTINGS.test(cniConfig)) return;
    const subnets = stack.ofType(TYPES.subnet);
    const demand = new Map<StackResource, Demand>();
    for (const group of stack.ofType(TYPES.eksNodeGroup)) {
      const groupSubnets = subnetsOf(group, subnets);
      if (isUnknown(groupSubnets)) {
        ctx.inconclusive(groupSubnets);
        continue;
      }
      if (groupSubnets.length === 0) continue;
      const types = (known(group.props.get("instanceTypes").items()) ?? []).map((n) => known(n.string()));
      const listed = types.length > 0 ? types : ["t3.medium"]; // EKS's default type (CreateNodegroup instanceTypes)
      const shapes = listed.map((t) => (t ? INSTANCE_SHAPES[t] : undefined));
      if (shapes.some((s) => s === undefined)) continue; // a type the model does not know: not judged
      const widest = listed
        .map((type, i) => ({ type: type!, shape: shapes[i]! }))
        .sort((a, b) => b.shape.enis * b.shape.ipv4PerEni - a.shape.enis * a.shape.ipv4PerEni)[0];
      const maxSizeNode = group.props.get("scalingConfig").get("maxSize");
      const maxSize = numberAt(maxSizeNode, 0);
      const nodes = Math.ceil(maxSize / groupSubnets.length);
      const perNode = widest.shape.enis * widest.shape.ipv4PerEni;
      for (const subnet of groupSubnets) {
        const entry = demand.get(subnet) ?? { nodes: 0, floor: 0, addresses: 0, parts: [] };
        entry.nodes += nodes;
        entry.floor += nodes * Math.min(ENIS_HELD_BY_EVERY_NODE, widest.shape.enis) * widest.shape.ipv4PerEni;
        entry.addresses += nodes * perNode;
        entry.parts.push(
          `${maxSizeNode.where}=${maxSize} over ${groupSubnets.length} subnet(s) = ${nodes} node(s) of ${widest.type} ` +
            `x ${widest.shape.enis} ENIs x ${widest.shape.ipv4PerEni} addresses = ${(nodes * perNode).toLocaleString("en-US")}`,
        );
        demand.set(subnet, entry);
      }
    }
    for (const [subnet, need] of demand) {
      const cidrNode = subnet.props.get("cidrBlock");
      const cidr = cidrNode.string();
      if (isUnknown(cidr)) {
        ctx.inconclusive(cidr);
        continue;
      }
      if (!cidr) continue;
      const size = cidrAddresses(cidr);
      if (size === undefined) continue; // not an IPv4 block: another rule's business
      const usable = size - AWS_RESERVED_ADDRESSES_PER_SUBNET;
      if (usable >= need.addresses) continue;
      const certain = usable < need.floor;
      const report = certain ? ctx.violation.bind(ctx) : ctx.advisory.bind(ctx);
      report(
        `${cidrNode.where}=${cidr} has ${usable.toLocaleString("en-US")} usable addresses (${size.toLocaleString("en-US")} less the ${AWS_RESERVED_ADDRESSES_PER_SUBNET} AWS reserves) ` +
          (certain
            ? `but its nodes hold ${need.floor.toLocaleString("en-US")} from their start (two ENIs' worth each: the primary and the warm one) and take up to ${need.addresses.toLocaleString("en-US")} full of pods`
            : `and its nodes hold ${need.floor.toLocaleString("en-US")} from their start but take up to ${need.addresses.toLocaleString("en-US")} full of pods`) +
          `: ${need.parts.join("; ")}. The VPC CNI gives every pod a VPC address and a node ` +
          `admits ENIs x (addresses per ENI - 1) + 2 pods, so a full node holds all its ENIs' addresses (even an empty one keeps a spare ENI, WARM_ENI_TARGET=1): ` +
          `pods stay ContainerCreating ("failed to assign an IP address to container") and new nodes cannot attach ENIs. ` +
          `Fix: give the node subnets more addresses (a larger network.vpcCidr; /16 gives each zone a /18 of 16,379), or lower maxSize or the instance size.`,
        subnet.urn,
      );
    }
  },
);
