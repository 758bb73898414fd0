/**
 * Evaluates a Pulumi program for one stack under mocks and captures every registration as the engine would hold
 * it: engine URNs, parents, dependencies, property dependencies, providers (including the default providers the
 * engine creates), inputs and outputs in wire format (secrets and preview unknowns marked), stack outputs, logs,
 * and the program's failure if it fails.
 *
 * Isolation: each call runs the program in a fresh child process (see capture-child.ts for why). Measured on this
 * machine (2 cores, Node 20) with a program loading @pulumi/aws and @pulumi/kubernetes: one evaluation takes about
 * the same in a worker thread or a child process (~0.6 s), four in parallel took 2.1 s in worker threads and 1.8 s in
 * child processes; child processes also allow the program its own working directory (`process.chdir` is not
 * available to workers), so they are what this module uses. TypeScript is transpiled once per import graph into a
 * disk cache rather than by ts-node in every child, which took a child's start from ~0.6 s to ~0.4 s.
 */
import { fork, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { CaptureChildRequest, ChildMessage } from "./capture-child";
import type { CapturedStack } from "./capture-types";
import { isMockRequest, type MockReplyMessage, type MockRequestMessage, TransferCodec } from "./mock-bridge";
import { prewarmTranspileCache, transpileSettingsFor, writeBootstrap } from "./ts-transpile-cache";

export type {
  CapturedError,
  CapturedLog,
  CapturedResource,
  CapturedResourceOptions,
  CapturedStack,
  LogSeverity,
} from "./capture-types";
export { loadProject, loadStackConfig, type LoadStackConfigOptions, type StackConfig } from "./stack-config";

export interface CaptureOptions {
  /** The program's entry module, e.g. `<repo>/index.ts`. */
  programPath: string;
  project: string;
  stack: string;
  /** "<project>:<key>" (or "aws:region", ...) -> raw string value, exactly as the engine passes config. */
  config: Record<string, string>;
  /** Keys of `config` whose values are secret; the program reads them as secret outputs. */
  secretKeys?: string[];
  /** Evaluate as `pulumi preview` does: outputs not known before creation are unknown, and so are new IDs. */
  preview: boolean;
  /** Called for every resource and invoke, in this process (they may keep state). */
  mocks: pulumi.runtime.Mocks;
  organization?: string;
  /** The program's working directory; the language host uses the project directory. Default: the program's. */
  cwd?: string;
  /** Kill the evaluation after this long. Default 120 s. */
  timeoutMs?: number;
}

/** Thrown when the harness itself could not evaluate the program (as opposed to the program failing). */
export class CaptureError extends Error {
  constructor(
    message: string,
    readonly processOutput: string,
  ) {
    super(processOutput ? `${message}\n--- program process output ---\n${processOutput}` : message);
    this.name = "CaptureError";
  }
}

const OUTPUT_LIMIT = 64 * 1024;

/**
 * The child's entry and flags. TypeScript (the harness's own sources when run from them, and a .ts program) goes
 * through the cached transpiler, prewarmed here once for the whole import graph (see ts-transpile-cache.ts).
 */
function childEntry(programPath: string): { file: string; execArgv: string[] } {
  const fromSources = __filename.endsWith(".ts");
  const file = path.join(__dirname, fromSources ? "capture-child.ts" : "capture-child.js");
  const entries = [...(fromSources ? [file] : []), ...(programPath.endsWith(".ts") ? [programPath] : [])];
  if (entries.length === 0) {
    return { file, execArgv: [] };
  }
  const settings = transpileSettingsFor(programPath);
  prewarmTranspileCache(entries, settings);
  return { file, execArgv: ["--require", writeBootstrap(settings)] };
}

/**
 * The environment the Node language host gives a program (sdk/nodejs/cmd/pulumi-language-nodejs/main.go): config
 * and secret keys as JSON, plus project, stack and dry-run flags the runtime reads at load time.
 */
function programEnvironment(options: CaptureOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_CONFIG: JSON.stringify(options.config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(options.secretKeys ?? []),
    PULUMI_NODEJS_PROJECT: options.project,
    PULUMI_NODEJS_STACK: options.stack,
    PULUMI_NODEJS_DRY_RUN: String(options.preview),
  };
  if (options.organization) {
    env.PULUMI_NODEJS_ORGANIZATION = options.organization;
  }
  // Never let an ambient engine or monitor address pull the child away from the mocks.
  delete env.PULUMI_NODEJS_ENGINE;
  delete env.PULUMI_NODEJS_MONITOR;
  return env;
}

async function answerMock(mocks: pulumi.runtime.Mocks, codec: TransferCodec, message: MockRequestMessage): Promise<MockReplyMessage> {
  try {
    const args = codec.decode(message.args) as never;
    const value = message.op === "newResource" ? await mocks.newResource(args) : await mocks.call(args);
    return { kind: "mockReply", callId: message.callId, ok: true, value: codec.encode(value, message.op === "newResource" ? "result" : "call result") };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    return { kind: "mockReply", callId: message.callId, ok: false, error: { name: error.name, message: error.message } };
  }
}

/** Evaluates the program for one stack in a fresh process and returns what it registered. */
export function captureProgram(options: CaptureOptions): Promise<CapturedStack> {
  const programPath = path.resolve(options.programPath);
  if (!fs.existsSync(programPath)) {
    return Promise.reject(new CaptureError(`program ${programPath} does not exist`, ""));
  }
  const started = Date.now();
  let entry: { file: string; execArgv: string[] };
  try {
    entry = childEntry(programPath);
  } catch (err) {
    return Promise.reject(new CaptureError(`could not prepare ${programPath}: ${err instanceof Error ? err.message : String(err)}`, ""));
  }
  const child: ChildProcess = fork(entry.file, [], {
    cwd: options.cwd ?? path.dirname(programPath),
    env: programEnvironment(options),
    execArgv: entry.execArgv,
    serialization: "advanced",
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let output = "";
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const codec = new TransferCodec(pulumi.unknown, pulumi.isUnknown, false);

  return new Promise<CapturedStack>((resolve, reject) => {
    let settled = false;
    const finish = (action: () => void): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        action();
      }
    };
    const timeoutMs = options.timeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(() => reject(new CaptureError(`evaluating ${programPath} for stack ${options.stack} timed out after ${timeoutMs} ms`, output)));
    }, timeoutMs);

    child.on("message", (message: unknown) => {
      if (isMockRequest(message)) {
        void answerMock(options.mocks, codec, message).then((reply) => {
          if (child.connected) {
            child.send(reply);
          }
        });
        return;
      }
      const result = message as ChildMessage;
      if (result.kind === "result") {
        finish(() => resolve({ ...result.result, durationMs: Date.now() - started }));
      } else if (result.kind === "fatal") {
        finish(() => reject(new CaptureError(`the harness failed to evaluate ${programPath}: ${result.stack ?? result.message}`, output)));
      }
    });
    child.on("error", (err) => finish(() => reject(new CaptureError(`could not start the program process: ${err.message}`, output))));
    // "close", not "exit": "exit" can fire before the IPC channel has delivered the child's last message (seen under
    // load), while "close" waits for every stdio stream, the IPC channel included (Node child_process docs).
    child.on("close", (code, signal) =>
      finish(() =>
        reject(new CaptureError(`the program process exited (${signal ?? `code ${code}`}) before reporting a result`, output)),
      ),
    );
    const request: CaptureChildRequest = {
      programPath,
      project: options.project,
      stack: options.stack,
      preview: options.preview,
      organization: options.organization,
      config: options.config,
      secretKeys: options.secretKeys ?? [],
    };
    child.send({ kind: "start", request });
  });
}
