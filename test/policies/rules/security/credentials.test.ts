import { strict as assert } from "assert";
import { noPlaintextPasswords } from "../../../../policies/rules/security/no-plaintext-passwords";
import { noStaticAwsKeys } from "../../../../policies/rules/security/no-static-aws-keys";
import { compliantStack, mutateValues } from "../../support/fixture";
import { ResourceRecord, runStackPolicy } from "../../support/harness";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

describe("policy no-static-aws-keys (S4)", () => {
  it("rejects a secret_access_key in Mimir's structured config without echoing it", async () => {
    const run = await runStackPolicy(
      noStaticAwsKeys,
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.blocks_storage.s3.secret_access_key", SECRET),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^mimir-distributed release "mimir" values\.mimir\.structuredConfig\.blocks_storage\.s3\.secret_access_key holds a static AWS key \(value not shown\)/,
    );
    assert.ok(!run.violations[0].message.includes(SECRET));
  });

  it("rejects AWS env literals and access key ids inside config text", async () => {
    let records = mutateValues(compliantStack(), "loki", "singleBinary.extraEnv", [
      { name: "AWS_ACCESS_KEY_ID", value: "AKIAIOSFODNN7EXAMPLE" },
    ]);
    records = mutateValues(
      records,
      "alloy",
      "alloy.configMap.content",
      'remote.s3 "x" {\n  client { key = "AKIAIOSFODNN7EXAMPLE" }\n}\n',
    );
    const run = await runStackPolicy(noStaticAwsKeys, records);
    assert.equal(run.violations.length, 2);
    assert.match(
      run.violations[0].message,
      /values\.singleBinary\.extraEnv\[0\] \(env AWS_ACCESS_KEY_ID\) sets a static AWS key/,
    );
    assert.match(run.violations[1].message, /values\.alloy\.configMap\.content contains an AWS access key id/);
  });

  it("accepts an env reference resolved at run time", async () => {
    const records = mutateValues(
      compliantStack(),
      "mimir",
      "mimir.structuredConfig.blocks_storage.s3.secret_access_key",
      "${AWS_SECRET_ACCESS_KEY}",
    );
    assert.deepEqual((await runStackPolicy(noStaticAwsKeys, records)).violations, []);
  });
});

describe("policy no-plaintext-passwords (S5)", () => {
  it("rejects a literal sasl_password", async () => {
    const run = await runStackPolicy(
      noPlaintextPasswords,
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.ingest_storage.kafka.sasl_password", "hunter2"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /ingest_storage\.kafka\.sasl_password holds a literal password \(value not shown\)/,
    );
    assert.ok(!run.violations[0].message.includes("hunter2"));
  });

  it("rejects grafana.adminPassword and accepts admin.existingSecret", async () => {
    const run = await runStackPolicy(
      noPlaintextPasswords,
      mutateValues(compliantStack(), "kube-prometheus-stack", "grafana.adminPassword", "prom-operator"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /kube-prometheus-stack release "kps" values\.grafana\.adminPassword/);
  });

  it("rejects mimir-distributed's bundled MinIO, enabled by default with a default password", async () => {
    const run = await runStackPolicy(noPlaintextPasswords, mutateValues(compliantStack(), "mimir", "minio", undefined));
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /values\.minio\.enabled is absent \(chart default true\)/);
  });

  it("scans custom resources and config maps but not Secrets", async () => {
    const configText = { "config.yaml": "auth:\n  password: hunter2\n" };
    const extra: ResourceRecord[] = [
      {
        type: "kubernetes:core/v1:ConfigMap",
        name: "app-config",
        props: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app" }, data: configText },
      },
      {
        type: "kubernetes:core/v1:Secret",
        name: "app-secret",
        props: { apiVersion: "v1", kind: "Secret", metadata: { name: "app" }, stringData: { password: "hunter2" } },
      },
    ];
    const run = await runStackPolicy(noPlaintextPasswords, [...compliantStack(), ...extra]);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /ConfigMap "app-config" data\["config\.yaml"\] configuration text with an inline password/,
    );
  });

  it("accepts passwords taken from a Secret through valueFrom", async () => {
    const records = mutateValues(compliantStack(), "mimir", "distributor.env", [
      { name: "KAFKA_SASL_PASSWORD", valueFrom: { secretKeyRef: { name: "mimir-kafka", key: "password" } } },
    ]);
    assert.deepEqual((await runStackPolicy(noPlaintextPasswords, records)).violations, []);
  });
});
