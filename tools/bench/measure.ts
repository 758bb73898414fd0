/** Timing a command in a fresh process: wall time, and the CPU time of the whole process tree where Linux tells. */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";

export interface Sample {
  wallMs: number;
  /** User + system CPU of the process and every descendant it waited for; undefined off Linux. */
  cpuMs?: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

let ticksPerSecond: number | undefined;

/** The kernel's clock tick (sysconf _SC_CLK_TCK), in which /proc reports CPU times. */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU time of this process's waited-for children so far: /proc/self/stat fields cutime and cstime (proc(5)). */
function childrenCpuMs(): number | undefined {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // cutime and cstime are fields 16 and 17 of the whole line, so 13 and 14 after "(comm) ".
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Sample {
  const cpuBefore = childrenCpuMs();
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpuAfter = childrenCpuMs();
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
