// W6: Mimir's and Loki's pods find each other through memberlist.join_members, which the charts point at a headless
// Service selecting every ring member:
// - mimir-distributed: `dns+<fullname>-gossip-ring.<namespace>.svc.<clusterDomain>:<memberlist bind_port>` (values.yaml
//   mimir.config memberlist.join_members; templates/gossip-ring/gossip-ring-svc.yaml names the Service
//   `<fullname>-gossip-ring`, port name `gossip-ring`, port `mimir.memberlistBindPort` = structuredConfig
//   memberlist.bind_port or 7946, templates/_helpers.tpl).
// - loki 18.11.0: `<loki.memberlist>.<namespace>.svc.<clusterDomain>` where loki.memberlist is
//   memberlist.service.name or `<fullname>-memberlist` (values.yaml loki.config, templates/_helpers.tpl
//   "loki.memberlist"; templates/service-memberlist.yaml, port name `tcp`, port 7946). loki.memberlistConfig, when
//   set, replaces the whole section, join_members included.
// A structuredConfig override of join_members replaces the chart's list (Helm mergeOverwrite / Loki's structuredConfig
// merge). If no entry resolves to the ring members, each pod gossips alone: every ring holds only the pod itself, so
// distributors see "too many unhealthy instances in the ring" / "empty ring" and writes and reads fail (dskit
// memberlist KV; Mimir "Memberlist and the gossip protocol" docs). Loki's chart also sets abort_if_cluster_join_fails
// true (values.yaml loki.extraMemberlistConfig), so there the pods do not even start.
// Accepted entries: the Service in any resolvable form (`<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc[.<clusterDomain>]`),
// with the dskit prefixes `dns+`, `dnssrv+` / `dnssrvnoa+` (SRV name `_<port-name>._tcp.<host>`), an explicit port equal
// to the members' bind_port; a headless Service of a ring-member component of the same release (its pods gossip too);
// or a Service the stack declares itself.
import { lokiReleases } from "../../lib/loki";
import { mimirReleases } from "../../lib/mimir";
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { HelmRelease, StackView } from "../../lib/stack";
import { isUnknown } from "../../lib/unknown";
import { chartFullname } from "../../lib/chart-names";

const SERVICE_TYPE = "kubernetes:core/v1:Service";
/** dskit/memberlist default bind port (memberlist.bind_port 7946; both charts' default). */
const MEMBERLIST_PORT = 7946;

interface Ring {
  readonly product: "Mimir" | "Loki";
  readonly release: HelmRelease;
  readonly urn: string;
  readonly label: string;
  /** The chart's gossip Service. */
  readonly service: string;
  /** The Service's port name, for SRV lookups. */
  readonly portName: string;
  /** Other Services of the release whose pods are ring members. */
  readonly memberServices: RegExp;
  readonly clusterDomain: string;
  readonly port: number;
  /** The join list in force and where it is set; undefined: the chart's own. */
  readonly join?: { node: PropNode; at: string };
  /** Why the join list is empty, when a values key drops the chart's list without giving another. */
  readonly dropped?: string;
}

function numberOr(node: PropNode, fallback: number): number {
  const value = node.number();
  return typeof value === "number" ? value : fallback;
}

