import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import type { Settings } from "../../../settings";
import { buildStackAlertGroups, RuleGroup } from "../../../components/alerts/rules";
import {
  distributorMemoryPageRatio,
  kafkaLagDataLossSeconds,
  lokiIngestionLimitsBytes,
  mimirIngestionLimits,
  TenantLimit,
} from "../../../components/alerts/thresholds";
import { PROFILES, settingsFor } from "../fixtures";

/**
 * Every alert fires on synthetic failing series and stays quiet on healthy ones, judged by Prometheus itself:
 * `promtool test rules` (Debian's `prometheus` package; `.ci/run` and the workflows install it). Series are scraped
 * every minute; `0+600x40` is a counter growing by 600 per minute (10/s) for 40 minutes (promtool's expanding notation,
 * Prometheus docs "Unit testing for rules").
 */

interface Series {
  series: string;
  values: string;
}

/** One promtool alert_rule_test: input series, when to evaluate, and the label sets of the alerts expected to fire. */
interface Scenario {
  series: Series[];
  evalTime: string;
  /** Output labels of each firing alert, rule labels (severity, failure_mode, limit_scope) added by the test. */
  firing: Record<string, string>[];
}

interface AlertCase {
  fires: (s: Settings) => Scenario;
  quiet: (s: Settings) => Scenario;
}

const MINUTES = 120;

/** A counter growing at `perSecond` for `minutes`, scraped every minute. */
const counter = (perSecond: number, minutes = MINUTES): string => `0+${perSecond * 60}x${minutes}`;
/** A gauge held at `value`. */
const gauge = (value: number, minutes = MINUTES): string => `${value}x${minutes}`;
const labels = (l: Record<string, string>): string =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ")}}`;
const at = (metric: string, l: Record<string, string>, values: string): Series => ({
  series: `${metric}${labels(l)}`,
  values,
});

const TENANT = "tenant-on-default-limit";

/** A tenant on the default limit and each tenant with its own, each sending `share` of its limit. */
function tenantsAt(
  limits: { defaultLimit: number; overrides: TenantLimit[] },
  share: number,
): { tenant: string; rate: number; scope: string }[] {
  return [
    { tenant: TENANT, rate: limits.defaultLimit * share, scope: "default" },
    ...limits.overrides.map((o) => ({ tenant: o.tenant, rate: o.limit * share, scope: `tenant:${o.tenant}` })),
  ];
}

function mimirNearLimit(s: Settings, share: number, expectFiring: boolean): Scenario {
  const ns = s.namespaces.mimir;
  const tenants = tenantsAt(mimirIngestionLimits(s), share);
  return {
    series: tenants.map((t) =>
      at(
        "cortex_distributor_received_samples_total",
        { namespace: ns, user: t.tenant, pod: "distributor-0" },
        counter(t.rate),
      ),
    ),
    evalTime: "60m",
    firing: expectFiring ? tenants.map((t) => ({ user: t.tenant, limit_scope: t.scope })) : [],
  };
}

function lokiNearLimit(s: Settings, share: number, expectFiring: boolean): Scenario {
  const ns = s.namespaces.loki;
  const tenants = tenantsAt(lokiIngestionLimitsBytes(s), share);
  return {
    series: tenants.map((t) =>
      at(
        "loki_distributor_bytes_received_total",
        { namespace: ns, tenant: t.tenant, pod: "loki-distributor-0" },
        counter(t.rate),
      ),
    ),
    evalTime: "60m",
    firing: expectFiring ? tenants.map((t) => ({ tenant: t.tenant, limit_scope: t.scope })) : [],
  };
}

function mimirDiscards(s: Settings, discardedPerSecond: number, reason: string): Series[] {
  const ns = s.namespaces.mimir;
  return [
    at(
      "cortex_discarded_samples_total",
      { namespace: ns, user: TENANT, reason, pod: "distributor-0" },
      counter(discardedPerSecond),
    ),
    at(
      "cortex_distributor_received_samples_total",
      { namespace: ns, user: TENANT, pod: "distributor-0" },
      counter(100),
    ),
  ];
}

function lokiDiscards(s: Settings, discardedPerSecond: number, reason: string): Series[] {
  const ns = s.namespaces.loki;
  return [
    at(
      "loki_discarded_samples_total",
      { namespace: ns, tenant: TENANT, reason, pod: "loki-distributor-0" },
      counter(discardedPerSecond),
    ),
    at(
      "loki_distributor_lines_received_total",
      { namespace: ns, tenant: TENANT, pod: "loki-distributor-0" },
      counter(100),
    ),
  ];
}

