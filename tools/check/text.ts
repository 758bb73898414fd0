/** Plain-text layout for the report: aligned tables, headings and human-sized numbers. */

/** The report's width: every line fits 120 columns (a pull-request page, a terminal split in two). */
export const REPORT_WIDTH = 120;

/**
 * Left-aligned columns separated by two spaces; numbers-looking cells are right-aligned. When the table would run past
 * REPORT_WIDTH, the widest text columns narrow (to no less than 12) and their cells wrap within them.
 */
export function table(header: string[], rows: string[][], indent = "  "): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((r) => /^-?[\d.,]+( ?[A-Za-z%]+)?$|^$|^—$/.test(r[i] ?? "")),
  );
  const total = () => indent.length + widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1);
  while (total() > REPORT_WIDTH) {
    const widest = widths.reduce(
      (best, w, i) => (!numeric[i] && w > 12 && (best < 0 || w > widths[best]) ? i : best),
      -1,
    );
    if (widest < 0) break;
    widths[widest]--;
  }
  const last = header.length - 1;
  const line = (cells: string[]): string => {
    const wrapped = header.map((_, i) => (numeric[i] ? [cells[i] ?? ""] : wrapText(cells[i] ?? "", widths[i])));
    const height = Math.max(...wrapped.map((w) => w.length));
    const lines: string[] = [];
    for (let row = 0; row < height; row++) {
      const parts = wrapped.map((w, i) => {
        const part = w[row] ?? "";
        if (numeric[i]) return part.padStart(widths[i]);
        return i === last ? part : part.padEnd(widths[i]);
      });
      lines.push(`${indent}${parts.join("  ")}`.trimEnd());
    }
    return lines.join("\n");
  };
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** Words of `text` in lines of at most `width` characters; a longer word (a dotted values path) breaks after a "." or "/". */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(" ").flatMap((w) => splitLongWord(w, width))) {
    if (current !== "" && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current = current === "" ? word : `${current} ${word}`;
    }
  }
  lines.push(current);
  return lines;
}

function splitLongWord(word: string, width: number): string[] {
  if (word.length <= width) return [word];
  const parts: string[] = [];
  let rest = word;
  while (rest.length > width) {
    const cut = Math.max(rest.lastIndexOf(".", width - 1), rest.lastIndexOf("/", width - 1));
    const at = cut > 0 ? cut + 1 : width;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  return [...parts, rest];
}

/**
 * A line longer than `width` wrapped with a hanging indent: its own indent, past a leading "- ", "-> " or "NOTE: "
 * marker so the continuation lines up with the text.
 */
export function wrapLine(line: string, width = REPORT_WIDTH): string[] {
  if (line.length <= width) return [line];
  const marker = /^(\s*)(-> |- |[A-Z][A-Z ()]*: )?/.exec(line)!;
  const hang = " ".repeat(Math.min(marker[0].length, 40));
  const body = wrapText(line.slice(marker[0].length), width - hang.length);
  return [`${marker[0]}${body[0]}`, ...body.slice(1).map((part) => `${hang}${part}`)];
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
export { formatDuration as duration } from "../../policies/model";

export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}
