// What the per-resource Analyze calls of the current operation received, so that the stack rules judge a resource
// whose provider is not configured by its inputs instead of by the empty state the engine stores for it.
//
// Why the engine needs this (pulumi/pulumi v3.259.0, the newest tag read; the cited code is unchanged on master):
// - pkg/resource/plugin/provider_plugin.go: a provider whose configuration holds unknown values (here the Kubernetes
//   provider, whose kubeconfig is built from the EKS cluster's endpoint and CA, unknown before the cluster exists)
//   is never configured. Then `Check` hands the inputs back unchanged and `Create` with `Preview` returns an empty
//   `CreateResponse{}` (unless PULUMI_LEGACY_PROVIDER_PREVIEW is set).
// - pkg/resource/deploy/step.go, `CreateStep.Apply`: the response's properties become the new state's outputs, and
//   `AnalyzeStack` is sent outputs (deployment_executor.go). So in the first preview of a new stack, or whenever the
//   cluster is replaced, every `kubernetes:*` resource reaches AnalyzeStack with properties `{}`.
// - pkg/resource/deploy/step_generator.go, `analyzeAll`: every registered resource is analyzed with its checked
//   inputs, and the request carries its provider with the provider's inputs (`AnalyzerProviderResource`); the
//   stack request does too (`AnalyzeResources`), its properties marshalled with KeepUnknowns and KeepSecrets
//   (pkg/resource/plugin/analyzer_plugin.go, `marshalProvider`): an unknown kubeconfig arrives as the unknown sentinel.
//   So "my provider is unconfigured" is visible in both calls.
// - One analyzer process serves one operation: pkg/engine/update.go `newUpdateSource` calls `loadPolicyPlugins` once
//   per deployment, on a plugin host `ensureHost` (deployment.go) makes afresh for each operation; that list serves
//   every Remediate and Analyze call and the closing AnalyzeStack (step_generator.go, `AnalyzeResources`, run only
//   after step generation succeeded). `pulumi up` runs its preview and its update as two operations
//   (pkg/backend/apply.go, `PreviewThenPromptThenExecute`), and pkg/host/host.go `PolicyAnalyzer` keys its cache on
//   the options, DryRun included: two processes. So the inputs recorded here are those of the same operation.
//
// Entries are keyed by URN, which names the stack and project: one pack process may serve several stacks (the
// offline check does). A later operation's Analyze call replaces an earlier one's inputs, and each policy forgets
// what it reported on a resource before judging it again; the environment sources of a stack (its profile tags)
// are kept from the first resource analyzed with each tag value.
import { PolicyProviderResource, PolicyResource, ResourceValidationArgs } from "@pulumi/policy";
import { PROFILE_TAG } from "./types";
import { containsUnknownSentinel, isUnknownSentinel, unwrapProxy, UNKNOWN_VALUE_SENTINEL } from "./unknown";

interface AnalyzedResource {
  readonly type: string;
  readonly name: string;
  /** The props as the SDK handed them to validateResource (a proxy that raises the SDK's unknown error). */
  readonly props: Record<string, unknown>;
  /** Messages each policy reported for this resource in its Analyze call, so AnalyzeStack does not repeat them. */
  readonly reported: Map<string, Set<string>>;
}

const analyzed = new Map<string, AnalyzedResource>();

/**
 * Records one Analyze request. The SDK calls validateResource once per policy, each with its own proxy of the same
 * props (@pulumi/policy server.js, makeAnalyzeRpcFun), so the latest wins and what policies reported is kept: each
 * policy forgets its own earlier findings before it judges the resource again (clearReportedInAnalyze).
 */
export function recordAnalyzed(args: ResourceValidationArgs): void {
  const reported = analyzed.get(args.urn)?.reported ?? new Map<string, Set<string>>();
  analyzed.set(args.urn, { type: args.type, name: args.name, props: args.props, reported });
  noteEnvironmentSource(args.urn, args.type, args.props);
}

/** The inputs the current operation's Analyze call received for a resource, as a stack resource would carry them. */
export function analyzedInputs(urn: string): Record<string, unknown> | undefined {
  return analyzed.get(urn)?.props;
}

