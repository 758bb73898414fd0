import { strict as assert } from "assert";
import * as path from "path";
import { PolicyPackClient, startPolicyPack } from "../../tools/harness/analyzer";
import { PolicyRunResult, runPolicies } from "../../tools/harness/run-policies";
import { REPO_ROOT, runStack, SHIPPED_STACKS } from "../support/program";
import { CONFLICTS } from "./conflicts";

const summary = (r: PolicyRunResult) =>
  r.diagnostics.map((d) => `${d.enforcementLevel} ${d.policyName}: ${d.message.split("\n").slice(1).join(" ").slice(0, 160)}`).join("\n");

describe("policy pack over the real program, run the way the engine runs it", function () {
  this.timeout(300_000);
  let pack: PolicyPackClient;
  before(async () => {
    pack = await startPolicyPack(path.join(REPO_ROOT, "policies"));
  });
  after(async () => pack?.close());

  for (const stack of SHIPPED_STACKS) {
    it(`${stack}: zero mandatory violations (update)`, async () => {
      const result = await runPolicies(pack, (await runStack(stack)).captured);
      assert.deepEqual(result.diagnostics.filter((d) => d.enforcementLevel === "mandatory"), [], summary(result));
      assert.equal(result.failed, false);
    });

    it(`${stack}: preview with unknown values gives no mandatory violation`, async () => {
      const run = await runStack(stack, {}, { preview: true });
      const result = await runPolicies(pack, run.captured);
      assert.ok(result.dryRun);
      assert.deepEqual(result.diagnostics.filter((d) => d.enforcementLevel === "mandatory"), [], summary(result));
    });
  }

  describe(`${CONFLICTS.length} conflicting configurations, each rejected by its policy`, () => {
    it("has at least 30", () => assert.ok(CONFLICTS.length >= 30));

    const results = new Map<string, PolicyRunResult | Error>();
    before(async () => {
      // Captured in parallel (runStack bounds the child processes); the one pack analyses them in turn.
      const captures = new Map<string, Awaited<ReturnType<typeof runStack>>>();
      await Promise.all(CONFLICTS.map(async (c) => captures.set(c.title, await runStack(c.base, c.config, { baseStack: c.base }))));
      for (const c of CONFLICTS) {
        const run = captures.get(c.title)!;
        try {
          results.set(c.title, await runPolicies(pack, run.captured));
        } catch (err) {
          results.set(c.title, err as Error);
        }
      }
    });

    for (const conflict of CONFLICTS) {
      it(`${conflict.title} -> ${conflict.policy} (${conflict.level})`, () => {
        const result = results.get(conflict.title)!;
        if (result instanceof Error) throw result;
        const hits = result.diagnostics.filter((d) => d.policyName === conflict.policy && d.enforcementLevel === conflict.level);
        assert.ok(hits.length > 0, `expected ${conflict.level} ${conflict.policy}; got:\n${summary(result)}`);
        if (conflict.message) assert.match(hits.map((h) => h.message).join("\n"), conflict.message);
        if (conflict.level === "mandatory") assert.equal(result.failed, true);
      });
    }
  });
});
