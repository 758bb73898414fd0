/**
 * How the engine names things, as pure functions: URNs, default providers and the config a default provider gets.
 * The SDK's MockMonitor gets URNs wrong for children of the root stack and for grandchildren, and registers no
 * default providers at all; policies see both, so the harness computes them the engine's way.
 */
import { secret, type WireProperties } from "./wire";

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

/** The `<parent types>$<type>` segment of a URN. */
export function qualifiedTypeOf(urn: string): string {
  const parts = urn.split("::");
  if (parts.length < 4 || !urn.startsWith("urn:pulumi:")) {
    throw new Error(`"${urn}" is not a URN of the form urn:pulumi:<stack>::<project>::<type>::<name>`);
  }
  return parts[2];
}

/**
 * The engine's URN for a new resource: the parent's full qualified type is prefixed, except when the parent is the
 * root stack (pkg/resource/deploy/deployment.go, generateURN; sdk/go/common/resource/urn.go, NewURN).
 */
export function engineUrn(
  stack: string,
  project: string,
  parentUrn: string | undefined,
  type: string,
  name: string,
): string {
  let qualifiedType = type;
  if (parentUrn) {
    const parentType = qualifiedTypeOf(parentUrn);
    if (parentType !== ROOT_STACK_TYPE) {
      qualifiedType = `${parentType}$${type}`;
    }
  }
  return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}

export function rootStackUrn(stack: string, project: string): string {
  // The Node SDK names the root stack "<project>-<stack>" (@pulumi/pulumi runtime/stack.js, Stack constructor).
  return engineUrn(stack, project, undefined, ROOT_STACK_TYPE, `${project}-${stack}`);
}

export function isProviderType(type: string): boolean {
  return type.startsWith(PROVIDER_TYPE_PREFIX);
}

/** "aws:s3/bucket:Bucket" -> "aws". */
export function packageOf(type: string): string {
  return type.split(":")[0];
}

/**
 * The default provider's name: "default" plus the version's parts joined by "_", e.g. "default_7_48_0"
 * (pkg/resource/deploy/providers/provider.go, ProviderRequest.DefaultName).
 */
export function defaultProviderName(version: string | undefined): string {
  if (!version) {
    return "default";
  }
  const semver = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(version);
  if (!semver) {
    throw new Error(`package version "${version}" is not a semantic version (major.minor.patch[-pre][+build])`);
  }
  const [, major, minor, patch, pre, build] = semver;
  const suffixes = [...(pre ? pre.split(".") : []), ...(build ? build.split(".") : [])];
  return ["default", major, minor, patch, ...suffixes].join("_");
}

export function defaultProviderUrn(stack: string, project: string, pkg: string, version: string | undefined): string {
  // Default providers have no parent (default_providers.go, newRegisterDefaultProviderEvent: Parent "").
  return engineUrn(stack, project, undefined, `${PROVIDER_TYPE_PREFIX}${pkg}`, defaultProviderName(version));
}

/**
 * A default provider's inputs: every config key in the package's namespace, without the namespace, secrets kept
 * secret, plus "version" (pkg/resource/deploy/target.go, GetPackageConfig; default_providers.go).
 */
export function defaultProviderInputs(
  config: Record<string, string>,
  secretKeys: readonly string[],
  pkg: string,
  version: string | undefined,
): WireProperties {
  const inputs: WireProperties = {};
  for (const [key, value] of Object.entries(config)) {
    const separator = key.indexOf(":");
    if (key.slice(0, separator) !== pkg) {
      continue;
    }
    inputs[key.slice(separator + 1)] = secretKeys.includes(key) ? secret(value) : value;
  }
  if (version) {
    inputs.version = version;
  }
  return inputs;
}

/**
 * The URN part of a provider reference "<provider urn>::<provider id>" (pulumi/pulumi v3.259.0
 * sdk/go/common/providers/reference.go, `ParseReference`: the ID follows the last "::"; URNs contain "::").
 */
export function providerUrnOf(reference: string): string {
  return reference.slice(0, reference.lastIndexOf("::"));
}

/**
 * A stable stand-in for the UUID the engine gives a provider it creates, so artifacts do not change between runs.
 */
export function providerIdFor(urn: string): string {
  let hash = 0x811c9dc5;
  const hex: string[] = [];
  for (let round = 0; round < 4; round++) {
    for (const char of `${round}:${urn}`) {
      hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
    }
    hex.push(hash.toString(16).padStart(8, "0"));
  }
  const digits = hex.join("");
  return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20, 32)}`;
}
