// Values the engine cannot know during preview (outputs of resources not yet created).
//
// The engine marshals such a value as a sentinel string; the policy SDK wraps resource props in a proxy
// that throws UnknownValueError when a sentinel is read, and turns that error into an advisory
// "can't run policy ... during preview" diagnostic. Our rules read a raw copy instead, so that one
// unknown value does not abort every other check of a policy, and re-read the first unknown through
// the SDK proxy at the end so the SDK still reports its own advisory.

// Sentinels: @pulumi/policy 1.21.0 proxy.js (unknownBooleanValue ... unknownObjectValue); the first is also
// @pulumi/pulumi runtime/rpc `unknownValue`, the one the engine sends for every unknown.
const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "030794c1-ac77-496b-92df-f27374a8bd58",
  "e48ece36-62e2-4504-bad9-02848725956a",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

/** The string the engine sends for an unknown value (@pulumi/pulumi runtime/rpc `unknownValue`). */
export const UNKNOWN_VALUE_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

// Property the SDK proxies answer with their target: @pulumi/policy 1.21.0 proxy.js `getSpecialProxyTarget`.
const PROXY_TARGET_KEY = "__getSpecialProxyTarget";

export function isUnknownSentinel(value: unknown): boolean {
  return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

/** The plain object behind an SDK props proxy (or the value itself when it is not a proxy). */
export function unwrapProxy(props: unknown): unknown {
  if (props !== null && typeof props === "object") {
    const target = (props as Record<string, unknown>)[PROXY_TARGET_KEY];
    if (target !== undefined && target !== null && typeof target === "object") {
      return target;
    }
  }
  return props;
}

/** A value a rule needed but the engine does not know yet. */
export class Unknown {
  constructor(
    /** Where the value would come from, for diagnostics. */
    readonly where: string,
    /** The resource props as the SDK gave them (a proxy during a real run). */
    private readonly proxiedProps: unknown,
    /** Path of the unknown value inside the props. */
    readonly path: ReadonlyArray<string | number>,
  ) {}

  /**
   * Reads the value through the SDK proxy, which throws the SDK's UnknownValueError; the SDK then reports
   * an advisory instead of a violation. Returns normally when the props are not proxied (plain test data).
   */
  raiseThroughSdk(): void {
    let current: unknown = this.proxiedProps;
    for (const key of this.path) {
      if (current === null || typeof current !== "object") {
        return;
      }
      current = (current as Record<string | number, unknown>)[key];
    }
  }
}

export function isUnknown(value: unknown): value is Unknown {
  return value instanceof Unknown;
}

/**
 * Thrown by `known` when a value is unknown during preview, for code too deep to pass Maybe values back (the
 * capacity model). stackRule catches it and records the check as inconclusive, as RuleContext.known does.
 */
export class Inconclusive extends Error {
  constructor(readonly unknown: Unknown) {
    super(`unknown during preview: ${unknown.where}`);
    this.name = "Inconclusive";
  }
}

/** The value, or throws Inconclusive when it is unknown during preview. */
export function known<T>(value: T | Unknown): T {
  if (isUnknown(value)) throw new Inconclusive(value);
  return value;
}

/** True when a plain value holds the unknown sentinel anywhere. */
export function containsUnknownSentinel(value: unknown): boolean {
  if (isUnknownSentinel(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknownSentinel);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknownSentinel);
  return false;
}
