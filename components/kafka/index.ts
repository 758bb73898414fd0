import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import type { Settings } from "../../settings";
import { CHARTS, pinnedRelease, RELEASE_TIMEOUT_SECONDS } from "../shared/charts";
import { asResourceError } from "../shared/pods";
import { mergeOverrides } from "../shared/values";
import { assertBrokerConfigAccepted } from "./broker-config";
import { clientSecurity, KAFKA_PASSWORD_KEY } from "./security";
import {
  buildKafkaSpec,
  buildNodePools,
  buildStrimziValues,
  buildTopicSpec,
  buildUserSpec,
  CLUSTER_LABEL,
  STRIMZI_API_VERSION,
} from "./spec";
import { componentNamespace } from "../shared/namespace";
import { POD_SECURITY } from "../shared/pod-security";

export {
  clientSecurity,
  mimirAcls,
  plainJaasConfig,
  MIMIR_KAFKA_CLIENT,
  KAFKA_PASSWORD_ENV,
  KAFKA_PASSWORD_KEY,
} from "./security";
export type { ClientSecurity, ClientAuthentication } from "./security";
export {
  buildKafkaSpec,
  buildNodePools,
  buildTopicSpec,
  buildUserSpec,
  buildStrimziValues,
  STRIMZI_API_VERSION,
} from "./spec";
export { assertBrokerConfigAccepted, forbiddenBy } from "./broker-config";

export interface KafkaOverrides {
  /** Deep-merged over the strimzi-kafka-operator chart values. */
  strimzi?: object;
  /** Deep-merged over the Kafka custom resource's spec. */
  kafkaCluster?: object;
  /** Deep-merged over the KafkaTopic's spec. */
  kafkaTopic?: object;
}

export interface KafkaArgs {
  settings: Settings;
  /** AZ names of the cluster's nodes (index-aligned with the network's zones); the pools stay inside them. */
  availabilityZones: pulumi.Input<string>[];
  /** StorageClass for the brokers' and controllers' EBS volumes (the cluster's gp3 class). */
  storageClassName: string;
  provider: k8s.Provider;
  overrides?: KafkaOverrides;
  /** What the operator's pod needs before it can be scheduled (node groups, cluster DNS). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** What the brokers' and controllers' volumes need (EBS CSI driver, StorageClass); the Kafka's readiness wait starts after it, the operator does not wait for it. */
  storageDependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** What a Kafka client (Mimir) needs to connect. The password is a secret output, never a plain string. */
export interface KafkaConnection {
  /** Strimzi bootstrap service, host:port. */
  address: string;
  topic: string;
  sasl?: { mechanism: "PLAIN"; username: string; password: pulumi.Output<string> };
  /** Resources that are ready only once the cluster, its topic and its user are (wait on these, not on the component). */
  ready: pulumi.Resource[];
}

/**
 * Strimzi operator plus a KRaft Kafka cluster for Mimir's ingest storage: node pools, Mimir's topic and, when clients
 * authenticate, the SASL credential and ACLs for Mimir.
 */
export class Kafka extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  public readonly operator: k8s.helm.v3.Release;
  public readonly cluster: k8s.apiextensions.CustomResource;
  public readonly topic: k8s.apiextensions.CustomResource;
  public readonly connection: KafkaConnection;

