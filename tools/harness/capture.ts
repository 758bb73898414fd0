/**
 * Evaluates a Pulumi program under mocks and captures every registration as the engine would hold it: engine URNs,
 * parents, dependencies, property dependencies, providers (including the default providers the engine creates),
 * inputs and outputs in wire format (secrets and preview unknowns marked), stack outputs, logs, and the program's
 * failure if it fails.
 *
 * Two ways, with the same result (tools/test/harness/shared-evaluation.e2e.test.ts compares them over the shipped
 * stacks):
 * - `captureProgram`: one stack in a fresh child process, its config in the environment as the language host
 *   passes it. The reference behaviour.
 * - `captureStacks`: several stacks one after another in one child process, each in a fresh runtime store as the
 *   Automation API runs inline programs, with the program's own modules imported afresh per stack (see
 *   capture-child.ts). The SDKs load once instead of once per stack: measured on a 2-core machine, a child spends
 *   ~0.7 s of CPU loading @pulumi/aws and @pulumi/kubernetes and ~0.4 s evaluating this project's program.
 *
 * Why child processes: the program gets its own working directory (`process.chdir` is not available to worker
 * threads) and cannot disturb the caller's own Pulumi runtime. A child loads TypeScript through esbuild
 * (typescript-loader.js), not through ts-node: transpile-only is what the language host does too, and type checking
 * is `tsc --noEmit`'s job.
 */
