import type { WireProperties } from "./wire";

/** Resource options the engine forwards to policies (pkg/resource/plugin/analyzer_plugin.go, marshalResourceOptions). */
export interface CapturedResourceOptions {
  protect: boolean;
  ignoreChanges: string[];
  /** Undefined when the program did not set it, as the engine distinguishes "unset" from false. */
  deleteBeforeReplace?: boolean;
  additionalSecretOutputs: string[];
  /** Custom timeouts in seconds, parsed from the SDK's Go-style duration strings as the engine does. */
  customTimeouts: { create: number; update: number; delete: number; read: number };
  /** Alias URNs given as strings; structured alias specs are not resolved (see README in the report). */
  aliases: string[];
  /**
   * Kept in the cloud when Pulumi deletes the resource. Recorded for the artifacts only: the engine does not send it
   * to policy packs (AnalyzerResourceOptions has no such field).
   */
  retainOnDelete?: boolean;
}

/** One resource as the engine would hold it after the program registered it. */
export interface CapturedResource {
  urn: string;
  type: string;
  name: string;
  /** False for component resources and the root stack. */
  custom: boolean;
  /**
   * True for multi-language components (e.g. helm.v4.Chart): the engine would expand them through their provider;
   * under mocks they have no children, so their contents are invisible to policies.
   */
  remote: boolean;
  /** True for resources read with `.get()`: the engine runs AnalyzeStack on them but not Analyze. */
  read: boolean;
  /**
   * True for the default provider the engine itself registers for a package the first time a resource of that
   * package uses no explicit provider; the program never sees these.
   */
  synthesized: boolean;
  parent?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** Provider reference `<provider urn>::<provider id>`, as the engine resolves it. Custom and remote only. */
  provider?: string;
  /** Undefined for components, and for custom resources during preview (the engine does not know IDs yet). */
  id?: string;
  /** Inputs in wire format (secrets and unknowns marked; resource references kept). */
  inputs: WireProperties;
  /**
   * Outputs in wire format: what the engine stores as the resource's state and sends to AnalyzeStack. Custom
   * resources: the inputs overlaid with the mock's state (providers echo inputs in their state; during preview
   * every output that is not an input is unknown). Components and the stack: what they passed to registerOutputs.
   */
  outputs: WireProperties;
  options: CapturedResourceOptions;
  /** The package version the SDK asked for (e.g. "7.48.0"), which names the default provider. */
  packageVersion?: string;
}

export type LogSeverity = "info" | "warning" | "error";

export interface CapturedLog {
  severity: LogSeverity;
  message: string;
  urn?: string;
}

export interface CapturedError {
  /** The message the engine would print (no stack for RunError, as the Node language host hides it). */
  message: string;
  /** Error class name: RunError, ResourceError, InputPropertyError, Error, ... */
  name: string;
  stack?: string;
  /** URN of the resource a ResourceError names. */
  urn?: string;
  /**
   * Resources the program registered before it failed, not counting the root stack (the language host registers
   * that before the program starts) nor synthesized default providers. Zero means the program failed before
   * creating anything.
   */
  resourcesRegisteredBefore: number;
  /** Further fatal errors after the first (unhandled rejections raised by the same failure, failed mocks, ...). */
  more: string[];
}

export interface CapturedStack {
  project: string;
  stack: string;
  preview: boolean;
  /** A preview of a stack whose resources all exist already (false: the first preview of a new stack, or an update). */
  existingStack?: boolean;
  /** The engine-shaped config the program ran with ("<namespace>:<key>" -> raw string). */
  config: Record<string, string>;
  secretKeys: string[];
  /** In registration order, which is the order the engine analyzes them. */
  resources: CapturedResource[];
  /** URN of the `pulumi:pulumi:Stack` resource. */
  rootStackUrn: string;
  /** Stack outputs in wire format, as the program exported them. */
  outputs: WireProperties;
  logs: CapturedLog[];
  error?: CapturedError;
  /**
   * Wall time from handing the stack to its program process to its result; for the first stack of a process, the
   * process's start (and its loading of the SDKs) is included.
   */
  durationMs: number;
}
