/**
 * Runs the check: every selected stack's program under mocks, and the policy pack over each result.
 *
 * Scheduling, measured on a 2-core machine: the pack's startup (run-policy-pack type-checks the pack with ts-node,
 * ~4 s of CPU) is the longest single step, so it starts first, once per run, and its client then analyzes the
 * stacks one after another (ConfigureStack and Configure are re-sent for each, as the engine would for separate
 * previews). Programs are evaluated `jobs` at a time in their own processes while the pack starts, and each stack's
 * policies run as soon as both its evaluation and the pack are ready.
 */
import * as fs from "fs";
import { captureProgram, loadProject, loadStackConfig } from "../harness/capture";
import { PolicyConfigValidationError, PolicyPackError, runPolicies, startPolicyPack, type AnalyzerInfo, type PolicyPackClient, type PolicyPackUserConfig } from "../harness/analyzer";
import { createMocks } from "../harness/mocks";
import { parsePolicyPackConfig, PolicyConfigParseError } from "../harness/policy-config";
import { UsageError, type CheckOptions } from "./options";
import { programFailure, type StackRun } from "./outcome";
import { resolveProgram, selectStacks } from "./project";
import { plural } from "./text";

/** The account the mocks answer for: AWS's documentation example account id (AWS docs, "Your AWS account ID"). */
export const FAKE_ACCOUNT_ID = "123456789012";
/** Used for the mocks only when the stack sets no valid aws:region; the program then rejects its config itself. */
const PLACEHOLDER_REGION = "us-east-1";
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export interface PackSummary {
  name: string;
  version: string;
  dir: string;
  policies: number;
}

export interface CheckRun {
  project: string;
  preview: boolean;
  accountId: string;
  stacks: StackRun[];
  pack?: PackSummary;
  /** Set when the pack could not start or crashed: every stack that reached it is broken. */
  packFailure?: string;
}

export type Progress = (message: string) => void;

