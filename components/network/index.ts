import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { planSubnetCidrs } from "./cidr";
import { ExistingNetwork, validateExistingNetwork } from "./existing";
import { NatGatewayMode, natGatewayCount, natGatewayIndexForZone, subnetTags } from "./layout";

export { planSubnetCidrs, parseIpv4Cidr, formatIpv4Cidr, cidrContains, cidrsOverlap } from "./cidr";
export { subnetTags, natGatewayCount, natGatewayIndexForZone } from "./layout";
export type { NatGatewayMode, SubnetTier } from "./layout";
export { validateExistingNetwork } from "./existing";
export type { ExistingNetwork } from "./existing";

export interface NetworkArgs {
  /** For the kubernetes.io/cluster/<name> discovery tags. */
  clusterName: string;
  /** e.g. "10.0.0.0/16". */
  vpcCidr: string;
  /** Resolved AZ names, 2 or 3 (may be outputs of aws.getAvailabilityZonesOutput). */
  availabilityZones: pulumi.Input<string>[];
  natGateways: NatGatewayMode;
  /** Use this VPC and these private subnets (index-aligned with availabilityZones) and create nothing. */
  existing?: ExistingNetwork;
  tags: Record<string, string>;
  /**
   * When set, an S3 gateway endpoint in this region serves the private subnets: Mimir's and Loki's object traffic
   * then bypasses the NAT gateways (no NAT data charge; gateway endpoints are free, AWS VPC pricing).
   */
  s3EndpointRegion?: string;
}

export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  /** Index-aligned with availabilityZones. */
  public readonly privateSubnetIds: pulumi.Output<string>[];
  /** Index-aligned with availabilityZones; empty for an existing network (only its private subnets are known). */
  public readonly publicSubnetIds: pulumi.Output<string>[];
  /** Public addresses the private subnets reach the internet from (one per NAT gateway); empty for an existing network. */
  public readonly natPublicIps: pulumi.Output<string>[];
  /** Routes out of the private subnets: nodes pull images through them, so node groups wait for these. */
  public readonly egressReady: pulumi.Resource[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:network:Network", name, {}, opts);
    const zoneCount = args.availabilityZones.length;
    if (!args.clusterName) {
      throw new pulumi.ResourceError(
        `clusterName must be non-empty: it names the kubernetes.io/cluster/<name> tag`,
        this,
      );
    }

    if (args.existing) {
      validateExistingNetwork(args.existing, zoneCount);
      this.vpcId = pulumi.output(args.existing.vpcId);
      this.privateSubnetIds = args.existing.privateSubnetIds.map((id) => pulumi.output(id));
      this.publicSubnetIds = [];
      this.natPublicIps = [];
      this.egressReady = [];
      this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds });
      return;
    }

    const plan = planSubnetCidrs(args.vpcCidr, zoneCount);
    const child = { parent: this };
    const named = (suffix: string) => ({ ...args.tags, Name: `${args.clusterName}-${suffix}` });

    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.vpcCidr,
        // EKS requires both for private endpoint resolution and node registration (EKS user guide, "VPC requirements").
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: named("vpc"),
      },
      child,
    );

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: named("igw") }, child);

    const publicSubnets = args.availabilityZones.map(
      (az, i) =>
        new aws.ec2.Subnet(
          `${name}-public-${i}`,
          {
            vpcId: vpc.id,
            availabilityZone: az,
            cidrBlock: plan.public[i],
            // Nothing launched here needs an automatic public address: NAT gateways use EIPs, load balancers their own.
            mapPublicIpOnLaunch: false,
            tags: subnetTags("public", args.clusterName, i, args.tags),
          },
          child,
        ),
    );

    const privateSubnets = args.availabilityZones.map(
      (az, i) =>
        new aws.ec2.Subnet(
          `${name}-private-${i}`,
          {
            vpcId: vpc.id,
            availabilityZone: az,
            cidrBlock: plan.private[i],
            mapPublicIpOnLaunch: false,
            tags: subnetTags("private", args.clusterName, i, args.tags),
          },
          child,
        ),
    );

    const publicRouteTable = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, tags: named("public") }, child);
    new aws.ec2.Route(
      `${name}-public-internet`,
      {
        routeTableId: publicRouteTable.id,
        destinationCidrBlock: "0.0.0.0/0",
        gatewayId: igw.id,
      },
      child,
    );
    publicSubnets.forEach(
      (subnet, i) =>
        new aws.ec2.RouteTableAssociation(
          `${name}-public-${i}`,
          {
            subnetId: subnet.id,
            routeTableId: publicRouteTable.id,
          },
          child,
        ),
    );

    const natGateways = Array.from({ length: natGatewayCount(args.natGateways, zoneCount) }, (_, i) => {
      const eip = new aws.ec2.Eip(
        `${name}-nat-${i}`,
        { domain: "vpc", tags: named(`nat-${i}`) },
        { parent: this, dependsOn: [igw] },
      );
      // A public NAT gateway needs the internet gateway attached first (AWS VPC docs, "NAT gateways").
      const nat = new aws.ec2.NatGateway(
        `${name}-nat-${i}`,
        {
          allocationId: eip.id,
          subnetId: publicSubnets[i].id,
          connectivityType: "public",
          tags: named(`nat-${i}`),
        },
        { parent: this, dependsOn: [igw] },
      );
      return { eip, nat };
    });

    const egress: pulumi.Resource[] = [];
    const privateTables = privateSubnets.map((subnet, i) => {
      const table = new aws.ec2.RouteTable(
        `${name}-private-${i}`,
        { vpcId: vpc.id, tags: named(`private-${i}`) },
        child,
      );
      egress.push(
        new aws.ec2.Route(
          `${name}-private-${i}-nat`,
          {
            routeTableId: table.id,
            destinationCidrBlock: "0.0.0.0/0",
            natGatewayId: natGateways[natGatewayIndexForZone(args.natGateways, i)].nat.id,
          },
          child,
        ),
      );
      egress.push(
        new aws.ec2.RouteTableAssociation(
          `${name}-private-${i}`,
          { subnetId: subnet.id, routeTableId: table.id },
          child,
        ),
      );
      return table;
    });
    if (args.s3EndpointRegion) {
      // Gateway endpoints add a prefix-list route to each table (AWS PrivateLink docs, "Gateway endpoints for S3").
      egress.push(
        new aws.ec2.VpcEndpoint(
          `${name}-s3`,
          {
            vpcId: vpc.id,
            serviceName: `com.amazonaws.${args.s3EndpointRegion}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: privateTables.map((t) => t.id),
            tags: named("s3"),
          },
          child,
        ),
      );
    }
    this.egressReady = egress;

    this.vpcId = vpc.id;
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.natPublicIps = natGateways.map((n) => n.eip.publicIp);
    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      publicSubnetIds: this.publicSubnetIds,
      natPublicIps: this.natPublicIps,
    });
  }
}
