// Read-only navigation through resource props that keeps track of where a value lives (for messages),
// of values unknown during preview, and of malformed values (reported as violations, never thrown at the SDK).
import { describeFormat, DurationFormat, formatDuration, parseDurationMs } from "./duration";
import { isUnknownSentinel, Unknown } from "./unknown";

export type Key = string | number;

/** A value with the place it was set (or the default it came from), for messages naming both sides. */
export interface Sourced<T> {
  readonly value: T;
  readonly where: string;
  /** The value as written, when it differs from `value` (e.g. "13h" for 46800000 ms). */
  readonly text?: string;
  /** Why this value applies, e.g. "not set in Kafka \"kafka\" spec.kafka.config". */
  readonly note?: string;
}

/** `label: where=value`, without repeating the label when the value is set on that resource itself. */
export function showFor(label: string, sourced: Sourced<unknown>): string {
  return sourced.where.startsWith(label) ? show(sourced) : `${label}: ${show(sourced)}`;
}

/** `where=text`, plus the normalised duration when it reads differently (e.g. "=2160h (90d)"). */
export function showDuration(sourced: Sourced<number>): string {
  const normalised = formatDuration(sourced.value);
  return sourced.text === normalised ? show(sourced) : `${show(sourced)} (${normalised})`;
}

/** `where=value`, for messages. */
export function show(sourced: Sourced<unknown>): string {
  const value = sourced.text ?? (typeof sourced.value === "string" ? sourced.value : JSON.stringify(sourced.value));
  return `${sourced.where}=${value}${sourced.note ? ` (${sourced.note})` : ""}`;
}

export type Maybe<T> = T | Unknown;

/** Bad input: the message names the key, the value and what is allowed. Reported as a violation. */
export class PolicyInputError extends Error {
  constructor(
    message: string,
    readonly urn?: string,
  ) {
    super(message);
    this.name = "PolicyInputError";
  }
}

/** The owner of a props tree: where its values are set, for messages and unknown handling. */
export interface NodeOwner {
  /** e.g. `Helm release "mimir"`; prefixed to value paths in messages. */
  readonly label: string;
  readonly urn: string;
  /** The props as the SDK gave them (a proxy during a real run). */
  readonly proxiedProps: unknown;
}

type NodeState = { readonly kind: "value"; readonly raw: unknown } | { readonly kind: "unknown"; readonly at: Key[] };

export class PropNode {
  private constructor(
    readonly owner: NodeOwner,
    readonly path: ReadonlyArray<Key>,
    private readonly state: NodeState,
  ) {}

  static root(owner: NodeOwner, raw: unknown): PropNode {
    return isUnknownSentinel(raw)
      ? new PropNode(owner, [], { kind: "unknown", at: [] })
      : new PropNode(owner, [], { kind: "value", raw });
  }

  /** Child by literal keys (a key may contain dots, e.g. Kafka's "message.max.bytes"). */
  get(...keys: Key[]): PropNode {
    return keys.reduce<PropNode>((node, key) => node.child(key), this);
  }

  /** Child by a dotted path, e.g. `at("mimir.structuredConfig.limits")`. */
  at(dottedPath: string): PropNode {
    return dottedPath === "" ? this : this.get(...dottedPath.split("."));
  }

  private child(key: Key): PropNode {
    const path = [...this.path, key];
    if (this.state.kind === "unknown") {
      return new PropNode(this.owner, path, this.state);
    }
    const raw = this.state.raw;
    const value = raw !== null && typeof raw === "object" ? (raw as Record<Key, unknown>)[key] : undefined;
    return isUnknownSentinel(value)
      ? new PropNode(this.owner, path, { kind: "unknown", at: path })
      : new PropNode(this.owner, path, { kind: "value", raw: value });
  }

  /** `values.kafka.extraEnv[2].value` style path text. */
  get pathText(): string {
    return this.path.reduce<string>(
      (text, key) =>
        typeof key === "number"
          ? `${text}[${key}]`
          : text === ""
            ? key
            : /[^A-Za-z0-9_]/.test(key)
              ? `${text}["${key}"]`
              : `${text}.${key}`,
      "",
    );
  }

  /** `Helm release "mimir" values.x.y` */
  get where(): string {
    return `${this.owner.label} ${this.pathText}`;
  }

  get isUnknown(): boolean {
    return this.state.kind === "unknown";
  }

  /** Set to something other than undefined/null (an unknown value counts as present). */
  get isPresent(): boolean {
    return this.state.kind === "unknown" || (this.state.raw !== undefined && this.state.raw !== null);
  }

  unknown(): Unknown {
    const at = this.state.kind === "unknown" ? this.state.at : this.path;
    return new Unknown(this.where, this.owner.proxiedProps, at);
  }

  /** The plain value (may contain unknown sentinels deeper down), an Unknown, or undefined. */
  raw(): unknown {
    return this.state.kind === "unknown" ? this.unknown() : this.state.raw;
  }

  private fail(expected: string): never {
    throw new PolicyInputError(
      `${this.where}=${JSON.stringify(this.state.kind === "value" ? this.state.raw : null)} is not ${expected}.`,
      this.owner.urn,
    );
  }

  /** Integers and numeric strings (Kafka properties are often quoted). */
  number(): Maybe<number> | undefined {
    if (this.state.kind === "unknown") return this.unknown();
    const raw = this.state.raw;
    if (raw === undefined || raw === null || raw === "") return undefined;
    if (typeof raw === "number" && Number.isFinite(raw)) return raw;
    if (typeof raw === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(raw)) return Number(raw);
    return this.fail("a number");
  }

  string(): Maybe<string> | undefined {
    if (this.state.kind === "unknown") return this.unknown();
    const raw = this.state.raw;
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw === "string") return raw;
    if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
    return this.fail("a string");
  }

  boolean(): Maybe<boolean> | undefined {
    if (this.state.kind === "unknown") return this.unknown();
    const raw = this.state.raw;
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw === "boolean") return raw;
    if (raw === "true" || raw === "false") return raw === "true";
    return this.fail("a boolean (true or false)");
  }

  /** Array items as nodes; undefined when absent. */
  items(): Maybe<PropNode[]> | undefined {
    if (this.state.kind === "unknown") return this.unknown();
    const raw = this.state.raw;
    if (raw === undefined || raw === null) return undefined;
    if (!Array.isArray(raw)) return this.fail("a list");
    return raw.map((_, index) => this.child(index));
  }

  /** Object entries as nodes; undefined when absent. */
  entries(): Maybe<Array<[string, PropNode]>> | undefined {
    if (this.state.kind === "unknown") return this.unknown();
    const raw = this.state.raw;
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== "object" || Array.isArray(raw)) return this.fail("a map");
    return Object.keys(raw as object).map((key) => [key, this.child(key)]);
  }
}

/** A duration setting in milliseconds, validated in the format the component parses it with (else a PolicyInputError). */
export function parseSourcedDuration(found: Sourced<unknown>, format: DurationFormat, urn: string): Sourced<number> {
  if (typeof found.value === "number" && found.value === 0) return { value: 0, where: found.where };
  const ms = typeof found.value === "string" ? parseDurationMs(found.value, format) : undefined;
  if (ms === undefined) {
    throw new PolicyInputError(
      `${found.where}=${JSON.stringify(found.value)} is not ${describeFormat(format)}; the component refuses to start with it.`,
      urn,
    );
  }
  return { value: ms, where: found.where, text: String(found.value) };
}
