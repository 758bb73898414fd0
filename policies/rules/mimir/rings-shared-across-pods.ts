// M18: Mimir's and Loki's hash rings (ingesters, distributors, store-gateways, compactors, rulers, ...) must live in
// a KV store every pod shares and that exists.
// - The `inmemory` store is per process (dskit kv: "inmemory" is a local, in-process store; Mimir and Loki
//   configuration references list it for single-process use): with more than one pod each sees only itself, so
//   distributors find no ingesters ("empty ring") and writes and reads fail.
// - `consul` and `etcd` need a server this stack does not run: dskit kv/consul/client.go RegisterFlags defaults
//   `consul.hostname` to localhost:8500 (no Consul agent runs in the pods), kv/etcd/etcd.go defaults
//   `etcd.endpoints` to none (the client cannot be built). A lifecycler must register its instance through the store
//   (dskit ring/basic_lifecycler.go starting: "register instance in the ring"; ring/lifecycler.go autoJoin), so the pods
//   never become ready and the ring's readers find no instances. An explicit remote address is the operator's own
//   Consul or etcd and is not judged. `multi` is judged by its primary, and by an etcd secondary (kv/multi.go).
// The charts put every ring on memberlist (mimir-distributed values.yaml mimir.config, loki values.yaml
// loki.config common/memberlist).
// Each ring's heartbeat_timeout must also exceed its heartbeat_period, or instances look unhealthy between
// heartbeats (ring-heartbeats.ts).
import { lokiReleases } from "../../lib/loki";
import { mimirReleases } from "../../lib/mimir";
import { isPlainObject } from "../../lib/plain";
import { stackRule } from "../../lib/policy";
import { ReleaseConfig } from "../../lib/release-config";
import { isUnknown } from "../../lib/unknown";
import { ringHeartbeats } from "./ring-heartbeats";

/** dskit kv/consul/client.go: -<prefix>consul.hostname default. */
const CONSUL_DEFAULT_HOST = "localhost:8500";

type KvStore = Record<string, unknown>;

/** Why a kvstore block's `store` (or a multi store's primary/secondary) reaches no shared store; undefined if it may. */
function unreachable(kv: KvStore, store: unknown): string | undefined {
  if (store === "inmemory")
    return `that ring lives in each pod's own memory, so pods never see each other (distributors find no ingesters: "empty ring") and writes and reads fail`;
  if (store === "consul") {
    const host = isPlainObject(kv.consul) ? kv.consul.host : undefined;
    if (host === undefined || host === "" || /^(localhost|127\.0\.0\.1)(:|$)/.test(String(host)))
      return `it dials Consul at ${JSON.stringify(host ?? CONSUL_DEFAULT_HOST)} (dskit default localhost:8500), and this stack runs no Consul: the instances cannot register in the ring, so the pods never get ready and the ring's readers find no instances`;
  }
  if (store === "etcd") {
    const endpoints = isPlainObject(kv.etcd) ? kv.etcd.endpoints : undefined;
    if (endpoints === undefined || (Array.isArray(endpoints) && endpoints.length === 0) || endpoints === "")
      return `it names no etcd endpoints (dskit default none) and this stack runs no etcd: the KV client cannot be built and the component does not start`;
  }
  if (store === "multi") {
    // The primary serves the ring; the secondary only receives mirrored writes, whose failures are logged, but both
    // clients are built at start-up (dskit kv/multi.go, kv/client.go buildMultiClient), so an etcd client without
    // endpoints fails either way.
    const multi = isPlainObject(kv.multi) ? kv.multi : {};
    const primary = multi.primary === undefined ? undefined : unreachable(kv, multi.primary);
    if (primary) return `its multi.primary=${JSON.stringify(multi.primary)}: ${primary}`;
    const secondary = multi.secondary === "etcd" ? unreachable(kv, "etcd") : undefined;
    if (secondary) return `its multi.secondary="etcd": ${secondary}`;
  }
  return undefined;
}

/** Every `...kvstore` block under a config node whose store reaches no shared store, as [dotted path, why]. */
function brokenStores(node: unknown, path: string[], found: Array<[string, unknown, string]> = []) {
  if (!isPlainObject(node)) return found;
  for (const [key, value] of Object.entries(node)) {
    if (key === "kvstore" && isPlainObject(value)) {
      const why = unreachable(value, value.store);
      if (why) found.push([[...path, key, "store"].join("."), value.store, why]);
    } else brokenStores(value, [...path, key], found);
  }
  return found;
}

export const ringsSharedAcrossPods = stackRule<object>(
  {
    name: "rings-shared-across-pods",
    rule: "M18",
    description:
      "Mimir's and Loki's rings must use a KV store all pods share and that exists (memberlist; never the per-process inmemory store, nor a Consul or etcd the stack does not run), and each ring's heartbeat_timeout must exceed its heartbeat_period (0 = never expires)",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Remove the kvstore.store override (the charts configure memberlist for every ring), or point consul.host / etcd.endpoints at a Consul or etcd you run; keep every ring's heartbeat_timeout several heartbeat_periods long.",
    url: "https://grafana.com/docs/mimir/latest/configure/configuration-parameters/ (kvstore store: consul, etcd, inmemory, memberlist, multi)",
    tags: ["mimir", "loki"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    const releases: ReleaseConfig[] = [...mimirReleases(stack), ...lokiReleases(stack)];
    for (const release of releases) {
      for (const source of release.configSources()) {
        const raw = source.node.raw();
        if (isUnknown(raw)) {
          ctx.inconclusive(raw);
          continue;
        }
        for (const [path, store, why] of brokenStores(raw, [])) {
          ctx.violation(
            `${source.node.where}.${path}=${store}: ${why}. Fix: remove the override; the chart puts every ring on memberlist.`,
            release.urn,
          );
        }
      }
    }
    ringHeartbeats(stack, ctx);
  },
);
