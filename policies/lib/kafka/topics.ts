// Topics as Mimir meets them: a KafkaTopic resource, a topic Mimir auto-creates, or a topic of an external cluster.
import { MimirRelease } from "../mimir";
import { Maybe, Sourced } from "../node";
import { CustomResource } from "../stack";
import { isUnknown } from "../unknown";
import { ExternalCluster, numberNode } from "./clusters";
import { KafkaCluster, KafkaTopicView } from "./model";

export class StrimziTopic implements KafkaTopicView {
  readonly declared = true;
  readonly label: string;
  readonly urn: string;
  readonly writers: MimirRelease[] = [];

  constructor(
    readonly cluster: KafkaCluster,
    readonly resource: CustomResource,
    readonly name: string,
  ) {
    this.label = resource.label;
    this.urn = resource.resource.urn;
  }

  topicSetting(property: string): Maybe<Sourced<number>> | undefined {
    return numberNode(this.resource.spec.get("config", property));
  }

  // When absent, Strimzi uses the broker's num.partitions / default.replication.factor (Strimzi 1.2.0 KafkaTopic CRD).
  partitions(): Maybe<Sourced<number>> | undefined {
    return numberNode(this.resource.spec.get("partitions")) ?? this.cluster.brokerSetting("num.partitions");
  }

  replicas(): Maybe<Sourced<number>> | undefined {
    return numberNode(this.resource.spec.get("replicas")) ?? this.cluster.brokerSetting("default.replication.factor");
  }
}

/** A topic Mimir creates itself on first use: no topic configs, broker defaults for RF (conflict-rules.md section 1). */
export class AutoCreatedTopic implements KafkaTopicView {
  readonly declared = false;
  readonly label: string;
  readonly urn: string;
  readonly writers: MimirRelease[];

  constructor(
    readonly cluster: KafkaCluster,
    readonly name: string,
    readonly creator: MimirRelease,
  ) {
    this.label = `topic "${name}" on ${cluster.label} (auto-created by ${creator.label})`;
    this.urn = creator.urn;
    this.writers = [creator];
  }

  topicSetting(): undefined {
    return undefined;
  }

  partitions(): Maybe<Sourced<number>> | undefined {
    const requested = this.creator.number("ingest_storage.kafka.auto_create_topic_default_partitions");
    if (isUnknown(requested)) return requested;
    // -1 means the broker's num.partitions (descriptor: auto_create_topic_default_partitions).
    return requested.value > 0 ? requested : this.cluster.brokerSetting("num.partitions");
  }

  replicas(): Maybe<Sourced<number>> | undefined {
    return this.cluster.brokerSetting("default.replication.factor");
  }
}

export class ExternalTopic implements KafkaTopicView {
  readonly label: string;
  readonly urn: string;
  readonly writers: MimirRelease[] = [];
  readonly declared: boolean;

  constructor(
    readonly cluster: ExternalCluster,
    readonly name: string,
    private readonly declaredTopic:
      { partitions?: number; replicas?: number; config?: Record<string, number | string> } | undefined,
    urn: string,
  ) {
    this.label = `topic "${name}" on ${cluster.label}`;
    this.urn = urn;
    this.declared = declaredTopic !== undefined;
  }

  topicSetting(property: string): Sourced<number> | undefined {
    const value = this.declaredTopic?.config?.[property];
    return value === undefined
      ? undefined
      : { value: Number(value), where: `policy config externalKafka.topics["${this.name}"].config["${property}"]` };
  }

  partitions(): Sourced<number> | undefined {
    const value = this.declaredTopic?.partitions;
    return value === undefined
      ? undefined
      : { value, where: `policy config externalKafka.topics["${this.name}"].partitions` };
  }

  replicas(): Sourced<number> | undefined {
    const value = this.declaredTopic?.replicas;
    return value === undefined
      ? undefined
      : { value, where: `policy config externalKafka.topics["${this.name}"].replicas` };
  }
}
