import { strict as assert } from "assert";
import { alloyBatchWithinLokiBurst } from "../../../../policies/rules/loki/alloy-batch-within-loki-burst";
import { lokiReplicationWithinIngesters } from "../../../../policies/rules/loki/replication-within-ingesters";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

const alloyConfig = (batchSize: string) =>
  `loki.write "default" {\n  endpoint {\n    url = "http://loki-gateway.loki.svc/loki/api/v1/push"\n    batch_size = "${batchSize}"\n  }\n}\n`;

/** The fixture with Loki's ingesters not zone-aware: the chart then runs exactly ingester.replicas. */
const withoutZones = () => mutateValues(compliantStack(), "loki", "ingester.zoneAwareReplication", { enabled: false });

describe("policy loki-replication-within-ingesters (L1)", () => {
  it("counts zone-aware ingesters as the chart renders them: 2 replicas run as 1 in each of 3 zones, enough for RF 3", async () => {
    const run = await runStackPolicy(
      lokiReplicationWithinIngesters,
      mutateValues(compliantStack(), "loki", "ingester.replicas", 2),
    );
    assert.deepEqual(run.violations, []);
  });

  it("names the rendered count when it rejects: zone-aware with RF 5 over 3 zones of 1", async () => {
    let records = mutateValues(compliantStack(), "loki", "ingester.replicas", 1);
    records = mutateValues(records, "loki", "loki.commonConfig.replication_factor", 5);
    const run = await runStackPolicy(lokiReplicationWithinIngesters, records);
    assert.match(
      run.violations[0].message,
      /> 3 ingesters \(.*ingester\.replicas=1, zone-aware: the chart runs ceil\(1 \/ 3\) = 1 in each of zones a, b and c\)/,
    );
  });

  it("reads an explicit ingester ring replication factor over common's, as Loki does", async () => {
    const records = mutateValues(withoutZones(), "loki", "loki.ingester", {
      lifecycler: { ring: { replication_factor: 5 } },
    });
    const run = await runStackPolicy(lokiReplicationWithinIngesters, records);
    assert.match(run.violations[0].message, /loki\.ingester\.lifecycler\.ring\.replication_factor=5 > 3 ingesters/);
  });

  it("rejects RF 3 with a single Distributed ingester: every push fails", async () => {
    const run = await runStackPolicy(
      lokiReplicationWithinIngesters,
      mutateValues(withoutZones(), "loki", "ingester.replicas", 1),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /loki\.commonConfig\.replication_factor=3 > 1 ingesters \(.*deploymentMode=Distributed: .*ingester\.replicas=1\)/,
    );
    assert.match(run.violations[0].message, /at least 2 live replicas required, could only find 1/);
  });

  it("rejects RF 3 on two ingesters as having no fault tolerance", async () => {
    const run = await runStackPolicy(
      lokiReplicationWithinIngesters,
      mutateValues(withoutZones(), "loki", "ingester.replicas", 2),
    );
    assert.match(run.violations[0].message, /restarting one ingester fails pushes/);
  });

  it("rejects the chart default RF 3 in Monolithic mode (one single-binary replica)", async () => {
    let records = mutateValues(compliantStack(), "loki", "deploymentMode", "Monolithic");
    records = mutateValues(records, "loki", "loki.commonConfig", undefined);
    const run = await runStackPolicy(lokiReplicationWithinIngesters, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^loki release "loki" chart default loki\.commonConfig\.replication_factor=3 > 1 ingesters .*single-binary StatefulSet with 1 replica/,
    );
  });

  it("accepts SimpleScalable with the chart's 3 write replicas", async () => {
    const records = mutateValues(
      mutateValues(compliantStack(), "loki", "deploymentMode", "SimpleScalable"),
      "loki",
      "write",
      undefined,
    );
    assert.deepEqual((await runStackPolicy(lokiReplicationWithinIngesters, records)).violations, []);
  });

  it("names an unknown deployment mode", async () => {
    const run = await runStackPolicy(
      lokiReplicationWithinIngesters,
      mutateValues(compliantStack(), "loki", "deploymentMode", "Microservices"),
    );
    assert.match(run.violations[0].message, /deploymentMode=Microservices is not a deployment mode of the loki chart/);
  });

  it("waits for an ingester count unknown during preview", async () => {
    const run = await runStackPolicy(
      lokiReplicationWithinIngesters,
      mutateValues(compliantStack(), "loki", "ingester.replicas", UNKNOWN),
    );
    assert.deepEqual(run.violations, []);
    assert.match(run.previewAdvisory ?? "", /values\.ingester\.replicas can't be known during preview/);
  });
});

describe("policy alloy-batch-within-loki-burst (L2, advisory)", () => {
  it("advises when a loki.write batch exceeds Loki's burst", async () => {
    const run = await runStackPolicy(
      alloyBatchWithinLokiBurst,
      mutateValues(compliantStack(), "alloy", "alloy.configMap.content", alloyConfig("8MiB")),
    );
    assert.equal(run.advisories.length, 1);
    assert.match(
      run.advisories[0].message,
      /loki\.write "default" endpoint batch_size=8MiB \(8Mi \(8388608 bytes\)\) > loki release "loki" values\.loki\.limits_config\.ingestion_burst_size_mb=6 MB/,
    );
    assert.match(run.advisories[0].message, /429/);
  });

  it("accepts it once the burst is raised", async () => {
    let records = mutateValues(compliantStack(), "alloy", "alloy.configMap.content", alloyConfig("8MiB"));
    records = mutateValues(records, "loki", "loki.limits_config.ingestion_burst_size_mb", 10);
    assert.deepEqual((await runStackPolicy(alloyBatchWithinLokiBurst, records)).advisories, []);
  });

  it("names a malformed batch size", async () => {
    const run = await runStackPolicy(
      alloyBatchWithinLokiBurst,
      mutateValues(compliantStack(), "alloy", "alloy.configMap.content", alloyConfig("8 potatoes")),
    );
    assert.match(run.advisories[0].message, /batch_size="8 potatoes" is not a size such as 1MiB/);
  });
});