function stringOr(node: PropNode, fallback: string): string {
  const value = node.string();
  return typeof value === "string" && value !== "" ? value : fallback;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function rings(stack: StackView): Ring[] {
  const found: Ring[] = [];
  for (const mimir of mimirReleases(stack)) {
    const base = chartFullname(mimir.release, "mimir");
    if (isUnknown(base) || !base) continue;
    const values = mimir.release.values;
    const join = values.at("mimir.structuredConfig.memberlist.join_members");
    found.push({
      product: "Mimir",
      release: mimir.release,
      urn: mimir.urn,
      label: mimir.label,
      service: `${base}-gossip-ring`,
      portName: "gossip-ring",
      // Components the chart labels as memberlist members (mimir.podLabels memberlist true).
      memberServices: new RegExp(
        `^${escape(base)}-(distributor|ingester|querier|ruler|store-gateway|compactor|alertmanager)(-zone-[a-z0-9-]+)?(-headless)?$`,
      ),
      clusterDomain: stringOr(values.at("global.clusterDomain"), "cluster.local"),
      port: numberOr(values.at("mimir.structuredConfig.memberlist.bind_port"), MEMBERLIST_PORT),
      join: join.isPresent ? { node: join, at: "values.mimir.structuredConfig.memberlist.join_members" } : undefined,
    });
  }
  for (const loki of lokiReleases(stack)) {
    const base = chartFullname(loki.release, "loki");
    if (isUnknown(base) || !base) continue;
    const values = loki.values;
    const structured = values.at("loki.structuredConfig.memberlist.join_members");
    const replaced = values.at("loki.memberlistConfig");
    const replacedRaw = replaced.raw();
    const replacing =
      !isUnknown(replacedRaw) &&
      replacedRaw !== null &&
      typeof replacedRaw === "object" &&
      Object.keys(replacedRaw as object).length > 0;
    const fromReplaced = replaced.get("join_members");
    const join = structured.isPresent
      ? { node: structured, at: "values.loki.structuredConfig.memberlist.join_members" }
      : replacing && fromReplaced.isPresent
        ? { node: fromReplaced, at: "values.loki.memberlistConfig.join_members" }
        : undefined;
    const bindPort = values.at("loki.structuredConfig.memberlist.bind_port").isPresent
      ? values.at("loki.structuredConfig.memberlist.bind_port")
      : replacing
        ? replaced.get("bind_port")
        : values.at("loki.extraMemberlistConfig.bind_port");
    found.push({
      product: "Loki",
      release: loki.release,
      urn: loki.urn,
      label: loki.label,
      service: stringOr(values.at("memberlist.service.name"), `${base}-memberlist`),
      portName: "tcp",
      memberServices: new RegExp(
        `^${escape(base)}-(distributor|ingester|querier|query-frontend|query-scheduler|ruler|compactor|index-gateway|backend|write|read|single-binary)(-zone-[a-z0-9-]+)?(-headless)?$`,
      ),
      clusterDomain: stringOr(values.at("global.clusterDomain"), "cluster.local"),
      port: numberOr(bindPort, MEMBERLIST_PORT),
      join,
      dropped:
        join === undefined && replacing
          ? "values.loki.memberlistConfig replaces the chart's memberlist section (join_members included) and sets no join_members"
          : undefined,
    });
  }
  return found;
}

/** Services the stack declares itself, as `<name>.<namespace>`. */
function declaredServices(stack: StackView): Set<string> {
  const names = new Set<string>();
  for (const service of stack.ofType(SERVICE_TYPE)) {
    const name = service.props.get("metadata", "name").raw();
    const namespace = service.props.get("metadata", "namespace").raw();
    if (typeof name === "string") names.add(`${name}.${typeof namespace === "string" ? namespace : "default"}`);
  }
  return names;
}

/** Why one join entry misses the ring's members, or undefined when it reaches them. */
function miss(entry: string, ring: Ring, declared: Set<string>): string | undefined {
  let text = entry.trim();
  const prefix = /^(dns|dnssrv|dnssrvnoa)\+/.exec(text)?.[1];
  if (prefix) text = text.slice(prefix.length + 1);
  let port: number | undefined;
  const withPort = /^(.*):(\d+)$/.exec(text);
  if (withPort) {
    text = withPort[1];
    port = Number(withPort[2]);
  }
  let host = text.toLowerCase().replace(/\.$/, "");
  if (prefix === "dnssrv" || prefix === "dnssrvnoa") {
    const srv = /^_([^.]+)\._tcp\.(.+)$/.exec(host);
    if (!srv) return `is a ${prefix}+ lookup without the _<port-name>._tcp. SRV prefix, so it resolves to nothing`;
    if (srv[1] !== ring.portName)
      return `asks for SRV port name "${srv[1]}", but the Service's port is named "${ring.portName}", so the lookup returns nothing`;
    host = srv[2];
  }
  const namespace = ring.release.namespace;
  const labels = host.split(".");
  const service = labels[0];
  const rest = labels.slice(1).join(".");
  const sameNamespace =
    rest === "" ||
    rest === namespace ||
    rest === `${namespace}.svc` ||
    rest === `${namespace}.svc.${ring.clusterDomain.toLowerCase()}`;
  const knownElsewhere = rest !== "" && declared.has(`${service}.${labels[1]}`);
  if (!sameNamespace && !knownElsewhere) {
    if (labels.length >= 2 && labels[0] === ring.service)
      return `names namespace "${labels[1]}", but the Service is in namespace ${namespace}`;
    if (!rest.includes(".svc")) return `names host ${host}, no Service of namespace ${namespace}`;
    return `names ${host}, which is not the Service ${ring.service} in namespace ${namespace}`;
  }
  if (
    !knownElsewhere &&
    service !== ring.service &&
    !ring.memberServices.test(service) &&
    !declared.has(`${service}.${namespace}`)
  )
    return `names Service "${service}", which ${ring.label} does not render (its gossip Service is "${ring.service}"), so the name does not resolve`;
  if (port !== undefined && prefix !== "dnssrv" && prefix !== "dnssrvnoa" && port !== ring.port)
    return `dials port ${port}, but the members listen for gossip on ${ring.port} (memberlist bind_port)`;
  return undefined;
}

export const ringsJoinMemberlistService = stackRule<object>(
  {
    name: "rings-join-memberlist-service",
    rule: "W6",
    description:
      "Mimir's and Loki's memberlist.join_members must reach the chart's gossip Service (<fullname>-gossip-ring / <fullname>-memberlist) in the release namespace, on the members' bind_port",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Remove the memberlist.join_members override (the chart sets it), or name dns+<fullname>-gossip-ring.<namespace>.svc.cluster.local:7946 (Mimir) / <fullname>-memberlist.<namespace>.svc.cluster.local (Loki).",
    url: "https://grafana.com/docs/mimir/latest/references/architecture/memberlist-and-the-gossip-protocol/; mimir-distributed templates/gossip-ring/gossip-ring-svc.yaml; loki chart templates/service-memberlist.yaml",
    tags: ["mimir", "loki", "wiring"],
  },
  (stack, ctx) => {
    const declared = declaredServices(stack);
    for (const ring of rings(stack)) {
      const fix =
        ring.product === "Mimir"
          ? `dns+${ring.service}.${ring.release.namespace}.svc.${ring.clusterDomain}:${ring.port}`
          : `${ring.service}.${ring.release.namespace}.svc.${ring.clusterDomain}`;
      const consequence =
        `every pod gossips alone, so each ring (ingesters, distributors, store-gateways, ...) holds only the pod itself: writes fail ` +
        `with "too many unhealthy instances in the ring" / "empty ring" and queries miss data` +
        (ring.product === "Loki" ? ` (the chart's abort_if_cluster_join_fails: true stops the pods at start-up)` : "");
      if (ring.dropped) {
        ctx.violation(
          `${ring.label} ${ring.dropped}: ${consequence}. Fix: add join_members: [${fix}] to loki.memberlistConfig or remove that key.`,
          ring.urn,
        );
        continue;
      }
      if (!ring.join) continue;
      const raw = ring.join.node.raw();
      if (isUnknown(raw)) {
        ctx.inconclusive(raw);
        continue;
      }
      const entries = (Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : [raw])
        .map((e) => (typeof e === "string" ? e.trim() : e))
        .filter((e) => e !== "");
      if (entries.some((e) => typeof e !== "string")) continue; // unknown pieces: judged once known
      const misses = (entries as string[]).map((entry) => ({ entry, why: miss(entry, ring, declared) }));
      if (misses.some((m) => m.why === undefined)) continue; // one reachable entry is enough: gossip spreads the rest
      const detail = misses.length === 0 ? "is empty" : misses.map((m) => `"${m.entry}" ${m.why}`).join("; ");
      ctx.violation(
        `${ring.label} ${ring.join.at}: ${detail}. No entry reaches the ring members behind Service ${ring.service} ` +
          `(namespace ${ring.release.namespace}, port ${ring.port}), so ${consequence}. Fix: remove the override or set it to [${fix}].`,
        ring.urn,
      );
    }
  },
);
