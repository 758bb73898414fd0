import * as fs from "fs";
import * as nodePath from "path";
import { distance } from "fastest-levenshtein";
import { isPlainObject } from "../../policies/lib/plain";
import type { ConfigIssue } from "../resolve";
import type { StackConfig } from "../schema";

/**
 * What each override target accepts, as key trees generated from the pinned charts and CRDs by
 * tools/facts/extract-override-keys.js (its header gives the format). A Helm chart ignores a value it does not read
 * and the API server prunes a field a CRD does not declare: either way an override at a path outside these trees
 * applies nothing, silently. Such a path is refused here, before any resource is registered.
 */
export type KeyTree = "*" | 1 | { [key: string]: KeyTree };

interface AcceptedKeys {
  source: string;
  /** Below this depth, keys are accepted unchecked (the key list is known only that deep). */
  checkedDepth?: number;
  tree: KeyTree;
}

export type Target = Exclude<keyof StackConfig["overrides"], "bucketLifecycleDays">;

const TARGETS: Record<Target, string> = {
  kubePrometheusStack: "a value the kube-prometheus-stack chart reads",
  mimir: "a value the mimir-distributed chart reads",
  loki: "a value the loki chart reads",
  alloy: "a value the alloy chart reads",
  strimzi: "a value the strimzi-kafka-operator chart reads",
  kafkaCluster: "a field of the Kafka custom resource's spec",
  kafkaTopic: "a field of the KafkaTopic custom resource's spec",
};

/** The generated key list of one target (settings/overrides/accepted/<target>.json). */
export function acceptedKeys(target: Target): AcceptedKeys {
  return JSON.parse(fs.readFileSync(nodePath.join(__dirname, "accepted", `${target}.json`), "utf8")) as AcceptedKeys;
}

const LIST_ITEMS = "[]";
const SHOWN_KEYS = 25;

/** Every override path its target cannot accept, each with the nearest valid path. */
export function overridePathIssues(overrides: StackConfig["overrides"]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [target, what] of Object.entries(TARGETS) as [Target, string][]) {
    const given = overrides[target];
    if (given === undefined) continue;
    const accepted = acceptedKeys(target);
    const visit = (value: unknown, node: KeyTree, path: string[], depth: number) => {
      if (node === "*" || node === 1 || depth >= (accepted.checkedDepth ?? Infinity)) return;
      if (LIST_ITEMS in node) {
        if (Array.isArray(value))
          value.forEach((item, i) => visit(item, node[LIST_ITEMS], [...path, `[${i}]`], depth + 1));
        return;
      }
      if (!isPlainObject(value)) return;
      for (const [key, child] of Object.entries(value)) {
        const here = [...path, key];
        if (key in node) visit(child, node[key], here, depth + 1);
        else issues.push(unknownPath(target, what, accepted.source, path, key, child, node));
      }
    };
    visit(given, accepted.tree, [], 0);
  }
  return issues;
}

function unknownPath(
  target: Target,
  what: string,
  source: string,
  path: string[],
  key: string,
  value: unknown,
  node: { [key: string]: KeyTree },
): ConfigIssue {
  const at = (segments: string[]) => ["overrides", target, ...segments].join(".").replace(/\.\[/g, "[");
  const keys = Object.keys(node).sort();
  const suggestion = nearestPath(key, value, node);
  const shown = keys.length > SHOWN_KEYS ? `${keys.slice(0, SHOWN_KEYS).join(", ")}, …` : keys.join(", ");
  return {
    key: at([...path, key]),
    value,
    problem:
      `not ${what} (${source}), so this override would apply nothing` +
      (suggestion ? `; did you mean ${at([...path, ...suggestion.path])}${suggestion.why}?` : "") +
      `; accepted at ${at(path)}: ${shown}`,
  };
}

/** The likeliest intended path, relative to the node the unknown key sits in. */
function nearestPath(
  key: string,
  value: unknown,
  node: { [key: string]: KeyTree },
): { path: string[]; why: string } | undefined {
  // One level too deep: an extra wrapper (say `spec:`) whose own keys belong right here.
  if (isPlainObject(value)) {
    const inner = Object.keys(value);
    if (inner.length > 0 && inner.every((k) => k in node))
      return { path: [inner[0]], why: ` (the override is nested one level too deep under ${key})` };
  }
  // One level too shallow: the key belongs to one of this node's children.
  const parents = Object.keys(node).filter((k) => isPlainObject(node[k]) && key in (node[k] as object));
  if (parents.length === 1) return { path: [parents[0], key], why: "" };
  const near = nearest(key, Object.keys(node));
  return near ? { path: [near], why: "" } : undefined;
}

function nearest(key: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}
