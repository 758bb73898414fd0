#!/usr/bin/env node
// Lists every `fail` and `required` call in a Helm chart's templates: the places where the chart refuses to render
// (so the release cannot install or upgrade) for some values. policies/lib/charts/chart-refusals.json is made from
// this output for the pinned charts (tools/facts/regenerate-chart-refusals.sh); policy U8 chart-templates-render
// (policies/rules/rollout/chart-templates-render.ts) models each entry or marks it unreachable, and a test asserts
// that every entry is covered, so a chart bump that adds a refusal shows up. The charts are never committed.
//
// Usage:
//   node extract-chart-refusals.js <chart dir> [--label TEXT]
//       Scans <chart dir>/templates and the templates of every subchart unpacked under <chart dir>/charts/.
//       Subcharts a chart fetches at packaging (Chart.yaml dependencies with a repository) are not in its source tree:
//       unpack each at the version Chart.yaml / Chart.lock names under <chart dir>/charts/<name> first, as
//       `helm dependency build` would (regenerate-chart-refusals.sh does so for kube-prometheus-stack); their entries
//       are then listed as charts/<name>/templates/..., and their predicates read the values under the subchart's key.
//       Prints JSON: [{ file, line, kind: "fail" | "required", message }] where file is relative to <chart dir>,
//       line is the 1-based line of the `fail`/`required` word, message is the first string literal after it (for
//       `fail (printf "fmt" ...)` the format string; multi-line `cat`/`print` messages are joined with a space).
//   node extract-chart-refusals.js <chart dir> --into FILE --chart NAME --version V --source TEXT
//       Replaces the chart's entries in the facts file FILE (policies/lib/charts/chart-refusals.json), keeping each
//       entry's `predicate` or `unreachable` when its file and message are unchanged; a new refusal gets neither,
//       which test/policies/rules/rollout/chart-templates-render.test.ts reports until it is modelled or explained.
//       With --keep-unscanned, only the entries of the template files found under <chart dir> are replaced; the
//       chart's other entries stay (a partial rescan from files copied one by one).
//
// Go template actions are `{{ ... }}` (with optional `-` trims) and may span lines; comments `{{/* ... */}}` are
// skipped, and the words inside string literals are not calls. A call is the identifier `fail` or `required` not
// preceded by `.` or `$` (a field or variable of that name) and not followed by an identifier character.
"use strict";
const fs = require("fs");
const path = require("path");

function templateFiles(chartDir) {
  const out = [];
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(full);
    }
  };
  walk(path.join(chartDir, "templates"));
  const sub = path.join(chartDir, "charts");
  if (fs.existsSync(sub))
    for (const entry of fs.readdirSync(sub, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)))
      if (entry.isDirectory()) for (const f of templateFiles(path.join(sub, entry.name))) out.push(f);
  return out;
}

/** The actions of a template: [{ start, text }] with start the offset of the text after `{{`. */
function actions(source) {
  const out = [];
  let i = 0;
  while ((i = source.indexOf("{{", i)) !== -1) {
    let j = i + 2;
    if (source.startsWith("/*", j) || source.startsWith("- /*", j) || source.startsWith("-/*", j)) {
      const close = source.indexOf("*/", j);
      i = close === -1 ? source.length : close + 2;
      continue;
    }
    // Scan to the closing `}}` outside string literals ("..." with escapes, `...` raw).
    let quote = null;
    for (; j < source.length; j++) {
      const c = source[j];
      if (quote) {
        if (c === "\\" && quote === '"') j++;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === "`") quote = c;
      else if (c === "}" && source[j + 1] === "}") break;
    }
    out.push({ start: i + 2, text: source.slice(i + 2, j) });
    i = j + 2;
  }
  return out;
}

/** Tokens of an action: strings (value unquoted) and words, with offsets. */
function tokens(text) {
  const out = [];
  const re = /"((?:[^"\\]|\\.)*)"|`([^`]*)`|([A-Za-z_$.][A-Za-z0-9_$.]*)|(\S)/g;
  let m;
  while ((m = re.exec(text)))
    out.push(
      m[1] !== undefined || m[2] !== undefined
        ? { kind: "string", value: m[1] !== undefined ? JSON.parse(`"${m[1]}"`) : m[2], at: m.index }
        : { kind: m[3] ? "word" : "punct", value: m[3] ?? m[4], at: m.index },
    );
  return out;
}

