import { strict as assert } from "assert";
import { cachesFitContainer } from "../../../../policies/rules/memory/caches-fit-container";
import { compliantStack, mutateValues } from "../../support/fixture";
import { ResourceRecord, runStackPolicy } from "../../support/harness";

type Change = [release: string, path: string, value: unknown];

function withValues(...changes: Change[]): ResourceRecord[] {
  return changes.reduce(
    (records, [release, path, value]) => mutateValues(records, release, path, value),
    compliantStack(),
  );
}

const INDEX_CACHE = "mimir.structuredConfig.blocks_storage.bucket_store.index_cache";
const SG_LIMIT: Change = ["mimir", "store_gateway.resources", { limits: { memory: "2944Mi" } }];
/** The program sizes the series hash cache to a tenth of the limit (settings/derive/sizing.ts storeGatewayCaches). */
const SERIES_HASH: Change = [
  "mimir",
  "mimir.structuredConfig.blocks_storage.bucket_store.series_hash_cache_max_size_bytes",
  294 * 2 ** 20,
];
const run = (records: ResourceRecord[]) => runStackPolicy(cachesFitContainer, records);

describe("policy caches-fit-container (B5)", () => {
  it("accepts the compliant fixture (no memory limit on the store-gateways)", async () => {
    assert.deepEqual((await run(compliantStack())).violations, []);
  });

  it("counts Mimir's default cache sizes: 1 GiB index + 1 GiB series hash cache on a 1536Mi store-gateway", async () => {
    const found = (await run(withValues(["mimir", "store_gateway.resources", { limits: { memory: "1536Mi" } }])))
      .violations;
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /^Mimir default blocks_storage\.bucket_store\.index_cache\.inmemory\.max_size_bytes=1073741824 .* \+ Mimir default blocks_storage\.bucket_store\.series_hash_cache_max_size_bytes=1073741824 .* = 2Gi/,
    );
  });

  it("rejects an 8 GiB in-memory index cache in store-gateways limited to 2944Mi", async () => {
    const found = (
      await run(
        withValues(SG_LIMIT, ["mimir", INDEX_CACHE, { backend: "inmemory", inmemory: { max_size_bytes: 8589934592 } }]),
      )
    ).violations;
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /index_cache\.inmemory\.max_size_bytes=8589934592 \(in-memory index cache, 8Gi .*store-gateway, whose memory limit is .*store_gateway\.resources\.limits\.memory=2944Mi.*50% of it: with GOGC=100 and no GOMEMLIMIT.*OOM-killed.*at most 1472Mi.*memcached.*more than 18432Mi/,
    );
  });

  it("adds the store-gateway's series hash cache to its index cache", async () => {
    const found = (
      await run(
        withValues(
          SG_LIMIT,
          ["mimir", `${INDEX_CACHE}.inmemory.max_size_bytes`, 1073741824],
          ["mimir", "mimir.structuredConfig.blocks_storage.bucket_store.series_hash_cache_max_size_bytes", 536870912],
        ),
      )
    ).violations;
    assert.equal(found.length, 1);
    assert.match(found[0].message, /in-memory index cache.* \+ .*series hash cache.* = 1536Mi/);
  });

  it("reads the size from a store-gateway extraArgs flag", async () => {
    const found = (
      await run(
        withValues(SG_LIMIT, [
          "mimir",
          "store_gateway.extraArgs",
          { "blocks-storage.bucket-store.index-cache.inmemory.max-size-bytes": "4294967296" },
        ]),
      )
    ).violations;
    assert.equal(found.length, 1);
    assert.match(found[0].message, /store_gateway\.extraArgs.*="4294967296"/);
  });

  it("accepts an index cache within half the limit, a memcached backend, no limit, and the chart's memcached index-cache", async () => {
    assert.deepEqual(
      (await run(withValues(SG_LIMIT, SERIES_HASH, ["mimir", `${INDEX_CACHE}.inmemory.max_size_bytes`, 1073741824])))
        .violations,
      [],
    );
    assert.deepEqual(
      (
        await run(
          withValues(SG_LIMIT, SERIES_HASH, [
            "mimir",
            INDEX_CACHE,
            { backend: "memcached", inmemory: { max_size_bytes: 8589934592 } },
          ]),
        )
      ).violations,
      [],
    );
    assert.deepEqual(
      (await run(withValues(["mimir", `${INDEX_CACHE}.inmemory.max_size_bytes`, 8589934592]))).violations,
      [],
    );
    assert.deepEqual(
      (
        await run(
          withValues(
            SG_LIMIT,
            SERIES_HASH,
            ["mimir", "index-cache.enabled", true],
            ["mimir", `${INDEX_CACHE}.inmemory.max_size_bytes`, 8589934592],
          ),
        )
      ).violations,
      [],
    );
  });

  it("lets a GOMEMLIMIT raise the bound to the soft limit", async () => {
    const gomem = (value: string): Change => ["mimir", "store_gateway.env", [{ name: "GOMEMLIMIT", value }]];
    const size: Change = ["mimir", `${INDEX_CACHE}.inmemory.max_size_bytes`, 2 * 2 ** 30];
    assert.deepEqual((await run(withValues(SG_LIMIT, SERIES_HASH, size, gomem("2650MiB")))).violations, []);
    const found = (await run(withValues(SG_LIMIT, SERIES_HASH, size, gomem("1800MiB")))).violations;
    assert.equal(found.length, 1);
    assert.match(found[0].message, /at or above .*store_gateway\.env.*=1800MiB/);
  });

  it("rejects a Loki embedded chunk cache at or above the GOMEMLIMIT the loki chart derives (0.85 x the limit)", async () => {
    const records = withValues(
      ["loki", "querier.resources", { limits: { memory: "1Gi" } }],
      [
        "loki",
        "loki.structuredConfig.chunk_store_config.chunk_cache_config.embedded_cache",
        { enabled: true, max_size_mb: 1000 },
      ],
    );
    const found = (await run(records)).violations;
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /embedded_cache\.max_size_mb=1000 \(embedded chunk cache, 1000000000 bytes\) .*querier.*GOMEMLIMIT=870MiB \(the loki chart's goMemLimitFactor 0\.85/,
    );
    const small = withValues(
      ["loki", "querier.resources", { limits: { memory: "1Gi" } }],
      [
        "loki",
        "loki.structuredConfig.chunk_store_config.chunk_cache_config.embedded_cache",
        { enabled: true, max_size_mb: 500 },
      ],
    );
    assert.deepEqual((await run(small)).violations, []);
  });

  it("counts a Loki results cache Loki turns on itself only when the chart configures no memcached for it", async () => {
    const cache: Change = ["loki", "loki.query_range.results_cache.cache.embedded_cache", { max_size_mb: 2000 }];
    const limit: Change = ["loki", "queryFrontend.resources", { limits: { memory: "1Gi" } }];
    // resultsCache.enabled (chart default true): memcached, the embedded cache stays off.
    assert.deepEqual((await run(withValues(limit, cache))).violations, []);
    const found = (await run(withValues(limit, cache, ["loki", "resultsCache.enabled", false]))).violations;
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /loki\.query_range\.results_cache\.cache\.embedded_cache\.max_size_mb=2000 .*queryFrontend/,
    );
  });
});
