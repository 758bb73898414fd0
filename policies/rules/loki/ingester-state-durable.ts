// L6 (HARD, acknowledged logs lost or unqueryable): what Loki ingesters hold before a chunk is flushed must survive a
// pod restart, and queriers must ask ingesters for as long as chunks stay there.
// - The WAL (ingester.wal.enabled, default true: Loki pkg/ingester/wal.go, "ingester.wal-enabled") is what keeps an
//   acknowledged line across a crash: "Ingesters temporarily store data in memory. In the event of a crash, there could
//   be data loss. The Write Ahead Log (WAL) helps fill this gap" (Loki docs, operations/storage/wal.md).
// - The WAL must be on a volume that outlives the pod: "ingesters need to have the same persistent volume across
//   restarts/rollout" and the WAL directory "should be on the mounted volume" (same page). The loki chart 18.11.0 mounts
//   the component's `data` volume at /var/loki (common.path_prefix, where Loki puts the WAL) and makes it a PVC only
//   when `<component>.persistence.enabled` or `.volumeClaimsEnabled` is true and `persistence.type` is pvc; otherwise it
//   is an emptyDir (`persistence.inMemory`: a memory-backed one), deleted with the pod (templates/_pod.tpl,
//   templates/_workload.tpl). Defaults (values.yaml): singleBinary.persistence.enabled true, write.persistence
//   .volumeClaimsEnabled true, ingester.persistence.enabled false. The chart's loki.ingester.wal.flush_on_shutdown true
//   flushes on a graceful stop, so what is lost is what a pod held when it went away uncleanly (node loss, eviction,
//   OOM kill of a memory-backed volume's pod, a drain that outlasts the grace period).
// - Queriers ask ingesters only for the last querier.query_ingesters_within (default 3h, Loki pkg/querier/querier.go),
//   and an ingester flushes a chunk only when it is idle or max_chunk_age old (ingester.max_chunk_age, default 2h, Loki
//   pkg/ingester/ingester.go): with query_ingesters_within at or below max_chunk_age, lines older than the former and not
//   yet flushed are read from neither (grafana/loki#6043, confirmed by a maintainer: queries "left out logs" with
//   query_ingesters_within 15m and max_chunk_age 2h until the chunks were flushed).
import { formatDuration } from "../../lib/duration";
import { LOKI_CHART_DEFAULTS, LokiRelease, lokiReleases } from "../../lib/loki";
import { Maybe, parseSourcedDuration, PropNode, showDuration, Sourced } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

interface Holder {
  component: string;
  mode: string;
  defaults: { enabled: boolean; volumeClaimsEnabled: boolean };
}

/** The chart sections whose pods run ingesters, per deployment mode, with their persistence defaults (values.yaml). */
const HOLDERS: Holder[] = [
  { component: "singleBinary", mode: "Monolithic", defaults: { enabled: true, volumeClaimsEnabled: false } },
  { component: "singleBinary", mode: "SingleBinary", defaults: { enabled: true, volumeClaimsEnabled: false } },
  { component: "write", mode: "SimpleScalable", defaults: { enabled: false, volumeClaimsEnabled: true } },
  { component: "ingester", mode: "Distributed", defaults: { enabled: false, volumeClaimsEnabled: false } },
];

/** Loki defaults: querier.query_ingesters_within 3h (pkg/querier/querier.go), ingester.max_chunk_age 2h (pkg/ingester). */
const QUERY_INGESTERS_WITHIN_DEFAULT = "3h";
const MAX_CHUNK_AGE_DEFAULT = "2h";

function flag(node: PropNode, fallback: boolean): Maybe<Sourced<boolean>> {
  const value = node.boolean();
  if (isUnknown(value)) return value;
  return value === undefined
    ? { value: fallback, where: `${node.owner.label} chart default ${node.pathText.replace(/^values\./, "")}` }
    : { value, where: node.where };
}