function distributorMemory(s: Settings, shareOfLimit: number): Series[] {
  const ns = s.namespaces.mimir;
  const limit = s.mimir.sizing.distributor.memoryLimitMiB * 1024 * 1024;
  const pod = { namespace: ns, pod: "mimir-distributor-0", container: "distributor" };
  return [
    at("container_memory_working_set_bytes", pod, gauge(Math.round(limit * shareOfLimit))),
    at("kube_pod_container_resource_limits", { ...pod, resource: "memory", unit: "byte" }, gauge(limit)),
  ];
}

function oomKill(s: Settings, restarts: string): Series[] {
  const pod = { namespace: s.namespaces.loki, pod: "loki-ingester-zone-a-0", container: "ingester" };
  return [
    at("kube_pod_container_status_last_terminated_reason", { ...pod, reason: "OOMKilled" }, gauge(1, 40)),
    at("kube_pod_container_status_restarts_total", pod, restarts),
  ];
}

function produceFailures(s: Settings, reason: string, values: string): Series[] {
  return [
    at(
      "cortex_ingest_storage_writer_produce_records_failed_total",
      { namespace: s.namespaces.mimir, pod: "distributor-0", reason },
      values,
    ),
  ];
}

function produceBuffer(s: Settings, shareOfLimit: number): Series[] {
  const ns = s.namespaces.mimir;
  const limit = s.mimir.sizing.distributor.producerMaxBufferedBytes;
  return [
    at(
      "cortex_ingest_storage_writer_buffered_produce_bytes",
      { namespace: ns, pod: "distributor-0", quantile: "1" },
      gauge(Math.round(limit * shareOfLimit)),
    ),
    at(
      "cortex_ingest_storage_writer_buffered_produce_bytes_limit",
      { namespace: ns, pod: "distributor-0" },
      gauge(limit),
    ),
  ];
}

/** An ingester reading one record per second, each `delaySeconds` after it was produced (histogram _sum and _count). */
function receiveDelay(s: Settings, delaySeconds: number): Series[] {
  const l = { namespace: s.namespaces.mimir, pod: "mimir-ingester-zone-a-0", phase: "running" };
  return [
    at("cortex_ingest_storage_reader_receive_delay_seconds_sum", l, counter(delaySeconds, 60)),
    at("cortex_ingest_storage_reader_receive_delay_seconds_count", l, counter(1, 60)),
  ];
}

function lag(threshold: (s: Settings) => number, forMinutes: number, below: (s: Settings) => number): AlertCase {
  const pod = { namespace: "mimir", pod: "mimir-ingester-zone-a-0" };
  return {
    fires: (s) => ({
      series: receiveDelay(s, threshold(s) * 1.5),
      evalTime: `${forMinutes + 10}m`,
      firing: [{ ...pod, namespace: s.namespaces.mimir }],
    }),
    quiet: (s) => ({ series: receiveDelay(s, below(s)), evalTime: `${forMinutes + 10}m`, firing: [] }),
  };
}

const COMPACTOR_HOURS = 27 * 60;
const compactorTimestamp = (s: Settings, values: string): Series[] => [
  at(
    "cortex_compactor_last_successful_run_timestamp_seconds",
    { namespace: s.namespaces.mimir, pod: "mimir-compactor-0" },
    values,
  ),
];

function objectStore(s: Settings, failedShare: number): Series[] {
  const l = {
    namespace: s.namespaces.mimir,
    bucket: "",
    component: "ingester",
    operation: "upload",
    pod: "mimir-ingester-zone-a-0",
  };
  return [
    at("thanos_objstore_bucket_operations_total", l, counter(100)),
    at("thanos_objstore_bucket_operation_failures_total", l, counter(100 * failedShare)),
  ];
}

function lokiObjectStore(s: Settings, failedCode: string, failedShare: number): Series[] {
  const l = { namespace: s.namespaces.loki, operation: "S3.PutObject", pod: "loki-ingester-zone-a-0" };
  return [
    at("loki_s3_request_duration_seconds_count", { ...l, status_code: "200" }, counter(100 * (1 - failedShare))),
    at("loki_s3_request_duration_seconds_count", { ...l, status_code: failedCode }, counter(100 * failedShare)),
  ];
}

