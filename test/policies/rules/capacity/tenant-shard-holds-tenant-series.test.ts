import { strict as assert } from "assert";
import { tenantShardHoldsTenantSeries } from "../../../../policies/rules/capacity/tenant-shard-holds-tenant-series";
import { compliantStack, mutateValues } from "../../support/fixture";
import { ResourceRecord, runStackPolicy, UNKNOWN } from "../../support/harness";

// 6 zone-aware ingesters over 3 zones (2 per zone: 2 active partitions), each 1 core, 3Gi and 10Gi of disk: the
// planning figures give min(1, 3.22 GB / 2.5, 10.7 GB / 5) x 300,000 = 300,000 series per ingester.
const WORKLOAD = { activeSeries: 400_000, samplesPerSecond: 8_000, logsGBPerDay: 50, queriesPerSecond: 5 };

function stack(...changes: Array<[string, unknown]>): ResourceRecord[] {
  let records = mutateValues(compliantStack(), "mimir", "ingester.resources", {
    requests: { cpu: "1", memory: "3Gi" },
  });
  records = mutateValues(records, "mimir", "ingester.persistentVolume", { size: "10Gi" });
  records = mutateValues(records, "kube-prometheus-stack", "prometheus.prometheusSpec.remoteWrite", [
    { url: "http://mimir-gateway.mimir.svc/api/v1/push", headers: { "X-Scope-OrgID": "prod" } },
  ]);
  return changes.reduce((r, [path, value]) => mutateValues(r, "mimir", path, value), records);
}

const run = (records: ResourceRecord[], workload?: typeof WORKLOAD) =>
  runStackPolicy(tenantShardHoldsTenantSeries, records, workload ? { workload } : {});

describe("policy tenant-shard-holds-tenant-series (C8)", () => {
  it("accepts the compliant fixture, with and without a workload", async () => {
    assert.deepEqual((await run(stack())).violations, []);
    assert.deepEqual((await run(stack(), WORKLOAD)).violations, []);
  });

  it("rejects a one-partition shard for the tenant the stack writes its whole workload as", async () => {
    const found = (
      await run(stack(["runtimeConfig.overrides.prod.ingestion_partitions_tenant_shard_size", 1]), WORKLOAD)
    ).violations;
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /overrides\.prod\.ingestion_partitions_tenant_shard_size=1 puts tenant "prod" on 1 of the 2 active partitions .*holds at least 400,000 of its series: policy config workload\.activeSeries=400,000, all written as tenant "prod".*carries 300,000 series .*out of memory in every zone.*raise ingestion_partitions_tenant_shard_size for tenant "prod" to 0 \(all\)/,
    );
  });

  it("rejects a shard narrower than the tenant's max_global_series_per_user needs, without a workload", async () => {
    const found = (
      await run(
        stack(
          ["runtimeConfig.overrides.team-x.ingestion_partitions_tenant_shard_size", 1],
          ["runtimeConfig.overrides.team-x.max_global_series_per_user", 500_000],
        ),
      )
    ).violations;
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /\["team-x"\]\.ingestion_partitions_tenant_shard_size=1 puts tenant "team-x" .*500,000 of its series: .*\["team-x"\]\.max_global_series_per_user=500000, the series Mimir lets tenant "team-x" keep.*lower max_global_series_per_user to 300,000/,
    );
  });

  it("rejects a default shard size that the default series limit does not fit", async () => {
    const found = (
      await run(
        stack(
          ["mimir.structuredConfig.limits.ingestion_partitions_tenant_shard_size", 1],
          ["mimir.structuredConfig.limits.max_global_series_per_user", 1_000_000],
        ),
      )
    ).violations;
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /limits\.ingestion_partitions_tenant_shard_size=1 puts tenants on the default limits on 1 of/,
    );
  });

  it("accepts a shard its series fit, a shard as wide as the partitions, and a tenant other than the writer", async () => {
    // 50,000 (the fixture's default limit) fits one ingester.
    assert.deepEqual(
      (await run(stack(["mimir.structuredConfig.limits.ingestion_partitions_tenant_shard_size", 1]))).violations,
      [],
    );
    // 2 of 2 partitions: not narrower than all (C1 and C5 judge the whole tier).
    assert.deepEqual(
      (await run(stack(["runtimeConfig.overrides.prod.ingestion_partitions_tenant_shard_size", 2]), WORKLOAD))
        .violations,
      [],
    );
    // Another tenant sharded to 1 with the default 50,000 series: the stack's workload is not its traffic.
    assert.deepEqual(
      (await run(stack(["runtimeConfig.overrides.team-x.ingestion_partitions_tenant_shard_size", 1]), WORKLOAD))
        .violations,
      [],
    );
  });

  it("ignores ingestion_tenant_shard_size with ingest storage (the distributors shard partitions)", async () => {
    const records = stack(
      ["runtimeConfig.overrides.prod.ingestion_tenant_shard_size", 3],
      ["runtimeConfig.overrides.prod.max_global_series_per_user", 500_000],
    );
    assert.deepEqual((await run(records, WORKLOAD)).violations, []);
  });

  it("judges ingestion_tenant_shard_size in classic mode: 3 over 3 zones is one ingester per zone with RF 3", async () => {
    const records = stack(
      ["mimir.structuredConfig.ingest_storage.enabled", false],
      ["runtimeConfig.overrides.prod.ingestion_tenant_shard_size", 3],
    );
    const found = (await run(records, WORKLOAD)).violations;
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /ingestion_tenant_shard_size=3 puts tenant "prod" on 3 of the 6 ingesters, each series on 3 of them .*400,000 of its series.*lose their quorum.*to at least 4/,
    );
    assert.deepEqual(
      (
        await run(
          stack(
            ["mimir.structuredConfig.ingest_storage.enabled", false],
            ["runtimeConfig.overrides.prod.ingestion_tenant_shard_size", 6],
          ),
          WORKLOAD,
        )
      ).violations,
      [],
    );
  });

  it("is inconclusive, not violated, when the shard size is unknown", async () => {
    const result = await run(
      stack(["runtimeConfig.overrides.prod.ingestion_partitions_tenant_shard_size", UNKNOWN]),
      WORKLOAD,
    );
    assert.deepEqual(result.violations, []);
  });
});
