import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type ConfigIssue, resolveConfig } from "./resolve";
import type { StackConfig } from "./schema";

/**
 * Reads every key in the project's namespace (so unknown keys are seen, not silently ignored) and validates it.
 * A bad value stops the program here, before any resource is registered.
 */
export function readStackConfig(project: string = pulumi.getProject()): StackConfig {
  const prefix = `${project}:`;
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
  }
  try {
    return resolveConfig(project, raw);
  } catch (err) {
    // RunError: the CLI prints the message alone, without a stack trace.
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

/**
 * A config value the program can only judge once it runs (against the region, say), worded like every other config
 * problem (ConfigError; the check command recognises that wording). `namespace` is the key's config namespace.
 */
export function configRunError(namespace: string, issue: ConfigIssue): pulumi.RunError {
  return new pulumi.RunError(new ConfigError(namespace, [issue]).message);
}

/** AWS region names as the AWS provider expects them (e.g. eu-west-1, us-gov-west-1). */
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

export function readRegion(): string {
  const region = new pulumi.Config("aws").get("region");
  if (!region || !REGION_PATTERN.test(region)) {
    throw configRunError("aws", { key: "region", value: region, problem: "expected an AWS region such as eu-west-1 (pulumi config set aws:region eu-west-1)" });
  }
  return region;
}
