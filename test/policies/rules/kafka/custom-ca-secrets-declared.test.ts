import { strict as assert } from "assert";
import { customCaSecretsDeclared } from "../../../../policies/rules/kafka/custom-ca-secrets-declared";
import { compliantStack, mutate } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

const run = (records = compliantStack()) => runStackPolicy(customCaSecretsDeclared, records);
const ownCa = (field: string, records = compliantStack()) =>
  mutate(records, "kafka-cluster", ["spec", field, "generateCertificateAuthority"], false);
const secret = (name: string, namespace = "kafka") => ({
  type: "kubernetes:core/v1:Secret",
  name: `secret-${name}`,
  props: { metadata: { name, namespace }, type: "Opaque" },
});

describe("policy kafka-custom-ca-secrets-declared (K24)", () => {
  it("passes the compliant fixture (Strimzi generates both CAs)", async () => {
    assert.deepEqual((await run()).violations, []);
  });

  it("rejects a cluster CA Strimzi must not generate when the stack declares none of its Secrets", async () => {
    const result = await run(ownCa("clusterCa"));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /spec\.clusterCa\.generateCertificateAuthority=false but the stack declares no Secret kafka-cluster-ca-cert or kafka-cluster-ca in namespace kafka: .*"Cluster CA should not be generated, but the secrets were not found\."/,
    );
  });

  it("names the one Secret missing, for the clients CA too", async () => {
    const result = await run([...ownCa("clientsCa"), secret("kafka-clients-ca-cert")]);
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0].message, /declares no Secret kafka-clients-ca in namespace kafka: .*"Clients CA/);
  });

  it("accepts a user CA whose Secrets the stack declares, and waits for an unknown flag", async () => {
    const declared = [...ownCa("clusterCa"), secret("kafka-cluster-ca-cert"), secret("kafka-cluster-ca")];
    assert.deepEqual((await run(declared)).violations, []);
    const elsewhere = [
      ...ownCa("clusterCa"),
      secret("kafka-cluster-ca-cert", "mimir"),
      secret("kafka-cluster-ca", "mimir"),
    ];
    assert.equal((await run(elsewhere)).violations.length, 1, "Strimzi reads them from the Kafka namespace only");
    const unknown = mutate(
      compliantStack(),
      "kafka-cluster",
      ["spec", "clusterCa", "generateCertificateAuthority"],
      UNKNOWN,
    );
    assert.deepEqual((await run(unknown)).violations, []);
  });
});
