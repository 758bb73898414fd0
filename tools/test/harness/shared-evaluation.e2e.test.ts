// captureStacks (several stacks one after another in one process, the SDKs loaded once) must capture exactly what
// captureProgram (one fresh process per stack, config in the environment as the language host passes it) captures.
import { strict as assert } from "assert";
import { captureProgram, captureStacks, type CapturedStack, type StackToCapture } from "../../../tools/harness/capture";
import { FIXTURE_PROGRAM, FIXTURE_PROJECT, fixtureConfig, fixtureMocks } from "./fixtures/fixture-mocks";
import { comparable, PROGRAM, SHIPPED_STACKS, shippedStack } from "./shipped-stacks";

const DATA = `urn:pulumi:dev::${FIXTURE_PROJECT}::fixture:index:Store$fixture:storage:Bucket::main-data`;

function fixtureStack(
  bucketSizeGb: string,
  preview = false,
  mocks = fixtureMocks(),
): StackToCapture & { mocks: ReturnType<typeof fixtureMocks> } {
  return { project: FIXTURE_PROJECT, stack: "dev", config: fixtureConfig(bucketSizeGb), preview, mocks };
}

/** One process per stack, at most two at a time (the machines running this have two cores). */
async function eachInOwnProcess(programPath: string, stacks: StackToCapture[]): Promise<CapturedStack[]> {
  const results: CapturedStack[] = [];
  for (let i = 0; i < stacks.length; i += 2) {
    results.push(
      ...(await Promise.all(stacks.slice(i, i + 2).map((stack) => captureProgram({ programPath, ...stack })))),
    );
  }
  return results;
}

describe("captureStacks: stacks one after another in one process", function () {
  this.timeout(300_000);

  describe("over the shipped stacks, updates and previews interleaved", () => {
    // Alternating stacks and modes, so that anything one evaluation left behind would show in the next.
    const plan = SHIPPED_STACKS.flatMap((stack, i) => [
      shippedStack(stack, i % 2 === 1),
      shippedStack(stack, i % 2 === 0),
    ]);
    let shared: CapturedStack[];
    let separate: CapturedStack[];

    before(async () => {
      shared = await Promise.all(captureStacks({ programPath: PROGRAM, stacks: plan }));
      separate = await eachInOwnProcess(
        PROGRAM,
        plan.map((stack) => shippedStack(stack.stack, stack.preview)),
      );
    });

    it("captures each stack exactly as a process of its own does: URNs, types, parents, dependencies, providers, inputs, outputs", () => {
      plan.forEach((stack, i) => {
        const label = `${stack.stack}${stack.preview ? " (preview)" : ""}`;
        assert.equal(shared[i].error, undefined, `${label}: ${shared[i].error?.message}`);
        assert.ok(shared[i].resources.length > 100, `${label} registers the whole program`);
        assert.deepEqual(comparable(shared[i]), comparable(separate[i]), label);
      });
    });

    it("keeps each stack to its own settings: names, region and preview unknowns", () => {
      plan.forEach((stack, i) => {
        assert.ok(
          shared[i].resources.every((r) => r.urn.startsWith(`urn:pulumi:${stack.stack}::`)),
          stack.stack,
        );
        assert.equal(shared[i].preview, stack.preview);
        const unknownOutputs = JSON.stringify(shared[i].resources.map((r) => r.outputs)).includes(
          "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        );
        assert.equal(unknownOutputs, stack.preview, `${stack.stack}: unknown outputs exactly in a preview`);
      });
    });
  });

  describe("over a program that works at module top level", () => {
    let mocks: ReturnType<typeof fixtureMocks>[];
    let results: CapturedStack[];
    let references: CapturedStack[];

    before(async () => {
      const stacks = [fixtureStack("7"), fixtureStack("0"), fixtureStack("70", true), fixtureStack("700")];
      mocks = stacks.map((stack) => stack.mocks);
      results = await Promise.all(captureStacks({ programPath: FIXTURE_PROGRAM, stacks }));
      references = await eachInOwnProcess(FIXTURE_PROGRAM, [
        fixtureStack("7"),
        fixtureStack("0"),
        fixtureStack("70", true),
        fixtureStack("700"),
      ]);
    });

    it("imports the program afresh for every stack, so each one registers everything with its own config", () => {
      assert.equal(results[0].resources.find((r) => r.urn === DATA)?.inputs.sizeGb, 7);
      assert.equal(results[2].resources.find((r) => r.urn === DATA)?.inputs.sizeGb, 70);
      assert.equal(results[3].resources.find((r) => r.urn === DATA)?.inputs.sizeGb, 700);
      for (const i of [0, 2, 3]) assert.deepEqual(comparable(results[i]), comparable(references[i]), `stack ${i}`);
    });

    it("reports a failing program, and the stacks after it continue unaffected in a fresh process", () => {
      assert.equal(results[1].error?.name, "RunError");
      assert.equal(results[1].error?.message, `${FIXTURE_PROJECT}:bucketSizeGb must be a whole number >= 1, got 0`);
      assert.deepEqual(comparable(results[1]), comparable(references[1]));
      assert.equal(results[2].error, undefined);
    });

    it("answers each stack's mock calls with that stack's own mocks", () => {
      const oneEvaluation = mocks[0].calls.length;
      assert.ok(oneEvaluation >= 5, "the buckets, the password, the provider and the database");
      assert.deepEqual(
        mocks.map((m) => m.calls.length),
        [oneEvaluation, 0, oneEvaluation, oneEvaluation],
      );
    });
  });
});
