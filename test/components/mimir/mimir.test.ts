import * as assert from "node:assert/strict";
import { valueOf } from "../../../tools/harness/mocks";
import { mockComponents } from "../mocked";
import { CHARTS, RELEASE_TIMEOUT_SECONDS } from "../../../components/shared/charts";
import { mimirFullname } from "../../../components/mimir/config";
import type { Profile } from "../../../settings";
import { AZS, serialized, settingsFor, STORAGE_CLASS } from "../fixtures";
import { tenantBindingGap } from "../../../policies/lib/tenant-binding";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const KAFKA = "kubernetes:kafka.strimzi.io/v1:Kafka";
const TOPIC = "kubernetes:kafka.strimzi.io/v1:KafkaTopic";
const USER = "kubernetes:kafka.strimzi.io/v1:KafkaUser";

type Any = any;

describe("Mimir component (registered resources under mocks)", () => {
  const stacks: Partial<
    Record<Profile, { mimir: Any; kafka: Any; gatewayPasswords: Record<string, string>; kafkaPassword?: string }>
  > = {};

  const mocked = mockComponents("mimir", async () => {
    const k8s = await import("@pulumi/kubernetes");
    const { Kafka } = await import("../../../components/kafka");
    const { Mimir } = await import("../../../components/mimir");
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    const crds = new k8s.helm.v3.Release(
      "prometheus-operator-crds",
      { chart: "prometheus-operator-crds", namespace: "monitoring" },
      { provider },
    );
    const irsaRole = new k8s.core.v1.ConfigMap("irsa-role-stand-in", { metadata: { name: "irsa" } }, { provider });

    for (const profile of ["dev", "staging", "prod"] as Profile[]) {
      const settings = settingsFor(profile);
      const kafka = new Kafka(`${profile}-kafka`, {
        settings,
        availabilityZones: AZS,
        storageClassName: STORAGE_CLASS,
        provider,
      });
      const mimir = new Mimir(`${profile}-mimir`, {
        settings,
        region: "eu-west-1",
        availabilityZones: AZS,
        buckets: { blocks: `${profile}-blocks`, ruler: `${profile}-ruler`, alertmanager: `${profile}-alertmanager` },
        roleArn: "arn:aws:iam::123456789012:role/mimir",
        storageClassName: STORAGE_CLASS,
        kafka: kafka.connection,
        monitoringCrds: crds,
        provider,
        dependsOn: [irsaRole],
        overrides: profile === "prod" ? { querier: { replicas: 11 } } : undefined,
      });
      stacks[profile] = {
        mimir,
        kafka,
        gatewayPasswords: Object.fromEntries(
          await Promise.all(
            Object.entries(mimir.gatewayAuth.passwords).map(async ([user, p]) => [user, await valueOf(p)] as const),
          ),
        ),
        kafkaPassword: kafka.connection.sasl ? await valueOf(kafka.connection.sasl.password) : undefined,
      };
    }
  });
  const { find } = mocked;
  const release = (profile: Profile) => find(RELEASE, `${profile}-mimir-release`);

  it("installs the pinned mimir-distributed chart as a named, timed release in Mimir's namespace", () => {
    const r = release("prod");
    assert.equal(r.inputs.name, settingsFor("prod").releases.mimir);
    assert.equal(r.inputs.chart, CHARTS.mimir.chart);
    assert.equal(r.inputs.version, CHARTS.mimir.version);
    assert.equal(r.inputs.repositoryOpts.repo, CHARTS.mimir.repo);
    assert.equal(r.inputs.namespace, settingsFor("prod").namespaces.mimir);
    assert.equal(r.inputs.timeout, RELEASE_TIMEOUT_SECONDS);
    assert.equal(r.inputs.atomic, false);
    assert.equal(find("kubernetes:core/v1:Namespace", "prod-mimir-namespace").inputs.metadata.name, "mimir");
  });

  it("waits for the monitoring CRDs, the IRSA role and a ready Kafka cluster, topic and user", () => {
    for (const profile of ["dev", "prod"] as Profile[]) {
      const reg = mocked.registrations.find(RELEASE, `${profile}-mimir-release`);
      assert.ok(
        mocked.registrations.dependsOn(reg, mocked.registrations.find(RELEASE, "prometheus-operator-crds")),
        "CRDs before ServiceMonitors",
      );
      assert.ok(
        mocked.registrations.dependsOn(
          reg,
          mocked.registrations.find("kubernetes:core/v1:ConfigMap", "irsa-role-stand-in"),
        ),
      );
      assert.ok(
        mocked.registrations.dependsOn(reg, mocked.registrations.find(KAFKA, `${profile}-kafka-cluster`)),
        "Kafka before Mimir",
      );
      assert.ok(mocked.registrations.dependsOn(reg, mocked.registrations.find(TOPIC, `${profile}-kafka-topic`)));
    }
    assert.ok(
      mocked.registrations.dependsOn(
        mocked.registrations.find(RELEASE, "prod-mimir-release"),
        mocked.registrations.find(USER, "prod-kafka-mimir-user"),
      ),
    );
  });

  it("registered values: built-in Kafka and MinIO off, ingest storage on the Strimzi bootstrap service", () => {
    for (const profile of ["dev", "staging", "prod"] as Profile[]) {
      const v = release(profile).inputs.values;
      assert.equal(v.kafka.enabled, false);
      assert.equal(v.minio.enabled, false);
      assert.equal(v.mimir.structuredConfig.ingest_storage.kafka.address, stacks[profile]!.kafka.connection.address);
      assert.equal(v.mimir.structuredConfig.blocks_storage.s3.bucket_name, `${profile}-blocks`);
    }
  });

  it("registered values: zone-aware with 3 zones (staging, prod), not in dev's single zone; AZ names resolved", () => {
    const prod = release("prod").inputs.values;
    assert.equal(prod.ingester.zoneAwareReplication.enabled, true);
    assert.deepEqual(
      prod.ingester.zoneAwareReplication.zones.map((z: Any) => z.nodeSelector["topology.kubernetes.io/zone"]),
      AZS,
    );
    assert.equal(prod.store_gateway.zoneAwareReplication.enabled, true);
    assert.equal(release("staging").inputs.values.ingester.zoneAwareReplication.enabled, true);
    assert.equal(release("dev").inputs.values.ingester.zoneAwareReplication.enabled, false);
  });

  it("generates one gateway password per tenant, exposed as secret outputs and stored only as bcrypt htpasswd lines", async () => {
    const { mimir, gatewayPasswords } = stacks.prod!;
    const tenants = settingsFor("prod").tenants;
    assert.deepEqual(Object.keys(gatewayPasswords), tenants, "one user per tenant, named after it");
    const htpasswd = find(SECRET, "prod-mimir-gateway-htpasswd");
    const hashes = tenants.map((tenant) => find(PASSWORD, `prod-mimir-gateway-password-${tenant}`));
    assert.equal(
      htpasswd.inputs.stringData[".htpasswd"],
      tenants.map((tenant, i) => `${tenant}:${hashes[i].state.bcryptHash}\n`).join(""),
    );
    for (const [i, tenant] of tenants.entries()) {
      assert.equal(hashes[i].state.result, gatewayPasswords[tenant]);
      assert.equal(await (mimir.gatewayAuth.passwords[tenant] as Any).isSecret, true);
      assert.ok(!htpasswd.inputs.stringData[".htpasswd"].includes(gatewayPasswords[tenant]));
    }
    assert.equal(await valueOf(mimir.gatewayAuth.htpasswdSecretName), htpasswd.inputs.metadata.name);
    const gateway = release("prod").inputs.values.gateway.nginx;
    assert.equal(gateway.basicAuth.existingSecret, htpasswd.inputs.metadata.name);
    assert.equal(
      tenantBindingGap({ http: gateway.config.httpSnippet, server: gateway.config.serverSnippet }),
      undefined,
      "each credential acts only as its tenant",
    );
  });

  it("no plaintext secret anywhere in the Helm values (gateway or Kafka password)", () => {
    for (const profile of ["dev", "staging", "prod"] as Profile[]) {
      const { gatewayPasswords, kafkaPassword } = stacks[profile]!;
      const text = serialized(release(profile).inputs);
      for (const password of Object.values(gatewayPasswords))
        assert.ok(!text.includes(password), `${profile}: gateway password in values`);
      if (kafkaPassword) assert.ok(!text.includes(kafkaPassword), `${profile}: Kafka password in values`);
    }
  });

  it("staging/prod: Mimir's own copy of the Kafka password lives in a Secret in its namespace, referenced by the values", () => {
    for (const profile of ["staging", "prod"] as Profile[]) {
      const { kafkaPassword } = stacks[profile]!;
      const secret = find(SECRET, `${profile}-mimir-kafka-credentials`);
      assert.equal(secret.inputs.metadata.namespace, "mimir");
      assert.equal(secret.inputs.stringData.password, kafkaPassword);
      const v = release(profile).inputs.values;
      assert.equal(v.distributor.env[0].valueFrom.secretKeyRef.name, secret.inputs.metadata.name);
      assert.equal(v.mimir.structuredConfig.ingest_storage.kafka.sasl_username, settingsFor(profile).kafka.mimirUser);
    }
    assert.equal(mocked.mocks.findAllCreated(SECRET).filter((s) => s.name === "dev-mimir-kafka-credentials").length, 0);
  });

  it("overrides reach the registered values and win", () => {
    assert.equal(release("prod").inputs.values.querier.replicas, 11);
    assert.equal(
      release("staging").inputs.values.querier.replicas,
      settingsFor("staging").mimir.sizing.querier.replicas,
    );
  });

  it("exposes push and query URLs on the gateway service the registered release creates", () => {
    for (const profile of ["dev", "prod"] as Profile[]) {
      const r = release(profile);
      // The chart's gateway Service is <fullname>-gateway on port 80 (charts.md: push URL http://<fullname>-gateway.<ns>.svc/api/v1/push).
      const gateway = `http://${mimirFullname(r.inputs.name)}-gateway.${r.inputs.namespace}.svc`;
      assert.equal(stacks[profile]!.mimir.pushUrl, `${gateway}/api/v1/push`, profile);
      assert.equal(stacks[profile]!.mimir.queryUrl, `${gateway}/prometheus`, profile);
    }
  });
});
