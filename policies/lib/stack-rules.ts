// The stack's own alert and recording rules: the PrometheusRule resources the program renders (components/alerts),
// read once for the rules that judge what those expressions need (Q10 scrape windows, Q12 scraped inputs).
import { StackView } from "./stack";
import { known } from "./unknown";

export interface StackRuleExpression {
  /** e.g. `MimirDistributorMemoryNearLimit in PrometheusRule "stack-alerts"` */
  readonly rule: string;
  readonly expr: string;
}

/** Every rule expression of the stack's PrometheusRule resources (an expression unknown during preview is skipped). */
export function stackRuleExpressions(stack: StackView): StackRuleExpression[] {
  const out: StackRuleExpression[] = [];
  for (const r of stack.resources.filter((x) => /:monitoring\.coreos\.com\/v1:PrometheusRule$/.test(x.type))) {
    const resource = known(r.props.get("metadata").get("name").string()) ?? r.name;
    for (const group of known(r.props.get("spec").get("groups").items()) ?? [])
      for (const rule of known(group.get("rules").items()) ?? []) {
        const expr = known(rule.get("expr").string());
        if (expr === undefined) continue;
        const name = known(rule.get("alert").string()) ?? known(rule.get("record").string()) ?? "?";
        out.push({ rule: `${name} in PrometheusRule "${resource}"`, expr });
      }
  }
  return out;
}
