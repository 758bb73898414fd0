/** Timing a command in a fresh process: wall time, and the CPU time of the whole process tree where Linux tells. */
import { spawnSync } from "child_process";
import { waitedChildrenCpuMs } from "../harness/process-cpu";

export interface Sample {
  wallMs: number;
  /** User + system CPU of the process and every descendant it waited for; undefined off Linux. */
  cpuMs?: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Sample {
  const cpuBefore = waitedChildrenCpuMs();
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpuAfter = waitedChildrenCpuMs();
  return {
    wallMs,
    cpuMs: cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined,
    status: result.status,
    stdout: result.stdout ?? "",
    stderr: result.stderr ?? "",
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
