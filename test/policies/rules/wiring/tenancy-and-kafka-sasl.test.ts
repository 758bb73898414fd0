import { strict as assert } from "assert";
import { kafkaSaslMatchesListener } from "../../../../policies/rules/wiring/kafka-sasl-matches-listener";
import { tenancyStaysEnabled } from "../../../../policies/rules/wiring/tenancy-stays-enabled";
import { compliantStack, mutate, mutateValues, withMimirChart } from "../../support/fixture";
import { ResourceRecord, runStackPolicy, UNKNOWN } from "../../support/harness";

/** Prometheus remote-writing to Mimir as `tenant` (components/prometheus/values.ts mimirRemoteWrite). */
function remoteWriting(records: ResourceRecord[], tenant: string): ResourceRecord[] {
  return mutateValues(records, "kube-prometheus-stack", "prometheus.prometheusSpec.remoteWrite", [
    { url: "http://mimir-gateway.mimir.svc/api/v1/push", headers: { "X-Scope-OrgID": tenant } },
  ]);
}

describe("policy tenancy-stays-enabled (W4)", () => {
  it("rejects Mimir multitenancy_enabled: false while Prometheus writes as a named tenant", async () => {
    const records = mutateValues(
      remoteWriting(compliantStack(), "platform"),
      "mimir",
      "mimir.structuredConfig.multitenancy_enabled",
      false,
    );
    const run = await runStackPolicy(tenancyStaysEnabled, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.mimir\.structuredConfig\.multitenancy_enabled=false makes mimir-distributed release "mimir" store every request under tenant "anonymous" \(no_auth_tenant\) and ignore X-Scope-OrgID, yet the stack names tenants platform \(kube-prometheus-stack release "kps" values\.prometheus\.prometheusSpec\.remoteWrite\[0\]\.headers\["X-Scope-OrgID"\]\)/,
    );
    assert.match(run.violations[0].message, /Fix: remove multitenancy_enabled: false/);
  });

  it("names tenants from runtimeConfig.overrides and the -auth.multitenancy-enabled flag", async () => {
    let records = mutateValues(compliantStack(), "mimir", "runtimeConfig.overrides", {
      "team-payments": { ingestion_rate: 60000 },
    });
    records = mutateValues(records, "mimir", "distributor.extraArgs", { "auth.multitenancy-enabled": "false" });
    const run = await runStackPolicy(tenancyStaysEnabled, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.distributor\.extraArgs\["auth\.multitenancy-enabled"\]=false .* tenants team-payments \(.*runtimeConfig\.overrides\["team-payments"\]\)/,
    );
  });

  it("accepts single-tenant Mimir when every client uses its no_auth_tenant", async () => {
    let records = mutateValues(
      remoteWriting(compliantStack(), "platform"),
      "mimir",
      "mimir.structuredConfig.multitenancy_enabled",
      false,
    );
    records = mutateValues(records, "mimir", "mimir.structuredConfig.no_auth_tenant", "platform");
    assert.deepEqual((await runStackPolicy(tenancyStaysEnabled, records)).violations, []);
    const alone = mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.multitenancy_enabled", false);
    assert.deepEqual((await runStackPolicy(tenancyStaysEnabled, alone)).violations, []);
  });

  it("rejects Loki auth_enabled: false while Alloy writes as tenant prod", async () => {
    const run = await runStackPolicy(
      tenancyStaysEnabled,
      mutateValues(compliantStack(), "loki", "loki.auth_enabled", false),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.loki\.auth_enabled=false makes loki release "loki" store every log line under tenant "fake" .* tenants prod \(alloy release "alloy" values\.alloy\.configMap\.content loki\.write "default" endpoint tenant_id\)/,
    );
  });

  it("reads loki.structuredConfig.auth_enabled over loki.auth_enabled", async () => {
    const records = mutateValues(compliantStack(), "loki", "loki.structuredConfig.auth_enabled", false);
    const run = await runStackPolicy(tenancyStaysEnabled, records);
    assert.match(run.violations[0].message, /values\.loki\.structuredConfig\.auth_enabled=false/);
    const back = mutateValues(
      mutateValues(compliantStack(), "loki", "loki.auth_enabled", false),
      "loki",
      "loki.structuredConfig.auth_enabled",
      true,
    );
    assert.deepEqual((await runStackPolicy(tenancyStaysEnabled, back)).violations, []);
  });

  it("waits for a switch unknown during preview", async () => {
    const run = await runStackPolicy(
      tenancyStaysEnabled,
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.multitenancy_enabled", UNKNOWN),
    );
    assert.deepEqual(run.violations, []);
    assert.ok(run.previewAdvisory);
  });
});

