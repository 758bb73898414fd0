/**
 * Runs a policy pack over a captured stack in the engine's order (pkg/resource/deploy/step_generator.go and
 * deployment_executor.go): ConfigureStack, GetAnalyzerInfo, Configure; then for every registered resource, in
 * registration order, Remediate (when some policy is set to remediate) and Analyze on the remediated inputs; and at
 * the end AnalyzeStack over every resource's outputs with parents, dependencies and property dependencies.
 *
 * Engine rules applied to the results: a `remediate`-level diagnostic counts as mandatory; Analyze diagnostics are
 * attributed to the analyzed resource; a stack diagnostic naming no known resource is attributed to the root stack;
 * a remediation that could not run becomes an advisory diagnostic. In an update (not a preview), the engine stops at
 * the first resource with a mandatory violation and never runs AnalyzeStack; `halted` reports where.
 */
import type { CapturedResource, CapturedStack } from "./capture-types";
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

/** "urn::id" -> urn (a provider reference's URN part; URNs contain "::" themselves). */
function providerUrnOf(reference: string): string {
  return reference.slice(0, reference.lastIndexOf("::"));
}

function optionsOf(resource: CapturedResource): AnalyzerResourceOptionsInput {
  return { ...resource.options, parent: resource.parent };
}

/**
 * After a remediation the engine creates the resource from the remediated inputs, so its state reflects them. The
 * mocks answered for the original inputs; overlaying the remediated inputs on those outputs is the closest the
 * harness can get (outputs derived from a changed input are not recomputed).
 */
function outputsAfterRemediation(outputs: WireProperties, before: WireProperties, after: WireProperties): WireProperties {
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

export async function runPolicies(
  pack: PolicyPackClient,
  captured: CapturedStack,
  options: PolicyRunOptions = {},
): Promise<PolicyRunResult> {
  if (captured.error) {
    throw new Error(
      `the program for stack ${captured.stack} failed (${captured.error.message}); the engine would not finish the ` +
        "deployment, so policies are not run",
    );
  }
  const dryRun = captured.preview;
  await pack.configureStack({
    project: captured.project,
    stack: captured.stack,
    organization: options.organization,
    dryRun,
    tags: options.stackTags,
    config: captured.config,
    configSecretKeys: captured.secretKeys,
  });
  await pack.getAnalyzerInfo();
  const policyConfig = await pack.configure(options.policyConfig);
  const anyRemediation = Object.values(policyConfig).some((entry) => entry.enforcementLevel === "remediate");

  const byUrn = new Map(captured.resources.map((resource) => [resource.urn, resource]));
  const providerOf = (resource: CapturedResource): AnalyzerProviderInput | undefined => {
    const provider = resource.provider ? byUrn.get(providerUrnOf(resource.provider)) : undefined;
    return provider && { urn: provider.urn, type: provider.type, name: provider.name, properties: provider.inputs };
  };

  const diagnostics: PolicyRunDiagnostic[] = [];
  const remediations: AppliedRemediation[] = [];
  const finalOutputs = new Map<string, WireProperties>();

  for (const resource of captured.resources) {
    // Reads are not analyzed one by one (the engine analyzes registrations only), but AnalyzeStack sees them.
    if (resource.read) {
      continue;
    }
    let inputs = resource.inputs;
    const base = { urn: resource.urn, type: resource.type, name: resource.name, options: optionsOf(resource), provider: providerOf(resource) };
    if (anyRemediation) {
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
      if (inputs !== resource.inputs) {
        finalOutputs.set(resource.urn, outputsAfterRemediation(resource.outputs, resource.inputs, inputs));
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
    if (!dryRun && found.some((d) => d.enforcementLevel === "mandatory")) {
      return { dryRun, diagnostics, remediations, policyConfig, failed: true, halted: { urn: resource.urn } };
    }
  }

  const stackResult = await pack.analyzeStack(
    captured.resources.map((resource) => ({
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
