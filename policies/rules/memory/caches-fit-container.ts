// B5 (HARD): an in-process cache a Mimir or Loki component is configured with must fit its container's memory limit
// beside the Go garbage collector's headroom.
//
// Inventory (caches whose configured size goes straight into the component's Go heap; memcached-backed caches run in
// their own pods, B1):
//   Mimir (config descriptor; Mimir docs references/architecture/components/store-gateway "In-memory index cache":
//   "Store-gateway memory usage increases"):
//     - store-gateway: blocks_storage.bucket_store.index_cache.inmemory.max_size_bytes (default 1 GiB) while
//       index_cache.backend is inmemory (Mimir's default; the chart switches it to memcached only with
//       `index-cache.enabled`, templates mimir.config `if index .Values "index-cache" "enabled"`);
//       blocks_storage.bucket_store.series_hash_cache_max_size_bytes (default 1 GiB, shared by all tenants);
//     - ingester: blocks_storage.tsdb.series_hash_cache_max_size_bytes (default 350 MiB).
//     (The per-tenant TSDB postings-for-matchers caches have no process-wide bound and are not counted; the chunks,
//     metadata and results caches are memcached only.)
//   Loki 3.7 (pkg/storage/chunk/cache/embeddedcache.go: embedded_cache.max_size_mb, default 100, in units of 1e6
//   bytes; fifocache no longer exists):
//     - chunk_store_config.chunk_cache_config.embedded_cache: queriers (Distributed querier, SimpleScalable read,
//       single binary);
//     - query_range.results_cache.cache.embedded_cache: query-frontends (queryFrontend, read, single binary);
//     - storage_config.index_queries_cache_config.embedded_cache: queriers (querier, read; ingesters and the write
//       target replace it with a fixed 200 MB one, pkg/loki/modules.go updateConfigForShipperStore).
//     Loki turns the chunk and results embedded caches on by itself when no other cache is configured
//     (pkg/loki/config_wrapper.go applyEmbeddedCacheConfig); the chart configures memcached for them while
//     chunksCache / resultsCache.enabled (values.yaml loki.config template).
//   Mimir's caches count at the size the values set (structuredConfig, or the component's extraArgs flag), else at
//   Mimir's default (a full cache reaches it); Loki's embedded caches only when the values size them
//   (loki.query_range / loki.storage_config / structuredConfig).
//
// The fraction required: a full cache is live heap. Without GOMEMLIMIT the Go GC lets the heap grow to
// live heap x (1 + GOGC/100) before it collects (Go GC guide, go.dev/doc/gc-guide, "GOGC": with the default GOGC=100
// twice the live heap), so the caches alone need (1 + GOGC/100) x their size: at most half of the limit with the
// default GOGC, before any of the component's own working set (which only makes it worse: this is a lower bound).
// With a GOMEMLIMIT (env GOMEMLIMIT; the Loki chart derives one from the limit, goMemLimitFactor 0.85 by default,
// see B2) the GC collects to stay under that soft limit instead, which it cannot do once the live heap alone is above
// it (gc-guide "Memory limit": the GC then runs almost continuously, capped at about 50% of CPU, and the heap grows
// past the limit), so the caches must then stay below GOMEMLIMIT (and the container limit).
// Past that the component is OOM-killed as queries fill the cache, and again after each restart.
import { formatBytes } from "../../lib/bytes";
import { LOKI_CHART_DEFAULTS } from "../../lib/loki";
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { known } from "../../lib/unknown";
import { booleanAt, numberAt } from "../capacity/values";
import { wholeNumber } from "../limits/common";
import { parseGoMemLimit } from "./go-memory-limit-within-container";
import { eachChecked, envValue, MemoryLimit, memoryLimit, MiB, showLimit } from "./limits";

/** One configured cache in a component: its size and the values path that sets it. */
interface Cache {
  bytes: number;
  where: string;
  /** e.g. "in-memory index cache" */
  what: string;
}

/** A component (values section) with its caches and the env lists that reach its container. */
interface Holder {
  release: HelmRelease;
  section: string;
  /** e.g. "store-gateway" */
  component: string;
  caches: Cache[];
  envLists: PropNode[];
  /** The Loki chart's GOMEMLIMIT factor when the chart derives one (no env GOMEMLIMIT). */
  lokiFactor?: number;
  /** How to move the cache out of the heap. */
  offload: string;
}

