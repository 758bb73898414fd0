import type { StackConfig } from "../schema";

import { brokerVolumeBytes, kafkaWriteBytesPerSecond } from "../../policies/lib/kafka/sizing";
import { NAMESPACES } from "../names";
import * as upstream from "../upstream";
import { roundUpTo } from "./quantities";

// The write-rate ASSUMPTION (ASSUMED_KAFKA_BYTES_PER_SAMPLE) and the broker-volume formula live in the pack
// (policies/lib/kafka/sizing.ts), so the volumes sized here and the pack's K16/K17 checks of them use the same numbers.

export interface KafkaListener {
  name: string;
  port: number;
  tls: boolean;
  /** How clients authenticate: SASL/PLAIN or SCRAM-SHA-512 outside dev, none only in dev. */
  authentication: "plain" | "scram-sha-512" | "none";
}

export interface KafkaSettings {
  clusterName: string;
  version: string;
  metadataVersion: string;
  brokers: number;
  /** 0 when brokers also act as KRaft controllers (a single combined node). */
  dedicatedControllers: number;
  listener: KafkaListener;
  bootstrapAddress: string;
  /** Broker settings for Kafka.spec.kafka.config. */
  brokerConfig: Record<string, number | string | boolean>;
  topic: { name: string; partitions: number; replicas: number; config: Record<string, number | string> };
  /** The KafkaUser Mimir authenticates as (its Secret holds the password). */
  mimirUser: string;
  brokerStorageGiB: number;
  /** Volume of each dedicated KRaft controller (unused when brokers act as controllers). */
  controllerStorageGiB: number;
  brokerResources: { cpuMillis: number; memoryMiB: number };
  controllerResources: { cpuMillis: number; memoryMiB: number };
}

/**
 * The largest Kafka message the stack must accept: Mimir's producer batch (16,000,000 bytes) plus room for the
 * record batch header. 16 MiB is what the seed fix used (conflict-rules.md K12) and leaves 777,216 bytes spare.
 */
export const KAFKA_MAX_MESSAGE_BYTES = 16 * upstream.bytes.MiB;

/**
 * Project choice: dedicated KRaft controllers store only the cluster metadata log (MiBs for one topic); 10 GiB
 * leaves room for snapshots and is cheap on gp3.
 */
export const CONTROLLER_METADATA_VOLUME_GIB = 10;

/** Max message size derived from the producer batch, so K1 holds by construction. */
export function messageSizes(producerBatchMaxBytes: number = upstream.mimir.producerBatchMaxBytes) {
  const maxMessageBytes = Math.max(KAFKA_MAX_MESSAGE_BYTES, producerBatchMaxBytes);
  return {
    // K1: topic max.message.bytes / broker message.max.bytes >= the producer batch.
    maxMessageBytes,
    // K4: replica fetches at least one full message (Kafka broker configs docs; KIP-74).
    replicaFetchMaxBytes: maxMessageBytes,
    // K3: a request above socket.request.max.bytes gets its socket closed; keep Kafka's 100 MiB default, well above.
    socketRequestMaxBytes: Math.max(upstream.kafka.defaultSocketRequestMaxBytes, 2 * maxMessageBytes),
    // K2: a segment must hold the largest batch; keep Kafka's 1 GiB default.
    segmentBytes: Math.max(upstream.kafka.defaultSegmentBytes, 2 * maxMessageBytes),
  };
}

/**
 * K8: every ingester in a zone consumes exactly one partition (chosen by its ordinal), so partitions >= ingesters
 * per zone. We provision twice that: Kafka can add partitions but never remove them, and partitions without an
 * ingester stay inactive in Mimir's partition ring, so scaling ingesters out needs no topic change.
 */
export function topicPartitions(ingestersPerZone: number): number {
  return ingestersPerZone * 2;
}

/**
 * K6: internal topics need RF <= brokers or they are never created; Kafka's own defaults are 3 and min ISR 2.
 */
export function internalTopicReplication(brokers: number) {
  const rf = Math.min(3, brokers);
  return { replicationFactor: rf, minInsyncReplicas: Math.min(2, rf) };
}

