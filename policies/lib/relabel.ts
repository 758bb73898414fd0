// Prometheus relabel configs as Go programs load them: prometheus/prometheus model/relabel/relabel.go
// (Config.UnmarshalYAML -> Config.Validate, Regexp.UnmarshalYAML -> NewRegexp = regexp.Compile("^(?:" + s + ")$"),
// Action.UnmarshalYAML), read at commit 02a325539b6a. Mimir decodes per-tenant `metric_relabel_configs` with it
// (pkg/util/validation/limits.go Limits.MetricRelabelConfigs []*relabel.Config), so a bad entry fails the whole file.
import { isPlainObject } from "./plain";

/** relabel.go Action constants (Action.UnmarshalYAML lower-cases the value; anything else is "unknown relabel action"). */
export const RELABEL_ACTIONS = [
  "replace",
  "keep",
  "drop",
  "keepequal",
  "dropequal",
  "hashmod",
  "labelmap",
  "labeldrop",
  "labelkeep",
  "lowercase",
  "uppercase",
] as const;

/** Go regexp/syntax maxRepeat: a repeat count above 1000 is "invalid repeat count". */
const RE2_MAX_REPEAT = 1000;

/**
 * Why Go's regexp (RE2 syntax) refuses a pattern, or undefined when it compiles. Checked with the JavaScript engine
 * after rewriting the RE2-only syntax JavaScript lacks ((?P<name>, inline flags, \A, \z, \pL, [[:alpha:]], \Q..\E), and
 * the constructs JavaScript accepts but RE2 does not (lookaround, backreferences, repeat counts above 1000) are
 * refused first. A pattern both engines reject is reported with Go's wording where it is the usual case ("missing
 * argument to repetition operator" for a glob's leading `*`); otherwise with the JavaScript reason.
 */
export function re2Error(pattern: string): string | undefined {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const rest = pattern.slice(i);
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if (next === "Q") {
        // \Q...\E: literal text (regexp/syntax parse.go).
        const end = pattern.indexOf("\\E", i + 2);
        const literal = pattern.slice(i + 2, end < 0 ? undefined : end);
        out += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
        i = end < 0 ? pattern.length : end + 1;
        continue;
      }
      if (/[1-9]/.test(next)) return `invalid escape sequence: \`\\${next}\``;
      if (next === "A") out += inClass ? "A" : "^";
      else if (next === "z") out += inClass ? "z" : "$";
      else if (next === "C") out += ".";
      else if (next === "p" || next === "P") {
        const m = /^\\[pP](\{[^}]*\}|[A-Za-z])/.exec(rest);
        if (!m) return `invalid character class range: \`${rest.slice(0, 3)}\``;
        out += inClass ? "a" : ".";
        i += m[0].length - 1;
        continue;
      } else out += c + next;
      i++;
      continue;
    }
    if (inClass) {
      const posix = /^\[:(\^)?([a-z]+):\]/.exec(rest);
      if (posix) {
        out += "a";
        i += posix[0].length - 1;
        continue;
      }
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      if (pattern[i + 1] === "^") out += pattern[++i];
      if (pattern[i + 1] === "]") out += "\\" + pattern[++i];
      continue;
    }
    if (c === "(" && pattern[i + 1] === "?") {
      const look = /^\(\?(<?[=!])/.exec(rest);
      if (look) return `invalid or unsupported Perl syntax: \`(?${look[1]}\``;
      const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) {
        out += `(?<${named[1]}>`;
        i += named[0].length - 1;
        continue;
      }
      const flags = /^\(\?([imsU-]*)(\)|:)/.exec(rest);
      if (flags) {
        out += flags[2] === ":" ? "(?:" : "";
        i += flags[0].length - 1;
        continue;
      }
      if (!rest.startsWith("(?:")) return `invalid or unsupported Perl syntax: \`${rest.slice(0, 3)}\``;
    }
    if (c === "{") {
      const repeat = /^\{(\d+)(,(\d*))?\}/.exec(rest);
      if (repeat && (Number(repeat[1]) > RE2_MAX_REPEAT || Number(repeat[3] || 0) > RE2_MAX_REPEAT))
        return `invalid repeat count: \`${repeat[0]}\``;
    }
    out += c;
  }
  try {
    new RegExp(out, "s");
    return undefined;
  } catch (e) {
    const reason = (e as Error).message;
    const first = pattern.trimStart()[0];
    if (/Nothing to repeat/.test(reason))
      return `missing argument to repetition operator: \`${first && "*+?{".includes(first) ? first : "*"}\``;
    return `invalid regular expression (${reason.replace(/^Invalid regular expression: \/.*\/s?: /, "")})`;
  }
}

/** Prometheus's error for one relabel config entry (relabel.go Config.UnmarshalYAML), or undefined when it loads. */
export function relabelConfigError(entry: unknown): string | undefined {
  if (!isPlainObject(entry)) return "a relabel config must be a map";
  const text = (v: unknown) => (v === undefined || v === null ? "" : String(v));
  const action = text(entry.action ?? "replace").toLowerCase();
  if (!(RELABEL_ACTIONS as readonly string[]).includes(action))
    return `unknown relabel action ${JSON.stringify(text(entry.action))}`;
  const regexSet = entry.regex !== undefined && entry.regex !== null;
  if (regexSet) {
    const error = re2Error(text(entry.regex));
    if (error) return `error parsing regexp: ${error}`;
  }
  const target = text(entry.target_label);
  const modulus = Number(entry.modulus ?? 0);
  const replacement = entry.replacement === undefined ? "$1" : text(entry.replacement);
  if (action === "hashmod" && !(modulus > 0)) return "relabel configuration for hashmod requires non-zero modulus";
  if (["replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal"].includes(action) && target === "")
    return `relabel configuration for ${action} action requires 'target_label' value`;
  if (["lowercase", "uppercase", "keepequal", "dropequal"].includes(action) && replacement !== "$1")
    return `'replacement' can not be set for ${action} action`;
  if (
    ["keepequal", "dropequal"].includes(action) &&
    ((regexSet && text(entry.regex) !== "(.*)") ||
      modulus !== 0 ||
      (entry.separator !== undefined && text(entry.separator) !== ";"))
  )
    return `${action} action requires only 'source_labels' and \`target_label\`, and no other fields`;
  if (
    ["labeldrop", "labelkeep"].includes(action) &&
    (entry.source_labels !== undefined ||
      target !== "" ||
      modulus !== 0 ||
      (entry.separator !== undefined && text(entry.separator) !== ";") ||
      replacement !== "$1")
  )
    return `${action} action requires only 'regex', and no other fields`;
  return undefined;
}
