import { strict as assert } from "assert";
import { lokiIngesterStateDurable } from "../../../../policies/rules/loki/ingester-state-durable";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

async function violations(records: ReturnType<typeof compliantStack>) {
  return (await runStackPolicy(lokiIngesterStateDurable, records)).violations.map((v) => v.message);
}

describe("policy loki-ingester-state-durable (L6): WAL and index directories", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual(await violations(compliantStack()), []);
  });

  it("rejects a WAL directory on the /tmp emptyDir (held-out f08)", async () => {
    const found = await violations(mutateValues(compliantStack(), "loki", "loki.ingester.wal.dir", "/tmp/loki-wal"));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /values\.loki\.ingester\.wal\.dir=\/tmp\/loki-wal: the ingesters' WAL is outside \/var\/loki.*`temp` emptyDir/,
    );
  });

  it("rejects a TSDB active index directory outside /var/loki", async () => {
    const found = await violations(
      mutateValues(
        compliantStack(),
        "loki",
        "loki.structuredConfig.storage_config.tsdb_shipper.active_index_directory",
        "/index",
      ),
    );
    assert.equal(found.length, 1);
    assert.match(found[0], /active_index_directory=\/index: the ingesters' TSDB active index is outside \/var\/loki/);
  });

  it("accepts directories under /var/loki, the explicit default, relative ones and an extra mounted volume", async () => {
    for (const records of [
      mutateValues(compliantStack(), "loki", "loki.ingester.wal.dir", "/var/loki/wal-v2"),
      mutateValues(compliantStack(), "loki", "loki.structuredConfig.ingester.wal.dir", "/var/loki/wal"),
      mutateValues(compliantStack(), "loki", "loki.ingester.wal.dir", "wal"),
      mutateValues(
        mutateValues(compliantStack(), "loki", "loki.ingester.wal.dir", "/wal/loki"),
        "loki",
        "ingester.extraVolumeMounts",
        [{ name: "wal", mountPath: "/wal" }],
      ),
    ])
      assert.deepEqual(await violations(records), []);
  });
});
