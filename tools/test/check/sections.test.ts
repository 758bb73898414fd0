import { strict as assert } from "assert";
import type { ResourceRecord } from "../../../tools/check/artifacts";
import type { Plain } from "../../../tools/check/readable";
import { derivedSettings, lokiIngesterWorkload } from "../../../tools/check/sections/derived-settings";
import { policyVerdicts, renderPolicies } from "../../../tools/check/sections/policies";
import { resourcesPerComponent } from "../../../tools/check/sections/resources";
import { ReportView } from "../../../tools/check/sections/report-view";
import { storageOf, valuesWorkloads } from "../../../tools/check/sections/workloads";
import type { AnalyzerInfo, PolicyRunResult } from "../../../tools/harness/analyzer";
import type { CapturedStack } from "../../../tools/harness/capture";
import type { WireProperties } from "../../../tools/harness/wire";

const ROOT = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev";

function record(
  type: string,
  name: string,
  inputs: Plain,
  parent: string | undefined = ROOT,
  custom = true,
): ResourceRecord {
  return { urn: `urn:pulumi:dev::p::${type}::${name}`, type, name, custom, parent, dependencies: [], inputs };
}

const strimzi = (
  kind: string,
  name: string,
  spec: Plain,
  labels: Record<string, string> = { "strimzi.io/cluster": "kafka" },
) => record(`kubernetes:kafka.strimzi.io/v1:${kind}`, `${kind}-${name}`, { metadata: { name, labels }, spec });

const mimirValues = (kafkaConfig: Record<string, Plain>) => ({
  ingester: {
    replicas: 6,
    zoneAwareReplication: { enabled: true, zones: [{ name: "zone-a" }, { name: "zone-b" }, { name: "zone-c" }] },
  },
  mimir: {
    structuredConfig: {
      ingest_storage: {
        kafka: { address: "kafka-kafka-bootstrap.kafka.svc:9092", topic: "mimir-ingest", ...kafkaConfig },
      },
    },
  },
});

/** The captured stack of these resources (outputs = inputs, as the mocks return them). */
function capturedOf(records: ResourceRecord[]): CapturedStack {
  return {
    project: "p",
    stack: "dev",
    preview: false,
    config: {},
    secretKeys: [],
    rootStackUrn: ROOT,
    outputs: {},
    logs: [],
    durationMs: 1,
    resources: records.map((r) => ({
      ...r,
      remote: false,
      read: false,
      synthesized: false,
      propertyDependencies: {},
      inputs: r.inputs as WireProperties,
      outputs: r.inputs as WireProperties,
      options: {
        protect: false,
        ignoreChanges: [],
        additionalSecretOutputs: [],
        customTimeouts: { create: 0, update: 0, delete: 0, read: 0 },
        aliases: [],
      },
    })),
  };
}

/** The settings as the section derives them, from the pack's view of the captured stack. */
const derivedSettingsOf = (records: ResourceRecord[]) => derivedSettings(ReportView.of(capturedOf(records)));