/** Why a component's /var/loki does not survive its pod, or undefined when it does (or cannot be judged). */
function volumeProblem(ctx: RuleContext<object>, loki: LokiRelease, holder: Holder): string | undefined {
  const base = loki.values.at(`${holder.component}.persistence`);
  const enabled = flag(base.get("enabled"), holder.defaults.enabled);
  const claims = flag(base.get("volumeClaimsEnabled"), holder.defaults.volumeClaimsEnabled);
  const type = base.get("type").string();
  const inMemory = base.get("inMemory").boolean();
  const params = base.get("dataVolumeParameters").raw();
  for (const v of [enabled, claims, type, inMemory, params]) {
    if (isUnknown(v)) {
      ctx.inconclusive(v);
      return undefined;
    }
  }
  const on = enabled as Sourced<boolean>;
  const vce = claims as Sourced<boolean>;
  const setting = `${on.where}=${on.value}`;
  if (on.value || vce.value) {
    if (type === "ephemeral") {
      return `${base.get("type").where}=ephemeral: its /var/loki is an ephemeral volume, deleted with the pod`;
    }
    return undefined;
  }
  if (inMemory === true) {
    return `${setting} with ${base.get("inMemory").where}=true: its /var/loki (the WAL) is a memory-backed emptyDir, deleted with the pod`;
  }
  // A user-supplied volume (anything but an emptyDir) may well persist; the pack cannot judge it.
  if (params && typeof params === "object" && Object.keys(params).length > 0 && !("emptyDir" in params))
    return undefined;
  const claimsText = holder.defaults.volumeClaimsEnabled
    ? ""
    : ` (and ${holder.component}.persistence.volumeClaimsEnabled not true)`;
  return `${setting}${claimsText}: its /var/loki, where the WAL lives, is an emptyDir, deleted with the pod`;
}

function duration(loki: LokiRelease, paths: string[], fallback: string, defaultWhere: string): Maybe<Sourced<number>> {
  for (const path of paths) {
    const node = loki.values.at(path);
    if (node.isUnknown) return node.unknown();
    if (node.isPresent) return parseSourcedDuration({ value: node.raw(), where: node.where }, "go", loki.urn);
  }
  return parseSourcedDuration({ value: fallback, where: defaultWhere }, "go", loki.urn);
}

/**
 * The loki chart 18.11.0 mounts the component's persistent volume (`data`, `storage` for the single binary) at
 * /var/loki in every deployment mode and an emptyDir `temp` at /tmp (templates/_pod.tpl volumeMounts); the root file
 * system is read-only (values.yaml loki.containerSecurityContext.readOnlyRootFilesystem true). Unset, Loki puts the
 * WAL and the TSDB active index under common.path_prefix (/var/loki: pkg/loki/config_wrapper.go applyPathPrefixDefaults).
 */
const LOKI_DATA_MOUNT = "/var/loki";
const STATE_DIRS: ReadonlyArray<{ what: string; paths: string[] }> = [
  { what: "WAL", paths: ["loki.structuredConfig.ingester.wal.dir", "loki.ingester.wal.dir"] },
  {
    what: "TSDB active index",
    paths: [
      "loki.structuredConfig.storage_config.tsdb_shipper.active_index_directory",
      "loki.storage_config.tsdb_shipper.active_index_directory",
    ],
  },
];
const MOUNTING_COMPONENTS = ["singleBinary", "write", "ingester", "backend"];

/** An absolute WAL / active-index directory outside /var/loki (and outside any extra volume mount) is on an emptyDir. */
function walDirsOnVolume(ctx: RuleContext<object>, loki: LokiRelease): void {
  const extraMounts: string[] = [];
  for (const component of MOUNTING_COMPONENTS) {
    const mounts = loki.values.at(`${component}.extraVolumeMounts`).raw();
    if (Array.isArray(mounts))
      for (const m of mounts) if (m && typeof m.mountPath === "string") extraMounts.push(m.mountPath);
  }
  const under = (dir: string, root: string) => dir === root || dir.startsWith(root.endsWith("/") ? root : `${root}/`);
  for (const state of STATE_DIRS) {
    const node = state.paths.map((p) => loki.values.at(p)).find((n) => n.isUnknown || n.isPresent);
    if (!node) continue;
    if (node.isUnknown) {
      ctx.inconclusive(node.unknown());
      continue;
    }
    const dir = node.raw();
    // A relative directory resolves against the container's working directory; not judged.
    if (typeof dir !== "string" || !dir.startsWith("/")) continue;
    const normal = dir.replace(/\/+$/, "") || "/";
    if (under(normal, LOKI_DATA_MOUNT) || extraMounts.some((m) => under(normal, m))) continue;
    const where =
      normal === "/tmp" || normal.startsWith("/tmp/")
        ? "the chart's `temp` emptyDir mounted at /tmp"
        : "no volume the chart mounts (the root file system is read-only)";
    ctx.violation(
      `${node.where}=${dir}: the ingesters' ${state.what} is outside ${LOKI_DATA_MOUNT}, the only path the loki chart mounts from the persistent volume, ` +
        `and lands on ${where} (loki 18.11.0 templates/_pod.tpl): a pod that goes away without a clean shutdown (node loss, eviction, a drain past the grace period) ` +
        `comes back without it, and the log lines it had acknowledged but not flushed are lost (Loki docs, Write Ahead Log: the WAL directory "should be on the mounted volume"). ` +
        `Fix: put it under ${LOKI_DATA_MOUNT} (e.g. ${LOKI_DATA_MOUNT}/wal, the default with common.path_prefix ${LOKI_DATA_MOUNT}) or remove the key.`,
      loki.urn,
    );
  }
}

