/**
 * Seconds in a Go duration string ("1h30m", "90s", "1.5h"), the format of `customTimeouts`. The engine parses them
 * with Go's time.ParseDuration and hands policies the seconds (pkg/resource/deploy/source_eval.go,
 * generateTimeoutInSeconds), so a harness that forwards timeouts must parse them the same way. The syntax is the
 * policy pack's Go-duration parser (policies/lib/duration.ts), which the pack applies to the same format.
 */
import { parseDurationMs } from "../../policies/model";

export function parseGoDurationSeconds(text: string): number {
  // Go takes a sign before the bare "0" as well (go/src/time/format.go, ParseDuration) and never trims spaces.
  const go = text.replace(/^[-+]0$/, "0");
  const ms = text.trim() === text ? parseDurationMs(go, "go") : undefined;
  if (ms === undefined) {
    // The engine's own error text (source_eval.go, generateTimeoutInSeconds).
    throw new Error(`unable to parse customTimeout Value ${text}`);
  }
  return ms / 1000;
}
