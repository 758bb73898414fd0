import * as assert from "node:assert/strict";
import { valueOf } from "../../../tools/harness/mocks";
import { mockComponents } from "../mocked";
import { CHARTS, RELEASE_TIMEOUT_SECONDS } from "../../../components/shared/charts";
import { mimirFullname } from "../../../components/mimir/config";
import type { Profile } from "../../../settings";
import { AZS, serialized, settingsFor, STORAGE_CLASS } from "../fixtures";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const KAFKA = "kubernetes:kafka.strimzi.io/v1:Kafka";
const TOPIC = "kubernetes:kafka.strimzi.io/v1:KafkaTopic";
const USER = "kubernetes:kafka.strimzi.io/v1:KafkaUser";

type Any = any;

describe("Mimir component (registered resources under mocks)", () => {
  const stacks: Partial<Record<Profile, { mimir: Any; kafka: Any; gatewayPassword: string; kafkaPassword?: string }>> = {};

  const mocked = mockComponents("mimir", async () => {
    const k8s = await import("@pulumi/kubernetes");
    const { Kafka } = await import("../../../components/kafka");
    const { Mimir } = await import("../../../components/mimir");
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    const crds = new k8s.helm.v3.Release("prometheus-operator-crds", { chart: "prometheus-operator-crds", namespace: "monitoring" }, { provider });
    const irsaRole = new k8s.core.v1.ConfigMap("irsa-role-stand-in", { metadata: { name: "irsa" } }, { provider });

    for (const profile of ["dev", "staging", "prod"] as Profile[]) {
      const settings = settingsFor(profile);
      const kafka = new Kafka(`${profile}-kafka`, { settings, availabilityZones: AZS, storageClassName: STORAGE_CLASS, provider });
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
        gatewayPassword: await valueOf(mimir.gatewayAuth.password),
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
      assert.ok(mocked.registrations.dependsOn(reg, mocked.registrations.find(RELEASE, "prometheus-operator-crds")), "CRDs before ServiceMonitors");
      assert.ok(mocked.registrations.dependsOn(reg, mocked.registrations.find("kubernetes:core/v1:ConfigMap", "irsa-role-stand-in")));
      assert.ok(mocked.registrations.dependsOn(reg, mocked.registrations.find(KAFKA, `${profile}-kafka-cluster`)), "Kafka before Mimir");
      assert.ok(mocked.registrations.dependsOn(reg, mocked.registrations.find(TOPIC, `${profile}-kafka-topic`)));
    }
    assert.ok(mocked.registrations.dependsOn(mocked.registrations.find(RELEASE, "prod-mimir-release"), mocked.registrations.find(USER, "prod-kafka-mimir-user")));
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
    assert.deepEqual(prod.ingester.zoneAwareReplication.zones.map((z: Any) => z.nodeSelector["topology.kubernetes.io/zone"]), AZS);
    assert.equal(prod.store_gateway.zoneAwareReplication.enabled, true);
    assert.equal(release("staging").inputs.values.ingester.zoneAwareReplication.enabled, true);
    assert.equal(release("dev").inputs.values.ingester.zoneAwareReplication.enabled, false);
  });

  it("the gateway password is generated, exposed as a secret output and stored only as a bcrypt htpasswd and a credentials Secret", async () => {
    const { mimir, gatewayPassword } = stacks.prod!;
    const generated = find(PASSWORD, "prod-mimir-gateway-password");
    assert.equal(generated.state.result, gatewayPassword);
    assert.equal(await (mimir.gatewayAuth.password as Any).isSecret, true);
    const htpasswd = find(SECRET, "prod-mimir-gateway-htpasswd");
    assert.equal(htpasswd.inputs.stringData[".htpasswd"], `${mimir.gatewayAuth.username}:${generated.state.bcryptHash}\n`);
    assert.ok(!htpasswd.inputs.stringData[".htpasswd"].includes(gatewayPassword));
    const credentials = find(SECRET, "prod-mimir-gateway-credentials");
    assert.equal(credentials.inputs.stringData.password, gatewayPassword, "the password is detectable where it belongs");
    assert.equal(credentials.inputs.stringData.username, mimir.gatewayAuth.username);
    assert.equal(await valueOf(mimir.gatewayAuth.htpasswdSecretName), htpasswd.inputs.metadata.name);
    assert.equal(await valueOf(mimir.gatewayAuth.credentialsSecretName), credentials.inputs.metadata.name);
    assert.equal(release("prod").inputs.values.gateway.nginx.basicAuth.existingSecret, htpasswd.inputs.metadata.name);
  });

  it("no plaintext secret anywhere in the Helm values (gateway or Kafka password)", () => {
    for (const profile of ["dev", "staging", "prod"] as Profile[]) {
      const { gatewayPassword, kafkaPassword } = stacks[profile]!;
      const text = serialized(release(profile).inputs);
      assert.ok(!text.includes(gatewayPassword), `${profile}: gateway password in values`);
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
    assert.equal(release("staging").inputs.values.querier.replicas, settingsFor("staging").mimir.sizing.querier.replicas);
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