/** The `--policy-pack-config` file, parsed and checked the way the engine reads it before starting the pack. */
export function readPolicyPackConfig(file: string): PolicyPackUserConfig {
  let content: unknown;
  try {
    content = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`--policy-pack-config ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof content !== "object" || content === null || Array.isArray(content)) {
    throw new UsageError(`--policy-pack-config ${file}: expected a JSON object keyed by policy name`);
  }
  try {
    parsePolicyPackConfig(content as PolicyPackUserConfig);
  } catch (err) {
    if (err instanceof PolicyConfigParseError) throw new UsageError(`--policy-pack-config ${file}: ${err.message}`);
    throw err;
  }
  return content as PolicyPackUserConfig;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs `work` over `items` with at most `limit` at a time, keeping the input order in the results. */
async function inPool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export async function runCheck(options: CheckOptions, progress: Progress = () => undefined): Promise<CheckRun> {
  let project: string;
  try {
    project = loadProject(options.projectDir).name;
  } catch (err) {
    // The CLI refuses a missing or malformed Pulumi.yaml before anything runs; so does the check.
    throw new UsageError(messageOf(err));
  }
  const stacks = selectStacks(options.projectDir, options.stacks);
  const programPath = resolveProgram(options.projectDir, options.program);
  const policyConfig = options.policyPackConfigFile ? readPolicyPackConfig(options.policyPackConfigFile) : undefined;
  const run: CheckRun = { project, preview: options.preview, accountId: FAKE_ACCOUNT_ID, stacks: [] };

  progress(`starting the policy pack ${options.policyPackDir} as the engine does (run-policy-pack, type-checked by ts-node)`);
  const packReady: Promise<{ pack: PolicyPackClient; info: AnalyzerInfo }> = startPolicyPack(options.policyPackDir).then(async (pack) => {
    const info = await pack.getAnalyzerInfo();
    progress(`policy pack ${info.name} ${info.version} ready: ${plural(info.policies.length, "policy", "policies")} (startup ${formatSeconds(pack.startupMs)})`);
    run.pack = { name: info.name, version: info.version, dir: options.policyPackDir, policies: info.policies.length };
    return { pack, info };
  });
  // Observed by every stack below; this keeps a failed start from being an unhandled rejection meanwhile.
  packReady.catch((err: unknown) => {
    run.packFailure = messageOf(err);
    progress(`policy pack failed to start`);
  });

  // One stack's policies at a time: the pack holds one stack's configuration at a time.
  let packQueue: Promise<unknown> = Promise.resolve();
  const analyze = (stackRun: StackRun): Promise<void> => {
    const turn = packQueue.then(async () => {
      let ready: { pack: PolicyPackClient; info: AnalyzerInfo };
      try {
        ready = await packReady;
      } catch (err) {
        stackRun.failure = { kind: "policy-pack", message: `the policy pack did not start: ${messageOf(err)}` };
        return;
      }
      const started = Date.now();
      try {
        const result = await runPolicies(ready.pack, stackRun.captured!, { policyConfig });
        stackRun.policyRun = { info: ready.info, result };
        const mandatory = result.diagnostics.filter((d) => d.enforcementLevel === "mandatory").length;
        progress(`${stackRun.stack}: policies done in ${formatSeconds(Date.now() - started)} (${mandatory} mandatory, ${result.diagnostics.length - mandatory} advisory)`);
      } catch (err) {
        if (err instanceof PolicyConfigValidationError || err instanceof PolicyConfigParseError) {
          stackRun.failure = { kind: "policy-config", message: `--policy-pack-config ${options.policyPackConfigFile}: ${err.message}` };
        } else if (err instanceof PolicyPackError) {
          stackRun.failure = { kind: "policy-pack", message: `the policy pack failed on stack ${stackRun.stack}: ${err.message}` };
          run.packFailure ??= err.message;
        } else {
          stackRun.failure = { kind: "policy-pack", message: `running the policy pack on stack ${stackRun.stack} failed: ${messageOf(err)}` };
        }
        progress(`${stackRun.stack}: policy pack failed`);
      }
    });
    packQueue = turn;
    return turn;
  };

  const analyses: Promise<void>[] = [];
  try {
    run.stacks = await inPool(stacks, options.jobs, async (stack): Promise<StackRun> => {
      const stackRun: StackRun = { stack };
      let config;
      try {
        config = loadStackConfig(options.projectDir, stack);
      } catch (err) {
        stackRun.failure = { kind: "stack-config", message: messageOf(err) };
        progress(`${stack}: invalid stack configuration`);
        return stackRun;
      }
      const region = config.config["aws:region"];
      stackRun.region = region;
      progress(`${stack}: evaluating the program under mocks${options.preview ? " (preview)" : ""}`);
      try {
        stackRun.captured = await captureProgram({
          programPath,
          project: config.project,
          stack,
          config: config.config,
          secretKeys: config.secretKeys,
          preview: options.preview,
          mocks: createMocks({
            region: region && REGION_PATTERN.test(region) ? region : PLACEHOLDER_REGION,
            accountId: FAKE_ACCOUNT_ID,
            project: config.project,
            stack,
          }),
        });
      } catch (err) {
        stackRun.failure = { kind: "program", message: messageOf(err) };
        progress(`${stack}: the program could not be evaluated`);
        return stackRun;
      }
      const captured = stackRun.captured;
      if (captured.error) {
        stackRun.failure = programFailure(captured.error);
        progress(`${stack}: the program failed (${stackRun.failure.kind === "program-config" ? "invalid configuration" : captured.error.name})`);
        return stackRun;
      }
      progress(`${stack}: ${captured.resources.length} resources registered in ${formatSeconds(captured.durationMs)}`);
      analyses.push(analyze(stackRun));
      return stackRun;
    });
    await Promise.all(analyses);
  } finally {
    await packReady.then(
      ({ pack }) => pack.close(),
      () => undefined,
    );
  }
  return run;
}
