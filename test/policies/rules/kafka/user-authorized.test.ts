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

  describe("KafkaUsers their Kafka can serve", () => {
    const authorization = (value: unknown) =>
      mutate(compliantStack(), "kafka-cluster", ["spec", "kafka", "authorization"], value);

    it("rejects a KafkaUser with simple ACLs on a Kafka without an authorizer managing ACLs", async () => {
      const run = await runStackPolicy(mimirKafkaUserAuthorized, authorization(undefined));
      assert.equal(run.violations.length, 1);
      assert.match(
        run.violations[0].message,
        /KafkaUser "mimir".* carries simple ACLs .*has no spec\.kafka\.authorization: the User Operator refuses the user \("Simple authorization ACL rules are configured but not supported in the Kafka cluster configuration\."\), it never turns Ready/,
      );
      for (const value of [
        { type: "custom", authorizerClass: "x.Authorizer" },
        { type: "keycloak" },
        { type: "opa" },
      ]) {
        assert.match(
          (await runStackPolicy(mimirKafkaUserAuthorized, authorization(value))).violations[0]?.message ?? "",
          /does not let the Admin API manage ACLs/,
        );
      }
    });

    it("accepts authorizers that manage ACLs, and a user without ACLs on a Kafka without authorization", async () => {
      for (const value of [
        { type: "custom", authorizerClass: "x.Authorizer", supportsAdminApi: true },
        { type: "keycloak", delegateToKafkaAcls: true },
      ]) {
        assert.deepEqual((await runStackPolicy(mimirKafkaUserAuthorized, authorization(value))).violations, []);
      }
      const noAcls = mutate(authorization(undefined), "kafka-user-mimir", ["spec", "authorization"], undefined);
      assert.deepEqual((await runStackPolicy(mimirKafkaUserAuthorized, noAcls)).violations, []);
    });

    it("rejects a KafkaUser whose authentication type no listener offers, and accepts one a listener offers", async () => {
      const userAuth = (type: string, records = compliantStack()) =>
        mutate(records, "kafka-user-mimir", ["spec", "authentication", "type"], type);
      for (const type of ["tls", "tls-external"]) {
        const found = (await runStackPolicy(mimirKafkaUserAuthorized, userAuth(type))).violations;
        assert.equal(found.length, 1);
        assert.match(
          found[0].message,
          new RegExp(
            `KafkaUser "mimir".* authenticates with ${type} .*no listener of Kafka "kafka".* offers tls authentication \\(spec\\.kafka\\.listeners: scram-sha-512\\)`,
          ),
        );
      }
      const tlsListener = mutate(
        userAuth("tls-external"),
        "kafka-cluster",
        ["spec", "kafka", "listeners", "0", "authentication", "type"],
        "tls",
      );
      assert.deepEqual((await runStackPolicy(mimirKafkaUserAuthorized, tlsListener)).violations, []);
      const custom = mutate(
        userAuth("tls"),
        "kafka-cluster",
        ["spec", "kafka", "listeners", "0", "authentication", "type"],
        "custom",
      );
      assert.deepEqual((await runStackPolicy(mimirKafkaUserAuthorized, custom)).violations, []);
    });
  });
});
