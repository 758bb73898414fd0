// Runs a stack policy's validateStack the way @pulumi/policy's AnalyzeStack does (props behind the SDK's
// unknown-checking proxy, parent/dependencies/property dependencies as resource objects), from plain records.
import * as policy from "@pulumi/policy";
import { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

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
}

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:test::observability-stack::${type}::${name}`;
}

export function stackValidationArgs(records: ResourceRecord[], config: Record<string, unknown> = {}): StackValidationArgs {
    const byName = new Map<string, PolicyResource>();
    const resources: PolicyResource[] = records.map((record) => {
        const props = sdk.unknownCheckingProxy(structuredClone(record.props));
        const resource: PolicyResource = {
            type: record.type,
            name: record.name,
            urn: urnOf(record.type, record.name),
            props,
            opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        };
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

export async function runStackPolicy(stackPolicy: StackValidationPolicy, records: ResourceRecord[], config: Record<string, unknown> = {}): Promise<PolicyRun> {
    const findings: Finding[] = [];
    const level = String(stackPolicy.enforcementLevel);
    const report = (message: unknown, urn?: string) => {
        if (typeof message === "string") {
            findings.push({ message, urn, enforcementLevel: level });
        } else {
            const info = message as { message: string; urn?: string; enforcementLevel?: string };
            const prefix = `${stackPolicy.description}\n`;
            findings.push({
                message: info.message.startsWith(prefix) ? info.message.slice(prefix.length) : info.message,
                urn: info.urn,
                enforcementLevel: info.enforcementLevel ?? level,
            });
        }
    };
    let previewAdvisory: string | undefined;
    try {
        await stackPolicy.validateStack(stackValidationArgs(records, config), report);
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
