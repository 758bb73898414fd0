/**
 * Seconds in a Go duration string ("1h30m", "90s", "1.5h"), the format of `customTimeouts`. The engine parses them
 * with Go's time.ParseDuration and hands policies the seconds (pkg/resource/deploy/source_eval.go,
 * generateTimeoutInSeconds), so a harness that forwards timeouts must parse them the same way.
 */
const UNIT_SECONDS: Record<string, number> = {
  // Units accepted by Go's time.ParseDuration (go/src/time/format.go, unitMap).
  ns: 1e-9,
  us: 1e-6,
  "µs": 1e-6,
  "μs": 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

export function parseGoDurationSeconds(text: string): number {
  // The engine's own error text (source_eval.go, generateTimeoutInSeconds).
  const invalid = (): Error => new Error(`unable to parse customTimeout Value ${text}`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  // Go accepts a bare "0" without a unit, and nothing else without one.
  if (rest === "0") {
    return 0;
  }
  if (rest === "") {
    throw invalid();
  }
  let seconds = 0;
  const part = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest.length > 0) {
    const match = part.exec(rest);
    if (!match) {
      throw invalid();
    }
    seconds += Number(match[1]) * UNIT_SECONDS[match[2]];
    rest = rest.slice(match[0].length);
  }
  return sign * seconds;
}
