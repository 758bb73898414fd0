/** Plain-text layout for the report: aligned tables, headings and human-sized numbers. */

/** Left-aligned columns separated by two spaces; numbers-looking cells are right-aligned. */
export function table(header: string[], rows: string[][], indent = "  "): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^-?[\d.,]+( ?[A-Za-z%]+)?$|^$|^—$/.test(r[i] ?? "")));
  const line = (cells: string[]): string =>
    `${indent}${cells
      .map((cell, i) => (i === cells.length - 1 && !numeric[i] ? cell : numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ")}`.trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function heading(title: string): string {
  return `${title}\n${"=".repeat(title.length)}`;
}

export function subheading(title: string): string {
  return `${title}\n${"-".repeat(title.length)}`;
}

/** Indents every line of a block. */
export function indent(text: string, prefix = "  "): string {
  return text
    .split("\n")
    .map((line) => (line ? `${prefix}${line}` : line))
    .join("\n");
}

const BINARY_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** 16777216 -> "16 MiB"; 16000000 -> "15.3 MiB". */
export function bytes(value: number): string {
  let unit = 0;
  let scaled = value;
  while (Math.abs(scaled) >= 1024 && unit < BINARY_UNITS.length - 1) {
    scaled /= 1024;
    unit++;
  }
  const shown = Number.isInteger(scaled) ? String(scaled) : scaled.toFixed(1);
  return `${shown} ${BINARY_UNITS[unit]}`;
}

/** 259200000 -> "3d"; 5400000 -> "1h30m": the policy pack's form, so report and policy messages agree. */
export { formatDuration as duration } from "../../policies/lib/duration";

export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}
