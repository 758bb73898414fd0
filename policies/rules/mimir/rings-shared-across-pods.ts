// M18: Mimir's and Loki's hash rings (ingesters, distributors, store-gateways, compactors, rulers, ...) must live in
// a KV store every pod shares. The `inmemory` store is per process (dskit kv: "inmemory" is a local, in-process
// store; Mimir and Loki configuration references list it for single-process use): with more than one pod each sees
// only itself, so distributors find no ingesters ("empty ring") and writes and reads fail.
import { lokiReleases } from "../../lib/loki";
import { mimirReleases } from "../../lib/mimir";
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

/** Every `...kvstore.store` set to inmemory under a config node, as dotted paths. */
function inmemoryStores(node: unknown, path: string[] = [], found: string[] = []): string[] {
  if (!node || typeof node !== "object" || Array.isArray(node)) return found;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === "store" && path[path.length - 1] === "kvstore" && value === "inmemory")
      found.push([...path, key].join("."));
    else inmemoryStores(value, [...path, key], found);
  }
  return found;
}

export const ringsSharedAcrossPods = stackRule<object>(
  {
    name: "rings-shared-across-pods",
    rule: "M18",
    description:
      "Mimir's and Loki's rings must use a KV store all pods share (memberlist), never the per-process inmemory store",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Remove the kvstore.store: inmemory override; the charts configure memberlist for every ring.",
    url: "https://grafana.com/docs/mimir/latest/configure/configuration-parameters/ (kvstore store: consul, etcd, inmemory, memberlist, multi)",
    tags: ["mimir", "loki"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    const configs: Array<{ label: string; urn: string; node: PropNode; at: string }> = [
      ...mimirReleases(stack).map((m) => ({
        label: m.label,
        urn: m.urn,
        node: m.release.values.at("mimir.structuredConfig"),
        at: "values.mimir.structuredConfig",
      })),
      ...lokiReleases(stack).flatMap((l) => [
        { label: l.label, urn: l.urn, node: l.values.at("loki.structuredConfig"), at: "values.loki.structuredConfig" },
        { label: l.label, urn: l.urn, node: l.values.at("loki.commonConfig"), at: "values.loki.commonConfig" },
      ]),
    ];
    for (const { label, urn, node, at } of configs) {
      const raw = node.raw();
      if (isUnknown(raw)) {
        ctx.inconclusive(raw);
        continue;
      }
      for (const path of inmemoryStores(raw)) {
        ctx.violation(
          `${label} ${at}.${path}=inmemory: that ring lives in each pod's own memory, so pods never see each other (distributors find ` +
            `no ingesters: "empty ring") and writes and reads fail. Fix: remove the override; the chart puts every ring on memberlist.`,
          urn,
        );
      }
    }
  },
);
