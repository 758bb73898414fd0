import * as assert from "node:assert/strict";
import { valueOf } from "../../../tools/harness/mocks";
import { mockComponents } from "../mocked";
import { CHARTS, RELEASE_TIMEOUT_SECONDS } from "../../../components/shared/charts";
import { AZS, settingsFor, serialized, STORAGE_CLASS } from "../fixtures";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const KAFKA = "kubernetes:kafka.strimzi.io/v1:Kafka";
const POOL = "kubernetes:kafka.strimzi.io/v1:KafkaNodePool";
const TOPIC = "kubernetes:kafka.strimzi.io/v1:KafkaTopic";
const USER = "kubernetes:kafka.strimzi.io/v1:KafkaUser";
const SECRET = "kubernetes:core/v1:Secret";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const PASSWORD = "random:index/randomPassword:RandomPassword";

describe("Kafka component (registered resources under mocks)", () => {
  let kafkaModule: typeof import("../../../components/kafka");
  let dev: InstanceType<typeof kafkaModule.Kafka>;
  let prod: InstanceType<typeof kafkaModule.Kafka>;
  let prodPassword: string | undefined;
  let overrideError: unknown;
  const clusterReady = { name: "cluster-nodes" };

  const mocked = mockComponents("kafka", async () => {
    kafkaModule = await import("../../../components/kafka");
    const k8s = await import("@pulumi/kubernetes");
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    const nodes = new k8s.core.v1.ConfigMap(clusterReady.name, { metadata: { name: clusterReady.name } }, { provider });

    dev = new kafkaModule.Kafka("dev", {
      settings: settingsFor("dev"),
      availabilityZones: AZS.slice(0, 2),
      storageClassName: STORAGE_CLASS,
      provider,
      dependsOn: [nodes],
    });
    prod = new kafkaModule.Kafka("prod", {
      settings: settingsFor("prod"),
      availabilityZones: AZS,
      storageClassName: STORAGE_CLASS,
      provider,
      dependsOn: [nodes],
      overrides: {
        strimzi: { replicas: 2 },
        kafkaCluster: { kafka: { config: { "num.replica.fetchers": 4, "message.max.bytes": 20_000_000 } } },
        kafkaTopic: { config: { "retention.ms": 345_600_000 } },
      },
    });
    prodPassword = prod.connection.sasl ? await valueOf(prod.connection.sasl.password) : undefined;
    try {
      new kafkaModule.Kafka("bad", {
        settings: settingsFor("dev"),
        availabilityZones: AZS,
        storageClassName: STORAGE_CLASS,
        provider,
        overrides: { kafkaCluster: { kafka: { config: { listeners: "PLAINTEXT://:9092" } } } },
      });
    } catch (e) {
      overrideError = e;
    }
  });
  const { find } = mocked;

  it("installs the pinned Strimzi chart as a named, timed, atomic release in its own namespace", () => {
    const ns = find(NAMESPACE, "prod-namespace");
    assert.equal(ns.inputs.metadata.name, "kafka");
    const release = find(RELEASE, "prod-operator");
    assert.equal(release.inputs.name, settingsFor("prod").releases.strimzi);
    assert.equal(release.inputs.chart, CHARTS.strimzi.chart);
    assert.equal(release.inputs.version, CHARTS.strimzi.version);
    assert.equal(release.inputs.repositoryOpts.repo, CHARTS.strimzi.repo);
    assert.equal(release.inputs.namespace, "kafka");
    assert.equal(release.inputs.timeout, RELEASE_TIMEOUT_SECONDS);
    assert.equal(release.inputs.atomic, true);
    assert.equal(release.inputs.cleanupOnFail, true);
    const reg = mocked.registrations.find(RELEASE, "prod-operator");
    assert.ok(
      mocked.registrations.dependsOn(reg, mocked.registrations.find("kubernetes:core/v1:ConfigMap", clusterReady.name)),
      "waits for the cluster's workload prerequisites",
    );
  });

  it("creates every Strimzi resource only after the operator (its CRDs) exists", () => {
    const operator = mocked.registrations.find(RELEASE, "prod-operator");
    for (const [type, name] of [
      [KAFKA, "prod-cluster"],
      [POOL, "prod-pool-controller"],
      [POOL, "prod-pool-broker"],
      [TOPIC, "prod-topic"],
      [USER, "prod-mimir-user"],
    ]) {
      const reg = mocked.registrations.find(type, name);
      const direct = mocked.registrations.dependsOn(reg, operator);
      const viaCluster = mocked.registrations.dependsOn(reg, mocked.registrations.find(KAFKA, "prod-cluster"));
      assert.ok(direct || viaCluster, `${name} must wait for the operator`);
    }
  });

  it("labels pools, topic and user with the cluster they belong to, in the Kafka namespace", () => {
    const s = settingsFor("prod");
    for (const [type, name] of [
      [POOL, "prod-pool-controller"],
      [POOL, "prod-pool-broker"],
      [TOPIC, "prod-topic"],
      [USER, "prod-mimir-user"],
    ]) {
      const r = find(type, name);
      assert.equal(r.inputs.metadata.labels["strimzi.io/cluster"], s.kafka.clusterName, name);
      assert.equal(r.inputs.metadata.namespace, "kafka", name);
    }
    assert.equal(find(KAFKA, "prod-cluster").inputs.metadata.name, s.kafka.clusterName);
    assert.equal(find(TOPIC, "prod-topic").inputs.metadata.name, s.kafka.topic.name);
  });

  it("hands Mimir a bootstrap address in the namespace it creates, on the port the listener opens", () => {
    for (const [component, stack] of [
      [dev, "dev"],
      [prod, "prod"],
    ] as const) {
      const namespace = find(NAMESPACE, `${stack}-namespace`).inputs.metadata.name;
      const cluster = find(KAFKA, `${stack}-cluster`).inputs;
      const port = cluster.spec.kafka.listeners[0].port;
      assert.equal(
        component.connection.address,
        `${cluster.metadata.name}-kafka-bootstrap.${namespace}.svc:${port}`,
        stack,
      );
    }
  });

  it("waits for Strimzi's Ready condition on the cluster, topic and user that Mimir depends on", () => {
    for (const [type, name] of [
      [KAFKA, "prod-cluster"],
      [TOPIC, "prod-topic"],
      [USER, "prod-mimir-user"],
    ]) {
      assert.equal(find(type, name).inputs.metadata.annotations["pulumi.com/waitFor"], "condition=Ready", name);
    }
    assert.deepEqual(prod.connection.ready.length, 3);
    assert.equal(dev.connection.ready.length, 2, "dev has no KafkaUser to wait for");
  });

  it("dev: no credentials at all; the connection says so", () => {
    assert.equal(dev.connection.sasl, undefined);
    assert.equal(mocked.mocks.findAllCreated(USER).filter((u) => u.name.startsWith("dev-")).length, 0);
    assert.equal(mocked.mocks.findAllCreated(PASSWORD).filter((p) => p.name.startsWith("dev-")).length, 0);
    assert.equal(dev.connection.address, settingsFor("dev").kafka.bootstrapAddress);
    assert.equal(find(POOL, "dev-pool-dual-role").inputs.spec.replicas, 1);
  });

  it("prod: Mimir's password is generated, kept in a Kafka-namespace Secret the brokers read, and exposed only as a secret output", async () => {
    assert.ok(prodPassword && prodPassword.length === 32 && /^[A-Za-z0-9]+$/.test(prodPassword));
    const generated = find(PASSWORD, "prod-mimir-password");
    assert.equal(generated.state.result, prodPassword);
    assert.equal(generated.inputs.special, false);
    const secret = find(SECRET, "prod-mimir-credentials");
    assert.equal(secret.inputs.metadata.namespace, "kafka");
    assert.equal(secret.inputs.stringData.password, prodPassword, "the password is detectable where it belongs");
    const broker = find(POOL, "prod-pool-broker");
    assert.equal(
      broker.inputs.spec.template.kafkaContainer.env[0].valueFrom.secretKeyRef.name,
      secret.inputs.metadata.name,
    );
    assert.equal(prod.connection.sasl?.mechanism, "PLAIN");
    assert.equal(prod.connection.sasl?.username, settingsFor("prod").kafka.mimirUser);
    assert.ok(prod.connection.sasl);
    assert.equal(await isSecretOutput(prod.connection.sasl.password), true);
  });

  it("prod: the password appears in no Strimzi resource and no Helm values", () => {
    assert.ok(prodPassword);
    for (const r of mocked.mocks.created.filter(
      (c) => c.name.startsWith("prod-") && c.type !== SECRET && c.type !== PASSWORD,
    )) {
      assert.ok(!serialized(r.inputs).includes(prodPassword), `${r.type} ${r.name} contains the password`);
    }
  });

  it("overrides reach the operator values, the Kafka spec and the topic spec, and win over settings", () => {
    const s = settingsFor("prod");
    assert.equal(find(RELEASE, "prod-operator").inputs.values.replicas, 2);
    assert.equal(
      find(RELEASE, "prod-operator").inputs.values.generateNetworkPolicy,
      true,
      "built values survive the merge",
    );
    const config = find(KAFKA, "prod-cluster").inputs.spec.kafka.config;
    assert.equal(config["num.replica.fetchers"], 4);
    assert.equal(config["message.max.bytes"], 20_000_000);
    assert.equal(config["min.insync.replicas"], s.kafka.brokerConfig["min.insync.replicas"]);
    const topic = find(TOPIC, "prod-topic").inputs.spec;
    assert.equal(topic.config["retention.ms"], 345_600_000);
    assert.equal(topic.partitions, s.kafka.topic.partitions);
  });

  it("an override that Strimzi would silently drop fails the deployment, naming the key", () => {
    assert.ok(overrideError instanceof Error, "expected the component to throw");
    assert.match((overrideError as Error).message, /"listeners" \(forbidden prefix "listeners"\)/);
    assert.match((overrideError as Error).message, /overrides\.kafkaCluster/);
  });
});

/** Output.isSecret is internal to the SDK's typings but present at run time. */
function isSecretOutput(value: unknown): Promise<boolean> {
  return (value as { isSecret: Promise<boolean> }).isSecret;
}
