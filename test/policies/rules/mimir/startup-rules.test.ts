import { strict as assert } from "assert";
import { mimirCompactorBlockRangesDivisible } from "../../../../policies/rules/mimir/compactor-block-ranges-divisible";
import { mimirDeletionMarkDelaysOrdered } from "../../../../policies/rules/mimir/deletion-mark-delays-ordered";
import { mimirQueryIngestersWithinExceedsStoreAfter } from "../../../../policies/rules/mimir/query-ingesters-within-exceeds-store-after";
import { mimirStorageLocationsDistinct } from "../../../../policies/rules/mimir/storage-locations-distinct";
import { BUCKETS, compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

const sc = "mimir.structuredConfig";

describe("policy mimir-query-ingesters-within-exceeds-store-after (M1)", () => {
  it("rejects query_store_after at or above query_ingesters_within with Mimir's startup error", async () => {
    const run = await runStackPolicy(
      mimirQueryIngestersWithinExceedsStoreAfter,
      mutateValues(compliantStack(), "mimir", `${sc}.querier.query_store_after`, "14h"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^Mimir default limits\.query_ingesters_within=13h <= mimir-distributed release "mimir" values\.mimir\.structuredConfig\.querier\.query_store_after=14h/,
    );
    assert.match(
      run.violations[0].message,
      /Mimir refuses to start: "the -querier\.query-ingesters-within setting must be greater than -querier\.query-store-after/,
    );
  });

  it("checks tenant overrides in runtimeConfig", async () => {
    const run = await runStackPolicy(
      mimirQueryIngestersWithinExceedsStoreAfter,
      mutateValues(compliantStack(), "mimir", "runtimeConfig.overrides.team-a", { query_ingesters_within: "11h" }),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /runtimeConfig\.overrides\["team-a"\]\.query_ingesters_within=11h.*Mimir refuses the runtime overrides file \(tenant "team-a".*at start-up every component fails with "failed to load runtime config"/,
    );
  });

  it("accepts 0, which disables the bound", async () => {
    const records = mutateValues(
      mutateValues(compliantStack(), "mimir", `${sc}.querier.query_store_after`, "14h"),
      "mimir",
      `${sc}.limits.query_ingesters_within`,
      "0",
    );
    assert.deepEqual((await runStackPolicy(mimirQueryIngestersWithinExceedsStoreAfter, records)).violations, []);
  });

  it("rejects a day unit in a Go-duration field, naming the key and the format", async () => {
    const run = await runStackPolicy(
      mimirQueryIngestersWithinExceedsStoreAfter,
      mutateValues(compliantStack(), "mimir", `${sc}.querier.query_store_after`, "1d"),
    );
    assert.match(
      run.violations[0].message,
      /querier\.query_store_after="1d" is not a Go duration such as 12h or 90m \(units ns, us, ms, s, m, h; no d\/w\/y\)/,
    );
  });

  it("accepts Prometheus units in per-tenant limits", async () => {
    const records = mutateValues(compliantStack(), "mimir", `${sc}.limits.query_ingesters_within`, "1d");
    assert.deepEqual((await runStackPolicy(mimirQueryIngestersWithinExceedsStoreAfter, records)).violations, []);
  });
});

describe("policy mimir-deletion-mark-delays-ordered (M2)", () => {
  it("rejects a while-querying delay at or above the store-gateway delay", async () => {
    const run = await runStackPolicy(
      mimirDeletionMarkDelaysOrdered,
      mutateValues(
        compliantStack(),
        "mimir",
        `${sc}.blocks_storage.bucket_store.ignore_deletion_mark_while_querying_delay`,
        "2h",
      ),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /ignore_deletion_mark_while_querying_delay=2h >= Mimir default blocks_storage\.bucket_store\.ignore_deletion_mark_delay=1h: Mimir refuses to start/,
    );
  });

  it("rejects a sync interval whose triple reaches the while-querying delay", async () => {
    const run = await runStackPolicy(
      mimirDeletionMarkDelaysOrdered,
      mutateValues(compliantStack(), "mimir", `${sc}.blocks_storage.bucket_store.sync_interval`, "20m"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /Mimir default blocks_storage\.bucket_store\.ignore_deletion_mark_while_querying_delay=50m <= 3 x .*sync_interval=20m \(1h\)/,
    );
  });
});

describe("policy mimir-compactor-block-ranges-divisible (M3)", () => {
  it("rejects a range not divisible by the previous one with Mimir's message", async () => {
    const run = await runStackPolicy(
      mimirCompactorBlockRangesDivisible,
      mutateValues(compliantStack(), "mimir", `${sc}.compactor.block_ranges`, ["2h", "12h", "30h"]),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /compactor\.block_ranges=2h,12h,30h: 1d6h is not divisible by 12h; Mimir refuses to start/,
    );
  });

  it("reads the comma-separated flag form and rejects a zero range", async () => {
    const run = await runStackPolicy(
      mimirCompactorBlockRangesDivisible,
      mutateValues(compliantStack(), "mimir", `${sc}.compactor.block_ranges`, "2h,0s,24h"),
    );
    assert.match(run.violations[0].message, /range #2 is zero/);
  });

  it("accepts 1h,4h,24h", async () => {
    assert.deepEqual(
      (
        await runStackPolicy(
          mimirCompactorBlockRangesDivisible,
          mutateValues(compliantStack(), "mimir", `${sc}.compactor.block_ranges`, "1h,4h,24h"),
        )
      ).violations,
      [],
    );
  });
});

describe("policy mimir-storage-locations-distinct (M4)", () => {
  it("rejects ruler storage in the blocks bucket with the same (empty) prefix", async () => {
    const run = await runStackPolicy(
      mimirStorageLocationsDistinct,
      mutateValues(compliantStack(), "mimir", `${sc}.ruler_storage.s3.bucket_name`, BUCKETS.mimirBlocks),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^ruler_storage .*ruler_storage\.s3\.bucket_name=obs-prod-mimir-blocks with Mimir default ruler_storage\.storage_prefix= is the same location as blocks_storage/,
    );
  });

  it("accepts a shared bucket with a distinct storage_prefix", async () => {
    let records = mutateValues(compliantStack(), "mimir", `${sc}.ruler_storage.s3.bucket_name`, BUCKETS.mimirBlocks);
    records = mutateValues(records, "mimir", `${sc}.ruler_storage.storage_prefix`, "ruler");
    assert.deepEqual((await runStackPolicy(mimirStorageLocationsDistinct, records)).violations, []);
  });

  it("rejects a single common.storage bucket for everything", async () => {
    let records = mutateValues(compliantStack(), "mimir", `${sc}.blocks_storage`, undefined);
    records = mutateValues(records, "mimir", `${sc}.ruler_storage`, undefined);
    records = mutateValues(records, "mimir", `${sc}.alertmanager_storage`, undefined);
    records = mutateValues(records, "mimir", `${sc}.common.storage.s3.bucket_name`, BUCKETS.mimirBlocks);
    const run = await runStackPolicy(mimirStorageLocationsDistinct, records);
    assert.equal(run.violations.length, 2);
    assert.match(
      run.violations[1].message,
      /^alertmanager_storage .*common\.storage\.s3\.bucket_name=obs-prod-mimir-blocks/,
    );
  });

  it("waits for bucket names unknown during preview", async () => {
    const run = await runStackPolicy(
      mimirStorageLocationsDistinct,
      mutateValues(compliantStack(), "mimir", `${sc}.ruler_storage.s3.bucket_name`, UNKNOWN),
    );
    assert.deepEqual(run.violations, []);
    assert.match(run.previewAdvisory ?? "", /ruler_storage\.s3\.bucket_name can't be known during preview/);
  });
});