/** Disk per broker for the retained topic plus 50% headroom (K17's formula); at least 20 GiB. */
export function brokerStorageGiB(
  samplesPerSecond: number,
  retentionMs: number,
  replicationFactor: number,
  brokers: number,
): number {
  const topicBytes = kafkaWriteBytesPerSecond(samplesPerSecond) * (retentionMs / 1000);
  const volume = brokerVolumeBytes(topicBytes, replicationFactor, brokers);
  return Math.max(20, roundUpTo(volume / upstream.bytes.GiB, 10));
}

export function deriveKafka(config: StackConfig, ingestersPerZone: number, retentionKafkaMs: number): KafkaSettings {
  const r = config.replication;
  const sizes = messageSizes();
  const internal = internalTopicReplication(r.kafkaBrokers);
  const partitions = topicPartitions(ingestersPerZone);
  const authenticated = config.profile !== "dev";
  // Mimir 3.0 (mimir-distributed 6.0.x) speaks only SASL/PLAIN and no TLS to Kafka (grafana/mimir#13449, #13987);
  // SCRAM-SHA-512 and TLS arrive in Mimir 3.1 (PRs #14307, #14550). Switch to scram-sha-512 over TLS with that pin.
  const listener: KafkaListener = authenticated
    ? { name: "saslplain", port: 9093, tls: false, authentication: "plain" }
    : { name: "plain", port: 9092, tls: false, authentication: "none" };
  // The cluster lives in the namespace the Kafka component creates; read from the one list of namespaces.
  const namespace = NAMESPACES.kafka;
  const clusterName = "kafka";
  const retentionMs = retentionKafkaMs;
  // No official Kafka sizing exists for Mimir (grafana/mimir#13981): scale brokers with the write rate.
  const writeMBps =
    (kafkaWriteBytesPerSecond(config.workload.samplesPerSecond) * r.kafkaReplicationFactor) / r.kafkaBrokers / 1e6;
  const brokerCpu = Math.max(500, roundUpTo(writeMBps * 200, 250));
  return {
    clusterName,
    version: upstream.kafka.version,
    metadataVersion: upstream.kafka.metadataVersion,
    brokers: r.kafkaBrokers,
    // K10: KRaft quorum needs a majority; 3 dedicated controllers survive one loss. One broker runs combined.
    dedicatedControllers: r.kafkaBrokers === 1 ? 0 : 3,
    listener,
    // Strimzi names the bootstrap service <cluster>-kafka-bootstrap (Strimzi docs, "Accessing Kafka").
    bootstrapAddress: `${clusterName}-kafka-bootstrap.${namespace}.svc:${listener.port}`,
    brokerConfig: {
      "message.max.bytes": sizes.maxMessageBytes,
      "replica.fetch.max.bytes": sizes.replicaFetchMaxBytes,
      "socket.request.max.bytes": sizes.socketRequestMaxBytes,
      "log.segment.bytes": sizes.segmentBytes,
      "default.replication.factor": r.kafkaReplicationFactor,
      "min.insync.replicas": r.kafkaMinInsyncReplicas,
      "offsets.topic.replication.factor": internal.replicationFactor,
      "transaction.state.log.replication.factor": internal.replicationFactor,
      "transaction.state.log.min.isr": internal.minInsyncReplicas,
      "num.partitions": partitions,
      // Mimir's topic is declared as a KafkaTopic; a typo in a client must not create a stray topic.
      "auto.create.topics.enable": false,
      "log.retention.ms": retentionMs,
    },
    topic: {
      name: "mimir-ingest",
      partitions,
      replicas: r.kafkaReplicationFactor,
      config: {
        "max.message.bytes": sizes.maxMessageBytes,
        "segment.bytes": sizes.segmentBytes,
        "retention.ms": retentionMs,
        "min.insync.replicas": r.kafkaMinInsyncReplicas,
      },
    },
    mimirUser: "mimir",
    brokerStorageGiB: brokerStorageGiB(
      config.workload.samplesPerSecond,
      retentionMs,
      r.kafkaReplicationFactor,
      r.kafkaBrokers,
    ),
    controllerStorageGiB: CONTROLLER_METADATA_VOLUME_GIB,
    brokerResources: { cpuMillis: brokerCpu, memoryMiB: config.profile === "dev" ? 2048 : 4096 },
    controllerResources: { cpuMillis: 250, memoryMiB: 1024 },
  };
}
