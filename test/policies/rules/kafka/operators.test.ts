import { strict as assert } from "assert";
import { kafkaOperatorsReconcileTopicAndUser } from "../../../../policies/rules/kafka/operators-reconcile-topic-and-user";
import { compliantStack, mutate } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

describe("policy kafka-operators-reconcile-topic-and-user (K20)", () => {
  it("accepts the fixture: both operators run", async () => {
    assert.deepEqual((await runStackPolicy(kafkaOperatorsReconcileTopicAndUser, compliantStack())).violations, []);
  });

  it("rejects a Kafka without its topic and user operators while a KafkaTopic and a KafkaUser belong to it", async () => {
    const records = mutate(compliantStack(), "kafka-cluster", ["spec", "entityOperator"], {});
    const run = await runStackPolicy(kafkaOperatorsReconcileTopicAndUser, records);
    assert.equal(run.violations.length, 2);
    assert.match(
      run.violations[0].message,
      /has no spec\.entityOperator\.topicOperator, but KafkaTopic "mimir-ingest" belongs to it: .*never created/,
    );
    assert.match(
      run.violations[1].message,
      /has no spec\.entityOperator\.userOperator, but KafkaUser "mimir" belongs to it/,
    );
  });
});
