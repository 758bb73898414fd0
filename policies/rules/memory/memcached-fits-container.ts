// B1 (HARD): every memcached cache the charts render must start and fit its container.
//
// Both charts run memcached with `-m <allocatedMemory>` (MB) and `-I <maxItemMemory>m` and, when `<cache>.resources`
// is empty, give the container a memory limit of round(1.2 x allocatedMemory) Mi:
//   - mimir-distributed 6.0.x templates/memcached/_memcached-statefulset.tpl "mimir.memcached.statefulSet"
//     (`$requestMemory := div (add (mul .allocatedMemory 12) 5) 10` as request and limit; grafana/mimir#16348, after
//     6.0.x, raised the default to a request of that + 100Mi and a limit of max(round(1.5 x allocatedMemory), request));
//   - loki 18.11.0 templates/memcached/_memcached-statefulset.tpl "loki.memcached.statefulSet" (the same formula).
// The chart's own default is the least the container is given for that cache, so an explicit
// `<cache>.resources.limits.memory` below it is refused: memcached fills its -m slab memory plus hash table,
// connection buffers and threads, passes the limit and is OOM-killed (grafana/mimir#16348: "so that memcached has
// headroom below its container's memory limit before being OOM killed").
//
// memcached itself exits at start-up (EX_USAGE) when -I exceeds half of -m ("Cannot set item size limit higher than
// 1/2 of memory max."), exceeds 1 GiB ("Cannot set item size limit higher than a gigabyte.") or is below 1024 bytes
// ("Item max size cannot be less than 1024 bytes.") (memcached memcached.c, main, after option parsing).
import { formatBytes } from "../../lib/bytes";
import { PolicyInputError, PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { known } from "../../lib/unknown";
import { booleanAt } from "../capacity/values";
import { eachChecked, MiB, memoryLimit, showLimit } from "./limits";

interface CacheDefaults {
  /** values key, e.g. "chunks-cache" or "chunksCache.l2" */
  key: string;
  enabled: boolean;
  allocatedMemoryMB: number;
  maxItemMemoryMB: number;
  /** Another values flag that must also be on for the StatefulSet to render. */
  alsoRequires?: Array<{ path: string; enabled: boolean }>;
}

// mimir-distributed 6.0.x values.yaml: every cache disabled by default; allocatedMemory 8192 / 2048 / 512 / 512 MB
// (the sizes policies/rules/capacity/pods.ts models); maxItemMemory 1 / 5 / 1 / 5 MB (values `<cache>.maxItemMemory`;
// grafana/mimir#14857 raised results-cache to 25 MB in a later chart: the smaller figure is kept, which can only
// under-report).
const MIMIR_CACHES: ReadonlyArray<CacheDefaults> = [
  { key: "chunks-cache", enabled: false, allocatedMemoryMB: 8192, maxItemMemoryMB: 1 },
  { key: "index-cache", enabled: false, allocatedMemoryMB: 2048, maxItemMemoryMB: 5 },
  { key: "metadata-cache", enabled: false, allocatedMemoryMB: 512, maxItemMemoryMB: 1 },
  { key: "results-cache", enabled: false, allocatedMemoryMB: 512, maxItemMemoryMB: 5 },
];

// loki 18.11.0 values.yaml: chunksCache (8192 MB, -I 5m) and resultsCache (1024 MB, -I 5m) on, chunksCache.l2 (8192 MB,
// -I 5m) off; a StatefulSet renders only with `memcached.enabled` (default true) too (templates/memcached
// "loki.memcached.statefulSet": `if and .enabled ($.ctx.Values.memcached.enabled)`), and the l2 one only inside
// `chunksCache.enabled` (templates/chunks-cache/statefulset.yaml).
const LOKI_MEMCACHED = { path: "memcached.enabled", enabled: true };
const LOKI_CACHES: ReadonlyArray<CacheDefaults> = [
  { key: "chunksCache", enabled: true, allocatedMemoryMB: 8192, maxItemMemoryMB: 5, alsoRequires: [LOKI_MEMCACHED] },
  { key: "resultsCache", enabled: true, allocatedMemoryMB: 1024, maxItemMemoryMB: 5, alsoRequires: [LOKI_MEMCACHED] },
  {
    key: "chunksCache.l2",
    enabled: false,
    allocatedMemoryMB: 8192,
    maxItemMemoryMB: 5,
    alsoRequires: [LOKI_MEMCACHED, { path: "chunksCache.enabled", enabled: true }],
  },
];

/** round(1.2 x allocatedMemory) in Mi with the charts' integer arithmetic: (allocatedMemory x 12 + 5) / 10. */
export function chartMemcachedLimitMiB(allocatedMemoryMB: number): number {
  return Math.floor((allocatedMemoryMB * 12 + 5) / 10);
}

/** The largest allocatedMemory whose chart limit fits `limitMiB`: 12 x a + 5 < 10 x (limitMiB + 1). */
function largestAllocatedMB(limitMiB: number): number {
  return Math.max(Math.floor((10 * limitMiB + 4) / 12), 0);
}

/** memcached's -I ceiling (memcached.c: `settings.item_size_max > (1024 * 1024 * 1024)`). */
const ITEM_SIZE_CEILING_MB = 1024;

interface Sized {
  value: number;
  where: string;
}

function sizeMB(section: PropNode, key: string, fallback: number, label: string, cache: string): Sized {
  const node = section.get(key);
  const value = known(node.number());
  if (value === undefined) return { value: fallback, where: `${label} chart default ${cache}.${key}` };
  if (!Number.isInteger(value))
    throw new PolicyInputError(
      `${node.where}=${JSON.stringify(node.raw())} is not a whole number of MB (the chart passes it to memcached as -m / -I <n>m).`,
      node.owner.urn,
    );
  return { value, where: node.where };
}

function checkCache(release: HelmRelease, cache: CacheDefaults, report: (message: string) => void): void {
  const values = release.values;
  const section = values.at(cache.key);
  if (!booleanAt(section.get("enabled"), cache.enabled)) return;
  if ((cache.alsoRequires ?? []).some((flag) => !booleanAt(values.at(flag.path), flag.enabled))) return;
  const allocated = sizeMB(section, "allocatedMemory", cache.allocatedMemoryMB, release.label, cache.key);
  const item = sizeMB(section, "maxItemMemory", cache.maxItemMemoryMB, release.label, cache.key);
  const shown = (s: Sized) => `${s.where}=${s.value}`;

  // (b) memcached's own start-up checks on -I against -m.
  if (item.value * 2 > allocated.value) {
    report(
      `${shown(item)} (memcached -I ${item.value}m) is above half of ${shown(allocated)} (-m ${allocated.value}): memcached exits at start-up ` +
        `with "Cannot set item size limit higher than 1/2 of memory max." and the ${cache.key} pods crash-loop, so every read falls through to object storage. ` +
        `Fix: lower ${cache.key}.maxItemMemory to at most ${Math.floor(allocated.value / 2)} or raise ${cache.key}.allocatedMemory to at least ${item.value * 2}.`,
    );
  } else if (item.value > ITEM_SIZE_CEILING_MB) {
    report(
      `${shown(item)} (memcached -I ${item.value}m) is above 1024 MB: memcached exits at start-up with "Cannot set item size limit higher than a gigabyte." ` +
        `and the ${cache.key} pods crash-loop. Fix: set ${cache.key}.maxItemMemory to at most 1024.`,
    );
  } else if (item.value < 1) {
    report(
      `${shown(item)} (memcached -I ${item.value}m) is below 1024 bytes: memcached exits at start-up with "Item max size cannot be less than 1024 bytes." ` +
        `and the ${cache.key} pods crash-loop. Fix: set ${cache.key}.maxItemMemory to at least 1.`,
    );
  }

  // (a) an explicit memory limit must hold -m plus the chart's own overhead. An empty resources gets the chart's
  // default limit, which is that minimum by construction.
  const limit = memoryLimit(section.get("resources"));
  if (limit === undefined) return;
  const minimumMiB = chartMemcachedLimitMiB(allocated.value);
  if (limit.bytes >= minimumMiB * MiB) return;
  const below =
    limit.bytes < allocated.value * MiB ? `, below even memcached's -m ${allocated.value} of item memory` : "";
  report(
    `${showLimit(limit)} < round(1.2 x ${shown(allocated)}) = ${formatBytes(minimumMiB * MiB)}, the limit the chart itself gives this cache${below}: ` +
      `memcached fills -m with items, adds its hash table, connection buffers and threads on top, passes the limit and is OOM-killed, ` +
      `dropping the whole ${cache.key} and sending every read to object storage. ` +
      `Fix: raise ${cache.key}.resources.limits.memory to at least ${minimumMiB}Mi, or lower ${cache.key}.allocatedMemory to at most ` +
      `${largestAllocatedMB(Math.floor(limit.bytes / MiB))}.`,
  );
}

export const memcachedFitsContainer = stackRule<object>(
  {
    name: "memcached-fits-container",
    rule: "B1",
    description:
      "Each enabled memcached cache (Mimir chunks/index/metadata/results, Loki chunks/results) starts (-I <= half of -m, <= 1 GiB) and its explicit memory limit holds -m plus the chart's overhead (round(1.2 x allocatedMemory) Mi)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep <cache>.maxItemMemory at most half of <cache>.allocatedMemory, and <cache>.resources.limits.memory at least round(1.2 x allocatedMemory) Mi " +
      "(or leave <cache>.resources empty so the chart derives it).",
    url: "https://github.com/grafana/mimir/blob/main/operations/helm/charts/mimir-distributed/templates/memcached/_memcached-statefulset.tpl (and memcached.c item_size_max checks)",
    tags: ["memcached", "mimir", "loki", "memory"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    const charts = [
      [CHARTS.mimir, MIMIR_CACHES],
      [CHARTS.loki, LOKI_CACHES],
    ] as const;
    for (const [chart, caches] of charts) {
      for (const release of stack.helmReleases(chart)) {
        for (const cache of caches) {
          eachChecked(ctx, () => checkCache(release, cache, (message) => ctx.violation(message, release.resource.urn)));
        }
      }
    }
  },
);
