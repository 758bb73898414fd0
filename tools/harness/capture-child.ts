/**
 * Entry point of the child process that evaluates a program under mocks for one or more stacks (see capture.ts).
 *
 * Two modes, chosen by the parent:
 *
 * - "process": one stack, and the process ends with it. The stack's configuration arrives the way the Node language
 *   host passes it (PULUMI_CONFIG and friends in the environment, set by the parent before this process started),
 *   so the runtime builds its process-wide state from it exactly as under `pulumi up`.
 * - "shared": several stacks one after another in this process, so the SDKs load once. Each stack runs the way the
 *   Automation API runs an inline program (@pulumi/pulumi automation/server.js, LanguageServer.run): inside a fresh
 *   runtime store (`withLocalStorage`), with `resetOptions` and `setAllConfig` for that stack. The Automation API
 *   keeps the program's modules loaded between runs; this child goes further and evicts the program's own modules
 *   (every file loaded for it outside node_modules) after each stack, so each stack imports the program afresh as a
 *   new process would: a program that works at module top level runs again, and module-level state cannot leak
 *   from one stack into the next. Only the packages under node_modules (the SDKs) are shared.
 *   After a stack whose program failed, the parent moves the remaining stacks to a fresh process (a failed program
 *   can leave work pending that would otherwise surface during the next stack).
 */
