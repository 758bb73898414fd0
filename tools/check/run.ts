/**
 * Runs the check: every selected stack's program under mocks, and the policy pack over each result.
 *
 * Scheduling, measured on a 2-core machine where the whole check is CPU-bound: the policy pack starts first, once
 * per run, from its JavaScript build (~0.8 s instead of ~4.4 s for ts-node's type check, see pack-build.ts). At the
 * same time one program process evaluates every stack one after another (captureStacks: the SDKs load once, ~0.5 s,
 * then ~0.35 s per stack); `--jobs N` spreads the stacks over N such processes for machines with cores to spare.
 * The pack's client takes the stacks in order: it configures the pack for a stack straight away (ConfigureStack and
 * Configure are re-sent for each, as the engine would for separate previews), then analyzes it as soon as its
 * program has been evaluated, while the next stack evaluates.
 */
import { scenarioOf } from "./scenario";
import * as fs from "fs";
import {
  captureStacks,
  loadProject,
  loadStackConfig,
  type CapturedStack,
  type StackToCapture,
} from "../harness/capture";
import type { AnalyzerInfo, PolicyPackClient, PolicyPackUserConfig, PolicyStack } from "../harness/analyzer";
import { createMocks } from "../harness/mocks";
import { launchPolicyPack, PolicyPackError } from "../harness/pack-launch";
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
  /** With `preview`: the stacks exist already (see StackToCapture.existingStack). */
  existingStack: boolean;
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
  // Loaded only when a config file is given: without one, the programs and the pack start before it loads (with
  // analyzer.ts). Every parse error surfaces here, as a usage error, before anything starts.
  const { parsePolicyPackConfig, PolicyConfigParseError } =
    require("../harness/policy-config") as typeof import("../harness/policy-config");
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

/**
 * Splits the stacks over at most `jobs` program processes, each evaluating its share one stack after another
 * (captureStacks), in order: with one process, stacks come out in the order they are listed.
 */
export function processGroups<T>(items: T[], jobs: number): T[][] {
  const count = Math.max(1, Math.min(jobs, items.length));
  const size = Math.ceil(items.length / count);
  const groups: T[][] = [];
  for (let start = 0; start < items.length; start += size) groups.push(items.slice(start, start + size));
  return groups;
}

/** A promise that never rejects, so that a failure waiting to be looked at is not an unhandled rejection. */
function settled<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A stack file that loaded, with what its program process needs. */
interface Evaluable {
  stackRun: StackRun;
  target: StackToCapture;
}

/**
 * What a program process needs to evaluate `stack`: its stack file read the way the CLI reads it (throws when the
 * CLI would refuse it), and mocks answering for its region.
 */
export function captureTarget(
  projectDir: string,
  stack: string,
  preview: boolean,
  existingStack = false,
): StackToCapture {
  // secure: values stay opaque secrets ("[secure:<ciphertext>]"): the check has no secrets provider to decrypt them,
  // and the program treats them as secrets whatever they hold.
  const config = loadStackConfig(projectDir, stack, { secure: "ciphertext" });
  const region = config.config["aws:region"];
  return {
    project: config.project,
    stack,
    config: config.config,
    secretKeys: config.secretKeys,
    preview,
    existingStack,
    mocks: createMocks({
      region: region && REGION_PATTERN.test(region) ? region : PLACEHOLDER_REGION,
      accountId: FAKE_ACCOUNT_ID,
      project: config.project,
      stack,
    }),
  };
}

/** Reads each stack's file; a stack the CLI would reject is reported without evaluating it. */
function loadStacks(options: CheckOptions, run: CheckRun, progress: Progress): Evaluable[] {
  const evaluable: Evaluable[] = [];
  for (const stackRun of run.stacks) {
    let target: StackToCapture;
    try {
      target = captureTarget(options.projectDir, stackRun.stack, options.preview, options.existingStack);
    } catch (err) {
      stackRun.failure = { kind: "stack-config", message: messageOf(err) };
      progress(`${stackRun.stack}: invalid stack configuration`);
      continue;
    }
    stackRun.region = target.config["aws:region"];
    evaluable.push({ stackRun, target });
  }
  return evaluable;
}

/**
 * Starts the program processes; returns, per stack, whether its program evaluated (its `captured` is then set) or
 * failed (its `failure` is then set).
 */
function evaluatePrograms(
  options: CheckOptions,
  programPath: string,
  evaluable: Evaluable[],
  progress: Progress,
): Map<StackRun, Promise<boolean>> {
  const groups = processGroups(evaluable, options.jobs);
  const evaluated = new Map<StackRun, Promise<boolean>>();
  for (const group of groups) {
    progress(
      `evaluating the program under mocks${options.preview ? ` (${scenarioOf(options)})` : ""} for ${group.map((e) => e.stackRun.stack).join(", ")}, one process`,
    );
    const captures = captureStacks({ programPath, stacks: group.map((e) => e.target) });
    group.forEach(({ stackRun }, i) => evaluated.set(stackRun, recordCapture(stackRun, captures[i], progress)));
  }
  return evaluated;
}

