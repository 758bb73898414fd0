import { strict as assert } from "assert";
import { kafkaCommittedOffsetsOutliveReplayWindow } from "../../../../policies/rules/kafka/committed-offsets-outlive-replay-window";
import { compliantStack, mutate } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const KAFKA = "kafka-cluster";

describe("policy kafka-committed-offsets-outlive-replay-window (K23)", () => {
  it("passes the compliant stack (Kafka default 10080 minutes)", async () => {
    const run = await runStackPolicy(kafkaCommittedOffsetsOutliveReplayWindow, compliantStack());
    assert.deepEqual([...run.violations, ...run.advisories], []);
  });

  it("warns when committed offsets expire after a minute", async () => {
    const run = await runStackPolicy(
      kafkaCommittedOffsetsOutliveReplayWindow,
      mutate(compliantStack(), KAFKA, ["spec", "kafka", "config", "offsets.retention.minutes"], 1),
    );
    assert.equal(run.violations.length, 0);
    assert.equal(run.advisories.length, 1);
    assert.match(
      run.advisories[0].message,
      /offsets\.retention\.minutes"\]=1 minutes \(1m\) < the replay window Mimir default blocks_storage\.tsdb\.retention_period=13h.*partition from the start.*No sample is lost/,
    );
  });

  it("accepts a retention above the replay window", async () => {
    const run = await runStackPolicy(
      kafkaCommittedOffsetsOutliveReplayWindow,
      mutate(compliantStack(), KAFKA, ["spec", "kafka", "config", "offsets.retention.minutes"], 1440),
    );
    assert.deepEqual(run.advisories, []);
  });
});