import { createRequire } from "module";
import type * as pulumiModule from "@pulumi/pulumi";
import type { MockMonitor, Mocks, MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { CapturedError, CapturedLog, CapturedStack, LogSeverity } from "./capture-types";
import { installCapturingMonitor, RegistrationRecorder, type SdkInternals } from "./capture-monitor";
import { rootStackUrn } from "./engine-identity";
import { setLanguageHostEnvironment } from "./language-host-env";
import { isMockReply, type MockOperation, TransferCodec } from "./mock-bridge";

// The TypeScript loader (esbuild-register) turns source maps on, and the SDK takes a full stack trace of every resource
// it registers (Resource.stackTrace, @pulumi/pulumi resource.js); mapping each frame made an evaluation about a fifth
// slower (measured on 2 cores). A failing program's stack trace then points into esbuild's JavaScript of the file.
process.setSourceMapsEnabled(false);

export type EvaluationMode = "process" | "shared";

export interface CaptureChildRequest {
  programPath: string;
  project: string;
  stack: string;
  preview: boolean;
  /** With `preview`: every resource already exists (see StackToCapture.existingStack). */
  existingStack: boolean;
  organization?: string;
  config: Record<string, string>;
  secretKeys: string[];
}

/** What the child sends back; the parent adds what only it can measure. */
export type CaptureChildResult = Omit<CapturedStack, "durationMs">;

/** Parent to child: evaluate one stack (`index` tags every message about it). */
export interface EvaluateMessage {
  kind: "evaluate";
  mode: EvaluationMode;
  index: number;
  request: CaptureChildRequest;
}

export type ChildMessage =
  | { kind: "result"; index: number; result: CaptureChildResult }
  | { kind: "fatal"; index: number; message: string; stack?: string };

type LogFunction = (message: string, resource?: { urn: { promise(): Promise<string> } }) => Promise<void>;

/** The SDK pieces the child uses, all from the program's own copy of @pulumi/pulumi. */
interface LoadedSdk {
  pulumi: typeof pulumiModule;
  internals: SdkInternals;
  waitForRPCs(): Promise<void>;
  rpcKeepAlive(): () => void;
  /** The monitor `setMocks` installed in the current runtime store. */
  currentMonitor(): MockMonitor;
  /** A fresh runtime store for `callback` (runtime/state.js), as the Automation API gives each inline run. */
  withLocalStorage<T>(callback: () => Promise<T>): Promise<T>;
  resetOptions(project: string, stack: string, preview: boolean, organization: string): void;
  setAllConfig(config: Record<string, string>, secretKeys: string[]): void;
  /** runtime/debuggable.js, whose `debuggablePromise` the SDK calls for every registration step. */
  debuggable: { debuggablePromise<T>(promise: Promise<T>, context: unknown): Promise<T> };
  log: Record<"debug" | "info" | "warn" | "error", LogFunction>;
}

function loadSdk(programPath: string): LoadedSdk {
  // Resolve from the program, not from the harness: the program must register with the very runtime we patch.
  const fromProgram = createRequire(programPath);
  const pulumiEntry = fromProgram.resolve("@pulumi/pulumi");
  const fromPulumi = createRequire(pulumiEntry);
  const pulumi = fromProgram("@pulumi/pulumi") as typeof pulumiModule;
  const rpc = fromPulumi("./runtime/rpc");
  const settings = fromPulumi("./runtime/settings");
  const state = fromPulumi("./runtime/state");
  const config = fromPulumi("./runtime/config");
  const resproto = fromPulumi("./proto/resource_pb");
  const { Struct: StructClass } = fromPulumi("google-protobuf/google/protobuf/struct_pb");
  return {
    pulumi,
    internals: {
      serializeProperties: (label, props) => rpc.serializeProperties(label, props),
      deserializeProperties: (struct) => rpc.deserializeProperties(struct),
      structFromJavaScript: (value) => StructClass.fromJavaScript(value) as Struct,
      newRegisterResourceResponse: (urn, id, state) => {
        const response = new resproto.RegisterResourceResponse();
        response.setUrn(urn);
        response.setId(id);
        response.setObject(state);
        return response;
      },
      newReadResourceResponse: (urn, state) => {
        const response = new resproto.ReadResourceResponse();
        response.setUrn(urn);
        response.setProperties(state);
        return response;
      },
    },
    waitForRPCs: () => settings.waitForRPCs(),
    rpcKeepAlive: () => settings.rpcKeepAlive(),
    currentMonitor: () => settings.getMonitor(),
    withLocalStorage: (callback) => state.withLocalStorage(callback),
    // Parallelism -1 and no engine address, as setMocks itself resets them (runtime/settings.js, setMockOptions).
    resetOptions: (project, stack, preview, organization) =>
      settings.resetOptions(project, stack, -1, "", "", preview, organization),
    setAllConfig: (values, secretKeys) => config.setAllConfig(values, secretKeys),
    debuggable: fromPulumi("./runtime/debuggable"),
    log: fromPulumi("./log"),
  };
}

/** Mock calls in flight to the parent, which owns the caller's Mocks objects. */
const pendingMockCalls = new Map<
  number,
  { codec: TransferCodec; resolve(value: unknown): void; reject(error: Error): void }
>();
let nextCallId = 0;

function onMockReply(message: unknown): void {
  if (!isMockReply(message)) {
    return;
  }
  const waiter = pendingMockCalls.get(message.callId);
  pendingMockCalls.delete(message.callId);
  if (!waiter) {
    return;
  }
  if (message.ok) {
    waiter.resolve(waiter.codec.decode(message.value));
  } else {
    waiter.reject(Object.assign(new Error(message.error?.message), { name: message.error?.name ?? "Error" }));
  }
}

/** Forwards one stack's mock calls to the parent, tagged with the stack's index. */
function bridgedMocks(index: number, codec: TransferCodec): Mocks {
  const callParent = (op: MockOperation, args: unknown): Promise<never> =>
    new Promise((resolve, reject) => {
      const callId = nextCallId++;
      pendingMockCalls.set(callId, { codec, resolve: resolve as (value: unknown) => void, reject });
      process.send?.({ kind: "mock", index, callId, op, args: codec.encode(args, "args") });
    });
  return {
    newResource: ({ type, name, inputs, provider, custom, id }: MockResourceArgs) =>
      callParent("newResource", { type, name, inputs, provider, custom, id }),
    call: (args) => callParent("call", args),
  };
}

/**
 * Records the program's log messages instead of printing them, keeping the URN of the resource they name. Stacks
 * run one at a time, so the logger is simply pointed at the current stack's list.
 */
function captureLogs(sdk: LoadedSdk, logs: CapturedLog[]): void {
  // The SDK logs its own internals at debug level, which the CLI shows only with --debug: keep them out.
  sdk.log.debug = () => Promise.resolve();
  const severities: Record<"info" | "warn" | "error", LogSeverity> = {
    info: "info",
    warn: "warning",
    error: "error",
  };
  for (const [fn, severity] of Object.entries(severities) as ["info" | "warn" | "error", LogSeverity][]) {
    sdk.log[fn] = (message, resource) => {
      const entry: CapturedLog = { severity, message };
      logs.push(entry);
      if (!resource) {
        return Promise.resolve();
      }
      // Keep the RPC queue open until the URN is known, as the SDK's own logger does.
      const done = sdk.rpcKeepAlive();
      return resource.urn
        .promise()
        .then((urn) => {
          entry.urn = urn;
        })
        .catch(() => undefined)
        .finally(done);
    };
  }
}

async function describeError(error: unknown): Promise<Omit<CapturedError, "resourcesRegisteredBefore" | "more">> {
  if (!(error instanceof Error)) {
    return { name: typeof error, message: String(error) };
  }
  const resource = (error as { resource?: { urn?: { promise(): Promise<string> } } }).resource;
  let urn: string | undefined;
  if (resource?.urn) {
    urn = await Promise.race([
      resource.urn.promise().catch(() => undefined),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000)),
    ]);
  }
  const isRunError = (error as { __pulumiRunError?: boolean }).__pulumiRunError === true;
  return {
    name: isRunError ? "RunError" : error.name,
    message: error.message,
    // The language host hides the stack of a RunError; so do we.
    stack: isRunError ? undefined : error.stack,
    urn,
  };
}

