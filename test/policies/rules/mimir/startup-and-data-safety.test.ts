import { strict as assert } from "assert";
import { mimirBlocksShippedToStorage } from "../../../../policies/rules/mimir/blocks-shipped-to-storage";
import { mimirBucketIndexStalenessCoversUpdates } from "../../../../policies/rules/mimir/bucket-index-staleness-covers-updates";
import { mimirConfigValid } from "../../../../policies/rules/mimir/config-valid";
import { mimirObjectStorageClassReadable } from "../../../../policies/rules/mimir/object-storage-class-readable";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const sc = "mimir.structuredConfig";
const withValue = (path: string, value: unknown) => mutateValues(compliantStack(), "mimir", path, value);

describe("policy mimir-config-valid (M13): HA tracker timeouts and S3 storage class", () => {
  it("accepts the distributor.ha_tracker timeouts Mimir 3.0 removed: they still parse and are ignored", async () => {
    // grafana/mimir pkg/mimir TestRemovedGlobalHATrackerTimeouts ("ignores values in removed distributor.ha_tracker").
    const run = await runStackPolicy(
      mimirConfigValid,
      withValue(`${sc}.distributor.ha_tracker.ha_tracker_failover_timeout`, "5s"),
    );
    assert.deepEqual(run.violations, []);
  });

  it("rejects a failover timeout below update timeout + jitter + 1s, in the defaults and a tenant", async () => {
    let run = await runStackPolicy(mimirConfigValid, withValue(`${sc}.limits.ha_tracker_failover_timeout`, "5s"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /limits\.ha_tracker_failover_timeout=5s: Mimir refuses to start \("error validating config: HA Tracker failover timeout \(5s\) must be at least 1s greater than update timeout - max jitter \(21s\)"\)/,
    );
    run = await runStackPolicy(
      mimirConfigValid,
      withValue("runtimeConfig.overrides", { "team-a": { ha_tracker_update_timeout: "40s" } }),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /tenant "team-a".*failover timeout \(30s\).*\(46s\)/);
  });

  it("accepts a failover timeout at the minimum and the per-tenant keys", async () => {
    assert.deepEqual(
      (await runStackPolicy(mimirConfigValid, withValue(`${sc}.limits.ha_tracker_failover_timeout`, "21s"))).violations,
      [],
    );
    const run = await runStackPolicy(
      mimirConfigValid,
      withValue("runtimeConfig.overrides", {
        "team-a": { ha_tracker_update_timeout: "10s", ha_tracker_failover_timeout: "20s" },
      }),
    );
    assert.deepEqual(run.violations, []);
  });

  it("rejects a storage class outside the AWS SDK enum and accepts the readable ones", async () => {
    const run = await runStackPolicy(mimirConfigValid, withValue(`${sc}.blocks_storage.s3.storage_class`, "COLD"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /storage_class=COLD: Mimir refuses to start .*unsupported S3 storage class/,
    );
    for (const cls of ["STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER"]) {
      const ok = await runStackPolicy(mimirConfigValid, withValue(`${sc}.blocks_storage.s3.storage_class`, cls));
      assert.deepEqual(ok.violations, [], cls);
    }
  });
});

describe("policy mimir-blocks-shipped-to-storage (M19)", () => {
  it("passes the compliant fixture and a positive interval", async () => {
    assert.deepEqual((await runStackPolicy(mimirBlocksShippedToStorage, compliantStack())).violations, []);
    const run = await runStackPolicy(
      mimirBlocksShippedToStorage,
      withValue(`${sc}.blocks_storage.tsdb.ship_interval`, "5m"),
    );
    assert.deepEqual(run.violations, []);
  });

  it("rejects ship_interval 0s (config file) and 0 (ingester extraArgs)", async () => {
    let run = await runStackPolicy(
      mimirBlocksShippedToStorage,
      withValue(`${sc}.blocks_storage.tsdb.ship_interval`, "0s"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /blocks_storage\.tsdb\.ship_interval=0s: ingesters never ship TSDB blocks .*older than blocks_storage\.tsdb\.retention_period .*lost for good/,
    );
    run = await runStackPolicy(
      mimirBlocksShippedToStorage,
      withValue("ingester.extraArgs", { "blocks-storage.tsdb.ship-interval": "0" }),
    );
    assert.equal(run.violations.length, 1);
  });
});

describe("policy mimir-bucket-index-staleness-covers-updates (M20)", () => {
  it("passes Mimir's defaults (1h against 15m + 15m) and a generous value", async () => {
    assert.deepEqual((await runStackPolicy(mimirBucketIndexStalenessCoversUpdates, compliantStack())).violations, []);
    const run = await runStackPolicy(
      mimirBucketIndexStalenessCoversUpdates,
      withValue(`${sc}.blocks_storage.bucket_store.bucket_index.max_stale_period`, "2h"),
    );
    assert.deepEqual(run.violations, []);
  });

  it("rejects a max stale period below the compactor's cleanup interval", async () => {
    const run = await runStackPolicy(
      mimirBucketIndexStalenessCoversUpdates,
      withValue(`${sc}.blocks_storage.bucket_store.bucket_index.max_stale_period`, "10m"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^INFERRED: .*max_stale_period=10m <= Mimir default compactor\.cleanup_interval=15m \+ .*sync_interval.* = 30m: .*bucket index is too old/,
    );
  });
});

describe("policy mimir-object-storage-class-readable (M21)", () => {
  it("passes the fixture and the instantly readable classes", async () => {
    assert.deepEqual((await runStackPolicy(mimirObjectStorageClassReadable, compliantStack())).violations, []);
    for (const cls of ["STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER_IR"]) {
      const run = await runStackPolicy(
        mimirObjectStorageClassReadable,
        withValue(`${sc}.blocks_storage.s3.storage_class`, cls),
      );
      assert.deepEqual(run.violations, [], cls);
    }
  });

  it("rejects GLACIER on the blocks storage and DEEP_ARCHIVE inherited from common.storage", async () => {
    let run = await runStackPolicy(
      mimirObjectStorageClassReadable,
      withValue(`${sc}.blocks_storage.s3.storage_class`, "GLACIER"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /blocks_storage\.s3\.storage_class=GLACIER: every object Mimir writes to blocks_storage .*InvalidObjectState/,
    );
    run = await runStackPolicy(
      mimirObjectStorageClassReadable,
      withValue(`${sc}.common.storage.s3.storage_class`, "DEEP_ARCHIVE"),
    );
    assert.equal(run.violations.length, 3);
    assert.match(
      run.violations[0].message,
      /common\.storage\.s3\.storage_class=DEEP_ARCHIVE \(inherited by blocks_storage\)/,
    );
  });
});
