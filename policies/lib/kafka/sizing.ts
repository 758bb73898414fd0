// How much the Mimir topic writes and how much disk a broker needs to keep it: one formula for the program
// (settings/derive/kafka.ts sizes the broker volumes with it) and the pack (K16, K17 check the stack against it).

/**
 * Kafka bytes per Mimir sample, as stored. Mimir 3.0 writes each write request as one record holding a remote-write 1.0
 * protobuf WriteRequest, every series with all its labels (record version 0, the 3.0 default: grafana/mimir
 * pkg/storage/ingest/version.go, config.go -ingest-storage.kafka.producer-record-version default 0; writer.go
 * marshalWriteRequestToRecords). Mimir's own figure for that record size: "the average sample size is somewhere between
 * ~250 and ~500 bytes. We'll use 500 bytes as a conservative estimate" (config.go,
 * -ingest-storage.kafka.ingestion-concurrency-estimated-bytes-per-sample, main before 3.1, commit 00be5415). The
 * producer compresses batches with franz-go's default snappy (Mimir 3.0 sets no codec; twmb/franz-go kgo config.go:
 * "The default preference is [snappy, none]") and the topic keeps the producer's compression.
 * That is the remote-write 1.0 payload Prometheus sends, snappy-compressed the same way; a production measurement of
 * it: "an average data sample in production costs around 50 bytes to transfer via Prometheus remote write protocol"
 * (VictoriaMetrics blog, "Save network costs with VictoriaMetrics remote write protocol", 2023-03-08), in line with
 * Mimir's 250-500 uncompressed bytes at a 5-10x snappy ratio.
 * ASSUMPTION (grafana/mimir#13981 is still unanswered): 50 bytes per sample on the wire and on disk. It sizes the broker
 * disks and the write rate the pack compares quotas with.
 */
export const ASSUMED_KAFKA_BYTES_PER_SAMPLE = 50;

/**
 * Project choice: broker volumes get the 50% headroom Mimir's capacity planning doc adds to every figure
 * (planning-capacity.md; settings/upstream.ts mimirCapacity.headroom): the byte rate is an estimate, and Kafka keeps
 * up to one more segment per partition than retention asks for (it deletes whole segments only).
 */
export const KAFKA_BROKER_DISK_HEADROOM = 1.5;

/** Bytes per second the Mimir topic receives at `samplesPerSecond` (ASSUMED_KAFKA_BYTES_PER_SAMPLE each). */
export function kafkaWriteBytesPerSecond(samplesPerSecond: number): number {
  return samplesPerSecond * ASSUMED_KAFKA_BYTES_PER_SAMPLE;
}

/** Bytes one broker holds of a topic: every replica of `topicBytes`, spread evenly over the brokers. */
export function topicBytesPerBroker(topicBytes: number, replicationFactor: number, brokers: number): number {
  return (topicBytes * replicationFactor) / brokers;
}

/** The volume a broker needs for its share of a topic of `topicBytes` (retained, one replica): the share plus headroom. */
export function brokerVolumeBytes(topicBytes: number, replicationFactor: number, brokers: number): number {
  return topicBytesPerBroker(topicBytes, replicationFactor, brokers) * KAFKA_BROKER_DISK_HEADROOM;
}