async function recordCapture(
  stackRun: StackRun,
  capture: Promise<CapturedStack>,
  progress: Progress,
): Promise<boolean> {
  try {
    stackRun.captured = await capture;
  } catch (err) {
    stackRun.failure = { kind: "program", message: messageOf(err) };
    progress(`${stackRun.stack}: the program could not be evaluated`);
    return false;
  }
  const captured = stackRun.captured;
  if (captured.error) {
    stackRun.failure = programFailure(captured.error);
    progress(
      `${stackRun.stack}: the program failed (${stackRun.failure.kind === "program-config" ? "invalid configuration" : captured.error.name})`,
    );
    return false;
  }
  progress(
    `${stackRun.stack}: ${captured.resources.length} resources registered in ${formatSeconds(captured.durationMs)}`,
  );
  return true;
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
  const run: CheckRun = {
    project,
    preview: options.preview,
    existingStack: options.existingStack,
    accountId: FAKE_ACCOUNT_ID,
    stacks: stacks.map((stack) => ({ stack })),
  };

  // The programs first: they are the longest chain. The pack (built first if its sources changed) starts alongside.
  const evaluable = loadStacks(options, run, progress);
  const evaluated = evaluatePrograms(options, programPath, evaluable, progress);

  progress(`starting the policy pack ${options.policyPackDir} with run-policy-pack, as the engine does`);
  const launched = launchPolicyPack(options.policyPackDir, { javascriptBuild: true });
  // Its failure is handled with packReady below, once the client code has loaded.
  launched.catch(() => undefined);
  // The gRPC client, the protocol's messages and the policy-config validator load while both processes start.
  const { analyzeStackPolicies, configurePolicies, connectPolicyPack, PolicyConfigValidationError } =
    await import("../harness/analyzer");
  const packReady: Promise<{ pack: PolicyPackClient; info: AnalyzerInfo }> = launched.then(async (started) => {
    const pack = connectPolicyPack(started);
    const info = await pack.getAnalyzerInfo();
    const from =
      pack.runDir === pack.packDir
        ? `from its folder${pack.buildSkipped ? ` (no JavaScript build: ${pack.buildSkipped})` : ""}`
        : `from its JavaScript build ${pack.runDir}`;
    progress(
      `policy pack ${info.name} ${info.version} ready: ${plural(info.policies.length, "policy", "policies")} (startup ${formatSeconds(pack.startupMs)}, ${from})`,
    );
    run.pack = { name: info.name, version: info.version, dir: options.policyPackDir, policies: info.policies.length };
    return { pack, info };
  });
  // Observed by every stack below; this keeps a failed start from being an unhandled rejection meanwhile.
  packReady.catch((err: unknown) => {
    run.packFailure = messageOf(err);
    progress(`policy pack failed to start`);
  });

  // One stack's policies at a time, in order: the pack holds one stack's configuration at a time. A stack's turn
  // configures the pack for it at once (the engine does so before the program runs), so that the pack is ready when
  // the program is: the first stack's Configure happens while its program still evaluates.
  const policiesFor = async ({ stackRun, target }: Evaluable): Promise<void> => {
    const programDone = evaluated.get(stackRun) as Promise<boolean>;
    let ready: { pack: PolicyPackClient; info: AnalyzerInfo };
    try {
      ready = await packReady;
    } catch (err) {
      if (await programDone)
        stackRun.failure = { kind: "policy-pack", message: `the policy pack did not start: ${messageOf(err)}` };
      return;
    }
    const stack: PolicyStack = { ...target, secretKeys: target.secretKeys ?? [] };
    const configured = settled(configurePolicies(ready.pack, stack, { policyConfig }));
    // A program that failed is reported as such, whatever the policy config says.
    if (!(await programDone)) return;
    const started = Date.now();
    try {
      const config = await configured;
      if (!config.ok) throw config.error;
      const result = await analyzeStackPolicies(ready.pack, config.value, stackRun.captured!);
      stackRun.policyRun = { info: ready.info, result };
      const mandatory = result.diagnostics.filter((d) => d.enforcementLevel === "mandatory").length;
      progress(
        `${stackRun.stack}: policies done in ${formatSeconds(Date.now() - started)} (${mandatory} mandatory, ${result.diagnostics.length - mandatory} advisory)`,
      );
    } catch (err) {
      if (err instanceof PolicyConfigValidationError) {
        stackRun.failure = {
          kind: "policy-config",
          message: `--policy-pack-config ${options.policyPackConfigFile}: ${err.message}`,
        };
      } else if (err instanceof PolicyPackError) {
        stackRun.failure = {
          kind: "policy-pack",
          message: `the policy pack failed on stack ${stackRun.stack}: ${err.message}`,
        };
        run.packFailure ??= err.message;
      } else {
        stackRun.failure = {
          kind: "policy-pack",
          message: `running the policy pack on stack ${stackRun.stack} failed: ${messageOf(err)}`,
        };
      }
      progress(`${stackRun.stack}: policy pack failed`);
    }
  };

  try {
    for (const item of evaluable) {
      await policiesFor(item);
    }
  } finally {
    await Promise.all(evaluated.values());
    await packReady.then(
      ({ pack }) => {
        // Where a check's time goes on a small machine: the pack is one process, its start and every analysis in turn.
        const cpuMs = pack.cpuMs();
        if (cpuMs !== undefined) progress(`policy pack used ${formatSeconds(cpuMs)} of CPU (its start included)`);
        return pack.close();
      },
      () => undefined,
    );
  }
  return run;
}
