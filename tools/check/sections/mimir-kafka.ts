/**
 * Which Kafka Mimir writes to, found the way Mimir finds it: its `ingest_storage.kafka.address` names the Strimzi
 * cluster's bootstrap service (`<cluster>-kafka-bootstrap.<namespace>.svc:<port>`, Strimzi docs "Listener
 * bootstrap service") and `ingest_storage.kafka.topic` the topic.
 */
import { at, type Plain } from "../readable";
import type { Release, StackFacts, StrimziResource } from "./stack-facts";

export const MIMIR_CHART = "mimir-distributed";

export interface MimirKafka {
  mimir?: Release;
  address?: string;
  topicName?: string;
  cluster?: StrimziResource;
  topic?: StrimziResource;
  brokerPools: StrimziResource[];
  controllerPools: StrimziResource[];
}

export interface Sourced {
  value: Plain | undefined;
  source: string;
}

/** A Mimir configuration key as the release sets it in `mimir.structuredConfig`. */
export function mimirConfig(mimir: Release | undefined, path: string): Sourced {
  return {
    value: mimir ? at(mimir.values, ["mimir", "structuredConfig", ...path.split(".")]) : undefined,
    source: `${mimir?.name ?? "mimir"} values mimir.structuredConfig.${path}`,
  };
}

function rolesOf(pool: StrimziResource): string[] {
  const roles = at(pool.spec, "roles");
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === "string") : [];
}

export function findMimirKafka(facts: StackFacts): MimirKafka {
  const mimir = facts.release(MIMIR_CHART);
  const address = mimirConfig(mimir, "ingest_storage.kafka.address").value;
  const topicName = mimirConfig(mimir, "ingest_storage.kafka.topic").value;
  const host = typeof address === "string" ? address.split(":")[0] : "";
  const clusterName = host.split(".")[0].replace(/-kafka-bootstrap$/, "");
  const clusters = facts.strimzi("Kafka");
  const cluster = clusters.find((k) => k.name === clusterName) ?? (clusters.length === 1 ? clusters[0] : undefined);
  const pools = cluster ? facts.strimziOf("KafkaNodePool", cluster.name) : [];
  const topic = cluster
    ? facts.strimziOf("KafkaTopic", cluster.name).find((t) => (at(t.spec, "topicName") ?? t.name) === topicName)
    : undefined;
  return {
    mimir,
    address: typeof address === "string" ? address : undefined,
    topicName: typeof topicName === "string" ? topicName : undefined,
    cluster,
    topic,
    brokerPools: pools.filter((p) => rolesOf(p).includes("broker")),
    controllerPools: pools.filter((p) => rolesOf(p).includes("controller")),
  };
}

/** A broker setting from the Kafka resource's `spec.kafka.config`. */
export function brokerConfig(kafka: MimirKafka, key: string): Sourced {
  return {
    value: kafka.cluster ? at(kafka.cluster.spec, ["kafka", "config", key]) : undefined,
    source: `Kafka ${kafka.cluster?.name ?? "(none)"} spec.kafka.config["${key}"]`,
  };
}

/** A topic setting, else the broker setting it overrides (Kafka docs, topic-level configs). */
export function topicOrBroker(kafka: MimirKafka, topicKey: string, brokerKey: string): Sourced {
  const onTopic = kafka.topic ? at(kafka.topic.spec, ["config", topicKey]) : undefined;
  if (onTopic !== undefined) {
    return { value: onTopic, source: `KafkaTopic ${kafka.topic?.name} spec.config["${topicKey}"]` };
  }
  const broker = brokerConfig(kafka, brokerKey);
  return { value: broker.value, source: `${broker.source} (topic does not set ${topicKey})` };
}

/** Summed `spec.replicas` of node pools; undefined when a pool's count is not a number. */
export function poolReplicas(pools: StrimziResource[]): number | undefined {
  let total = 0;
  for (const pool of pools) {
    const replicas = at(pool.spec, "replicas");
    if (typeof replicas !== "number") return undefined;
    total += replicas;
  }
  return total;
}
