import { strict as assert } from "assert";
import { strimziAcceptsKafkaSpec } from "../../../../policies/rules/kafka/strimzi-accepts-kafka-spec";
import { compliantStack, mutate } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

const run = async (records = compliantStack()) =>
  (await runStackPolicy(strimziAcceptsKafkaSpec, records)).violations.map((v) => v.message);
const spec = (path: Array<string | number>, value: unknown, records = compliantStack()) =>
  mutate(records, "kafka-cluster", ["spec", ...path], value);
const config = (key: string, value: unknown, records = compliantStack()) =>
  spec(["kafka", "config", key], value, records);
const brokers = (n: number, records = compliantStack()) =>
  mutate(records, "kafka-pool-brokers", ["spec", "replicas"], n);

async function refuses(records: ReturnType<typeof compliantStack>, pattern: RegExp): Promise<void> {
  const found = await run(records);
  assert.equal(found.length, 1, found.join("\n"));
  assert.match(found[0], pattern);
}

describe("policy strimzi-accepts-kafka-spec (K28)", () => {
  it("passes the compliant fixture, and Cruise Control on its three brokers", async () => {
    assert.deepEqual(await run(), []);
    assert.deepEqual(await run(spec(["cruiseControl"], {})), []);
  });

  it("rejects Cruise Control on a single broker (held-out j10)", async () => {
    await refuses(
      spec(["cruiseControl"], {}, config("default.replication.factor", 1, brokers(1))),
      /spec\.cruiseControl turns Cruise Control on, but the cluster has 1 broker\(s\) .*"Kafka kafka\/kafka has invalid configuration\. Cruise Control cannot be deployed with a Kafka cluster which has only one broker\. .*NotReady/,
    );
  });

  it("rejects a Cruise Control metrics topic replication above the brokers, a min ISR above it, and a non-integer", async () => {
    const cc = () => spec(["cruiseControl"], {});
    await refuses(
      config("cruise.control.metrics.topic.replication.factor", 4, cc()),
      /cruise\.control\.metrics\.topic\.replication\.factor"\]=4 .*"Kafka kafka\/kafka has invalid configuration\. Cruise Control metrics reporter replication factor \(4\) cannot be higher than number of brokers \(3\)\."/,
    );
    await refuses(
      config(
        "cruise.control.metrics.topic.min.insync.replicas",
        3,
        config("cruise.control.metrics.topic.replication.factor", 2, cc()),
      ),
      /min\.insync\.replicas"\]=3 is above the Cruise Control metrics topic's replication factor 2 .*minISR was set to a value \(3\)/,
    );
    await refuses(
      config("cruise.control.metrics.topic.replication.factor", "three", cc()),
      /replication\.factor"\]="three" is not an integer .*should be an integer/,
    );
  });

  it("rejects a reserved config provider alias (held-out j14) and passes the user's own providers", async () => {
    const j14 = config(
      "config.providers.strimzienv.class",
      "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
      config("config.providers", "strimzienv"),
    );
    await refuses(
      j14,
      /spec\.kafka\.config\["config\.providers"\]="strimzienv" names strimzienv, which Strimzi reserves .*"config\.provider strimzienv not permitted as it reserved for Strimzi\. .*Fix: remove strimzienv/,
    );
    await refuses(config("config.providers", "mine,strimzidir"), /names strimzidir/);
    assert.deepEqual(await run(config("config.providers", "mine,env")), []);
    assert.deepEqual(await run(config("config.providers", UNKNOWN)), []);
  });

  it("rejects default.replication.factor above the brokers, once even with Cruise Control", async () => {
    await refuses(
      config("default.replication.factor", 3, brokers(2)),
      /default\.replication\.factor"\]=3 is above the 2 broker\(s\) .*"Kafka configuration option 'default\.replication\.factor' should be set to 2 or less because this cluster has only 2 Kafka broker\(s\)\."/,
    );
    await refuses(
      spec(["cruiseControl"], {}, config("default.replication.factor", 3, brokers(2))),
      /should be set to 2 or less/,
    );
    assert.deepEqual(await run(config("default.replication.factor", 2, brokers(2))), []);
  });

  it("rejects both minAvailable quota limits, accepts one", async () => {
    const quotas = (q: object) => spec(["kafka", "quotas"], { type: "strimzi", ...q });
    await refuses(
      quotas({ minAvailableBytesPerVolume: 1000000000, minAvailableRatioPerVolume: 0.1 }),
      /minAvailableBytesPerVolume and .*minAvailableRatioPerVolume are both set: .*mutually exclusive/,
    );
    assert.deepEqual(await run(quotas({ minAvailableRatioPerVolume: 0.1 })), []);
  });

  it("waits for unknown broker counts", async () => {
    assert.deepEqual(await run(spec(["cruiseControl"], {}, brokers(UNKNOWN as unknown as number))), []);
  });
});