/** Remembers that a policy reported `message` on `urn` in its Analyze call. */
export function noteReportedInAnalyze(policy: string, urn: string, message: string): void {
  const entry = analyzed.get(urn);
  if (!entry) return;
  const messages = entry.reported.get(policy) ?? new Set<string>();
  messages.add(message);
  entry.reported.set(policy, messages);
}

/** Forgets what a policy reported on a resource, before that policy judges it again. */
export function clearReportedInAnalyze(policy: string, urn: string): void {
  analyzed.get(urn)?.reported.delete(policy);
}

export function reportedInAnalyze(policy: string, urn: string, message: string): boolean {
  return analyzed.get(urn)?.reported.get(policy)?.has(message) ?? false;
}

/**
 * True when the engine never configured this provider: an input other than `version` holds an unknown value
 * (provider_plugin.go, `Configure`: "If any are unknown, do not configure the underlying plugin").
 */
export function providerUnconfigured(provider: PolicyProviderResource | undefined): boolean {
  if (provider === undefined) return false;
  const inputs = unwrapProxy(provider.props) as Record<string, unknown>;
  return Object.entries(inputs ?? {}).some(([key, value]) => key !== "version" && containsUnknownSentinel(value));
}

/** The stack as the rules should judge it, and the resources that stay unknown as a whole. */
export interface AnalyzedStack {
  readonly resources: PolicyResource[];
  /** Resources of an unconfigured provider that no Analyze call of this operation described. */
  readonly unknownAsAWhole: PolicyResource[];
}

/**
 * A resource of an unconfigured provider carries the inputs its Analyze call received in this operation. One with no
 * such call (the engine analyzes every resource before AnalyzeStack, so only a foreign caller gets here) is unknown
 * as a whole: never "absent", since its empty state says nothing about what it will hold.
 */
export function withAnalyzedInputs(resources: ReadonlyArray<PolicyResource>): AnalyzedStack {
  const unknownAsAWhole: PolicyResource[] = [];
  const judged = resources.map((resource) => {
    if (!providerUnconfigured(resource.provider)) return resource;
    const inputs = analyzedInputs(resource.urn);
    if (inputs) return { ...resource, props: inputs as PolicyResource["props"] };
    unknownAsAWhole.push(resource);
    return { ...resource, props: UNKNOWN_VALUE_SENTINEL as unknown as PolicyResource["props"] };
  });
  return { resources: judged, unknownAsAWhole };
}

/**
 * The resources a per-resource judgement of `current` sees: the resource itself and, for the stack's environment, the
 * first AWS resource of the same stack analyzed with each distinct profile tag (AWS resources register first).
 */
export function analyzedContext(current: PolicyResource): PolicyResource[] {
  const sources = environmentSources.get(stackOf(current.urn)) ?? new Map<string, string>();
  const context: PolicyResource[] = [current];
  for (const [tag, urn] of sources) {
    const entry = analyzed.get(urn);
    // Only the type and the tag: the rest of that resource is not what a per-resource judgement may read.
    if (urn !== current.urn && entry)
      context.push(asPolicyResource(urn, { ...entry, props: { tags: { [PROFILE_TAG]: tag } } }));
  }
  return context;
}

/** The stack and project part of a URN ("urn:pulumi:<stack>::<project>"). */
function stackOf(urn: string): string {
  return urn.split("::").slice(0, 2).join("::");
}

/** Per stack: profile tag value -> the first AWS resource analyzed with it. */
const environmentSources = new Map<string, Map<string, string>>();

function noteEnvironmentSource(urn: string, type: string, props: Record<string, unknown>): void {
  if (!type.startsWith("aws:")) return;
  const plain = unwrapProxy(props) as Record<string, unknown>;
  for (const key of ["tags", "tagsAll"]) {
    const tags = plain[key] as Record<string, unknown> | undefined;
    const value = tags && typeof tags === "object" ? tags[PROFILE_TAG] : undefined;
    if (typeof value !== "string" || isUnknownSentinel(value)) continue;
    const sources = environmentSources.get(stackOf(urn)) ?? new Map<string, string>();
    if (!sources.has(value)) sources.set(value, urn);
    environmentSources.set(stackOf(urn), sources);
  }
}

function asPolicyResource(urn: string, entry: AnalyzedResource): PolicyResource {
  return {
    urn,
    type: entry.type,
    name: entry.name,
    props: entry.props as PolicyResource["props"],
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  } as unknown as PolicyResource;
}
