/**
 * Entry point of the child process that evaluates one stack's program under mocks (see capture.ts).
 *
 * One process per evaluation because the Pulumi runtime keeps its state (settings, config, the root stack, the
 * monitor) in process-wide globals, and the program's modules are cached after their first import: a second stack
 * in the same process would see the first one's config and resources.
 *
 * The program's configuration arrives the way the Node language host passes it (PULUMI_CONFIG and friends in the
 * environment, set by the parent before this process started), so it is in place before the program is imported.
 */
import { createRequire } from "module";
import type * as pulumiModule from "@pulumi/pulumi";
import type { MockMonitor, Mocks, MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { CapturedError, CapturedLog, CapturedStack, LogSeverity } from "./capture-types";
import { installCapturingMonitor, RegistrationRecorder, type SdkInternals } from "./capture-monitor";
import { rootStackUrn } from "./engine-identity";
import { isMockReply, type MockOperation, TransferCodec } from "./mock-bridge";

export interface CaptureChildRequest {
  programPath: string;
  project: string;
  stack: string;
  preview: boolean;
  organization?: string;
  config: Record<string, string>;
  secretKeys: string[];
}

/** What the child sends back; the parent adds what only it can measure. */
export type CaptureChildResult = Omit<CapturedStack, "durationMs">;

export type ChildMessage =
  | { kind: "result"; result: CaptureChildResult }
  | { kind: "fatal"; message: string; stack?: string };

type LogFunction = (message: string, resource?: { urn: { promise(): Promise<string> } }) => Promise<void>;

/** The SDK pieces the child uses, all from the program's own copy of @pulumi/pulumi. */
interface LoadedSdk {
  pulumi: typeof pulumiModule;
  monitorClass: typeof MockMonitor;
  internals: SdkInternals;
  waitForRPCs(): Promise<void>;
  rpcKeepAlive(): () => void;
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
  const resproto = fromPulumi("./proto/resource_pb");
  const { Struct: StructClass } = fromPulumi("google-protobuf/google/protobuf/struct_pb");
  return {
    pulumi,
    monitorClass: fromPulumi("./runtime/mocks").MockMonitor,
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
    log: fromPulumi("./log"),
  };
}

/** Forwards mock calls to the parent, which owns the caller's Mocks object. */
function bridgedMocks(codec: TransferCodec): Mocks {
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextCallId = 0;
  process.on("message", (message) => {
    if (!isMockReply(message)) {
      return;
    }
    const waiter = pending.get(message.callId);
    pending.delete(message.callId);
    if (message.ok) {
      waiter?.resolve(codec.decode(message.value));
    } else {
      waiter?.reject(Object.assign(new Error(message.error?.message), { name: message.error?.name ?? "Error" }));
    }
  });
  const callParent = (op: MockOperation, args: unknown): Promise<never> =>
    new Promise((resolve, reject) => {
      const callId = nextCallId++;
      pending.set(callId, { resolve: resolve as (value: unknown) => void, reject });
      process.send?.({ kind: "mock", callId, op, args: codec.encode(args, "args") });
    });
  return {
    newResource: ({ type, name, inputs, provider, custom, id }: MockResourceArgs) =>
      callParent("newResource", { type, name, inputs, provider, custom, id }),
    call: (args) => callParent("call", args),
  };
}

/** Records the program's log messages instead of printing them, keeping the URN of the resource they name. */
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
    urn = await Promise.race([resource.urn.promise().catch(() => undefined), new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000))]);
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

async function evaluate(request: CaptureChildRequest): Promise<CaptureChildResult> {
  const fatalErrors: unknown[] = [];
  const recordFatal = (error: unknown): void => {
    if (!fatalErrors.includes(error)) {
      fatalErrors.push(error);
    }
  };
  // The language host treats these as program failures (@pulumi/pulumi cmd/run/index.js); so do we.
  process.on("uncaughtException", recordFatal);
  process.on("unhandledRejection", recordFatal);

  const sdk = loadSdk(request.programPath);
  const logs: CapturedLog[] = [];
  captureLogs(sdk, logs);
  const recorder = new RegistrationRecorder(request);
  installCapturingMonitor(sdk.monitorClass, sdk.internals, request, recorder);
  const codec = new TransferCodec(sdk.pulumi.unknown, sdk.pulumi.isUnknown, true);
  await sdk.pulumi.runtime.setMocks(bridgedMocks(codec), request.project, request.stack, request.preview, request.organization);

  // Like the Node language host (cmd/run/run.js): require the program inside the root stack; an exported function
  // is called; whatever it returns (or the module's exports) becomes the stack outputs.
  try {
    await sdk.pulumi.runtime.runInPulumiStack(async () => {
      const programExport: unknown = require(request.programPath);
      return await (programExport instanceof Function ? programExport() : programExport);
    });
  } catch (error) {
    recordFatal(error);
  }
  // Registrations started before a failure still reach the monitor; drain them so the count is complete.
  await sdk.waitForRPCs();

  const stackUrn = rootStackUrn(request.stack, request.project);
  const resources = recorder.resources();
  const result: CaptureChildResult = {
    project: request.project,
    stack: request.stack,
    preview: request.preview,
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

function send(message: ChildMessage): void {
  process.send?.(message, () => process.exit(0));
}

process.once("message", (message: { kind?: string; request?: CaptureChildRequest }) => {
  if (message.kind !== "start" || !message.request) {
    send({ kind: "fatal", message: `expected a start message, got ${JSON.stringify(message)}` });
    return;
  }
  const request = message.request;
  evaluate(request).then(
    (result) => send({ kind: "result", result }),
    (error: unknown) =>
      send({
        kind: "fatal",
        message: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      }),
  );
});
