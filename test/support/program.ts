import * as path from "path";
import {
  captureProgram,
  CapturedResource,
  CapturedStack,
  captureStacks,
  loadStackConfig,
  type StackToCapture,
} from "../../tools/harness/capture";
import { createMocks } from "../../tools/harness/mocks";
import { revealSecrets } from "../../tools/harness/wire";

export const REPO_ROOT = path.resolve(__dirname, "../..");
export const PROJECT = "observability-stack";
export const ACCOUNT_ID = "123456789012";
export const SHIPPED_STACKS = ["dev", "staging", "prod"] as const;
export type ShippedStack = (typeof SHIPPED_STACKS)[number];

export interface ProgramRun {
  captured: CapturedStack;
  /** Custom and component resources with secrets revealed (plain values), in registration order. */
  resources: (CapturedResource & { plain: Record<string, any> })[];
  ofType(type: string): (CapturedResource & { plain: Record<string, any> })[];
  named(type: string, name: string): CapturedResource & { plain: Record<string, any> };
}

const cache = new Map<string, Promise<ProgramRun>>();

/**
 * Runs the real program for a stack file (plus extra config as the engine would pass it) under the harness, once
 * per distinct input; tests share the result. Callers may start any number at once: a few run at a time.
 */
/** How to evaluate: an update (default), or a preview of a new stack, or (`existingStack`) of one that exists. */
export interface RunOptions {
  preview?: boolean;
  existingStack?: boolean;
  baseStack?: string;
}

export function runStack(
  stack: string,
  extra: Record<string, unknown> = {},
  opts: RunOptions = {},
): Promise<ProgramRun> {
  const key = JSON.stringify([stack, extra, opts]);
  if (!cache.has(key))
    cache.set(
      key,
      withProgramSlot(() => evaluate(stack, extra, opts)),
    );
  return cache.get(key)!;
}

/** Every shipped stack's run, by stack name. */
export async function runShippedStacks(): Promise<Record<ShippedStack, ProgramRun>> {
  const runs = await Promise.all(SHIPPED_STACKS.map((stack) => runStack(stack)));
  return Object.fromEntries(SHIPPED_STACKS.map((stack, i) => [stack, runs[i]])) as Record<ShippedStack, ProgramRun>;
}

/** Each evaluation is a child process; beyond a few at once they only compete for the CPU and the test timeouts. */
const MAX_CONCURRENT_PROGRAMS = 3;
let running = 0;
const waiting: (() => void)[] = [];

async function withProgramSlot<T>(task: () => Promise<T>): Promise<T> {
  // A finishing task hands its slot straight to the next waiter, so `running` never exceeds the limit.
  if (running < MAX_CONCURRENT_PROGRAMS) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await task();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function stackToCapture(stack: string, extra: Record<string, unknown>, opts: RunOptions): StackToCapture {
  const loaded = loadStackConfig(REPO_ROOT, opts.baseStack ?? stack);
  const config = { ...loaded.config };
  for (const [k, v] of Object.entries(extra))
    config[k.includes(":") ? k : `${PROJECT}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  // The mocks need a real region name even when the test feeds the program a bad one.
  const region = /^[a-z]{2}(-[a-z]+)+-\d$/.test(config["aws:region"] ?? "") ? config["aws:region"] : "eu-west-1";
  return {
    project: loaded.project,
    stack,
    config,
    secretKeys: loaded.secretKeys,
    preview: opts.preview ?? false,
    existingStack: opts.existingStack ?? false,
    mocks: createMocks({ region, accountId: ACCOUNT_ID, project: loaded.project, stack }),
  };
}

async function evaluate(stack: string, extra: Record<string, unknown>, opts: RunOptions): Promise<ProgramRun> {
  return programRun(
    await captureProgram({ programPath: path.join(REPO_ROOT, "index.ts"), ...stackToCapture(stack, extra, opts) }),
  );
}

/**
 * Many evaluations at once, in a few shared program processes (one stack after another in each, as the check runs
 * them): far cheaper than a process per evaluation when a test needs dozens.
 */
export async function runStacks(
  requests: { stack: string; extra?: Record<string, unknown>; opts?: RunOptions }[],
): Promise<ProgramRun[]> {
  const groups: number[][] = Array.from({ length: Math.min(MAX_CONCURRENT_PROGRAMS, requests.length) }, () => []);
  requests.forEach((_, i) => groups[i % groups.length].push(i));
  const runs: ProgramRun[] = new Array(requests.length);
  await Promise.all(
    groups.map((indexes) =>
      withProgramSlot(async () => {
        const stacks = indexes.map((i) =>
          stackToCapture(requests[i].stack, requests[i].extra ?? {}, requests[i].opts ?? {}),
        );
        const captured = await Promise.all(captureStacks({ programPath: path.join(REPO_ROOT, "index.ts"), stacks }));
        captured.forEach((c, k) => (runs[indexes[k]] = programRun(c)));
      }),
    ),
  );
  return runs;
}

function programRun(captured: CapturedStack): ProgramRun {
  const resources = captured.resources.map((r) => ({
    ...r,
    plain: revealSecrets(r.inputs as any) as Record<string, any>,
  }));
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  const named = (type: string, name: string) => {
    const found = resources.find((r) => r.type === type && r.name === name);
    if (!found)
      throw new Error(
        `no ${type} named ${name}; have: ${ofType(type)
          .map((r) => r.name)
          .join(", ")}`,
      );
    return found;
  };
  return { captured, resources, ofType, named };
}

export const T = {
  release: "kubernetes:helm.sh/v3:Release",
  kafka: "kubernetes:kafka.strimzi.io/v1:Kafka",
  nodePool: "kubernetes:kafka.strimzi.io/v1:KafkaNodePool",
  topic: "kubernetes:kafka.strimzi.io/v1:KafkaTopic",
  user: "kubernetes:kafka.strimzi.io/v1:KafkaUser",
  secret: "kubernetes:core/v1:Secret",
  bucket: "aws:s3/bucket:Bucket",
  subnet: "aws:ec2/subnet:Subnet",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  addon: "aws:eks/addon:Addon",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  role: "aws:iam/role:Role",
} as const;

/** The values a Helm release of `chart` receives, as registered. */
export function releaseValues(run: ProgramRun, chart: string): Record<string, any> {
  const release = run.ofType(T.release).find((r) => r.plain.chart === chart);
  if (!release) throw new Error(`no release of chart ${chart}`);
  return release.plain.values;
}

/** Kubernetes quantities the program emits: 1650m, 2304Mi, 4Gi, 16777216. */
export function bytesOf(quantity: string | number): number {
  if (typeof quantity === "number") return quantity;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G)?$/.exec(quantity);
  if (!m) throw new Error(`unparsed quantity ${quantity}`);
  const unit = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9 }[m[2] as string] ?? 1;
  return Number(m[1]) * unit;
}
