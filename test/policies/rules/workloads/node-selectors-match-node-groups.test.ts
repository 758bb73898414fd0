import { strict as assert } from "assert";
import { nodeSelectorsMatchNodeGroups } from "../../../../policies/rules/workloads/node-selectors-match-node-groups";
import { compliantStack, mutate, mutateValues } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

const run = (records = compliantStack()) => runStackPolicy(nodeSelectorsMatchNodeGroups, records);
const requireNode = (key: string, operator: string, values?: string[]) => ({
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] }],
    },
  },
});

describe("policy node-selectors-match-node-groups (P3)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual((await run()).violations, []);
  });

  it("rejects an arch selector the node groups' AMI does not run (pods Pending)", async () => {
    const result = await run(
      mutateValues(compliantStack(), "mimir", "ingester.nodeSelector", { "kubernetes.io/arch": "arm64" }),
    );
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /values\.ingester\.nodeSelector\["kubernetes\.io\/arch"\] \(kubernetes\.io\/arch=arm64: every node group has kubernetes\.io\/arch=amd64\): no node group's nodes match, so no node can run these pods of mimir-distributed release "mimir".*Fix: remove the selector/,
    );
  });

  it("rejects a label nothing sets, and a spread key no node carries", async () => {
    let records = mutateValues(compliantStack(), "loki", "querier.nodeSelector", { "node-role": "observability" });
    records = mutate(
      records,
      "kafka-cluster",
      ["spec", "kafka", "template", "pod", "topologySpreadConstraints"],
      [{ maxSkew: 1, topologyKey: "topology.example.com/rack", whenUnsatisfiable: "DoNotSchedule" }],
    );
    const messages = (await run(records)).violations.map((v) => v.message);
    assert.equal(messages.length, 2);
    assert.match(
      messages.join("\n"),
      /querier\.nodeSelector\["node-role"\] \(node-role=observability: no node group has this label\)/,
    );
    assert.match(
      messages.join("\n"),
      /topologySpreadConstraints\[0\]\.topologyKey \(topology\.example\.com\/rack Exists: no node group has this label\)/,
    );
  });

  it("rejects a Kafka rack label no node carries: Strimzi requires it of every broker", async () => {
    const records = mutate(compliantStack(), "kafka-cluster", ["spec", "kafka", "rack"], {
      topologyKey: "topology.example.com/rack",
    });
    const result = await run(records);
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /spec\.kafka\.rack\.topologyKey \(topology\.example\.com\/rack Exists: no node group has this label; Strimzi requires it of every broker\)/,
    );
    const zone = mutate(compliantStack(), "kafka-cluster", ["spec", "kafka", "rack"], {
      topologyKey: "topology.kubernetes.io/zone",
    });
    assert.deepEqual((await run(zone)).violations, []);
  });

  it("rejects a required affinity no term of which a node group meets", async () => {
    const records = mutateValues(
      compliantStack(),
      "kube-prometheus-stack",
      "prometheus.prometheusSpec.affinity",
      requireNode("node.kubernetes.io/instance-type", "In", ["r6i.2xlarge"]),
    );
    const result = await run(records);
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /instance-type In \[r6i\.2xlarge\]: every node group has node\.kubernetes\.io\/instance-type=m6i\.2xlarge/,
    );
  });

  it("accepts what the node groups carry, labels set outside the stack, ScheduleAnyway and switched-off sections", async () => {
    let records = mutateValues(compliantStack(), "mimir", "ingester.nodeSelector", {
      "kubernetes.io/arch": "amd64",
      "observability/node-pool": "workload",
      "topology.kubernetes.io/zone": "eu-west-1a",
      "eks.amazonaws.com/capacityType": "ON_DEMAND",
    });
    records = mutateValues(
      records,
      "kube-prometheus-stack",
      "prometheus.prometheusSpec.affinity",
      requireNode("node.kubernetes.io/instance-type", "NotIn", ["t3.small"]),
    );
    records = mutateValues(records, "loki", "querier.topologySpreadConstraints", [
      { maxSkew: 1, topologyKey: "topology.example.com/rack", whenUnsatisfiable: "ScheduleAnyway" },
    ]);
    records = mutateValues(records, "loki", "minio", { enabled: false, nodeSelector: { "node-role": "storage" } });
    assert.deepEqual((await run(records)).violations, []);
  });

  it("waits for node-group labels unknown during preview", async () => {
    let records = mutate(compliantStack(), "node-group", ["labels"], UNKNOWN);
    records = mutateValues(records, "mimir", "ingester.nodeSelector", { "node-role": "observability" });
    assert.deepEqual((await run(records)).violations, []);
  });
});