  constructor(name: string, args: KafkaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:kafka:Kafka", name, {}, opts);
    const s = args.settings;
    const security = asResourceError(this, () => clientSecurity(s));
    const child = { parent: this, provider: args.provider };
    const overrides = args.overrides ?? {};

    // The namespace's name goes to consumers as the string given here, not as its output (namespace.ts).
    const {
      resource: namespace,
      name: namespaceName,
      inNamespace,
    } = componentNamespace(`${name}-namespace`, s.namespaces.kafka, POD_SECURITY.kafka, child);
    this.namespace = namespace.metadata.name;

    this.operator = new k8s.helm.v3.Release(
      `${name}-operator`,
      {
        ...pinnedRelease(
          CHARTS.strimzi,
          s.releases.strimzi,
          namespaceName,
          mergeOverrides(buildStrimziValues(), overrides.strimzi),
        ),
        // A stateless operator: rolling back a failed install or upgrade loses nothing and leaves no half-state.
        atomic: true,
        cleanupOnFail: true,
      },
      { ...child, dependsOn: [namespace, ...(args.dependsOn ?? [])] },
    );

    let passwordSecret: k8s.core.v1.Secret | undefined;
    let passwordSecretName: string | undefined;
    let sasl: KafkaConnection["sasl"];
    if (security.client.kind === "sasl-plain") {
      // Letters and digits only: the password is embedded in a quoted JAAS option (security.ts).
      const password = new random.RandomPassword(
        `${name}-mimir-password`,
        { length: 32, special: false },
        { parent: this },
      );
      passwordSecretName = `${s.kafka.clusterName}-${security.client.username}-sasl`;
      passwordSecret = new k8s.core.v1.Secret(
        `${name}-mimir-credentials`,
        {
          metadata: { name: passwordSecretName, namespace: namespaceName },
          type: "Opaque",
          stringData: { [KAFKA_PASSWORD_KEY]: password.result },
        },
        inNamespace,
      );
      // RandomPassword marks result secret through additionalSecretOutputs; wrapping keeps it secret wherever it flows.
      sasl = { mechanism: "PLAIN", username: security.client.username, password: pulumi.secret(password.result) };
    }

    const clusterSpec = mergeOverrides(buildKafkaSpec(s, security), overrides.kafkaCluster) as {
      kafka: { config?: Record<string, unknown> };
    };
    asResourceError(this, () =>
      assertBrokerConfigAccepted(
        clusterSpec.kafka.config ?? {},
        "Kafka spec (settings.kafka.brokerConfig + overrides.kafkaCluster)",
      ),
    );
    const afterOperator = { ...child, dependsOn: [this.operator] };
    const waitReady = waitForReady();

    this.cluster = new k8s.apiextensions.CustomResource(
      `${name}-cluster`,
      {
        apiVersion: STRIMZI_API_VERSION,
        kind: "Kafka",
        metadata: { name: s.kafka.clusterName, namespace: namespaceName, annotations: waitReady.annotations },
        spec: clusterSpec,
        // The Kafka turns Ready only once its pools' pods run on their EBS volumes: its wait starts after storage is.
      },
      {
        ...afterOperator,
        dependsOn: [this.operator, ...(args.storageDependsOn ?? [])],
        customTimeouts: waitReady.timeouts,
      },
    );

    const pools = asResourceError(this, () =>
      buildNodePools(s, security, {
        storageClassName: args.storageClassName,
        availabilityZones: args.availabilityZones,
        passwordSecretName,
      }),
    );
    for (const pool of pools) {
      new k8s.apiextensions.CustomResource(
        `${name}-pool-${pool.name}`,
        {
          apiVersion: STRIMZI_API_VERSION,
          kind: "KafkaNodePool",
          metadata: { name: pool.name, namespace: namespaceName, labels: { [CLUSTER_LABEL]: s.kafka.clusterName } },
          spec: pool.spec,
          // The brokers read the SASL password from its Secret.
        },
        { ...afterOperator, dependsOn: [this.operator, ...(passwordSecret ? [passwordSecret] : [])] },
      );
    }

    const afterCluster = { ...child, dependsOn: [this.cluster], customTimeouts: waitReady.timeouts };
    this.topic = new k8s.apiextensions.CustomResource(
      `${name}-topic`,
      {
        apiVersion: STRIMZI_API_VERSION,
        kind: "KafkaTopic",
        metadata: {
          name: s.kafka.topic.name,
          namespace: namespaceName,
          labels: { [CLUSTER_LABEL]: s.kafka.clusterName },
          annotations: waitReady.annotations,
        },
        spec: mergeOverrides(buildTopicSpec(s), overrides.kafkaTopic),
      },
      afterCluster,
    );

    const ready: pulumi.Resource[] = [this.cluster, this.topic];
    if (security.client.kind === "sasl-plain") {
      const user = new k8s.apiextensions.CustomResource(
        `${name}-mimir-user`,
        {
          apiVersion: STRIMZI_API_VERSION,
          kind: "KafkaUser",
          metadata: {
            name: security.client.username,
            namespace: namespaceName,
            labels: { [CLUSTER_LABEL]: s.kafka.clusterName },
            annotations: waitReady.annotations,
          },
          spec: buildUserSpec(s),
        },
        afterCluster,
      );
      ready.push(user);
    }

    this.connection = { address: s.kafka.bootstrapAddress, topic: s.kafka.topic.name, sasl, ready };
    this.registerOutputs({ namespace: this.namespace, address: this.connection.address, topic: this.connection.topic });
  }
}

/**
 * Strimzi reports readiness as a `Ready` status condition on Kafka, KafkaTopic and KafkaUser; the provider waits for
 * it through the `pulumi.com/waitFor` annotation (@pulumi/kubernetes >= 4.18, experimental), so dependents (Mimir)
 * start only against a working cluster. Bringing up brokers with volumes can take as long as a Helm release.
 */
function waitForReady() {
  const t = `${RELEASE_TIMEOUT_SECONDS}s`;
  return { annotations: { "pulumi.com/waitFor": "condition=Ready" }, timeouts: { create: t, update: t } };
}
