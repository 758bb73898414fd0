import { strict as assert } from "assert";
import { mimirConfigValid } from "../../../../policies/rules/mimir/config-valid";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const sc = "mimir.structuredConfig";
const set = (path: string, value: unknown, records = compliantStack()) => mutateValues(records, "mimir", path, value);
const messages = async (records = compliantStack()) =>
  (await runStackPolicy(mimirConfigValid, records)).violations.map((v) => v.message);

describe("policy mimir-config-valid (M13): limits, shard sizes and querier", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual(await messages(), []);
  });

  it("rejects an estimated-chunks multiplier between 0 and 1, in the defaults and in a tenant", async () => {
    const found = await messages(set(`${sc}.limits.max_estimated_fetched_chunks_per_query_multiplier`, 0.5));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /max_estimated_fetched_chunks_per_query_multiplier=0\.5: Mimir refuses to start \("error validating config: invalid value for -querier\.max-estimated-fetched-chunks-per-query-multiplier: must be 0 or greater than or equal to 1"\)/,
    );
    const tenant = await messages(
      set("runtimeConfig.overrides.team-a.max_estimated_fetched_chunks_per_query_multiplier", 0.9),
    );
    assert.match(tenant[0], /validating runtime config overrides of tenant "team-a": invalid value for/);
    for (const ok of [0, 1, 1.5]) {
      assert.deepEqual(await messages(set(`${sc}.limits.max_estimated_fetched_chunks_per_query_multiplier`, ok)), []);
    }
  });

  it("rejects enum limits no Mimir version accepts; accepts their documented values", async () => {
    assert.match(
      (await messages(set(`${sc}.limits.ingest_storage_read_consistency`, "linearizable")))[0],
      /ingest_storage_read_consistency=linearizable: Mimir refuses to start \("error validating config: invalid ingest storage read consistency \(supported values: strong, eventual\)"\)/,
    );
    assert.match(
      (await messages(set(`${sc}.limits.name_validation_scheme`, "utf-8")))[0],
      /unrecognized name validation scheme: utf-8/,
    );
    assert.match(
      (await messages(set("runtimeConfig.overrides.team-a.otel_translation_strategy", "NoEscaping")))[0],
      /tenant "team-a": unsupported OTLP translation strategy "NoEscaping"/,
    );
    assert.match(
      (await messages(set(`${sc}.limits.label_value_length_over_limit_strategy`, "hash")))[0],
      /label_value_length_over_limit_strategy=hash: Mimir refuses to start/,
    );
    for (const [key, value] of [
      ["ingest_storage_read_consistency", "strong"],
      ["name_validation_scheme", "utf8"],
      ["otel_translation_strategy", "NoTranslation"],
      ["label_value_length_over_limit_strategy", "truncate"],
    ]) {
      assert.deepEqual(await messages(set(`${sc}.limits.${key}`, value)), [], `${key}: ${value}`);
    }
  });

  it("rejects a negative distributor or store-gateway tenant shard size; accepts 0 and positive", async () => {
    assert.match(
      (await messages(set(`${sc}.limits.ingestion_tenant_shard_size`, -1)))[0],
      /invalid distributor config: invalid tenant shard size/,
    );
    assert.match(
      (await messages(set(`${sc}.limits.store_gateway_tenant_shard_size`, -3)))[0],
      /invalid store-gateway config: invalid tenant shard size/,
    );
    assert.deepEqual(await messages(set(`${sc}.limits.store_gateway_tenant_shard_size`, 3)), []);
    assert.deepEqual(await messages(set(`${sc}.limits.ingestion_tenant_shard_size`, 0)), []);
  });

  it("rejects an unknown query engine and zero streaming buffers; accepts mimir and prometheus", async () => {
    assert.match(
      (await messages(set(`${sc}.querier.query_engine`, "mqe")))[0],
      /query_engine=mqe: Mimir refuses to start \("error validating config: invalid querier config: unknown PromQL engine 'mqe'"\)/,
    );
    assert.match(
      (await messages(set(`${sc}.querier.streaming_chunks_per_ingester_series_buffer_size`, 0)))[0],
      /streaming_chunks_per_ingester_series_buffer_size=0: Mimir refuses to start/,
    );
    assert.deepEqual(await messages(set(`${sc}.querier.query_engine`, "mimir")), []);
    assert.deepEqual(await messages(set(`${sc}.querier.query_engine`, "prometheus")), []);
    assert.deepEqual(
      await messages(set(`${sc}.querier.streaming_chunks_per_store_gateway_series_buffer_size`, 512)),
      [],
    );
  });

  it("rejects a querier timeout above the HTTP server write timeout; accepts raising both", async () => {
    assert.match(
      (await messages(set(`${sc}.querier.timeout`, "5m")))[0],
      /querier\.timeout=5m: Mimir refuses to start \("error validating config: querier timeout \(5m\) must be lower than or equal to HTTP server write timeout \(2m\)"\)/,
    );
    assert.deepEqual(
      await messages(set(`${sc}.server.http_server_write_timeout`, "5m", set(`${sc}.querier.timeout`, "5m"))),
      [],
    );
    assert.deepEqual(await messages(set(`${sc}.querier.timeout`, "1m")), []);
  });
});
