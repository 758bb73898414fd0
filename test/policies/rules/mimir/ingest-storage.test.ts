import { strict as assert } from "assert";
import { mimirIngestStorageConfigValid } from "../../../../policies/rules/mimir/ingest-storage-config-valid";
import { compliantStack, mutateValues, withMimirChart } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const kafka = (key: string, value: unknown) =>
  mutateValues(compliantStack(), "mimir", `mimir.structuredConfig.ingest_storage.kafka.${key}`, value);
const messages = async (records = compliantStack()) =>
  (await runStackPolicy(mimirIngestStorageConfigValid, records)).violations.map((v) => v.message);

describe("policy mimir-ingest-storage-config-valid (M9)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual(await messages(), []);
  });

  it("rejects a producer record size outside the range Mimir accepts at start-up, quoting Mimir's error", async () => {
    for (const value of [1_048_575, 16_000_000]) {
      const found = await messages(kafka("producer_max_record_size_bytes", value));
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        new RegExp(
          `producer_max_record_size_bytes=${value}: Mimir refuses to start with "the configured producer max record size bytes must be a value between 1048576 and 15983616"`,
        ),
      );
    }
    assert.deepEqual(await messages(kafka("producer_max_record_size_bytes", 15_983_616)), []);
  });

  it("rejects a fetch max wait outside 5s..30s, zero write clients and an over-large buffer", async () => {
    assert.match(
      (await messages(kafka("fetch_max_wait", "1s")))[0],
      /the Kafka fetch max wait must be between 5s and 30s/,
    );
    assert.match((await messages(kafka("write_clients", 0)))[0], /the configured number of write clients is invalid/);
    assert.match(
      (await messages(kafka("max_buffered_bytes", 2_147_483_647)))[0],
      /max-buffered-bytes must be less than 2147483647/,
    );
  });

  it("rejects a SASL username without a password", async () => {
    const found = await messages(kafka("sasl_password", ""));
    assert.match(
      found[0],
      /ingest_storage\.kafka\.sasl_password="": Mimir refuses to start with "the SASL username and password must be both configured/,
    );
  });

  it("rejects keys Mimir 3.0 does not have on chart 6.0.x (strict YAML), and accepts them on 6.1", async () => {
    const found = await messages(withMimirChart(compliantStack()));
    assert.deepEqual(
      found.map((m) => m.split("=")[0]).sort(),
      [
        'mimir-distributed release "mimir" values.mimir.structuredConfig.ingest_storage.kafka.sasl_mechanism',
        'mimir-distributed release "mimir" values.mimir.structuredConfig.ingest_storage.kafka.tls_enabled',
      ].sort(),
    );
    assert.match(
      found[0],
      /"field \w+ not found in type ingest\.KafkaConfig": Mimir 3\.0 \(chart 6\.0\.6\) has no such key; it arrives in Mimir 3\.1/,
    );
  });
});
