// The keys of a Secret or ConfigMap the stack declares, as the policies read them (W9 secret-references-declared,
// W10 alloy-loki-config-env-defined).
//
// A Secret's keys are the union of `data` and `stringData` (Kubernetes API Secret: "stringData ... is merged into
// the data field on write"); a ConfigMap's the union of `data` and `binaryData`. The engine reveals secret values to
// a policy pack, so keys are normally readable; in a new stack's first preview a whole field may be unknown (an
// Output), and a field still carrying the engine's secret signature cannot be listed reliably: both read as
// "unknown" and are not judged.
import { StackView } from "./stack";
import { TYPES } from "./types";
import { isUnknown } from "./unknown";

export const CONFIG_MAP_TYPE = "kubernetes:core/v1:ConfigMap";

// @pulumi/pulumi runtime/rpc.js `specialSigKey`: the key of a secret-wrapped value `{ <sig>: <secret sig>, value }`.
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** Keys declared, "unknown" (not readable yet or not listed), or undefined (the stack declares no such object). */
export type DeclaredKeys = Set<string> | "unknown" | undefined;

export interface KeyReadingOptions {
  /**
   * A Secret that declares neither `data` nor `stringData` reads as "unknown" (its contents come from elsewhere:
   * a controller, another tool) instead of as an empty Secret.
   */
  emptyIsUnknown?: boolean;
}

/** Keys of the Secret / ConfigMap `name` the stack declares in `namespace` (metadata.namespace unset = "default"). */
export function declaredKeys(
  stack: StackView,
  type: string,
  namespace: string,
  name: string,
  options: KeyReadingOptions = {},
): DeclaredKeys {
  for (const resource of stack.ofType(type)) {
    const metadata = resource.props.get("metadata");
    const ns = metadata.get("namespace").raw();
    if (metadata.get("name").raw() !== name) continue;
    if ((typeof ns === "string" && ns !== "" ? ns : "default") !== namespace) continue;
    const keys = new Set<string>();
    let present = false;
    for (const field of type === TYPES.kubernetesSecret ? ["stringData", "data"] : ["data", "binaryData"]) {
      const value = resource.props.get(field).raw();
      if (isUnknown(value)) return "unknown";
      if (value && typeof value === "object") {
        if (SIG_KEY in value) return "unknown";
        present = true;
        Object.keys(value).forEach((k) => keys.add(k));
      }
    }
    if (!present && options.emptyIsUnknown) return "unknown";
    return keys;
  }
  return undefined;
}
