/**
 * Which Kafka Mimir writes to, resolved by the policy pack's own Kafka landscape (policies/lib/kafka/landscape.ts:
 * Mimir's `ingest_storage.kafka.address` against the Strimzi bootstrap services, cluster label and namespace), so
 * that the report shows the cluster, node pools and topic the rules judge, read from the same view.
 */
import {
  kafkaLandscape,
  strimziBelongsTo,
  type CustomResource,
  type Sourced,
  type HelmRelease,
  CHARTS,
} from "../../../policies/model";
import type { Plain } from "../readable";
import type { ReportView } from "./report-view";

export interface MimirKafka {
  mimir?: HelmRelease;
  topicName?: string;
  cluster?: CustomResource;
  topic?: CustomResource;
  brokerPools: CustomResource[];
  controllerPools: CustomResource[];
}

/** A value as the report shows it, and where it was read: the pack's Sourced. */
export type Shown = Sourced<Plain | undefined>;

/** A Mimir configuration key as the release sets it in `mimir.structuredConfig`. */
export function mimirConfig(report: ReportView, mimir: HelmRelease | undefined, path: string): Shown {
  return {
    value: mimir ? report.shown(mimir.values.get("mimir", "structuredConfig", ...path.split("."))) : undefined,
    where: `${mimir?.releaseName ?? "mimir"} values mimir.structuredConfig.${path}`,
  };
}

function rolesOf(pool: CustomResource): string[] {
  const roles = pool.spec.get("roles").raw();
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === "string") : [];
}

export function findMimirKafka(report: ReportView): MimirKafka {
  const view = report.view;
  const mimir = report.release(CHARTS.mimir);
  const topicName = mimirConfig(report, mimir, "ingest_storage.kafka.topic").value;
  const path = mimir ? kafkaLandscape(view).paths.find((p) => p.mimir.urn === mimir.resource.urn) : undefined;
  const strimzi = path?.cluster?.kind === "strimzi" ? path.cluster : undefined;
  const pools = strimzi
    ? view
        .strimzi("KafkaNodePool")
        .filter((p) => strimziBelongsTo(p, strimzi))
        .sort((a, b) => (a.resource.urn < b.resource.urn ? -1 : 1))
    : [];
  // A declared topic of a Strimzi cluster is its KafkaTopic resource; an auto-created one has none.
  const topicUrn = strimzi && path?.topic?.declared ? path.topic.urn : undefined;
  return {
    mimir,
    topicName: typeof topicName === "string" ? topicName : undefined,
    cluster: strimzi ? view.strimzi("Kafka").find((k) => k.resource.urn === strimzi.urn) : undefined,
    topic: topicUrn ? view.strimzi("KafkaTopic").find((t) => t.resource.urn === topicUrn) : undefined,
    brokerPools: pools.filter((p) => rolesOf(p).includes("broker")),
    controllerPools: pools.filter((p) => rolesOf(p).includes("controller")),
  };
}

/** A broker setting from the Kafka resource's `spec.kafka.config`. */
export function brokerConfig(report: ReportView, kafka: MimirKafka, key: string): Shown {
  return {
    value: kafka.cluster ? report.shown(kafka.cluster.spec.get("kafka", "config", key)) : undefined,
    where: `Kafka ${kafka.cluster?.name ?? "(none)"} spec.kafka.config["${key}"]`,
  };
}

/** A topic setting, else the broker setting it overrides (Kafka docs, topic-level configs). */
export function topicOrBroker(report: ReportView, kafka: MimirKafka, topicKey: string, brokerKey: string): Shown {
  const onTopic = kafka.topic ? report.shown(kafka.topic.spec.get("config", topicKey)) : undefined;
  if (onTopic !== undefined) {
    return { value: onTopic, where: `KafkaTopic ${kafka.topic?.name} spec.config["${topicKey}"]` };
  }
  const broker = brokerConfig(report, kafka, brokerKey);
  return { value: broker.value, where: `${broker.where} (topic does not set ${topicKey})` };
}

/** Summed `spec.replicas` of node pools; undefined when a pool's count is not a number. */
export function poolReplicas(pools: CustomResource[]): number | undefined {
  let total = 0;
  for (const pool of pools) {
    const replicas = pool.spec.get("replicas").raw();
    if (typeof replicas !== "number") return undefined;
    total += replicas;
  }
  return total;
}
