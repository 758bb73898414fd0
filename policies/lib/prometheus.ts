// Prometheus and prometheus-operator facts the pack checks against; the program (settings/upstream.ts) reads them
// from here so the two cannot disagree.

/**
 * External labels prometheus-operator puts on every sample a Prometheus sends when the chart names none:
 * prometheus=<namespace>/<name> (the same on every replica) and prometheus_replica=<pod name>
 * (prometheus-operator pkg/prometheus/promcfg.go defaultPrometheusExternalLabelName / defaultReplicaExternalLabelName,
 * v0.93). Mimir's HA tracker must deduplicate on these two.
 */
export const PROMETHEUS_OPERATOR_LABELS = { cluster: "prometheus", replica: "prometheus_replica" } as const;

/** remote_write queue_config.max_samples_per_send default (Prometheus configuration docs, remote-write tuning). */
export const PROMETHEUS_MAX_SAMPLES_PER_SEND = 2000;

/**
 * Memory a Prometheus needs per active series in its head block: 4 KiB (a project planning figure, the Prometheus
 * operators' rule of thumb; not an upstream constant). The program sizes prometheusSpec.resources with it
 * (settings/derive/prometheus.ts) and policy B4 (prometheus-memory-holds-series) checks the limit against it.
 */
export const PROMETHEUS_BYTES_PER_SERIES = 4096;

/**
 * remote_write queue_config defaults (prometheus/prometheus config/config.go DefaultQueueConfig: MaxShards 50,
 * MaxSamplesPerSend 2000, Capacity 10000; prometheus-operator passes RemoteWriteSpec.queueConfig through).
 */
export const PROMETHEUS_QUEUE_DEFAULTS = {
  maxShards: 50,
  capacity: 10_000,
  maxSamplesPerSend: PROMETHEUS_MAX_SAMPLES_PER_SEND,
} as const;

/**
 * ASSUMPTION (the project's one figure for remote-write throughput): a shard sends one request of up to
 * max_samples_per_send at a time and waits for its answer (prometheus/prometheus storage/remote/queue_manager.go,
 * shards.runShard sends one batch per iteration), so its rate is max_samples_per_send per round trip. We plan with
 * 200 ms round trips to Mimir's gateway through the distributor and Kafka, 5 sends per second per shard; Prometheus'
 * own DefaultQueueConfig comment assumes 100 ms ("With a maximum of 50 shards, assuming an average of 100ms remote
 * write time and 2000 samples per batch, we will be able to push 1M samples/s", config/config.go). The program sizes
 * queueConfig.maxShards with it (settings/derive/prometheus.ts queueConfig) and policy Q11 checks the queue against it.
 */
export const ASSUMED_REMOTE_WRITE_SENDS_PER_SHARD_PER_SECOND = 5;

/**
 * The sends per second per shard Prometheus' own defaults are sized with: 100 ms per remote write (config/config.go
 * DefaultQueueConfig comment above), 10 per second. A queue that cannot keep up even at this rate falls behind
 * whatever the round trip to Mimir; policy Q11 refuses below it and advises below ours.
 */
export const PROMETHEUS_UPSTREAM_SENDS_PER_SHARD_PER_SECOND = 10;

/** Samples per second a remote-write queue can send at most: maxShards x maxSamplesPerSend x sends per second. */
export function remoteWriteQueueSamplesPerSecond(
  maxShards: number,
  maxSamplesPerSend: number,
  sendsPerShardPerSecond: number = ASSUMED_REMOTE_WRITE_SENDS_PER_SHARD_PER_SECOND,
): number {
  return maxShards * maxSamplesPerSend * sendsPerShardPerSecond;
}
