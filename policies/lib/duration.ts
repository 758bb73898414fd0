// Durations as the components parse them. Two formats exist and components differ in which one a key takes:
// - Go `time.ParseDuration` ("1h30m", "90s", "1.5h"; units ns, us, µs, ms, s, m, h; no days). Mimir and Loki
//   use it for plain config fields (e.g. Mimir `blocks_storage.tsdb.retention_period`, Loki
//   `compactor.retention_delete_delay`).
// - Prometheus `model.ParseDuration` ("30d", "1w", "1y2d"; integer units y, w, d, h, m, s, ms in that order;
//   y = 365d). Used by Prometheus retention and by the per-tenant limits of Mimir and Loki
//   (`limits.*`, `limits_config.*`).
// Source: Go `time` package docs; prometheus/common `model/time.go` ParseDuration; Mimir config reference
// ("<duration>" placeholder) and `pkg/util/validation/limits.go` (limits use model.Duration).
import parseDuration from "parse-duration";

export type DurationFormat = "go" | "prometheus";

const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const PROMETHEUS_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

const MS = { y: 365 * 86_400_000, w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;

export function isGoDuration(text: string): boolean {
  return text === "0" || GO_DURATION.test(text);
}

export function isPrometheusDuration(text: string): boolean {
  return text === "0" || (text !== "" && PROMETHEUS_DURATION.test(text));
}

/** Milliseconds, or undefined when the text is not a valid duration in that format. */
export function parseDurationMs(text: string, format: DurationFormat): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "0") return 0;
  if (format === "go") {
    if (!GO_DURATION.test(trimmed)) return undefined;
    // parse-duration reads Go units (including fractions and µs) but returns null for garbage. It reads a bare
    // point ("1.s", valid Go) as a unit-less 1 ms; Go reads 1s (go/src/time/format.go, ParseDuration): drop it.
    const ms = parseDuration(
      trimmed
        .replace(/μs/g, "us")
        .replace(/µs/g, "us")
        .replace(/(\d)\.(?!\d)/g, "$1"),
    );
    return ms === null ? undefined : ms;
  }
  const match = PROMETHEUS_DURATION.exec(trimmed);
  if (!match || trimmed === "") return undefined;
  // Computed here rather than by parse-duration, which counts a year as 365.25 days; Prometheus uses 365.
  const units = [MS.y, MS.w, MS.d, MS.h, MS.m, MS.s, MS.ms];
  return units.reduce((total, unitMs, index) => total + (match[index + 1] ? Number(match[index + 1]) * unitMs : 0), 0);
}

export function describeFormat(format: DurationFormat): string {
  return format === "go"
    ? "a Go duration such as 12h or 90m (units ns, us, ms, s, m, h; no d/w/y)"
    : "a Prometheus duration such as 30d or 1w2d (integer units y, w, d, h, m, s, ms in that order)";
}

/** Compact human form: 90000000 -> "1d1h". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const parts: string[] = [];
  let rest = Math.abs(ms);
  for (const [unit, size] of [
    ["d", MS.d],
    ["h", MS.h],
    ["m", MS.m],
    ["s", MS.s],
    ["ms", MS.ms],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count}${unit}`);
      rest -= count * size;
    }
  }
  return (ms < 0 ? "-" : "") + parts.join("");
}

export const DAY_MS = MS.d;
export const HOUR_MS = MS.h;
