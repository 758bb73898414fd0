// Runs a stack policy's validateStack the way @pulumi/policy's AnalyzeStack does (props behind the SDK's
// unknown-checking proxy, parent/dependencies/property dependencies as resource objects), from plain records.
import * as policy from "@pulumi/policy";
import {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

// Runtime exports of @pulumi/policy 1.21.0 index.js whose type declarations are stripped (proxy.d.ts is empty).
const sdk = policy as unknown as {
  unknownCheckingProxy: (props: unknown) => Record<string, unknown>;
  UnknownValueError: new (...args: unknown[]) => Error;
};

/** What the engine sends for a value unknown during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface ResourceRecord {
  type: string;
  name: string;
  props: Record<string, unknown>;
  /** name of the parent record */
  parent?: string;
  /** names of records this one depends on */
  dependencies?: string[];
  /** property -> names of records the property was computed from */
  propertyDependencies?: Record<string, string[]>;
  /** The resource's provider with its inputs, as the engine sends it in Analyze and AnalyzeStack. */
  provider?: { name: string; props: Record<string, unknown> };
  /** The resource option protect. */
  protect?: boolean;
}

/** URNs name the stack: tests that exercise the pack's per-operation memory (lib/analyzed.ts) use a stack of their own. */
export function urnOf(type: string, name: string, stack = "test"): string {
  return `urn:pulumi:${stack}::observability-stack::${type}::${name}`;
}

function providerOf(record: ResourceRecord, stack: string): PolicyResource["provider"] {
  if (!record.provider) return undefined;
  const type = "pulumi:providers:kubernetes";
  return {
    type,
    name: record.provider.name,
    urn: urnOf(type, record.provider.name, stack),
    props: sdk.unknownCheckingProxy(structuredClone(record.provider.props)),
  };
}

/** A record as the SDK shows a resource to a policy: props behind the unknown-checking proxy, default options. */
function asResource(record: ResourceRecord, stack: string) {
  return {
    type: record.type,
    name: record.name,
    urn: urnOf(record.type, record.name, stack),
    props: sdk.unknownCheckingProxy(structuredClone(record.props)),
    opts: {
      protect: record.protect === true,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    isType: () => false,
    asType: () => undefined,
  };
}

/** What validateResource receives for one record in an Analyze call (@pulumi/policy server.js, makeAnalyzeRpcFun). */
export function resourceValidationArgs(
  record: ResourceRecord,
  config: Record<string, unknown> = {},
  stack = "test",
): ResourceValidationArgs {
  const args: ResourceValidationArgs = {
    ...asResource(record, stack),
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
  const provider = providerOf(record, stack);
  if (provider) args.provider = provider;
  return args;
}

export function stackValidationArgs(
  records: ResourceRecord[],
  config: Record<string, unknown> = {},
  stack = "test",
): StackValidationArgs {
  const byName = new Map<string, PolicyResource>();
  const resources: PolicyResource[] = records.map((record) => {
    const resource: PolicyResource = { ...asResource(record, stack), dependencies: [], propertyDependencies: {} };
    const provider = providerOf(record, stack);
    if (provider) resource.provider = provider;
    if (byName.has(record.name)) throw new Error(`test fixture: duplicate record name ${record.name}`);
    byName.set(record.name, resource);
    return resource;
  });
  const lookup = (name: string): PolicyResource => {
    const found = byName.get(name);
    if (!found) throw new Error(`test fixture: no record named ${name}`);
    return found;
  };
  records.forEach((record, index) => {
    const resource = resources[index];
    if (record.parent) resource.parent = lookup(record.parent);
    resource.dependencies = (record.dependencies ?? []).map(lookup);
    for (const [key, names] of Object.entries(record.propertyDependencies ?? {})) {
      resource.propertyDependencies[key] = names.map(lookup);
    }
  });
  return {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
}

export interface Finding {
  /** The message as reported by the rule (without the policy description prefix). */
  message: string;
  urn?: string;
  enforcementLevel: string;
}

export interface PolicyRun {
  violations: Finding[];
  /** Findings at advisory level (from an advisory policy or an advisory-only report). */
  advisories: Finding[];
  /** Set when the policy stopped on a value unknown during preview (the SDK reports it as an advisory). */
  previewAdvisory?: string;
}

/** A report function as the SDK hands policies, collecting what they report (the description prefix removed). */
function collector(policy: { description?: string; enforcementLevel?: unknown }) {
  const findings: Finding[] = [];
  const level = String(policy.enforcementLevel);
  const report = (message: unknown, urn?: string) => {
    if (typeof message === "string") {
      findings.push({ message, urn, enforcementLevel: level });
    } else {
      const info = message as { message: string; urn?: string; enforcementLevel?: string };
      const prefix = `${policy.description}\n`;
      findings.push({
        message: info.message.startsWith(prefix) ? info.message.slice(prefix.length) : info.message,
        urn: info.urn,
        enforcementLevel: info.enforcementLevel ?? level,
      });
    }
  };
  return { findings, report };
}

async function collect(findings: Finding[], validate: () => unknown): Promise<PolicyRun> {
  let previewAdvisory: string | undefined;
  try {
    await validate();
  } catch (error) {
    if (!(error instanceof sdk.UnknownValueError)) throw error;
    previewAdvisory = (error as Error).message;
  }
  return {
    violations: findings.filter((f) => f.enforcementLevel !== "advisory"),
    advisories: findings.filter((f) => f.enforcementLevel === "advisory"),
    previewAdvisory,
  };
}

export async function runStackPolicy(
  stackPolicy: StackValidationPolicy,
  records: ResourceRecord[],
  config: Record<string, unknown> = {},
  stack = "test",
): Promise<PolicyRun> {
  const { findings, report } = collector(stackPolicy);
  return collect(findings, () => stackPolicy.validateStack(stackValidationArgs(records, config, stack), report));
}

/** The policy's per-resource call (Analyze) for one record; records before it must have been analyzed already. */
export async function runResourcePolicy(
  resourcePolicy: Pick<ResourceValidationPolicy, "validateResource" | "description" | "enforcementLevel">,
  record: ResourceRecord,
  config: Record<string, unknown> = {},
  stack = "test",
): Promise<PolicyRun> {
  const { findings, report } = collector(resourcePolicy);
  const validate = resourcePolicy.validateResource as (args: ResourceValidationArgs, report: unknown) => unknown;
  return collect(findings, () => validate(resourceValidationArgs(record, config, stack), report));
}