const DEFAULT_GOGC = 100;

// --- Mimir ---

const MIMIR_HOLDERS: ReadonlyArray<{
  section: string;
  component: string;
  /** Sizes the values do not set count at Mimir's default (MIMIR_DEFAULTS): a full cache reaches it. */
  caches: ReadonlyArray<{ path: string; what: string; inmemoryIndexCache?: true }>;
  offload: string;
}> = [
  {
    section: "store_gateway",
    component: "store-gateway",
    caches: [
      {
        path: "blocks_storage.bucket_store.index_cache.inmemory.max_size_bytes",
        what: "in-memory index cache",
        inmemoryIndexCache: true,
      },
      {
        path: "blocks_storage.bucket_store.series_hash_cache_max_size_bytes",
        what: "series hash cache",
      },
    ],
    offload:
      "move the index cache to memcached (values index-cache.enabled: true; the chart then sets backend memcached)",
  },
  {
    section: "ingester",
    component: "ingester",
    caches: [{ path: "blocks_storage.tsdb.series_hash_cache_max_size_bytes", what: "series hash cache" }],
    offload: "lower the cache",
  },
];

/** The index cache backend the store-gateways run: the values' own, else memcached with the chart's index-cache, else Mimir's inmemory. */
function indexCacheInMemory(mimir: MimirRelease): boolean {
  const backend = known(mimir.configured("blocks_storage.bucket_store.index_cache.backend"));
  if (backend !== undefined) return String(backend.value) === "inmemory";
  return !booleanAt(mimir.values.at("index-cache.enabled"), false);
}

function mimirHolders(mimir: MimirRelease): Holder[] {
  const holders: Holder[] = [];
  for (const spec of MIMIR_HOLDERS) {
    if (!booleanAt(mimir.values.at(`${spec.section}.enabled`), true)) continue;
    const caches: Cache[] = [];
    for (const cache of spec.caches) {
      if (cache.inmemoryIndexCache && !indexCacheInMemory(mimir)) continue;
      const found = known(mimir.setting(cache.path));
      if (found === undefined) continue;
      const bytes = wholeNumber(found.value);
      if (bytes === undefined || bytes <= 0) continue;
      caches.push({ bytes, where: `${found.where}=${JSON.stringify(found.value)}`, what: cache.what });
    }
    if (caches.length === 0) continue;
    holders.push({
      release: mimir.release,
      section: spec.section,
      component: spec.component,
      caches,
      envLists: [mimir.values.at("global.extraEnv"), mimir.values.at(`${spec.section}.env`)],
      offload: spec.offload,
    });
  }
  return holders;
}

// --- Loki ---

type LokiCacheKey = "chunks" | "results" | "indexQueries";

const LOKI_CACHES: Readonly<
  Record<LokiCacheKey, { path: string; valuesPath?: string; what: string; auto?: "chunksCache" | "resultsCache" }>
> = {
  chunks: {
    path: "chunk_store_config.chunk_cache_config",
    what: "embedded chunk cache",
    auto: "chunksCache",
  },
  results: {
    path: "query_range.results_cache.cache",
    valuesPath: "loki.query_range.results_cache.cache",
    what: "embedded results cache",
    auto: "resultsCache",
  },
  indexQueries: {
    path: "storage_config.index_queries_cache_config",
    valuesPath: "loki.storage_config.index_queries_cache_config",
    what: "embedded index queries cache",
  },
};

/** The Loki workloads holding each cache, per deployment mode (pkg/loki/loki.go: read = QueryFrontend + Querier). */
function lokiSections(values: PropNode): Array<{ section: string; caches: LokiCacheKey[] }> {
  const mode = known(values.at("deploymentMode").string()) ?? LOKI_CHART_DEFAULTS.deploymentMode;
  const modes = mode.split("<->");
  const sections: Array<{ section: string; caches: LokiCacheKey[] }> = [];
  if (modes.some((m) => m === "Monolithic" || m === "SingleBinary"))
    sections.push({ section: "singleBinary", caches: ["chunks", "results"] });
  if (modes.includes("SimpleScalable") && numberAt(values.at("read.replicas"), 3) > 0)
    sections.push({ section: "read", caches: ["chunks", "results", "indexQueries"] });
  if (modes.includes("Distributed")) {
    if (numberAt(values.at("querier.replicas"), 0) > 0)
      sections.push({ section: "querier", caches: ["chunks", "indexQueries"] });
    if (numberAt(values.at("queryFrontend.replicas"), 0) > 0)
      sections.push({ section: "queryFrontend", caches: ["results"] });
  }
  return sections;
}

