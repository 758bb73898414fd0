import { strict as assert } from "assert";
import { ConfigError, resolveConfig } from "../../settings";
import { BAD_CONFIGS } from "../fixtures/badConfigs";

const PROJECT = "observability-stack";

describe("settings/resolve: profiles", () => {
  it("prod: 3 AZs and zones, Kafka 3 brokers RF 3 min ISR 2, Loki RF 3, 90d metrics, 30d logs, 15d Prometheus", () => {
    const c = resolveConfig(PROJECT, { profile: "prod" });
    assert.equal(c.network.availabilityZones, 3);
    assert.deepEqual(
      [
        c.replication.zones,
        c.replication.kafkaBrokers,
        c.replication.kafkaReplicationFactor,
        c.replication.kafkaMinInsyncReplicas,
        c.replication.lokiReplicationFactor,
      ],
      [3, 3, 3, 2, 3],
    );
    assert.deepEqual([c.retention.metrics, c.retention.logs, c.retention.prometheusLocal], ["90d", "30d", "15d"]);
  });

  it("dev: 2 AZs, one zone, replication 1, one broker, short retention", () => {
    const c = resolveConfig(PROJECT, { profile: "dev" });
    assert.equal(c.network.availabilityZones, 2);
    assert.equal(c.replication.zones, 1);
    assert.equal(c.replication.kafkaBrokers, 1);
    assert.equal(c.replication.kafkaReplicationFactor, 1);
  });

  it("merges a stack's keys over the profile key by key, lists replacing", () => {
    const c = resolveConfig(PROJECT, {
      profile: "prod",
      retention: JSON.stringify({ logs: "60d" }),
      cluster: JSON.stringify({
        endpointPublicAccessCidrs: ["198.51.100.0/24"],
        nodeGroups: { instanceTypes: ["r6i.2xlarge"] },
      }),
    });
    assert.equal(c.retention.logs, "60d");
    assert.equal(c.retention.metrics, "90d");
    assert.deepEqual(c.cluster.endpointPublicAccessCidrs, ["198.51.100.0/24"]);
    assert.deepEqual(c.cluster.nodeGroups.instanceTypes, ["r6i.2xlarge"]);
    assert.equal(c.cluster.nodeGroups.maxSize, 6);
  });

  it("keeps overrides as raw values for the charts", () => {
    const c = resolveConfig(PROJECT, {
      profile: "dev",
      overrides: JSON.stringify({ mimir: { ingester: { replicas: 9 } } }),
    });
    assert.deepEqual(c.overrides.mimir, { ingester: { replicas: 9 } });
  });
});

describe("settings/resolve: rejected configurations name the key, the value and what is allowed", () => {
  it(`has a corpus of at least 15 bad configurations (${BAD_CONFIGS.length})`, () =>
    assert.ok(BAD_CONFIGS.length >= 15));

  for (const bad of BAD_CONFIGS) {
    it(bad.title, () => {
      assert.throws(
        () => resolveConfig(PROJECT, bad.config),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
          const line = err.message.split("\n").find((l) => l.includes(`${PROJECT}:${bad.key} =`));
          assert.ok(line, `no line names ${PROJECT}:${bad.key} in:\n${err.message}`);
          assert.match(line!, bad.allowed);
          return true;
        },
      );
    });
  }

  it("reports every problem at once", () => {
    assert.throws(
      () =>
        resolveConfig(PROJECT, {
          profile: "prod",
          replication: JSON.stringify({ kafkaBrokers: 1 }),
          retention: JSON.stringify({ metrics: "1d" }),
        }),
      (err: ConfigError) => err.issues.length === 2,
    );
  });
});
