/**
 * The engine's wire format for property values, shared by capture (what the SDK sends to the engine) and the
 * analyzer client (what the engine sends to a policy pack).
 *
 * Captured values stay in this format on purpose: it is plain JSON (safe to pass between processes and to write
 * as artifacts), it keeps secrets and unknowns marked exactly as the engine sees them, and the analyzer client
 * can forward it to the pack without a lossy round trip through SDK objects.
 */

import { isPlainObject } from "../../policies/model";

/** A JSON value as carried in a protobuf `Struct`. */
export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };

/** A resource's property map in wire format. */
export type WireProperties = Record<string, WireValue>;

// Signature keys and values: @pulumi/pulumi runtime/rpc.js (`specialSigKey`, `specialSecretSig`, ...), which mirror
// sdk/go/common/resource/properties.go in the engine.
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/**
 * The sentinel for a value that is unknown during preview (@pulumi/pulumi runtime/rpc.js `unknownValue`, the
 * engine's `UnknownStringValue` in sdk/go/common/resource/plugin/rpc.go). The engine re-marshals every unknown
 * coming from the Node SDK with this string sentinel, so it is the only one a pack receives from us.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** What artifacts show instead of a secret's value. */
export const REDACTED = "[secret]";

type WireObject = { [key: string]: WireValue };

const isObject = (value: WireValue | undefined): value is WireObject => isPlainObject(value);

/** A secret in wire form: `{ <sig>: <secret sig>, value }`. */
export function isSecret(value: WireValue | undefined): value is { [SIG_KEY]: typeof SECRET_SIG; value: WireValue } {
  return isObject(value) && value[SIG_KEY] === SECRET_SIG;
}

export function isUnknown(value: WireValue | undefined): boolean {
  return value === UNKNOWN;
}

/** Wraps a value as the engine marks a secret. */
export function secret(value: WireValue): WireValue {
  return { [SIG_KEY]: SECRET_SIG, value };
}

function mapDeep(value: WireValue, visit: (v: WireValue) => WireValue | undefined): WireValue {
  const replaced = visit(value);
  if (replaced !== undefined) {
    return replaced;
  }
  if (Array.isArray(value)) {
    return value.map((item) => mapDeep(item, visit));
  }
  if (isObject(value)) {
    const result: WireObject = {};
    for (const [key, item] of Object.entries(value)) {
      result[key] = mapDeep(item, visit);
    }
    return result;
  }
  return value;
}

function mapProperties(props: WireProperties, visit: (v: WireValue) => WireValue | undefined): WireProperties {
  return mapDeep(props, visit) as WireProperties;
}

/** Replaces every secret by `[secret]`, for anything written to disk or logs. */
export function redactSecrets(props: WireProperties): WireProperties {
  return mapProperties(props, (v) => (isSecret(v) ? REDACTED : undefined));
}

/** Unwraps every secret to its plain value, the way a policy sees properties inside Analyze. */
export function revealSecrets(props: WireProperties): WireProperties {
  const reveal = (v: WireValue): WireValue | undefined => (isSecret(v) ? mapDeep(v.value, reveal) : undefined);
  return mapProperties(props, reveal);
}

/** True when any value, however deep, is unknown. */
export function containsUnknown(value: WireValue): boolean {
  if (isUnknown(value)) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.some(containsUnknown);
  }
  if (isObject(value)) {
    return Object.values(value).some(containsUnknown);
  }
  return false;
}

/**
 * Downgrades resource references the way the engine does before calling a pack: it marshals with
 * `KeepResources: false`, which turns a custom resource reference into its ID (unknown if the ID is not known
 * yet) and a component reference (no ID) into its URN (sdk/go/common/resource/plugin/rpc.go, MarshalPropertyValue).
 * @pulumi/policy cannot deserialize references at all ("Unrecognized signature"), so this is required, not cosmetic.
 */
export function downgradeResourceReferences(props: WireProperties): WireProperties {
  return mapProperties(props, (v) => {
    if (!isObject(v) || v[SIG_KEY] !== RESOURCE_REFERENCE_SIG) {
      return undefined;
    }
    if ("id" in v) {
      // The Node SDK sends "" for an ID it does not know yet; the engine treats that as computed.
      return v.id === "" || v.id === UNKNOWN ? UNKNOWN : v.id;
    }
    return v.urn;
  });
}

/**
 * Drops top-level keys starting with "__" (provider-internal bookkeeping such as `__defaults`): the engine marshals
 * Analyze and AnalyzeStack properties with `SkipInternalKeys: true`, which only applies at the top level
 * (sdk/go/common/resource/plugin/rpc.go, MarshalProperties), but Remediate with `SkipInternalKeys: false`
 * (pkg/resource/plugin/analyzer_plugin.go).
 */
export function skipInternalKeys(props: WireProperties): WireProperties {
  return Object.fromEntries(Object.entries(props).filter(([key]) => !key.startsWith("__")));
}

function containsSecret(value: WireValue): boolean {
  if (isSecret(value)) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.some(containsSecret);
  }
  return isObject(value) && Object.values(value).some(containsSecret);
}

/**
 * Marks outputs secret the way the engine does after a provider answers: an output whose input of the same name
 * contains a secret becomes secret (objects are matched key by key), and so does every output named in
 * `additionalSecretOutputs` (pkg/resource/plugin/provider_plugin.go, annotateSecrets; pkg/resource/deploy/
 * step_executor.go). Mocks never do this, yet policies and the program both see the result.
 */
export function annotateSecrets(
  outputs: WireProperties,
  inputs: WireProperties,
  additionalSecretOutputs: readonly string[],
): WireProperties {
  const annotate = (outs: WireObject, ins: WireObject): WireObject => {
    const result: WireObject = { ...outs };
    for (const [key, inValue] of Object.entries(ins)) {
      if (!(key in result)) {
        continue;
      }
      const outValue = result[key];
      if (isObject(outValue) && !isSecret(outValue) && isObject(inValue) && !isSecret(inValue)) {
        result[key] = annotate(outValue, inValue);
      } else if (!isSecret(outValue) && containsSecret(inValue)) {
        result[key] = secret(outValue);
      }
    }
    return result;
  };
  const result = annotate(outputs, inputs) as WireProperties;
  for (const key of additionalSecretOutputs) {
    // The engine refuses to make "id" secret and warns instead.
    if (key !== "id" && key in result && !isSecret(result[key])) {
      result[key] = secret(result[key]);
    }
  }
  return result;
}
