/**
 * Turns the engine's wire format (tools/harness/wire.ts) into plain JSON a reviewer can read and a diff can show:
 * secrets become "[secret]", preview unknowns "[unknown]", resource references their URN, and object keys are
 * sorted so that the same program always yields the same text.
 */
import {
  OUTPUT_VALUE_SIG,
  REDACTED,
  RESOURCE_REFERENCE_SIG,
  SECRET_SIG,
  SIG_KEY,
  UNKNOWN,
  type WireValue,
} from "../harness/wire";
import { isPlainObject } from "../../policies/model";

export { isPlainObject };

/** What artifacts and the report show for a value the engine does not know before the update. */
export const UNKNOWN_MARKER = "[unknown]";

export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

/** Wire value -> readable JSON with secrets redacted. Keys sorted; signature objects resolved. */
export function readable(value: WireValue): Plain {
  if (value === UNKNOWN) {
    return UNKNOWN_MARKER;
  }
  if (Array.isArray(value)) {
    return value.map(readable);
  }
  if (!isPlainObject(value)) {
    return value;
  }
  const signature = value[SIG_KEY];
  if (signature === SECRET_SIG) {
    return REDACTED;
  }
  if (signature === RESOURCE_REFERENCE_SIG) {
    return `[resource ${String(value.urn)}]`;
  }
  if (signature === OUTPUT_VALUE_SIG) {
    // An output value: secret and unknown flags travel beside the value (sdk/go/common/resource/properties.go).
    if (value.secret === true) {
      return REDACTED;
    }
    return "value" in value ? readable(value.value) : UNKNOWN_MARKER;
  }
  const result: { [key: string]: Plain } = {};
  for (const key of Object.keys(value).sort()) {
    result[key] = readable(value[key]);
  }
  return result;
}

/** Every string that the engine holds as a secret, however deep (outputs included): what must never be written. */
export function secretStrings(value: WireValue, found: Set<string> = new Set(), insideSecret = false): Set<string> {
  if (typeof value === "string") {
    if (insideSecret && value !== "" && value !== UNKNOWN) {
      found.add(value);
    }
  } else if (Array.isArray(value)) {
    value.forEach((item) => secretStrings(item, found, insideSecret));
  } else if (isPlainObject(value)) {
    const secret =
      insideSecret || value[SIG_KEY] === SECRET_SIG || (value[SIG_KEY] === OUTPUT_VALUE_SIG && value.secret === true);
    for (const [key, item] of Object.entries(value)) {
      if (key !== SIG_KEY) {
        secretStrings(item, found, secret);
      }
    }
  }
  return found;
}

/** Every string outside any secret, however deep: what the program or provider holds in plain text. */
export function plainStrings(value: WireValue, found: Set<string> = new Set()): Set<string> {
  if (typeof value === "string") {
    if (value !== UNKNOWN) found.add(value);
  } else if (Array.isArray(value)) {
    value.forEach((item) => plainStrings(item, found));
  } else if (isPlainObject(value)) {
    if (value[SIG_KEY] === SECRET_SIG || (value[SIG_KEY] === OUTPUT_VALUE_SIG && value.secret === true)) return found;
    for (const [key, item] of Object.entries(value)) {
      if (key !== SIG_KEY) plainStrings(item, found);
    }
  }
  return found;
}

/** Reads a dotted path ("a.b.c"; keys containing dots are reached with `at(value, ["a", "b.c"])`). */
export function at(value: Plain | undefined, path: string | readonly string[]): Plain | undefined {
  const keys = typeof path === "string" ? path.split(".") : path;
  let current: Plain | undefined = value;
  for (const key of keys) {
    if (!isPlainObject(current)) {
      return undefined;
    }
    current = (current as { [key: string]: Plain })[key];
  }
  return current;
}
