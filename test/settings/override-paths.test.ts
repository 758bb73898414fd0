import { strict as assert } from "assert";
import { overridePathIssues } from "../../settings/overrides/paths";
import type { StackConfig } from "../../settings/schema";
import { releaseValues, runShippedStacks, SHIPPED_STACKS, T, type ProgramRun } from "../support/program";

type Overrides = StackConfig["overrides"];

function refused(overrides: Overrides): string[] {
  return overridePathIssues(overrides).map((issue) => `${issue.key}: ${issue.problem}`);
}

describe("settings/overrides/paths: an override its target cannot accept is refused", () => {
  it("an extra spec: under kafkaTopic is named, with the path it was meant for", () => {
    const [issue, ...rest] = overridePathIssues({ kafkaTopic: { spec: { partitions: 12 } } });
    assert.equal(rest.length, 0);
    assert.equal(issue.key, "overrides.kafkaTopic.spec");
    assert.deepEqual(issue.value, { partitions: 12 });
    assert.match(issue.problem, /not a field of the KafkaTopic custom resource's spec \(Strimzi 1\.2\.0 CRD/);
    assert.match(issue.problem, /so this override would apply nothing/);
    assert.match(issue.problem, /did you mean overrides\.kafkaTopic\.partitions \(the override is nested one level/);
    assert.match(issue.problem, /accepted at overrides\.kafkaTopic: config, partitions, replicas, topicName/);
  });

  it("a misspelt chart value gets the nearest sibling; a value one level too shallow gets the child it belongs to", () => {
    assert.deepEqual(
      refused({ loki: { ingester: { replica: 3 } } }).map((line) => line.split(": ")[0]),
      ["overrides.loki.ingester.replica"],
    );
    assert.match(
      refused({ loki: { ingester: { replica: 3 } } })[0],
      /did you mean overrides\.loki\.ingester\.replicas\?/,
    );
    assert.match(
      refused({ kubePrometheusStack: { prometheus: { retention: "30d" } } })[0],
      /did you mean overrides\.kubePrometheusStack\.prometheus\.prometheusSpec\.retention\?/,
    );
  });

  it("mimir-distributed: the key list is 6.0.6's as far as it is known (two levels; the 5.7.0 values plus the changelog)", () => {
    assert.deepEqual(
      overridePathIssues({ mimir: { values: { ingester: { replicas: 6 } }, nginx: {}, ingester: { replica: 6 } } }).map(
        (i) => `${i.key} -> ${/did you mean ([^ ?]+)/.exec(i.problem)?.[1]}`,
      ),
      [
        "overrides.mimir.values -> overrides.mimir.ingester",
        "overrides.mimir.nginx -> overrides.mimir.gateway.nginx",
        "overrides.mimir.ingester.replica -> overrides.mimir.ingester.replicas",
      ],
    );
    // Deeper than two levels the 6.0.6 keys are not known here: accepted unchecked.
    assert.deepEqual(refused({ mimir: { ingester: { persistentVolume: { sizee: "10Gi" } }, kafka: { any: 1 } } }), []);
  });

  it("list items of a CR are checked against the item schema, with their index in the path", () => {
    const listener = { name: "extra", port: 9094, type: "internal", tls: true, tsl: false };
    assert.deepEqual(
      overridePathIssues({ kafkaCluster: { kafka: { listeners: [listener] } } }).map((i) => i.key),
      ["overrides.kafkaCluster.kafka.listeners[0].tsl"],
    );
  });

  it("benign overrides pass: free-form maps, Kubernetes objects the charts pass through, open CR fields", () => {
    const benign: Overrides = {
      loki: {
        ingester: { resources: { limits: { cpu: "4" } }, podAnnotations: { team: "obs" }, replicas: 6 },
        loki: { structuredConfig: { limits_config: { max_line_size: 0 } } },
      },
      kubePrometheusStack: {
        prometheus: { prometheusSpec: { retention: "30d", resources: { requests: { cpu: "1" } } } },
        grafana: { "grafana.ini": { server: { root_url: "https://grafana.example" } } },
      },
      alloy: { alloy: { extraEnv: [{ name: "A", value: "1" }] }, controller: { type: "daemonset" } },
      strimzi: { watchAnyNamespace: true, resources: { limits: { memory: "1Gi" } } },
      kafkaCluster: { kafka: { config: { "message.max.bytes": 20_000_000 } } },
      kafkaTopic: { partitions: 12, config: { "retention.ms": 86_400_000 } },
      mimir: { ingester: { replicas: 6 }, mimir: { structuredConfig: { limits: { max_global_series_per_user: 1 } } } },
    };
    assert.deepEqual(refused(benign), []);
  });

  describe("values the charts render into Loki's / Mimir's own config file are checked against that version's keys", () => {
    const keyOf = (issues: ReturnType<typeof overridePathIssues>) => issues.map((i) => i.key);

    it("Loki: a misspelt key is refused with the nearest valid key, wherever the chart renders it from", () => {
      const [issue, ...rest] = overridePathIssues({ loki: { loki: { limits_config: { max_line_sizee: "256KB" } } } });
      assert.equal(rest.length, 0);
      assert.equal(issue.key, "overrides.loki.loki.limits_config.max_line_sizee");
      assert.match(issue.problem, /into the limits_config block of Loki's config file/);
      assert.match(issue.problem, /not a key there in Loki 3\.7\.6/);
      assert.match(issue.problem, /every pod would fail to start \("field max_line_sizee not found in type/);
      assert.match(issue.problem, /did you mean overrides\.loki\.loki\.limits_config\.max_line_size\?/);
      assert.deepEqual(
        keyOf(
          overridePathIssues({
            loki: {
              loki: {
                structuredConfig: { ingester: { wal: { replay_memory_ceilin: "4GB" } } },
                schemaConfig: { configs: [{ from: "2024-04-01", store: "tsdb", shema: "v13" }] },
                rulerConfig: { alertmanager_urll: "http://am" },
              },
            },
          }),
        ),
        [
          "overrides.loki.loki.structuredConfig.ingester.wal.replay_memory_ceilin",
          "overrides.loki.loki.schemaConfig.configs[0].shema",
          "overrides.loki.loki.rulerConfig.alertmanager_urll",
        ],
      );
    });

    it("Loki: a key Loki 3 removed (limits_config.enforce_metric_name) is refused with the version that removed it", () => {
      const tenants = { "tenant-a": { enforce_metric_name: false } };
      const issues = overridePathIssues({
        loki: {
          loki: {
            limits_config: { enforce_metric_name: false },
            structuredConfig: { limits_config: { enforce_metric_name: false } },
            runtimeConfig: { overrides: tenants },
            block_builder: { concurrency: 2 },
          },
        },
      });
      assert.deepEqual(keyOf(issues), [
        "overrides.loki.loki.limits_config.enforce_metric_name",
        "overrides.loki.loki.structuredConfig.limits_config.enforce_metric_name",
        "overrides.loki.loki.runtimeConfig.overrides.tenant-a.enforce_metric_name",
        "overrides.loki.loki.block_builder",
      ]);
      for (const issue of issues.slice(0, 3)) assert.match(issue.problem, /it was removed in Loki 3\.0\.0/);
      assert.match(
        issues[3].problem,
        /block_builder block of Loki's config file, which Loki 3\.7\.6 does not have \(it was removed in Loki 3\.6\.0\)/,
      );
    });

    it("Mimir: a misspelt key and a key the CHANGELOG says 3.0 removed are refused", () => {
      const issues = overridePathIssues({
        mimir: {
          mimir: {
            structuredConfig: { limits: { max_global_series_per_usr: 1 }, frontend: { downstream_url: "http://p" } },
          },
          runtimeConfig: { overrides: { "tenant-a": { maxGlobalSeriesPerUser: 1 } } },
        },
      });
      assert.deepEqual(keyOf(issues), [
        "overrides.mimir.mimir.structuredConfig.limits.max_global_series_per_usr",
        "overrides.mimir.mimir.structuredConfig.frontend.downstream_url",
        "overrides.mimir.runtimeConfig.overrides.tenant-a.maxGlobalSeriesPerUser",
      ]);
      assert.match(
        issues[0].problem,
        /did you mean overrides\.mimir\.mimir\.structuredConfig\.limits\.max_global_series_per_user\?/,
      );
      assert.match(issues[1].problem, /it was removed in Mimir 3\.0\.0/);
      assert.match(issues[2].problem, /the limits block of Mimir's config file/);
    });

    it("real keys deep in the tree, free-form maps, hidden keys and (Mimir) keys newer than the descriptor pass", () => {
      const benign: Overrides = {
        loki: {
          loki: {
            structuredConfig: {
              storage_config: {
                tsdb_shipper: { active_index_directory: "/var/loki/index" },
                named_stores: { aws: { "store-1": { endpoint: "s3://bucket", region: "eu-west-1" } } },
              },
              distributor: { ring: { instance_addr: "10.0.0.1" } },
              limits_config: {
                otlp_config: { resource_attributes: { attributes_config: [{ action: "index_label" }] } },
              },
            },
            limits_config: { per_stream_rate_limit: "5MB", retention_stream: [{ selector: '{a="b"}', period: "24h" }] },
            ingester: { wal: { replay_memory_ceiling: "4GB" } },
            schemaConfig: {
              configs: [{ from: "2024-04-01", store: "tsdb", schema: "v13", index: { prefix: "i_", period: "24h" } }],
            },
            rulerConfig: { alertmanager_url: "http://am" },
            runtimeConfig: { overrides: { "any-tenant": { retention_period: "30d" } }, configs: { t: { x: 1 } } },
          },
        },
        mimir: {
          mimir: {
            structuredConfig: {
              ingest_storage: { kafka: { consume_from_position_at_startup: "last-offset" } },
              distributor: { ha_tracker: { ha_tracker_failover_timeout: "30s" } },
              limits: { active_series_custom_trackers: { team_a: '{team="a"}' }, some_limit_added_in_3_0: 1 },
              blocks_storage: { tsdb: { retention_period: "13h" } },
            },
          },
          runtimeConfig: {
            overrides: { "any-tenant": { max_global_series_per_user: 1, ha_tracker_failover_timeout: "1m" } },
          },
        },
      };
      assert.deepEqual(refused(benign), []);
    });
  });

  describe("every value the program itself builds is accepted (no false refusal of the pinned charts' keys)", () => {
    let runs: Record<string, ProgramRun>;
    before(async function () {
      this.timeout(600_000);
      runs = await runShippedStacks();
    });
    for (const stack of SHIPPED_STACKS) {
      it(`${stack}: chart values, the Kafka spec and the KafkaTopic spec`, () => {
        const run = runs[stack];
        const spec = (type: string) => run.ofType(type)[0]?.plain.spec;
        const overrides: Overrides = {
          mimir: releaseValues(run, "mimir-distributed"),
          loki: releaseValues(run, "loki"),
          kubePrometheusStack: releaseValues(run, "kube-prometheus-stack"),
          alloy: releaseValues(run, "alloy"),
          strimzi: releaseValues(run, "strimzi-kafka-operator"),
          kafkaCluster: spec(T.kafka),
          kafkaTopic: spec(T.topic),
        };
        for (const [target, given] of Object.entries(overrides)) assert.ok(given, `${stack} builds ${target}`);
        // The sections rendered into Loki's and Mimir's config files are among them (checked key by key).
        const values = overrides as Record<string, { [key: string]: Record<string, unknown> }>;
        assert.ok(Object.keys(values.loki.loki.limits_config ?? {}).length > 0, `${stack} sets loki.limits_config`);
        assert.ok(Object.keys(values.mimir.mimir.structuredConfig ?? {}).length > 0, `${stack} sets structuredConfig`);
        assert.deepEqual(refused(overrides), []);
      });
    }
  });
});
