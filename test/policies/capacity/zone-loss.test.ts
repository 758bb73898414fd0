import { strict as assert } from "assert";
import { zoneLossSurvived } from "../../../policies/rules/capacity/zone-loss-survived";
import { compliantStack, mutate, mutateValues, retag, without } from "../support/fixture";
import { runStackPolicy } from "../support/harness";

const AZS = ["us-east-1a", "us-east-1b", "us-east-1c"];
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
});
