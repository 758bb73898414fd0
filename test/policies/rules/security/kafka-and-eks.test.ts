import { strict as assert } from "assert";
import { eksPublicEndpointRestricted } from "../../../../policies/rules/security/eks-public-endpoint-restricted";
import { gatewaysRequireBasicAuth } from "../../../../policies/rules/security/gateways-require-basic-auth";
import { kafkaClientsAuthenticate } from "../../../../policies/rules/security/kafka-clients-authenticate";
import { compliantStack, mutate, mutateValues, retag, T, without, withMimirChart } from "../../support/fixture";
import { runStackPolicy, urnOf } from "../../support/harness";

const kafkaValue = (key: string, value: unknown) =>
  mutateValues(compliantStack(), "mimir", `mimir.structuredConfig.ingest_storage.kafka.${key}`, value);

describe("policy kafka-clients-authenticate (S6)", () => {
  it("rejects a listener without authentication in prod", async () => {
    const run = await runStackPolicy(
      kafkaClientsAuthenticate,
      mutate(compliantStack(), "kafka-cluster", ["spec", "kafka", "listeners", 0, "authentication"], undefined),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^Kafka "kafka" \(namespace kafka\) listener "tls" .* has no authentication in prod/,
    );
    assert.equal(run.violations[0].urn, urnOf(T.kafka, "kafka-cluster"));
  });

  it("does not require authentication in dev", async () => {
    const records = retag(
      mutate(compliantStack(), "kafka-cluster", ["spec", "kafka", "listeners", 0, "authentication"], undefined),
      "dev",
    );
    assert.deepEqual((await runStackPolicy(kafkaClientsAuthenticate, records)).violations, []);
  });

  it("rejects Mimir's default PLAIN mechanism against a scram-sha-512 listener, in any environment", async () => {
    const run = await runStackPolicy(kafkaClientsAuthenticate, retag(kafkaValue("sasl_mechanism", undefined), "dev"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /listener "tls" \(port 9093\) authenticates with scram-sha-512 but Mimir sends Mimir default ingest_storage\.kafka\.sasl_mechanism=PLAIN/,
    );
  });

  it("says that SCRAM needs Mimir 3.1 when the chart runs Mimir 3.0 (its fix would otherwise stop Mimir)", async () => {
    const run = await runStackPolicy(kafkaClientsAuthenticate, withMimirChart(kafkaValue("sasl_mechanism", undefined)));
    assert.match(
      run.violations[0].message,
      /These keys need Mimir 3\.1 \(mimir-distributed 6\.1\); chart 6\.0\.6 runs Mimir 3\.0, which speaks only SASL\/PLAIN without TLS/,
    );
  });

  it("rejects a SCRAM username without a matching KafkaUser", async () => {
    const run = await runStackPolicy(kafkaClientsAuthenticate, without(compliantStack(), "kafka-user-mimir"));
    assert.match(run.violations[0].message, /no KafkaUser "mimir" with scram-sha-512 belongs to Kafka "kafka"/);
  });

  it("rejects TLS off against a TLS listener", async () => {
    const run = await runStackPolicy(kafkaClientsAuthenticate, kafkaValue("tls_enabled", undefined));
    assert.match(run.violations[0].message, /requires TLS but Mimir default ingest_storage\.kafka\.tls_enabled=false/);
  });

  it("rejects the chart's unauthenticated built-in Kafka in prod", async () => {
    let records = mutateValues(compliantStack(), "mimir", "kafka", undefined);
    records = mutateValues(records, "mimir", "mimir.structuredConfig.ingest_storage.kafka", {});
    const run = await runStackPolicy(kafkaClientsAuthenticate, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /writes to the built-in Kafka of mimir-distributed release "mimir" .* PLAINTEXT without authentication/,
    );
  });

  it("rejects connecting to an external Kafka without credentials in prod", async () => {
    let records = kafkaValue("address", "b-1.msk.example.com:9096");
    records = mutateValues(records, "mimir", "mimir.structuredConfig.ingest_storage.kafka.sasl_username", undefined);
    const run = await runStackPolicy(kafkaClientsAuthenticate, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /connects to external Kafka at b-1\.msk\.example\.com:9096 without credentials in prod/,
    );
  });
});

describe("policy eks-public-endpoint-restricted (S7)", () => {
  it("rejects a public endpoint open to 0.0.0.0/0 in prod", async () => {
    const run = await runStackPolicy(
      eksPublicEndpointRestricted,
      mutate(compliantStack(), "eks-cluster", ["vpcConfig", "publicAccessCidrs"], ["0.0.0.0/0"]),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /EKS Cluster "eks-cluster" vpcConfig\.endpointPublicAccess=true with publicAccessCidrs 0\.0\.0\.0\/0 opening 4,294,967,296 addresses \(100% of IPv4\) in prod/,
    );
  });

  it("treats absent CIDRs as EKS's 0.0.0.0/0 default", async () => {
    const run = await runStackPolicy(
      eksPublicEndpointRestricted,
      mutate(compliantStack(), "eks-cluster", ["vpcConfig", "publicAccessCidrs"], undefined),
    );
    assert.match(
      run.violations[0].message,
      /publicAccessCidrs none \(EKS default 0\.0\.0\.0\/0\) opening 4,294,967,296 addresses/,
    );
  });

  const cidrs = (list: string[]) => mutate(compliantStack(), "eks-cluster", ["vpcConfig", "publicAccessCidrs"], list);
  it("judges the addresses the blocks open together, not their spelling", async () => {
    for (const bypass of [
      ["0.0.0.0/1", "128.0.0.0/1"],
      ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"],
      ["10.0.0.0/8"],
      ["11.0.0.0/17", "12.0.0.0/17", "13.0.0.0/17"],
      ["::/0"],
    ]) {
      const run = await runStackPolicy(eksPublicEndpointRestricted, cidrs(bypass));
      assert.equal(run.violations.length, 1, bypass.join(", "));
    }
  });

  it("accepts known networks up to maxPublicShare, counting overlaps once", async () => {
    assert.deepEqual(
      (await runStackPolicy(eksPublicEndpointRestricted, cidrs(["203.0.113.0/24", "198.51.100.0/24"]))).violations,
      [],
    );
    assert.deepEqual(
      (await runStackPolicy(eksPublicEndpointRestricted, cidrs(["11.0.0.0/16", "11.0.0.0/17", "11.0.128.0/17"])))
        .violations,
      [],
    );
    assert.equal(
      (await runStackPolicy(eksPublicEndpointRestricted, cidrs(["11.0.0.0/16"]), { maxPublicShare: 2 ** -20 }))
        .violations.length,
      1,
    );
  });

  it("accepts a private endpoint, and an open one in dev or when configured for dev", async () => {
    const open = mutate(compliantStack(), "eks-cluster", ["vpcConfig", "publicAccessCidrs"], ["0.0.0.0/0"]);
    assert.deepEqual(
      (
        await runStackPolicy(
          eksPublicEndpointRestricted,
          mutate(open, "eks-cluster", ["vpcConfig", "endpointPublicAccess"], false),
        )
      ).violations,
      [],
    );
    assert.deepEqual((await runStackPolicy(eksPublicEndpointRestricted, retag(open, "dev"))).violations, []);
    assert.deepEqual((await runStackPolicy(eksPublicEndpointRestricted, open, { environment: "dev" })).violations, []);
  });

  it("applies in dev too when configured so", async () => {
    const open = retag(
      mutate(compliantStack(), "eks-cluster", ["vpcConfig", "publicAccessCidrs"], ["0.0.0.0/0"]),
      "dev",
    );
    assert.equal(
      (await runStackPolicy(eksPublicEndpointRestricted, open, { environments: ["dev", "staging", "prod"] })).violations
        .length,
      1,
    );
  });
});

describe("policy gateways-require-basic-auth (S8)", () => {
  it("rejects Mimir's gateway without basic auth in prod", async () => {
    const run = await runStackPolicy(
      gatewaysRequireBasicAuth,
      mutateValues(compliantStack(), "mimir", "gateway.nginx.basicAuth.enabled", false),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^mimir-distributed release "mimir" values\.gateway\.nginx\.basicAuth\.enabled=false with values\.gateway\.enabled=true in prod .*: .*any pod in the cluster can write to or read every tenant/,
    );
  });

  it("treats Loki's absent basic auth as the chart's default: off", async () => {
    const run = await runStackPolicy(
      gatewaysRequireBasicAuth,
      mutateValues(compliantStack(), "loki", "gateway.basicAuth", undefined),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^loki release "loki" values\.gateway\.basicAuth\.enabled=false \(chart default\) with/,
    );
  });

  it("accepts a disabled gateway, and no auth in dev", async () => {
    const noGateway = mutateValues(
      mutateValues(compliantStack(), "loki", "gateway.basicAuth.enabled", false),
      "loki",
      "gateway.enabled",
      false,
    );
    assert.deepEqual((await runStackPolicy(gatewaysRequireBasicAuth, noGateway)).violations, []);
    const dev = retag(mutateValues(compliantStack(), "mimir", "gateway.nginx.basicAuth.enabled", false), "dev");
    assert.deepEqual((await runStackPolicy(gatewaysRequireBasicAuth, dev)).violations, []);
  });
});
