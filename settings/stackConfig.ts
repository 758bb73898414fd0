import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as awsConfig from "@pulumi/aws/config";
import { closest, ConfigError, type ConfigIssue, resolveConfig } from "./resolve";
import type { StackConfig } from "./schema";

/**
 * Reads every key in the project's namespace (so unknown keys are seen, not silently ignored) and validates it.
 * A bad value stops the program here, before any resource is registered.
 */
export function readStackConfig(project: string = pulumi.getProject()): StackConfig {
  const prefix = `${project}:`;
  const raw: Record<string, string> = {};
  const all = pulumi.runtime.allConfig();
  for (const [key, value] of Object.entries(all)) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
  }
  for (const warning of configKeyWarnings(Object.keys(all), project)) pulumi.log.warn(warning);
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

/**
 * An explicit network.availabilityZones list judged against the region: every name must start with the region and be
 * one of the zones EC2 offers this account there (`offered`: DescribeAvailabilityZones through
 * aws.getAvailabilityZones, which lists the zones of the caller's account in the provider's region). EC2 CreateSubnet
 * refuses any other AvailabilityZone ("InvalidParameterValue: Value (eu-west-1d) for parameter availabilityZone is
 * invalid", EC2 API reference CreateSubnet), so the VPC's subnets, the EKS cluster on them and everything after are
 * never created. A zone letter valid in one region is not in another (eu-west-1 has a, b and c; us-east-1 up to f, and older accounts see a different set there, hence the live list):
 * lists copied between stacks go wrong this way.
 */
export function availabilityZonesIssue(
  wanted: readonly string[],
  region: string,
  offered?: readonly string[],
): ConfigIssue | undefined {
  const foreign = wanted.filter((az) => !az.startsWith(region));
  if (foreign.length > 0)
    return {
      key: "network.availabilityZones",
      value: wanted,
      problem: `${foreign.join(", ")} not in aws:region ${region}`,
    };
  if (offered === undefined) return undefined;
  const missing = wanted.filter((az) => !offered.includes(az));
  if (missing.length === 0) return undefined;
  return {
    key: "network.availabilityZones",
    value: wanted,
    problem:
      `${missing.join(", ")} ${missing.length > 1 ? "are not availability zones" : "is not an availability zone"} of ${region} ` +
      `(EC2 DescribeAvailabilityZones offers this account ${offered.join(", ")}, and CreateSubnet refuses any other): ` +
      `name zones from that list, or give a count (e.g. ${wanted.length}) to let the program pick them`,
  };
}

/** The regions the pinned AWS provider knows (its Region enum, @pulumi/aws types/enums): a typo is refused here. */
export const AWS_REGIONS: readonly string[] = Object.values(aws.Region);

export function readRegion(): string {
  const region = new pulumi.Config("aws").get("region");
  if (!region || !AWS_REGIONS.includes(region)) {
    const near = region ? closest(region, AWS_REGIONS) : undefined;
    throw configRunError("aws", {
      key: "region",
      value: region,
      problem: `expected an AWS region such as eu-west-1${near ? ` (did you mean ${near}?)` : ""} (pulumi config set aws:region eu-west-1); the AWS provider knows ${AWS_REGIONS.join(", ")}`,
    });
  }
  return region;
}

/** The AWS provider's settings (the names @pulumi/aws/config exports; its require* helpers are not settings). */
const AWS_CONFIG_KEYS = Object.keys(awsConfig).filter((key) => !key.startsWith("require"));
/** Namespaces that configure the engine itself, not a provider (Pulumi docs, "Configuration"). */
const ENGINE_NAMESPACES = ["pulumi"];

/**
 * Keys no part of this program reads: an AWS setting the provider does not have (a typo of aws:region, say) or a
 * namespace no provider here reads (the Kubernetes provider is explicit, configured from the cluster, so
 * kubernetes:* keys are ignored too). Warned, not refused: another tool may read them from the same stack file.
 */
export function configKeyWarnings(keys: readonly string[], project: string): string[] {
  const warnings: string[] = [];
  for (const key of keys) {
    const colon = key.indexOf(":");
    const [namespace, name] = colon < 0 ? ["", key] : [key.slice(0, colon), key.slice(colon + 1)];
    if (namespace === project || ENGINE_NAMESPACES.includes(namespace)) continue;
    if (namespace === "aws") {
      if (AWS_CONFIG_KEYS.includes(name)) continue;
      const near = closest(name, AWS_CONFIG_KEYS);
      warnings.push(
        `config key ${key} is not a setting of the AWS provider${near ? `: did you mean aws:${near}?` : ""} (it is ignored)`,
      );
      continue;
    }
    const nearNamespace = closest(namespace, ["aws", project]);
    warnings.push(
      `config key ${key} is read by nothing in this program${nearNamespace ? `: did you mean ${nearNamespace}:${name}?` : ""} ` +
        `(it reads ${project}:* and aws:*; its Kubernetes provider is configured from the cluster, not from kubernetes:*)`,
    );
  }
  return warnings;
}
