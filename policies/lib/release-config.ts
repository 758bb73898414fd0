// Typed reads of a component's effective configuration (Mimir, Loki): each product says where a key's value comes
// from (`setting`), how it writes numbers and which duration format a key takes; the checks and messages are shared.
import { DurationFormat } from "./duration";
import { Maybe, parseSourcedDuration, PolicyInputError, PropNode, Sourced } from "./node";
import { HelmRelease } from "./stack";
import { isUnknown } from "./unknown";

/** How a product's numeric config keys may be written as strings, and what the error calls a bad one. */
export interface NumberSyntax {
  readonly pattern: RegExp;
  /** e.g. "an integer": completes "... is not <expected>." */
  readonly expected: string;
}

/** A part of a product's config file as the values set it: `prefix` is its config path ("" for the whole file). */
export interface ConfigSource {
  node: PropNode;
  prefix: string;
}

export abstract class ReleaseConfig {
  readonly label: string;
  readonly urn: string;

  protected constructor(
    readonly release: HelmRelease,
    /** Product name for internal errors, e.g. "Mimir". */
    private readonly product: string,
    private readonly numberSyntax: NumberSyntax,
  ) {
    this.label = release.label;
    this.urn = release.resource.urn;
  }

  get values(): PropNode {
    return this.release.values;
  }

  /** Every place the values write the product's config file, in the order the chart applies them. */
  abstract configSources(): ConfigSource[];

  /** Effective value of a config key with where it comes from; undefined when nothing sets it and no default is known. */
  abstract setting(path: string): Maybe<Sourced<unknown>> | undefined;

  /** The duration format the product parses this key with. */
  protected abstract durationFormatOf(path: string): DurationFormat;

  protected required(path: string): Maybe<Sourced<unknown>> {
    const found = this.setting(path);
    if (found === undefined) throw new Error(`internal: no default known for ${this.product} key ${path}`);
    return found;
  }

  boolean(path: string): Maybe<Sourced<boolean>> {
    const found = this.required(path);
    if (isUnknown(found)) return found;
    const value = found.value === "true" ? true : found.value === "false" ? false : found.value;
    if (typeof value !== "boolean")
      throw new PolicyInputError(`${found.where}=${JSON.stringify(found.value)} is not true or false.`, this.urn);
    return { value, where: found.where };
  }

  number(path: string): Maybe<Sourced<number>> {
    const found = this.required(path);
    if (isUnknown(found)) return found;
    const value =
      typeof found.value === "string" && this.numberSyntax.pattern.test(found.value)
        ? Number(found.value)
        : found.value;
    if (typeof value !== "number")
      throw new PolicyInputError(
        `${found.where}=${JSON.stringify(found.value)} is not ${this.numberSyntax.expected}.`,
        this.urn,
      );
    return { value, where: found.where };
  }

  string(path: string): Maybe<Sourced<string>> {
    const found = this.required(path);
    if (isUnknown(found)) return found;
    if (typeof found.value !== "string")
      throw new PolicyInputError(`${found.where}=${JSON.stringify(found.value)} is not a string.`, this.urn);
    return { value: found.value, where: found.where };
  }

  /** Duration in milliseconds, validated in the format the product parses that key with. */
  duration(path: string): Maybe<Sourced<number>> {
    const found = this.required(path);
    if (isUnknown(found)) return found;
    return parseSourcedDuration(found, this.durationFormatOf(path), this.urn);
  }
}
