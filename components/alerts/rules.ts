import type { Settings } from "../../settings";
import * as upstream from "../../settings/upstream";
import {
  compactorStalenessSeconds,
  DISCARD_PAGE_RATIO,
  distributorMemoryPageRatio,
  kafkaLagDataLossSeconds,
  lokiIngestionLimitsBytes,
  mimirIngestionLimits,
  NEAR_LIMIT_SHARE,
  TenantLimit,
} from "./thresholds";

/**
 * Alerts on the stack's own failure modes. Metric names and label sets are read from the sources named at each rule;
 * Mimir names are those of Mimir 3.0 (mimir-distributed 6.0.x).
 */

export type Severity = "critical" | "warning";

/** The failure modes every stack must page on; each rule names the one it covers. */
export type FailureMode =
  | "tenant-discarded-samples"
  | "tenant-discarded-lines"
  | "distributor-memory"
  | "oom-killed"
  | "kafka-produce-failures"
  | "kafka-oversized-records"
  | "kafka-consumer-lag"
  | "compactor"
  | "object-store-errors"
  | "kafka-disk";

export const FAILURE_MODES: FailureMode[] = [
  "tenant-discarded-samples",
  "tenant-discarded-lines",
  "distributor-memory",
  "oom-killed",
  "kafka-produce-failures",
  "kafka-oversized-records",
  "kafka-consumer-lag",
  "compactor",
  "object-store-errors",
  "kafka-disk",
];

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  /** limit_scope tells apart rules of one alert name that compare tenants to different limits. */
  labels: { severity: Severity; failure_mode: FailureMode; limit_scope?: string };
  annotations: { summary: string; description: string; runbook: string; runbook_url?: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/**
 * Mimir's runbooks page. Only error-id anchors (err-mimir-*) are linked: the mixin's alert names, and so their
 * anchors, changed across Mimir 2.x/3.x, so rules name the matching Mimir alert in their runbook text instead.
 */
const MIMIR_RUNBOOKS = "https://grafana.com/docs/mimir/latest/manage/mimir-runbooks/";

/** Escapes text for a double-quoted PromQL string (Go string-literal escapes, Prometheus querying basics). */
export function promqlString(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

/**
 * The body of a double-quoted PromQL regex matcher matching exactly one of the given strings: RE2 metacharacters
 * escaped first, then the string escapes (tenant ids may contain . * ( ) per the config schema).
 */
export function exactAlternation(values: string[]): string {
  return promqlString(values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"));
}

/** One row of an alert table: the rule's fields by name, flat. */
interface AlertSpec {
  alert: string;
  failureMode: FailureMode;
  severity: Severity;
  expr: string;
  for?: string;
  summary: string;
  description: string;
  runbook: string;
  runbookUrl?: string;
  /** Extra labels (limit_scope). */
  labels?: Record<string, string>;
}

function alertRule(spec: AlertSpec): AlertRule {
  return {
    alert: spec.alert,
    expr: spec.expr.trim(),
    ...(spec.for ? { for: spec.for } : {}),
    labels: { severity: spec.severity, failure_mode: spec.failureMode, ...spec.labels },
    annotations: {
      summary: spec.summary,
      description: spec.description,
      runbook: spec.runbook,
      ...(spec.runbookUrl ? { runbook_url: spec.runbookUrl } : {}),
    },
  };
}

/**
 * One rule per distinct limit: tenants with an override are compared to their own limit, every other tenant to the
 * stack default (series are excluded by regex so no tenant is compared twice).
 */
function perTenantLimit(
  label: string,
  limits: { defaultLimit: number; overrides: TenantLimit[] },
): { matcher: string; limit: number; scope: string; limitLabel: Record<string, string> }[] {
  // Each rule carries the limit it compares to as a label: rules of one alert name must differ in their labels, or
  // Prometheus (and promtool check rules) sees duplicates.
  const out = limits.overrides.map((o) => ({
    matcher: `${label}="${promqlString(o.tenant)}"`,
    limit: o.limit,
    scope: `tenant ${o.tenant}`,
    limitLabel: { limit_scope: `tenant:${o.tenant}` },
  }));
  const excluded = limits.overrides.map((o) => o.tenant);
  out.push({
    matcher: excluded.length > 0 ? `${label}!~"${exactAlternation(excluded)}"` : "",
    limit: limits.defaultLimit,
    scope: "tenants on the default limit",
    limitLabel: { limit_scope: "default" },
  });
  return out;
}

function tenantDiscards(settings: Settings): RuleGroup {
  const ns = settings.namespaces;
  const rules: AlertRule[] = [
    // cortex_discarded_samples_total{reason,user}: samples Mimir rejected (grafana/mimir pkg/util/validation, discarded
    // samples metrics); cortex_distributor_received_samples_total{user} excludes rejected samples (distributor metrics).
    alertRule({
      alert: "MimirTenantDiscardingSamples",
      failureMode: "tenant-discarded-samples",
      severity: "critical",
      expr: `
sum by (user) (rate(cortex_discarded_samples_total{namespace="${ns.mimir}"}[5m]))
/
(
  sum by (user) (rate(cortex_distributor_received_samples_total{namespace="${ns.mimir}"}[5m]))
  + sum by (user) (rate(cortex_discarded_samples_total{namespace="${ns.mimir}"}[5m]))
)
> ${DISCARD_PAGE_RATIO}`,
      for: "10m",
      summary: "Mimir is discarding samples of tenant {{ $labels.user }}",
      description: `Mimir discards {{ $value | humanizePercentage }} of the samples tenant {{ $labels.user }} sends (page above ${DISCARD_PAGE_RATIO * 100}%): that data is lost.`,
      runbook:
        "Find the reason: sum by (reason) (rate(cortex_discarded_samples_total{user=\"<tenant>\"}[5m])). rate_limited/per_user_series_limit: raise the tenant's limits in config tenants[].limits; sample-out-of-order/too-old: check the sender's clocks and duplicate senders.",
      runbookUrl: `${MIMIR_RUNBOOKS}#err-mimir-ingestion-rate-limited`,
    }),
    alertRule({
      alert: "MimirTenantSamplesDiscardedByReason",
      failureMode: "tenant-discarded-samples",
      severity: "warning",
      expr: `sum by (user, reason) (rate(cortex_discarded_samples_total{namespace="${ns.mimir}"}[5m])) > 0`,
      for: "30m",
      summary: "Mimir keeps discarding samples of tenant {{ $labels.user }} ({{ $labels.reason }})",
      description:
        "Tenant {{ $labels.user }} has lost samples for 30 minutes with reason {{ $labels.reason }} ({{ $value | humanize }} samples/s).",
      runbook:
        "The reason names the limit or validation that rejected the samples; see the Mimir runbooks for err-mimir-<reason>.",
      runbookUrl: MIMIR_RUNBOOKS,
    }),
  ];
  // Warn before the limit is hit: settings.mimir.limits.ingestion_rate and per-tenant overrides (global rate across distributors).
  for (const t of perTenantLimit("user", mimirIngestionLimits(settings))) {
    const selector = [`namespace="${ns.mimir}"`, t.matcher].filter(Boolean).join(", ");
    rules.push(
      alertRule({
        alert: "MimirTenantNearIngestionRateLimit",
        failureMode: "tenant-discarded-samples",
        severity: "warning",
        expr: `sum by (user) (rate(cortex_distributor_received_samples_total{${selector}}[5m])) > ${Math.floor(t.limit * NEAR_LIMIT_SHARE)}`,
        for: "15m",
        summary: "Tenant {{ $labels.user }} is near its Mimir ingestion rate limit",
        description: `Tenant {{ $labels.user }} sends {{ $value | humanize }} samples/s, above ${NEAR_LIMIT_SHARE * 100}% of its ingestion_rate ${t.limit}/s (${t.scope}); past the limit Mimir answers 429 and discards samples.`,
        runbook:
          "Raise tenants[].limits.ingestionRate (and ingestionBurstSize) for the tenant, or reduce what it sends.",
        runbookUrl: `${MIMIR_RUNBOOKS}#err-mimir-ingestion-rate-limited`,
        labels: t.limitLabel,
      }),
    );
  }
  return { name: "stack-tenant-discarded-samples", rules };
}

function tenantDiscardedLines(settings: Settings): RuleGroup {
  const ns = settings.namespaces;
  const rules: AlertRule[] = [
    // loki_discarded_samples_total{reason,tenant} (grafana/loki pkg/validation/validate.go); lines_received counts
    // every line when the push is parsed, before validation (pkg/loghttp/push/push.go).
    alertRule({
      alert: "LokiTenantDiscardingLines",
      failureMode: "tenant-discarded-lines",
      severity: "critical",
      expr: `
sum by (tenant) (rate(loki_discarded_samples_total{namespace="${ns.loki}"}[5m]))
/
sum by (tenant) (rate(loki_distributor_lines_received_total{namespace="${ns.loki}"}[5m]))
> ${DISCARD_PAGE_RATIO}`,
      for: "10m",
      summary: "Loki is discarding log lines of tenant {{ $labels.tenant }}",
      description: `Loki discards {{ $value | humanizePercentage }} of the lines tenant {{ $labels.tenant }} sends (page above ${DISCARD_PAGE_RATIO * 100}%): those logs are lost.`,
      runbook:
        'Find the reason: sum by (reason) (rate(loki_discarded_samples_total{tenant="<tenant>"}[5m])). rate_limited: raise tenants[].limits.logsIngestionRateMB/BurstSizeMB; greater_than_max_sample_age: a sender ships old logs (reject_old_samples_max_age).',
    }),
    alertRule({
      alert: "LokiTenantLinesDiscardedByReason",
      failureMode: "tenant-discarded-lines",
      severity: "warning",
      expr: `sum by (tenant, reason) (rate(loki_discarded_samples_total{namespace="${ns.loki}"}[5m])) > 0`,
      for: "30m",
      summary: "Loki keeps discarding lines of tenant {{ $labels.tenant }} ({{ $labels.reason }})",
      description:
        "Tenant {{ $labels.tenant }} has lost log lines for 30 minutes with reason {{ $labels.reason }} ({{ $value | humanize }} lines/s).",
      runbook:
        "The reason names the limit or validation that rejected the lines (Loki docs, operations/request-validation-rate-limits).",
    }),
  ];
  // loki_distributor_bytes_received_total{tenant}: uncompressed bytes per tenant (pkg/loghttp/push/push.go).
  for (const t of perTenantLimit("tenant", lokiIngestionLimitsBytes(settings))) {
    const selector = [`namespace="${ns.loki}"`, t.matcher].filter(Boolean).join(", ");
    rules.push(
      alertRule({
        alert: "LokiTenantNearIngestionRateLimit",
        failureMode: "tenant-discarded-lines",
        severity: "warning",
        expr: `sum by (tenant) (rate(loki_distributor_bytes_received_total{${selector}}[5m])) > ${Math.floor(t.limit * NEAR_LIMIT_SHARE)}`,
        for: "15m",
        summary: "Tenant {{ $labels.tenant }} is near its Loki ingestion rate limit",
        description: `Tenant {{ $labels.tenant }} sends {{ $value | humanize1024 }}B/s, above ${NEAR_LIMIT_SHARE * 100}% of its ingestion_rate_mb (${t.limit} bytes/s, ${t.scope}); past it Loki rejects pushes with rate_limited.`,
        runbook: "Raise tenants[].limits.logsIngestionRateMB for the tenant, or drop noisy streams at the sender.",
        labels: t.limitLabel,
      }),
    );
  }
  return { name: "stack-tenant-discarded-lines", rules };
}

function memory(settings: Settings): RuleGroup {
  const ns = settings.namespaces;
  const ratio = distributorMemoryPageRatio(settings);
  const d = settings.mimir.sizing.distributor;
  const stackNamespaces = exactAlternation([ns.mimir, ns.loki, ns.monitoring, ns.alloy, ns.kafka]);
  return {
    name: "stack-memory",
    rules: [
      // container_memory_working_set_bytes is what the kubelet compares to the limit (cAdvisor); limits from
      // kube-state-metrics kube_pod_container_resource_limits{resource="memory"}. Container name from mimir-distributed
      // templates/distributor/distributor-dep.yaml.
      alertRule({
        alert: "MimirDistributorMemoryNearLimit",
        failureMode: "distributor-memory",
        severity: "critical",
        expr: `
max by (namespace, pod) (container_memory_working_set_bytes{namespace="${ns.mimir}", container="distributor"})
/
max by (namespace, pod) (kube_pod_container_resource_limits{namespace="${ns.mimir}", container="distributor", resource="memory"})
> ${ratio}`,
        for: "5m",
        summary: "Mimir distributor {{ $labels.pod }} is close to its memory limit",
        description: `Distributor {{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit (page above ${ratio * 100}%: less than half of the ${d.producerMaxBufferedBytes / 1048576}MiB Kafka producer buffer left). A Kafka slowdown that fills the buffer will OOM-kill it and fail writes.`,
        runbook:
          "Check Kafka produce latency and cortex_ingest_storage_writer_buffered_produce_bytes (Mimir runbook: MimirKafkaClientProduceBufferHigh); add distributor replicas (workload.samplesPerSecond) or lower the producer buffer before raising the limit.",
        runbookUrl: MIMIR_RUNBOOKS,
      }),
      // kube_pod_container_status_last_terminated_reason and restarts_total (kube-state-metrics pod metrics docs).
      alertRule({
        alert: "StackContainerOOMKilled",
        failureMode: "oom-killed",
        severity: "critical",
        expr: `
max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{namespace=~"${stackNamespaces}", reason="OOMKilled"}) == 1
and on (namespace, pod, container)
increase(kube_pod_container_status_restarts_total{namespace=~"${stackNamespaces}"}[15m]) > 0`,
        summary: "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) was OOM-killed",
        description:
          "Container {{ $labels.container }} of {{ $labels.pod }} restarted in the last 15 minutes after being OOM-killed; while it restarts, writes or queries through it fail.",
        runbook:
          "Compare its working set with its limit over the last day; raise the component's sizing (settings derive it from workload.*) or find the query or tenant that spiked it.",
      }),
    ],
  };
}

function kafkaProduce(settings: Settings): RuleGroup {
  const ns = settings.namespaces;
  return {
    name: "stack-kafka-produce",
    rules: [
      // cortex_ingest_storage_writer_produce_records_failed_total{reason}: reasons timeout, buffer-full,
      // record-too-large, canceled, other (grafana/mimir pkg/storage/ingest/writer_client.go produceErrReason; renamed from
      // ..._produce_failures_total in grafana/mimir#11766, Mimir 2.17).
      alertRule({
        alert: "MimirKafkaProduceFailing",
        failureMode: "kafka-produce-failures",
        severity: "critical",
        expr: `
sum by (namespace, pod, reason) (rate(cortex_ingest_storage_writer_produce_records_failed_total{namespace="${ns.mimir}", reason!="record-too-large"}[5m]))
> 0`,
        for: "5m",
        summary: "Mimir distributor {{ $labels.pod }} fails to write to Kafka ({{ $labels.reason }})",
        description:
          "Records fail to reach Kafka with reason {{ $labels.reason }}; the distributor answers 5xx and clients retry or drop samples.",
        runbook:
          "timeout: Kafka brokers slow or unreachable (check broker health and ISR); buffer-full: Kafka back-pressure, see the produce buffer alert; other: check distributor logs for the Kafka error.",
        runbookUrl: MIMIR_RUNBOOKS,
      }),
      alertRule({
        alert: "MimirKafkaRecordTooLarge",
        failureMode: "kafka-oversized-records",
        severity: "critical",
        expr: `sum by (namespace, pod) (increase(cortex_ingest_storage_writer_produce_records_failed_total{namespace="${ns.mimir}", reason="record-too-large"}[5m])) > 0`,
        summary: "Kafka rejects Mimir records as too large",
        description: `Kafka answered MESSAGE_TOO_LARGE to {{ $labels.pod }}: its message size is below Mimir's ${settings.mimir.producerMaxRecordSizeBytes}-byte records. Mimir maps this to HTTP 400 and the sender drops the data (conflict rule K1).`,
        runbook: `Check the effective max message size of topic ${settings.kafka.topic.name} (max.message.bytes, else broker message.max.bytes); both must be >= ${upstream.mimir.producerBatchMaxBytes} (Mimir's producer batch). overrides.kafkaCluster/kafkaTopic may have lowered them.`,
      }),
      // cortex_ingest_storage_writer_buffered_produce_bytes (a summary, quantiles 0.5/0.99/1) / _limit, as in the Mimir
      // mixin's MimirKafkaClientProduceBufferHigh (operations/mimir-mixin/alerts/ingest-storage.libsonnet, same 50%).
      // Mimir 3.0 name (pkg/storage/ingest/writer_client.go NewKafkaProducer); 3.1 renames the summary to
      // ..._distribution (CHANGELOG 3.1.0, #13414). Prometheus 3 writes quantile 1 as "1.0" (Prometheus 3 migration
      // guide, le and quantile normalisation); 2.x kept the exposed "1".
      alertRule({
        alert: "MimirKafkaProduceBufferHigh",
        failureMode: "kafka-produce-failures",
        severity: "warning",
        expr: `
max by (namespace, pod) (max_over_time(cortex_ingest_storage_writer_buffered_produce_bytes{namespace="${ns.mimir}", quantile=~"1|1.0"}[1m]))
/
min by (namespace, pod) (min_over_time(cortex_ingest_storage_writer_buffered_produce_bytes_limit{namespace="${ns.mimir}"}[1m]))
> 0.5`,
        for: "5m",
        summary: "Mimir distributor {{ $labels.pod }} Kafka produce buffer is over half full",
        description:
          "The distributor buffers {{ $value | humanizePercentage }} of its producer_max_buffered_bytes; when full, every write fails with buffer-full.",
        runbook:
          "Kafka is not acknowledging fast enough (Mimir runbook: MimirKafkaClientProduceBufferHigh): check broker CPU/disk and under-replicated partitions; add brokers or partitions.",
        runbookUrl: MIMIR_RUNBOOKS,
      }),
    ],
  };
}

function kafkaConsume(settings: Settings): RuleGroup {
  const ns = settings.namespaces;
  const lossSeconds = kafkaLagDataLossSeconds(settings);
  // cortex_ingest_storage_reader_receive_delay_seconds{phase}: delay between producing a record and the ingester reading
  // it, classic buckets 125ms..9h (grafana/mimir pkg/storage/ingest/reader.go). Each ingester reads one partition.
  const delay = `
sum by (namespace, pod) (rate(cortex_ingest_storage_reader_receive_delay_seconds_sum{namespace="${ns.mimir}", phase="running"}[5m]))
/
sum by (namespace, pod) (rate(cortex_ingest_storage_reader_receive_delay_seconds_count{namespace="${ns.mimir}", phase="running"}[5m]))`;
  const base = {
    summary: "Mimir ingester {{ $labels.pod }} lags behind its Kafka partition",
    runbook:
      "Mimir runbook: MimirRunningIngesterReceiveDelayTooHigh. Check the ingester's CPU and TSDB append latency and cortex_ingest_storage_reader_buffered_fetched_records; scale ingesters (more partitions are already provisioned, settings.kafka.topic.partitions).",
    runbookUrl: MIMIR_RUNBOOKS,
  };
  return {
    name: "stack-kafka-consumer-lag",
    rules: [
      // Mimir mixin MimirRunningIngesterReceiveDelayTooHigh thresholds: 2m for 3m and 30s for 15m.
      alertRule({
        alert: "MimirIngesterKafkaLagHigh",
        failureMode: "kafka-consumer-lag",
        severity: "critical",
        expr: `${delay}\n> 120`,
        for: "3m",
        ...base,
        description:
          "Ingester {{ $labels.pod }} reads records {{ $value | humanizeDuration }} after they were written: recent samples are missing from queries.",
      }),
      alertRule({
        alert: "MimirIngesterKafkaLagGrowing",
        failureMode: "kafka-consumer-lag",
        severity: "warning",
        expr: `${delay}\n> 30`,
        for: "15m",
        ...base,
        description:
          "Ingester {{ $labels.pod }} has been {{ $value | humanizeDuration }} behind its partition for 15 minutes.",
      }),
      alertRule({
        alert: "MimirIngesterKafkaLagNearRetention",
        failureMode: "kafka-consumer-lag",
        severity: "critical",
        expr: `${delay}\n> ${lossSeconds}`,
        for: "5m",
        ...base,
        description: `Ingester {{ $labels.pod }} is {{ $value | humanizeDuration }} behind, over half the topic's retention (${settings.retention.kafkaMs / 3_600_000}h): Kafka deletes records it has not read yet and their samples are lost (rule K9).`,
      }),
    ],
  };
}

function compactor(settings: Settings): RuleGroup {
  const ns = settings.namespaces;
  const stale = compactorStalenessSeconds(settings);
  const runbookUrl = MIMIR_RUNBOOKS;
  const runbook =
    "Mimir runbook: MimirCompactorHasNotSuccessfullyRunCompaction. Look for errors in the compactor logs (bucket permissions, a corrupted block of one tenant, disk full); an OOM-killed compactor shows in StackContainerOOMKilled.";
  return {
    name: "stack-compactor",
    rules: [
      // cortex_compactor_last_successful_run_timestamp_seconds and cortex_compactor_runs_failed_total{reason}: the Mimir
      // mixin's MimirCompactorHasNotSuccessfullyRunCompaction variants (operations/mimir-mixin/alerts/compactor.libsonnet).
      alertRule({
        alert: "MimirCompactorNotRunningCompaction",
        failureMode: "compactor",
        severity: "critical",
        expr: `
(time() - cortex_compactor_last_successful_run_timestamp_seconds{namespace="${ns.mimir}"} > ${stale})
and
(cortex_compactor_last_successful_run_timestamp_seconds{namespace="${ns.mimir}"} > 0)`,
        for: "1h",
        summary: "Mimir compactor {{ $labels.pod }} has not compacted successfully for too long",
        description: `No successful compaction for more than ${stale / 3600}h, the largest block range: queries slow down and retention (compactor_blocks_retention_period) is not applied.`,
        runbook,
        runbookUrl,
      }),
      alertRule({
        alert: "MimirCompactorNeverSucceeded",
        failureMode: "compactor",
        severity: "critical",
        expr: `cortex_compactor_last_successful_run_timestamp_seconds{namespace="${ns.mimir}"} == 0`,
        for: `${stale / 3600}h`,
        summary: "Mimir compactor {{ $labels.pod }} has not completed a compaction since it started",
        description: `The compactor has run for ${stale / 3600}h without one successful compaction.`,
        runbook,
        runbookUrl,
      }),
      alertRule({
        alert: "MimirCompactorFailing",
        failureMode: "compactor",
        severity: "critical",
        expr: `increase(cortex_compactor_runs_failed_total{namespace="${ns.mimir}", reason!="shutdown"}[2h]) >= 2`,
        summary: "Mimir compactor {{ $labels.pod }} failed two compactions in a row",
        description: "{{ $value | humanize }} compaction runs failed in the last 2 hours (shutdowns excluded).",
        runbook,
        runbookUrl,
      }),
      alertRule({
        alert: "MimirCompactorAbsent",
        failureMode: "compactor",
        severity: "critical",
        expr: `absent(cortex_compactor_last_successful_run_timestamp_seconds{namespace="${ns.mimir}"})`,
        for: "30m",
        summary: "No Mimir compactor is reporting",
        description:
          "No compactor has exposed metrics for 30 minutes: nothing compacts blocks or applies retention, and Prometheus may not be scraping Mimir.",
        runbook:
          "Check the compactor StatefulSet in the mimir namespace and that its ServiceMonitor exists (metaMonitoring.serviceMonitor.enabled).",
      }),
    ],
  };
}

function objectStore(settings: Settings): RuleGroup {
  const ns = settings.namespaces;
  const runbook =
    "Check the pod logs for the S3 error: AccessDenied means the IRSA role, key policy or bucket policy changed; SlowDown means S3 throttling; NoSuchBucket means the bucket was removed.";
  return {
    name: "stack-object-store",
    rules: [
      // Mimir's object store client is thanos-io/objstore: thanos_objstore_bucket_operations_total and
      // _operation_failures_total{operation} (objstore.go BucketMetrics). Mimir wraps them with a component label and an
      // empty bucket label (pkg/storage/bucket/client.go bucketWithMetrics), so they are told apart by component.
      // 5% for 15m is the Thanos mixin's ThanosCompactBucketHighOperationFailures figure.
      alertRule({
        alert: "MimirObjectStoreErrors",
        failureMode: "object-store-errors",
        severity: "critical",
        expr: `
sum by (namespace, component, operation) (rate(thanos_objstore_bucket_operation_failures_total{namespace="${ns.mimir}"}[5m]))
/
sum by (namespace, component, operation) (rate(thanos_objstore_bucket_operations_total{namespace="${ns.mimir}"}[5m]))
> 0.05`,
        for: "15m",
        summary: "Mimir's {{ $labels.component }} fails {{ $labels.operation }} on its bucket",
        description:
          "{{ $value | humanizePercentage }} of the {{ $labels.component }}'s {{ $labels.operation }} operations fail: uploads of new blocks or reads of old data are failing.",
        runbook,
      }),
      // Loki uses its own S3 client (storage_config.use_thanos_objstore defaults to false in Loki 3): it records
      // loki_s3_request_duration_seconds{operation,status_code} (grafana/loki pkg/storage/chunk/client/aws
      // s3_storage_client.go), status_code "200" on success, "cancel" for a cancelled request, else the error's code
      // (dskit instrument.ErrorCode). Same 5% for 15m.
      alertRule({
        alert: "LokiObjectStoreErrors",
        failureMode: "object-store-errors",
        severity: "critical",
        expr: `
sum by (namespace, operation) (rate(loki_s3_request_duration_seconds_count{namespace="${ns.loki}", status_code!~"200|cancel"}[5m]))
/
sum by (namespace, operation) (rate(loki_s3_request_duration_seconds_count{namespace="${ns.loki}"}[5m]))
> 0.05`,
        for: "15m",
        summary: "Loki fails S3 {{ $labels.operation }} requests",
        description:
          "{{ $value | humanizePercentage }} of Loki's S3 {{ $labels.operation }} requests fail: chunk flushes or reads of stored logs are failing.",
        runbook,
      }),
    ],
  };
}

function kafkaDisk(settings: Settings): RuleGroup {
  // Strimzi names broker PVCs data-<cluster>-<pool>-<id>, or data-<volume id>-<cluster>-<pool>-<id> with JBOD storage
  // (Strimzi docs, "Persistent storage"); kubelet_volume_stats_* come from the kubelet (kube-prometheus-stack scrapes it).
  const k = settings.kafka;
  const sel = `namespace="${settings.namespaces.kafka}", persistentvolumeclaim=~"data-([0-9]+-)?${exactAlternation([k.clusterName])}-.+"`;
  const free = `kubelet_volume_stats_available_bytes{${sel}} / kubelet_volume_stats_capacity_bytes{${sel}}`;
  const runbook = `Kafka keeps retention.ms (${k.topic.config["retention.ms"]} ms) of data: a filling disk means more writes than planned (workload.samplesPerSecond) or a stuck log cleaner. Grow the PVC or raise brokers before it fills: a full broker disk stops every Mimir write.`;
  return {
    name: "stack-kafka-disk",
    rules: [
      // Shape of kubernetes-mixin's KubePersistentVolumeFillingUp (15% free and predicted full), on Kafka's volumes.
      alertRule({
        alert: "KafkaBrokerDiskFillingUp",
        failureMode: "kafka-disk",
        severity: "critical",
        expr: `
(${free}) < 0.15
and
predict_linear(kubelet_volume_stats_available_bytes{${sel}}[6h], 24 * 3600) < 0`,
        for: "15m",
        summary: "Kafka volume {{ $labels.persistentvolumeclaim }} will be full within a day",
        description:
          "Only {{ $value | humanizePercentage }} is free on {{ $labels.persistentvolumeclaim }} and the trend fills it within 24 hours.",
        runbook,
      }),
      alertRule({
        alert: "KafkaBrokerDiskAlmostFull",
        failureMode: "kafka-disk",
        severity: "critical",
        expr: `(${free}) < 0.05`,
        for: "5m",
        summary: "Kafka volume {{ $labels.persistentvolumeclaim }} is almost full",
        description: "Only {{ $value | humanizePercentage }} is free on {{ $labels.persistentvolumeclaim }}.",
        runbook,
      }),
    ],
  };
}

/** Every rule group of the stack's self-monitoring, built from the settings only. */
export function buildStackAlertGroups(settings: Settings): RuleGroup[] {
  return [
    tenantDiscards(settings),
    tenantDiscardedLines(settings),
    memory(settings),
    kafkaProduce(settings),
    kafkaConsume(settings),
    compactor(settings),
    objectStore(settings),
    kafkaDisk(settings),
  ];
}
