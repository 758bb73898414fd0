import { strict as assert } from "assert";
import { BAD_CONFIGS } from "../fixtures/badConfigs";
import { PROJECT, ProgramRun, runStack } from "../support/program";
import { timeoutForRuns } from "../support/timeouts";

describe("program: a bad configuration stops the program before any resource is registered", function () {
  this.timeout(180_000);

  // Evaluate the corpus up front (runStack runs a few programs at a time).
  const results = new Map<string, ProgramRun>();
  before(async function () {
    this.timeout(timeoutForRuns(BAD_CONFIGS.length));
    await Promise.all(
      BAD_CONFIGS.map(async (bad, i) => {
        // The stack's own file is ignored: each case is the whole project config.
        results.set(
          bad.title,
          await runStack(`bad-${i}`, { "aws:region": "eu-west-1", ...bad.config }, { baseStack: "dev" }),
        );
      }),
    );
  });

  for (const bad of BAD_CONFIGS) {
    it(bad.title, () => {
      const run = results.get(bad.title)!;
      const error = run.captured.error;
      assert.ok(error, "the program must fail");
      assert.match(error!.message, /Invalid configuration/);
      const line = error!.message.split("\n").find((l) => l.includes(`${PROJECT}:${bad.key} =`));
      assert.ok(line, `no line names ${PROJECT}:${bad.key} in:\n${error!.message}`);
      assert.match(line!, bad.allowed);
      assert.equal(error!.resourcesRegisteredBefore, 0);
      assert.equal(run.resources.filter((r) => r.custom).length, 0);
    });
  }

  it("rejects an availability zone outside the region, naming both", async () => {
    const run = await runStack(
      "bad-az-region",
      { network: { availabilityZones: ["us-east-1a", "us-east-1b"] } },
      { baseStack: "dev" },
    );
    assert.match(
      run.captured.error?.message ?? "",
      /network\.availabilityZones = .*us-east-1a.*not in aws:region eu-west-1/,
    );
  });

  it("rejects an availability zone the region does not have (j22: eu-west-1d), naming the region's zones", async () => {
    const run = await runStack(
      "bad-az-letter",
      { network: { availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1d"] } },
      { baseStack: "prod" },
    );
    assert.match(
      run.captured.error?.message ?? "",
      /network\.availabilityZones = .*eu-west-1d.*eu-west-1d is not an availability zone of eu-west-1 \(EC2 DescribeAvailabilityZones offers this account eu-west-1a, eu-west-1b, eu-west-1c/,
    );
    assert.equal(run.resources.filter((r) => r.custom).length, 0);
  });

  it("rejects a missing region", async () => {
    const run = await runStack("bad-region", { "aws:region": "Ireland" }, { baseStack: "dev" });
    assert.match(run.captured.error?.message ?? "", /aws:region = "Ireland": expected an AWS region/);
    assert.equal(run.captured.error?.resourcesRegisteredBefore, 0);
  });
});