/**
 * Shared mode only: `debuggablePromise` (runtime/debuggable.js) formats a stack trace for every promise it tracks,
 * used only by the leak report the SDK prints at exit (never part of a capture). Formatting them was ~15% of an
 * evaluation's CPU; here they are taken with no frames. Leak tracking itself, the program's own errors (and their
 * stacks) and the source positions the SDK records for resources are untouched. Process mode keeps the SDK as it
 * is, and the shared-evaluation test compares the two.
 */
function skipLeakReportStacks(loaded: LoadedSdk): void {
  const original = loaded.debuggable.debuggablePromise;
  if ((original as { harnessPatched?: boolean }).harnessPatched) return;
  const patched = <T>(promise: Promise<T>, context: unknown): Promise<T> => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return original(promise, context);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  loaded.debuggable.debuggablePromise = Object.assign(patched, { harnessPatched: true });
}

/** Modules loaded before any program ran (the harness and its dependencies), which are never evicted. */
let harnessModules: Set<string> | undefined;

/** Evicts everything the last program loaded outside node_modules, so the next stack imports the program afresh. */
function evictProgramModules(): void {
  for (const id of Object.keys(require.cache)) {
    if (!harnessModules?.has(id) && !id.split(/[\\/]/).includes("node_modules")) {
      delete require.cache[id];
    }
  }
}

let sdk: LoadedSdk | undefined;

