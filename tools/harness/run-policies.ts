/**
 * Runs a policy pack over a captured stack in the engine's order (pulumi/pulumi v3.259.0,
 * pkg/resource/deploy/step_generator.go and deployment_executor.go): ConfigureStack, GetAnalyzerInfo, Configure; then
 * for every registered resource but reads (providers and components included), in registration order, Remediate
 * (always: `continueStepsFromImport` calls every analyzer's Remediate, whether or not a policy remediates) and Analyze
 * on the remediated, checked inputs, each with the resource's provider and that provider's inputs (`analyzeAll`).
 * Here "checked" is the registered inputs: exact for an unconfigured provider, whose `Check` returns them unchanged
 * (provider_plugin.go), an approximation for a configured one, whose `Check` may add defaults (pulumi-kubernetes
 * fills a Helm release's namespace and timeout) that the harness does not model;
 * and at the end AnalyzeStack over every resource's outputs with parents, dependencies, property dependencies and
 * provider (`AnalyzeResources`). AnalyzeStack's order is not guaranteed (the engine ranges over a sync.Map), so
 * `shuffleSeed` lets a test send it in another order.
 *
 * Engine rules applied to the results: a `remediate`-level diagnostic counts as mandatory; Analyze diagnostics are
 * attributed to the analyzed resource; a stack diagnostic naming no known resource is attributed to the root stack;
 * a remediation that could not run becomes an advisory diagnostic. In an update (not a preview), the engine stops at
 * the first resource with a mandatory violation and never runs AnalyzeStack; `halted` reports where
 * (pulumi/pulumi pkg/resource/deploy/analyze_snapshot.go analyzeResource: a mandatory diagnostic sets `invalid` only when
 * `!dryRun`; step_generator.go then returns BailErrorf("resource %s is invalid"), so AnalyzeResources is never reached).
 *
 * One difference in timing, none in results: the engine makes the per-resource calls one at a time, as it
 * processes registrations; here they are all sent at once and their answers read in registration order, which took
 * the Analyze phase of a 138-resource stack from ~155 ms to ~60 ms on a 2-core machine (a round trip between two
 * processes per call was most of it). Each Remediate/Analyze answer depends on its own request only. In an update
 * that halts, the answers for resources after the halt are dropped unread, as the engine would never have asked.
 */
import type { CapturedResource, CapturedStack } from "./capture-types";
import { providerUrnOf } from "./engine-identity";
import type { PolicyPackClient } from "./analyzer";
import type {
  AnalyzerProviderInput,
  AnalyzerResourceOptionsInput,
  EnforcementLevel,
  PolicyConfigEntry,
  PolicyDiagnostic,
  PolicyPackUserConfig,
} from "./policy-types";
import type { WireProperties } from "./wire";

export interface PolicyRunOptions {
  /** The `--policy-pack-config` file's content. */
  policyConfig?: PolicyPackUserConfig;
  /** Stack tags, which policies read as `args.stackTags`. */
  stackTags?: Record<string, string>;
  organization?: string;
  /** Send AnalyzeStack's resources in a seeded random order instead of registration order. */
  shuffleSeed?: number;
}

export interface PolicyRunDiagnostic extends PolicyDiagnostic {
  /** Which call produced it. */
  phase: "remediate" | "analyze" | "analyzeStack";
}

export interface AppliedRemediation {
  urn: string;
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  description: string;
  before: WireProperties;
  after: WireProperties;
}

export interface PolicyRunResult {
  dryRun: boolean;
  diagnostics: PolicyRunDiagnostic[];
  remediations: AppliedRemediation[];
  /** The config sent with Configure (defaults filled in). */
  policyConfig: Record<string, PolicyConfigEntry>;
  /** Whether the engine would fail the preview or update: any mandatory diagnostic. */
  failed: boolean;
  /** Update only: where the engine would have stopped (it never gets to AnalyzeStack then). */
  halted?: { urn: string };
}

/** Registration order, or a seeded Fisher-Yates shuffle of it (mulberry32), as the engine promises no order. */
function inStackOrder<T>(items: readonly T[], seed: number | undefined): T[] {
  const result = [...items];
  if (seed === undefined) return result;
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}

