import { strict as assert } from "assert";
import { instanceLimitsHoldWorkload } from "../../../../policies/rules/limits/instance-limits-hold-workload";
import { mimirAcceptsNativeHistograms } from "../../../../policies/rules/limits/mimir-accepts-native-histograms";
import { mimirPastGraceCoversResend } from "../../../../policies/rules/limits/mimir-past-grace-covers-resend";
import { pushRequestWithinReceiveLimit } from "../../../../policies/rules/limits/push-request-within-receive-limit";
import { queryLookbackCoversRetention } from "../../../../policies/rules/limits/query-lookback-covers-retention";
import { queryQueueHoldsQueryParallelism } from "../../../../policies/rules/limits/query-queue-holds-query-parallelism";
import { lokiEntriesLimitHoldsGrafanaLines } from "../../../../policies/rules/limits/loki-entries-limit-holds-grafana-lines";
import { seriesLabelsWithinLimits } from "../../../../policies/rules/limits/series-labels-within-limits";
import { remoteWriteQueueKeepsUp } from "../../../../policies/rules/limits/remote-write-queue-keeps-up";
import { remoteWriteQueueSamplesPerSecond } from "../../../../policies/lib/prometheus";
import { queueConfig } from "../../../../settings/derive/prometheus";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const MIMIR = "mimir.structuredConfig";
const WORKLOAD = { activeSeries: 600_000, samplesPerSecond: 40_000, logsGBPerDay: 50, queriesPerSecond: 5 };

const withRemoteWrite = (records = compliantStack(), queueConfig?: Record<string, unknown>) =>
  mutateValues(records, "kube-prometheus-stack", "prometheus.prometheusSpec.remoteWrite", [
    {
      url: "http://mimir-gateway.mimir.svc/api/v1/push",
      headers: { "X-Scope-OrgID": "prod" },
      ...(queueConfig ? { queueConfig } : {}),
    },
  ]);

const POD_LOG_ALLOY = `
discovery.relabel "pod_logs" {
  rule {
    source_labels = ["__meta_kubernetes_namespace"]
    target_label  = "namespace"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_name"]
    target_label  = "pod"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_container_name"]
    target_label  = "container"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]
    target_label  = "app"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_uid"]
    target_label  = "__path__"
  }
}
loki.write "default" {
  endpoint {
    url = "http://loki-gateway.loki.svc/loki/api/v1/push"
  }
}
`;

