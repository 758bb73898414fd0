import { strict as assert } from "assert";
import { mimirConfigValid } from "../../../../policies/rules/mimir/config-valid";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const sc = "mimir.structuredConfig";
const set = (path: string, value: unknown, records = compliantStack()) => mutateValues(records, "mimir", path, value);
const messages = async (records = compliantStack()) =>
  (await runStackPolicy(mimirConfigValid, records)).violations.map((v) => v.message);
/** One conflict: exactly one violation matching `pattern`. */
const refuses = async (records: ReturnType<typeof compliantStack>, pattern: RegExp) => {
  const found = await messages(records);
  assert.equal(found.length, 1, found.join("\n"));
  assert.match(found[0], pattern);
};
const passes = async (records: ReturnType<typeof compliantStack>) => assert.deepEqual(await messages(records), []);

describe("policy mimir-config-valid (M13): component start-up checks (ruler, stores, frontend, scheduler, clients)", () => {
  it("passes the compliant fixture", async () => {
    await passes(compliantStack());
  });

  it("ruler: negative ruler_tenant_shard_size refused; 0 and positive pass", async () => {
    await refuses(
      set(`${sc}.limits.ruler_tenant_shard_size`, -1),
      /ruler_tenant_shard_size=-1: Mimir refuses to start \("error validating config: invalid ruler config: invalid tenant shard size, the value must be greater or equal to 0"\)/,
    );
    await passes(set(`${sc}.limits.ruler_tenant_shard_size`, 3));
  });

  it("ruler: unknown query-frontend response format and negative concurrency percentage refused", async () => {
    await refuses(
      set(`${sc}.ruler.query_frontend.query_result_response_format`, "yaml"),
      /invalid ruler query-frontend config: unknown query result response format 'yaml'\. Supported values: json, protobuf/,
    );
    await passes(set(`${sc}.ruler.query_frontend.query_result_response_format`, "json"));
    await refuses(
      set(`${sc}.ruler.independent_rule_evaluation_concurrency_min_duration_percentage`, -5),
      /invalid tenant minimum duration percentage for rule evaluation concurrency/,
    );
    await passes(set(`${sc}.ruler.independent_rule_evaluation_concurrency_min_duration_percentage`, 0));
  });

  it("gRPC clients: unsupported compression refused (config file and extraArgs flag); gzip/snappy/s2 pass", async () => {
    await refuses(
      set(`${sc}.ruler.ruler_client.grpc_compression`, "zstd"),
      /invalid ruler config: invalid ruler gRPC client config: unsupported compression type: "zstd"/,
    );
    await refuses(
      set("querier.extraArgs", { "querier.scheduler-client.grpc-compression": "lz4" }),
      /querier\.extraArgs\["querier\.scheduler-client\.grpc-compression"\]=lz4: Mimir refuses to start \("error validating config: invalid frontend_worker config: unsupported compression type/,
    );
    await refuses(
      set(`${sc}.ingester_client.grpc_client_config.grpc_compression`, "zstd"),
      /invalid ingester_client config: unsupported compression type/,
    );
    await passes(set(`${sc}.ingester_client.grpc_client_config.grpc_compression`, "snappy"));
    await passes(set(`${sc}.frontend.grpc_client_config.grpc_compression`, "s2"));
    await passes(set(`${sc}.frontend_worker.grpc_client_config.grpc_compression`, "gzip"));
  });

  it("rule, alertmanager and common stores: unknown backend and non-alphanumeric prefix refused", async () => {
    await refuses(
      set(`${sc}.ruler_storage.backend`, "minio"),
      /ruler_storage\.backend=minio: Mimir refuses to start \("error validating config: invalid rulestore config: unsupported storage backend"\)/,
    );
    await refuses(
      set(`${sc}.alertmanager_storage.storage_prefix`, "am/state"),
      /invalid alertmanager storage config: storage prefix contains invalid characters, it may only contain digits and English alphabet letters/,
    );
    await refuses(
      set(`${sc}.common.storage.backend`, "local"),
      /common\.storage\.backend=local: .*unsupported storage backend/,
    );
    await refuses(set(`${sc}.ruler_storage.cache.backend`, "redis"), /unsupported cache backend: redis/);
    await passes(set(`${sc}.ruler_storage.backend`, "local"));
    await passes(set(`${sc}.alertmanager_storage.storage_prefix`, "amstate2"));
    await passes(
      set(`${sc}.ruler_storage.cache`, {
        backend: "memcached",
        memcached: { addresses: "dns+memcached.cache.svc:11211" },
      }),
    );
  });

  it("query-frontend: response format, split interval with the results cache, results cache backend", async () => {
    await refuses(
      set(`${sc}.frontend.query_result_response_format`, "csv"),
      /invalid query-frontend config: unknown query result response format 'csv'/,
    );
    const cached = set(`${sc}.frontend.cache_results`, true, set("results-cache.enabled", true));
    await refuses(
      set(`${sc}.frontend.split_queries_by_interval`, "0s", cached),
      /split_queries_by_interval=0s: Mimir refuses to start \("error validating config: invalid query-frontend config: -query-frontend\.cache-results may only be enabled in conjunction with -query-frontend\.split-queries-by-interval/,
    );
    await passes(set(`${sc}.frontend.split_queries_by_interval`, "0s")); // no results cache: Mimir accepts 0
    await passes(set(`${sc}.frontend.split_queries_by_interval`, "12h", cached));
    await refuses(
      set(`${sc}.frontend.results_cache.backend`, "redis", set("results-cache.enabled", true)),
      /invalid query-frontend results cache config: unsupported cache backend: "redis", supported values: \[memcached\]/,
    );
    await passes(set(`${sc}.frontend.results_cache.backend`, "memcached", set("results-cache.enabled", true)));
  });

  it("results cache: a memcached backend without addresses, and a cache the query-frontend needs with no backend", async () => {
    // m01: the results cache turned on in Mimir's config only; the chart's results-cache (memcached) stays off.
    const m01 = set(`${sc}.frontend`, { cache_results: true, results_cache: { backend: "memcached" } });
    await refuses(
      m01,
      /frontend\.results_cache\.backend=memcached: Mimir refuses to start \("error validating config: invalid query-frontend config: invalid query-frontend results cache config: query-frontend results cache: no memcached addresses provided"\); every Mimir pod .*exits.*results-cache\.enabled is false \(mimir-distributed chart default\).*results-cache\.enabled: true/,
    );
    // cache_errors alone also validates the results cache.
    await refuses(
      set(`${sc}.frontend`, { cache_errors: true, results_cache: { backend: "memcached" } }),
      /no memcached addresses provided/,
    );
    // m02: cardinality-based query sharding keeps its estimates in the results cache; no backend at all.
    const m02 = set(`${sc}.frontend`, {
      parallelize_shardable_queries: true,
      query_sharding_target_series_per_shard: 2500,
    });
    await refuses(
      m02,
      /query_sharding_target_series_per_shard=2500: Mimir refuses to start \("unsupported cache backend: "", supported values: \[memcached\]"\); every query-frontend .*exits at start-up when it builds the results cache.*cardinality/,
    );
    await refuses(set(`${sc}.frontend.cache_results`, true), /cache_results=true: .*unsupported cache backend: ""/);
    // Benign neighbours: the chart's results cache on (backend and addresses rendered), addresses given, sharding
    // without the cardinality target, the target 0, or the backend unset while nothing needs the cache.
    await passes(set("results-cache.enabled", true, m01));
    await passes(set("results-cache.enabled", true, m02));
    await passes(set(`${sc}.frontend.results_cache.memcached.addresses`, "dns+memcached.cache.svc:11211", m01));
    await passes(
      set(
        `${sc}.frontend.results_cache`,
        { backend: "memcached", memcached: { addresses: "dns+mc.cache.svc:11211" } },
        m02,
      ),
    );
    await passes(set(`${sc}.frontend.parallelize_shardable_queries`, true));
    await passes(set(`${sc}.frontend.query_sharding_target_series_per_shard`, 0));
    await passes(set(`${sc}.frontend.results_cache.backend`, "memcached"));
    await refuses(
      set(`${sc}.frontend.results_cache.memcached.max_async_concurrency`, 0, set("results-cache.enabled", true)),
      /max_async_concurrency=0: .*query-frontend results cache: max async concurrency must be positive/,
    );
  });

  it("store-gateway and ruler storage caches: memcached without addresses, unsupported backends", async () => {
    for (const [cache, chart, wrap] of [
      ["index_cache", "index-cache", "invalid TSDB config: index-cache configuration"],
      ["chunks_cache", "chunks-cache", "invalid TSDB config: chunks-cache configuration"],
      ["metadata_cache", "metadata-cache", "invalid TSDB config: metadata-cache configuration"],
    ]) {
      const path = `${sc}.blocks_storage.bucket_store.${cache}`;
      const records = set(`${path}.backend`, "memcached");
      await refuses(
        records,
        new RegExp(
          `${cache}\\.backend=memcached: Mimir refuses to start \\("error validating config: ${wrap}: no memcached addresses provided"\\).*${chart}\\.enabled is false.*${chart}\\.enabled: true`,
        ),
      );
      await passes(set(`${chart}.enabled`, true, records));
      await passes(set(`${path}.memcached.addresses`, "dns+memcached.cache.svc:11211", records));
      await refuses(
        set(`${path}.memcached.addresses`, "", set(`${chart}.enabled`, true)),
        new RegExp(`${cache}\\.memcached\\.addresses=: .*no memcached addresses provided`),
      );
    }
    await refuses(
      set(`${sc}.blocks_storage.bucket_store.index_cache.backend`, ""),
      /index_cache\.backend=: .*index-cache configuration: unsupported index cache backend/,
    );
    await refuses(
      set(`${sc}.blocks_storage.bucket_store.chunks_cache.backend`, "redis"),
      /chunks-cache configuration: unsupported cache backend: redis/,
    );
    await passes(set(`${sc}.blocks_storage.bucket_store.index_cache.backend`, "inmemory"));
    await passes(set(`${sc}.blocks_storage.bucket_store.chunks_cache.backend`, ""));
    await refuses(
      set(`${sc}.ruler_storage.cache.backend`, "memcached"),
      /ruler_storage\.cache\.backend=memcached: .*invalid rulestore config: no memcached addresses provided.*metadata-cache\.enabled is false/,
    );
    await passes(set("metadata-cache.enabled", true, set(`${sc}.ruler_storage.cache.backend`, "memcached")));
  });

  it("query-scheduler: discovery mode and max used instances", async () => {
    await refuses(
      set(`${sc}.query_scheduler.service_discovery_mode`, "consul"),
      /invalid query-scheduler config: unsupported query-scheduler service discovery mode \(supported values are: dns, ring\)/,
    );
    await refuses(
      set(`${sc}.query_scheduler.max_used_instances`, 2),
      /max used instances can be set only when -query-scheduler\.service-discovery-mode is set to 'ring'/,
    );
    await passes(
      set(`${sc}.query_scheduler.max_used_instances`, 2, set(`${sc}.query_scheduler.service_discovery_mode`, "ring")),
    );
    await passes(set(`${sc}.query_scheduler.service_discovery_mode`, "dns"));
  });

  it("usage stats installation mode and the alertmanager external URL", async () => {
    await refuses(
      set(`${sc}.usage_stats.installation_mode`, "pulumi"),
      /invalid usage stats config: unsupported installation mode: "pulumi"/,
    );
    await passes(set(`${sc}.usage_stats.installation_mode`, "custom"));
    await refuses(
      set(`${sc}.alertmanager.external_url`, "/alertmanager/"),
      /invalid alertmanager config: the configured external URL is invalid: should not end with \/"\); every alertmanager pod exits/,
    );
    await refuses(set(`${sc}.alertmanager.external_url`, "alerts.example.com/am"), /missing the scheme/);
    await passes(set(`${sc}.alertmanager.external_url`, "https://alerts.example.com/alertmanager"));
    await passes(set("alertmanager.enabled", false, set(`${sc}.alertmanager.external_url`, "/alertmanager/")));
  });
  it("S3 clients: signature version, STS endpoint, SSE, lookup type and list version (common inherited, per-store override)", async () => {
    await refuses(
      set(`${sc}.common.storage.s3.sts_endpoint`, "sts.eu-west-1.amazonaws.com"),
      /common\.storage\.s3\.sts_endpoint \(inherited by ruler_storage, blocks_storage, alertmanager_storage\)=sts\.eu-west-1\.amazonaws\.com: Mimir refuses to start \("error validating config: invalid rulestore config: sts-endpoint must be a valid url"\).*https:\/\/sts\.eu-west-1\.amazonaws\.com/,
    );
    await passes(set(`${sc}.common.storage.s3.sts_endpoint`, "https://sts.eu-west-1.amazonaws.com"));
    await refuses(
      set(`${sc}.blocks_storage.s3.signature_version`, "v3"),
      /blocks_storage\.s3\.signature_version=v3: Mimir refuses to start \("error validating config: invalid TSDB config: unsupported signature version \(supported values: v4, v2\)"\)/,
    );
    await passes(set(`${sc}.blocks_storage.s3.signature_version`, "v2"));
    await refuses(
      set(`${sc}.alertmanager_storage.s3.sse.type`, "SSE-C"),
      /invalid alertmanager storage config: unsupported S3 SSE type/,
    );
    await refuses(
      set(`${sc}.common.storage.s3.sse`, { type: "SSE-KMS" }),
      /kms_key_id must be set if sse_config\.type is set to 'SSE-KMS'"\); the rulers exit at start-up/,
    );
    await passes(
      set(`${sc}.common.storage.s3.sse`, {
        type: "SSE-KMS",
        kms_key_id: "arn:aws:kms:us-east-1:111122223333:key/abc",
        kms_encryption_context: '{"team":"observability"}',
      }),
    );
    await refuses(
      set(`${sc}.ruler_storage.s3.sse.kms_encryption_context`, "team=observability"),
      /invalid rulestore config: invalid S3 SSE encryption context/,
    );
    await refuses(
      set(`${sc}.ruler_storage.s3.sse.kms_encryption_context`, '{"n":1}'),
      /invalid S3 SSE encryption context/,
    );
    await refuses(
      set(`${sc}.common.storage.s3.bucket_lookup_type`, "dns"),
      /error loading config: unsupported bucket lookup type: dns/,
    );
    await passes(set(`${sc}.common.storage.s3.bucket_lookup_type`, "virtual-hosted"));
    await refuses(
      set(`${sc}.blocks_storage.s3.list_objects_version`, "v3"),
      /Unsupported version "v3" was provided\. Supported values are v1, v2"\); the ingesters, store-gateways, the compactor and queriers exit/,
    );
    await passes(set(`${sc}.blocks_storage.s3.list_objects_version`, "v1"));
    await refuses(
      set("ruler.extraArgs", { "ruler-storage.s3.signature-version": "v5" }),
      /ruler\.extraArgs\["ruler-storage\.s3\.signature-version"\]=v5: .*unsupported signature version/,
    );
  });

  it("S3 clients: endpoint prefixed with the bucket, an empty endpoint; stores on another backend are not judged", async () => {
    await refuses(
      set(`${sc}.blocks_storage.s3.endpoint`, "obs-prod-mimir-blocks.s3.us-east-1.amazonaws.com"),
      /blocks_storage\.s3\.endpoint=obs-prod-mimir-blocks\.s3\.us-east-1\.amazonaws\.com: .*invalid TSDB config: the endpoint must not prefixed with the bucket name/,
    );
    await passes(set(`${sc}.blocks_storage.s3.endpoint`, "s3.dualstack.us-east-1.amazonaws.com"));
    await refuses(
      set(`${sc}.alertmanager_storage.s3.endpoint`, ""),
      /no s3 endpoint in config file"\); the alertmanagers exit/,
    );
    await passes(
      set(`${sc}.alertmanager_storage.backend`, "filesystem", set(`${sc}.alertmanager_storage.s3.sse.type`, "SSE-C")),
    );
  });
});