export const lokiIngesterStateDurable = stackRule<object>(
  {
    name: "loki-ingester-state-durable",
    rule: "L6",
    description:
      "Loki ingesters must keep the WAL on and on a persistent volume, and queriers must ask ingesters for longer than max_chunk_age",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Leave ingester.wal.enabled at true, give the pods that run ingesters a persistent volume (ingester.persistence.enabled: true in Distributed mode), and keep querier.query_ingesters_within (default 3h) above ingester.max_chunk_age (default 2h).",
    url: "https://grafana.com/docs/loki/latest/operations/storage/wal/; https://github.com/grafana/loki/issues/6043",
    tags: ["loki", "durability"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      const wal = loki.setting("ingester.wal.enabled") ?? { value: true, where: "Loki default ingester.wal.enabled" };
      ctx.known([wal], (walEnabled) => {
        if (walEnabled.value !== false && walEnabled.value !== "false") return;
        ctx.violation(
          `${walEnabled.where}=false: ingesters keep acknowledged log lines only in memory until their chunk is flushed (up to max_chunk_age, default 2h); ` +
            `an ingester that crashes or is OOM-killed loses them, and losing the ingesters of all of a stream's replicas loses them for good ` +
            `(Loki docs, Write Ahead Log: "In the event of a crash, there could be data loss"). Fix: remove the key (the WAL is on by default) and keep the WAL on a persistent volume.`,
          loki.urn,
        );
      });

      const mode = loki.stringValue("deploymentMode", LOKI_CHART_DEFAULTS.deploymentMode);
      if (isUnknown(mode)) ctx.inconclusive(mode);
      else {
        const modes = mode.value.split("<->");
        const seen = new Set<string>();
        for (const holder of HOLDERS.filter((h) => modes.includes(h.mode))) {
          if (seen.has(holder.component)) continue;
          seen.add(holder.component);
          // The chart runs at least one single binary in Monolithic mode (lib/loki.ts monolithicReplicas); write and
          // ingester pods exist only with replicas above 0 (defaults 3 and 0).
          const replicas = loki.values.at(`${holder.component}.replicas`).number();
          if (isUnknown(replicas)) {
            ctx.inconclusive(replicas);
            continue;
          }
          const fallback = holder.component === "write" ? LOKI_CHART_DEFAULTS.writeReplicas : 0;
          if (holder.component !== "singleBinary" && (replicas ?? fallback) === 0) continue;
          const problem = volumeProblem(ctx, loki, holder);
          if (!problem) continue;
          ctx.violation(
            `${problem} (${mode.where}=${mode.value}, ingesters run in ${holder.component}): a pod of ${holder.component} that goes away without a clean shutdown ` +
              `(node loss, eviction, a drain past the grace period) comes back with an empty WAL, and the log lines it had acknowledged but not flushed are lost ` +
              `(Loki docs, Write Ahead Log: ingesters "need to have the same persistent volume across restarts"). ` +
              `Fix: set ${holder.component}.persistence.enabled: true (with a claim and storage class) so the WAL lives on a PersistentVolumeClaim.`,
            loki.urn,
          );
        }
      }

      walDirsOnVolume(ctx, loki);

      const within = duration(
        loki,
        ["loki.structuredConfig.querier.query_ingesters_within", "loki.querier.query_ingesters_within"],
        QUERY_INGESTERS_WITHIN_DEFAULT,
        "Loki default querier.query_ingesters_within",
      );
      const maxAge = duration(
        loki,
        ["loki.structuredConfig.ingester.max_chunk_age", "loki.ingester.max_chunk_age"],
        MAX_CHUNK_AGE_DEFAULT,
        "Loki default ingester.max_chunk_age",
      );
      ctx.known([within, maxAge], (w, age) => {
        // 0 sends every query to the ingesters.
        if (w.value === 0 || w.value > age.value) return;
        ctx.violation(
          `${showDuration(w)} <= ${showDuration(age)}: queriers stop asking ingesters about lines older than ${formatDuration(w.value)}, ` +
            `but an ingester flushes a chunk only when it is idle or ${formatDuration(age.value)} old, so lines between ${formatDuration(w.value)} and ` +
            `${formatDuration(age.value)} old that are still in memory are read from neither ingesters nor storage: queries silently miss them (grafana/loki#6043). ` +
            `Fix: raise query_ingesters_within above max_chunk_age (defaults 3h and 2h) or lower max_chunk_age.`,
          loki.urn,
        );
      });
    }
  },
);
