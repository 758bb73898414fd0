// L9 (HARD, writes blocked and unflushed logs stuck after an outage): Loki's WAL replay ceiling must sit below the
// memory limit of the containers that run the ingester.
// - Loki 3.7.6 pkg/ingester/wal.go: replay_memory_ceiling (default 4GB) is the "Maximum memory size the WAL may use
//   during replay. After hitting this, it will flush data to storage before continuing."
// - docs/sources/operations/storage/wal.md: this backpressure is what lets "a WAL many times larger than available
//   memory" be replayed after an outage; "We suggest setting this to a high percentage (~75%) of available memory."
// With the ceiling at or above the container's memory limit the flush never starts before the kernel OOM-kills the
// container: an ingester restarting with a large WAL (after an object-store outage, exactly when it matters) is
// killed during every replay and never becomes ready, so its share of streams stops taking writes and the logs only
// in its WAL are never flushed. A ceiling the values leave unset is Loki's default, 4GB (pkg/ingester/wal.go
// `defaultCeiling = 4 << 30`), judged the same way against the limit (the program sets ~75% of the limit itself,
// settings/derive/loki.ts walReplayMemoryCeilingMB).
import { formatBytes, parseQuantityBytes } from "../../lib/bytes";
import { LOKI_CHART_DEFAULTS, lokiReleases } from "../../lib/loki";
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

const KEY = "ingester.wal.replay_memory_ceiling";
/** Loki 3.7.6 pkg/ingester/wal.go: `const defaultCeiling = 4 << 30 // 4GB`. */
export const LOKI_DEFAULT_REPLAY_CEILING_BYTES = 4 * 2 ** 30;

// flagext.ByteSize.Set upper-cases the text and parses it with c2h5oh/datasize (binary units: KB = 1024 bytes).
const DATASIZE = /^(\d+(?:\.\d+)?)\s*(B|K|KB|M|MB|G|GB|T|TB|P|PB|E|EB)?$/;
const UNIT: Record<string, number> = { B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50, E: 2 ** 60 };

export function lokiByteSize(raw: unknown): number | undefined {
  if (typeof raw === "number") return raw;
  if (typeof raw !== "string") return undefined;
  const match = DATASIZE.exec(raw.trim().toUpperCase());
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * UNIT[(match[2] ?? "B").charAt(0)]);
}

/** The chart sections whose pods run the ingester in each deployment mode (loki 18.11.0 templates). */
function ingesterSections(values: PropNode): string[] {
  const mode = values.at("deploymentMode").string();
  const modes = (typeof mode === "string" ? mode : LOKI_CHART_DEFAULTS.deploymentMode).split("<->");
  const sections: string[] = [];
  if (modes.some((m) => m === "Monolithic" || m === "SingleBinary")) sections.push("singleBinary");
  if (modes.includes("SimpleScalable")) sections.push("write");
  if (modes.includes("Distributed")) sections.push("ingester");
  return sections;
}

export const lokiWalReplayFitsMemory = stackRule<object>(
  {
    name: "loki-wal-replay-fits-memory",
    rule: "L9",
    description:
      "Loki's ingester.wal.replay_memory_ceiling (default 4GB when unset) must be below the memory limit of the pods that run the ingester: above it the replay never flushes before the OOM kill",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Set ingester.wal.replay_memory_ceiling to about 75% of the ingester's resources.limits.memory (Loki's WAL docs), or raise the limit.",
    url: "https://grafana.com/docs/loki/latest/operations/storage/wal/ ; https://github.com/grafana/loki/blob/v3.7.6/pkg/ingester/wal.go",
    tags: ["loki", "memory"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      const found = loki.setting(KEY);
      if (isUnknown(found)) {
        ctx.inconclusive(found);
        continue;
      }
      const enabled = loki.setting("ingester.wal.enabled");
      if (isUnknown(enabled)) {
        ctx.inconclusive(enabled);
        continue;
      }
      if (enabled && String(enabled.value) === "false") continue;
      const explicit = found !== undefined && found.value !== null && found.value !== undefined;
      const ceiling = explicit ? lokiByteSize(found.value) : LOKI_DEFAULT_REPLAY_CEILING_BYTES;
      if (ceiling === undefined) continue;
      const stated = explicit
        ? `${found.where}=${String(found.value)}`
        : `${KEY} unset in the values of ${loki.label}: Loki's default 4GB`;
      for (const section of ingesterSections(loki.values)) {
        const limitNode = loki.values.at(`${section}.resources.limits.memory`);
        const raw = limitNode.raw();
        if (isUnknown(raw)) {
          ctx.inconclusive(raw);
          continue;
        }
        const limit = typeof raw === "string" || typeof raw === "number" ? parseQuantityBytes(raw) : undefined;
        if (limit === undefined || ceiling < limit) continue;
        ctx.violation(
          `${stated} (${formatBytes(ceiling)}) >= ${limitNode.where}=${String(raw)} (${formatBytes(limit)}): ` +
            `the WAL replay flushes to storage only after holding ${formatBytes(ceiling)}, but the container is OOM-killed at ` +
            `${formatBytes(limit)}; an ingester restarting with a WAL larger than its memory (after an object-store outage or a ` +
            `long stall) is killed in every replay and never becomes ready, so its streams stop taking writes and the logs only ` +
            `in its WAL are never flushed. Fix: set ${KEY} to about 75% of the limit (${formatBytes(Math.floor((limit * 0.75) / 2 ** 20) * 2 ** 20)}) or raise the limit.`,
          loki.urn,
        );
      }
    }
  },
);
