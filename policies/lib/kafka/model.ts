// The shapes every Kafka path resolves to: a cluster (broker settings, brokers, controllers), a topic
// (topic-level overrides, partitions, replicas) and Mimir's path to them.
import { MimirRelease } from "../mimir";
import { Maybe, Sourced } from "../node";
import { Unknown } from "../unknown";
import { TOPIC_DEFAULT_FROM_BROKER } from "./defaults";

export type KafkaKind = "strimzi" | "builtin" | "external";

export interface KafkaCluster {
  readonly kind: KafkaKind;
  /** e.g. `Kafka "kafka" (namespace kafka)`, `the built-in Kafka of mimir-distributed release "mimir"`, `external Kafka at b-1:9092` */
  readonly label: string;
  /** Resource that violations about the cluster are attached to. */
  readonly urn: string;
  readonly id: string;
  /** Effective broker property; defaults applied except for external clusters (undefined = not declared). */
  brokerSetting(property: string): Maybe<Sourced<number>> | undefined;
  brokers(): Maybe<Sourced<number>> | undefined;
  controllers(): Maybe<Sourced<number>> | undefined;
}

export interface KafkaTopicView {
  readonly cluster: KafkaCluster;
  readonly name: string;
  readonly label: string;
  readonly urn: string;
  /** A KafkaTopic resource (or a topic declared in policy config for an external cluster). */
  readonly declared: boolean;
  /** Mimir releases writing to this topic. */
  readonly writers: MimirRelease[];
  /** Topic-level override only. */
  topicSetting(property: string): Maybe<Sourced<number>> | undefined;
  partitions(): Maybe<Sourced<number>> | undefined;
  replicas(): Maybe<Sourced<number>> | undefined;
}

export interface MimirKafkaPath {
  readonly mimir: MimirRelease;
  readonly address: Sourced<string>;
  readonly cluster?: KafkaCluster;
  readonly topicName?: string;
  readonly topic?: KafkaTopicView;
  readonly port?: number;
  /** No KafkaTopic and Mimir's topic auto-creation is off: the topic never exists. */
  readonly topicMissing?: { readonly autoCreate: Sourced<boolean> };
}

export interface KafkaLandscape {
  readonly clusters: KafkaCluster[];
  readonly topics: KafkaTopicView[];
  readonly paths: MimirKafkaPath[];
  /** Inputs unknown during preview that hid a path. */
  readonly unknowns: Unknown[];
}

/** Topic setting if the topic overrides it, else the broker setting that provides its default. */
export function effectiveTopicSetting(
  topic: KafkaTopicView,
  topicProperty: string,
): Maybe<Sourced<number>> | undefined {
  const own = topic.topicSetting(topicProperty);
  if (own !== undefined) return own;
  return topic.cluster.brokerSetting(TOPIC_DEFAULT_FROM_BROKER[topicProperty]);
}