describe("check report sections", () => {
  describe("derived settings", () => {
    const mimirRelease = (address = "kafka-kafka-bootstrap.kafka.svc:9092") =>
      record("kubernetes:helm.sh/v3:Release", "mimir-release", {
        name: "mimir",
        namespace: "mimir",
        chart: "mimir-distributed",
        values: mimirValues({ producer_max_record_size_bytes: 15983616, address }),
      });
    const kafkaCluster = strimzi(
      "Kafka",
      "kafka",
      { kafka: { config: { "message.max.bytes": 16777216, "log.retention.ms": 86400000 } } },
      {},
    );
    const stack = (topicConfig: Record<string, Plain>) =>
      derivedSettingsOf([
        mimirRelease(),
        kafkaCluster,
        strimzi("KafkaNodePool", "broker", { replicas: 3, roles: ["broker"] }),
        strimzi("KafkaNodePool", "controller", { replicas: 3, roles: ["controller"] }),
        strimzi(
          "KafkaNodePool",
          "other-cluster",
          { replicas: 9, roles: ["broker"] },
          { "strimzi.io/cluster": "elsewhere" },
        ),
        strimzi("KafkaTopic", "mimir-ingest", { partitions: 2, replicas: 3, config: topicConfig }),
      ]);

    it("reads a topic setting over the broker's, and says which one it read", () => {
      const overridden = stack({ "max.message.bytes": 1048576 }).kafkaSizes.find(
        (r) => r.setting === "Kafka topic max.message.bytes",
      );
      assert.equal(overridden?.value, 1048576);
      assert.match(overridden?.source ?? "", /^KafkaTopic mimir-ingest spec\.config\["max\.message\.bytes"\]$/);
      const inherited = stack({}).kafkaSizes.find((r) => r.setting === "Kafka topic max.message.bytes");
      assert.equal(inherited?.value, 16777216);
      assert.match(
        inherited?.source ?? "",
        /^Kafka kafka spec\.kafka\.config\["message\.max\.bytes"\] \(topic does not set max\.message\.bytes\)$/,
      );
    });

    it("counts the brokers of the cluster Mimir writes to, and ingesters per zone", () => {
      const settings = stack({});
      assert.equal(settings.replication.find((r) => r.setting === "Kafka brokers")?.value, 3);
      assert.equal(settings.replication.find((r) => r.setting === "Kafka KRaft controllers")?.value, 3);
      assert.equal(settings.partitions.find((r) => r.setting === "Mimir ingesters per zone")?.value, 2);
      assert.equal(
        settings.retention.find((r) => r.setting.startsWith("Kafka topic mimir-ingest retention"))?.shown,
        "1d (86400000 ms)",
      );
    });

    it("shows no Kafka settings when Mimir writes to a cluster outside the stack, even if the stack has another", () => {
      const settings = derivedSettingsOf([
        mimirRelease("b-1.msk.example.com:9092"),
        kafkaCluster,
        strimzi("KafkaNodePool", "broker", { replicas: 3, roles: ["broker"] }),
      ]);
      assert.equal(settings.replication.find((r) => r.setting === "Kafka brokers")?.shown, "0");
      const messageMax = settings.kafkaSizes.find((r) => r.setting === "Kafka broker message.max.bytes");
      assert.equal(messageMax?.value, null);
      assert.equal(messageMax?.source, 'Kafka (none) spec.kafka.config["message.max.bytes"]');
    });

    it("says a value is not set instead of inventing a default", () => {
      const row = stack({}).retention.find((r) => r.setting === "Prometheus local retention");
      assert.equal(row?.value, null);
      assert.equal(row?.shown, "not set (default applies)");
    });

    it("finds Loki's ingesters in the workload of its deployment mode (Monolithic when unset)", () => {
      const loki = (deploymentMode?: string) =>
        ReportView.of(
          capturedOf([
            record("kubernetes:helm.sh/v3:Release", "loki", {
              chart: "loki",
              values: deploymentMode ? { deploymentMode } : {},
            }),
          ]),
        ).release("loki");
      assert.equal(lokiIngesterWorkload(loki()), "singleBinary");
      assert.equal(lokiIngesterWorkload(loki("SimpleScalable")), "write");
      assert.equal(lokiIngesterWorkload(loki("Distributed")), "ingester");
    });
  });

  describe("sizing", () => {
    it("finds sized workloads by shape, skips disabled ones and config subtrees, and reads their volumes", () => {
      const rows = valuesWorkloads("loki", {
        write: { replicas: 0, resources: { requests: { cpu: "1" } } },
        ingester: {
          replicas: 3,
          resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { memory: "8Gi" } },
          persistence: { enabled: true, claims: [{ size: "30Gi" }] },
        },
        loki: { structuredConfig: { ingester: { replicas: 99 } } },
      });
      assert.deepEqual(rows, [
        { owner: "loki", workload: "ingester", replicas: "3", cpuRequest: "1", memory: "4Gi / 8Gi", storage: "30Gi" },
      ]);
    });

    it("shows one pod per node for the alloy chart, whose controller is a DaemonSet unless values say otherwise", () => {
      const alloy = { alloy: { resources: { requests: { cpu: "200m" } } } };
      assert.equal(valuesWorkloads("alloy", alloy, "alloy")[0].replicas, "1 per node");
      assert.equal(
        valuesWorkloads("alloy", { ...alloy, controller: { type: "deployment" } }, "alloy")[0].replicas,
        "—",
      );
    });

    it("reads volumes in every shape the charts and Strimzi use", () => {
      assert.equal(storageOf({ persistentVolume: { enabled: true, size: "10Gi" } }), "10Gi");
      assert.equal(storageOf({ persistentVolume: { enabled: false, size: "10Gi" } }), "none");
      assert.equal(
        storageOf({
          storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "490Gi" } } } } },
        }),
        "490Gi",
      );
      assert.equal(
        storageOf({ storage: { type: "jbod", volumes: [{ size: "200Gi" }, { size: "100Gi" }] } }),
        "200Gi + 100Gi",
      );
      assert.equal(storageOf({ replicas: 1 }), "—");
    });
  });

  it("groups resources under their top-level component, providers apart", () => {
    const component = record("observability:kafka:Kafka", "kafka", {}, ROOT, false);
    const data = resourcesPerComponent(
      [
        record("pulumi:pulumi:Stack", "p-dev", {}, undefined, false),
        component,
        record("kubernetes:core/v1:Namespace", "ns", {}, component.urn),
        record("kubernetes:core/v1:Secret", "s1", {}, component.urn),
        record("kubernetes:core/v1:Secret", "s2", {}, component.urn),
        record("pulumi:providers:aws", "default", {}, undefined),
      ].map((r, i) => (i === 0 ? { ...r, urn: ROOT } : r)),
      ROOT,
    );
    assert.deepEqual(
      data.components.map((c) => [c.component, c.count, c.kinds]),
      [
        ["kafka", 3, { Namespace: 1, Secret: 2 }],
        ["(top level)", 1, { "provider aws": 1 }],
      ],
    );
    assert.equal(data.total, 5);
  });

  describe("policy verdicts", () => {
    const info: AnalyzerInfo = {
      name: "pack",
      version: "1.0.0",
      supportsConfig: true,
      initialConfig: {},
      policies: ["a-passes", "b-fails", "c-preview", "d-off"].map((name) => ({
        name,
        description: `${name} description`,
        enforcementLevel: "mandatory",
        type: "stack",
        tags: [],
      })),
    };
    const diagnostic = (policyName: string, enforcementLevel: "mandatory" | "advisory", message: string) => ({
      policyName,
      policyPackName: "pack",
      policyPackVersion: "1.0.0",
      enforcementLevel,
      message,
      description: `${policyName} description`,
      urn: "urn:pulumi:dev::p::observability:kafka:Kafka$kubernetes:kafka.strimzi.io/v1:KafkaTopic::kafka-topic",
      phase: "analyzeStack" as const,
    });
    const result: PolicyRunResult = {
      dryRun: true,
      failed: true,
      remediations: [],
      policyConfig: { "d-off": { enforcementLevel: "disabled" } },
      diagnostics: [
        diagnostic("b-fails", "mandatory", "b-fails description\ntopic too small"),
        diagnostic(
          "c-preview",
          "advisory",
          "can't run policy 'c-preview' from policy pack 'pack@v1.0.0' during preview: string value at .spec can't be known during preview",
        ),
      ],
    };

    it("gives every policy a verdict, failures first, passes and disabled ones included", () => {
      const data = policyVerdicts(info, result, ROOT);
      assert.deepEqual(
        data.verdicts.map((v) => [v.name, v.verdict, v.level]),
        [
          ["b-fails", "violated", "mandatory"],
          ["c-preview", "inconclusive", "mandatory"],
          ["a-passes", "passed", "mandatory"],
          ["d-off", "disabled", "disabled"],
        ],
      );
      assert.deepEqual(data.counts, {
        violated: 1,
        advisory: 0,
        inconclusive: 1,
        unreached: 0,
        passed: 1,
        disabled: 1,
      });
      assert.equal(data.mandatoryViolations, 1);
    });

    it("after an update stops at a mandatory finding, says which policies were not run instead of passing them", () => {
      const halted: PolicyRunResult = {
        ...result,
        dryRun: false,
        diagnostics: [
          { ...diagnostic("b-fails", "mandatory", "b-fails description\ntopic too small"), phase: "analyze" },
        ],
        halted: { urn: result.diagnostics[0].urn },
      };
      const data = policyVerdicts(info, halted, ROOT);
      assert.deepEqual(
        data.verdicts.map((v) => [v.name, v.verdict]),
        [
          ["b-fails", "violated"],
          ["a-passes", "unreached"],
          ["c-preview", "unreached"],
          ["d-off", "disabled"],
        ],
      );
      assert.match(renderPolicies(data), /NOT RUN\s+a-passes/);
      assert.match(renderPolicies(data), /pulumi up would stop at .*KafkaTopic::kafka-topic/);
    });

    it("keeps the message without the description it repeats, and names the resource", () => {
      const [failed] = policyVerdicts(info, result, ROOT).verdicts;
      assert.deepEqual(
        failed.findings.map((f) => [f.resource, f.message]),
        [["KafkaTopic kafka-topic", "topic too small"]],
      );
    });
  });
});
