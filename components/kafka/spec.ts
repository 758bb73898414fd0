import type * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../../settings";
import { cpu, gibibytes, mebibytes } from "../../settings/derive/quantities";
import { ZONE_LABEL } from "../shared/labels";
import { ClientSecurity, KAFKA_PASSWORD_ENV, KAFKA_PASSWORD_KEY, mimirAcls, plainJaasConfig } from "./security";
import { releasePodLabels } from "../../settings/names";
import { NAMESPACE_NAME_LABEL } from "../shared/namespace";

/** Strimzi 1.2.0 serves only kafka.strimzi.io/v1 (charts.md; CRDs 040-049 list v1 as the only served version). */
export const STRIMZI_API_VERSION = "kafka.strimzi.io/v1";
/** Strimzi labels: a pool or topic belongs to the Kafka named by strimzi.io/cluster; pods carry strimzi.io/pool-name (ResourceLabels, Labels). */
export const CLUSTER_LABEL = "strimzi.io/cluster";
export const POOL_LABEL = "strimzi.io/pool-name";

type Json = Record<string, unknown>;

export interface NodePoolInputs {
  storageClassName: string;
  /** AZ names the cluster's nodes live in; pools are kept to them so their EBS volumes are in reachable zones. */
  availabilityZones: pulumi.Input<string>[];
  /** Secret in the Kafka namespace holding Mimir's password (authenticated listener only). */
  passwordSecretName?: pulumi.Input<string>;
}

export interface NodePool {
  name: string;
  spec: Json;
}

/** The Kafka custom resource's spec (KRaft; listeners, broker config, authorization, rack, entity operator). */
export function buildKafkaSpec(settings: Settings, security: ClientSecurity): Json {
  const k = settings.kafka;
  const listener: Json = {
    name: security.listenerName,
    port: security.port,
    type: "internal",
    tls: security.tls,
    // Strimzi turns this into a NetworkPolicy for the listener port: only Mimir's pods (by namespace and by their
    // release's pod labels, both in one peer) may connect.
    networkPolicyPeers: [
      {
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: settings.namespaces.mimir } },
        podSelector: { matchLabels: releasePodLabels(settings.releases.mimir, "mimir") },
      },
    ],
  };
  if (security.client.kind === "sasl-plain") {
    listener.authentication = {
      type: "custom",
      sasl: true,
      listenerConfig: {
        "sasl.enabled.mechanisms": "PLAIN",
        "plain.sasl.jaas.config": plainJaasConfig(security.client.username, KAFKA_PASSWORD_ENV),
      },
    };
  }
  return {
    kafka: {
      version: k.version,
      metadataVersion: k.metadataVersion,
      listeners: [listener],
      config: { ...k.brokerConfig },
      ...(security.authorization ? { authorization: { type: "simple" } } : {}),
      // broker.rack from the node's zone label: Kafka then places a partition's replicas in different zones.
      ...(k.brokers > 1 ? { rack: { type: "topology-label", topologyKey: ZONE_LABEL } } : {}),
    },
    entityOperator: {
      topicOperator: {},
      ...(security.client.kind === "none" ? {} : { userOperator: {} }),
    },
  };
}

/** dev: one combined controller+broker node; elsewhere dedicated controllers and brokers, each spread over the zones. */
export function buildNodePools(settings: Settings, security: ClientSecurity, inputs: NodePoolInputs): NodePool[] {
  const k = settings.kafka;
  const brokerEnv = security.client.kind === "sasl-plain" ? passwordEnv(inputs.passwordSecretName) : undefined;
  if (k.dedicatedControllers === 0) {
    return [
      pool(
        settings,
        inputs,
        "dual-role",
        k.brokers,
        ["controller", "broker"],
        k.brokerStorageGiB,
        k.brokerResources,
        brokerEnv,
      ),
    ];
  }
  return [
    pool(
      settings,
      inputs,
      "controller",
      k.dedicatedControllers,
      ["controller"],
      k.controllerStorageGiB,
      k.controllerResources,
      undefined,
    ),
    pool(settings, inputs, "broker", k.brokers, ["broker"], k.brokerStorageGiB, k.brokerResources, brokerEnv),
  ];
}

