import * as assert from "node:assert/strict";
import type { Settings } from "../../../settings";
import {
  AlertRule,
  buildStackAlertGroups,
  exactAlternation,
  FAILURE_MODES,
  FailureMode,
  promqlString,
} from "../../../components/alerts/rules";
import {
  compactorStalenessSeconds,
  distributorMemoryPageRatio,
  kafkaLagDataLossSeconds,
  NEAR_LIMIT_SHARE,
} from "../../../components/alerts/thresholds";
import { PROFILES, settingsFor } from "../fixtures";

const allRules = (settings: Settings): AlertRule[] => buildStackAlertGroups(settings).flatMap((g) => g.rules);

/** The metrics each failure mode must be read from (names from the sources cited in rules.ts). */
const METRICS: Record<FailureMode, string[]> = {
  "tenant-discarded-samples": ["cortex_discarded_samples_total"],
  "tenant-discarded-lines": ["loki_discarded_samples_total"],
  "distributor-memory": ["container_memory_working_set_bytes", "kube_pod_container_resource_limits"],
  "oom-killed": ["kube_pod_container_status_last_terminated_reason{", 'reason="OOMKilled"'],
  "kafka-produce-failures": ["cortex_ingest_storage_writer_produce_records_failed_total"],
  "kafka-oversized-records": [
    "cortex_ingest_storage_writer_produce_records_failed_total{",
    'reason="record-too-large"',
  ],
  "kafka-consumer-lag": ["cortex_ingest_storage_reader_receive_delay_seconds"],
  compactor: ["cortex_compactor_last_successful_run_timestamp_seconds", "cortex_compactor_runs_failed_total"],
  // Mimir's thanos-io/objstore client, and Loki's own S3 client (Loki does not use objstore by default).
  "object-store-errors": ["thanos_objstore_bucket_operation_failures_total", "loki_s3_request_duration_seconds_count"],
  "kafka-disk": ["kubelet_volume_stats_available_bytes"],
};

function balanced(expr: string): boolean {
  let depth = 0;
  for (const c of expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if ("({[".includes(c)) depth++;
    if (")}]".includes(c) && --depth < 0) return false;
  }
  return depth === 0;
}

function single(rules: AlertRule[], alert: string): AlertRule {
  const found = rules.filter((r) => r.alert === alert);
  assert.equal(found.length, 1, `expected one ${alert}, found ${found.length}`);
  return found[0];
}