describe("policy push-request-within-receive-limit (Q1)", () => {
  it("passes the compliant fixture and the defaults", async () => {
    assert.deepEqual((await runStackPolicy(pushRequestWithinReceiveLimit, withRemoteWrite())).violations, []);
  });

  it("rejects a Mimir max_recv_msg_size smaller than a remote-write request (held-out c3)", async () => {
    const run = await runStackPolicy(
      pushRequestWithinReceiveLimit,
      mutateValues(withRemoteWrite(), "mimir", `${MIMIR}.distributor.max_recv_msg_size`, 10000),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /max_recv_msg_size=10000 \(10000 bytes\) is smaller than one remote-write request of .*Prometheus default queue_config\.max_samples_per_send=2000.*\(128000 bytes\) or more/,
    );
    assert.match(run.violations[0].message, /metrics are lost/);
  });

  it("accepts a lowered limit that still holds the request, and a smaller maxSamplesPerSend", async () => {
    const raised = mutateValues(withRemoteWrite(), "mimir", `${MIMIR}.distributor.max_recv_msg_size`, 4_194_304);
    assert.deepEqual((await runStackPolicy(pushRequestWithinReceiveLimit, raised)).violations, []);
    const small = mutateValues(
      withRemoteWrite(compliantStack(), { maxSamplesPerSend: 100 }),
      "mimir",
      `${MIMIR}.distributor.max_recv_msg_size`,
      10000,
    );
    assert.deepEqual((await runStackPolicy(pushRequestWithinReceiveLimit, small)).violations, []);
  });

  it("rejects a Loki max_recv_msg_size below Alloy's batch (held-out c30)", async () => {
    const run = await runStackPolicy(
      pushRequestWithinReceiveLimit,
      mutateValues(compliantStack(), "loki", "loki.structuredConfig.distributor.max_recv_msg_size", 65536),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /max_recv_msg_size=65536 \(64Ki \(65536 bytes\)\) is smaller than a full batch of .*loki\.write "default".*logs are lost/,
    );
  });

  it("rejects a Loki gateway body limit below the batch, accepts 0 (no limit)", async () => {
    const run = await runStackPolicy(
      pushRequestWithinReceiveLimit,
      mutateValues(compliantStack(), "loki", "gateway.nginxConfig.clientMaxBodySize", "512k"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /clientMaxBodySize=512k .*413/);
    const unlimited = mutateValues(compliantStack(), "loki", "gateway.nginxConfig.clientMaxBodySize", "0");
    assert.deepEqual((await runStackPolicy(pushRequestWithinReceiveLimit, unlimited)).violations, []);
  });

  it("rejects distributor-to-ingester gRPC limits below the batch (held-out g25), accepts ones that hold it", async () => {
    const client = await runStackPolicy(
      pushRequestWithinReceiveLimit,
      mutateValues(compliantStack(), "loki", "loki.ingester_client.grpc_client_config.max_send_msg_size", 4096),
    );
    assert.equal(client.violations.length, 1);
    assert.match(
      client.violations[0].message,
      /ingester_client\.grpc_client_config\.max_send_msg_size=4096 .*is smaller than a full batch of .*The distributor's gRPC client to the ingesters refuses it with ResourceExhausted.*log ingestion stops/,
    );
    const server = await runStackPolicy(
      pushRequestWithinReceiveLimit,
      mutateValues(compliantStack(), "loki", "loki.structuredConfig.server.grpc_server_max_recv_msg_size", 524288),
    );
    assert.equal(server.violations.length, 1);
    assert.match(server.violations[0].message, /grpc_server_max_recv_msg_size=524288 .*The ingesters' gRPC server/);
    // Responses, not pushes: a small client receive / server send limit is not this check's business; 1 MiB holds the batch.
    let records = mutateValues(
      compliantStack(),
      "loki",
      "loki.ingester_client.grpc_client_config.max_recv_msg_size",
      4096,
    );
    records = mutateValues(records, "loki", "loki.server.grpc_server_max_send_msg_size", 4096);
    records = mutateValues(records, "loki", "loki.server.grpc_server_max_recv_msg_size", 1048576);
    assert.deepEqual((await runStackPolicy(pushRequestWithinReceiveLimit, records)).violations, []);
  });
});

describe("policy series-labels-within-limits (Q2)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual((await runStackPolicy(seriesLabelsWithinLimits, compliantStack())).violations, []);
  });

  it("rejects Mimir max_label_names_per_series 4 (held-out c4)", async () => {
    const run = await runStackPolicy(
      seriesLabelsWithinLimits,
      mutateValues(compliantStack(), "mimir", `${MIMIR}.limits.max_label_names_per_series`, 4),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /max_label_names_per_series=4 \(tenants on the default limits\) < 18.*kube_pod_info.*prometheus, prometheus_replica.*metrics are lost/,
    );
  });

  it("rejects Mimir max_label_value_length 16 (held-out c40) and a tenant's override", async () => {
    const run = await runStackPolicy(
      seriesLabelsWithinLimits,
      mutateValues(compliantStack(), "mimir", `${MIMIR}.limits.max_label_value_length`, 16),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /max_label_value_length=16 .* < 253/);
    const tenant = await runStackPolicy(
      seriesLabelsWithinLimits,
      mutateValues(compliantStack(), "mimir", "runtimeConfig.overrides.team-a.max_label_names_per_series", 10),
    );
    assert.equal(tenant.violations.length, 1);
    assert.match(tenant.violations[0].message, /\["team-a"\]\.max_label_names_per_series=10 \(tenant "team-a"\) < 18/);
  });

  it("accepts raised limits (benign c51: 40 label names)", async () => {
    let records = mutateValues(compliantStack(), "mimir", `${MIMIR}.limits.max_label_names_per_series`, 40);
    records = mutateValues(records, "mimir", `${MIMIR}.limits.max_label_value_length`, 4096);
    assert.deepEqual((await runStackPolicy(seriesLabelsWithinLimits, records)).violations, []);
  });

  it("counts an HA-deduplicated replica label out and extra external labels in", async () => {
    let records = mutateValues(compliantStack(), "mimir", `${MIMIR}.limits.max_label_names_per_series`, 17);
    records = mutateValues(records, "mimir", `${MIMIR}.limits.accept_ha_samples`, true);
    records = mutateValues(records, "mimir", `${MIMIR}.limits.ha_replica_label`, "prometheus_replica");
    assert.deepEqual((await runStackPolicy(seriesLabelsWithinLimits, records)).violations, []);
    records = mutateValues(records, "kube-prometheus-stack", "prometheus.prometheusSpec.externalLabels", {
      cluster: "prod",
    });
    assert.equal((await runStackPolicy(seriesLabelsWithinLimits, records)).violations.length, 1);
  });

  it("rejects Loki max_label_names_per_series 2 below Alloy's 4 stream labels (held-out c22)", async () => {
    const base = mutateValues(compliantStack(), "alloy", "alloy.configMap.content", POD_LOG_ALLOY);
    assert.deepEqual((await runStackPolicy(seriesLabelsWithinLimits, base)).violations, []);
    const run = await runStackPolicy(
      seriesLabelsWithinLimits,
      mutateValues(base, "loki", "loki.limits_config.max_label_names_per_series", 2),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /max_label_names_per_series=2 \(tenants on the default limits\) < 4.*namespace, pod, container, app.*logs are lost/,
    );
    const value = await runStackPolicy(
      seriesLabelsWithinLimits,
      mutateValues(base, "loki", "loki.limits_config.max_label_value_length", 100),
    );
    assert.match(value.violations[0].message, /max_label_value_length=100 .* < 253/);
  });
  describe("Loki enforced_labels against the labels Alloy attaches (j08)", () => {
    const withTenant = (records = compliantStack()) =>
      mutateValues(
        records,
        "alloy",
        "alloy.configMap.content",
        POD_LOG_ALLOY.replace(
          'url = "http://loki-gateway.loki.svc/loki/api/v1/push"',
          'url = "http://loki-gateway.loki.svc/loki/api/v1/push"\n    tenant_id = "platform"',
        ),
      );
    const run = async (records: ReturnType<typeof compliantStack>) =>
      (await runStackPolicy(seriesLabelsWithinLimits, records)).violations.map((v) => v.message);

    it("rejects a label Alloy never attaches, for the tenant Alloy writes as and in the defaults", async () => {
      const tenant = await run(
        mutateValues(withTenant(), "loki", "loki.runtimeConfig.overrides", { platform: { enforced_labels: ["team"] } }),
      );
      assert.equal(tenant.length, 1, tenant.join("\n"));
      assert.match(
        tenant[0],
        /overrides\.platform\.enforced_labels=\["team"\] \(tenant "platform"\) requires "team" on every stream, but no log stream .*namespace, pod, container, app, service_name.*missing required labels.*400.*as tenant "platform" is lost\. Fix: drop team/,
      );
      const defaults = await run(
        mutateValues(withTenant(), "loki", "loki.limits_config.enforced_labels", ["namespace", "team"]),
      );
      assert.equal(defaults.length, 1, defaults.join("\n"));
      assert.match(
        defaults[0],
        /enforced_labels=\["namespace","team"\] \(tenants on the default limits\) requires "team"/,
      );
      const policy = await run(
        mutateValues(withTenant(), "loki", "loki.limits_config.policy_enforced_labels", { "*": ["cluster"] }),
      );
      assert.equal(policy.length, 1, policy.join("\n"));
      assert.match(policy[0], /policy_enforced_labels\["\*"\]=\["cluster"\]/);
    });

    it("passes labels Alloy attaches, service_name, another tenant's list, another policy and a tenant that overrides the default", async () => {
      for (const records of [
        mutateValues(withTenant(), "loki", "loki.limits_config.enforced_labels", ["namespace", "service_name"]),
        mutateValues(withTenant(), "loki", "loki.runtimeConfig.overrides", {
          "team-payments": { enforced_labels: ["team"] },
        }),
        mutateValues(withTenant(), "loki", "loki.limits_config.policy_enforced_labels", { audit: ["team"] }),
        mutateValues(
          mutateValues(withTenant(), "loki", "loki.limits_config.enforced_labels", ["team"]),
          "loki",
          "loki.runtimeConfig.overrides",
          { platform: { enforced_labels: ["namespace"] } },
        ),
      ])
        assert.deepEqual(await run(records), []);
    });
  });
});

