import { strict as assert } from "assert";
import { zoneLossSurvived } from "../../../policies/rules/capacity/zone-loss-survived";
import { compliantStack, mutate, mutateValues, retag, without } from "../support/fixture";
import { ResourceRecord, runStackPolicy } from "../support/harness";

const AZS = ["us-east-1a", "us-east-1b", "us-east-1c"];

/**
 * The network as components/network builds it: a public subnet, NAT gateway and private route table per AZ, each
 * private subnet's 0.0.0.0/0 route to NAT gateway `natFor(i)` (0 for every zone: network.natGateways single).
 */
function withNat(records: ResourceRecord[], natFor: (zone: number) => number): ResourceRecord[] {
  const zones = ["a", "b", "c"];
  const natCount = Math.max(...zones.map((_, i) => natFor(i))) + 1;
  const added: ResourceRecord[] = [];
  zones.forEach((z, i) =>
    added.push({
      type: "aws:ec2/subnet:Subnet",
      name: `subnet-public-zone-${z}`,
      props: { availabilityZone: AZS[i], cidrBlock: `10.0.${192 + i * 16}.0/20` },
    }),
  );
  for (let n = 0; n < natCount; n++)
    added.push({
      type: "aws:ec2/natGateway:NatGateway",
      name: `nat-${n}`,
      props: { connectivityType: "public" },
      propertyDependencies: { subnetId: [`subnet-public-zone-${zones[n]}`] },
    });
  zones.forEach((z, i) => {
    added.push({ type: "aws:ec2/routeTable:RouteTable", name: `private-${i}`, props: {} });
    added.push({
      type: "aws:ec2/route:Route",
      name: `private-${i}-nat`,
      props: { destinationCidrBlock: "0.0.0.0/0" },
      propertyDependencies: { routeTableId: [`private-${i}`], natGatewayId: [`nat-${natFor(i)}`] },
    });
    added.push({
      type: "aws:ec2/routeTableAssociation:RouteTableAssociation",
      name: `private-${i}-association`,
      props: {},
      propertyDependencies: { subnetId: [`subnet-private-zone-${z}`], routeTableId: [`private-${i}`] },
    });
  });
  return [...records, ...added];
}
const messages = async (records = compliantStack()) =>
  (await runStackPolicy(zoneLossSurvived, records)).violations.map((v) => v.message);

