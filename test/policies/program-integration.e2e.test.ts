import { strict as assert } from "assert";
import * as path from "path";
import { PolicyPackClient, startPolicyPack } from "../../tools/harness/analyzer";
import { PolicyRunResult, runPolicies } from "../../tools/harness/run-policies";
import { REPO_ROOT, runStack, runStacks, RunOptions, SHIPPED_STACKS } from "../support/program";
import { CONFLICTS } from "./conflicts";
import { UNKNOWABLE_IN_FIRST_PREVIEW } from "../support/first-preview";
import { timeoutForRuns } from "../support/timeouts";

const summary = (r: PolicyRunResult) =>
  r.diagnostics
    .map(
      (d) =>
        `${d.enforcementLevel} ${d.policyName} (${d.phase}): ${d.message.split("\n").slice(1).join(" ").slice(0, 160)}`,
    )
    .join("\n");

/**
 * The three ways the engine shows a stack to the pack: `pulumi up` (no preview), a preview of a stack that exists,
 * and the first preview of a new stack (the Kubernetes provider unconfigured, its resources `{}` at AnalyzeStack).
 * The previews send AnalyzeStack's resources in a shuffled order: the engine guarantees none.
 */
const SCENARIOS: { name: string; run: RunOptions; shuffleSeed?: number }[] = [
  { name: "update", run: {} },
  { name: "preview of an existing stack", run: { preview: true, existingStack: true }, shuffleSeed: 7 },
  { name: "first preview of a new stack", run: { preview: true }, shuffleSeed: 1013 },
];

/** No finding twice: a per-resource finding is not repeated at AnalyzeStack. */
function assertNoDuplicates(result: PolicyRunResult): void {
  const keys = result.diagnostics.map((d) => `${d.policyName} ${d.urn} ${d.message}`);
  assert.deepEqual(
    keys.filter((k, i) => keys.indexOf(k) !== i),
    [],
    "a finding reported twice",
  );
}

describe("policy pack over the real program, run the way the engine runs it", function () {
  this.timeout(600_000);
  // One pack per scenario, as the engine starts one per operation: no scenario reads what another's Analyze calls left.
  const packs = new Map<string, PolicyPackClient>();
  before(async () => {
    for (const scenario of SCENARIOS) packs.set(scenario.name, await startPolicyPack(path.join(REPO_ROOT, "policies")));
  });
  after(async () => Promise.all([...packs.values()].map((pack) => pack.close())));

  for (const scenario of SCENARIOS) {
    for (const stack of SHIPPED_STACKS) {
      it(`${stack}: zero mandatory violations and nothing inconclusive (${scenario.name})`, async () => {
        const run = await runStack(stack, {}, scenario.run);
        const result = await runPolicies(packs.get(scenario.name)!, run.captured, {
          shuffleSeed: scenario.shuffleSeed,
        });
        assert.equal(result.dryRun, scenario.run.preview ?? false);
        assert.deepEqual(
          result.diagnostics.filter((d) => d.enforcementLevel === "mandatory"),
          [],
          summary(result),
        );
        const firstPreview = scenario.run.preview && !scenario.run.existingStack;
        assert.deepEqual(
          result.diagnostics.filter(
            (d) => /can't run/.test(d.message) && !(firstPreview && UNKNOWABLE_IN_FIRST_PREVIEW.has(d.policyName)),
          ),
          [],
          summary(result),
        );
        assert.equal(result.failed, false);
      });
    }
  }

  describe(`${CONFLICTS.length} conflicting configurations, each rejected by its policy in every scenario`, () => {
    it("has at least 30", () => assert.ok(CONFLICTS.length >= 30));

    const results = new Map<string, PolicyRunResult | Error>();
    const key = (title: string, scenario: string) => `${scenario}: ${title}`;
    before(async function () {
      const requests = SCENARIOS.flatMap((s) =>
        CONFLICTS.filter((c) => !(c.notInFirstPreview && s.run.preview && !s.run.existingStack)).map((c) => ({
          scenario: s,
          conflict: c,
        })),
      );
      this.timeout(timeoutForRuns(requests.length));
      const runs = await runStacks(
        requests.map(({ scenario, conflict }) => ({
          stack: conflict.base,
          extra: conflict.config,
          opts: { ...scenario.run, baseStack: conflict.base },
        })),
      );
      for (const [i, { scenario, conflict }] of requests.entries()) {
        try {
          results.set(
            key(conflict.title, scenario.name),
            await runPolicies(packs.get(scenario.name)!, runs[i].captured, { shuffleSeed: scenario.shuffleSeed }),
          );
        } catch (err) {
          results.set(key(conflict.title, scenario.name), err as Error);
        }
      }
    });

    const hitsOf = (result: PolicyRunResult, policy: string, level: string) =>
      result.diagnostics.filter((d) => d.policyName === policy && d.enforcementLevel === level);

    for (const conflict of CONFLICTS) {
      for (const scenario of SCENARIOS) {
        if (conflict.notInFirstPreview && scenario.run.preview && !scenario.run.existingStack) continue;
        it(`${conflict.title} -> ${conflict.policy} (${conflict.level}; ${scenario.name})`, () => {
          const result = results.get(key(conflict.title, scenario.name))!;
          if (result instanceof Error) throw result;
          const hits = hitsOf(result, conflict.policy, conflict.level);
          assert.ok(hits.length > 0, `expected ${conflict.level} ${conflict.policy}; got:\n${summary(result)}`);
          if (conflict.message) assert.match(hits.map((h) => h.message).join("\n"), conflict.message);
          if (conflict.level === "mandatory") assert.equal(result.failed, true);
          assertNoDuplicates(result);
          if (scenario.run.preview) {
            // A preview never halts, and judges the conflict in the same words as the update (where a per-resource
            // finding halts it before AnalyzeStack).
            assert.equal(result.halted, undefined);
            const update = results.get(key(conflict.title, "update"));
            if (update instanceof Error || !update) return;
            const words = (r: PolicyRunResult) =>
              [...new Set(hitsOf(r, conflict.policy, conflict.level).map((h) => h.message))].sort();
            assert.deepEqual(words(result), words(update), summary(result));
          }
        });
      }
    }
  });
});
