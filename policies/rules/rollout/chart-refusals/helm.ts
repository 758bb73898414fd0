// What a chart template sees when it reads `.Values.x`: the release's values coalesced over the chart's defaults, with
// the Go template / sprig semantics the refusal conditions use.
// - Coalescing (helm/helm v3 pkg/chartutil/coalesce.go coalesceTablesFullKey): a user map merges key by key into the
//   default map; a user value that is not a map replaces the default; a user `null` deletes the default key.
// - Truth (Go text/template `if`/`and`/`or`/`not`, exec.go isTrue): false, 0, nil, "" and empty maps and lists are
//   false; everything else true ("0" and "false" as strings are true). sprig `empty` is the same test negated.
// - sprig `int` (cast.ToInt): nil and unparsable strings are 0, numeric strings parse, floats truncate, true is 1.
// - sprig `dig k1 k2 default map`: the default when a key on the way is missing.
// - Helm `required msg v` (pkg/engine/funcs.go): fails when v is nil or the empty string (an empty map passes).
import { PropNode } from "../../../lib/node";
import { isPlainObject } from "../../../lib/plain";
import { Inconclusive, isUnknown } from "../../../lib/unknown";

export type Json = unknown;

/** A value a template reads, and how to show it in a message (where it was set, or the chart default). */
export interface Read {
  readonly value: Json;
  /** `loki release "loki" values.read.replicas=2`, or `read.replicas=3 (loki chart default, values.yaml)`. */
  readonly shown: string;
  /** True when the release's values set it (else it comes from the chart defaults, or is unset). */
  readonly set: boolean;
}

const text = (value: Json): string =>
  value === undefined ? "unset" : typeof value === "string" ? value : JSON.stringify(value);

/** Helm's coalescing of a user value over a chart default (see the file comment). */
export function coalesce(user: Json, chartDefault: Json): Json {
  if (user === undefined) return chartDefault;
  if (user === null) return undefined;
  if (isPlainObject(user) && isPlainObject(chartDefault)) {
    const out: Record<string, Json> = {};
    for (const key of new Set([...Object.keys(chartDefault), ...Object.keys(user)])) {
      const merged = coalesce(user[key], chartDefault[key]);
      if (merged !== undefined) out[key] = merged;
    }
    return out;
  }
  return user;
}

function at(tree: Json, segments: ReadonlyArray<string>): Json {
  let node = tree;
  for (const key of segments) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** The release's values over the chart defaults this rule needs (a subset of the chart's values.yaml). */
export class ChartValues {
  constructor(
    readonly values: PropNode,
    private readonly defaults: Record<string, Json>,
    /** `loki chart default, values.yaml` */
    private readonly defaultsLabel: string,
  ) {}

  /** `.Values.<path>` as the template sees it. Throws Inconclusive when the value is unknown during preview. */
  get(path: string): Read {
    const segments = path.split(".");
    const node = this.values.at(path);
    // An unknown anywhere on the path (or below it, for a map the template tests) leaves the check inconclusive.
    for (let i = 1; i <= segments.length; i++) {
      const parent = this.values.at(segments.slice(0, i).join("."));
      if (parent.isUnknown) throw new Inconclusive(parent.unknown());
    }
    const user = node.raw();
    if (isUnknown(user)) throw new Inconclusive(user);
    const chartDefault = at(this.defaults, segments);
    // A parent the user set to null or to a scalar hides the chart default below it.
    let hidden = false;
    for (let i = 1; i < segments.length; i++) {
      const parent = this.values.at(segments.slice(0, i).join(".")).raw();
      if (parent === null || (parent !== undefined && !isPlainObject(parent))) hidden = true;
    }
    const value = hidden ? (user ?? undefined) : coalesce(user, chartDefault);
    const set = user !== undefined;
    return {
      value,
      set,
      shown: set
        ? `${node.where}=${text(user)}`
        : value === undefined
          ? `${path} unset`
          : `${path}=${text(value)} (${this.defaultsLabel})`,
    };
  }
}

/** Go template truth (text/template isTrue). */
export function truthy(value: Json): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

/** sprig `empty`. */
export const empty = (value: Json): boolean => !truthy(value);

/** sprig `int` (cast.ToInt). */
export function int(value: Json): number {
  if (typeof value === "number") return Math.trunc(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    const trimmed = value.replace(/\.0*$/, "");
    return /^[+-]?\d+$/.test(trimmed) ? parseInt(trimmed, 10) : 0;
  }
  return 0;
}

/** sprig `dig k1 ... default map`. */
export function dig(map: Json, keys: ReadonlyArray<string>, fallback: Json): Json {
  const found = at(map, keys);
  return found === undefined ? fallback : found;
}

/** Helm `required`: the value fails it when nil or "". */
export const failsRequired = (value: Json): boolean => value === undefined || value === null || value === "";
