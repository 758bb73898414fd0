import { strict as assert } from "assert";
import { mimirReleases } from "../../../policies/lib/mimir";
import { StackView } from "../../../policies/lib/stack";
import { mimirBlocksRetentionCoversQueryStoreAfter } from "../../../policies/rules/mimir/blocks-retention-covers-query-store-after";
import { compliantStack, mutateValues } from "../support/fixture";
import { runStackPolicy, stackValidationArgs } from "../support/harness";

// CLI flags in a component's extraArgs win over the config file for that component (Mimir docs,
// configure/about-configurations.md); the pack's Mimir reads take them (policies/lib/mimir.ts flagSetting).
const withArg = (section: string, flag: string, value: unknown) =>
  mutateValues(compliantStack(), "mimir", `${section}.extraArgs`, { [flag]: value });

describe("Mimir config reads take CLI flags in extraArgs", () => {
  const durationOf = (records: ReturnType<typeof compliantStack>, path: string) =>
    mimirReleases(new StackView(stackValidationArgs(records).resources))[0].duration(path);

  it("reads the flag of the component that uses the key, and names where it is set", () => {
    const found = durationOf(
      withArg("ingester", "blocks-storage.tsdb.retention-period", "3h"),
      "blocks_storage.tsdb.retention_period",
    );
    assert.deepEqual(
      [
        (found as { value: number }).value,
        (found as { where: string }).where.endsWith('ingester.extraArgs["blocks-storage.tsdb.retention-period"]'),
      ],
      [3 * 3_600_000, true],
    );
  });

  it("ignores the flag on a component that does not use the key (the users run with the config file's value)", () => {
    const found = durationOf(
      withArg("distributor", "blocks-storage.tsdb.retention-period", "3h"),
      "blocks_storage.tsdb.retention_period",
    );
    assert.notEqual((found as { value: number }).value, 3 * 3_600_000);
  });

  it("lets a rule judge what runs: an ingester-only TSDB retention below query_store_after fails M6", async () => {
    const run = await runStackPolicy(
      mimirBlocksRetentionCoversQueryStoreAfter,
      withArg("ingester", "blocks-storage.tsdb.retention-period", "3h"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /extraArgs/);
  });
});
