/**
 * The floor under `check --all`, timed by `npm run bench` in a fresh process: the part of the check that no
 * scheduling can remove. One program process evaluates every stack while the policy pack starts alongside and answers
 * GetAnalyzerInfo, both started exactly as the check starts them (captureStacks, launchPolicyPack); no policy runs
 * and no report is written. Whatever the check adds on top is the policies' analysis and the report.
 *
 *   node tools/bench/floor.js [--jobs N]
 *
 * Prints one JSON line: when the programs were evaluated and when the pack was ready, in ms since this started.
 */
import * as path from "path";
import { captureStacks } from "../harness/capture";
import { connectPolicyPack, launchPolicyPack } from "../harness/analyzer";
import { processGroups, captureTarget } from "../check/run";
import { resolveProgram, selectStacks } from "../check/project";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

export async function main(argv: string[]): Promise<number> {
  const jobs = argv[0] === "--jobs" && /^[1-9]\d*$/.test(argv[1] ?? "") ? Number(argv[1]) : 1;
  const started = Date.now();
  const programPath = resolveProgram(REPO_ROOT);
  const targets = selectStacks(REPO_ROOT, "all").map((stack) => captureTarget(REPO_ROOT, stack, false));
  const captures = processGroups(targets, jobs).flatMap((group) => captureStacks({ programPath, stacks: group }));
  const pack = launchPolicyPack(path.join(REPO_ROOT, "policies"), { javascriptBuild: true }).then(async (launched) => {
    const client = connectPolicyPack(launched);
    await client.getAnalyzerInfo();
    return { client, readyMs: Date.now() - started };
  });
  const stacks = await Promise.all(captures);
  const programsMs = Date.now() - started;
  const { client, readyMs } = await pack;
  await client.close();
  const failed = stacks.find((stack) => stack.error);
  if (failed) throw new Error(`the program failed for stack ${failed.stack}: ${failed.error?.message}`);
  process.stdout.write(
    `${JSON.stringify({ programsMs, packReadyMs: readyMs, resources: stacks.reduce((n, s) => n + s.resources.length, 0) })}\n`,
  );
  return 0;
}
