import { strict as assert } from "assert";
import { lokiReleases } from "../../../policies/lib/loki";
import { mimirReleases } from "../../../policies/lib/mimir";
import { StackView } from "../../../policies/lib/stack";
import { isUnknown } from "../../../policies/lib/unknown";
import { compliantStack, mutateValues } from "../support/fixture";
import { ResourceRecord, stackValidationArgs, UNKNOWN } from "../support/harness";

const viewOf = (records: ResourceRecord[]) => new StackView(stackValidationArgs(records).resources);
const mimirWith = (path: string, value: unknown) =>
  mimirReleases(viewOf(mutateValues(compliantStack(), "mimir", `mimir.structuredConfig.${path}`, value)))[0];
const mimirValues = (path: string, value: unknown) =>
  mimirReleases(viewOf(mutateValues(compliantStack(), "mimir", path, value)))[0];
const lokiWith = (path: string, value: unknown) =>
  lokiReleases(viewOf(mutateValues(compliantStack(), "loki", `loki.structuredConfig.${path}`, value)))[0];

describe("policies/lib Mimir and Loki config reads", () => {
  it("takes a structuredConfig value over the product default, naming where it is set", () => {
    assert.deepEqual(
      mimirWith("ingest_storage.kafka.write_clients", "4").number("ingest_storage.kafka.write_clients"),
      {
        value: 4,
        where: 'mimir-distributed release "mimir" values.mimir.structuredConfig.ingest_storage.kafka.write_clients',
      },
    );
    assert.deepEqual(
      mimirWith("ingest_storage.kafka.write_clients", undefined).number("ingest_storage.kafka.write_clients"),
      { value: 1, where: "Mimir default ingest_storage.kafka.write_clients" },
    );
  });

  it("keeps each product's number syntax: Mimir integers only, Loki decimals too", () => {
    assert.throws(
      () => mimirWith("ingest_storage.kafka.write_clients", "1.5").number("ingest_storage.kafka.write_clients"),
      /write_clients="1\.5" is not an integer\./,
    );
    assert.equal(
      (
        lokiWith("limits_config.ingestion_burst_size_mb", "1.5").number("limits_config.ingestion_burst_size_mb") as {
          value: number;
        }
      ).value,
      1.5,
    );
    assert.throws(
      () => lokiWith("limits_config.ingestion_burst_size_mb", "lots").number("limits_config.ingestion_burst_size_mb"),
      /ingestion_burst_size_mb="lots" is not a number\./,
    );
  });

  it("parses each key's duration in the format the product reads it with", () => {
    // Mimir limits.* are Prometheus durations (days allowed); other keys are Go durations (no days).
    assert.equal(
      (
        mimirWith("limits.compactor_blocks_retention_period", "30d").duration(
          "limits.compactor_blocks_retention_period",
        ) as { value: number }
      ).value,
      30 * 86_400_000,
    );
    assert.throws(
      () => mimirWith("querier.query_store_after", "1d").duration("querier.query_store_after"),
      /query_store_after="1d" is not a Go duration/,
    );
    assert.throws(
      () => lokiWith("compactor.retention_delete_delay", "1d").duration("compactor.retention_delete_delay"),
      /retention_delete_delay="1d" is not a Go duration/,
    );
  });

  it("reads booleans written as strings, rejects other values and passes unknowns through", () => {
    assert.equal(
      (lokiWith("compactor.retention_enabled", "true").boolean("compactor.retention_enabled") as { value: boolean })
        .value,
      true,
    );
    assert.throws(
      () => mimirWith("ingest_storage.enabled", "yes").boolean("ingest_storage.enabled"),
      /ingest_storage\.enabled="yes" is not true or false\./,
    );
    assert.ok(isUnknown(mimirWith("ingest_storage.enabled", UNKNOWN).boolean("ingest_storage.enabled")));
  });

  it("refuses a key without a known default as a programming error, not bad input", () => {
    assert.throws(
      () => mimirWith("ingest_storage.enabled", true).string("no.such.key"),
      /internal: no default known for Mimir key no\.such\.key/,
    );
    assert.throws(
      () => lokiWith("compactor.retention_enabled", true).string("no.such.key"),
      /internal: no default known for Loki key no\.such\.key/,
    );
  });

  it("lays Mimir pods out as the chart does: ceil(replicas / zones) in each zone, all in one group without zones", () => {
    // The fixture's store-gateways are zone-aware over 3 zones.
    assert.deepEqual(mimirValues("store_gateway.replicas", 4).podsPerZone("store_gateway"), {
      value: { zones: 3, perZone: 2 },
      where:
        'mimir-distributed release "mimir" values.store_gateway.replicas=4 over 3 zones (mimir-distributed release "mimir" values.store_gateway.zoneAwareReplication.zones), 2 per zone',
    });
    assert.deepEqual(
      (mimirValues("ingester.zoneAwareReplication.enabled", false).podsPerZone("ingester") as { value: unknown }).value,
      { zones: 1, perZone: 6 },
    );
    assert.ok(isUnknown(mimirValues("ingester.replicas", UNKNOWN).podsPerZone("ingester")));
  });
});
