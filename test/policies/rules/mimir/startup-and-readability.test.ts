import { strict as assert } from "assert";
import { mimirConfigValid } from "../../../../policies/rules/mimir/config-valid";
import { mimirStoreGatewaySeesRecentBlocks } from "../../../../policies/rules/mimir/store-gateway-sees-recent-blocks";
import { mimirStoresInSharedObjectStorage } from "../../../../policies/rules/mimir/stores-in-shared-object-storage";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

const sc = "mimir.structuredConfig";

describe("policy mimir-config-valid (M13)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual((await runStackPolicy(mimirConfigValid, compliantStack())).violations, []);
  });

  it("rejects a stripe size that is not a power of 2", async () => {
    const run = await runStackPolicy(
      mimirConfigValid,
      mutateValues(compliantStack(), "mimir", `${sc}.blocks_storage.tsdb.stripe_size`, 1000),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.mimir\.structuredConfig\.blocks_storage\.tsdb\.stripe_size=1000: Mimir refuses to start \("error validating config: invalid TSDB config: invalid TSDB stripe size"\).*Fix: use a power of 2/,
    );
  });

  it("accepts a power-of-2 stripe size", async () => {
    const run = await runStackPolicy(
      mimirConfigValid,
      mutateValues(compliantStack(), "mimir", `${sc}.blocks_storage.tsdb.stripe_size`, 8192),
    );
    assert.deepEqual(run.violations, []);
  });

  it("rejects a WAL segment size that is not a whole number of 32 KiB pages, and accepts one that is", async () => {
    const run = await runStackPolicy(
      mimirConfigValid,
      mutateValues(compliantStack(), "mimir", `${sc}.blocks_storage.tsdb.wal_segment_size_bytes`, 100000000),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /wal_segment_size_bytes=100000000: Mimir refuses to start \("failed to open TSDB: invalid segment size"\); the value is not a multiple of the write log's 32768-byte page \(100000000 % 32768 = 24832\), so every ingester fails to open or create any tenant TSDB.*Fix: use a multiple of 32768 bytes \(32 KiB\), e\.g\. 100007936/,
    );
    for (const ok of [104857600, "67108864", 32768]) {
      const fine = await runStackPolicy(
        mimirConfigValid,
        mutateValues(compliantStack(), "mimir", `${sc}.blocks_storage.tsdb.wal_segment_size_bytes`, ok),
      );
      assert.deepEqual(fine.violations, [], String(ok));
    }
  });

  it("rejects a head compaction interval above 15m and accepts 15m", async () => {
    const run = await runStackPolicy(
      mimirConfigValid,
      mutateValues(compliantStack(), "mimir", `${sc}.blocks_storage.tsdb.head_compaction_interval`, "30m"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /head_compaction_interval=30m: Mimir refuses to start \("error validating config: invalid TSDB config: invalid TSDB compaction interval"\).*at most 15m/,
    );
    const ok = await runStackPolicy(
      mimirConfigValid,
      mutateValues(compliantStack(), "mimir", `${sc}.blocks_storage.tsdb.head_compaction_interval`, "15m"),
    );
    assert.deepEqual(ok.violations, []);
  });

  it("rejects an unsupported compaction jobs order and accepts newest-blocks-first", async () => {
    const run = await runStackPolicy(
      mimirConfigValid,
      mutateValues(compliantStack(), "mimir", `${sc}.compactor.compaction_jobs_order`, "oldest-first"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /compactor\.compaction_jobs_order=oldest-first: Mimir refuses to start \("error validating config: invalid compactor config: unsupported compaction order \(supported values: smallest-range-oldest-blocks-first, newest-blocks-first\)"\)/,
    );
    const ok = await runStackPolicy(
      mimirConfigValid,
      mutateValues(compliantStack(), "mimir", `${sc}.compactor.compaction_jobs_order`, "newest-blocks-first"),
    );
    assert.deepEqual(ok.violations, []);
  });

  it("checks the other TSDB, bucket-store and compactor bounds", async () => {
    let records = compliantStack();
    const set = (path: string, value: unknown) => (records = mutateValues(records, "mimir", `${sc}.${path}`, value));
    set("blocks_storage.tsdb.head_chunks_write_buffer_size_bytes", 1000);
    set("blocks_storage.tsdb.ship_concurrency", 0);
    set("blocks_storage.bucket_store.streaming_series_batch_size", 0);
    set("compactor.max_opening_blocks_concurrency", 0);
    const messages = (await runStackPolicy(mimirConfigValid, records)).violations.map((v) => v.message);
    assert.equal(messages.length, 4);
    assert.match(messages[0], /invalid TSDB ship concurrency/);
    assert.match(messages[1], /head chunks write buffer size must be a multiple of 1024 between 65536 and 8388608/);
    assert.match(messages[2], /invalid store-gateway streaming batch size/);
    assert.match(messages[3], /invalid max-opening-blocks-concurrency value, must be positive/);
  });

  it("accepts ship_concurrency 0 when shipping is off", async () => {
    const records = mutateValues(
      mutateValues(compliantStack(), "mimir", `${sc}.blocks_storage.tsdb.ship_concurrency`, 0),
      "mimir",
      `${sc}.blocks_storage.tsdb.ship_interval`,
      "0s",
    );
    assert.deepEqual((await runStackPolicy(mimirConfigValid, records)).violations, []);
  });

  it("names a value Mimir cannot decode", async () => {
    const run = await runStackPolicy(
      mimirConfigValid,
      mutateValues(compliantStack(), "mimir", `${sc}.blocks_storage.tsdb.stripe_size`, "lots"),
    );
    assert.match(
      run.violations[0].message,
      /stripe_size=lots: Mimir refuses to start \("error loading config: cannot unmarshal "lots" into int"\)/,
    );
  });

  it("gives no violation for a value unknown during preview", async () => {
    const run = await runStackPolicy(
      mimirConfigValid,
      mutateValues(compliantStack(), "mimir", `${sc}.blocks_storage.tsdb.stripe_size`, UNKNOWN),
    );
    assert.deepEqual(run.violations, []);
    assert.match(run.previewAdvisory ?? "", /stripe_size can't be known during preview/);
  });
});

describe("policy mimir-stores-in-shared-object-storage (M14)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual((await runStackPolicy(mimirStoresInSharedObjectStorage, compliantStack())).violations, []);
  });

  it("rejects blocks storage on the filesystem", async () => {
    const run = await runStackPolicy(
      mimirStoresInSharedObjectStorage,
      mutateValues(compliantStack(), "mimir", `${sc}.blocks_storage.backend`, "filesystem"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.mimir\.structuredConfig\.blocks_storage\.backend=filesystem: Mimir keeps TSDB blocks on the local filesystem of each pod.*store-gateways, queriers and the compactor never see them/,
    );
  });

  it("rejects common.storage on the filesystem for all three stores, but not with the chart's MinIO", async () => {
    const records = mutateValues(compliantStack(), "mimir", `${sc}.common.storage.backend`, "filesystem");
    const run = await runStackPolicy(mimirStoresInSharedObjectStorage, records);
    assert.equal(run.violations.length, 3);
    assert.match(run.violations[1].message, /common\.storage\.backend=filesystem: Mimir keeps rule groups/);
    const minio = await runStackPolicy(
      mimirStoresInSharedObjectStorage,
      mutateValues(records, "mimir", "minio.enabled", true),
    );
    assert.deepEqual(minio.violations, []);
  });

  it("rejects a blocks-storage flag set on the readers only", async () => {
    const records = mutateValues(
      mutateValues(compliantStack(), "mimir", "store_gateway.extraArgs", { "blocks-storage.storage-prefix": "tsdb" }),
      "mimir",
      "querier.extraArgs",
      { "blocks-storage.storage-prefix": "tsdb" },
    );
    const run = await runStackPolicy(mimirStoresInSharedObjectStorage, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /store_gateway\.extraArgs\["blocks-storage\.storage-prefix"\]=tsdb, .*querier\.extraArgs\["blocks-storage\.storage-prefix"\]=tsdb, while ingester, compactor, ruler use the config file's value: Mimir reads CLI flags over the config file/,
    );
  });

  it("accepts the same storage flag on every component that reads or writes blocks, and unrelated flags", async () => {
    let records = compliantStack();
    for (const c of ["ingester", "store_gateway", "querier", "compactor", "ruler"]) {
      records = mutateValues(records, "mimir", `${c}.extraArgs`, {
        "blocks-storage.storage-prefix": "tsdb",
        "config.expand-env": true,
      });
    }
    assert.deepEqual((await runStackPolicy(mimirStoresInSharedObjectStorage, records)).violations, []);
  });
});

