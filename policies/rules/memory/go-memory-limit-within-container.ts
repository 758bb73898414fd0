// B2 (HARD): a Go component's GOMEMLIMIT must stay within its container's memory limit.
//
// GOMEMLIMIT is the Go runtime's soft memory limit: the GC works harder as the memory the runtime manages nears it
// (Go runtime package docs, "Environment Variables"; runtime/debug.SetMemoryLimit). Set above the container's memory
// limit it never binds: the heap grows past the cgroup limit first and the kernel OOM-kills the container. A value the
// runtime cannot parse stops the process before main: runtime/mgcpacer.go readGOMEMLIMIT throws "malformed
// GOMEMLIMIT; see `go doc runtime/debug.SetMemoryLimit`" unless the value is "off" or matches
// ^[0-9]+(([KMGT]i)?B)?$ (runtime/string.go parseByteCount: bytes with an optional B, KiB, MiB, GiB or TiB suffix).
//
// Where the charts put env vars into Go containers:
//   - mimir-distributed 6.0.x: `global.extraEnv` then `<component>.env` (templates/<component>/*-dep.yaml /
//     *-statefulset.yaml `env:`; the chart has no `<component>.extraEnv`);
//   - loki 18.11.0: `global.extraEnv`, `defaults.extraEnv`, `<component>.extraEnv` concatenated; when none sets
//     GOMEMLIMIT and the component has a memory limit, the chart appends GOMEMLIMIT = int(limit in MiB x
//     `defaults.goSettings.goMemLimitFactor`) MiB (templates/_helpers.tpl "loki.componentEnv", called from
//     templates/_pod.tpl). The helper reads the factor with `default 0.85`, so 0 also means 0.85 (sprig `default`
//     treats 0 as empty), whatever the values comment says; a factor above 1 puts GOMEMLIMIT above the limit and a
//     negative one renders "-<n>MiB", which the Go runtime refuses;
//   - alloy 1.11.1: `alloy.extraEnv` (templates/containers/_agent.yaml).
// With two entries of one name the kubelet keeps the last (see limits.ts envValue).
import { formatBytes } from "../../lib/bytes";
import { LOKI_CHART_DEFAULTS, LOKI_WORKLOADS } from "../../lib/loki";
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { known } from "../../lib/unknown";
import { booleanAt, numberAt } from "../capacity/values";
import { eachChecked, envValue, MemoryLimit, memoryLimit, MiB, showLimit } from "./limits";

const GOMEMLIMIT = "GOMEMLIMIT";

/** Bytes of a GOMEMLIMIT value; "off" for no limit; undefined when the Go runtime refuses it (runtime/string.go parseByteCount). */
export function parseGoMemLimit(text: string): number | "off" | undefined {
  if (text === "off") return "off";
  const match = /^([0-9]+)(?:([KMGT])i)?(B)?$/.exec(text);
  // A unit prefix needs the B ("1Gi" is refused); "1GB" has no i and is refused too.
  if (!match || (match[2] !== undefined && match[3] === undefined)) return undefined;
  const power = match[2] ? "KMGT".indexOf(match[2]) + 1 : 0;
  const bytes = Number(match[1]) * 1024 ** power;
  return bytes > Number.MAX_SAFE_INTEGER * 1024 ? undefined : bytes;
}

interface GoContainer {
  /** e.g. "distributor" */
  component: string;
  /** values key of its section, e.g. "distributor" or "alloy" */
  section: string;
  envLists: PropNode[];
}

// mimir-distributed 6.0.x Go components and whether each renders by default (values `<component>.enabled`, true for
// these); the ruler's dedicated query path renders only with ruler.remoteEvaluationDedicatedQueryPath (default false).
const MIMIR_COMPONENTS = [
  "distributor",
  "ingester",
  "querier",
  "query_frontend",
  "query_scheduler",
  "store_gateway",
  "compactor",
  "ruler",
  "alertmanager",
  "overrides_exporter",
];
const MIMIR_RULER_QUERY_PATH = ["ruler_querier", "ruler_query_frontend", "ruler_query_scheduler"];

