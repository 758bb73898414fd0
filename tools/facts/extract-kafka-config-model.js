#!/usr/bin/env node
// Made policies/lib/kafka/broker-config-model.json: the type and the ConfigDef validator of every Kafka broker config
// key, in the shape of Strimzi's generated config model (strimzi-kafka-operator config-model-generator
// KafkaConfigModelGenerator: `type`, `minimum` / `maximum` from a ConfigDef.Range, `values` from a ValidString /
// CaseInsensitiveValidString, `items` from a ValidList, `pattern` for NonEmptyString / NonNullValidator). Strimzi
// 1.2.0 validates `spec.kafka.config` against that model (cluster-operator KafkaConfiguration.validate, ConfigModel
// validate*) and refuses the Kafka resource on any error (KafkaCluster.validateConfiguration, InvalidResourceException).
//
// Strimzi builds its model at release time by loading the Kafka jars (KafkaConfig.configDef); neither the jars nor
// the generated kafka-<version>-config-model.json are committed anywhere this project can read, and Maven Central is
// not reachable from its machines. So this script reads the same ConfigDef from Kafka's Java sources: the config
// classes AbstractKafkaConfig.CONFIG_DEF merges (KafkaConfig.configDef is that object since Kafka 3.9), each
// `.define(name, TYPE, ...)` call with its validator argument, constants resolved across the sources. A key whose
// name or validator the script cannot evaluate is left out (no check, never a false refusal). Then the patch
// (tools/facts/kafka-4.3.1-config-model.patch.json) applies what changed between the source snapshot and the pinned
// Kafka (KIPs, release notes), each change with its citation.
//
// Usage: node extract-kafka-config-model.js <apache/kafka git dir> <ref> <patch.json> > policies/lib/kafka/broker-config-model.json
//        && npx prettier --write policies/lib/kafka/broker-config-model.json
//   (committed from ref 1eb7644349cb07139d6a3c1ad1986979647cac99, apache/kafka trunk of 2024-10-25)
"use strict";
const fs = require("fs");
const { execFileSync } = require("child_process");

const [gitDir, ref, patchFile] = process.argv.slice(2);
if (!gitDir || !ref || !patchFile) {
  console.error("usage: extract-kafka-config-model.js <kafka git dir> <ref> <patch.json>");
  process.exit(2);
}
const git = (...args) => execFileSync("git", ["-C", gitDir, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });

// ---- sources ------------------------------------------------------------------------------------------------------
const javaFiles = git("ls-tree", "-r", "--name-only", ref)
  .split("\n")
  .filter(
    (p) =>
      /\/src\/main\/java\/.*\.java$/.test(p) &&
      !/(^|\/)(streams|connect|tools|examples|jmh-benchmarks|test-common|trogdor|shell)\//.test(p),
  );
const sourceOf = new Map(); // simple class name -> source (first wins: main classes are unique by name in practice)
for (const path of javaFiles) {
  const cls = path
    .split("/")
    .pop()
    .replace(/\.java$/, "");
  if (!sourceOf.has(cls)) sourceOf.set(cls, { path, text: null });
}
function source(cls) {
  const entry = sourceOf.get(cls);
  if (!entry) return undefined;
  if (entry.text === null) entry.text = stripComments(git("show", `${ref}:${entry.path}`));
  return entry.text;
}
function stripComments(text) {
  let out = "";
  for (let i = 0; i < text.length;) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== "'") j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (text.startsWith("//", i)) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Splits a Java argument list (the text between the outer parentheses) at top-level commas. */
function splitArgs(text) {
  const args = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    } else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (c === "<" && /[A-Za-z]$/.test(text.slice(0, i)))
      depth++; // generics such as List<String>
    else if (c === ">" && depth > 0 && /[A-Za-z>\]]$/.test(text.slice(0, i))) depth--;
    else if (c === "," && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last) args.push(last);
  return args;
}

/** The text of the balanced parentheses that open at text[open]. */
function balanced(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    } else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return text.slice(open + 1, i);
  }
  return undefined;
}

