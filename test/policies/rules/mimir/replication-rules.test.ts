import { strict as assert } from "assert";
import { mimirBlocksRetentionCoversQueryStoreAfter } from "../../../../policies/rules/mimir/blocks-retention-covers-query-store-after";
import { mimirStoreGatewayReplicationWithinReplicas } from "../../../../policies/rules/mimir/store-gateway-replication-within-replicas";
import { mimirZonesCoverReplication } from "../../../../policies/rules/mimir/zones-cover-replication";
import { compliantStack, mutate, mutateValues, without } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

describe("policy mimir-blocks-retention-covers-query-store-after (M6, mandatory)", () => {
  it("rejects when ingesters drop blocks before queriers read the store", async () => {
    const run = await runStackPolicy(
      mimirBlocksRetentionCoversQueryStoreAfter,
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.blocks_storage.tsdb.retention_period", "12h"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /tsdb\.retention_period=12h <= Mimir default querier\.query_store_after=12h: .*gap/,
    );
  });

  it("also rejects when retention is within the block range", async () => {
    const run = await runStackPolicy(
      mimirBlocksRetentionCoversQueryStoreAfter,
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.blocks_storage.tsdb.retention_period", "1h"),
    );
    assert.equal(run.violations.length, 2);
    assert.match(
      run.violations[1].message,
      /<= TSDB block range Mimir default blocks_storage\.tsdb\.block_ranges_period=2h/,
    );
  });

  const closeIdle = (value: unknown, records = compliantStack()) =>
    runStackPolicy(
      mimirBlocksRetentionCoversQueryStoreAfter,
      mutateValues(records, "mimir", "mimir.structuredConfig.blocks_storage.tsdb.close_idle_tsdb_timeout", value),
    );

  it("rejects an idle-TSDB timeout below query_store_after (a quiet tenant's recent data is read from neither path)", async () => {
    const run = await closeIdle("1h");
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /tsdb\.close_idle_tsdb_timeout=1h < Mimir default querier\.query_store_after=12h: a tenant that writes nothing for 1h .*closed and deleted .*partial results.*should be equal or higher than -querier\.query-ingesters-within/,
    );
  });

  it("accepts the default, 0 or a negative timeout (disabled), one at query_store_after, and a shorter one with query_store_after 0", async () => {
    assert.equal(
      (await runStackPolicy(mimirBlocksRetentionCoversQueryStoreAfter, compliantStack())).violations.length,
      0,
    );
    for (const value of ["0", "0s", "-1s", "12h", "13h"])
      assert.equal((await closeIdle(value)).violations.length, 0, value);
    const storeAll = mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.querier.query_store_after", "0");
    assert.equal((await closeIdle("1h", storeAll)).violations.length, 0);
  });
});

describe("policy mimir-store-gateway-replication-within-replicas (M7)", () => {
  it("rejects one store-gateway without zone awareness under the default RF 3", async () => {
    let records = mutateValues(compliantStack(), "mimir", "store_gateway.zoneAwareReplication.enabled", false);
    records = mutateValues(records, "mimir", "store_gateway.replicas", 1);
    const run = await runStackPolicy(mimirStoreGatewayReplicationWithinReplicas, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^Mimir default store_gateway\.sharding_ring\.replication_factor=3 > 1 store-gateways .*at least 2 live replicas required, could only find 1/,
    );
  });

  it("counts ceil(replicas / zones) per zone when zone-aware", async () => {
    const records = mutateValues(compliantStack(), "mimir", "store_gateway.replicas", 1);
    assert.deepEqual((await runStackPolicy(mimirStoreGatewayReplicationWithinReplicas, records)).violations, []);
  });

  it("rejects a querier computing ownership with another RF", async () => {
    const run = await runStackPolicy(
      mimirStoreGatewayReplicationWithinReplicas,
      mutateValues(compliantStack(), "mimir", "querier.extraArgs", {
        "store-gateway.sharding-ring.replication-factor": 2,
      }),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /querier\.extraArgs\["store-gateway\.sharding-ring\.replication-factor"\]=2 differs from Mimir default store_gateway\.sharding_ring\.replication_factor=3/,
    );
  });
});

describe("policy mimir-zones-cover-replication (M8)", () => {
  const twoZones = [
    { name: "zone-a", nodeSelector: { "topology.kubernetes.io/zone": "us-east-1a" } },
    { name: "zone-b", nodeSelector: { "topology.kubernetes.io/zone": "us-east-1b" } },
  ];

  it("rejects fewer store-gateway zones than the replication factor", async () => {
    const run = await runStackPolicy(
      mimirZonesCoverReplication,
      mutateValues(compliantStack(), "mimir", "store_gateway.zoneAwareReplication.zones", twoZones),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /replication_factor=3 > 2 store-gateway zones/);
  });

  it("rejects a zone pinned to an availability zone without nodes", async () => {
    const zones = [...twoZones, { name: "zone-c", nodeSelector: { "topology.kubernetes.io/zone": "us-east-1d" } }];
    const run = await runStackPolicy(
      mimirZonesCoverReplication,
      mutateValues(compliantStack(), "mimir", "ingester.zoneAwareReplication.zones", zones),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /ingester zone "zone-c" is pinned to availability zone us-east-1d .* nodes run only in us-east-1a, us-east-1b, us-east-1c \(NodeGroup "node-group" subnets in/,
    );
    assert.match(run.violations[0].message, /Pending/);
  });

  it("flags (INFERRED) more Mimir zones than availability zones with nodes", async () => {
    let records = without(compliantStack(), "subnet-private-zone-c");
    records = mutate(records, "node-group", ["subnetIds"], ["subnet-0a", "subnet-0b"]);
    records = records.map((r) =>
      r.name === "node-group"
        ? { ...r, propertyDependencies: { subnetIds: ["subnet-private-zone-a", "subnet-private-zone-b"] } }
        : r,
    );
    const unpinned = [{ name: "zone-a" }, { name: "zone-b" }, { name: "zone-c" }];
    records = mutateValues(
      mutateValues(records, "mimir", "ingester.zoneAwareReplication.zones", unpinned),
      "mimir",
      "store_gateway.zoneAwareReplication.zones",
      unpinned,
    );
    const run = await runStackPolicy(mimirZonesCoverReplication, records);
    assert.equal(run.violations.length, 2);
    assert.match(run.violations[0].message, /^INFERRED: 3 ingester zones .* > 2 availability zones with nodes/);
  });

  it("finds node-group subnets by id when no property dependency is recorded", async () => {
    const records = compliantStack().map((r) => (r.name === "node-group" ? { ...r, propertyDependencies: {} } : r));
    assert.deepEqual((await runStackPolicy(mimirZonesCoverReplication, records)).violations, []);
  });
});
