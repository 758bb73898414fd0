import { strict as assert } from "assert";
import { tenantLimitsWithinCapacity } from "../../../policies/rules/capacity/tenant-limits-within-capacity";
import { mutate } from "../support/fixture";
import { runStackPolicy } from "../support/harness";
import { capacityStack } from "./fixture";

// The capacity fixture's distributors carry 75,000 samples/s (fixture.ts). It has no tagged AWS resource, so its
// environment is undetermined and treated as prod. The rule advises by default and rejects where the policy config
// enforces it.
const withLimits = (limits: Record<string, unknown>, overrides?: Record<string, unknown>) => {
  let records = mutate(capacityStack(), "mimir", ["values", "mimir", "structuredConfig", "limits"], limits);
  if (overrides) records = mutate(records, "mimir", ["values", "runtimeConfig"], { overrides });
  return records;
};
const within = { ingestion_rate: 50_000, max_global_series_per_user: 100_000 };

const enforced = { environments: ["staging", "prod"] };

describe("policy tenant-limits-within-capacity (C5: advisory, mandatory where the policy config enforces it)", () => {
  it("says nothing while every tenant's limits fit the tiers", async () => {
    const run = await runStackPolicy(tenantLimitsWithinCapacity, withLimits(within));
    assert.deepEqual([run.violations, run.advisories], [[], []]);
  });

  it("rejects a default ingestion_rate above what the distributors carry, where enforced", async () => {
    const run = await runStackPolicy(
      tenantLimitsWithinCapacity,
      withLimits({ ...within, ingestion_rate: 100_000 }),
      enforced,
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /ingestion_rate=100000 lets tenants on the default limit send 100,000 samples\/s, more than the 75,000 samples\/s the samples per second.* tier carries/,
    );
    assert.match(run.violations[0].message, /Environment: environment undetermined .*treated as prod/);
  });

  it("only advises by default (a limit is a ceiling, not traffic), and in an environment the config does not enforce", async () => {
    const limits = withLimits({ ...within, ingestion_rate: 100_000 });
    let run = await runStackPolicy(tenantLimitsWithinCapacity, limits);
    assert.deepEqual([run.violations.length, run.advisories.length], [0, 1]);
    assert.match(run.advisories[0].message, /ingestion_rate=100000 lets tenants on the default limit send 100,000/);
    run = await runStackPolicy(tenantLimitsWithinCapacity, limits, { ...enforced, environment: "dev" });
    assert.deepEqual([run.violations.length, run.advisories.length], [0, 1]);
  });

  it("judges one tenant's override", async () => {
    const run = await runStackPolicy(
      tenantLimitsWithinCapacity,
      withLimits(within, { big: { ingestion_rate: 90_000 } }),
      enforced,
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /lets tenant "big" send 90,000 samples\/s/);
  });

  it("rejects a tenant allowed more active series than the ingesters hold", async () => {
    const run = await runStackPolicy(
      tenantLimitsWithinCapacity,
      withLimits(within, { big: { max_global_series_per_user: 50_000_000 } }),
      enforced,
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /lets tenant "big" keep 50,000,000 active series, more than the .* active series the/,
    );
    assert.match(run.violations[0].message, /scale the ingesters/);
  });

  it("rejects a Loki tenant whose ingestion_rate_mb exceeds what the Loki ingesters carry", async () => {
    const records = mutate(withLimits(within), "loki", ["values", "loki", "runtimeConfig"], {
      overrides: { noisy: { ingestion_rate_mb: 500 } },
    });
    const run = await runStackPolicy(tenantLimitsWithinCapacity, records, enforced);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /ingestion_rate_mb=500 lets tenant "noisy" send 500 MB\/s of logs, more than the/,
    );
  });
});
