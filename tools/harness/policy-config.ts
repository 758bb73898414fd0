/**
 * The engine's handling of policy pack config, as pure functions: parsing a `--policy-pack-config` file, filling
 * each policy's defaults from its config schema, applying the `all` key, and validating the result
 * (pkg/resource/analyzer/config.go: parsePolicyPackConfig, extractEnforcementLevel, createConfigWithDefaults,
 * applyConfig, ReconcilePolicyPackConfig; messages are the engine's).
 */
import { isPlainObject } from "../../policies/model";
import { validateJsonSchema } from "./json-schema";
import {
  ENFORCEMENT_LEVELS,
  type EnforcementLevel,
  type PolicyConfigEntry,
  type PolicyInfo,
  type PolicyPackUserConfig,
} from "./policy-types";

function isEnforcementLevel(value: unknown): value is EnforcementLevel {
  return typeof value === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(value);
}

/** Thrown when a config file cannot be parsed, before the pack is involved. */
export class PolicyConfigParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PolicyConfigParseError";
  }
}

/** Parses a `--policy-pack-config` file's content into per-policy entries, skipping empty ones. */
export function parsePolicyPackConfig(userConfig: PolicyPackUserConfig): Record<string, PolicyConfigEntry> {
  const result: Record<string, PolicyConfigEntry> = {};
  for (const [key, value] of Object.entries(userConfig)) {
    if (key === "environments") {
      // The engine resolves this key through Pulumi ESC, which needs the service.
      throw new PolicyConfigParseError(`"environments" (Pulumi ESC environments) cannot be resolved offline`);
    }
    let enforcementLevel: EnforcementLevel | undefined;
    let properties: Record<string, unknown> | undefined;
    if (typeof value === "string") {
      if (!isEnforcementLevel(value)) {
        throw new PolicyConfigParseError(
          `parsing enforcement level for "${key}": "${value}" is not a valid enforcement level`,
        );
      }
      enforcementLevel = value;
    } else if (isPlainObject(value)) {
      const { enforcementLevel: level, ...rest } = value;
      if (level !== undefined) {
        if (typeof level !== "string") {
          throw new PolicyConfigParseError(
            `parsing enforcement level for "${key}": ${JSON.stringify(level)} is not a valid enforcement level; must be a string`,
          );
        }
        if (!isEnforcementLevel(level)) {
          throw new PolicyConfigParseError(
            `parsing enforcement level for "${key}": "${level}" is not a valid enforcement level`,
          );
        }
        enforcementLevel = level;
      }
      properties = Object.keys(rest).length > 0 ? rest : undefined;
    } else {
      throw new PolicyConfigParseError(
        `parsing "${key}": ${JSON.stringify(value)} is not a valid value; must be a string or object`,
      );
    }
    if (enforcementLevel === undefined && properties === undefined) {
      continue;
    }
    result[key] = { enforcementLevel, properties };
  }
  return result;
}

/** Every policy at its own level with its schema defaults. */
function configWithDefaults(policies: readonly PolicyInfo[]): Record<string, PolicyConfigEntry> {
  const result: Record<string, PolicyConfigEntry> = {};
  for (const policy of policies) {
    let properties: Record<string, unknown> | undefined;
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
      if ("default" in schema) {
        properties = { ...properties, [key]: schema.default };
      }
    }
    result[policy.name] = { enforcementLevel: policy.enforcementLevel, properties };
  }
  return result;
}

/** `all` sets every policy's level first; then each named entry overrides level and merges properties. */
function applyConfig(
  base: Record<string, PolicyConfigEntry>,
  overrides: Record<string, PolicyConfigEntry>,
): Record<string, PolicyConfigEntry> {
  const result: Record<string, PolicyConfigEntry> = { ...base };
  const all = overrides.all?.enforcementLevel;
  if (all) {
    for (const [name, entry] of Object.entries(result)) {
      result[name] = { ...entry, enforcementLevel: all };
    }
  }
  // Note the engine also keeps "all" (and any unknown name) as an entry of its own; the pack ignores such entries.
  for (const [name, given] of Object.entries(overrides)) {
    const current = result[name] ?? {};
    const hasProperties = given.properties !== undefined && Object.keys(given.properties).length > 0;
    result[name] = {
      enforcementLevel: given.enforcementLevel ?? current.enforcementLevel,
      properties: hasProperties ? { ...current.properties, ...given.properties } : current.properties,
    };
  }
  return result;
}

export interface ReconciledPolicyConfig {
  /** What Configure receives: every policy (and any extra key given), with its level and properties. */
  config: Record<string, PolicyConfigEntry>;
  /** "<policy>: <schema error>", empty when valid. */
  errors: string[];
}

export function reconcilePolicyPackConfig(
  policies: readonly PolicyInfo[],
  initialConfig: Record<string, PolicyConfigEntry>,
  userConfig: Record<string, PolicyConfigEntry>,
): ReconciledPolicyConfig {
  const config = applyConfig(applyConfig(configWithDefaults(policies), initialConfig), userConfig);
  const errors: string[] = [];
  for (const policy of policies) {
    if (!policy.configSchema) {
      continue;
    }
    // convertSchema: the policy's properties/required wrapped as an object schema.
    const schema: Record<string, unknown> = { type: "object" };
    if (Object.keys(policy.configSchema.properties).length > 0) {
      schema.properties = policy.configSchema.properties;
    }
    if (policy.configSchema.required && policy.configSchema.required.length > 0) {
      schema.required = policy.configSchema.required;
    }
    for (const message of validateJsonSchema(schema, config[policy.name]?.properties ?? {})) {
      errors.push(`${policy.name}: ${message}`);
    }
  }
  return { config, errors };
}
