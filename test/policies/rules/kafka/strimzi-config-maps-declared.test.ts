import { strict as assert } from "assert";
import { strimziConfigMapsDeclared } from "../../../../policies/rules/kafka/strimzi-config-maps-declared";
import { compliantStack, mutate } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

const run = async (records = compliantStack()) =>
  (await runStackPolicy(strimziConfigMapsDeclared, records)).violations.map((v) => v.message);
const spec = (path: Array<string | number>, value: unknown, records = compliantStack()) =>
  mutate(records, "kafka-cluster", ["spec", ...path], value);
const METRICS = {
  type: "jmxPrometheusExporter",
  valueFrom: { configMapKeyRef: { name: "kafka-metrics", key: "kafka-metrics-config.yml" } },
};
const configMap = (name: string, data: Record<string, string> | undefined, namespace = "kafka") => ({
  type: "kubernetes:core/v1:ConfigMap",
  name: `cm-${name}`,
  props: { metadata: { name, namespace }, ...(data ? { data } : {}) },
});

async function refuses(records: ReturnType<typeof compliantStack>, pattern: RegExp): Promise<void> {
  const found = await run(records);
  assert.equal(found.length, 1, found.join("\n"));
  assert.match(found[0], pattern);
}

describe("policy strimzi-config-maps-declared (K30)", () => {
  it("passes the compliant fixture (no ConfigMap read)", async () => {
    assert.deepEqual(await run(), []);
  });

  it("rejects Kafka metrics from a ConfigMap the stack does not declare (held-out j13)", async () => {
    await refuses(
      spec(["kafka", "metricsConfig"], METRICS),
      /spec\.kafka\.metricsConfig\.valueFrom\.configMapKeyRef names ConfigMap "kafka-metrics", which the stack does not declare in namespace kafka: .*"ConfigMap kafka-metrics does not exist".*NotReady/,
    );
  });

  it("rejects a missing key, external logging and a template env reference; a declared ConfigMap elsewhere does not count", async () => {
    await refuses(
      [...spec(["kafka", "metricsConfig"], METRICS), configMap("kafka-metrics", { "metrics.yml": "{}" })],
      /reads key "kafka-metrics-config\.yml" of ConfigMap "kafka-metrics", whose declared keys are "metrics\.yml": "ConfigMap kafka-metrics does not contain specified key kafka-metrics-config\.yml"/,
    );
    await refuses(
      spec(["entityOperator", "topicOperator", "logging"], {
        type: "external",
        valueFrom: { configMapKeyRef: { name: "to-logging", key: "log4j2.properties" } },
      }),
      /topicOperator\.logging\.valueFrom\.configMapKeyRef names ConfigMap "to-logging".*with external logging configuration does not exist/,
    );
    await refuses(
      spec(
        ["kafka", "template", "kafkaContainer", "env"],
        [{ name: "X", valueFrom: { configMapKeyRef: { name: "extra", key: "x" } } }],
      ),
      /env\[0\]\.valueFrom\.configMapKeyRef names ConfigMap "extra".*CreateContainerConfigError/,
    );
    await refuses(
      [
        ...spec(["kafka", "metricsConfig"], METRICS),
        configMap("kafka-metrics", { "kafka-metrics-config.yml": "{}" }, "mimir"),
      ],
      /does not declare in namespace kafka/,
    );
  });

  it("rejects a declared ConfigMap without data", async () => {
    await refuses(
      [...spec(["kafka", "metricsConfig"], METRICS), configMap("kafka-metrics", {})],
      /whose declared keys are none/,
    );
  });

  it("accepts a declared ConfigMap with the key, data unknown at preview, optional env references and inline logging", async () => {
    for (const records of [
      [...spec(["kafka", "metricsConfig"], METRICS), configMap("kafka-metrics", { "kafka-metrics-config.yml": "{}" })],
      [
        ...spec(["kafka", "metricsConfig"], METRICS),
        configMap("kafka-metrics", UNKNOWN as unknown as Record<string, string>),
      ],
      spec(
        ["kafka", "template", "kafkaContainer", "env"],
        [{ name: "X", valueFrom: { configMapKeyRef: { name: "extra", key: "x", optional: true } } }],
      ),
      spec(["kafka", "logging"], { type: "inline", loggers: { "rootLogger.level": "INFO" } }),
      spec(["kafka", "metricsConfig"], { type: "strimziMetricsReporter", values: { allowList: [".*"] } }),
      spec(["kafka", "metricsConfig"], UNKNOWN),
    ])
      assert.deepEqual(await run(records), []);
  });
});
