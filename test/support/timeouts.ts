/**
 * Timeouts tied to the work a hook does, not to how fast this machine is today. A hook that evaluates N programs
 * (or runs the pack N times) may take up to PER_PROGRAM_RUN_MS for each: a program run takes 1-3 s on a quiet 2-core
 * machine, and several times that on a busy one, so the bound only catches a hang, never a slow but progressing run.
 */
export const PER_PROGRAM_RUN_MS = 30_000;

/** A hook's timeout for `runs` program evaluations, never below `floorMs`. */
export function timeoutForRuns(runs: number, floorMs = 600_000): number {
  return Math.max(floorMs, runs * PER_PROGRAM_RUN_MS);
}