function optionsOf(resource: CapturedResource): AnalyzerResourceOptionsInput {
  return { ...resource.options, parent: resource.parent };
}

/**
 * After a remediation the engine creates the resource from the remediated inputs, so its state reflects them. The
 * mocks answered for the original inputs; overlaying the remediated inputs on those outputs is the closest the
 * harness can get (outputs derived from a changed input are not recomputed).
 */
function outputsAfterRemediation(
  outputs: WireProperties,
  before: WireProperties,
  after: WireProperties,
): WireProperties {
  const result: WireProperties = { ...outputs };
  for (const key of Object.keys(before)) {
    if (!(key in after)) {
      delete result[key];
    }
  }
  return { ...result, ...after };
}

/** The engine never reports `remediate` as a violation level: a remediated resource still violating is mandatory. */
function engineLevel(level: EnforcementLevel): EnforcementLevel {
  return level === "remediate" ? "mandatory" : level;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise that never rejects, so that answers not awaited yet (or never, after a halt) are not unhandled. */
function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

interface ResourceAnalysis {
  resource: CapturedResource;
  /** Remediate's advisory diagnostics, then Analyze's. */
  diagnostics: PolicyRunDiagnostic[];
  /** Analyze's diagnostics alone (the ones that halt an update). */
  found: PolicyRunDiagnostic[];
  remediations: AppliedRemediation[];
  remediatedOutputs?: WireProperties;
}

/** Remediate (always, as the engine calls it) then Analyze on the remediated inputs, for one registered resource. */
async function analyzeResource(
  pack: PolicyPackClient,
  resource: CapturedResource,
  provider: AnalyzerProviderInput | undefined,
): Promise<ResourceAnalysis> {
  const diagnostics: PolicyRunDiagnostic[] = [];
  const remediations: AppliedRemediation[] = [];
  let inputs = resource.inputs;
  const base = { urn: resource.urn, type: resource.type, name: resource.name, options: optionsOf(resource), provider };
  const result = await pack.remediate({ ...base, properties: inputs });
  for (const remediation of result.remediations) {
    if (remediation.diagnostic) {
      diagnostics.push({
        policyName: remediation.policyName,
        policyPackName: remediation.policyPackName,
        policyPackVersion: remediation.policyPackVersion,
        description: remediation.description,
        message: remediation.diagnostic,
        enforcementLevel: "advisory",
        urn: resource.urn,
        phase: "remediate",
      });
    } else if (remediation.properties) {
      remediations.push({
        urn: resource.urn,
        policyName: remediation.policyName,
        policyPackName: remediation.policyPackName,
        policyPackVersion: remediation.policyPackVersion,
        description: remediation.description,
        before: inputs,
        after: remediation.properties,
      });
      inputs = remediation.properties;
    }
  }
  const analyzed = await pack.analyze({ ...base, properties: inputs });
  const found = analyzed.diagnostics.map((d) => ({
    ...d,
    enforcementLevel: engineLevel(d.enforcementLevel),
    urn: resource.urn,
    phase: "analyze" as const,
  }));
  diagnostics.push(...found);
  const remediatedOutputs =
    inputs !== resource.inputs ? outputsAfterRemediation(resource.outputs, resource.inputs, inputs) : undefined;
  return { resource, diagnostics, found, remediations, remediatedOutputs };
}

/** What ConfigureStack tells the pack about the stack; known before the program runs. */
export interface PolicyStack {
  project: string;
  stack: string;
  /** The preview flag: true for `pulumi preview`. */
  preview: boolean;
  config: Record<string, string>;
  secretKeys: string[];
}

/** The pack, configured for one stack: what `analyzeStackPolicies` needs. */
export interface ConfiguredPolicies {
  stack: PolicyStack;
  policyConfig: Record<string, PolicyConfigEntry>;
}

/**
 * The engine's first three calls for a stack: ConfigureStack, GetAnalyzerInfo, Configure. They depend on the stack's
 * settings only, so a caller may make them while the program still runs (the engine makes them before it runs).
 */
export async function configurePolicies(
  pack: PolicyPackClient,
  stack: PolicyStack,
  options: PolicyRunOptions = {},
): Promise<ConfiguredPolicies> {
  await pack.configureStack({
    project: stack.project,
    stack: stack.stack,
    organization: options.organization,
    dryRun: stack.preview,
    tags: options.stackTags,
    config: stack.config,
    configSecretKeys: stack.secretKeys,
  });
  await pack.getAnalyzerInfo();
  return { stack, policyConfig: await pack.configure(options.policyConfig) };
}

export async function runPolicies(
  pack: PolicyPackClient,
  captured: CapturedStack,
  options: PolicyRunOptions = {},
): Promise<PolicyRunResult> {
  refuseFailedProgram(captured);
  return analyzeStackPolicies(pack, await configurePolicies(pack, captured, options), captured, options);
}

function refuseFailedProgram(captured: CapturedStack): void {
  if (captured.error) {
    throw new Error(
      `the program for stack ${captured.stack} failed (${captured.error.message}); the engine would not finish the ` +
        "deployment, so policies are not run",
    );
  }
}

/** Remediate and Analyze per resource, then AnalyzeStack, on a pack `configurePolicies` configured for this stack. */
export async function analyzeStackPolicies(
  pack: PolicyPackClient,
  configured: ConfiguredPolicies,
  captured: CapturedStack,
  order: Pick<PolicyRunOptions, "shuffleSeed"> = {},
): Promise<PolicyRunResult> {
  refuseFailedProgram(captured);
  if (configured.stack.stack !== captured.stack || configured.stack.preview !== captured.preview) {
    throw new Error(
      `the pack was configured for stack ${configured.stack.stack}, not for the captured stack ${captured.stack}`,
    );
  }
  const dryRun = captured.preview;
  const policyConfig = configured.policyConfig;

  const byUrn = new Map(captured.resources.map((resource) => [resource.urn, resource]));
  const providerOf = (resource: CapturedResource): AnalyzerProviderInput | undefined => {
    const provider = resource.provider ? byUrn.get(providerUrnOf(resource.provider)) : undefined;
    return provider && { urn: provider.urn, type: provider.type, name: provider.name, properties: provider.inputs };
  };

  // Every resource's calls are sent at once and their answers taken in registration order (see the module comment).
  const perResource = captured.resources
    .filter((resource) => !resource.read)
    .map((resource) => settled(analyzeResource(pack, resource, providerOf(resource))));
  const diagnostics: PolicyRunDiagnostic[] = [];
  const remediations: AppliedRemediation[] = [];
  const finalOutputs = new Map<string, WireProperties>();
  for (const pending of perResource) {
    const outcome = await pending;
    if (!outcome.ok) {
      throw outcome.error;
    }
    const { resource, found } = outcome.value;
    diagnostics.push(...outcome.value.diagnostics);
    remediations.push(...outcome.value.remediations);
    if (outcome.value.remediatedOutputs) {
      finalOutputs.set(resource.urn, outcome.value.remediatedOutputs);
    }
    if (!dryRun && found.some((d) => d.enforcementLevel === "mandatory")) {
      return { dryRun, diagnostics, remediations, policyConfig, failed: true, halted: { urn: resource.urn } };
    }
  }

  const stackResult = await pack.analyzeStack(
    inStackOrder(captured.resources, order.shuffleSeed).map((resource) => ({
      urn: resource.urn,
      type: resource.type,
      name: resource.name,
      properties: finalOutputs.get(resource.urn) ?? resource.outputs,
      options: optionsOf(resource),
      provider: providerOf(resource),
      parent: resource.parent,
      dependencies: resource.dependencies,
      propertyDependencies: resource.propertyDependencies,
    })),
  );
  for (const d of stackResult.diagnostics) {
    diagnostics.push({
      ...d,
      enforcementLevel: engineLevel(d.enforcementLevel),
      // resolveStackPolicyViolationURN (analyze_snapshot.go): the named resource if it exists, else the root stack.
      urn: byUrn.has(d.urn) ? d.urn : captured.rootStackUrn,
      phase: "analyzeStack",
    });
  }
  return {
    dryRun,
    diagnostics,
    remediations,
    policyConfig,
    failed: diagnostics.some((d) => d.enforcementLevel === "mandatory"),
  };
}
