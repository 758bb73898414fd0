import * as assert from "node:assert/strict";
import { clientSecurity, forbiddenBy, assertBrokerConfigAccepted, mimirAcls, plainJaasConfig, MIMIR_KAFKA_CLIENT } from "../../../components/kafka";
import { settingsFor } from "./fixtures";

describe("Kafka client security (what Mimir 3.0 can actually use)", () => {
  it("dev keeps the requested unauthenticated plaintext listener", () => {
    const s = settingsFor("dev");
    const sec = clientSecurity(s);
    assert.deepEqual(sec.client, { kind: "none" });
    assert.equal(sec.tls, false);
    assert.equal(sec.authorization, false);
    assert.equal(sec.listenerName, s.kafka.listener.name);
    assert.equal(sec.port, s.kafka.listener.port);
    assert.deepEqual(sec.deviations, []);
  });

  for (const profile of ["staging", "prod"] as const) {
    it(`${profile}: settings ask for SASL/PLAIN, which Mimir 3.0 speaks, with no deviation`, () => {
      const s = settingsFor(profile);
      assert.equal(s.kafka.listener.authentication, "plain");
      const sec = clientSecurity(s);
      assert.deepEqual(sec.client, { kind: "sasl-plain", username: s.kafka.mimirUser });
      assert.equal(sec.authorization, true);
      assert.deepEqual(sec.deviations, []);
    });

    it(`${profile}: replaces SCRAM over TLS by SASL/PLAIN that Mimir 3.0 speaks, says why, keeps the bootstrap port`, () => {
      const s = settingsFor(profile);
      s.kafka.listener = { ...s.kafka.listener, tls: true, authentication: "scram-sha-512" };
      const sec = clientSecurity(s);
      assert.deepEqual(sec.client, { kind: "sasl-plain", username: s.kafka.mimirUser });
      assert.ok((MIMIR_KAFKA_CLIENT.saslMechanisms as readonly string[]).includes("PLAIN"));
      assert.equal(sec.tls, MIMIR_KAFKA_CLIENT.tls);
      assert.equal(sec.authorization, true);
      assert.equal(sec.port, s.kafka.listener.port);
      assert.ok(s.kafka.bootstrapAddress.endsWith(`:${sec.port}`));
      assert.equal(sec.deviations.length, 2);
      assert.match(sec.deviations.join("\n"), /SCRAM arrives in Mimir 3\.1/);
      assert.match(sec.deviations.join("\n"), /no TLS/);
      assert.match(sec.listenerName, /^[a-z0-9]{1,11}$/);
    });
  }

  it("rejects a listener name Strimzi would refuse, naming it and the rule", () => {
    const s = settingsFor("dev");
    s.kafka.listener = { ...s.kafka.listener, name: "Plain-Listener" };
    assert.throws(() => clientSecurity(s), /"Plain-Listener".*1-11 characters from a-z and 0-9/);
  });

  it("JAAS entry names the user and reads the password from the environment, never containing it", () => {
    const jaas = plainJaasConfig("mimir", "SOME_VAR");
    assert.equal(jaas, 'org.apache.kafka.common.security.plain.PlainLoginModule required user_mimir="${strimzienv:SOME_VAR}";');
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
    assert.ok(acls.some((a) => a.resource.type === "group" && a.operations.includes("Read")), "offset commits need group Read");
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
      () => assertBrokerConfigAccepted({ "message.max.bytes": 1, "sasl.enabled.mechanisms": "PLAIN", "authorizer.class.name": "x" }, "overrides.kafkaCluster"),
      (e: Error) =>
        /overrides\.kafkaCluster/.test(e.message) &&
        /"sasl\.enabled\.mechanisms" \(forbidden prefix "sasl\."\)/.test(e.message) &&
        /"authorizer\.class\.name"/.test(e.message) &&
        !/message\.max\.bytes/.test(e.message),
    );
  });
});
