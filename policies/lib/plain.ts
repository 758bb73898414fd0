// Plain data helpers shared by the program, the pack and the tools: one definition of "a plain object" and of the
// array rule every deep merge here uses.

/** An object literal or parsed YAML/JSON mapping: Object.prototype or no prototype (not an array, class instance or null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** deepmerge's arrayMerge that replaces: an override listing items means exactly those items. */
export const replaceArrays = (_target: unknown[], source: unknown[]): unknown[] => source;
