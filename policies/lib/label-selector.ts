// Kubernetes label selectors as the API server and controllers evaluate them (apimachinery pkg/apis/meta/v1
// LabelSelectorAsSelector): matchLabels and every matchExpressions requirement (In, NotIn, Exists, DoesNotExist) must
// hold; an empty selector ({}) selects everything. A nil selector selects nothing there (labels.Nothing()); callers
// that give nil another meaning (a NetworkPolicyPeer, a namespace selector) handle it themselves.
import { PropNode } from "./node";
import { StackView } from "./stack";
import { known } from "./unknown";

/** Kubernetes sets this label on every namespace to its name (NamespaceDefaultLabelName, Kubernetes 1.22+). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export type Labels = Map<string, string>;

export interface SelectorExpression {
  readonly key: string;
  readonly operator: string;
  readonly values: string[];
}

export interface LabelSelector {
  readonly matchLabels: Record<string, string>;
  readonly matchExpressions: SelectorExpression[];
}

/** A map of strings from a node (values stringified); {} when absent or not a map. Throws Inconclusive when unknown. */
export function plainLabels(node: PropNode): Record<string, string> {
  const raw = known(node.raw());
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return {};
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

/** The selector a node holds (absent parts empty). Throws Inconclusive when a part is unknown. */
export function labelSelector(node: PropNode): LabelSelector {
  return {
    matchLabels: plainLabels(node.get("matchLabels")),
    matchExpressions: (known(node.get("matchExpressions").items()) ?? []).map((e) => ({
      key: known(e.get("key").string()) ?? "",
      operator: known(e.get("operator").string()) ?? "",
      values: (known(e.get("values").items()) ?? []).map((v) => String(known(v.raw()))),
    })),
  };
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0;
}

/**
 * Whether a selector matches the labels: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist) all hold;
 * an empty selector matches everything. A key in `open` may hold any value: a requirement on it is taken as met.
 */
export function selectorMatches(
  selector: LabelSelector,
  labels: Labels,
  open: ReadonlySet<string> = new Set(),
): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels))
    if (!open.has(key) && labels.get(key) !== value) return false;
  for (const { key, operator, values } of selector.matchExpressions) {
    if (open.has(key)) continue;
    const has = labels.has(key);
    const ok =
      operator === "In"
        ? has && values.includes(labels.get(key)!)
        : operator === "NotIn"
          ? !has || !values.includes(labels.get(key)!)
          : operator === "Exists"
            ? has
            : operator === "DoesNotExist"
              ? !has
              : true;
    if (!ok) return false;
  }
  return true;
}

/** The labels a namespace carries: the stack's Namespace resource's labels, plus kubernetes.io/metadata.name. */
export function namespaceLabels(stack: StackView, namespace: string): Labels {
  const declared = stack
    .ofType("kubernetes:core/v1:Namespace")
    .find((n) => known(n.props.get("metadata", "name").string()) === namespace);
  return new Map(
    Object.entries({
      ...(declared ? plainLabels(declared.props.get("metadata", "labels")) : {}),
      [NAMESPACE_NAME_LABEL]: namespace,
    }),
  );
}
