import { strict as assert } from "assert";
import { mimirDeletionDelayOutlastsReaders } from "../../../../policies/rules/mimir/deletion-delay-outlasts-readers";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const compactor = (key: string, value: unknown, records = compliantStack()) =>
  mutateValues(records, "mimir", `mimir.structuredConfig.${key}`, value);
const run = (records = compliantStack()) => runStackPolicy(mimirDeletionDelayOutlastsReaders, records);

describe("policy mimir-deletion-delay-outlasts-readers (M22)", () => {
  it("passes the compliant fixture (the chart's 2h is exactly the sum of the defaults)", async () => {
    assert.deepEqual((await run()).violations, []);
  });

  it("rejects deletion_delay 0: blocks deleted at once while store-gateways still serve them", async () => {
    const result = await run(compactor("compactor.deletion_delay", "0s"));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /compactor\.deletion_delay=0s < Mimir default compactor\.cleanup_interval=15m \+ Mimir default blocks_storage\.bucket_store\.ignore_deletion_mark_delay=1h \+ 3 x Mimir default blocks_storage\.bucket_store\.sync_interval=15m = 2h: the compactor deletes compacted blocks at once .*Fix: set compactor\.deletion_delay to at least 2h/,
    );
  });

  it("rejects a delay the store-gateways' longer ignore delay outgrows, and accepts raising both", async () => {
    const longer = compactor("blocks_storage.bucket_store.ignore_deletion_mark_delay", "6h");
    assert.match(
      (await run(longer)).violations[0]?.message ?? "",
      /= 7h: the compactor deletes blocks marked for deletion/,
    );
    assert.deepEqual((await run(compactor("compactor.deletion_delay", "12h", longer))).violations, []);
    assert.deepEqual((await run(compactor("compactor.deletion_delay", "24h"))).violations, []);
  });
});
