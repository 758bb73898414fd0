import { strict as assert } from "assert";
import { mimirRulerEvaluatesRemotely } from "../../../../policies/rules/mimir/ruler-evaluates-remotely";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

describe("policy mimir-ruler-evaluates-remotely (M11, advisory)", () => {
  it("advises when ingest storage runs and the ruler evaluates locally", async () => {
    const run = await runStackPolicy(
      mimirRulerEvaluatesRemotely,
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.ruler", undefined),
    );
    assert.equal(run.violations.length, 0);
    assert.match(
      run.advisories[0].message,
      /runs ingest storage .*ruler\.query_frontend\.address is not set: the ruler evaluates against ingesters directly/,
    );
  });

  it("says nothing without a ruler", async () => {
    let records = mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.ruler", undefined);
    records = mutateValues(records, "mimir", "ruler.enabled", false);
    assert.deepEqual((await runStackPolicy(mimirRulerEvaluatesRemotely, records)).advisories, []);
  });
});