import { fork, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import type { CaptureChildRequest, ChildMessage, EvaluateMessage, EvaluationMode } from "./capture-child";
import type { CapturedStack } from "./capture-types";
import { isMockRequest, type MockReplyMessage, type MockRequestMessage, TransferCodec } from "./mock-bridge";
import { setLanguageHostEnvironment } from "./language-host-env";

export type {
  CapturedError,
  CapturedLog,
  CapturedResource,
  CapturedResourceOptions,
  CapturedStack,
  LogSeverity,
} from "./capture-types";
export { loadProject, loadStackConfig, type LoadStackConfigOptions, type StackConfig } from "./stack-config";

/** One stack to evaluate. */
export interface StackToCapture {
  project: string;
  stack: string;
  /** "<project>:<key>" (or "aws:region", ...) -> raw string value, exactly as the engine passes config. */
  config: Record<string, string>;
  /** Keys of `config` whose values are secret; the program reads them as secret outputs. */
  secretKeys?: string[];
  /** Evaluate as `pulumi preview` does: outputs not known before creation are unknown, and so are new IDs. */
  preview: boolean;
  /**
   * With `preview`: the stack exists and every resource is deployed with these inputs (outputs and IDs known, every
   * provider configured). Without it, the first preview of a new stack: nothing exists yet (see capture-monitor.ts).
   */
  existingStack?: boolean;
  /** Called for every resource and invoke of this stack, in this process (they may keep state). */
  mocks: pulumi.runtime.Mocks;
  organization?: string;
}

export interface ProgramOptions {
  /** The program's entry module, e.g. `<repo>/index.ts`. */
  programPath: string;
  /** The program's working directory; the language host uses the project directory. Default: the program's. */
  cwd?: string;
  /** Kill an evaluation after this long (per stack). Default 120 s. */
  timeoutMs?: number;
}

export interface CaptureOptions extends ProgramOptions, StackToCapture {}

export interface CaptureStacksOptions extends ProgramOptions {
  stacks: StackToCapture[];
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
const DEFAULT_TIMEOUT_MS = 120_000;

interface ChildEntry {
  file: string;
  execArgv: string[];
}

/**
 * The child's entry and flags: TypeScript (the harness's own sources when run from them, and a .ts program) through
 * the harness's TypeScript loader (typescript-loader.js: esbuild, transpile-only, each file with its nearest
 * tsconfig.json, as the language host's ts-node finds it).
 */
function childEntry(programPath: string): ChildEntry {
  const fromSources = __filename.endsWith(".ts");
  const file = path.join(__dirname, fromSources ? "capture-child.ts" : "capture-child.js");
  if (!fromSources && !programPath.endsWith(".ts")) {
    return { file, execArgv: [] };
  }
  return { file, execArgv: ["--require", path.join(__dirname, "typescript-loader.js")] };
}

/** The caller's environment without engine addresses, with `stack`'s language host variables (none for a shared process). */
function programEnvironment(programPath: string, stack: StackToCapture | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Never let an ambient engine or monitor address pull the child away from the mocks.
  delete env.PULUMI_NODEJS_ENGINE;
  delete env.PULUMI_NODEJS_MONITOR;
  // A shared process starts without a stack's settings; the child sets them for each stack it evaluates.
  setLanguageHostEnvironment(env, stack && childRequest(programPath, stack));
  return env;
}

function childRequest(programPath: string, stack: StackToCapture): CaptureChildRequest {
  return {
    programPath,
    project: stack.project,
    stack: stack.stack,
    preview: stack.preview,
    existingStack: stack.existingStack ?? false,
    organization: stack.organization,
    config: stack.config,
    secretKeys: stack.secretKeys ?? [],
  };
}

async function answerMock(
  mocks: pulumi.runtime.Mocks,
  codec: TransferCodec,
  message: MockRequestMessage,
): Promise<MockReplyMessage> {
  try {
    const args = codec.decode(message.args) as never;
    const value = message.op === "newResource" ? await mocks.newResource(args) : await mocks.call(args);
    return {
      kind: "mockReply",
      callId: message.callId,
      ok: true,
      value: codec.encode(value, message.op === "newResource" ? "result" : "call result"),
    };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    return {
      kind: "mockReply",
      callId: message.callId,
      ok: false,
      error: { name: error.name, message: error.message },
    };
  }
}

/**
 * The parent's side of the mock bridge. The SDK's unknown sentinel (@pulumi/pulumi/output, ~90 ms to load) is
 * loaded only when a preview sends one; until then no value here can be unknown.
 */
function parentCodec(): TransferCodec {
  let output: { unknown: unknown; isUnknown(value: unknown): boolean } | undefined;
  return new TransferCodec(
    () =>
      (output ??= require("@pulumi/pulumi/output") as { unknown: unknown; isUnknown(value: unknown): boolean }).unknown,
    (value) => output !== undefined && output.isUnknown(value),
    false,
  );
}

/** One program process: evaluates the stacks it is given, one at a time, and answers their mocks. */
class ProgramProcess {
  private readonly child: ChildProcess;
  private output = "";
  private exited?: string;
  private current?: { index: number; started: number; resolve(stack: CapturedStack): void; reject(error: Error): void };
  private readonly codec = parentCodec();

  constructor(
    private readonly programPath: string,
    private readonly mode: EvaluationMode,
    private readonly stacks: StackToCapture[],
    entry: ChildEntry,
    options: ProgramOptions,
  ) {
    this.child = fork(entry.file, [], {
      cwd: options.cwd ?? path.dirname(programPath),
      // A process-mode child evaluates its one stack with the settings it started with, as under the language host.
      env: programEnvironment(programPath, mode === "process" ? stacks[0] : undefined),
      execArgv: entry.execArgv,
      serialization: "advanced",
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    const collect = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-OUTPUT_LIMIT);
    };
    this.child.stdout?.on("data", collect);
    this.child.stderr?.on("data", collect);
    this.child.on("message", (message: unknown) => this.onMessage(message));
    this.child.on("error", (err) => this.fail(`could not start the program process: ${err.message}`));
    // "close", not "exit": "exit" can fire before the IPC channel has delivered the child's last message (seen under
    // load), while "close" waits for every stdio stream, the IPC channel included (Node child_process docs).
    this.child.on("close", (code, signal) => {
      this.exited = signal ?? `code ${code}`;
      this.fail(`the program process exited (${this.exited}) before reporting a result`);
    });
  }

  private onMessage(message: unknown): void {
    if (isMockRequest(message)) {
      const mocks = this.stacks[message.index]?.mocks;
      if (!mocks) {
        return;
      }
      void answerMock(mocks, this.codec, message).then((reply) => {
        if (this.child.connected) {
          this.child.send(reply);
        }
      });
      return;
    }
    const result = message as ChildMessage;
    const current = this.current;
    if (!current || result.index !== current.index) {
      return;
    }
    if (result.kind === "result") {
      this.current = undefined;
      current.resolve({ ...result.result, durationMs: Date.now() - current.started });
    } else if (result.kind === "fatal") {
      this.fail(`the harness failed to evaluate ${this.programPath}: ${result.stack ?? result.message}`);
    }
  }

  private fail(message: string): void {
    const current = this.current;
    this.current = undefined;
    current?.reject(new CaptureError(message, this.output));
  }

  /** Evaluates one stack; `durationMs` runs from this call (for a new process: its start) to the result. */
  evaluate(index: number, timeoutMs: number): Promise<CapturedStack> {
    const stack = this.stacks[index];
    if (this.exited) {
      return Promise.reject(
        new CaptureError(
          `the program process exited (${this.exited}) before evaluating stack ${stack.stack}`,
          this.output,
        ),
      );
    }
    return new Promise<CapturedStack>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(`evaluating ${this.programPath} for stack ${stack.stack} timed out after ${timeoutMs} ms`);
        this.child.kill("SIGKILL");
      }, timeoutMs);
      this.current = {
        index,
        started: Date.now(),
        resolve: (captured) => {
          clearTimeout(timer);
          resolve(captured);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const message: EvaluateMessage = {
        kind: "evaluate",
        mode: this.mode,
        index,
        request: childRequest(this.programPath, stack),
      };
      this.child.send(message);
    });
  }

  /** False once the process has ended, e.g. when something a finished program left behind crashed it. */
  get alive(): boolean {
    return this.exited === undefined;
  }

  /** Lets a shared process end (it exits when its IPC channel closes); a process-mode child ends by itself. */
  stop(): void {
    if (this.child.connected) {
      this.child.disconnect();
    }
  }
}

