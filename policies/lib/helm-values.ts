// Reading a chart value the way a Helm template's `if` sees it, for rules that need the raw value and where it is set.
import { PropNode } from "./node";
import { RuleContext } from "./policy";

export interface ReadValue {
  readonly raw: unknown;
  readonly where: string;
}

/** A value node, or undefined after recording an unknown (preview) as inconclusive. */
export function readValue(ctx: RuleContext<object>, node: PropNode): ReadValue | undefined {
  if (node.isUnknown) {
    ctx.inconclusive(node.unknown());
    return undefined;
  }
  return { raw: node.raw(), where: node.where };
}

/**
 * Whether a chart value with a default is on: unset takes the chart default; null, false, 0, "" and "false" are off
 * (Go templates' truthiness, with the project's reading of the string "false" as a boolean, as PropNode.boolean does).
 */
export function helmOn(value: { raw: unknown } | undefined, fallback: boolean): boolean {
  const raw = value?.raw;
  if (raw === undefined) return fallback;
  return raw !== null && raw !== false && raw !== "false" && raw !== 0 && raw !== "";
}
