import parseDurationLib from "parse-duration";

/** The duration syntax accepted in config: whole units, largest first is not required ("1h30m", "90d", "2w"). */
export const DURATION_PATTERN = /^(\d+(w|d|h|m|s))+$/;
export const DURATION_HINT = "a duration such as 15d, 90d, 24h or 1h30m (units w, d, h, m, s)";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Parses a config duration to milliseconds; throws on anything DURATION_PATTERN rejects. */
export function parseDuration(text: string): number {
  if (!DURATION_PATTERN.test(text)) {
    throw new Error(`"${text}" is not ${DURATION_HINT}`);
  }
  const ms = parseDurationLib(text);
  if (ms === null || ms === undefined) {
    throw new Error(`"${text}" is not ${DURATION_HINT}`);
  }
  return ms;
}

export const hours = (h: number): number => h * HOUR_MS;
export const minutes = (m: number): number => m * 60_000;
export const days = (d: number): number => d * DAY_MS;
export const toHours = (ms: number): number => ms / HOUR_MS;
export const toDays = (ms: number): number => ms / DAY_MS;

/**
 * Formats for Go's time.Duration parser (Mimir's tsdb and querier settings), which has no "d" unit:
 * whole hours as "36h", otherwise minutes or seconds.
 */
export function goDuration(ms: number): string {
  if (ms % HOUR_MS === 0) return `${ms / HOUR_MS}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.ceil(ms / 1000)}s`;
}

/** Formats for Prometheus' model.Duration (Prometheus, Loki and Mimir limits), which accepts days. */
export function promDuration(ms: number): string {
  if (ms % DAY_MS === 0) return `${ms / DAY_MS}d`;
  return goDuration(ms);
}