function mimirContainers(values: PropNode): GoContainer[] {
  const sections = MIMIR_COMPONENTS.filter((key) => booleanAt(values.at(`${key}.enabled`), true));
  if (
    booleanAt(values.at("ruler.enabled"), true) &&
    booleanAt(values.at("ruler.remoteEvaluationDedicatedQueryPath"), false)
  )
    sections.push(...MIMIR_RULER_QUERY_PATH);
  return sections.map((key) => ({
    component: key,
    section: key,
    envLists: [values.at("global.extraEnv"), values.at(`${key}.env`)],
  }));
}

// The Loki workloads each deployment mode renders (LOKI_WORKLOADS, policies/lib/loki.ts); a Distributed or
// SimpleScalable one only with replicas > 0 (loki 18.11.0 values.yaml: distributed replicas default 0, simple-scalable 3).
function lokiContainers(values: PropNode): GoContainer[] {
  const mode = known(values.at("deploymentMode").string()) ?? LOKI_CHART_DEFAULTS.deploymentMode;
  const modes = mode.split("<->");
  const sections: string[] = [];
  if (modes.some((m) => m === "Monolithic" || m === "SingleBinary")) sections.push("singleBinary");
  if (modes.includes("SimpleScalable"))
    sections.push(...LOKI_WORKLOADS.simpleScalable.filter((key) => numberAt(values.at(`${key}.replicas`), 3) > 0));
  if (modes.includes("Distributed"))
    sections.push(...LOKI_WORKLOADS.distributed.filter((key) => numberAt(values.at(`${key}.replicas`), 0) > 0));
  return sections.map((key) => ({
    component: key,
    section: key,
    envLists: [values.at("global.extraEnv"), values.at("defaults.extraEnv"), values.at(`${key}.extraEnv`)],
  }));
}

function alloyContainers(values: PropNode): GoContainer[] {
  return [{ component: "alloy", section: "alloy", envLists: [values.at("alloy.extraEnv")] }];
}

/** What one env entry setting GOMEMLIMIT does to the containers that get it (one finding per entry, not per container). */
interface EntryFindings {
  value: string;
  bytes?: number;
  /** Containers whose limit the value exceeds (bytes set), or that refuse it (bytes undefined). */
  hits: Array<{ container: GoContainer; limit?: MemoryLimit }>;
}

/**
 * The GOMEMLIMIT a container's env lists set, if any: records it in `findings` when the runtime refuses it or it
 * exceeds the container's limit. Returns whether the lists set one (then Loki's chart adds none).
 */
function checkExplicit(
  container: GoContainer,
  limit: MemoryLimit | undefined,
  findings: Map<string, EntryFindings>,
): boolean {
  const setting = envValue(container.envLists, GOMEMLIMIT);
  if (setting === undefined) return false;
  // Read from a Secret/ConfigMap, or built from other variables with $(VAR): not known to the pack.
  if (setting === "valueFrom" || setting.value.includes("$(")) return true;
  if (setting.value === "") return false; // empty is unset for the runtime (readGOMEMLIMIT: p == "")
  const bytes = parseGoMemLimit(setting.value);
  if (bytes === "off") return true;
  if (bytes !== undefined && (limit === undefined || bytes <= limit.bytes)) return true;
  const entry = findings.get(setting.where) ?? { value: setting.value, bytes, hits: [] };
  entry.hits.push({ container, limit });
  findings.set(setting.where, entry);
  return true;
}

const ninetyPercentMiB = (limit: MemoryLimit) => `${Math.floor((limit.bytes * 0.9) / MiB)}MiB`;

function reportEntries(release: HelmRelease, findings: Map<string, EntryFindings>, report: (m: string) => void): void {
  for (const [where, entry] of findings) {
    const containers = entry.hits.map((hit) => hit.container.component).join(", ");
    if (entry.bytes === undefined) {
      const limit = entry.hits.find((hit) => hit.limit)?.limit;
      report(
        `${where}=${JSON.stringify(entry.value)} (GOMEMLIMIT of ${release.label}'s ${containers}) is not a byte count the Go runtime reads ` +
          `(digits with an optional B, KiB, MiB, GiB or TiB suffix, or "off"): the process dies at start-up with "malformed GOMEMLIMIT" and the pods crash-loop. ` +
          `Fix: write it like ${limit ? ninetyPercentMiB(limit) : "1536MiB"}.`,
      );
      continue;
    }
    const limits = entry.hits.flatMap((hit) => (hit.limit ? [hit.limit] : []));
    const smallest = limits.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    const others = limits.length > 1 ? ` (the smallest of ${limits.length}: ${containers})` : "";
    report(
      `${where}=${entry.value} (${formatBytes(entry.bytes)}) > ${showLimit(smallest)}${others}: the Go GC only works to stay under GOMEMLIMIT, ` +
        `so the heap grows past the container limit first and the kernel OOM-kills the container. ` +
        `Fix: set GOMEMLIMIT below every limit it reaches (about 90% of the smallest: ${ninetyPercentMiB(smallest)}), per component in ` +
        `<component>.env / extraEnv where the limits differ, or raise those limits above ${entry.value}.`,
    );
  }
}

