// The repository's real program and stack files as harness inputs, and a capture's content in a form two captures
// can be compared in: resources by URN (registration order follows the timing of the mocks' answers, in either
// mode) and logs sorted; the wall time left out.
import * as fs from "fs";
import * as path from "path";
import type { CapturedStack, StackToCapture } from "../../../tools/harness/capture";
import { loadStackConfig } from "../../../tools/harness/capture";
import { createMocks } from "../../../tools/harness/mocks";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
export const PROGRAM = path.join(REPO_ROOT, "index.ts");
export const POLICY_PACK = path.join(REPO_ROOT, "policies");
const ACCOUNT_ID = "123456789012";

export const SHIPPED_STACKS = fs
  .readdirSync(REPO_ROOT)
  .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
  .filter((stack): stack is string => stack !== undefined)
  .sort();

/** A shipped stack's file as the engine passes it, plus `extra` config ("<key>" of this project -> JSON value). */
export function shippedStack(stack: string, preview: boolean, extra: Record<string, unknown> = {}): StackToCapture {
  const loaded = loadStackConfig(REPO_ROOT, stack);
  const config = { ...loaded.config };
  for (const [key, value] of Object.entries(extra)) config[`${loaded.project}:${key}`] = JSON.stringify(value);
  return {
    project: loaded.project,
    stack,
    config,
    secretKeys: loaded.secretKeys,
    preview,
    mocks: createMocks({ region: config["aws:region"], accountId: ACCOUNT_ID, project: loaded.project, stack }),
  };
}

export function comparable(captured: CapturedStack): unknown {
  const byUrn = new Map(captured.resources.map((resource) => [resource.urn, resource]));
  if (byUrn.size !== captured.resources.length) throw new Error(`stack ${captured.stack} registered a URN twice`);
  const { durationMs: _durationMs, resources: _resources, logs, ...rest } = captured;
  return {
    ...rest,
    resources: Object.fromEntries([...byUrn].sort(([a], [b]) => a.localeCompare(b))),
    logs: logs.map((log) => JSON.stringify(log)).sort(),
  };
}
