import { strict as assert } from "assert";
import * as path from "path";
import { parseArgs, UsageError, type CheckOptions } from "../../../tools/check/options";
import { EXIT, overallExitCode, programFailure, statusOf } from "../../../tools/check/outcome";
import { processGroups } from "../../../tools/check/run";
import type { PolicyRunResult } from "../../../tools/harness/analyzer";

const CWD = "/work/project";

describe("check command line", () => {
  it("checks every stack into ./check-out by default", () => {
    const options = parseArgs([], CWD) as CheckOptions;
    assert.equal(options.stacks, "all");
    assert.equal(options.outDir, path.join(CWD, "check-out"));
    assert.equal(options.projectDir, CWD);
    assert.equal(options.preview, false);
    assert.ok(options.jobs >= 1);
  });

  it("takes repeated --stack, --flag=value forms and resolves paths from the current folder", () => {
    const options = parseArgs(
      [
        "--stack",
        "dev",
        "--stack=prod",
        "--stack",
        "dev",
        "--out",
        "artifacts",
        "--policy-pack-config=p.json",
        "--preview",
        "--json",
      ],
      CWD,
    ) as CheckOptions;
    assert.deepEqual(options.stacks, ["dev", "prod"]);
    assert.equal(options.outDir, path.join(CWD, "artifacts"));
    assert.equal(options.policyPackConfigFile, path.join(CWD, "p.json"));
    assert.ok(options.preview && options.json);
  });

  for (const [args, message] of [
    [["--stack", "dev", "--all"], /exclude each other/],
    [["--stack"], /--stack needs a value/],
    [["--out", "--json"], /--out needs a value/],
    [["--jobs", "0"], /--jobs 0: expected a positive integer/],
    [["--stack", "dev/prod"], /may only contain alphanumeric, hyphens, underscores, or periods/],
    [["--verbose"], /unknown argument "--verbose"/],
  ] as const) {
    it(`rejects ${args.join(" ")}`, () => {
      assert.throws(
        () => parseArgs([...args], CWD),
        (err: unknown) => err instanceof UsageError && message.test(err.message),
      );
    });
  }
});

describe("check scheduling", () => {
  it("spreads the stacks over at most --jobs program processes, in order, never leaving one empty", () => {
    assert.deepEqual(processGroups(["dev", "prod", "staging"], 1), [["dev", "prod", "staging"]]);
    assert.deepEqual(processGroups(["dev", "prod", "staging"], 2), [["dev", "prod"], ["staging"]]);
    assert.deepEqual(processGroups(["dev", "prod", "staging"], 8), [["dev"], ["prod"], ["staging"]]);
    assert.deepEqual(processGroups([], 2), []);
  });
});

describe("check outcomes", () => {
  const failed = (message: string) => ({ message, name: "RunError", resourcesRegisteredBefore: 0, more: [] });

  it("classifies the program's configuration errors apart from its bugs", () => {
    assert.equal(
      programFailure(failed("Invalid configuration (1 problem):\n  - p:retention.metric ...")).kind,
      "program-config",
    );
    const bug = programFailure({
      ...failed("Cannot read properties of undefined"),
      name: "TypeError",
      resourcesRegisteredBefore: 4,
      urn: "urn:x",
    });
    assert.equal(bug.kind, "program");
    assert.match(bug.message, /failed at urn:x after registering 4 resources: TypeError: Cannot read/);
  });

  it("makes a stack's status from its failure or its diagnostics", () => {
    const result = (levels: string[]) => ({
      policyRun: {
        info: {} as never,
        result: { diagnostics: levels.map((enforcementLevel) => ({ enforcementLevel })) } as unknown as PolicyRunResult,
      },
    });
    assert.equal(statusOf({ stack: "s", ...result([]) }), "passed");
    assert.equal(statusOf({ stack: "s", ...result(["advisory"]) }), "advisory");
    assert.equal(statusOf({ stack: "s", ...result(["advisory", "mandatory"]) }), "violations");
    assert.equal(statusOf({ stack: "s", failure: { kind: "stack-config", message: "" } }), "invalid-config");
    assert.equal(statusOf({ stack: "s", failure: { kind: "policy-config", message: "" } }), "invalid-config");
    assert.equal(statusOf({ stack: "s", failure: { kind: "policy-pack", message: "" } }), "broken");
  });

  it("exits with the most severe outcome: broken over invalid config over violations over clean", () => {
    assert.equal(overallExitCode(["passed", "advisory"]), EXIT.clean);
    assert.equal(overallExitCode(["passed", "violations"]), EXIT.violations);
    assert.equal(overallExitCode(["violations", "invalid-config"]), EXIT.invalidConfig);
    assert.equal(overallExitCode(["invalid-config", "broken", "violations"]), EXIT.broken);
    assert.deepEqual([EXIT.clean, EXIT.violations, EXIT.invalidConfig, EXIT.broken], [0, 1, 2, 3]);
  });
});