// ---- constants ----------------------------------------------------------------------------------------------------
const constantCache = new Map();
/** `static final <T> NAME = <expr>;` of a class, evaluated; undefined when it cannot be. */
function constant(cls, name, seen = new Set()) {
  const key = `${cls}.${name}`;
  if (constantCache.has(key)) return constantCache.get(key);
  if (seen.has(key)) return undefined;
  seen.add(key);
  const text = source(cls);
  let value;
  if (text) {
    const re = new RegExp(`static\\s+final\\s+[\\w.<>, ?\\[\\]]+\\s+${name}\\s*=`, "m");
    const m = re.exec(text);
    if (m) {
      const rest = text.slice(m.index + m[0].length);
      const end = statementEnd(rest);
      value = evaluate(rest.slice(0, end), cls, seen);
    } else {
      // An inherited or interface constant: try the class this one extends or implements.
      const ext = new RegExp(`class\\s+${cls}\\b[^{]*?(?:extends|implements)\\s+([\\w.]+)`).exec(text);
      if (ext) value = constant(ext[1].split(".").pop(), name, seen);
    }
  }
  constantCache.set(key, value);
  return value;
}
function statementEnd(text) {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    } else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (c === ";" && depth === 0) return i;
  }
  return text.length;
}

/** Static imports of a class's file: simple name -> owning class. */
function staticImports(cls) {
  const text = source(cls) ?? "";
  const map = new Map();
  for (const m of text.matchAll(/import\s+static\s+[\w.]*\.(\w+)\.(\w+|\*)\s*;/g)) {
    if (m[2] === "*") map.set(`*${m[1]}`, m[1]);
    else map.set(m[2], m[1]);
  }
  return map;
}

const WELL_KNOWN = {
  "Integer.MAX_VALUE": 2147483647,
  "Integer.MIN_VALUE": -2147483648,
  "Long.MAX_VALUE": Number.MAX_SAFE_INTEGER, // the model's Long bound; any value the pack compares is far below it
  "Long.MIN_VALUE": Number.MIN_SAFE_INTEGER,
  "Short.MAX_VALUE": 32767,
  "Double.MAX_VALUE": Number.MAX_VALUE,
};
const TIME_UNITS = {
  NANOSECONDS: 1e-6,
  MICROSECONDS: 1e-3,
  MILLISECONDS: 1,
  SECONDS: 1e3,
  MINUTES: 6e4,
  HOURS: 36e5,
  DAYS: 864e5,
};
const TO_UNIT = {
  toNanos: 1e-6,
  toMicros: 1e-3,
  toMillis: 1,
  toSeconds: 1e3,
  toMinutes: 6e4,
  toHours: 36e5,
  toDays: 864e5,
};

/** Resolves an identifier (bare or qualified) seen in class `cls`. */
function identifier(id, cls, seen) {
  if (id in WELL_KNOWN) return WELL_KNOWN[id];
  const parts = id.split(".");
  if (parts.length >= 2) {
    const owner = parts[parts.length - 2];
    const name = parts[parts.length - 1];
    const v = constant(owner, name, seen);
    if (v !== undefined) return v;
    return undefined;
  }
  let v = constant(cls, id, seen);
  if (v !== undefined) return v;
  const imports = staticImports(cls);
  if (imports.has(id)) return constant(imports.get(id), id, seen);
  for (const [k, owner] of imports) if (k.startsWith("*")) if ((v = constant(owner, id, seen)) !== undefined) return v;
  return undefined;
}

