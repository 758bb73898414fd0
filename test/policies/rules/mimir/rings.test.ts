import { strict as assert } from "assert";
import { ringsSharedAcrossPods } from "../../../../policies/rules/mimir/rings-shared-across-pods";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

describe("policy rings-shared-across-pods (M18)", () => {
  it("accepts the fixture (the charts' memberlist rings)", async () => {
    assert.deepEqual((await runStackPolicy(ringsSharedAcrossPods, compliantStack())).violations, []);
  });

  it("rejects an inmemory ring in Loki's and in Mimir's config", async () => {
    let records = mutateValues(
      compliantStack(),
      "loki",
      "loki.structuredConfig.ingester.lifecycler.ring.kvstore.store",
      "inmemory",
    );
    records = mutateValues(records, "mimir", "mimir.structuredConfig.ingester.ring.kvstore.store", "inmemory");
    const run = await runStackPolicy(ringsSharedAcrossPods, records);
    assert.equal(run.violations.length, 2);
    assert.match(
      run.violations.map((v) => v.message).join("\n"),
      /values\.loki\.structuredConfig\.ingester\.lifecycler\.ring\.kvstore\.store=inmemory: .*empty ring/,
    );
  });

  it("accepts memberlist named explicitly", async () => {
    const records = mutateValues(
      compliantStack(),
      "mimir",
      "mimir.structuredConfig.ingester.ring.kvstore.store",
      "memberlist",
    );
    assert.deepEqual((await runStackPolicy(ringsSharedAcrossPods, records)).violations, []);
  });
});

describe("policy mimir-ingest-storage-config-valid (M9): where ingesters start reading", () => {
  it("rejects consume_from_position_at_startup end, accepts last-offset", async () => {
    const { mimirIngestStorageConfigValid } =
      await import("../../../../policies/rules/mimir/ingest-storage-config-valid");
    const at = (value: string) =>
      mutateValues(
        compliantStack(),
        "mimir",
        "mimir.structuredConfig.ingest_storage.kafka.consume_from_position_at_startup",
        value,
      );
    const run = await runStackPolicy(mimirIngestStorageConfigValid, at("end"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /consume_from_position_at_startup="end": each ingester restart or rollout skips/,
    );
    assert.deepEqual((await runStackPolicy(mimirIngestStorageConfigValid, at("last-offset"))).violations, []);
  });
});
