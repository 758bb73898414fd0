/**
 * Carries mock calls from the program's child process to the caller's `pulumi.runtime.Mocks` and back.
 *
 * Why a bridge: the program runs in its own process (see capture-child.ts), but the mocks are an object with
 * functions, possibly with state (counters, recorded calls), owned by the caller, one per stack. Functions cannot
 * cross a process boundary, so the child sends each `newResource`/`call` as data and the parent answers.
 *
 * Mock arguments are SDK-deserialized values, which may hold things that are not plain data: the SDK's `unknown`
 * sentinel during preview, and live objects (a Resource rebuilt from a resource reference, an Asset). Unknowns are
 * tagged and re-created on the other side; live objects become opaque handles that come back as the very same
 * object if a mock echoes them in its state (the common `{ ...args.inputs }` pattern).
 */

import { isPlainObject } from "../../policies/model";

const TAG = "__harnessTransfer";

/** A value tagged for transfer: either the SDK's unknown sentinel or an opaque handle to a child-side object. */
type Tagged = { [TAG]: "unknown" } | { [TAG]: "handle"; id: number; description: string };

function isTagged(value: unknown): value is Tagged {
  return typeof value === "object" && value !== null && TAG in value;
}

function describe(value: object): string {
  const resourceType = (value as { __pulumiType?: unknown }).__pulumiType;
  const resourceName = (value as { __name?: unknown }).__name;
  const className = value.constructor?.name ?? "object";
  return typeof resourceType === "string" ? `${className} ${resourceType} "${String(resourceName)}"` : className;
}

/**
 * Maps one side's values to transferable data and back. `isUnknown`/`unknown` are that side's own SDK sentinel,
 * because each process has its own copy of @pulumi/pulumi.
 */
export class TransferCodec {
  private readonly handles = new Map<number, object>();
  private nextHandle = 0;

  constructor(
    /** Gives this side's unknown sentinel (a function, so that a side may load its SDK only when one arrives). */
    private readonly unknown: () => unknown,
    private readonly isUnknown: (value: unknown) => boolean,
    /** The child keeps live objects behind handles; the parent has none to keep and must reject them. */
    private readonly mayCreateHandles: boolean,
  ) {}

  encode(value: unknown, path = "value"): unknown {
    if (this.isUnknown(value)) {
      return { [TAG]: "unknown" };
    }
    if (value === null || typeof value !== "object") {
      // Functions (e.g. transforms) cannot cross and mean nothing to a mock.
      return typeof value === "function" ? undefined : value;
    }
    if (isTagged(value)) {
      return value;
    }
    if (Array.isArray(value)) {
      return value.map((item, index) => this.encode(item, `${path}[${index}]`));
    }
    if (isPlainObject(value)) {
      const result: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        result[key] = this.encode(item, `${path}.${key}`);
      }
      return result;
    }
    if (!this.mayCreateHandles) {
      throw new Error(
        `mock returned a ${describe(value)} at ${path}; only plain data (objects, arrays, strings, numbers, ` +
          "booleans, null) can be sent to the program's process",
      );
    }
    const id = this.nextHandle++;
    this.handles.set(id, value);
    return { [TAG]: "handle", id, description: describe(value) };
  }

  decode(value: unknown): unknown {
    if (value === null || typeof value !== "object") {
      return value;
    }
    if (isTagged(value)) {
      if (value[TAG] === "unknown") {
        return this.unknown();
      }
      // The parent keeps handles opaque; the child swaps them back for the live object.
      return this.mayCreateHandles ? this.handles.get(value.id) : Object.freeze({ ...value });
    }
    if (Array.isArray(value)) {
      return value.map((item) => this.decode(item));
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      result[key] = this.decode(item);
    }
    return result;
  }
}

/** Messages exchanged over the child's IPC channel. */
export type MockOperation = "newResource" | "call";

export interface MockRequestMessage {
  kind: "mock";
  /** Which of the process's stacks made the call (its position in the parent's list). */
  index: number;
  callId: number;
  op: MockOperation;
  args: unknown;
}

export interface MockReplyMessage {
  kind: "mockReply";
  callId: number;
  ok: boolean;
  value?: unknown;
  error?: { name: string; message: string };
}

export function isMockRequest(message: unknown): message is MockRequestMessage {
  return typeof message === "object" && message !== null && (message as { kind?: unknown }).kind === "mock";
}

export function isMockReply(message: unknown): message is MockReplyMessage {
  return typeof message === "object" && message !== null && (message as { kind?: unknown }).kind === "mockReply";
}
