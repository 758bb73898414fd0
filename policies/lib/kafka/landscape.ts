// Every Kafka path of the stack, resolved to the settings that actually apply:
// - Strimzi `Kafka` + `KafkaNodePool` + `KafkaTopic` custom resources (topic config overrides broker config);
// - mimir-distributed's built-in demo Kafka (`kafka.enabled`, TRUE when absent; broker settings through env vars);
// - an address outside the stack, whose settings only the policy config can declare.
import { ExternalKafkaConfig } from "../config";
import { MimirRelease, mimirReleases, MIMIR_CHART_DEFAULTS } from "../mimir";
import { Maybe, PropNode, Sourced } from "../node";
import { CustomResource, STRIMZI_CLUSTER_LABEL, StackView } from "../stack";
import { isUnknown, Unknown } from "../unknown";
import { BuiltinCluster, ExternalCluster, StrimziCluster } from "./clusters";
import { KafkaCluster, KafkaLandscape, KafkaTopicView, MimirKafkaPath } from "./model";
import { AutoCreatedTopic, ExternalTopic, StrimziTopic } from "./topics";

// `<cluster>-kafka-bootstrap.<ns>.svc[.cluster.local]` or a per-broker `...<cluster>-kafka-brokers.<ns>.svc` (Strimzi service names).
export const STRIMZI_HOST =
  /^(?:[^.]+\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?)-kafka-(?:bootstrap|brokers)(?:\.([a-z0-9-]+))?(?:\.svc(?:\.cluster\.local)?\.?)?$/;
// The chart's built-in Kafka service: `<fullname>-kafka.<ns>.svc.<clusterDomain>` (values excerpt, mimir.config ingest_storage).
const BUILTIN_HOST = /^[a-z0-9-]+-kafka(?:\.([a-z0-9-]+))?(?:\.svc.*)?$/;

export function parseKafkaAddress(address: string): { host: string; port?: number } {
  const first = address.split(",")[0].trim();
  const match = /^(.*?)(?::(\d+))?$/.exec(first)!;
  return { host: match[1], port: match[2] === undefined ? undefined : Number(match[2]) };
}

function belongsTo(resource: CustomResource, kafka: CustomResource): boolean {
  return (
    resource.labels[STRIMZI_CLUSTER_LABEL] === kafka.name &&
    (resource.namespace === undefined || kafka.namespace === undefined || resource.namespace === kafka.namespace)
  );
}

export function kafkaLandscape(stack: StackView, external?: ExternalKafkaConfig): KafkaLandscape {
  const pools = stack.strimzi("KafkaNodePool");
  const strimziClusters = stack.strimzi("Kafka").map(
    (kafka) =>
      new StrimziCluster(
        kafka,
        pools.filter((p) => belongsTo(p, kafka)),
      ),
  );
  const clusters: KafkaCluster[] = [...strimziClusters];
  const topics: KafkaTopicView[] = [];
  const unknowns: Unknown[] = [];

  for (const resource of stack.strimzi("KafkaTopic")) {
    const cluster = strimziClusters.find((c) => belongsTo(resource, c.kafka));
    if (!cluster) continue;
    const topicName = resource.spec.get("topicName").string();
    if (isUnknown(topicName)) {
      unknowns.push(topicName);
      continue;
    }
    topics.push(new StrimziTopic(cluster, resource, topicName ?? resource.name));
  }

  const paths: MimirKafkaPath[] = [];
  for (const mimir of mimirReleases(stack)) {
    const resolved = resolveMimirPath(mimir, strimziClusters, clusters, topics, external);
    if (isUnknown(resolved)) unknowns.push(resolved);
    else if (resolved) paths.push(resolved);
  }
  return { clusters, topics, paths, unknowns };
}