describe("policy query-lookback-covers-retention (Q3)", () => {
  it("passes the compliant fixture, lookback 0 and a lookback at least the retention (benign c51)", async () => {
    assert.deepEqual((await runStackPolicy(queryLookbackCoversRetention, compliantStack())).violations, []);
    const unlimited = mutateValues(compliantStack(), "mimir", `${MIMIR}.limits.max_query_lookback`, "0s");
    assert.deepEqual((await runStackPolicy(queryLookbackCoversRetention, unlimited)).violations, []);
    const longer = mutateValues(compliantStack(), "mimir", `${MIMIR}.limits.max_query_lookback`, "400d");
    assert.deepEqual((await runStackPolicy(queryLookbackCoversRetention, longer)).violations, []);
  });

  it("rejects Mimir max_query_lookback 7d below 365d retention (held-out c8)", async () => {
    const run = await runStackPolicy(
      queryLookbackCoversRetention,
      mutateValues(compliantStack(), "mimir", `${MIMIR}.limits.max_query_lookback`, "7d"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /max_query_lookback=7d < .*compactor_blocks_retention_period=365d \(tenants on the default limits\).*can never be read/,
    );
  });

  it("rejects Loki max_query_lookback 1d below 30d retention (held-out c21), per tenant too", async () => {
    const run = await runStackPolicy(
      queryLookbackCoversRetention,
      mutateValues(compliantStack(), "loki", "loki.limits_config.max_query_lookback", "1d"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /max_query_lookback=1d < .*retention_period=30d/);
    let tenant = mutateValues(compliantStack(), "loki", "loki.limits_config.max_query_lookback", "30d");
    tenant = mutateValues(tenant, "loki", "loki.runtimeConfig.overrides.team-a.retention_period", "60d");
    const t = await runStackPolicy(queryLookbackCoversRetention, tenant);
    assert.equal(t.violations.length, 1);
    assert.match(t.violations[0].message, /\(tenant "team-a"\)/);
  });
});

describe("policy mimir-instance-limits-hold-workload (Q4)", () => {
  const run = (records: ReturnType<typeof compliantStack>) =>
    runStackPolicy(instanceLimitsHoldWorkload, records, { workload: WORKLOAD });

  it("passes the compliant fixture and a raised limit", async () => {
    assert.deepEqual((await run(compliantStack())).violations, []);
    const raised = mutateValues(compliantStack(), "mimir", `${MIMIR}.ingester.instance_limits.max_series`, 500_000);
    assert.deepEqual((await run(raised)).violations, []);
  });

  it("rejects ingester max_series 10000 below each ingester's share (held-out c34)", async () => {
    const result = await run(
      mutateValues(compliantStack(), "mimir", `${MIMIR}.ingester.instance_limits.max_series`, 10000),
    );
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /max_series=10000 < 300,000 series, what at least one ingester of each zone holds .*activeSeries=600,000/,
    );
  });

  it("rejects an ingester or distributor rate below its share and max_tenants below the writers", async () => {
    let records = mutateValues(compliantStack(), "mimir", `${MIMIR}.ingester.instance_limits.max_ingestion_rate`, 1000);
    records = mutateValues(records, "mimir", `${MIMIR}.distributor.instance_limits.max_ingestion_rate`, 1000);
    records = mutateValues(records, "mimir", `${MIMIR}.ingester.instance_limits.max_tenants`, 1);
    records = mutateValues(
      records,
      "alloy",
      "alloy.configMap.content",
      `
prometheus.remote_write "mimir" {
  endpoint {
    url     = "http://mimir-gateway.mimir.svc/api/v1/push"
    headers = { "X-Scope-OrgID" = "platform" }
  }
}`,
    );
    const result = await run(withRemoteWrite(records));
    assert.equal(result.violations.length, 3);
    assert.match(
      result.violations.map((v) => v.message).join("\n"),
      /max_tenants=1 < the 2 tenants this stack writes \(prod, platform\)/,
    );
  });
});

describe("policy mimir-accepts-native-histograms (Q5)", () => {
  const nativeOn = (records = compliantStack()) =>
    mutateValues(records, "kube-prometheus-stack", "prometheus.prometheusSpec.enableFeatures", ["native-histograms"]);

  it("passes the compliant fixture and native histograms with the limit on or unset", async () => {
    assert.deepEqual((await runStackPolicy(mimirAcceptsNativeHistograms, nativeOn())).violations, []);
    const on = mutateValues(nativeOn(), "mimir", `${MIMIR}.limits.native_histograms_ingestion_enabled`, true);
    assert.deepEqual((await runStackPolicy(mimirAcceptsNativeHistograms, on)).violations, []);
    const offWithoutSender = mutateValues(
      compliantStack(),
      "mimir",
      `${MIMIR}.limits.native_histograms_ingestion_enabled`,
      false,
    );
    assert.deepEqual((await runStackPolicy(mimirAcceptsNativeHistograms, offWithoutSender)).violations, []);
  });

  it("rejects ingestion off while Prometheus collects native histograms (held-out c35)", async () => {
    const result = await runStackPolicy(
      mimirAcceptsNativeHistograms,
      mutateValues(nativeOn(), "mimir", `${MIMIR}.limits.native_histograms_ingestion_enabled`, false),
    );
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /native_histograms_ingestion_enabled=false \(tenants on the default limits\) while .*enableFeatures native-histograms.*silently lost/,
    );
  });

  it("rejects a tenant override off while scrapeNativeHistograms is on", async () => {
    let records = mutateValues(
      compliantStack(),
      "kube-prometheus-stack",
      "prometheus.prometheusSpec.scrapeNativeHistograms",
      true,
    );
    records = mutateValues(records, "mimir", "runtimeConfig.overrides.prod.native_histograms_ingestion_enabled", false);
    const result = await runStackPolicy(mimirAcceptsNativeHistograms, records);
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0].message, /\(tenant "prod"\) while .*scrapeNativeHistograms=true/);
  });
});

