/**
 * The workload and region a captured stack is planned for. The workload comes from the stack output `workload`
 * when the program exports it (what the policy pack reads too), else from the captured config resolved the way
 * the program resolves it (profile defaults, then the stack's keys).
 */
import { type Workload, WORKLOAD_KEYS, WORKLOAD_OUTPUT } from "../../policies/model";
import type { CapturedStack } from "../harness/capture-types";
import { revealSecrets } from "../harness/wire";

export interface PlannedWorkload {
  workload: Workload;
  /** "stack output workload" or "stack config (resolved with its profile)". */
  source: string;
}

function fromOutputs(captured: CapturedStack): Workload | undefined {
  const raw = revealSecrets(captured.outputs)[WORKLOAD_OUTPUT];
  if (raw === undefined || raw === null || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const record = raw as Record<string, unknown>;
  if (!WORKLOAD_KEYS.every((key) => typeof record[key] === "number")) return undefined;
  return Object.fromEntries(WORKLOAD_KEYS.map((key) => [key, record[key] as number])) as unknown as Workload;
}

export function plannedWorkload(captured: CapturedStack): PlannedWorkload {
  const exported = fromOutputs(captured);
  if (exported) return { workload: exported, source: `stack output ${WORKLOAD_OUTPUT}` };
  const prefix = `${captured.project}:`;
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(captured.config)) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
  }
  // Loaded only for a program that exports no workload: the settings schema costs the check ~80 ms to load.
  const { resolveConfig } = require("../../settings") as typeof import("../../settings");
  const config = resolveConfig(captured.project, raw);
  return {
    workload: { ...config.workload },
    source: `stack config ${captured.project}:workload (resolved with profile ${config.profile})`,
  };
}

/** The AWS region the stack deploys to: its `region` output, else the aws:region config key. */
export function stackRegion(captured: CapturedStack): string {
  const output = revealSecrets(captured.outputs).region;
  const region = typeof output === "string" ? output : captured.config["aws:region"];
  if (!region)
    throw new Error(`stack ${captured.stack}: no region (neither a region output nor aws:region in the config)`);
  return region;
}
