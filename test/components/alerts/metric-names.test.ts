import * as assert from "node:assert/strict";
import { parser } from "@prometheus-io/lezer-promql";
import { buildStackAlertGroups } from "../../../components/alerts/rules";
import { PROFILES, settingsFor } from "../fixtures";

/**
 * Every metric an alert reads, as the pinned versions export it, with where it is defined. Versions: Mimir 3.0.x
 * (mimir-distributed 6.0.x), Loki 3.7.6 (loki chart 18.11.0 appVersion), kube-state-metrics 2.20.0
 * (kube-prometheus-stack 88.5.3 depends on its chart 8.4.0), thanos-io/objstore as vendored by Mimir, the kubelet.
 * Histogram and summary series (_sum, _count, _bucket) are looked up by their family name.
 */
const EXPORTED: Record<string, string> = {
  cortex_discarded_samples_total: "grafana/mimir pkg/util/validation DiscardedSamplesCounter",
  cortex_distributor_received_samples_total: "grafana/mimir pkg/distributor/distributor.go receivedSamples",
  loki_discarded_samples_total: "grafana/loki pkg/validation/validate.go DiscardedSamples",
  loki_distributor_lines_received_total: "grafana/loki pkg/loghttp/push/push.go linesIngested",
  loki_distributor_bytes_received_total: "grafana/loki pkg/loghttp/push/push.go bytesIngested",
  loki_s3_request_duration_seconds: "grafana/loki pkg/storage/chunk/client/aws/s3_storage_client.go s3RequestDuration",
  container_memory_working_set_bytes: "google/cadvisor metrics/prometheus.go (kubelet /metrics/cadvisor)",
  kube_pod_container_resource_limits:
    "kubernetes/kube-state-metrics internal/store/pod.go createPodContainerResourceLimitsFamilyGenerator",
  kube_pod_container_status_last_terminated_reason:
    "kubernetes/kube-state-metrics internal/store/pod.go createPodContainerStatusLastTerminatedReasonFamilyGenerator",
  kube_pod_container_status_restarts_total:
    "kubernetes/kube-state-metrics internal/store/pod.go createPodContainerStatusRestartsTotalFamilyGenerator",
  cortex_ingest_storage_writer_produce_records_failed_total:
    "grafana/mimir pkg/storage/ingest/writer_client.go NewKafkaProducer",
  // A summary in 3.0; renamed ..._distribution in 3.1 (CHANGELOG 3.1.0, #13414), when this name becomes a gauge.
  cortex_ingest_storage_writer_buffered_produce_bytes:
    "grafana/mimir pkg/storage/ingest/writer_client.go NewKafkaProducer",
  cortex_ingest_storage_writer_buffered_produce_bytes_limit:
    "grafana/mimir pkg/storage/ingest/writer_client.go NewKafkaProducer",
  cortex_ingest_storage_reader_receive_delay_seconds: "grafana/mimir pkg/storage/ingest/reader.go newReaderMetrics",
  cortex_compactor_last_successful_run_timestamp_seconds:
    "grafana/mimir pkg/compactor/compactor.go compactionRunsLastSuccess",
  cortex_compactor_runs_failed_total:
    "grafana/mimir pkg/compactor/compactor.go compactionRunsErred, compactionRunsShutdown",
  thanos_objstore_bucket_operations_total:
    "thanos-io/objstore objstore.go BucketMetrics, prefixed by mimir pkg/storage/bucket/client.go",
  thanos_objstore_bucket_operation_failures_total:
    "thanos-io/objstore objstore.go BucketMetrics, prefixed by mimir pkg/storage/bucket/client.go",
  kubelet_volume_stats_available_bytes:
    "kubernetes pkg/kubelet/metrics/collectors/volume_stats.go volumeStatsAvailableBytesDesc",
  kubelet_volume_stats_capacity_bytes:
    "kubernetes pkg/kubelet/metrics/collectors/volume_stats.go volumeStatsCapacityBytesDesc",
};

const SERIES_SUFFIX = /_(sum|count|bucket)$/;

/** The metric names an expression selects, read by Prometheus' own PromQL grammar (@prometheus-io/lezer-promql). */
function selectedMetrics(expr: string): string[] {
  const names: string[] = [];
  const errors: number[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector")
        names.push(expr.slice(node.from, node.to));
    },
  });
  if (errors.length > 0) throw new Error(`not PromQL at offset ${errors[0]}: ${expr}`);
  return names;
}

const family = (name: string): string => (name in EXPORTED ? name : name.replace(SERIES_SUFFIX, ""));

describe("alert metric names", () => {
  it("reads selectors with Prometheus' grammar", () => {
    assert.deepEqual(selectedMetrics('sum by (a) (rate(x_total{a="b"}[5m])) / on (a) y and absent(z{c="d"})'), [
      "x_total",
      "y",
      "z",
    ]);
    assert.throws(() => selectedMetrics("sum(rate(x[5m])"), /not PromQL/);
  });

  for (const profile of PROFILES) {
    it(`${profile}: every metric an alert reads is exported by the pinned versions`, () => {
      const rules = buildStackAlertGroups(settingsFor(profile)).flatMap((g) => g.rules);
      const unknown = rules.flatMap((r) =>
        selectedMetrics(r.expr)
          .filter((m) => !(family(m) in EXPORTED))
          .map((m) => `${r.alert}: ${m}`),
      );
      assert.deepEqual(unknown, []);
    });
  }

  it("lists no metric that no alert reads (the list is the alerts' inventory, not a catalogue)", () => {
    const read = new Set(
      PROFILES.flatMap((p) =>
        buildStackAlertGroups(settingsFor(p)).flatMap((g) =>
          g.rules.flatMap((r) => selectedMetrics(r.expr).map(family)),
        ),
      ),
    );
    assert.deepEqual(
      Object.keys(EXPORTED).filter((m) => !read.has(m)),
      [],
    );
  });
});