describe("policy mimir-store-gateway-sees-recent-blocks (M15)", () => {
  it("passes the compliant fixture (defaults 10h and 13h)", async () => {
    assert.deepEqual((await runStackPolicy(mimirStoreGatewaySeesRecentBlocks, compliantStack())).violations, []);
  });

  it("rejects ignore_blocks_within above the default query_ingesters_within", async () => {
    const run = await runStackPolicy(
      mimirStoreGatewaySeesRecentBlocks,
      mutateValues(compliantStack(), "mimir", `${sc}.blocks_storage.bucket_store.ignore_blocks_within`, "20h"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^INFERRED: .*ignore_blocks_within=20h > Mimir default limits\.query_ingesters_within=13h: store-gateways .* samples between 13h and 20h old are read from nowhere/,
    );
  });

  it("checks tenant overrides and accepts 0 (filter off)", async () => {
    const tenant = await runStackPolicy(
      mimirStoreGatewaySeesRecentBlocks,
      mutateValues(compliantStack(), "mimir", "runtimeConfig.overrides.team-a", { query_ingesters_within: "8h" }),
    );
    assert.equal(tenant.violations.length, 1);
    assert.match(tenant.violations[0].message, /query_ingesters_within=8h for tenant "team-a"/);
    const off = await runStackPolicy(
      mimirStoreGatewaySeesRecentBlocks,
      mutateValues(compliantStack(), "mimir", `${sc}.blocks_storage.bucket_store.ignore_blocks_within`, "0"),
    );
    assert.deepEqual(off.violations, []);
  });

  it("reads the store-gateway's extraArgs flag over the config file", async () => {
    const run = await runStackPolicy(
      mimirStoreGatewaySeesRecentBlocks,
      mutateValues(compliantStack(), "mimir", "store_gateway.extraArgs", {
        "blocks-storage.bucket-store.ignore-blocks-within": "14h",
      }),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /store_gateway\.extraArgs\["blocks-storage\.bucket-store\.ignore-blocks-within"\]=14h/,
    );
  });
});