/** Strimzi's broker PVC name (data-<cluster>-<pool>-<id>) with a 100 GB volume whose free bytes follow `available`. */
function kafkaVolume(s: Settings, available: string, minutes: number): Series[] {
  const l = { namespace: s.namespaces.kafka, persistentvolumeclaim: `data-${s.kafka.clusterName}-broker-0` };
  return [
    at("kubelet_volume_stats_available_bytes", l, available),
    at("kubelet_volume_stats_capacity_bytes", l, gauge(100e9, minutes)),
  ];
}

const mimirPod = (s: Settings, extra: Record<string, string> = {}) => ({
  namespace: s.namespaces.mimir,
  pod: "distributor-0",
  ...extra,
});

const CASES: Record<string, AlertCase> = {
  MimirTenantDiscardingSamples: {
    fires: (s) => ({ series: mimirDiscards(s, 10, "rate_limited"), evalTime: "30m", firing: [{ user: TENANT }] }),
    quiet: (s) => ({ series: mimirDiscards(s, 0.5, "rate_limited"), evalTime: "30m", firing: [] }),
  },
  MimirTenantSamplesDiscardedByReason: {
    fires: (s) => ({
      series: mimirDiscards(s, 1, "sample-out-of-order"),
      evalTime: "50m",
      firing: [{ user: TENANT, reason: "sample-out-of-order" }],
    }),
    quiet: (s) => ({ series: mimirDiscards(s, 0, "sample-out-of-order"), evalTime: "50m", firing: [] }),
  },
  MimirTenantNearIngestionRateLimit: {
    fires: (s) => mimirNearLimit(s, 0.9, true),
    quiet: (s) => mimirNearLimit(s, 0.7, false),
  },
  LokiTenantDiscardingLines: {
    fires: (s) => ({ series: lokiDiscards(s, 10, "rate_limited"), evalTime: "30m", firing: [{ tenant: TENANT }] }),
    quiet: (s) => ({ series: lokiDiscards(s, 0.5, "rate_limited"), evalTime: "30m", firing: [] }),
  },
  LokiTenantLinesDiscardedByReason: {
    fires: (s) => ({
      series: lokiDiscards(s, 1, "line_too_long"),
      evalTime: "50m",
      firing: [{ tenant: TENANT, reason: "line_too_long" }],
    }),
    quiet: (s) => ({ series: lokiDiscards(s, 0, "line_too_long"), evalTime: "50m", firing: [] }),
  },
  LokiTenantNearIngestionRateLimit: {
    fires: (s) => lokiNearLimit(s, 0.9, true),
    quiet: (s) => lokiNearLimit(s, 0.7, false),
  },
  MimirDistributorMemoryNearLimit: {
    fires: (s) => ({
      series: distributorMemory(s, (1 + distributorMemoryPageRatio(s)) / 2),
      evalTime: "15m",
      firing: [{ namespace: s.namespaces.mimir, pod: "mimir-distributor-0" }],
    }),
    quiet: (s) => ({ series: distributorMemory(s, distributorMemoryPageRatio(s) - 0.1), evalTime: "15m", firing: [] }),
  },
  StackContainerOOMKilled: {
    fires: (s) => ({
      series: oomKill(s, "0x10 1x30"),
      evalTime: "15m",
      firing: [{ namespace: s.namespaces.loki, pod: "loki-ingester-zone-a-0", container: "ingester" }],
    }),
    // Killed long ago, no restart since: the last termination reason stays OOMKilled, nothing pages.
    quiet: (s) => ({ series: oomKill(s, "1x40"), evalTime: "30m", firing: [] }),
  },
  MimirKafkaProduceFailing: {
    fires: (s) => ({
      series: produceFailures(s, "timeout", counter(1)),
      evalTime: "15m",
      firing: [mimirPod(s, { reason: "timeout" })],
    }),
    // Records too large page through MimirKafkaRecordTooLarge, not here.
    quiet: (s) => ({ series: produceFailures(s, "record-too-large", counter(1)), evalTime: "15m", firing: [] }),
  },
  MimirKafkaRecordTooLarge: {
    fires: (s) => ({
      series: produceFailures(s, "record-too-large", "0x5 1x10"),
      evalTime: "7m",
      firing: [mimirPod(s)],
    }),
    quiet: (s) => ({ series: produceFailures(s, "timeout", counter(1)), evalTime: "7m", firing: [] }),
  },
  MimirKafkaProduceBufferHigh: {
    fires: (s) => ({ series: produceBuffer(s, 0.6), evalTime: "15m", firing: [mimirPod(s)] }),
    quiet: (s) => ({ series: produceBuffer(s, 0.3), evalTime: "15m", firing: [] }),
  },
  // The Mimir mixin's MimirRunningIngesterReceiveDelayTooHigh thresholds (2m and 30s), and half of Kafka's retention.
  MimirIngesterKafkaLagHigh: lag(
    () => 120,
    3,
    () => 20,
  ),
  MimirIngesterKafkaLagGrowing: lag(
    () => 30,
    15,
    () => 10,
  ),
  MimirIngesterKafkaLagNearRetention: lag(kafkaLagDataLossSeconds, 5, () => 300),
  MimirCompactorNotRunningCompaction: {
    // Last success at t=1s, evaluated 26h later (promtool's clock starts at the epoch).
    fires: (s) => ({
      series: compactorTimestamp(s, gauge(1, COMPACTOR_HOURS)),
      evalTime: "26h",
      firing: [{ namespace: s.namespaces.mimir, pod: "mimir-compactor-0" }],
    }),
    quiet: (s) => ({ series: compactorTimestamp(s, `60+60x${COMPACTOR_HOURS}`), evalTime: "26h", firing: [] }),
  },
  MimirCompactorNeverSucceeded: {
    fires: (s) => ({
      series: compactorTimestamp(s, gauge(0, COMPACTOR_HOURS)),
      evalTime: "26h",
      firing: [{ namespace: s.namespaces.mimir, pod: "mimir-compactor-0" }],
    }),
    quiet: (s) => ({ series: compactorTimestamp(s, `60+60x${COMPACTOR_HOURS}`), evalTime: "26h", firing: [] }),
  },
  MimirCompactorFailing: {
    fires: (s) => ({
      series: [
        at(
          "cortex_compactor_runs_failed_total",
          { namespace: s.namespaces.mimir, pod: "mimir-compactor-0", reason: "error" },
          "0x10 1x10 2x10",
        ),
      ],
      evalTime: "30m",
      firing: [{ namespace: s.namespaces.mimir, pod: "mimir-compactor-0", reason: "error" }],
    }),
    // Runs interrupted by shutdowns (rollouts) are not failures.
    quiet: (s) => ({
      series: [
        at(
          "cortex_compactor_runs_failed_total",
          { namespace: s.namespaces.mimir, pod: "mimir-compactor-0", reason: "shutdown" },
          "0x10 1x10 2x10",
        ),
      ],
      evalTime: "30m",
      firing: [],
    }),
  },
  MimirCompactorAbsent: {
    fires: (s) => ({
      series: [at("up", { namespace: s.namespaces.mimir, pod: "mimir-distributor-0" }, gauge(1, 60))],
      evalTime: "45m",
      firing: [{ namespace: s.namespaces.mimir }],
    }),
    quiet: (s) => ({ series: compactorTimestamp(s, `60+60x60`), evalTime: "45m", firing: [] }),
  },
  MimirObjectStoreErrors: {
    fires: (s) => ({
      series: objectStore(s, 0.1),
      evalTime: "30m",
      firing: [{ namespace: s.namespaces.mimir, component: "ingester", operation: "upload" }],
    }),
    quiet: (s) => ({ series: objectStore(s, 0.01), evalTime: "30m", firing: [] }),
  },
  LokiObjectStoreErrors: {
    fires: (s) => ({
      series: lokiObjectStore(s, "500", 0.1),
      evalTime: "30m",
      firing: [{ namespace: s.namespaces.loki, operation: "S3.PutObject" }],
    }),
    // Requests cancelled by their caller are not store errors.
    quiet: (s) => ({ series: lokiObjectStore(s, "cancel", 0.5), evalTime: "30m", firing: [] }),
  },
  KafkaBrokerDiskFillingUp: {
    // 20 GB free of 100 GB, losing 10 MB a minute: below 15% after 500 minutes and full within a day.
    fires: (s) => ({
      series: kafkaVolume(s, "20000000000-10000000x700", 700),
      evalTime: "660m",
      firing: [{ namespace: s.namespaces.kafka, persistentvolumeclaim: `data-${s.kafka.clusterName}-broker-0` }],
    }),
    // As little free space, but steady: retention is deleting as fast as Kafka writes.
    quiet: (s) => ({ series: kafkaVolume(s, gauge(12e9, 700), 700), evalTime: "660m", firing: [] }),
  },
  KafkaBrokerDiskAlmostFull: {
    fires: (s) => ({
      series: kafkaVolume(s, gauge(3e9, 30), 30),
      evalTime: "15m",
      firing: [{ namespace: s.namespaces.kafka, persistentvolumeclaim: `data-${s.kafka.clusterName}-broker-0` }],
    }),
    quiet: (s) => ({ series: kafkaVolume(s, gauge(50e9, 30), 30), evalTime: "15m", firing: [] }),
  },
};