/** The program's SASL/PLAIN listener (components/kafka/security.ts) and Mimir 3.0 (chart 6.0.6) logging in as mimir. */
function plainListenerStack(): ResourceRecord[] {
  let records = withMimirChart(compliantStack());
  records = mutate(
    records,
    "kafka-cluster",
    ["spec", "kafka", "listeners"],
    [
      {
        name: "saslplain",
        port: 9093,
        type: "internal",
        tls: false,
        authentication: {
          type: "custom",
          sasl: true,
          listenerConfig: {
            "sasl.enabled.mechanisms": "PLAIN",
            "plain.sasl.jaas.config":
              'org.apache.kafka.common.security.plain.PlainLoginModule required user_mimir="${strimzienv:MIMIR_KAFKA_SASL_PASSWORD}";',
          },
        },
      },
    ],
  );
  return mutateValues(records, "mimir", "mimir.structuredConfig.ingest_storage.kafka", {
    address: "kafka-kafka-bootstrap.kafka.svc:9093",
    topic: "mimir-ingest",
    auto_create_topic_enabled: false,
    sasl_username: "mimir",
    sasl_password: "${MIMIR_KAFKA_SASL_PASSWORD}",
  });
}

const LISTENER_CONFIG = ["spec", "kafka", "listeners", 0, "authentication", "listenerConfig"];

describe("policy kafka-sasl-matches-listener (W5)", () => {
  it("accepts the program's PLAIN listener and the compliant SCRAM one (S6's)", async () => {
    assert.deepEqual((await runStackPolicy(kafkaSaslMatchesListener, plainListenerStack())).violations, []);
    assert.deepEqual((await runStackPolicy(kafkaSaslMatchesListener, compliantStack())).violations, []);
  });

  it("rejects a custom listener that offers only SCRAM to Mimir 3.0", async () => {
    const records = mutate(
      plainListenerStack(),
      "kafka-cluster",
      [...LISTENER_CONFIG, "sasl.enabled.mechanisms"],
      "SCRAM-SHA-512",
    );
    const run = await runStackPolicy(kafkaSaslMatchesListener, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /Kafka "kafka" \(namespace kafka\) listener "saslplain" \(port 9093\) offers .*listenerConfig\["sasl\.enabled\.mechanisms"\]=SCRAM-SHA-512, but Mimir authenticates with PLAIN \(Mimir 3\.0 \(chart 6\.0\.6\), which speaks only SASL\/PLAIN\): the broker answers UnsupportedSaslMechanismException/,
    );
  });

  it("takes Kafka's GSSAPI default when the listener names no mechanism", async () => {
    const records = mutate(
      plainListenerStack(),
      "kafka-cluster",
      [...LISTENER_CONFIG, "sasl.enabled.mechanisms"],
      undefined,
    );
    const run = await runStackPolicy(kafkaSaslMatchesListener, records);
    assert.match(run.violations[0].message, /unset \(Kafka default GSSAPI\)/);
  });

  it("rejects a sasl_username the listener's JAAS entry does not define", async () => {
    const records = mutateValues(
      plainListenerStack(),
      "mimir",
      "mimir.structuredConfig.ingest_storage.kafka.sasl_username",
      "mimir-ingest",
    );
    const run = await runStackPolicy(kafkaSaslMatchesListener, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.mimir\.structuredConfig\.ingest_storage\.kafka\.sasl_username=mimir-ingest, but Kafka "kafka" \(namespace kafka\) listener "saslplain" \(port 9093\) defines the PLAIN users mimir in .*plain\.sasl\.jaas\.config.*SaslAuthenticationException/,
    );
  });

  it("rejects Mimir sending no credentials to a SASL listener", async () => {
    const records = mutateValues(
      plainListenerStack(),
      "mimir",
      "mimir.structuredConfig.ingest_storage.kafka.sasl_username",
      undefined,
    );
    const run = await runStackPolicy(kafkaSaslMatchesListener, records);
    assert.match(
      run.violations[0].message,
      /requires SASL .* but Mimir sends no credentials \(Mimir default ingest_storage\.kafka\.sasl_username=\)/,
    );
  });
});