function checkRelease<C extends object>(
  ctx: RuleContext<C>,
  release: HelmRelease,
  containers: GoContainer[],
  lokiFactor?: { value: number; where: string },
): void {
  const report = (message: string) => ctx.violation(message, release.resource.urn);
  const derived: Array<{ container: GoContainer; limit: MemoryLimit }> = [];
  const findings = new Map<string, EntryFindings>();
  for (const container of containers) {
    eachChecked(ctx, () => {
      const limit = memoryLimit(release.values.at(`${container.section}.resources`));
      const explicit = checkExplicit(container, limit, findings);
      if (!explicit && limit !== undefined && lokiFactor) derived.push({ container, limit });
    });
  }
  reportEntries(release, findings, report);
  if (!lokiFactor || derived.length === 0) return;
  const factor = lokiFactor.value;
  if (factor >= 0 && factor <= 1) return;
  const named = derived
    .map(({ container, limit }) => {
      const goMiB = Math.trunc(Math.trunc(limit.bytes / MiB) * factor);
      return `${container.component} (${limit.text} -> GOMEMLIMIT=${goMiB}MiB)`;
    })
    .join(", ");
  if (factor < 0) {
    report(
      `${lokiFactor.where}=${factor} is negative: the chart writes a negative GOMEMLIMIT into every Loki component with a memory limit and no GOMEMLIMIT of its own ` +
        `(${named}), which the Go runtime refuses ("malformed GOMEMLIMIT"): those pods crash-loop at start-up. Fix: set goMemLimitFactor in (0, 1], e.g. 0.85.`,
    );
    return;
  }
  report(
    `${lokiFactor.where}=${factor} is above 1: the chart sets GOMEMLIMIT above the memory limit of every Loki component with a limit and no GOMEMLIMIT of its own ` +
      `(${named}), so the Go GC never acts before the kernel OOM-kills the container. Fix: set goMemLimitFactor in (0, 1], e.g. the chart's 0.85.`,
  );
}

export const goMemoryLimitWithinContainer = stackRule<object>(
  {
    name: "go-memory-limit-within-container",
    rule: "B2",
    description:
      "GOMEMLIMIT of Mimir, Loki and Alloy containers (env, or Loki's goMemLimitFactor in (0, 1]) is one the Go runtime reads and within the container's memory limit",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Set GOMEMLIMIT (global.extraEnv, <component>.env / extraEnv, alloy.extraEnv) below the container's resources.limits.memory, e.g. 90% of it " +
      "in MiB; keep loki defaults.goSettings.goMemLimitFactor in (0, 1].",
    url: "https://pkg.go.dev/runtime#hdr-Environment_Variables (GOMEMLIMIT)",
    tags: ["mimir", "loki", "alloy", "memory"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.mimir)) {
      eachChecked(ctx, () => checkRelease(ctx, release, mimirContainers(release.values)));
    }
    for (const release of stack.helmReleases(CHARTS.loki)) {
      eachChecked(ctx, () => {
        const node = release.values.at("defaults.goSettings.goMemLimitFactor");
        const raw = known(node.number());
        // loki.componentEnv: `.factor | default 0.85`; absent and 0 both read as 0.85.
        const factor =
          raw === undefined || raw === 0
            ? { value: 0.85, where: `${release.label} chart default defaults.goSettings.goMemLimitFactor` }
            : { value: raw, where: node.where };
        checkRelease(ctx, release, lokiContainers(release.values), factor);
      });
    }
    for (const release of stack.helmReleases(CHARTS.alloy)) {
      eachChecked(ctx, () => checkRelease(ctx, release, alloyContainers(release.values)));
    }
  },
);