/** The rule file under test; annotations dropped (their templates are checked by `promtool check rules` below). */
function withoutAnnotations(groups: RuleGroup[]): unknown {
  return { groups: groups.map((g) => ({ name: g.name, rules: g.rules.map(({ annotations: _, ...r }) => r) })) };
}

function promtoolTests(groups: RuleGroup[], settings: Settings): unknown {
  const rules = groups.flatMap((g) => g.rules);
  const tests = Object.entries(CASES).flatMap(([alert, c]) =>
    [c.fires(settings), c.quiet(settings)].map((scenario) => ({
      interval: "1m",
      input_series: scenario.series,
      alert_rule_test: [
        {
          eval_time: scenario.evalTime,
          alertname: alert,
          exp_alerts: scenario.firing.map((output) => {
            const rule = rules.find(
              (r) => r.alert === alert && (r.labels.limit_scope ?? "") === (output.limit_scope ?? ""),
            )!;
            return { exp_labels: { ...rule.labels, ...output } };
          }),
        },
      ],
    })),
  );
  return { rule_files: ["rules.yaml"], evaluation_interval: "1m", tests };
}

function promtool(args: string[], cwd: string): { status: number | null; output: string } {
  const run = spawnSync("promtool", args, { cwd, encoding: "utf8" });
  if (run.error) {
    throw new Error(
      `promtool is needed for the alert tests (Debian: apt-get install prometheus): ${run.error.message}`,
    );
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("stack alert rules under promtool", function () {
  this.timeout(600_000); // a guard against a hang, not a speed bound: promtool runs take minutes on a busy 2-core machine

  before(() => {
    const version = execFileSync("promtool", ["--version"], { encoding: "utf8" }).split("\n")[0];
    assert.match(version, /promtool, version [2-9]\./);
  });

  const configs: [string, Settings][] = [
    ...PROFILES.map((p): [string, Settings] => [p, settingsFor(p)]),
    // Tenants with their own ingestion limits get their own near-limit rules (limit_scope) and leave the default's.
    [
      "prod with per-tenant limits",
      settingsFor("prod", {
        tenants: [
          { id: "platform" },
          { id: "team.payments", limits: { ingestionRate: 50000, logsIngestionRateMB: 2 } },
          { id: "team-big", limits: { ingestionRate: 900000, logsIngestionRateMB: 40, logsIngestionBurstSizeMB: 60 } },
        ],
      }),
    ],
  ];

  it("has a failing and a healthy case for every alert the stack defines, and no case for an alert it lacks", () => {
    for (const [, settings] of configs) {
      const names = [...new Set(buildStackAlertGroups(settings).flatMap((g) => g.rules.map((r) => r.alert)))].sort();
      assert.deepEqual(Object.keys(CASES).sort(), names);
    }
  });

  for (const [name, settings] of configs) {
    it(`${name}: every alert fires on its failure and stays quiet when healthy (promtool test rules)`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promtool-"));
      const groups = buildStackAlertGroups(settings);
      fs.writeFileSync(path.join(dir, "full.yaml"), stringify({ groups }));
      fs.writeFileSync(path.join(dir, "rules.yaml"), stringify(withoutAnnotations(groups)));
      fs.writeFileSync(path.join(dir, "tests.yaml"), stringify(promtoolTests(groups, settings)));
      const check = promtool(["check", "rules", "full.yaml"], dir);
      assert.equal(check.status, 0, check.output);
      const test = promtool(["test", "rules", "tests.yaml"], dir);
      assert.equal(test.status, 0, test.output);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }
});