describe("policy mimir-past-grace-covers-resend (Q6)", () => {
  it("passes the compliant fixture, 0 (disabled) and 2h or more", async () => {
    assert.deepEqual((await runStackPolicy(mimirPastGraceCoversResend, compliantStack())).violations, []);
    for (const value of ["0s", "2h", "6h"]) {
      const records = mutateValues(compliantStack(), "mimir", `${MIMIR}.limits.past_grace_period`, value);
      assert.deepEqual((await runStackPolicy(mimirPastGraceCoversResend, records)).violations, [], value);
    }
  });

  it("rejects past_grace_period 1m (held-out c28)", async () => {
    const result = await runStackPolicy(
      mimirPastGraceCoversResend,
      mutateValues(compliantStack(), "mimir", `${MIMIR}.limits.past_grace_period`, "1m"),
    );
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /past_grace_period=1m \+ Mimir default limits\.out_of_order_time_window=0s \(tenants on the default limits\): Mimir rejects every sample older than 1m.*lost/,
    );
  });

  it("adds the out-of-order window and judges tenants", async () => {
    let records = mutateValues(compliantStack(), "mimir", `${MIMIR}.limits.past_grace_period`, "1h");
    records = mutateValues(records, "mimir", `${MIMIR}.limits.out_of_order_time_window`, "1h");
    assert.deepEqual((await runStackPolicy(mimirPastGraceCoversResend, records)).violations, []);
    records = mutateValues(records, "mimir", "runtimeConfig.overrides.team-a.out_of_order_time_window", "0s");
    const result = await runStackPolicy(mimirPastGraceCoversResend, records);
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0].message, /tenant "team-a"/);
  });
});

