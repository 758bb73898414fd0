import * as assert from "node:assert/strict";
import {
  CreatedResource,
  RecordingMocks,
  RegistrationLog,
  captureRegistrations,
  installMocks,
  settleMocks,
  valueOf,
} from "../../../tools/harness/mocks";

const SUBNET = "aws:ec2/subnet:Subnet";
const NAT = "aws:ec2/natGateway:NatGateway";
const ROUTE = "aws:ec2/route:Route";
const EIP = "aws:ec2/eip:Eip";

describe("Network component", () => {
  let mocks: RecordingMocks;
  let registrations: RegistrationLog;
  let network: typeof import("../../../components/network");
  let perZone: { privateSubnetIds: string[]; publicSubnetIds: string[]; vpcId: string };
  let single: { privateSubnetIds: string[]; natPublicIps: string[] };
  let existing: { vpcId: string; privateSubnetIds: string[]; publicSubnetIds: string[] };
  let createdBeforeExisting: number;
  let createdAfterExisting: number;

  before(async () => {
    mocks = await installMocks({
      region: "eu-west-1",
      accountId: "123456789012",
      project: "observability-stack",
      stack: "net",
    });
    registrations = captureRegistrations();
    network = await import("../../../components/network");
    const azs = await import("@pulumi/aws").then((aws) => aws.getAvailabilityZonesOutput({ state: "available" }));

    const a = new network.Network("obs", {
      clusterName: "obs",
      vpcCidr: "10.0.0.0/16",
      availabilityZones: [0, 1, 2].map((i) => azs.names[i]),
      natGateways: "perZone",
      tags: { team: "observability" },
      s3EndpointRegion: "eu-west-1",
    });
    const b = new network.Network("tiny", {
      clusterName: "tiny",
      vpcCidr: "10.1.0.0/24",
      availabilityZones: ["eu-west-1a", "eu-west-1b"],
      natGateways: "single",
      tags: {},
    });
    perZone = {
      vpcId: await valueOf(a.vpcId),
      privateSubnetIds: await Promise.all(a.privateSubnetIds.map(valueOf)),
      publicSubnetIds: await Promise.all(a.publicSubnetIds.map(valueOf)),
    };
    single = {
      privateSubnetIds: await Promise.all(b.privateSubnetIds.map(valueOf)),
      natPublicIps: await Promise.all(b.natPublicIps.map(valueOf)),
    };
    await settleMocks();

    createdBeforeExisting = mocks.created.length;
    const c = new network.Network("byo", {
      clusterName: "byo",
      vpcCidr: "10.0.0.0/16",
      availabilityZones: ["eu-west-1a", "eu-west-1b"],
      natGateways: "single",
      existing: {
        vpcId: "vpc-0123456789abcdef0",
        privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
      },
      tags: {},
    });
    existing = {
      vpcId: await valueOf(c.vpcId),
      privateSubnetIds: await Promise.all(c.privateSubnetIds.map(valueOf)),
      publicSubnetIds: await Promise.all(c.publicSubnetIds.map(valueOf)),
    };
    await settleMocks();
    createdAfterExisting = mocks.created.length;
  });

  after(async () => {
    await settleMocks();
    registrations.restore();
  });

  const byId = (type: string, id: string): CreatedResource => {
    const found = mocks.findAllCreated(type).find((r) => r.id === id);
    assert.ok(found, `no ${type} with id ${id}`);
    return found;
  };

  it("creates a VPC with DNS hostnames and support on and the requested range", () => {
    const vpc = mocks.findCreated("aws:ec2/vpc:Vpc", "obs-vpc");
    assert.equal(vpc.inputs.cidrBlock, "10.0.0.0/16");
    assert.equal(vpc.inputs.enableDnsHostnames, true);
    assert.equal(vpc.inputs.enableDnsSupport, true);
    assert.equal(vpc.inputs.tags.team, "observability");
    assert.equal(perZone.vpcId, vpc.id);
  });

  it("puts one public and one private subnet in each zone, in zone order, with the planned CIDRs", () => {
    const plan = network.planSubnetCidrs("10.0.0.0/16", 3);
    ["eu-west-1a", "eu-west-1b", "eu-west-1c"].forEach((az, i) => {
      const priv = byId(SUBNET, perZone.privateSubnetIds[i]);
      const pub = byId(SUBNET, perZone.publicSubnetIds[i]);
      assert.equal(priv.inputs.availabilityZone, az);
      assert.equal(pub.inputs.availabilityZone, az);
      assert.equal(priv.inputs.cidrBlock, plan.private[i]);
      assert.equal(pub.inputs.cidrBlock, plan.public[i]);
      assert.equal(priv.inputs.mapPublicIpOnLaunch, false);
    });
  });

  it("tags subnets for load-balancer discovery", () => {
    for (const id of perZone.publicSubnetIds) {
      const tags = byId(SUBNET, id).inputs.tags;
      assert.equal(tags["kubernetes.io/role/elb"], "1");
      assert.equal(tags["kubernetes.io/cluster/obs"], "shared");
    }
    for (const id of perZone.privateSubnetIds) {
      const tags = byId(SUBNET, id).inputs.tags;
      assert.equal(tags["kubernetes.io/role/internal-elb"], "1");
      assert.equal(tags["kubernetes.io/cluster/obs"], "shared");
    }
  });

  it("routes public subnets to the internet gateway", () => {
    const igw = mocks.findCreated("aws:ec2/internetGateway:InternetGateway", "obs-igw");
    const table = mocks.findCreated("aws:ec2/routeTable:RouteTable", "obs-public");
    const route = mocks.findCreated(ROUTE, "obs-public-internet");
    assert.equal(route.inputs.gatewayId, igw.id);
    assert.equal(route.inputs.routeTableId, table.id);
    assert.equal(route.inputs.destinationCidrBlock, "0.0.0.0/0");
    const associated = mocks
      .findAllCreated("aws:ec2/routeTableAssociation:RouteTableAssociation")
      .filter((a) => a.inputs.routeTableId === table.id)
      .map((a) => a.inputs.subnetId)
      .sort();
    assert.deepEqual(associated, [...perZone.publicSubnetIds].sort());
  });

  it("perZone: each private subnet leaves through a NAT gateway with an EIP in its own zone's public subnet", () => {
    assert.equal(mocks.findAllCreated(NAT).filter((n) => n.name.startsWith("obs-")).length, 3);
    perZone.privateSubnetIds.forEach((subnetId, i) => {
      const association = mocks
        .findAllCreated("aws:ec2/routeTableAssociation:RouteTableAssociation")
        .find((a) => a.inputs.subnetId === subnetId);
      assert.ok(association, `private subnet ${i} has no route table`);
      const route = mocks.findAllCreated(ROUTE).find((r) => r.inputs.routeTableId === association.inputs.routeTableId);
      assert.ok(route, `private route table ${i} has no default route`);
      assert.equal(route.inputs.destinationCidrBlock, "0.0.0.0/0");
      const nat = byId(NAT, route.inputs.natGatewayId);
      assert.equal(nat.inputs.subnetId, perZone.publicSubnetIds[i], `zone ${i} uses another zone's NAT`);
      assert.ok(byId(EIP, nat.inputs.allocationId), "NAT gateway without EIP");
    });
  });

  it("single: one NAT gateway and EIP shared by every private subnet", () => {
    const nats = mocks.findAllCreated(NAT).filter((n) => n.name.startsWith("tiny-"));
    assert.equal(nats.length, 1);
    assert.equal(mocks.findAllCreated(EIP).filter((n) => n.name.startsWith("tiny-")).length, 1);
    const routes = mocks.findAllCreated(ROUTE).filter((r) => r.name.startsWith("tiny-private-"));
    assert.equal(routes.length, 2);
    for (const route of routes) assert.equal(route.inputs.natGatewayId, nats[0].id);
    assert.equal(single.privateSubnetIds.length, 2);
    assert.match(single.natPublicIps[0], /^\d+\.\d+\.\d+\.\d+$/);
  });

  it("creates NAT gateways and their EIPs only after the internet gateway", () => {
    const igw = registrations.find("aws:ec2/internetGateway:InternetGateway", "obs-igw");
    for (const i of [0, 1, 2]) {
      assert.ok(registrations.dependsOn(registrations.find(NAT, `obs-nat-${i}`), igw));
      assert.ok(registrations.dependsOn(registrations.find(EIP, `obs-nat-${i}`), igw));
    }
  });

  it("parents every resource to the component", () => {
    const own = registrations.requests.filter((r) => r.name.startsWith("obs-"));
    assert.ok(own.length > 20);
    for (const r of own) assert.match(r.parent, /observability:network:Network::obs$/, `${r.type} ${r.name}`);
  });

  it("existing network: exposes the given ids and creates nothing but the component", () => {
    assert.equal(existing.vpcId, "vpc-0123456789abcdef0");
    assert.deepEqual(existing.privateSubnetIds, ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]);
    assert.deepEqual(existing.publicSubnetIds, []);
    const added = mocks.created.slice(createdBeforeExisting, createdAfterExisting);
    assert.deepEqual(
      added.map((r) => r.type),
      ["observability:network:Network"],
    );
  });

  it("rejects a VPC too small for its subnets before creating anything in it", () => {
    const before = mocks.findAllCreated("aws:ec2/vpc:Vpc").length;
    assert.throws(
      () =>
        new network.Network("small", {
          clusterName: "small",
          vpcCidr: "10.0.0.0/28",
          availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
          natGateways: "single",
          tags: {},
        }),
      /vpcCidr "10\.0\.0\.0\/28" is too small for 6 subnets/,
    );
    assert.equal(mocks.findAllCreated("aws:ec2/vpc:Vpc").length, before);
  });

  it("rejects an existing network whose subnets do not match the zones", () => {
    assert.throws(
      () =>
        new network.Network("mismatch", {
          clusterName: "mismatch",
          vpcCidr: "10.0.0.0/16",
          availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
          natGateways: "single",
          existing: { vpcId: "vpc-0123456789abcdef0", privateSubnetIds: ["subnet-0123456789abcdef0"] },
          tags: {},
        }),
      /existing\.privateSubnetIds has 1 subnets but availabilityZones has 3/,
    );
  });

  it("routes S3 through a free gateway endpoint on every private route table, only when asked", () => {
    const endpoints = mocks.created.filter((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint");
    assert.deepEqual(
      endpoints.map((e) => e.name),
      ["obs-s3"],
    );
    assert.equal(endpoints[0].inputs.serviceName, "com.amazonaws.eu-west-1.s3");
    assert.equal(endpoints[0].inputs.vpcEndpointType, "Gateway");
    const privateTables = mocks.created.filter(
      (r) => r.type === "aws:ec2/routeTable:RouteTable" && /^obs-private-\d$/.test(r.name),
    );
    assert.deepEqual([...endpoints[0].inputs.routeTableIds].sort(), privateTables.map((t) => t.id).sort());
  });
});
