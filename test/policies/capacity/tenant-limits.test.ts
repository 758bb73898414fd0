import { strict as assert } from "assert";
import { tenantLimitsWithinCapacity } from "../../../policies/rules/capacity/tenant-limits-within-capacity";
import { mutate } from "../support/fixture";
import { runStackPolicy } from "../support/harness";
import { capacityStack } from "./fixture";

// The capacity fixture's distributors carry 75,000 samples/s (fixture.ts).
const withLimits = (limits: Record<string, unknown>, overrides?: Record<string, unknown>) => {
  let records = mutate(capacityStack(), "mimir", ["values", "mimir", "structuredConfig", "limits"], limits);
  if (overrides) records = mutate(records, "mimir", ["values", "runtimeConfig"], { overrides });
  return records;
};

describe("policy tenant-limits-within-capacity (C5, advisory)", () => {
  it("says nothing while every tenant's limit fits the distributors", async () => {
    const run = await runStackPolicy(tenantLimitsWithinCapacity, withLimits({ ingestion_rate: 50_000 }));
    assert.deepEqual([run.violations, run.advisories], [[], []]);
  });

  it("advises on a default limit above what the distributors carry", async () => {
    const run = await runStackPolicy(tenantLimitsWithinCapacity, withLimits({ ingestion_rate: 100_000 }));
    assert.match(
      run.advisories[0].message,
      /ingestion_rate=100000 lets tenants on the default limit send 100,000 samples\/s, more than the 75,000 samples\/s the distributors carry/,
    );
  });

  it("advises on one tenant's override", async () => {
    const run = await runStackPolicy(
      tenantLimitsWithinCapacity,
      withLimits({ ingestion_rate: 50_000 }, { big: { ingestion_rate: 90_000 } }),
    );
    assert.equal(run.advisories.length, 1);
    assert.match(run.advisories[0].message, /lets tenant "big" send 90,000 samples\/s/);
  });
});