function prepare(programPath: string): ChildEntry {
  if (!fs.existsSync(programPath)) {
    throw new CaptureError(`program ${programPath} does not exist`, "");
  }
  try {
    return childEntry(programPath);
  } catch (err) {
    throw new CaptureError(`could not prepare ${programPath}: ${err instanceof Error ? err.message : String(err)}`, "");
  }
}

/** Evaluates the program for one stack in a fresh process and returns what it registered. */
export function captureProgram(options: CaptureOptions): Promise<CapturedStack> {
  const programPath = path.resolve(options.programPath);
  let entry: ChildEntry;
  try {
    entry = prepare(programPath);
  } catch (err) {
    return Promise.reject(err);
  }
  const child = new ProgramProcess(programPath, "process", [options], entry, options);
  return child.evaluate(0, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
}

/**
 * Evaluates the program for each stack, one after another in a shared process (see the module comment). Returns
 * one promise per stack, in the given order, each settling as soon as its stack is done, so that a caller can use
 * the first stack while the next ones evaluate. A stack whose program fails, or that the harness could not evaluate,
 * ends its process: the stacks after it continue in a fresh one.
 */
export function captureStacks(options: CaptureStacksOptions): Promise<CapturedStack>[] {
  const programPath = path.resolve(options.programPath);
  const settle = options.stacks.map(() => {
    let resolve!: (stack: CapturedStack) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<CapturedStack>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  });
  let entry: ChildEntry;
  try {
    entry = prepare(programPath);
  } catch (err) {
    for (const s of settle) s.reject(err as Error);
    return settle.map((s) => s.promise);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  void (async () => {
    let next = 0;
    while (next < options.stacks.length) {
      const child = new ProgramProcess(programPath, "shared", options.stacks, entry, options);
      try {
        // A process that ended between two stacks takes none of the rest: they go to the next one.
        while (next < options.stacks.length && child.alive) {
          const index = next++;
          let captured: CapturedStack;
          try {
            captured = await child.evaluate(index, timeoutMs);
          } catch (err) {
            settle[index].reject(err as Error);
            break;
          }
          settle[index].resolve(captured);
          if (captured.error) {
            break;
          }
        }
      } finally {
        child.stop();
      }
    }
  })();
  return settle.map((s) => s.promise);
}
