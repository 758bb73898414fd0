import * as assert from "node:assert/strict";
import {
  clientSecurity,
  forbiddenBy,
  assertBrokerConfigAccepted,
  mimirAcls,
  plainJaasConfig,
  MIMIR_KAFKA_CLIENT,
} from "../../../components/kafka";
import { settingsFor } from "../fixtures";

describe("Kafka client security (what Mimir 3.0 can actually use)", () => {
  it("dev keeps the requested unauthenticated plaintext listener", () => {
    const s = settingsFor("dev");
    const sec = clientSecurity(s);
    assert.deepEqual(sec.client, { kind: "none" });
    assert.equal(sec.tls, false);
    assert.equal(sec.authorization, false);
    assert.equal(sec.listenerName, s.kafka.listener.name);
    assert.equal(sec.port, s.kafka.listener.port);
  });

  for (const profile of ["staging", "prod"] as const) {
    it(`${profile}: opens the SASL/PLAIN listener settings ask for, on their name and port`, () => {
      const s = settingsFor(profile);
      assert.equal(s.kafka.listener.authentication, "plain");
      const sec = clientSecurity(s);
      assert.deepEqual(sec.client, { kind: "sasl-plain", username: s.kafka.mimirUser });
      assert.equal(sec.authorization, true);
      assert.equal(sec.tls, false);
      assert.equal(sec.listenerName, s.kafka.listener.name);
      assert.ok(s.kafka.bootstrapAddress.endsWith(`:${sec.port}`));
    });
  }

  it("refuses a listener Mimir 3.0's client cannot use (SCRAM, TLS), naming the key and what is allowed", () => {
    const s = settingsFor("prod");
    assert.ok(!(MIMIR_KAFKA_CLIENT.saslMechanisms as readonly string[]).includes("SCRAM-SHA-512"));
    assert.throws(
      () =>
        clientSecurity({
          ...s,
          kafka: { ...s.kafka, listener: { ...s.kafka.listener, authentication: "scram-sha-512" } },
        }),
      /settings\.kafka\.listener\.authentication = "scram-sha-512".*allowed: "plain", "none"/,
    );
    for (const authentication of ["plain", "none"] as const) {
      assert.throws(
        () =>
          clientSecurity({ ...s, kafka: { ...s.kafka, listener: { ...s.kafka.listener, authentication, tls: true } } }),
        /settings\.kafka\.listener\.tls = true: .*no TLS.*allowed: false/,
        authentication,
      );
    }
  });

  it("rejects a listener name Strimzi would refuse, naming it and the rule", () => {
    const s = settingsFor("dev");
    s.kafka.listener = { ...s.kafka.listener, name: "Plain-Listener" };
    assert.throws(() => clientSecurity(s), /"Plain-Listener".*1-11 characters from a-z and 0-9/);
  });

  it("JAAS entry names the user and reads the password from the environment, never containing it", () => {
    const jaas = plainJaasConfig("mimir", "SOME_VAR");
    assert.equal(
      jaas,
      'org.apache.kafka.common.security.plain.PlainLoginModule required user_mimir="${strimzienv:SOME_VAR}";',
    );
    assert.throws(() => plainJaasConfig('mi"mir', "X"), /username "mi"mir"/);
  });

  it("ACLs let Mimir produce to and consume its topic, commit offsets, and nothing else", () => {
    const acls = mimirAcls("mimir-ingest");
    const topic = acls.find((a) => a.resource.type === "topic");
    assert.ok(topic);
    assert.equal(topic.resource.name, "mimir-ingest");
    for (const op of ["Read", "Write", "Describe"]) assert.ok(topic.operations.includes(op), op);
    for (const acl of acls) {
      assert.ok(!acl.operations.includes("All"));
      assert.ok(!acl.operations.includes("Create"), "auto topic creation is off; Mimir must not create topics");
      assert.ok(!acl.operations.includes("Delete"));
    }
    assert.ok(
      acls.some((a) => a.resource.type === "group" && a.operations.includes("Read")),
      "offset commits need group Read",
    );
  });
});

describe("Strimzi broker config filter", () => {
  it("passes every key settings derive (log.segment.bytes included)", () => {
    for (const profile of ["dev", "staging", "prod"] as const) {
      const config = settingsFor(profile).kafka.brokerConfig;
      assert.ok("log.segment.bytes" in config);
      for (const key of Object.keys(config)) assert.equal(forbiddenBy(key), undefined, key);
      assert.doesNotThrow(() => assertBrokerConfigAccepted(config, "settings"));
    }
  });

  it("names keys Strimzi would silently drop, honouring its exceptions", () => {
    assert.equal(forbiddenBy("listeners"), "listeners");
    assert.equal(forbiddenBy("ssl.keystore.location"), "ssl.");
    assert.equal(forbiddenBy("ssl.enabled.protocols"), undefined);
    assert.equal(forbiddenBy("controller.quorum.election.timeout.ms"), undefined);
    assert.throws(
      () =>
        assertBrokerConfigAccepted(
          { "message.max.bytes": 1, "sasl.enabled.mechanisms": "PLAIN", "authorizer.class.name": "x" },
          "overrides.kafkaCluster",
        ),
      (e: Error) =>
        /overrides\.kafkaCluster/.test(e.message) &&
        /"sasl\.enabled\.mechanisms" \(forbidden prefix "sasl\."\)/.test(e.message) &&
        /"authorizer\.class\.name"/.test(e.message) &&
        !/message\.max\.bytes/.test(e.message),
    );
  });
});
