/** One line of the derived-settings table: a value as a resource carries it and where it was read. */
import { UNKNOWN_MARKER, type Plain } from "../readable";
import { bytes, duration } from "../text";

export interface SettingRow {
  setting: string;
  /** The value as the resource carries it; null when the resource does not set it (a default applies). */
  value: Plain | null;
  /** How the report shows it. */
  shown: string;
  /** Where it was read: "<release or resource> <path>". */
  source: string;
}

export const NOT_SET = "not set (default applies)";

export type Format = (value: Plain) => string;

export const asIs: Format = (value) => (typeof value === "string" ? value : JSON.stringify(value));

/** Byte counts: "16777216 (16 MiB)". */
export const asBytes: Format = (value) => (typeof value === "number" ? `${value} (${bytes(value)})` : asIs(value));

/** Milliseconds: "259200000 ms (3d)". */
export const asMillis: Format = (value) => {
  const ms = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof ms === "number" ? `${duration(ms)} (${ms} ms)` : asIs(value);
};

export function row(setting: string, value: Plain | undefined, source: string, format: Format = asIs): SettingRow {
  if (value === undefined || value === null) {
    return { setting, value: null, shown: NOT_SET, source };
  }
  return { setting, value, shown: value === UNKNOWN_MARKER ? "unknown until the update" : format(value), source };
}

/** A row that states a fact the reader had to work out (e.g. a count), with how. */
export function derivedRow(setting: string, value: Plain, shown: string, source: string): SettingRow {
  return { setting, value, shown, source };
}