async function evaluate(
  index: number,
  request: CaptureChildRequest,
  mode: EvaluationMode,
): Promise<CaptureChildResult> {
  const fatalErrors: unknown[] = [];
  const recordFatal = (error: unknown): void => {
    if (!fatalErrors.includes(error)) {
      fatalErrors.push(error);
    }
  };
  // The language host treats these as program failures (@pulumi/pulumi cmd/run/index.js); so do we.
  process.on("uncaughtException", recordFatal);
  process.on("unhandledRejection", recordFatal);

  sdk ??= loadSdk(request.programPath);
  harnessModules ??= new Set(Object.keys(require.cache));
  const loaded = sdk;
  const logs: CapturedLog[] = [];
  captureLogs(loaded, logs);
  const recorder = new RegistrationRecorder(request);
  const codec = new TransferCodec(() => loaded.pulumi.unknown, loaded.pulumi.isUnknown, true);

  const run = async (): Promise<void> => {
    if (mode === "shared") {
      // automation/server.js LanguageServer.run: reset the store's options and config for this run.
      loaded.resetOptions(request.project, request.stack, request.preview, request.organization ?? "");
      loaded.setAllConfig(request.config, request.secretKeys);
    }
    await loaded.pulumi.runtime.setMocks(
      bridgedMocks(index, codec),
      request.project,
      request.stack,
      request.preview,
      request.organization,
    );
    // The monitor setMocks just created for this store records this stack's registrations only.
    installCapturingMonitor(loaded.currentMonitor(), loaded.internals, request, recorder);
    // Like the Node language host (cmd/run/run.js): require the program inside the root stack; an exported function
    // is called; whatever it returns (or the module's exports) becomes the stack outputs.
    try {
      await loaded.pulumi.runtime.runInPulumiStack(async () => {
        const programExport: unknown = require(request.programPath);
        return await (programExport instanceof Function ? programExport() : programExport);
      });
    } catch (error) {
      recordFatal(error);
    }
    // Registrations started before a failure still reach the monitor; drain them so the count is complete.
    await loaded.waitForRPCs();
  };
  try {
    if (mode === "shared") {
      skipLeakReportStacks(loaded);
      // Set per stack, so that code reading the environment sees this stack.
      setLanguageHostEnvironment(process.env, request);
      await loaded.withLocalStorage(run);
    } else {
      await run();
    }
  } finally {
    if (mode === "shared") {
      evictProgramModules();
      // Rejections already queued belong to this stack: let them arrive before the handlers go.
      await new Promise((resolve) => setImmediate(resolve));
      process.off("uncaughtException", recordFatal);
      process.off("unhandledRejection", recordFatal);
    }
  }

  const stackUrn = rootStackUrn(request.stack, request.project);
  const resources = recorder.resources();
  const result: CaptureChildResult = {
    project: request.project,
    stack: request.stack,
    preview: request.preview,
    existingStack: request.preview && request.existingStack,
    config: request.config,
    secretKeys: request.secretKeys,
    resources,
    rootStackUrn: stackUrn,
    outputs: resources.find((r) => r.urn === stackUrn)?.outputs ?? {},
    logs,
  };
  if (fatalErrors.length > 0) {
    const first = await describeError(fatalErrors[0]);
    const more = await Promise.all(fatalErrors.slice(1).map(async (e) => (await describeError(e)).message));
    result.error = {
      ...first,
      resourcesRegisteredBefore: recorder.programRegistrationCount(),
      more: more.filter((message) => message !== first.message),
    };
  }
  return result;
}

function isEvaluateMessage(message: unknown): message is EvaluateMessage {
  return typeof message === "object" && message !== null && (message as { kind?: unknown }).kind === "evaluate";
}

/** Stacks are evaluated strictly one after another, in the order the parent sends them. */
let queue: Promise<void> = Promise.resolve();

process.on("message", (message: unknown) => {
  if (isMockReply(message)) {
    onMockReply(message);
    return;
  }
  if (!isEvaluateMessage(message)) {
    process.send?.({
      kind: "fatal",
      index: -1,
      message: `expected an evaluate message, got ${JSON.stringify(message)}`,
    });
    return;
  }
  const { index, request, mode } = message;
  queue = queue.then(async () => {
    let reply: ChildMessage;
    try {
      reply = { kind: "result", index, result: await evaluate(index, request, mode) };
    } catch (error) {
      reply = {
        kind: "fatal",
        index,
        message: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      };
    }
    // A process-mode child ends with its stack; a shared one ends when the parent disconnects.
    if (mode === "process") {
      process.send?.(reply, () => process.exit(0));
    } else {
      process.send?.(reply);
    }
  });
});

process.on("disconnect", () => process.exit(0));
