import { strict as assert } from "assert";
import { strimziOperatorsWatchKafkaNamespace } from "../../../../policies/rules/wiring/strimzi-operators-watch-kafka-namespace";
import { compliantStack, mutate, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

describe("policy strimzi-operators-watch-kafka-namespace (W8)", () => {
  it("passes the compliant stack (operator released in the Kafka namespace)", async () => {
    assert.deepEqual((await runStackPolicy(strimziOperatorsWatchKafkaNamespace, compliantStack())).violations, []);
  });

  it("accepts watchNamespaces [default]: the chart always adds its release namespace", async () => {
    const records = mutateValues(
      mutateValues(compliantStack(), "strimzi-operator", "watchNamespaces", ["default"]),
      "strimzi-operator",
      "watchAnyNamespace",
      false,
    );
    assert.deepEqual((await runStackPolicy(strimziOperatorsWatchKafkaNamespace, records)).violations, []);
  });

  it("rejects an operator released elsewhere that does not watch the Kafka namespace", async () => {
    const records = mutateValues(
      mutate(compliantStack(), "strimzi-operator", ["namespace"], "strimzi"),
      "strimzi-operator",
      "watchNamespaces",
      ["default"],
    );
    const run = await runStackPolicy(strimziOperatorsWatchKafkaNamespace, records);
    assert.equal(run.violations.length, 3); // the Kafka and its two node pools
    assert.match(
      run.violations[0].message,
      /Kafka "kafka" \(namespace kafka\) is in namespace kafka, but strimzi-kafka-operator release "strimzi" watches only default, strimzi.*no broker runs/,
    );
  });

  it("accepts watchAnyNamespace, or watchNamespaces naming the Kafka namespace", async () => {
    const elsewhere = mutate(compliantStack(), "strimzi-operator", ["namespace"], "strimzi");
    for (const records of [
      mutateValues(elsewhere, "strimzi-operator", "watchAnyNamespace", true),
      mutateValues(elsewhere, "strimzi-operator", "watchNamespaces", ["kafka"]),
    ]) {
      assert.deepEqual((await runStackPolicy(strimziOperatorsWatchKafkaNamespace, records)).violations, []);
    }
  });

  it("rejects a KafkaTopic outside the Topic Operator's watched namespace", async () => {
    const run = await runStackPolicy(
      strimziOperatorsWatchKafkaNamespace,
      mutate(compliantStack(), "kafka-topic-mimir-ingest", ["metadata", "namespace"], "mimir"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /KafkaTopic "mimir-ingest" \(namespace mimir\).*topicOperator of Kafka "kafka".*watches only kafka/,
    );
  });
});
