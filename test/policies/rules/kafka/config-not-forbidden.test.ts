import { strict as assert } from "assert";
import { kafkaConfigNotForbidden, strimziDropsOption } from "../../../../policies/rules/kafka/config-not-forbidden";
import { compliantStack, mutate } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

describe("policy kafka-config-not-forbidden (K12)", () => {
  it("passes the broker options Strimzi passes through", async () => {
    const run = await runStackPolicy(kafkaConfigNotForbidden, compliantStack());
    assert.deepEqual([run.violations, run.advisories], [[], []]);
  });

  it("advises on an option Strimzi drops, naming it", async () => {
    const run = await runStackPolicy(
      kafkaConfigNotForbidden,
      mutate(compliantStack(), "kafka-cluster", ["spec", "kafka", "config", "ssl.client.auth"], "required"),
    );
    assert.equal(run.advisories.length, 1);
    assert.match(
      run.advisories[0].message,
      /spec\.kafka\.config\["ssl\.client\.auth"\]: Strimzi manages this option and drops it/,
    );
  });

  it("matches Strimzi's prefixes and exceptions (prefixes are not word-bounded: log.dir drops log.dirs)", () => {
    assert.equal(strimziDropsOption("log.dirs"), true);
    assert.equal(strimziDropsOption("broker.rack"), true);
    assert.equal(strimziDropsOption("ssl.cipher.suites"), false);
    assert.equal(strimziDropsOption("listener.name.tls.max.connections"), false);
    assert.equal(strimziDropsOption("message.max.bytes"), false);
    assert.equal(strimziDropsOption("log.retention.ms"), false);
  });
});