/** A Loki cache config block: loki.structuredConfig wins over the chart's templated section. */
function lokiBlock(values: PropNode, path: string, valuesPath?: string): PropNode {
  const structured = values.at(`loki.structuredConfig.${path}`);
  if (structured.at("embedded_cache").isPresent || !valuesPath) return structured;
  return values.at(valuesPath);
}

function lokiCache(values: PropNode, key: LokiCacheKey): Cache | undefined {
  const spec = LOKI_CACHES[key];
  const block = lokiBlock(values, spec.path, spec.valuesPath);
  const embedded = block.get("embedded_cache");
  const sizeNode = embedded.get("max_size_mb");
  const size = known(sizeNode.raw());
  if (size === undefined) return undefined;
  const mb = wholeNumber(size);
  if (mb === undefined || mb <= 0) return undefined;
  const enabled = known(embedded.get("enabled").boolean());
  if (enabled !== true) {
    // Off unless Loki turns it on itself: chunk and results caches with no other cache configured.
    if (enabled === false || !spec.auto) return undefined;
    if (booleanAt(values.at(`${spec.auto}.enabled`), true)) return undefined;
    const structured = values.at(`loki.structuredConfig.${spec.path}`);
    if (["memcached", "memcached_client", "redis"].some((k) => structured.get(k).isPresent)) return undefined;
  }
  return { bytes: mb * 1e6, where: `${sizeNode.where}=${JSON.stringify(size)}`, what: spec.what };
}

function lokiHolders(release: HelmRelease): Holder[] {
  const values = release.values;
  const raw = known(values.at("defaults.goSettings.goMemLimitFactor").number());
  // loki.componentEnv: `.factor | default 0.85`; absent and 0 both read as 0.85 (B2).
  const factor = raw === undefined || raw === 0 ? 0.85 : raw;
  const holders: Holder[] = [];
  for (const { section, caches: keys } of lokiSections(values)) {
    const caches = keys.flatMap((key) => lokiCache(values, key) ?? []);
    if (caches.length === 0) continue;
    holders.push({
      release,
      section,
      component: section,
      caches,
      envLists: [values.at("global.extraEnv"), values.at("defaults.extraEnv"), values.at(`${section}.extraEnv`)],
      lokiFactor: factor,
      offload: "use the chart's memcached caches (chunksCache / resultsCache.enabled)",
    });
  }
  return holders;
}

// --- the check ---

/** The GOGC percentage of a container (env GOGC; "off" or a negative value disables the GOGC goal). */
function gogcOf(holder: Holder): number | "off" | "unknown" {
  const setting = envValue(holder.envLists, "GOGC");
  if (setting === undefined) return DEFAULT_GOGC;
  if (setting === "valueFrom" || setting.value.includes("$(")) return "unknown";
  if (setting.value === "") return DEFAULT_GOGC;
  if (setting.value === "off") return "off";
  if (!/^-?\d+$/.test(setting.value)) return "unknown";
  const value = Number(setting.value);
  return value < 0 ? "off" : value;
}

/** The GOMEMLIMIT the container runs with: env, else the Loki chart's derived one; undefined when none. */
function goMemLimitOf(holder: Holder, limit: MemoryLimit): { bytes: number; text: string } | undefined | "unknown" {
  const setting = envValue(holder.envLists, "GOMEMLIMIT");
  if (setting === "valueFrom" || (setting !== undefined && setting.value.includes("$("))) return "unknown";
  if (setting !== undefined && setting.value !== "") {
    const bytes = parseGoMemLimit(setting.value);
    if (bytes === "off") return undefined;
    if (bytes === undefined) return "unknown"; // B2 reports the malformed value
    return { bytes, text: `${setting.where}=${setting.value}` };
  }
  if (holder.lokiFactor === undefined || holder.lokiFactor <= 0) return undefined;
  const mib = Math.trunc(Math.trunc(limit.bytes / MiB) * holder.lokiFactor);
  return {
    bytes: mib * MiB,
    text: `GOMEMLIMIT=${mib}MiB (the loki chart's goMemLimitFactor ${holder.lokiFactor} x the limit)`,
  };
}

