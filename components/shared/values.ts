import deepmerge from "deepmerge";
import { isPlainObject, replaceArrays } from "../../policies/lib/plain";

export type Values = Record<string, unknown>;

/**
 * The escape hatch: user `overrides` are deep-merged over the values we build, last. Lists replace rather than
 * concatenate: an override that lists remote-write targets means exactly those. Conflicts that this lets in
 * are the policy pack's job to catch.
 */
export function mergeOverrides<T extends object>(base: T, overrides: object | undefined): T {
  if (!overrides) return base;
  return deepmerge(base, overrides as Partial<T>, { arrayMerge: replaceArrays, isMergeableObject: isPlainObject }) as T;
}
