import { strict as assert } from "assert";
import { lokiConfigValid } from "../../../../policies/rules/loki/config-valid";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const withValue = (path: string, value: unknown) => mutateValues(compliantStack(), "loki", path, value);

async function violations(stack: ReturnType<typeof compliantStack>): Promise<string[]> {
  return (await runStackPolicy(lokiConfigValid, stack)).violations.map((v) => v.message);
}

async function refuses(stack: ReturnType<typeof compliantStack>, pattern: RegExp): Promise<void> {
  const messages = await violations(stack);
  assert.equal(messages.length, 1, messages.join("\n"));
  assert.match(messages[0], pattern);
}

describe("policy loki-config-valid (L10)", () => {
  it("passes the fixture", async () => {
    assert.deepEqual(await violations(compliantStack()), []);
  });

  describe("limits_config (Limits.Validate)", () => {
    it("refuses a tenant's deletion_mode Loki does not know: the runtime config does not load", async () => {
      await refuses(
        withValue("loki.runtimeConfig.overrides", { "team-payments": { deletion_mode: "filter_and_delete" } }),
        /overrides\["team-payments"\]\.deletion_mode=filter_and_delete: Loki's runtime config does not load \("invalid override for tenant team-payments: unknown deletion mode: must be one of disabled\|filter-only\|filter-and-delete"\).*failed to load runtime config/,
      );
    });

    it("refuses engine_results_cache_time_bucket_interval below 1m in the defaults", async () => {
      await refuses(
        withValue("loki.limits_config.engine_results_cache_time_bucket_interval", "30s"),
        /loki\.limits_config\.engine_results_cache_time_bucket_interval=30s: Loki refuses to start \("CONFIG ERROR: invalid limits_config config: engine_results_cache_time_bucket_interval must be >= 1m, got 30s"\)/,
      );
    });

    it("refuses an unknown sharding strategy, codec, a zero shard size and index_label on scope attributes", async () => {
      await refuses(
        withValue("loki.structuredConfig.limits_config.tsdb_sharding_strategy", "linear"),
        /invalid tsdb sharding strategy: invalid shard version linear/,
      );
      await refuses(
        withValue("loki.limits_config.bloom_block_encoding", "brotli"),
        /invalid encoding: brotli, supported: none, gzip/,
      );
      await refuses(
        withValue("loki.limits_config.tsdb_max_bytes_per_shard", 0),
        /querier\.tsdb-max-bytes-per-shard must be greater than 0/,
      );
      await refuses(
        withValue("loki.runtimeConfig.overrides", {
          a: { otlp_config: { scope_attributes: [{ action: "index_label", attributes: ["x"] }] } },
        }),
        /index_label action is only supported for resource_attributes/,
      );
    });

    it("passes what Loki accepts: every deletion mode, 1m and longer buckets, codecs in any case", async () => {
      for (const mode of ["disabled", "filter-only", "filter-and-delete"]) {
        assert.deepEqual(
          await violations(withValue("loki.runtimeConfig.overrides", { t: { deletion_mode: mode } })),
          [],
        );
      }
      assert.deepEqual(
        await violations(withValue("loki.limits_config.engine_results_cache_time_bucket_interval", "1m")),
        [],
      );
      assert.deepEqual(await violations(withValue("loki.limits_config.bloom_block_encoding", "LZ4-1m")), []);
      assert.deepEqual(await violations(withValue("loki.limits_config.tsdb_sharding_strategy", "bounded")), []);
      assert.deepEqual(await violations(withValue("loki.limits_config.tsdb_max_bytes_per_shard", "1GB")), []);
    });
  });

  describe("the other sections (Config.Validate)", () => {
    it("refuses ingester settings Loki's ingester rejects", async () => {
      await refuses(
        withValue("loki.ingester.chunk_encoding", "lz5"),
        /CONFIG ERROR: invalid ingester config: invalid encoding: lz5/,
      );
      await refuses(withValue("loki.ingester.wal", { checkpoint_duration: "0s" }), /invalid checkpoint duration: 0s/);
      await refuses(withValue("loki.ingester.wal", { disk_full_threshold: 1.5 }), /invalid disk full threshold: 1\.5/);
      await refuses(
        withValue("loki.ingester.flush_op_backoff", { min_period: "2m" }),
        /invalid flush op min backoff: cannot be larger than max backoff/,
      );
      await refuses(withValue("loki.ingester.flush_op_timeout", "0s"), /invalid flush op timeout: 0s/);
      await refuses(withValue("loki.ingester.index_shards", 0), /invalid ingester index shard factor: 0/);
    });

    it("refuses distributor, querier, query_range, frontend_worker, pattern_ingester and compactor conflicts", async () => {
      await refuses(
        withValue("loki.distributor.ingester_writes_enabled", false),
        /at least one of kafka and ingestor writes must be enabled/,
      );
      await refuses(
        withValue("loki.querier", { query_store_only: true, query_ingester_only: true }),
        /cannot both be true/,
      );
      await refuses(
        mutateValues(
          withValue("loki.query_range", {
            shard_aggregations: "quantile_over_time",
            parallelise_shardable_queries: false,
          }),
          "loki",
          "loki.frontend.encoding",
          "protobuf",
        ),
        /shard_aggregations requires parallelise_shardable_queries=true/,
      );
      await refuses(
        withValue("loki.frontend_worker.frontend_address", "loki-query-frontend:9095"),
        /frontend address and scheduler address are mutually exclusive/,
      );
      await refuses(
        withValue("loki.pattern_ingester", { retain_for: "30m" }),
        /retain-for \(30m\) must be greater than or equal to chunk-duration/,
      );
      await refuses(
        withValue("loki.pattern_ingester.lifecycler", { ring: { replication_factor: 3 } }),
        /pattern ingester replication factor must be 1/,
      );
      await refuses(
        withValue("loki.compactor.delete_request_store_key_prefix", "/index"),
        /validate delete store path prefix: prefix should never start with a path separator/,
      );
      await refuses(
        withValue("loki.compactor.max_compaction_parallelism", 0),
        /max compaction parallelism must be >= 1/,
      );
    });

    it("passes sane neighbours", async () => {
      const stacks = [
        withValue("loki.ingester.wal", { checkpoint_duration: "10m", disk_full_threshold: 0 }),
        withValue("loki.ingester.flush_op_backoff", { min_period: "30s", max_period: "5m", max_retries: 3 }),
        withValue("loki.distributor.ingester_writes_enabled", true),
        withValue("loki.querier.query_store_only", true),
        mutateValues(
          withValue("loki.query_range", { shard_aggregations: "quantile_over_time" }),
          "loki",
          "loki.frontend.encoding",
          "protobuf",
        ),
        withValue("loki.pattern_ingester", { enabled: true, retain_for: "6h", max_chunk_age: "2h" }),
        withValue("loki.compactor.delete_request_store_key_prefix", "deletes/"),
        withValue("loki.compactor.max_compaction_parallelism", 4),
        // Not Distributed: the chart's scheduler address renders empty, so a frontend address alone is accepted.
        mutateValues(
          withValue("loki.frontend_worker.frontend_address", "loki-query-frontend:9095"),
          "loki",
          "deploymentMode",
          "Monolithic",
        ),
      ];
      for (const stack of stacks) assert.deepEqual(await violations(stack), []);
    });
  });
  describe("bloom_gateway and bloom_build against the chart's client addresses", () => {
    const monolithic = (path: string, value: unknown) =>
      mutateValues(withValue(path, value), "loki", "deploymentMode", "Monolithic");

    it("refuses the bloom gateway or bloom build enabled in Monolithic mode (the chart renders empty addresses)", async () => {
      await refuses(
        monolithic("loki.bloom_gateway.enabled", true),
        /loki\.bloom_gateway\.enabled=true: Loki refuses to start \("CONFIG ERROR: invalid bloom_gateway config: addresses requires a list .*bloom_gateway\.client\.addresses is empty .*loki\.bloomGatewayAddresses.*deploymentMode=Monolithic/,
      );
      await refuses(
        monolithic("loki.structuredConfig.bloom_build", { enabled: true }),
        /bloom_build\.enabled=true: Loki refuses to start \("CONFIG ERROR: invalid bloom_build config: invalid bloom builder configuration: planner address is required/,
      );
      // Distributed on filesystem storage: "loki.deployment.isDistributed" needs object storage, the address is empty.
      await refuses(
        mutateValues(withValue("loki.bloom_gateway.enabled", true), "loki", "loki.storage.type", "filesystem"),
        /addresses requires a list.*loki\.storage\.type=filesystem/,
      );
    });

    it("passes Distributed and SimpleScalable (addresses rendered), an explicit address, and bloom off", async () => {
      const stacks = [
        withValue("loki.bloom_gateway.enabled", true),
        withValue("loki.bloom_build.enabled", true),
        mutateValues(withValue("loki.bloom_gateway.enabled", true), "loki", "deploymentMode", "SimpleScalable"),
        mutateValues(
          monolithic("loki.bloom_gateway.enabled", true),
          "loki",
          "loki.structuredConfig.bloom_gateway.client.addresses",
          "dns+bloom-gw.example.svc:9095",
        ),
        monolithic("loki.bloom_gateway.enabled", false),
      ];
      for (const stack of stacks) assert.deepEqual(await violations(stack), []);
    });
  });

  describe("config compatibility (pkg/loki/config_compat.go)", () => {
    it("refuses index_shards that is not a power of two with a tsdb period (the flag's help text misleads)", async () => {
      await refuses(
        withValue("loki.ingester.index_shards", 48),
        /loki\.ingester\.index_shards=48: Loki refuses to start \("incompatible inverted index shard factor on ingester: It must be a power of two, got 48"\).*use a power of two \(32 or 64; default 32\)/,
      );
      await refuses(
        withValue("loki.structuredConfig.ingester.index_shards", "24"),
        /index_shards=24: .*It must be a power of two, got 24/,
      );
      for (const ok of [1, 16, 32, 64, 128])
        assert.deepEqual(await violations(withValue("loki.ingester.index_shards", ok)), []);
      // Not tsdb: the power-of-two rule does not apply (the divisibility rule is not modelled).
      assert.deepEqual(
        await violations(
          mutateValues(
            withValue("loki.ingester.index_shards", 48),
            "loki",
            "loki.schemaConfig.configs.0.store",
            "boltdb-shipper",
          ),
        ),
        [],
      );
    });

    it("refuses shard_aggregations while frontend.encoding is json (Loki's default)", async () => {
      await refuses(
        withValue("loki.query_range.shard_aggregations", "quantile_over_time"),
        /loki\.query_range\.shard_aggregations=quantile_over_time: Loki refuses to start \("shard_aggregation requires frontend\.encoding=protobuf"\).*Loki's default is json/,
      );
      await refuses(
        mutateValues(
          withValue("loki.structuredConfig.query_range.shard_aggregations", ["quantile_over_time"]),
          "loki",
          "loki.frontend.encoding",
          "json",
        ),
        /shard_aggregations=\["quantile_over_time"\].*it is json at .*loki\.frontend\.encoding/,
      );
      assert.deepEqual(
        await violations(
          mutateValues(
            withValue("loki.query_range.shard_aggregations", "quantile_over_time"),
            "loki",
            "loki.frontend.encoding",
            "protobuf",
          ),
        ),
        [],
      );
      assert.deepEqual(
        await violations(
          mutateValues(
            withValue("loki.query_range.shard_aggregations", "quantile_over_time"),
            "loki",
            "loki.structuredConfig.frontend.encoding",
            "protobuf",
          ),
        ),
        [],
      );
      assert.deepEqual(await violations(withValue("loki.query_range.shard_aggregations", "")), []);
      assert.deepEqual(await violations(withValue("loki.query_range.shard_aggregations", [])), []);
    });
  });
});