function check<C extends object>(ctx: RuleContext<C>, holder: Holder): void {
  const limit = memoryLimit(holder.release.values.at(`${holder.section}.resources`));
  if (limit === undefined) return;
  const gogc = gogcOf(holder);
  const memLimit = goMemLimitOf(holder, limit);
  if (gogc === "unknown" || memLimit === "unknown") return;
  const total = holder.caches.reduce((sum, c) => sum + c.bytes, 0);
  const caches = holder.caches.map((c) => `${c.where} (${c.what}, ${formatBytes(c.bytes)})`).join(" + ");
  const sum = holder.caches.length > 1 ? ` = ${formatBytes(total)}` : "";
  const label = `${holder.release.label}'s ${holder.component}`;

  // The GC takes the lower of the GOGC goal and the GOMEMLIMIT goal: the cache fits under the larger allowance.
  if (gogc === "off" && !memLimit) return; // no GC goal at all: not a cache question
  const gogcAllowance = gogc === "off" ? 0 : limit.bytes / (1 + gogc / 100);
  const memAllowance = memLimit ? Math.min(memLimit.bytes, limit.bytes) : 0;
  const byMemLimit = memLimit !== undefined && memAllowance >= gogcAllowance;
  if (byMemLimit ? total < memAllowance : total <= gogcAllowance) return;

  const growth = 1 + (gogc === "off" ? 0 : gogc / 100);
  const reason =
    byMemLimit && memLimit
      ? `at or above ${memLimit.text} (${formatBytes(memLimit.bytes)}), the soft limit the Go GC collects to: once the full cache alone ` +
        `is above it the GC runs almost continuously and the heap grows past it to the container limit (Go GC guide, "Memory limit")`
      : `more than 1/(1 + GOGC/100) = ${Math.round(100 / growth)}% of it: with GOGC=${gogc}${memLimit ? "" : " and no GOMEMLIMIT"} the Go GC ` +
        `lets the heap grow to ${growth.toFixed(2)} x the live heap, which the full cache is part of, before collecting (Go GC guide, "GOGC")`;
  const fitBytes = Math.floor(byMemLimit ? memAllowance : gogcAllowance);
  const raise = byMemLimit
    ? `raise the memory limit and GOMEMLIMIT until GOMEMLIMIT is well above ${formatBytes(total)}`
    : `raise ${holder.section}.resources.limits.memory to more than ${Math.ceil((total * growth) / MiB)}Mi`;
  ctx.violation(
    `${caches}${sum} of in-process cache in each of ${label}, whose memory limit is ${showLimit(limit)}: ${reason}. ` +
      `As queries fill the cache the ${holder.component} pods are OOM-killed, and again after every restart. ` +
      `Fix: lower the cache to at most ${formatBytes(fitBytes)} in all (less its working set), ${holder.offload}, or ${raise}.`,
    holder.release.resource.urn,
  );
}

export const cachesFitContainer = stackRule<object>(
  {
    name: "caches-fit-container",
    rule: "B5",
    description:
      "In-process caches set in the values (Mimir store-gateway in-memory index cache and series hash cache, ingester series hash cache; Loki embedded chunk, results and index-queries caches) fit the container's memory limit beside the Go GC's headroom: at most limit / (1 + GOGC/100), half with the default GOGC, or below GOMEMLIMIT when one is set",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Lower the cache size (Mimir *.max_size_bytes, Loki embedded_cache.max_size_mb) to at most half of the component's resources.limits.memory " +
      "(below GOMEMLIMIT when one is set), move the cache to memcached, or raise the memory limit.",
    url: "https://go.dev/doc/gc-guide (GOGC, memory limit); https://grafana.com/docs/mimir/latest/references/architecture/components/store-gateway/ (in-memory index cache)",
    tags: ["mimir", "loki", "memory", "cache"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      eachChecked(ctx, () => {
        for (const holder of mimirHolders(mimir)) eachChecked(ctx, () => check(ctx, holder));
      });
    }
    for (const release of stack.helmReleases(CHARTS.loki)) {
      eachChecked(ctx, () => {
        for (const holder of lokiHolders(release)) eachChecked(ctx, () => check(ctx, holder));
      });
    }
  },
);
