import { strict as assert } from "assert";
import { tenantLimitsHoldStackTraffic } from "../../../../policies/rules/capacity/tenant-limits-hold-stack-traffic";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

// The fixture's Alloy writes logs as tenant "prod"; these make Prometheus remote-write as "prod" too.
const WORKLOAD = { activeSeries: 40_000, samplesPerSecond: 8_000, logsGBPerDay: 50, queriesPerSecond: 5 };
const writing = (tenant = "prod", records = compliantStack()) =>
  mutateValues(records, "kube-prometheus-stack", "prometheus.prometheusSpec.remoteWrite", [
    { url: "http://mimir-gateway.mimir.svc/api/v1/push", headers: { "X-Scope-OrgID": tenant } },
  ]);
const run = (records: ReturnType<typeof compliantStack>, workload = WORKLOAD) =>
  runStackPolicy(tenantLimitsHoldStackTraffic, records, { workload });

describe("policy tenant-limits-hold-stack-traffic (C7)", () => {
  it("accepts the compliant fixture with a workload its limits hold", async () => {
    assert.deepEqual((await run(writing())).violations, []);
  });

  it("rejects a tenant override of max_global_series_per_user below the declared active series", async () => {
    const records = mutateValues(writing(), "mimir", "runtimeConfig.overrides.prod.max_global_series_per_user", 20_000);
    const found = (await run(records)).violations;
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /overrides\.prod\.max_global_series_per_user=20000 for tenant "prod", which receives all of the stack's own metrics, policy config workload\.activeSeries=40,000 .*429/,
    );
  });

  it("rejects a default ingestion_rate below the samples/s Prometheus sends (one replica: HA dedup runs first)", async () => {
    const records = mutateValues(writing(), "mimir", "mimir.structuredConfig.limits.ingestion_rate", 5_000);
    const found = (await run(records)).violations;
    assert.match(found[0].message, /limits\.ingestion_rate=5000 for tenant "prod".*samplesPerSecond=8,000/);
  });

  it("rejects an ingestion_rate below activeSeries / a scrape interval shorter than the workload assumes", async () => {
    const limited = mutateValues(writing(), "mimir", "mimir.structuredConfig.limits.ingestion_rate", 10_000);
    const fast = (interval: string) =>
      mutateValues(limited, "kube-prometheus-stack", "prometheus.prometheusSpec.scrapeInterval", interval);
    const found = (await run(fast("2s"))).violations;
    assert.match(
      found[0]?.message ?? "",
      /limits\.ingestion_rate=10000 for tenant "prod".*workload\.activeSeries=40,000 series scraped every 2s \(.*prometheusSpec\.scrapeInterval=2s\) = 20,000 samples\/s, above policy config workload\.samplesPerSecond=8,000 \(which assumes one scrape every 5s\)/,
    );
    // Benign: the interval the workload assumes, and the 30s default, send no more than samplesPerSecond.
    assert.deepEqual((await run(fast("5s"))).violations, []);
    assert.deepEqual((await run(limited)).violations, []);
  });

  it("rejects a push request rate below samples/s / max_samples_per_send, and a rate with no burst", async () => {
    const slow = mutateValues(writing(), "mimir", "runtimeConfig.overrides.prod.request_rate", 2);
    const found = (await run(slow)).violations;
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /overrides\.prod\.request_rate=2 for tenant "prod".*at least 4 push requests\/s \(.*samplesPerSecond=8,000 samples\/s \/ Prometheus default queue_config\.max_samples_per_send=2000\)/,
    );
    const noBurst = mutateValues(writing(), "mimir", "runtimeConfig.overrides.prod.request_rate", 100);
    const zero = (await run(mutateValues(noBurst, "mimir", "runtimeConfig.overrides.prod.request_burst_size", 0)))
      .violations;
    assert.match(zero[0].message, /request_burst_size=0 for tenant "prod"/);
    const ok = mutateValues(noBurst, "mimir", "runtimeConfig.overrides.prod.request_burst_size", 10);
    assert.deepEqual((await run(ok)).violations, []);
  });

  it("rejects a Loki tenant rate below the declared logs", async () => {
    const records = mutateValues(writing(), "loki", "loki.runtimeConfig.overrides.prod.ingestion_rate_mb", 0.2);
    const found = (await run(records)).violations;
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /overrides\.prod\.ingestion_rate_mb=0\.2 for tenant "prod".*logsGBPerDay=50(?:\.0)? = 0\.55 MB\/s/,
    );
  });

  it("rejects a Loki stream limit below the stack's own pods when Alloy labels streams by pod", async () => {
    const byPod = `discovery.relabel "pod_logs" {
  rule {
    source_labels = ["__meta_kubernetes_pod_name"]
    target_label  = "pod"
  }
}
loki.write "default" {
  endpoint {
    url       = "http://loki-gateway.loki.svc/loki/api/v1/push"
    tenant_id = "prod"
  }
}
`;
    const labelled = mutateValues(writing(), "alloy", "alloy.configMap.content", byPod);
    const low = mutateValues(labelled, "loki", "loki.runtimeConfig.overrides.prod.max_global_streams_per_user", 10);
    const found = (await run(low)).violations;
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /overrides\.prod\.max_global_streams_per_user=10 for tenant "prod", which receives all of the stack's own logs: at least \d+ streams, one per pod the stack itself runs/,
    );
    assert.deepEqual((await run(labelled)).violations, [], "Loki's default 5000 holds the fixture's pods");
    const unlabelled = mutateValues(
      writing(),
      "loki",
      "loki.runtimeConfig.overrides.prod.max_global_streams_per_user",
      10,
    );
    assert.deepEqual((await run(unlabelled)).violations, [], "streams not labelled by pod: their number is not known");
  });

  it("accepts limits raised above need, and another tenant's low limits", async () => {
    let records = mutateValues(writing(), "mimir", "runtimeConfig.overrides.prod.ingestion_rate", 1_000_000);
    records = mutateValues(records, "mimir", "runtimeConfig.overrides.team-x.max_global_series_per_user", 10);
    records = mutateValues(records, "loki", "loki.runtimeConfig.overrides.team-x.ingestion_rate_mb", 0.01);
    assert.deepEqual((await run(records)).violations, []);
  });

  it("judges no tenant when the senders split a signal across tenants (the split is unknown)", async () => {
    let records = mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.prometheusSpec.remoteWrite", [
      { url: "http://mimir-gateway.mimir.svc/api/v1/push", headers: { "X-Scope-OrgID": "prod" } },
      { url: "http://mimir-gateway.mimir.svc/api/v1/push", headers: { "X-Scope-OrgID": "other" } },
    ]);
    records = mutateValues(records, "mimir", "mimir.structuredConfig.limits.ingestion_rate", 5_000);
    assert.deepEqual((await run(records)).violations, []);
  });
});