describe("policy zone-loss-survived (C4)", () => {
  it("passes a prod stack whose every tier survives each AZ", async () => {
    assert.deepEqual(await runStackPolicy(zoneLossSurvived, compliantStack()), {
      violations: [],
      advisories: [],
      previewAdvisory: undefined,
    });
  });

  it("rejects Loki ingester zones not pinned to AWS zones, for every AZ, naming the ring zone", async () => {
    const found = await messages(
      mutateValues(compliantStack(), "loki", "ingester.zoneAwareReplication", { enabled: true }),
    );
    assert.equal(found.length, AZS.length);
    for (const [i, az] of AZS.entries()) {
      assert.match(
        found[i],
        new RegExp(
          `^Losing ${az}: Loki ingesters \\(loki release "loki"\\): writes stop, reads stop, acknowledged data may exist only in that zone \\(cannot survive by construction: ring zone zone-a \\(ingester \\(zone-a\\)\\) is not pinned to one AZ`,
        ),
      );
    }
  });

  it("rejects two Loki ingester ring zones in one AZ only for that AZ's loss (a push needs two of three)", async () => {
    const pins = { zoneA: AZS[0], zoneB: AZS[1], zoneC: AZS[0] };
    const zones = Object.fromEntries(
      Object.entries(pins).map(([key, az]) => [key, { nodeSelector: { "topology.kubernetes.io/zone": az } }]),
    );
    const found = await messages(mutateValues(compliantStack(), "loki", "ingester.zoneAwareReplication", zones));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /^Losing us-east-1a: Loki ingesters \(loki release "loki"\): writes stop, acknowledged data may exist only in that zone \(ring zones zone-a and zone-c are both pinned to us-east-1a; 1 of 3 replicas of each stream left, a push needs 2\)/,
    );
  });

  it("keeps Mimir reading with two ingester zones in the lost AZ: with ingest storage one zone holds every series", async () => {
    const zones = AZS.map((az, i) => ({
      name: `zone-${"abc"[i]}`,
      nodeSelector: { "topology.kubernetes.io/zone": i === 2 ? AZS[0] : az },
    }));
    assert.deepEqual(
      await messages(mutateValues(compliantStack(), "mimir", "ingester.zoneAwareReplication.zones", zones)),
      [],
    );
  });

  it("rejects min.insync.replicas equal to the replication factor: one AZ's broker stops Mimir's writes", async () => {
    const found = await messages(
      mutate(compliantStack(), "kafka-topic-mimir-ingest", ["spec", "config", "min.insync.replicas"], 3),
    );
    assert.equal(found.length, AZS.length);
    assert.match(
      found[0],
      /^Losing us-east-1a: Kafka topic mimir-ingest \(Kafka "kafka".*\): writes stop \(1 of 3 brokers may be in one AZ; 2 of 3 replicas of each partition left, min\.insync\.replicas 3/,
    );
  });

  it("rejects Kafka brokers without a required zone spread: all of them may share the lost AZ", async () => {
    const found = await messages(mutate(compliantStack(), "kafka-pool-brokers", ["spec", "template"], undefined));
    assert.equal(found.length, AZS.length);
    assert.match(
      found[0],
      /Kafka topic mimir-ingest .*: writes stop, reads stop, acknowledged data may exist only in that zone \(3 of 3 brokers may be in one AZ \(no required zone spread on the broker pools\); 0 of 3 replicas/,
    );
  });

  it("rejects a stateless component whose replicas may all share the lost AZ, naming the path that stops", async () => {
    const found = await messages(
      mutateValues(compliantStack(), "loki", "distributor.topologySpreadConstraints", undefined),
    );
    assert.equal(found.length, AZS.length);
    assert.match(
      found[0],
      /^Losing us-east-1a: Loki write path \(loki release "loki"\): writes stop \(distributor: all 2 replica\(s\) may be in one AZ \(no required zone topology spread\): stops until rescheduled\)/,
    );
    const single = await messages(mutateValues(compliantStack(), "mimir", "query_frontend.replicas", 1));
    assert.match(
      single[0],
      /^Losing us-east-1a: Mimir read path .*: reads stop \(query_frontend: all 1 replica\(s\) may be in one AZ: stops until rescheduled\)/,
    );
  });

  it("rejects a single Prometheus: scraping stops with its AZ", async () => {
    const found = await messages(
      mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.prometheusSpec.replicas", 1),
    );
    assert.equal(found.length, AZS.length);
    assert.match(
      found[0],
      /^Losing us-east-1a: Prometheus \(kube-prometheus-stack release "kps"\): writes stop, reads stop \(one replica/,
    );
  });

  it("rejects node groups whose other AZs cannot take the pods that move", async () => {
    // One node group per AZ, one 8-vCPU node each, three distributors of 5 cores: after a loss, two nodes cannot
    // hold three (a group spanning AZs would relaunch the lost node in the others).
    const perAz = AZS.map((az, i) => ({
      type: "aws:eks/nodeGroup:NodeGroup",
      name: `node-group-${i}`,
      props: {
        subnetIds: [`subnet-0${"abc"[i]}`],
        instanceTypes: ["m6i.2xlarge"],
        scalingConfig: { desiredSize: 1, minSize: 1, maxSize: 1 },
        tags: { "observability/profile": "prod" },
      },
      propertyDependencies: { subnetIds: [`subnet-private-zone-${"abc"[i]}`] },
    }));
    let records = [...without(compliantStack(), "node-group"), ...perAz];
    records = mutateValues(records, "mimir", "distributor.replicas", 3);
    records = mutateValues(records, "mimir", "distributor.resources", {
      requests: { cpu: "5", memory: "1Gi" },
      limits: { memory: "2Gi" },
    });
    const found = await messages(records);
    assert.ok(found.length >= 1);
    assert.match(
      found[0],
      /^Losing us-east-1a: Capacity left: writes stop, reads stop \(stays Pending on the surviving node groups at maxSize: 1 x distributor/,
    );
  });

  it("is one advisory in dev, naming the tiers that would stop", async () => {
    const run = await runStackPolicy(
      zoneLossSurvived,
      retag(mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.prometheusSpec.replicas", 1), "dev"),
    );
    assert.equal(run.violations.length, 0);
    assert.equal(run.advisories.length, 1);
    assert.match(
      run.advisories[0].message,
      /^Losing any one of us-east-1a, us-east-1b, us-east-1c would stop or lose data in: Prometheus \(kube-prometheus-stack release "kps"\) .*Advisory in dev/,
    );
  });

  it("passes a NAT gateway per AZ, each zone's private subnet routed to its own", async () => {
    assert.deepEqual(await messages(withNat(compliantStack(), (i) => i)), []);
  });

  it("rejects one NAT gateway for every AZ: losing its AZ cuts the other zones' egress, only for that AZ", async () => {
    const found = await messages(withNat(compliantStack(), () => 0));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /^Losing us-east-1a: Egress \(NAT gateways\): writes stop, reads stop \(the node subnets of us-east-1b, us-east-1c \(subnet-private-zone-b, subnet-private-zone-c\) route 0\.0\.0\.0\/0 through NatGateway "nat-0" in us-east-1a: .*cannot pull images .*network\.natGateways perZone\)/,
    );
  });

  it("advises in dev about a single NAT gateway instead of refusing it", async () => {
    const run = await runStackPolicy(
      zoneLossSurvived,
      retag(
        withNat(compliantStack(), () => 0),
        "dev",
      ),
    );
    assert.equal(run.violations.length, 0);
    assert.equal(run.advisories.length, 1);
    assert.match(run.advisories[0].message, /would stop or lose data in: Egress \(NAT gateways\).*Advisory in dev/);
  });
});
