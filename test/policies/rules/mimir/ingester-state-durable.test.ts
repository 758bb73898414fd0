import { strict as assert } from "assert";
import { mimirIngesterStateDurable } from "../../../../policies/rules/mimir/ingester-state-durable";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

async function violations(records: Parameters<typeof runStackPolicy>[1]) {
  return (await runStackPolicy(mimirIngesterStateDurable, records)).violations.map((v) => v.message);
}

describe("policy mimir-ingester-state-durable (M30)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual(await runStackPolicy(mimirIngesterStateDurable, compliantStack()), {
      violations: [],
      advisories: [],
      previewAdvisory: undefined,
    });
  });

  it("rejects ingesters on an emptyDir with ingest storage (held-out x08)", async () => {
    const found = await violations(
      mutateValues(compliantStack(), "mimir", "ingester.persistentVolume", { enabled: false }),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /values\.ingester\.persistentVolume\.enabled=false: the 6 ingesters keep their TSDB \(\/data\/tsdb.*emptyDir.*ingest storage \(.*chart-generated config ingest_storage\.enabled=true\).*never replays/,
    );
  });

  it("rejects it in the classic architecture too, naming the WAL", async () => {
    const records = mutateValues(
      mutateValues(compliantStack(), "mimir", "ingester.persistentVolume", { enabled: false }),
      "mimir",
      "mimir.structuredConfig.ingest_storage.enabled",
      false,
    );
    const found = await violations(records);
    assert.equal(found.length, 1);
    assert.match(found[0], /Without ingest storage the WAL/);
  });

  it("accepts a persistent volume, no ingesters, store-gateways and compactor without one, and a TSDB moved off /data", async () => {
    const off = mutateValues(compliantStack(), "mimir", "ingester.persistentVolume", { enabled: false });
    for (const records of [
      mutateValues(compliantStack(), "mimir", "ingester.persistentVolume", { enabled: true, size: "50Gi" }),
      mutateValues(off, "mimir", "ingester.replicas", 0),
      mutateValues(compliantStack(), "mimir", "store_gateway.persistentVolume", { enabled: false }),
      mutateValues(compliantStack(), "mimir", "compactor.persistentVolume", { enabled: false }),
      mutateValues(
        mutateValues(off, "mimir", "mimir.structuredConfig.blocks_storage.tsdb.dir", "/tsdb-volume/tsdb"),
        "mimir",
        "ingester.extraVolumeMounts",
        [{ name: "tsdb", mountPath: "/tsdb-volume" }],
      ),
    ])
      assert.deepEqual(await violations(records), []);
  });
  it("rejects a TSDB directory outside /data and every mounted volume", async () => {
    const found = await violations(
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.blocks_storage.tsdb.dir", "/tmp/tsdb"),
    );
    assert.equal(found.length, 1);
    assert.match(found[0], /blocks_storage\.tsdb\.dir=\/tmp\/tsdb: the ingesters' TSDB .* is outside \/data/);
  });

  it("accepts a TSDB directory elsewhere under /data", async () => {
    assert.deepEqual(
      await violations(
        mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.blocks_storage.tsdb.dir", "/data/tsdb-v2"),
      ),
      [],
    );
  });
});
