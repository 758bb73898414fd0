/**
 * Which Kafka Mimir writes to, resolved by the policy pack's own Kafka landscape (policies/lib/kafka/landscape.ts:
 * Mimir's `ingest_storage.kafka.address` against the Strimzi bootstrap services, cluster label and namespace), so
 * that the report shows the cluster, node pools and topic the rules judge. The rows then read those resources as
 * the artifacts hold them.
 */
import { kafkaLandscape, strimziBelongsTo } from "../../../policies/lib/kafka";
import type { StackView } from "../../../policies/lib/stack";
import { at, type Plain } from "../readable";
import type { Release, StackFacts, StrimziResource } from "./stack-facts";

export const MIMIR_CHART = "mimir-distributed";

export interface MimirKafka {
  mimir?: Release;
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

/** `view` is the pack's view of the same stack (tools/planning/capture-view.ts), whose URNs match the facts'. */
export function findMimirKafka(facts: StackFacts, view: StackView): MimirKafka {
  const mimir = facts.release(MIMIR_CHART);
  const topicName = mimirConfig(mimir, "ingest_storage.kafka.topic").value;
  const path = mimir ? kafkaLandscape(view).paths.find((p) => p.mimir.urn === mimir.record.urn) : undefined;
  const strimzi = path?.cluster?.kind === "strimzi" ? path.cluster : undefined;
  const poolUrns = new Set(
    strimzi
      ? view
          .strimzi("KafkaNodePool")
          .filter((p) => strimziBelongsTo(p, strimzi))
          .map((p) => p.resource.urn)
      : [],
  );
  const pools = facts.strimzi("KafkaNodePool").filter((p) => poolUrns.has(p.record.urn));
  // A declared topic of a Strimzi cluster is its KafkaTopic resource; an auto-created one has none.
  const topicUrn = strimzi && path?.topic?.declared ? path.topic.urn : undefined;
  return {
    mimir,
    topicName: typeof topicName === "string" ? topicName : undefined,
    cluster: strimzi ? facts.strimzi("Kafka").find((k) => k.record.urn === strimzi.urn) : undefined,
    topic: topicUrn ? facts.strimzi("KafkaTopic").find((t) => t.record.urn === topicUrn) : undefined,
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