function passwordEnv(secretName: pulumi.Input<string> | undefined): Json[] {
  if (secretName === undefined) {
    throw new Error(
      "the authenticated Kafka listener needs passwordSecretName: the brokers read Mimir's password from it",
    );
  }
  return [{ name: KAFKA_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: secretName, key: KAFKA_PASSWORD_KEY } } }];
}

function pool(
  settings: Settings,
  inputs: NodePoolInputs,
  name: string,
  replicas: number,
  roles: string[],
  volumeGiB: number,
  resources: { cpuMillis: number; memoryMiB: number },
  env: Json[] | undefined,
): NodePool {
  const template: Json = {
    pod: {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: ZONE_LABEL, operator: "In", values: inputs.availabilityZones }] },
            ],
          },
        },
      },
      ...(replicas > 1
        ? {
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: ZONE_LABEL,
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: { matchLabels: { [CLUSTER_LABEL]: settings.kafka.clusterName, [POOL_LABEL]: name } },
              },
            ],
          }
        : {}),
    },
    ...(env ? { kafkaContainer: { env } } : {}),
  };
  return {
    name,
    spec: {
      replicas,
      roles,
      storage: {
        type: "jbod",
        volumes: [
          {
            id: 0,
            type: "persistent-claim",
            size: gibibytes(volumeGiB),
            class: inputs.storageClassName,
            // Keep the data when a node is removed: a scale-down must never silently drop a partition replica.
            deleteClaim: false,
            // The KRaft metadata log shares the data volume (Strimzi: at most one volume may set this).
            kraftMetadata: "shared",
          },
        ],
      },
      resources: {
        requests: { cpu: cpu(resources.cpuMillis), memory: mebibytes(resources.memoryMiB) },
        limits: { memory: mebibytes(resources.memoryMiB) },
      },
      template,
    },
  };
}

/** Mimir's topic, declared so Mimir's own auto-creation stays off. */
export function buildTopicSpec(settings: Settings): Json {
  const t = settings.kafka.topic;
  return { topicName: t.name, partitions: t.partitions, replicas: t.replicas, config: { ...t.config } };
}

/** ACL-only user: the credential lives in the listener's JAAS entry, not with the User Operator. */
export function buildUserSpec(settings: Settings): Json {
  return { authorization: { type: "simple", acls: mimirAcls(settings.kafka.topic.name) } };
}

/**
 * strimzi-kafka-operator chart values. The defaults already watch only the release namespace and generate the
 * per-listener NetworkPolicies and PodDisruptionBudgets (strimzi-kafka-operator 1.2.0 values.yaml); they are spelled
 * out because the listener fencing above depends on them.
 */
export function buildStrimziValues(): Json {
  return {
    watchAnyNamespace: false,
    watchNamespaces: [],
    generateNetworkPolicy: true,
    generatePodDisruptionBudget: true,
    // Strimzi's operands (brokers, controllers, entity operator, their init containers) get the security context of the
    // Pod Security Provider; the default "baseline" one sets none, "restricted" meets the restricted Pod Security
    // Standard, which Kafka's namespace enforces (Strimzi docs, "Applying security context to Strimzi pods and
    // containers"; strimzi.io blog 2023-04-05, "Writing custom Pod Security Providers": baseline and restricted are built in).
    extraEnvs: [{ name: STRIMZI_POD_SECURITY_PROVIDER_ENV, value: "restricted" }],
  };
}

/** The operator's environment variable choosing its Pod Security Provider (Strimzi docs, Pod Security Providers). */
export const STRIMZI_POD_SECURITY_PROVIDER_ENV = "STRIMZI_POD_SECURITY_PROVIDER_CLASS";