const lokiDatasource = (tenant: string, jsonData: Record<string, unknown> = {}) => ({
  name: `Loki (${tenant})`,
  type: "loki",
  url: "http://loki-gateway.loki.svc",
  jsonData: { httpHeaderName1: "X-Scope-OrgID", ...jsonData },
  secureJsonData: { httpHeaderValue1: tenant },
});
const withLokiDatasources = (records = compliantStack(), ...list: Record<string, unknown>[]) =>
  mutateValues(records, "kube-prometheus-stack", "grafana.additionalDataSources", list);

describe("policy loki-entries-limit-holds-grafana-lines (Q8)", () => {
  it("passes the defaults (5000 >= 1000), 0 (no limit), a limit equal to maxLines and other datasource types", async () => {
    const base = withLokiDatasources(compliantStack(), lokiDatasource("platform"));
    assert.deepEqual((await runStackPolicy(lokiEntriesLimitHoldsGrafanaLines, base)).violations, []);
    for (const value of [0, 1000, "2000"]) {
      const records = mutateValues(base, "loki", "loki.limits_config.max_entries_limit_per_query", value);
      assert.deepEqual(
        (await runStackPolicy(lokiEntriesLimitHoldsGrafanaLines, records)).violations,
        [],
        String(value),
      );
    }
    let records = mutateValues(base, "loki", "loki.limits_config.max_entries_limit_per_query", 500);
    records = withLokiDatasources(records, lokiDatasource("platform", { maxLines: 200 }), {
      name: "Mimir",
      type: "prometheus",
      url: "http://mimir-gateway.mimir.svc/prometheus",
    });
    assert.deepEqual((await runStackPolicy(lokiEntriesLimitHoldsGrafanaLines, records)).violations, []);
  });

  it("rejects a limit below Grafana's default 1000 lines (held-out g17)", async () => {
    const records = mutateValues(
      withLokiDatasources(compliantStack(), lokiDatasource("platform")),
      "loki",
      "loki.limits_config.max_entries_limit_per_query",
      500,
    );
    const run = await runStackPolicy(lokiEntriesLimitHoldsGrafanaLines, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /max_entries_limit_per_query=500 \(tenants on the default limits\) is below the 1000 lines .*"Loki \(platform\)" asks for \(Grafana's default Loki datasource maxLines\).*400 "max entries limit per query exceeded/,
    );
  });

  it("judges the datasource's maxLines against its tenant's override", async () => {
    let records = withLokiDatasources(compliantStack(), lokiDatasource("platform", { maxLines: "8000" }));
    const run = await runStackPolicy(lokiEntriesLimitHoldsGrafanaLines, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /Loki default limits_config\.max_entries_limit_per_query=5000 .*8000 lines/,
    );
    records = mutateValues(records, "loki", "loki.runtimeConfig.overrides.platform.max_entries_limit_per_query", 10000);
    assert.deepEqual((await runStackPolicy(lokiEntriesLimitHoldsGrafanaLines, records)).violations, []);
    records = mutateValues(records, "loki", "loki.runtimeConfig.overrides.platform.max_entries_limit_per_query", 100);
    const tenant = await runStackPolicy(lokiEntriesLimitHoldsGrafanaLines, records);
    assert.equal(tenant.violations.length, 1);
    assert.match(tenant.violations[0].message, /=100 \(tenant "platform"\)/);
  });
});

describe("policy query-queue-holds-query-parallelism (Q9)", () => {
  const run = (records: ReturnType<typeof compliantStack>) => runStackPolicy(queryQueueHoldsQueryParallelism, records);

  it("passes the compliant fixture, queues at the parallelism, 0 and a lowered parallelism", async () => {
    assert.deepEqual((await run(compliantStack())).violations, []);
    let records = mutateValues(
      compliantStack(),
      "loki",
      "loki.query_scheduler.max_outstanding_requests_per_tenant",
      32,
    );
    records = mutateValues(records, "mimir", `${MIMIR}.query_scheduler.max_outstanding_requests_per_tenant`, 14);
    assert.deepEqual((await run(records)).violations, []);
    records = mutateValues(compliantStack(), "loki", "loki.query_scheduler.max_outstanding_requests_per_tenant", 8);
    records = mutateValues(records, "loki", "loki.limits_config.max_query_parallelism", 8);
    assert.deepEqual((await run(records)).violations, []);
    // Without the query-scheduler (not Distributed), the frontend's own queue is the one that counts.
    records = mutateValues(compliantStack(), "loki", "loki.query_scheduler.max_outstanding_requests_per_tenant", 1);
    records = mutateValues(records, "loki", "deploymentMode", "SimpleScalable");
    assert.deepEqual((await run(records)).violations, []);
  });

  it("rejects a Loki query-scheduler queue of 16 (held-out g19)", async () => {
    const result = await run(
      mutateValues(compliantStack(), "loki", "loki.query_scheduler.max_outstanding_requests_per_tenant", 16),
    );
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /max_outstanding_requests_per_tenant=16 is smaller than one query's parallelism, Loki default limits_config\.max_query_parallelism=32 \(tenants on the default limits\).*Loki's query-scheduler answers 429 "too many outstanding requests"/,
    );
  });

  it("rejects a Mimir query-scheduler queue of 1 (held-out m22) and a frontend queue without the scheduler", async () => {
    const result = await run(
      mutateValues(compliantStack(), "mimir", `${MIMIR}.query_scheduler.max_outstanding_requests_per_tenant`, 1),
    );
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /=1 is smaller than one query's parallelism, .*max_query_parallelism=14/,
    );
    let records = mutateValues(compliantStack(), "mimir", "query_scheduler.enabled", false);
    records = mutateValues(records, "mimir", `${MIMIR}.frontend.max_outstanding_per_tenant`, 10);
    const frontend = await run(records);
    assert.equal(frontend.violations.length, 1);
    assert.match(
      frontend.violations[0].message,
      /frontend\.max_outstanding_per_tenant=10 .*Mimir's query-frontend queue/,
    );
  });

  it("judges each tenant's parallelism", async () => {
    const records = mutateValues(
      compliantStack(),
      "mimir",
      "runtimeConfig.overrides.team-a.max_query_parallelism",
      1000,
    );
    const result = await run(records);
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /chart-rendered config .*=800 .*max_query_parallelism=1000 \(tenant "team-a"\)/,
    );
  });
});

