import { strict as assert } from "assert";
import { lokiBurstHoldsALine } from "../../../../policies/rules/loki/burst-holds-a-line";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

describe("policy loki-burst-holds-a-line (L3)", () => {
  it("passes Loki's defaults (6 MB burst, 256KB lines)", async () => {
    assert.deepEqual((await runStackPolicy(lokiBurstHoldsALine, compliantStack())).violations, []);
  });

  it("rejects a burst below the longest admitted line, in the defaults", async () => {
    const records = mutateValues(compliantStack(), "loki", "loki.limits_config.max_line_size", "8MB");
    const run = await runStackPolicy(lokiBurstHoldsALine, records);
    assert.match(
      run.violations[0].message,
      /^the defaults of loki release "loki": ingestion_burst_size_mb=6 \(6291456 bytes\) < max_line_size 8388608 bytes: .*429 .* forever/,
    );
  });

  it("judges each tenant's own burst against the default line size", async () => {
    const records = mutateValues(compliantStack(), "loki", "loki.runtimeConfig.overrides", {
      "team-a": { ingestion_burst_size_mb: 0.1 },
    });
    const run = await runStackPolicy(lokiBurstHoldsALine, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^tenant "team-a" of loki release "loki": ingestion_burst_size_mb=0\.1 .*< max_line_size 262144 bytes/,
    );
  });
});
