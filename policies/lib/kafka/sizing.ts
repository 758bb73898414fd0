// How much the Mimir topic writes and how much disk a broker needs to keep it: one formula for the program
// (settings/derive/kafka.ts sizes the broker volumes with it) and the pack (K16, K17 check the stack against it).

/**
 * ASSUMPTION: Kafka bytes per Mimir sample are not documented (grafana/mimir#13981). Project assumption: 4 bytes per
 * sample for compressed write requests including labels amortised over a batch; used to size broker disks and to
 * estimate the topic's write rate.
 */
export const ASSUMED_KAFKA_BYTES_PER_SAMPLE = 4;

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
