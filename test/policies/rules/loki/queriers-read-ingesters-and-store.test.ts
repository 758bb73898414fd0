import { strict as assert } from "assert";
import { lokiQueriersReadIngestersAndStore } from "../../../../policies/rules/loki/queriers-read-ingesters-and-store";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

const run = (records = compliantStack()) => runStackPolicy(lokiQueriersReadIngestersAndStore, records);

describe("policy loki-queriers-read-ingesters-and-store (L11)", () => {
  it("passes the compliant fixture (both false, Loki's default)", async () => {
    assert.deepEqual((await run()).violations, []);
  });

  it("rejects store-only queriers (chart section) and ingester-only ones (structuredConfig)", async () => {
    const storeOnly = await run(mutateValues(compliantStack(), "loki", "loki.querier.query_store_only", true));
    assert.match(
      storeOnly.violations[0]?.message ?? "",
      /loki\.querier\.query_store_only=true: .*never read the ingesters.*newest logs/,
    );
    const ingesterOnly = await run(
      mutateValues(compliantStack(), "loki", "loki.structuredConfig.querier.query_ingester_only", true),
    );
    assert.match(ingesterOnly.violations[0]?.message ?? "", /query_ingester_only=true: .*never read the store/);
  });

  it("accepts false and waits for an unknown value", async () => {
    assert.deepEqual(
      (await run(mutateValues(compliantStack(), "loki", "loki.querier.query_store_only", false))).violations,
      [],
    );
    assert.deepEqual(
      (await run(mutateValues(compliantStack(), "loki", "loki.querier.query_store_only", UNKNOWN))).violations,
      [],
    );
  });
});
