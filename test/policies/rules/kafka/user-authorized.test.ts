import { strict as assert } from "assert";
import { mimirKafkaUserAuthorized } from "../../../../policies/rules/kafka/mimir-user-authorized";
import { compliantStack, mutate, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const kafkaSetting = (records: ReturnType<typeof compliantStack>, key: string, value: unknown) =>
  mutateValues(records, "mimir", `mimir.structuredConfig.ingest_storage.kafka.${key}`, value);

describe("policy mimir-kafka-user-authorized (K19)", () => {
  it("accepts the fixture: KafkaUser mimir may read, write and describe mimir-ingest", async () => {
    assert.deepEqual((await runStackPolicy(mimirKafkaUserAuthorized, compliantStack())).violations, []);
  });

  it("rejects an auto-created topic the user's literal ACL does not cover", async () => {
    let records = kafkaSetting(compliantStack(), "topic", "mimir-ingest-v2");
    records = kafkaSetting(records, "auto_create_topic_enabled", true);
    const run = await runStackPolicy(mimirKafkaUserAuthorized, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /KafkaUser "mimir" .* is not allowed Write, Read, Describe, Create on topic "mimir-ingest-v2" .*TOPIC_AUTHORIZATION_FAILED/,
    );
  });

  it("rejects a SASL username no KafkaUser carries ACLs for", async () => {
    const run = await runStackPolicy(
      mimirKafkaUserAuthorized,
      kafkaSetting(compliantStack(), "sasl_username", "mimir-ingest"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /no KafkaUser "mimir-ingest" carries its ACLs/);
  });

  it("accepts a prefix ACL that covers the new topic, with Create on the cluster", async () => {
    let records = kafkaSetting(compliantStack(), "topic", "mimir-ingest-v2");
    records = kafkaSetting(records, "auto_create_topic_enabled", true);
    records = mutate(
      records,
      "kafka-user-mimir",
      ["spec", "authorization", "acls"],
      [
        {
          resource: { type: "topic", name: "mimir-", patternType: "prefix" },
          operations: ["Read", "Write", "Describe"],
        },
        { resource: { type: "cluster" }, operations: ["Create"] },
      ],
    );
    assert.deepEqual((await runStackPolicy(mimirKafkaUserAuthorized, records)).violations, []);
  });
});
