/**
 * Types the analyzer client exposes: what a policy pack reports about itself and what it returns, in the shape the
 * engine converts them to (pkg/resource/plugin/analyzer_plugin.go).
 */
import type { WireProperties } from "./wire";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export type PolicySeverity = "low" | "medium" | "high" | "critical";

/** A JSON schema, as a policy's `configSchema.properties` entries are. */
export type JsonSchema = Record<string, unknown>;

export interface PolicyConfigSchema {
  properties: Record<string, JsonSchema>;
  required?: string[];
}

export interface PolicyInfo {
  name: string;
  displayName?: string;
  description: string;
  /** The policy's own level, or the pack's when the policy sets none. */
  enforcementLevel: EnforcementLevel;
  type: "resource" | "stack" | "unknown";
  severity?: PolicySeverity;
  /** The policy's upstream reference (PolicyInfo.url). */
  url?: string;
  /**
   * Present when the pack supports config. As the engine does, an `enforcementLevel` property is injected into
   * every schema (pkg/resource/plugin/analyzer_plugin.go, GetAnalyzerInfo).
   */
  configSchema?: PolicyConfigSchema;
  tags: string[];
}

/** One policy's settings as sent in Configure: its level plus its config properties. */
export interface PolicyConfigEntry {
  enforcementLevel?: EnforcementLevel;
  properties?: Record<string, unknown>;
}

export interface AnalyzerInfo {
  name: string;
  displayName?: string;
  version: string;
  description?: string;
  supportsConfig: boolean;
  /** Sorted by name, as the engine sorts them. */
  policies: PolicyInfo[];
  /** Config the pack was constructed with (`new PolicyPack(name, args, initialConfig)`). */
  initialConfig: Record<string, PolicyConfigEntry>;
}

/**
 * A `--policy-pack-config` file's content: per policy (or "all") either an enforcement level or an object with an
 * optional `enforcementLevel` and the policy's config properties.
 */
export type PolicyPackUserConfig = Record<string, EnforcementLevel | string | Record<string, unknown>>;

export interface PolicyDiagnostic {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  /** As reported; `remediate` never appears after `runPolicies`, which applies the engine's downgrade. */
  enforcementLevel: EnforcementLevel;
  /** For a violation reported with a string: the policy description, a newline, then the string. */
  message: string;
  description: string;
  /** The resource the violation is about (empty if the pack named none and the caller did not resolve it). */
  urn: string;
  severity?: PolicySeverity;
}

export interface PolicyNotApplicable {
  policyName: string;
  reason: string;
}

export interface RemediationResult {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  description: string;
  /** The remediated properties (wire format), or undefined when the remediation only reported a diagnostic. */
  properties?: WireProperties;
  /** Set when the remediation could not run, e.g. "can't run remediation ... during preview". */
  diagnostic?: string;
}

export interface AnalyzeResult {
  diagnostics: PolicyDiagnostic[];
  notApplicable: PolicyNotApplicable[];
}

export interface RemediateResult {
  remediations: RemediationResult[];
  notApplicable: PolicyNotApplicable[];
}

export interface AnalyzerProviderInput {
  urn: string;
  type: string;
  name: string;
  properties: WireProperties;
}

export interface AnalyzerResourceOptionsInput {
  protect?: boolean;
  ignoreChanges?: string[];
  deleteBeforeReplace?: boolean;
  additionalSecretOutputs?: string[];
  aliases?: string[];
  /** Seconds. */
  customTimeouts?: { create?: number; update?: number; delete?: number; read?: number };
  parent?: string;
}

/** A resource as Analyze and Remediate receive it: its inputs. */
export interface AnalyzerResourceInput {
  urn: string;
  type: string;
  name: string;
  properties: WireProperties;
  options?: AnalyzerResourceOptionsInput;
  provider?: AnalyzerProviderInput;
}

/** A resource as AnalyzeStack receives it: its outputs, plus its place in the graph. */
export interface AnalyzerStackResourceInput extends AnalyzerResourceInput {
  parent?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
}

/** What ConfigureStack carries (the engine sends it before anything else). */
export interface StackInfo {
  project: string;
  stack: string;
  organization?: string;
  dryRun: boolean;
  tags?: Record<string, string>;
  config?: Record<string, string>;
  configSecretKeys?: string[];
}