/** The message of a call: the string literals up to the end of the call's argument list (or pipeline stage). */
function messageAfter(toks, k) {
  const parts = [];
  let depth = 0;
  for (let n = k + 1; n < toks.length; n++) {
    const t = toks[n];
    if (t.kind === "punct" && t.value === "(") depth++;
    else if (t.kind === "punct" && t.value === ")") {
      if (depth === 0) break;
      depth--;
    } else if (t.kind === "punct" && t.value === "|" && depth === 0) break;
    else if (t.kind === "string") {
      parts.push(t.value);
      // `required "msg" value` and `fail "msg"`: the first literal is the message; `fail (printf "fmt" args)` too,
      // but `fail (cat "a" "b")` / `(print "a" "b")` join theirs.
      const prev = toks[n - 1];
      if (!(prev && (prev.kind === "string" || (prev.kind === "word" && /^(cat|print)$/.test(prev.value))))) {
        const nxt = toks[n + 1];
        if (!(nxt && nxt.kind === "string")) break;
      }
    }
  }
  return parts.join(" ").replace(/\s+/g, " ").trim();
}

/**
 * `printf "fmt" args | fail`: the first literal of the pipeline stage before the `|`. The stage starts after the
 * nearest `|` or unclosed `(` to its left; parenthesised arguments are skipped whole, so the pipes inside
 * `printf "fmt" . ($.ctx.Values | toJson | abbrev 100) | fail` (mimir-distributed _helpers.tpl) do not end it.
 */
function messageBefore(toks, k) {
  if (!(k > 0 && toks[k - 1].kind === "punct" && toks[k - 1].value === "|")) return "";
  let n = k - 2;
  let depth = 0;
  for (; n >= 0; n--) {
    const t = toks[n];
    if (t.kind !== "punct") continue;
    if (t.value === ")") depth++;
    else if (t.value === "(") {
      if (depth === 0) break;
      depth--;
    } else if (t.value === "|" && depth === 0) break;
  }
  return messageAfter(toks, n);
}

/** `fail $msg`: the message of the last `$msg :=` or `$msg =` before the call in the same file. */
function messageOfVariable(fileActions, upTo, toks, k) {
  const arg = toks[k + 1];
  if (!(arg && arg.kind === "word" && arg.value.startsWith("$"))) return "";
  for (let a = upTo; a >= 0; a--) {
    const ts = tokens(fileActions[a].text);
    const at = ts.findIndex(
      (t, i) => t.value === arg.value && ts[i + 1]?.kind === "punct" && /^[:=]$/.test(ts[i + 1].value),
    );
    if (at !== -1) return messageAfter(ts, at + (ts[at + 2]?.value === "=" ? 2 : 1));
  }
  return "";
}

function refusals(chartDir) {
  const out = [];
  for (const file of templateFiles(chartDir)) {
    const source = fs.readFileSync(file, "utf8");
    const fileActions = actions(source);
    fileActions.forEach((action, a) => {
      const toks = tokens(action.text);
      toks.forEach((t, k) => {
        if (t.kind !== "word" || (t.value !== "fail" && t.value !== "required")) return;
        const offset = action.start + t.at;
        out.push({
          file: path.relative(chartDir, file).split(path.sep).join("/"),
          line: source.slice(0, offset).split("\n").length,
          kind: t.value,
          message: messageAfter(toks, k) || messageBefore(toks, k) || messageOfVariable(fileActions, a, toks, k),
        });
      });
    });
  }
  return out;
}

function option(args, name) {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

function into(file, chart, version, source, found, keepFilesOtherThan) {
  const facts = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : { charts: [], refusals: [] };
  const old = facts.refusals.filter((r) => r.chart === chart);
  // --keep-unscanned: the chart's entries from template files this scan did not read stay as they are (a partial
  // rescan, e.g. one template file copied from the search index), placed before the rescanned ones.
  const kept0 = keepFilesOtherThan ? old.filter((r) => !keepFilesOtherThan.includes(r.file)) : [];
  const keyOf = (r) => `${r.file}\u0000${r.message}`;
  const kept = new Map(old.map((r) => [keyOf(r), r]));
  facts.charts = [...facts.charts.filter((c) => c.chart !== chart), { chart, version, source }];
  facts.refusals = [
    ...facts.refusals.filter((r) => r.chart !== chart),
    ...kept0,
    ...found.map((r) => {
      const before = kept.get(keyOf(r)) ?? {};
      const entry = { chart, version, ...r };
      if (before.predicate) entry.predicate = before.predicate;
      if (before.unreachable) entry.unreachable = before.unreachable;
      return entry;
    }),
  ];
  fs.writeFileSync(file, JSON.stringify(facts, null, 2) + "\n");
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const chartDir = args[0];
  if (!chartDir) {
    console.error("usage: extract-chart-refusals.js <chart dir> [--into FILE --chart NAME --version V --source TEXT]");
    process.exit(2);
  }
  const found = refusals(chartDir);
  const file = option(args, "--into");
  const scanned = args.includes("--keep-unscanned")
    ? templateFiles(chartDir).map((f) => path.relative(chartDir, f).split(path.sep).join("/"))
    : undefined;
  if (file) into(file, option(args, "--chart"), option(args, "--version"), option(args, "--source"), found, scanned);
  else process.stdout.write(JSON.stringify(found, null, 2) + "\n");
}

module.exports = { refusals };
