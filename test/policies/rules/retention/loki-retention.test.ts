import { strict as assert } from "assert";
import { lokiIndexPeriod24h } from "../../../../policies/rules/retention/loki-index-period-24h";
import { lokiRejectOldSamplesWithinRetention } from "../../../../policies/rules/retention/loki-reject-old-samples-within-retention";
import { lokiRetentionHasDeleteRequestStore } from "../../../../policies/rules/retention/loki-retention-has-delete-request-store";
import { metricsRetentionCoversPrometheus } from "../../../../policies/rules/retention/metrics-retention-covers-prometheus";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

describe("policy metrics-retention-covers-prometheus (R1, advisory)", () => {
  it("advises when Mimir keeps less than Prometheus", async () => {
    const run = await runStackPolicy(
      metricsRetentionCoversPrometheus,
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.limits.compactor_blocks_retention_period", "5d"),
    );
    assert.equal(run.advisories.length, 1);
    assert.match(
      run.advisories[0].message,
      /compactor_blocks_retention_period=5d < kube-prometheus-stack release "kps" values\.prometheus\.prometheusSpec\.retention=10d/,
    );
  });

  it("uses the chart default retention (10d) and tenant overrides", async () => {
    let records = mutateValues(
      compliantStack(),
      "kube-prometheus-stack",
      "prometheus.prometheusSpec.retention",
      undefined,
    );
    records = mutateValues(records, "mimir", "runtimeConfig.overrides.dev", {
      compactor_blocks_retention_period: "3d",
    });
    const run = await runStackPolicy(metricsRetentionCoversPrometheus, records);
    assert.equal(run.advisories.length, 1);
    assert.match(
      run.advisories[0].message,
      /overrides\.dev\.compactor_blocks_retention_period=3d \(tenant "dev"\) < kube-prometheus-stack release "kps" chart default prometheus\.prometheusSpec\.retention=10d/,
    );
  });
});

describe("policy loki-retention-has-delete-request-store (R4)", () => {
  it("rejects retention without a delete-request store (Loki refuses to start)", async () => {
    const run = await runStackPolicy(
      lokiRetentionHasDeleteRequestStore,
      mutateValues(compliantStack(), "loki", "loki.compactor.delete_request_store", undefined),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /loki\.compactor\.retention_enabled=true but Loki default compactor\.delete_request_store= is empty: Loki 3 refuses to start/,
    );
  });

  it("rejects a retention_period the compactor will ignore", async () => {
    const run = await runStackPolicy(
      lokiRetentionHasDeleteRequestStore,
      mutateValues(compliantStack(), "loki", "loki.compactor.retention_enabled", undefined),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /retention_period=30d but Loki default compactor\.retention_enabled=false: .*kept forever/,
    );
  });

  it("lets loki.structuredConfig win over loki.compactor", async () => {
    const records = mutateValues(compliantStack(), "loki", "loki.structuredConfig.compactor.delete_request_store", "");
    const run = await runStackPolicy(lokiRetentionHasDeleteRequestStore, records);
    assert.match(run.violations[0].message, /loki\.structuredConfig\.compactor\.delete_request_store= is empty/);
  });
});

describe("policy loki-index-period-24h (R5)", () => {
  it("rejects an active schema older than v13 while structured metadata is allowed (Loki 3's default)", async () => {
    const records = mutateValues(compliantStack(), "loki", "loki.schemaConfig.configs", [
      {
        from: "2023-01-01",
        store: "tsdb",
        object_store: "s3",
        schema: "v12",
        index: { prefix: "index_", period: "24h" },
      },
    ]);
    const run = await runStackPolicy(lokiIndexPeriod24h, records);
    assert.match(
      run.violations[0].message,
      /\(schema v12, store tsdb\) is the active period .*"schema v13 is required to store Structured Metadata"/,
    );
    const later = mutateValues(records, "loki", "loki.limits_config.allow_structured_metadata", false);
    assert.deepEqual((await runStackPolicy(lokiIndexPeriod24h, later)).violations, []);
  });

  it("accepts 1d, which Loki reads as a Prometheus duration of 24h", async () => {
    const records = mutateValues(compliantStack(), "loki", "loki.schemaConfig.configs", [
      {
        from: "2024-04-01",
        store: "tsdb",
        object_store: "s3",
        schema: "v13",
        index: { prefix: "index_", period: "1d" },
      },
    ]);
    assert.deepEqual((await runStackPolicy(lokiIndexPeriod24h, records)).violations, []);
  });

  it("rejects a weekly TSDB index period", async () => {
    const run = await runStackPolicy(
      lokiIndexPeriod24h,
      mutateValues(compliantStack(), "loki", "loki.schemaConfig.configs", [
        {
          from: "2024-04-01",
          store: "tsdb",
          object_store: "s3",
          schema: "v13",
          index: { prefix: "index_", period: "168h" },
        },
      ]),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /schemaConfig\.configs\[0\]\.index\.period=168h for store tsdb/);
  });

  it("rejects a missing schema config (the chart refuses to render)", async () => {
    const run = await runStackPolicy(
      lokiIndexPeriod24h,
      mutateValues(compliantStack(), "loki", "loki.schemaConfig", undefined),
    );
    assert.match(run.violations[0].message, /has no loki\.schemaConfig/);
  });

  it("rejects retention streams shorter than a day, in limits and tenant overrides", async () => {
    let records = mutateValues(compliantStack(), "loki", "loki.limits_config.retention_stream", [
      { selector: '{app="debug"}', priority: 1, period: "12h" },
    ]);
    records = mutateValues(records, "loki", "loki.runtimeConfig.overrides.team", {
      retention_stream: [{ selector: "{}", priority: 1, period: "1h" }],
    });
    const run = await runStackPolicy(lokiIndexPeriod24h, records);
    assert.equal(run.violations.length, 2);
    assert.match(run.violations[0].message, /retention_stream\[0\]\.period=12h < 24h.*Loki refuses to start/);
    assert.match(
      run.violations[1].message,
      /overrides\.team\.retention_stream\[0\]\.period=1h < 24h.*invalid override for tenant team/,
    );
  });
});

describe("policy loki-reject-old-samples-within-retention (R6, advisory, INFERRED)", () => {
  it("advises when Loki accepts lines older than it keeps", async () => {
    const run = await runStackPolicy(
      lokiRejectOldSamplesWithinRetention,
      mutateValues(compliantStack(), "loki", "loki.limits_config.retention_period", "3d"),
    );
    assert.equal(run.advisories.length, 1);
    assert.match(
      run.advisories[0].message,
      /^INFERRED: loki release "loki" chart default loki\.limits_config\.reject_old_samples_max_age=168h \(7d\) > .*retention_period=3d/,
    );
  });

  it("accepts it when old samples are not rejected at all", async () => {
    let records = mutateValues(compliantStack(), "loki", "loki.limits_config.retention_period", "3d");
    records = mutateValues(records, "loki", "loki.limits_config.reject_old_samples", false);
    assert.deepEqual((await runStackPolicy(lokiRejectOldSamplesWithinRetention, records)).advisories, []);
  });
});
