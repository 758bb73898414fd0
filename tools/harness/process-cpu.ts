/**
 * CPU time of processes as Linux reports it in /proc (proc(5)); undefined elsewhere. Used to show where a check's
 * CPU goes (the policy pack's share) and by the bench (a check's whole process tree).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";

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

/** The fields of /proc/<pid>/stat after "(command name) ", which may itself contain spaces. */
function statFields(pid: number | "self"): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** User + system CPU a running process has used so far (utime and stime, fields 14 and 15 of the stat line). */
export function processCpuMs(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks() : undefined;
}

/** CPU time of this process's waited-for children so far (cutime and cstime, fields 16 and 17). */
export function waitedChildrenCpuMs(): number | undefined {
  const fields = statFields("self");
  return fields ? ((Number(fields[13]) + Number(fields[14])) * 1000) / clockTicks() : undefined;
}
