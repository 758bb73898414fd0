import { strict as assert } from "assert";
import { hardAntiAffinityFitsTopology } from "../../../../policies/rules/workloads/hard-anti-affinity-fits-topology";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const run = (records = compliantStack()) => runStackPolicy(hardAntiAffinityFitsTopology, records);
const prometheus = (key: string, value: unknown, records = compliantStack()) =>
  mutateValues(records, "kube-prometheus-stack", `prometheus.prometheusSpec.${key}`, value);

describe("policy hard-anti-affinity-fits-topology (P4)", () => {
  it("passes the compliant fixture (two Prometheus replicas, one per zone)", async () => {
    assert.deepEqual((await run()).violations, []);
  });

  it("rejects more Prometheus pods than zones under hard zone anti-affinity", async () => {
    const records = prometheus("replicas", 4);
    const result = await run(records);
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /podAntiAffinity=hard on topology\.kubernetes\.io\/zone allows one Prometheus pod per zone, but prometheusSpec\.replicas 4 makes 4 pods and there are 3 zones .*1 pod\(s\) stay Pending/,
    );
  });

  it("counts every shard's pods, and nodes at maxSize for the hostname key", async () => {
    const sharded = await run(prometheus("shards", 2));
    assert.match(sharded.violations[0]?.message ?? "", /replicas 2 x shards 2 makes 4 pods/);
    const byHost = prometheus("podAntiAffinityTopologyKey", "kubernetes.io/hostname", prometheus("replicas", 4));
    assert.deepEqual((await run(byHost)).violations, [], "9 nodes at maxSize hold 4 pods");
    assert.equal((await run(prometheus("replicas", 10, byHost))).violations.length, 1);
  });

  it("leaves soft anti-affinity and Alertmanager within the zones alone", async () => {
    assert.deepEqual((await run(prometheus("podAntiAffinity", "soft", prometheus("replicas", 4)))).violations, []);
    let records = mutateValues(compliantStack(), "kube-prometheus-stack", "alertmanager.alertmanagerSpec", {
      replicas: 3,
      podAntiAffinity: "hard",
      podAntiAffinityTopologyKey: "topology.kubernetes.io/zone",
    });
    assert.deepEqual((await run(records)).violations, []);
    records = mutateValues(records, "kube-prometheus-stack", "alertmanager.alertmanagerSpec.replicas", 5);
    assert.match((await run(records)).violations[0]?.message ?? "", /one Alertmanager pod per zone/);
  });
});