/** Evaluates a Java constant expression: literals, + - * / %, casts, parentheses, constants, a few library calls. */
function evaluate(expr, cls, seen = new Set()) {
  let e = expr.trim();
  // Library calls and helpers whose values are known.
  e = e.replace(/\b(?:ServerTopicConfigSynonyms\.)?serverSynonym\(([^()]*)\)/g, (_, arg) => {
    const topic = evaluate(arg, cls, seen);
    const server = typeof topic === "string" ? synonyms().get(topic) : undefined;
    return server === undefined ? "__UNDEF__" : JSON.stringify(server);
  });
  e = e.replace(/\bTimeUnit\.(\w+)\.(to\w+)\(([^()]*)\)/g, (_, unit, to, arg) => {
    const n = evaluate(arg, cls, seen);
    if (typeof n !== "number" || !(unit in TIME_UNITS) || !(to in TO_UNIT)) return "__UNDEF__";
    return String(Math.floor((n * TIME_UNITS[unit]) / TO_UNIT[to]));
  });
  e = e.replace(/\b(?:Duration)\.of(Millis|Seconds|Minutes|Hours|Days)\(([^()]*)\)\.toMillis\(\)/g, (_, unit, arg) => {
    const n = evaluate(arg, cls, seen);
    const f = { Millis: 1, Seconds: 1e3, Minutes: 6e4, Hours: 36e5, Days: 864e5 }[unit];
    return typeof n === "number" ? String(n * f) : "__UNDEF__";
  });
  e = e.replace(/\bMath\.(max|min)\(([^()]*)\)/g, (_, fn, args) => {
    const [a, b] = splitArgs(args).map((x) => evaluate(x, cls, seen));
    return typeof a === "number" && typeof b === "number" ? String(Math[fn](a, b)) : "__UNDEF__";
  });
  if (/\w\s*\(/.test(e.replace(/\((?:int|long|short|double|float)\)/g, ""))) return undefined; // other calls
  // Casts, numeric suffixes and underscores.
  e = e.replace(/\((int|long|short|double|float)\)/g, "");
  let out = "";
  const token =
    /\s*("(?:[^"\\]|\\.)*"|0[xX][0-9a-fA-F_]+[lL]?|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?[lLdDfF]?|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*|__UNDEF__|[-+*/%()])/y;
  let m;
  let pos = 0;
  while (pos < e.length) {
    token.lastIndex = pos;
    m = token.exec(e);
    if (!m) return e.slice(pos).trim() === "" ? safeEval(out) : undefined;
    pos = token.lastIndex;
    const t = m[1];
    if (t === "__UNDEF__") return undefined;
    if (t.startsWith('"')) out += t;
    else if (/^\d|^0[xX]/.test(t)) out += t.replace(/_/g, "").replace(/[lLdDfF]$/, "");
    else if (/^[A-Za-z_$]/.test(t)) {
      if (t === "true" || t === "false") out += t;
      else {
        const v = identifier(t, cls, seen);
        if (v === undefined) return undefined;
        out += JSON.stringify(v);
      }
    } else out += t;
  }
  return safeEval(out);
}
function safeEval(js) {
  if (!/^[\s\d.eE+\-*/%()"\w\\ ,:;'!?#@&[\]{}|<>=^~`$]*$/.test(js)) return undefined;
  try {
    // Only literals and operators reach here (identifiers were replaced by their JSON values).
    const v = Function(`"use strict"; return (${js});`)();
    return typeof v === "number" && !Number.isInteger(v) && !/\./.test(js) ? Math.trunc(v) : v; // Java integer division
  } catch {
    return undefined;
  }
}

/** ServerTopicConfigSynonyms.ALL_TOPIC_CONFIG_SYNONYMS: topic config -> its first (highest-priority) server synonym. */
let synonymMap;
function synonyms() {
  if (synonymMap) return synonymMap;
  synonymMap = new Map();
  const cls = "ServerTopicConfigSynonyms";
  const text = source(cls);
  const start = text.indexOf("ALL_TOPIC_CONFIG_SYNONYMS");
  const open = text.indexOf("Utils.mkMap(", start) + "Utils.mkMap".length;
  const LOG = "log.";
  const CLEANER = "log.cleaner.";
  for (const entry of splitArgs(balanced(text, open))) {
    const m = /^(\w+)\(([\s\S]*)\)$/.exec(entry.trim());
    if (!m) continue;
    const args = splitArgs(m[2]);
    const topic = evaluate(args[0], cls);
    if (typeof topic !== "string") continue;
    const first = args[1] ? evaluate(args[1].replace(/^new ConfigSynonym\((.*?)(,[^)]*)?\)$/, "$1"), cls) : undefined;
    const server = {
      sameName: topic,
      sameNameWithLogPrefix: LOG + topic,
      sameNameWithLogCleanerPrefix: CLEANER + topic,
      singleWithLogPrefix: typeof first === "string" ? LOG + first : undefined,
      singleWithLogCleanerPrefix: typeof first === "string" ? CLEANER + first : undefined,
      listWithLogPrefix: typeof first === "string" ? LOG + first : undefined,
      single: typeof first === "string" ? first : undefined,
    }[m[1]];
    if (server !== undefined) synonymMap.set(topic, server);
  }
  return synonymMap;
}

// ---- ConfigDef definitions ----------------------------------------------------------------------------------------
const TYPES = ["BOOLEAN", "STRING", "INT", "SHORT", "LONG", "DOUBLE", "LIST", "CLASS", "PASSWORD"];

/** The ConfigDef pieces AbstractKafkaConfig.CONFIG_DEF merges: `Class.FIELD` or `Class.method()`. */
function mergedPieces() {
  const text = source("AbstractKafkaConfig");
  const at = text.indexOf("CONFIG_DEF");
  const open = text.indexOf("mergeConfigs(", at) + "mergeConfigs".length;
  const list = balanced(text, open);
  const inner = list.slice(list.indexOf("(") + 1, list.lastIndexOf(")"));
  return splitArgs(inner).map((p) => {
    const [cls, member] = p.replace(/\(\)$/, "").split(".");
    return { cls, member, call: p.endsWith("()") };
  });
}

/** The `.define(...)` calls of a ConfigDef initialiser (a field's or a method's body), followed through `new ConfigDef(X)` copies. */
function defineCalls(cls, member, call) {
  const text = source(cls);
  if (!text) return [];
  let body;
  if (call) {
    const m = new RegExp(`\\b${member}\\s*\\(\\s*\\)\\s*\\{`).exec(text);
    if (!m) return [];
    body = text.slice(m.index, m.index + blockLength(text, m.index + m[0].length - 1));
  } else {
    const m = new RegExp(`\\b${member}\\s*=`).exec(text);
    if (!m) return [];
    body = text.slice(m.index, m.index + m[0].length + statementEnd(text.slice(m.index + m[0].length)));
  }
  const calls = [];
  // A ConfigDef built on another (new ConfigDef(Other.CONFIG_DEF) or a local helper).
  for (const base of body.matchAll(/new\s+ConfigDef\(\s*([\w.]+)\s*\)/g)) {
    const parts = base[1].split(".");
    calls.push(...defineCalls(parts.length > 1 ? parts[parts.length - 2] : cls, parts[parts.length - 1], false));
  }
  for (const m of body.matchAll(/\.define(?:Internal)?\(/g)) {
    const args = balanced(body, m.index + m[0].length - 1);
    if (args !== undefined) calls.push({ cls, internal: m[0].includes("Internal"), args: splitArgs(args) });
  }
  return calls;
}
function blockLength(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    } else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i - (open - (text.lastIndexOf("\n", open) + 1)) + 1;
  }
  return text.length;
}

