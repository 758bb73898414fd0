import { strict as assert } from "assert";
import { ringsSharedAcrossPods } from "../../../../policies/rules/mimir/rings-shared-across-pods";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

describe("policy rings-shared-across-pods (M18): ring heartbeat timeout exceeds the period", () => {
  const judge = (release: "mimir" | "loki", path: string, value: unknown) =>
    runStackPolicy(ringsSharedAcrossPods, mutateValues(compliantStack(), release, path, value));

  it("rejects Mimir's 1m ingester heartbeat timeout under the chart's 2m period", async () => {
    const run = await judge("mimir", "mimir.structuredConfig.ingester.ring.heartbeat_timeout", "1m");
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /Mimir ingester ring: .*values\.mimir\.structuredConfig\.ingester\.ring\.heartbeat_timeout=1m is not longer than .*chart-generated config ingester\.ring\.heartbeat_period=2m: .*unhealthy between heartbeats; queriers and rulers skip/,
    );
  });

  it("rejects a Mimir period raised to the timeout (equal is not enough) and a period of 0", async () => {
    const equal = await judge("mimir", "mimir.structuredConfig.store_gateway.sharding_ring.heartbeat_period", "10m");
    assert.match(equal.violations[0].message, /Mimir store-gateway ring: .*heartbeat_timeout=10m is not longer than/);
    const off = await judge("mimir", "mimir.structuredConfig.ruler.ring.heartbeat_period", "0s");
    assert.match(
      off.violations[0].message,
      /Mimir ruler ring: .*heartbeat_period=0s disables heartbeats while .*Mimir default ruler\.ring\.heartbeat_timeout=1m/,
    );
  });

  it("reads a Mimir heartbeat flag in the component's extraArgs", async () => {
    const run = await judge("mimir", "distributor.extraArgs", { "distributor.ring.heartbeat-timeout": "30s" });
    assert.match(
      run.violations[0].message,
      /Mimir distributor ring: .*distributor\.extraArgs.*=30s is not longer than .*heartbeat_period=1m/,
    );
  });

  it("rejects Loki's 1s ingester lifecycler timeout under the 5s default period", async () => {
    const run = await judge("loki", "loki.structuredConfig.ingester.lifecycler.ring.heartbeat_timeout", "1s");
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /Loki ingester ring: .*ingester\.lifecycler\.ring\.heartbeat_timeout=1s is not longer than .*Loki default ingester\.lifecycler\.heartbeat_period=5s: .*at least 2 live replicas required/,
    );
  });

  it("applies Loki's common.ring to every ring that does not set its own keys", async () => {
    const run = await judge("loki", "loki.commonConfig.ring", { heartbeat_period: "2m" });
    const messages = run.violations.map((v) => v.message).join("\n");
    assert.match(
      messages,
      /Loki ingester ring: .*Loki default common\.ring\.heartbeat_timeout=1m is not longer than .*commonConfig\.ring\.heartbeat_period=2m/,
    );
    assert.match(messages, /Loki compactor ring: /);
    // A ring that sets its own timeout keeps it.
    const records = mutateValues(
      mutateValues(compliantStack(), "loki", "loki.commonConfig.ring", {
        heartbeat_period: "2m",
        heartbeat_timeout: "10m",
      }),
      "loki",
      "loki.distributor.ring.heartbeat_timeout",
      "1m",
    );
    const own = await runStackPolicy(ringsSharedAcrossPods, records);
    assert.equal(own.violations.length, 1);
    assert.match(
      own.violations[0].message,
      /Loki distributor ring: .*loki\.distributor\.ring\.heartbeat_timeout=1m is not longer than .*heartbeat_period=2m/,
    );
  });

  it("accepts benign neighbours: a longer timeout, a timeout of 0, Mimir's own 1m over its 15s default", async () => {
    for (const [release, path, value] of [
      ["mimir", "mimir.structuredConfig.ingester.ring.heartbeat_timeout", "15m"],
      ["mimir", "mimir.structuredConfig.ingester.ring.heartbeat_timeout", "0s"],
      ["mimir", "mimir.structuredConfig.ruler.ring.heartbeat_timeout", "1m"],
      ["mimir", "mimir.structuredConfig.ingester.ring", { heartbeat_period: "15s", heartbeat_timeout: "1m" }],
      ["loki", "loki.structuredConfig.ingester.lifecycler.ring.heartbeat_timeout", "30s"],
      ["loki", "loki.commonConfig.ring", { heartbeat_period: "10s", heartbeat_timeout: "1m" }],
    ] as const) {
      const run = await judge(release, path, value);
      assert.deepEqual(run.violations, [], `${release} ${path}=${JSON.stringify(value)}`);
    }
  });
});
