// Kafka facts the rules compare against, and the env-var naming of the apache/kafka image.
import { HOUR_MS } from "../duration";
// Apache Kafka 4.x broker defaults (Kafka broker config docs; conflict-rules.md section 1).
export const KAFKA_BROKER_DEFAULTS: Readonly<Record<string, number>> = {
  "message.max.bytes": 1_048_588,
  "replica.fetch.max.bytes": 1_048_576,
  "socket.request.max.bytes": 104_857_600,
  "log.segment.bytes": 1_073_741_824,
  "default.replication.factor": 1,
  "num.partitions": 1,
  "min.insync.replicas": 1,
  "offsets.topic.replication.factor": 3,
  "transaction.state.log.replication.factor": 3,
  "transaction.state.log.min.isr": 2,
  "log.retention.ms": 168 * HOUR_MS, // log.retention.hours=168
  "log.retention.bytes": -1, // no size limit
  "offsets.retention.minutes": 10_080,
  "replica.fetch.wait.max.ms": 500,
  "replica.socket.timeout.ms": 30_000,
  "replica.lag.time.max.ms": 30_000,
  "queued.max.request.bytes": -1,
};

// Topic property -> the broker property that provides its default (Kafka topic config docs, "Server Default Property").
export const TOPIC_DEFAULT_FROM_BROKER: Readonly<Record<string, string>> = {
  "max.message.bytes": "message.max.bytes",
  "segment.bytes": "log.segment.bytes",
  "min.insync.replicas": "min.insync.replicas",
  "retention.ms": "log.retention.ms",
  "retention.bytes": "log.retention.bytes",
};

/** Mimir's producer batches up to this many bytes per partition (franz-go ProducerBatchMaxBytes, hard-coded in Mimir pkg/storage/ingest/writer.go). */
export const MIMIR_PRODUCER_BATCH_BYTES = 16_000_000;

// Broker log retention precedence: log.retention.ms, then .minutes, then .hours (Kafka broker config docs).
export const RETENTION_UNITS: Array<[string, number]> = [
  ["log.retention.ms", 1],
  ["log.retention.minutes", 60_000],
  ["log.retention.hours", HOUR_MS],
];

/** Broker property -> env var of the apache/kafka image (KAFKA_ prefix, dots become underscores; apache/kafka docker README). */
export function kafkaEnvName(property: string): string {
  return `KAFKA_${property.toUpperCase().replace(/\./g, "_")}`;
}