/** The validator argument of a define call, as Strimzi's generator records it; undefined when none or unknown. */
function validator(expr, cls) {
  const e = expr.replace(/\s+/g, " ").trim();
  let m;
  if ((m = /^(?:ConfigDef\.)?(?:Range\.)?atLeast\((.*)\)$/.exec(e))) {
    const min = evaluate(m[1], cls);
    return typeof min === "number" ? { minimum: min } : { unresolved: e };
  }
  if ((m = /^(?:ConfigDef\.)?(?:Range\.)?between\((.*)\)$/.exec(e))) {
    const [a, b] = splitArgs(m[1]).map((x) => evaluate(x, cls));
    return typeof a === "number" && typeof b === "number" ? { minimum: a, maximum: b } : { unresolved: e };
  }
  if ((m = /^(?:ConfigDef\.)?CaseInsensitiveValidString\.in\((.*)\)$/.exec(e))) {
    const values = splitArgs(m[1]).map((x) => evaluate(x, cls));
    return values.every((v) => typeof v === "string")
      ? { values: values.map((v) => v.toUpperCase()), caseInsensitive: true }
      : { unresolved: e };
  }
  if ((m = /^(?:ConfigDef\.)?ValidString\.in\((.*)\)$/.exec(e)) || (m = /^in\((.*)\)$/.exec(e))) {
    const values = splitArgs(m[1]).map((x) => evaluate(x, cls));
    return values.every((v) => typeof v === "string") ? { values } : { unresolved: e };
  }
  if ((m = /^(?:ConfigDef\.)?ValidList\.in\((.*)\)$/.exec(e))) {
    const items = splitArgs(m[1]).map((x) => evaluate(x, cls));
    return items.every((v) => typeof v === "string") ? { items } : { unresolved: e };
  }
  if (
    /^new (?:ConfigDef\.)?(?:NonEmptyString|NonNullValidator)\(\)$/.test(e) ||
    /^(?:ConfigDef\.)?NonEmptyString/.test(e)
  )
    return { pattern: ".+" };
  return { unresolved: e };
}