describe("policy remote-write-queue-keeps-up (Q11)", () => {
  const run = (records = compliantStack()) => runStackPolicy(remoteWriteQueueKeepsUp, records, { workload: WORKLOAD });

  it("passes the default queue (50 shards x 2000 x 5/s = 500,000 samples/s) and no remote write", async () => {
    assert.deepEqual((await run(withRemoteWrite())).violations, []);
    assert.deepEqual((await run()).violations, []);
  });

  it("rejects a queue capped at one shard below the declared samples/s, naming both sides and the fix", async () => {
    const { violations } = await run(withRemoteWrite(compliantStack(), { maxShards: 1, maxSamplesPerSend: 2000 }));
    assert.equal(violations.length, 1);
    assert.match(
      violations[0].message,
      /queueConfig\.maxShards=1 x .*queueConfig\.maxSamplesPerSend=2,000 x 5 sends\/s per shard \(ASSUMPTION, policies\/lib\/prometheus\.ts\) = 10,000 samples\/s < policy config workload\.samplesPerSecond=40,000 \(short even at the 10 sends\/s Prometheus' defaults assume: 20,000 samples\/s\): remote write falls behind .*lost for Mimir\. Fix: raise queueConfig\.maxShards to at least 4/,
    );
  });

  it("advises a queue that keeps up only with writes faster than the project plans (3 shards: under 150 ms each)", async () => {
    const { violations, advisories } = await run(withRemoteWrite(compliantStack(), { maxShards: 3 }));
    assert.deepEqual(violations, []);
    assert.equal(advisories.length, 1);
    assert.match(
      advisories[0].message,
      /= 30,000 samples\/s < policy config workload\.samplesPerSecond=40,000 \(enough only if every write takes under 150 ms: Prometheus' defaults assume 100 ms\)/,
    );
  });

  it("passes a queue exactly at the declared rate, and one split over Prometheus shards", async () => {
    assert.deepEqual((await run(withRemoteWrite(compliantStack(), { maxShards: 4 }))).violations, []);
    const sharded = mutateValues(
      withRemoteWrite(compliantStack(), { maxShards: 1 }),
      "kube-prometheus-stack",
      "prometheus.prometheusSpec.shards",
      4,
    );
    assert.deepEqual((await run(sharded)).violations, []);
  });

  it("uses the program's own assumption: the derived queueConfig carries the samples/s it was derived from", () => {
    for (const rate of [1, 6_667, 133_334, 2_000_000]) {
      const q = queueConfig(rate);
      assert.ok(remoteWriteQueueSamplesPerSecond(q.maxShards, q.maxSamplesPerSend) >= rate);
    }
  });
});
