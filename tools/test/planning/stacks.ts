// Captures the real program for the shipped stacks (and variants) once per test run.
import * as path from "path";
import { captureProgram, loadStackConfig, type CapturedStack } from "../../../tools/harness/capture";
import { createMocks } from "../../../tools/harness/mocks";

export const ROOT = path.resolve(__dirname, "../../..");
export const PROD_WORKLOAD = {
  activeSeries: 2_000_000,
  samplesPerSecond: 133_334,
  logsGBPerDay: 200,
  queriesPerSecond: 40,
};

export async function captureStack(stack: string, configChanges: Record<string, unknown> = {}): Promise<CapturedStack> {
  const loaded = loadStackConfig(ROOT, stack);
  const config = { ...loaded.config };
  for (const [key, value] of Object.entries(configChanges)) config[`${loaded.project}:${key}`] = JSON.stringify(value);
  const captured = await captureProgram({
    programPath: path.join(ROOT, "index.ts"),
    project: loaded.project,
    stack,
    config,
    secretKeys: loaded.secretKeys,
    preview: false,
    mocks: createMocks({ region: config["aws:region"], accountId: "123456789012", project: loaded.project, stack }),
  });
  if (captured.error) throw new Error(`stack ${stack}: ${captured.error.message}`);
  return captured;
}
