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
