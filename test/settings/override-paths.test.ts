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
        assert.deepEqual(refused(overrides), []);
      });
    }
  });
});