describe("stack alert rules", () => {
  for (const profile of PROFILES) {
    describe(`${profile} profile`, () => {
      const settings = settingsFor(profile);
      const rules = allRules(settings);

      it("pages (a critical rule) on every failure mode, reading the metrics that show it", () => {
        for (const mode of FAILURE_MODES) {
          const forMode = rules.filter((r) => r.labels.failure_mode === mode);
          assert.ok(
            forMode.some((r) => r.labels.severity === "critical"),
            `no critical alert for ${mode}`,
          );
          for (const metric of METRICS[mode]) {
            assert.ok(
              forMode.some((r) => r.expr.includes(metric)),
              `${mode}: no rule reads ${metric}`,
            );
          }
        }
      });

      it("never repeats an alert name with the same labels (Prometheus and promtool check rules treat those as duplicates)", () => {
        const keys = rules.map((r) => `${r.alert} ${JSON.stringify(Object.entries(r.labels).sort())}`);
        assert.deepEqual(
          keys.filter((k, i) => keys.indexOf(k) !== i),
          [],
        );
      });

      it("reads each component's object-store errors from the metrics its own client exports", () => {
        const [mimir, loki] = ["MimirObjectStoreErrors", "LokiObjectStoreErrors"].map((name) => single(rules, name));
        assert.match(mimir.expr, /thanos_objstore_bucket_operation_failures_total\{namespace="mimir"\}/);
        assert.doesNotMatch(mimir.expr, /loki/);
        assert.match(
          loki.expr,
          /loki_s3_request_duration_seconds_count\{namespace="loki", status_code!~"200\|cancel"\}/,
        );
        assert.doesNotMatch(loki.expr, /thanos_objstore/);
      });

      it("gives every rule a severity, a summary, a description and a runbook hint", () => {
        for (const r of rules) {
          assert.ok(["critical", "warning"].includes(r.labels.severity), r.alert);
          assert.ok(r.annotations.summary.length > 10, `${r.alert} summary`);
          assert.ok(r.annotations.description.length > 20, `${r.alert} description`);
          assert.ok(r.annotations.runbook.length > 20, `${r.alert} runbook`);
          assert.ok(balanced(r.expr), `${r.alert}: unbalanced brackets in ${r.expr}`);
          if (r.for) assert.match(r.for, /^\d+[smh]$/, r.alert);
        }
      });

      it("scopes every rule to the stack's namespaces from the settings, and only to those", () => {
        const namespaces: string[] = Object.values(settings.namespaces);
        for (const r of rules) {
          const matchers = [...r.expr.matchAll(/namespace(=~?)"([^"]*)"/g)];
          assert.ok(matchers.length > 0, `${r.alert} is not scoped to a namespace`);
          for (const [, op, value] of matchers) {
            const named = op === "=" ? [value] : value.split("|");
            for (const ns of named)
              assert.ok(
                namespaces.includes(ns),
                `${r.alert} selects namespace "${ns}", not one of ${namespaces.join(", ")}`,
              );
          }
        }
      });

      it("pages when a distributor has less than half a producer buffer of memory headroom", () => {
        const ratio = distributorMemoryPageRatio(settings);
        const d = settings.mimir.sizing.distributor;
        const headroomBytes = (1 - ratio) * d.memoryLimitMiB * 1024 * 1024;
        assert.ok(Math.abs(headroomBytes - d.producerMaxBufferedBytes / 2) < 0.001 * d.memoryLimitMiB * 1024 * 1024);
        const rule = single(rules, "MimirDistributorMemoryNearLimit");
        assert.ok(rule.expr.endsWith(`> ${ratio}`), rule.expr);
        assert.match(rule.expr, /container="distributor"/);
      });

      it("warns before a tenant reaches its ingestion limits", () => {
        const mimir = single(rules, "MimirTenantNearIngestionRateLimit");
        assert.ok(mimir.expr.endsWith(`> ${Math.floor(settings.mimir.limits.ingestion_rate * NEAR_LIMIT_SHARE)}`));
        const loki = single(rules, "LokiTenantNearIngestionRateLimit");
        assert.ok(loki.expr.endsWith(`> ${Math.floor(settings.loki.ingestionRateMB * 1_048_576 * NEAR_LIMIT_SHARE)}`));
      });

      it("ties the lag and compactor thresholds to the Kafka retention and the block ranges", () => {
        assert.equal(kafkaLagDataLossSeconds(settings), settings.retention.kafkaMs / 2000);
        assert.ok(
          single(rules, "MimirIngesterKafkaLagNearRetention").expr.endsWith(`> ${settings.retention.kafkaMs / 2000}`),
        );
        assert.equal(compactorStalenessSeconds(settings), 24 * 3600);
        assert.match(
          single(rules, "MimirCompactorNotRunningCompaction").expr,
          new RegExp(`> ${compactorStalenessSeconds(settings)}\\)`),
        );
      });

      it("watches the Kafka broker volumes of the configured cluster", () => {
        const disk = rules.filter((r) => r.labels.failure_mode === "kafka-disk");
        for (const r of disk) {
          assert.ok(r.expr.includes(`namespace="${settings.namespaces.kafka}"`));
          assert.ok(r.expr.includes(`persistentvolumeclaim=~"data-([0-9]+-)?${settings.kafka.clusterName}-.+"`));
        }
        // Strimzi claim names, plain and JBOD (data-<cluster>-<pool>-<id>, data-<n>-<cluster>-<pool>-<id>).
        const pvc = new RegExp(`^data-([0-9]+-)?${settings.kafka.clusterName}-.+$`);
        assert.ok(pvc.test(`data-${settings.kafka.clusterName}-broker-0`));
        assert.ok(pvc.test(`data-0-${settings.kafka.clusterName}-broker-2`));
        assert.ok(!pvc.test("data-loki-ingester-0"));
      });
    });
  }

  it("compares tenants with an override to their own limit and everyone else to the default", () => {
    const tenants = [{ id: "platform" }, { id: "team.a", limits: { ingestionRate: 50_000, logsIngestionRateMB: 12 } }];
    const settings = settingsFor("prod", { tenants });
    const rules = allRules(settings);
    const mimir = rules.filter((r) => r.alert === "MimirTenantNearIngestionRateLimit");
    assert.equal(mimir.length, 2);
    const own = mimir.find((r) => r.expr.includes('user="team.a"'))!;
    assert.ok(own.expr.endsWith(`> ${Math.floor(50_000 * NEAR_LIMIT_SHARE)}`));
    const rest = mimir.find((r) => r !== own)!;
    assert.ok(rest.expr.includes('user!~"team\\\\.a"'), rest.expr);
    assert.ok(rest.expr.endsWith(`> ${Math.floor(settings.mimir.limits.ingestion_rate * NEAR_LIMIT_SHARE)}`));
    const loki = rules.filter((r) => r.alert === "LokiTenantNearIngestionRateLimit");
    assert.ok(
      loki
        .find((r) => r.expr.includes('tenant="team.a"'))!
        .expr.endsWith(`> ${Math.floor(12 * 1_048_576 * NEAR_LIMIT_SHARE)}`),
    );
    // One alert name, told apart by the limit each rule compares to (else promtool reports duplicate rules).
    assert.deepEqual(mimir.map((r) => r.labels.limit_scope).sort(), ["default", "tenant:team.a"]);
    const keys = rules.map((r) => `${r.alert} ${JSON.stringify(Object.entries(r.labels).sort())}`);
    assert.deepEqual(
      keys.filter((k, i) => keys.indexOf(k) !== i),
      [],
    );
  });

  it("derives the memory threshold from the distributor's buffer and limit", () => {
    const settings = structuredClone(settingsFor("dev"));
    settings.mimir.sizing.distributor.memoryLimitMiB = 4096;
    settings.mimir.sizing.distributor.producerMaxBufferedBytes = 1024 * 1024 * 1024;
    assert.equal(distributorMemoryPageRatio(settings), 0.875);
    settings.mimir.sizing.distributor.memoryLimitMiB = 768;
    assert.equal(distributorMemoryPageRatio(settings), 0.5, "never below half the limit");
  });

  it("escapes tenant ids for PromQL strings and regexes", () => {
    assert.equal(promqlString('a"b\\c'), 'a\\"b\\\\c');
    assert.equal(exactAlternation(["a.b", "c(d)"]), "a\\\\.b|c\\\\(d\\\\)");
    const re = new RegExp(`^(?:${JSON.parse(`"${exactAlternation(["a.b", "x*"])}"`)})$`);
    assert.ok(re.test("a.b") && re.test("x*"));
    assert.ok(!re.test("aXb") && !re.test("xx"));
  });
});