function resolveMimirPath(
  mimir: MimirRelease,
  strimziClusters: StrimziCluster[],
  clusters: KafkaCluster[],
  topics: KafkaTopicView[],
  external: ExternalKafkaConfig | undefined,
): Maybe<MimirKafkaPath> | undefined {
  const ingest = mimir.boolean("ingest_storage.enabled");
  if (isUnknown(ingest)) return ingest;
  if (!ingest.value) return undefined;
  const builtin = mimir.builtinKafkaEnabled();
  if (isUnknown(builtin)) return builtin;
  const addressNode = mimir.structuredNode("ingest_storage.kafka.address");
  const addressValue = addressNode.string();
  if (isUnknown(addressValue)) return addressValue;
  const topicName = mimir.string("ingest_storage.kafka.topic");
  if (isUnknown(topicName)) return topicName;

  let address: Sourced<string>;
  let cluster: KafkaCluster | undefined;
  if (!addressValue) {
    if (!builtin.value) {
      return {
        mimir,
        address: {
          value: "",
          where: `${mimir.label} values.mimir.structuredConfig.ingest_storage.kafka.address`,
          note: `not set, and ${builtin.where}=false`,
        },
      };
    }
    const port = MIMIR_CHART_DEFAULTS.kafkaServicePort;
    address = {
      value: `<fullname>-kafka.${mimir.release.namespace}.svc.cluster.local.:${port}`,
      where: `${mimir.label} chart-generated config ingest_storage.kafka.address`,
    };
    cluster = new BuiltinCluster(mimir);
  } else {
    address = { value: addressValue, where: addressNode.where };
    const { host } = parseKafkaAddress(addressValue);
    const strimziMatch = STRIMZI_HOST.exec(host);
    const builtinMatch = BUILTIN_HOST.exec(host);
    if (strimziMatch) {
      const namespace = strimziMatch[3] ?? mimir.release.namespace;
      cluster = strimziClusters.find(
        (c) => c.kafka.name === strimziMatch[1] && (c.kafka.namespace ?? namespace) === namespace,
      );
    } else if (
      builtin.value &&
      builtinMatch &&
      (builtinMatch[1] ?? mimir.release.namespace) === mimir.release.namespace
    ) {
      cluster = new BuiltinCluster(mimir);
    }
    if (!cluster) {
      const { port } = parseKafkaAddress(addressValue);
      cluster = new ExternalCluster(port === undefined ? host : `${host}:${port}`, mimir.urn, external);
    }
  }
  const existing = clusters.find((c) => c.id === cluster!.id);
  if (existing) cluster = existing;
  else clusters.push(cluster);

  const port = parseKafkaAddress(address.value).port;
  let topic = topics.find((t) => t.cluster.id === cluster!.id && t.name === topicName.value);
  let topicMissing: MimirKafkaPath["topicMissing"];
  if (!topic) {
    if (cluster instanceof ExternalCluster) {
      topic = new ExternalTopic(cluster, topicName.value, external?.topics?.[topicName.value], mimir.urn);
    } else {
      const autoCreate = mimir.boolean("ingest_storage.kafka.auto_create_topic_enabled");
      if (isUnknown(autoCreate)) return autoCreate;
      if (autoCreate.value) topic = new AutoCreatedTopic(cluster, topicName.value, mimir);
      else topicMissing = { autoCreate };
    }
    if (topic) topics.push(topic);
  }
  if (topic && !topic.writers.includes(mimir)) topic.writers.push(mimir);
  return { mimir, address, cluster, topicName: topicName.value, topic, port, topicMissing };
}

/** Strimzi listeners of a cluster (spec.kafka.listeners), for authentication and port checks. */
export function strimziListeners(cluster: KafkaCluster): Maybe<PropNode[]> | undefined {
  return cluster instanceof StrimziCluster ? cluster.kafka.spec.get("kafka", "listeners").items() : undefined;
}

/** Whether a KafkaUser/KafkaTopic belongs to this Strimzi cluster (strimzi.io/cluster label, same namespace). */
export function strimziBelongsTo(resource: CustomResource, cluster: KafkaCluster): boolean {
  return cluster instanceof StrimziCluster && belongsTo(resource, cluster.kafka);
}