/** Is this argument a validator (rather than a default, an importance, a documentation string)? */
function looksLikeValidator(arg) {
  return /^(?:ConfigDef\.)?(?:Range\.)?(?:atLeast|between)\(|ValidString\.in\(|ValidList\.|^in\(|NonEmptyString|NonNullValidator|Validator|\bnew\s+\w+Validator\b|LambdaValidator|::/.test(
    arg,
  );
}

const IMPORTANCE = /^(?:ConfigDef\.)?(?:Importance\.)?(?:HIGH|MEDIUM|LOW)$/;
const model = {};
const skipped = [];
for (const piece of mergedPieces()) {
  for (const { cls, internal, args } of defineCalls(piece.cls, piece.member, piece.call)) {
    if (internal) continue; // defineInternal keys are not in the documented model either; Strimzi includes them, harmless
    const name = evaluate(args[0], cls);
    const typeArg = (args[1] || "").replace(/^(?:ConfigDef\.)?(?:Type\.)?/, "");
    if (typeof name !== "string" || !TYPES.includes(typeArg)) {
      skipped.push({ where: `${cls}`, define: args.slice(0, 2).join(", "), why: "name or type not resolved" });
      continue;
    }
    const entry = { type: typeArg };
    // define(name, type, default, validator, importance, doc, ...) or define(name, type, default, importance, doc, ...)
    // or define(name, type, importance, doc): the validator, when there is one, is the argument before the importance.
    const importanceAt = args.findIndex((a, i) => i >= 2 && IMPORTANCE.test(a));
    const candidate = importanceAt >= 4 ? args[importanceAt - 1] : undefined;
    if (candidate !== undefined && looksLikeValidator(candidate)) {
      const v = validator(candidate, cls);
      if (v.unresolved)
        skipped.push({
          where: cls,
          key: name,
          validator: v.unresolved,
          why: "validator not resolved: type checked only",
        });
      else Object.assign(entry, v);
    }
    model[name] = entry;
  }
}

// ---- patch --------------------------------------------------------------------------------------------------------
const patch = JSON.parse(fs.readFileSync(patchFile, "utf8"));
for (const [key, change] of Object.entries(patch.set ?? {})) {
  const { why, ...fields } = change;
  model[key] = { ...(model[key] ?? {}), ...fields };
  for (const [k, v] of Object.entries(fields)) if (v === null) delete model[key][k];
}
for (const key of Object.keys(patch.remove ?? {})) delete model[key];
for (const prefix of Object.keys(patch.removePrefixes ?? {}))
  for (const key of Object.keys(model)) if (key.startsWith(prefix)) delete model[key];

const sorted = Object.fromEntries(
  Object.keys(model)
    .sort()
    .map((k) => [k, model[k]]),
);
process.stdout.write(
  JSON.stringify(
    {
      source: `apache/kafka ${ref} (${git("log", "-1", "--format=%cs", ref).trim()}), the ConfigDefs AbstractKafkaConfig.CONFIG_DEF merges; patched to Kafka ${patch.version} by tools/facts/${patchFile.split("/").pop()}`,
      generatedBy: "tools/facts/extract-kafka-config-model.js",
      version: patch.version,
      skipped,
      configs: sorted,
    },
    null,
    1,
  ) + "\n",
);
