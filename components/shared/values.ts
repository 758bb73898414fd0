import deepmerge from "deepmerge";

export type Values = Record<string, unknown>;

// Lists replace rather than concatenate: an override that lists remote-write targets means exactly those.
const replaceArrays = (_target: unknown[], source: unknown[]) => source;

/**
 * The escape hatch: user `overrides` are deep-merged over the values we build, last. Conflicts that this lets in
 * are the policy pack's job to catch.
 */
export function mergeOverrides<T extends object>(base: T, overrides: object | undefined): T {
  if (!overrides) return base;
  return deepmerge(base, overrides as Partial<T>, { arrayMerge: replaceArrays, isMergeableObject: isPlainObject }) as T;
}

function isPlainObject(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
