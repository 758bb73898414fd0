import { strict as assert } from "assert";
import { kafkaSegmentRollNotTooFrequent } from "../../../../policies/rules/kafka/segment-roll-not-too-frequent";
import { compliantStack, mutate } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const TOPIC = "kafka-topic-mimir-ingest";

describe("policy kafka-segment-roll-not-too-frequent (K22)", () => {
  it("passes the compliant stack (default 168h roll)", async () => {
    assert.deepEqual((await runStackPolicy(kafkaSegmentRollNotTooFrequent, compliantStack())).violations, []);
  });

  it("rejects segment.ms 1000 on the topic", async () => {
    const run = await runStackPolicy(
      kafkaSegmentRollNotTooFrequent,
      mutate(compliantStack(), TOPIC, ["spec", "config", "segment.ms"], 1000),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /spec\.config\["segment\.ms"\]=1000 \(1s\) rolls a new log segment .*KIP-1030.*86,400 segments.*Map failed/,
    );
  });

  it("rejects a broker log.roll.ms below a minute", async () => {
    const run = await runStackPolicy(
      kafkaSegmentRollNotTooFrequent,
      mutate(compliantStack(), "kafka-cluster", ["spec", "kafka", "config", "log.roll.ms"], 30000),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /log\.roll\.ms"\]=30000/);
  });

  it("accepts segment.ms at hours and exactly one minute", async () => {
    for (const value of [3600000, 60000]) {
      const run = await runStackPolicy(
        kafkaSegmentRollNotTooFrequent,
        mutate(compliantStack(), TOPIC, ["spec", "config", "segment.ms"], value),
      );
      assert.deepEqual(run.violations, []);
    }
  });
});
