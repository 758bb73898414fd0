#!/usr/bin/env node
// Made settings/overrides/accepted/loki-config.json and mimir-config.json: the keys of Loki's and Mimir's own config
// file, which both parse strictly (an unknown key stops every pod at start-up). settings/overrides/paths.ts checks
// the override paths that enter that config (loki.structuredConfig, loki.limits_config, mimir.structuredConfig, ...)
// against them. Loki's and Mimir's files are never committed, only the key trees this script extracts.
//
// Usage:
//   node extract-config-keys.js loki <grafana/loki git dir> <pinned tag> <older tag>...
//       Parses the configuration reference (docs/sources/shared/configuration.md, or docs/sources/configure/_index.md
//       before 3.1), which `make doc` generates from the Go structs (tools/doc-generator), at each tag. The pinned
//       tag's keys are the tree; a key an older tag had and the pinned one lacks is listed in `removed` with the first
//       listed tag that lacks it. Fields the doc generator hides (`doc:"hidden"`, `doc:"hidden|deprecated"` in the pinned tag's Go source) are
//       still parsed by Loki: their names are listed in `hidden` and accepted wherever they occur.
//   node extract-config-keys.js mimir <config-descriptor.json> <patch.json>
//       The tree of Mimir's config descriptor (cmd/mimir/config-descriptor.json, made by tools/doc-generator), changed
//       by the patch ({ version, why, add: {dotted path: citation}, open: {dotted path: why}, removed: {dotted path:
//       {in, why}} }; see
//       tools/facts/mimir-3.0.4-config.patch.json).
//
// Tree format (as extract-override-keys.js): an object lists the keys; 1 is a scalar leaf; "*" accepts anything
// below (a map of free-form keys, a list of scalars, a type the reference does not expand); {"[]": tree} is a list
// whose items follow tree.
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const OPEN = "*";
const OUT = path.resolve(__dirname, "../../settings/overrides/accepted");

// ---- Loki: the generated configuration reference -------------------------------------------------------------------

/** The ```yaml blocks of the reference: the root block and one per `### <block name>` heading (the last one there). */
function referenceBlocks(markdown) {
  const lines = markdown.split("\n");
  const blocks = {};
  let heading;
  let inRoot = false;
  let code;
  for (const line of lines) {
    if (code) {
      if (line.startsWith("```")) {
        if (heading !== undefined) blocks[heading] = code;
        code = undefined;
      } else code.push(line);
      continue;
    }
    const h = /^(#{2,3}) (.*)$/.exec(line);
    if (h) {
      if (/^Supported contents and default values/.test(h[2])) [heading, inRoot] = ["", true];
      else if (h[1] === "##" && inRoot)
        break; // the runtime-config and later sections are prose with examples
      else heading = inRoot && /^[a-z0-9_]+$/.test(h[2]) ? h[2] : undefined;
      continue;
    }
    if (line.startsWith("```yaml")) code = [];
  }
  return blocks;
}

function typeTree(type, line, ref) {
  if (/^map of /.test(type)) return OPEN;
  const list = /^list of (.*)$/.exec(type);
  if (list) {
    const item = list[1].replace(/s$/, "");
    const tree = ref(item);
    return tree === undefined ? OPEN : { "[]": tree };
  }
  if (line.includes(`<${type}>...`)) return OPEN; // `<relabel_config...>`: a list of an unexpanded type
  const block = ref(type);
  return block === undefined ? 1 : block;
}

function lokiTree(markdown) {
  const blocks = referenceBlocks(markdown);
  const done = {};
  const ref = (name) => {
    if (!(name in blocks)) return undefined;
    if (!(name in done)) {
      done[name] = OPEN; // a block that (indirectly) contains itself stays open there
      done[name] = parseOpenAware(blocks[name], ref);
    }
    return done[name];
  };
  return parseOpenAware(blocks[""], ref);
}

/** parseBlock, with sections that are maps (`[: <map of ...>]` inside `key:`) turned into "*". */
function parseOpenAware(lines, ref) {
  const root = {};
  const stack = [{ indent: -1, node: root, parent: undefined, key: undefined }];
  for (const raw of lines) {
    const text = raw.replace(/\s+$/, "");
    const trimmed = text.trim();
    if (!trimmed || trimmed.startsWith("#")) continue;
    const indent = text.length - text.trimStart().length;
    while (stack[stack.length - 1].indent >= indent) stack.pop();
    const top = stack[stack.length - 1];
    const parent = top.node;
    if (parent === OPEN) continue;
    let m;
    if ((m = /^\[<([a-z0-9_]+)>\]$/.exec(trimmed))) {
      const inlined = ref(m[1]);
      if (typeof inlined === "object") Object.assign(parent, inlined);
      else if (top.parent) top.parent[top.key] = top.node = OPEN;
    } else if ((m = /^\[([A-Za-z0-9_.-]*): <(.*?)>(\.\.\.)?(?:\s*\|.*)?\]$/.exec(trimmed))) {
      if (m[1] === "") {
        if (top.parent) top.parent[top.key] = top.node = OPEN;
      } else parent[m[1]] = m[3] ? OPEN : typeTree(m[2], trimmed, ref);
    } else if ((m = /^([A-Za-z0-9_.-]+):$/.exec(trimmed))) {
      const child = {};
      parent[m[1]] = child;
      stack.push({ indent, node: child, parent, key: m[1] });
    }
  }
  return root;
}

function gitShow(gitDir, tag, files) {
  return gitShowFile(gitDir, tag, files).text;
}

function gitShowFile(gitDir, tag, files) {
  for (const file of files) {
    try {
      const text = execFileSync("git", ["-C", gitDir, "show", `${tag}:${file}`], {
        encoding: "utf8",
        maxBuffer: 1 << 26,
        stdio: ["ignore", "pipe", "ignore"],
      });
      return { file, text };
    } catch {
      // not at this tag: try the next location
    }
  }
  throw new Error(`${tag}: no configuration reference`);
}

const REFERENCE = ["docs/sources/shared/configuration.md", "docs/sources/configure/_index.md"];

/** Every dotted path of a tree, through objects and list items. */
function paths(tree, prefix = [], out = new Map()) {
  if (typeof tree !== "object") return out;
  for (const [key, child] of Object.entries(tree)) {
    const here = key === "[]" ? prefix : [...prefix, key];
    if (key !== "[]") out.set(here.join("."), here);
    paths(child, here, out);
  }
  return out;
}

function at(tree, segments) {
  let node = tree;
  for (const key of segments) {
    if (node && typeof node === "object" && "[]" in node) node = node["[]"];
    if (!node || typeof node !== "object") return node;
    node = node[key];
  }
  return node;
}

function hiddenFields(gitDir, tag) {
  let out = "";
  try {
    out = execFileSync(
      "git",
      ["-C", gitDir, "grep", "-h", "-E", 'doc:"[^"]*hidden', tag, "--", "pkg/*.go", ":!*_test.go"],
      {
        encoding: "utf8",
        maxBuffer: 1 << 26,
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
  } catch {
    // no hidden field
  }
  const names = new Set();
  for (const m of out.matchAll(/yaml:"([a-z0-9_]+)[,"]/g)) if (m[1] !== "_") names.add(m[1]);
  return [...names].sort();
}

function loki(gitDir, pinned, older) {
  const reference = gitShowFile(gitDir, pinned, REFERENCE);
  const tree = lokiTree(reference.text);
  const removed = {};
  // Oldest first: a key is reported removed in the first tag after the last one that still had it.
  const tags = [...older, pinned];
  const trees = tags.map((tag) => (tag === pinned ? tree : lokiTree(gitShow(gitDir, tag, REFERENCE))));
  for (let i = 0; i < older.length; i++) {
    for (const [dotted, segments] of paths(trees[i])) {
      if (at(tree, segments) !== undefined) continue;
      const parentInPinned = at(tree, segments.slice(0, -1));
      if (segments.length > 1 && (parentInPinned === undefined || parentInPinned === OPEN)) continue;
      let last = i;
      for (let j = i + 1; j < older.length; j++) if (at(trees[j], segments) !== undefined) last = j;
      removed[dotted] = tags[last + 1].replace(/^v/, "");
    }
  }
  const hidden = hiddenFields(gitDir, pinned);
  for (const dotted of Object.keys(removed)) if (hidden.includes(dotted.split(".").pop())) delete removed[dotted];
  write("loki-config", {
    source: `Loki ${pinned.replace(/^v/, "")} configuration reference (grafana/loki tag ${pinned}, ${reference.file}, generated from the Go structs)`,
    generatedBy: "tools/facts/extract-config-keys.js",
    version: pinned.replace(/^v/, ""),
    strict: true,
    removedSource: `keys the references of ${older.join(", ")} list and ${pinned}'s lacks`,
    removed: sortObject(removed),
    hidden,
    tree,
  });
}

// ---- Mimir: the config descriptor ---------------------------------------------------------------------------------

function descriptorTree(block) {
  const node = {};
  for (const entry of block.blockEntries ?? []) {
    if (entry.kind === "block") {
      const child = descriptorTree(entry);
      if (entry.name) node[entry.name] = child;
      else Object.assign(node, child); // an inlined (squashed) block
    } else if (entry.kind === "field") node[entry.name] = fieldTree(entry.fieldType);
  }
  return node;
}

function fieldTree(type) {
  if (/^map of /.test(type ?? "") || /\.\.\.$/.test(type ?? "") || /^list of /.test(type ?? "")) return OPEN;
  return 1;
}

function addPath(tree, segments) {
  let node = tree;
  for (let i = 0; i < segments.length; i++) {
    if (node[segments[i]] === OPEN) return;
    if (typeof node[segments[i]] !== "object") node[segments[i]] = i === segments.length - 1 ? 1 : {};
    node = node[segments[i]];
  }
}

function mimir(descriptorFile, patchFile) {
  const tree = descriptorTree(JSON.parse(fs.readFileSync(descriptorFile, "utf8")));
  const patch = JSON.parse(fs.readFileSync(patchFile, "utf8"));
  const removed = {};
  for (const [dotted, fact] of Object.entries(patch.removed ?? {})) {
    const segments = dotted.split(".");
    const parent = at(tree, segments.slice(0, -1));
    if (parent && typeof parent === "object") delete parent[segments[segments.length - 1]];
    removed[dotted] = fact.in;
  }
  for (const dotted of Object.keys(patch.add ?? {})) addPath(tree, dotted.split("."));
  for (const dotted of Object.keys(patch.open ?? {})) {
    const segments = dotted.split(".");
    addPath(tree, segments.slice(0, -1));
    const parent = at(tree, segments.slice(0, -1));
    if (parent && typeof parent === "object") parent[segments[segments.length - 1]] = OPEN;
  }
  write("mimir-config", {
    source: `Mimir config descriptor of April 2025 (grafana/mimir cmd/mimir/config-descriptor.json), changed as the CHANGELOG for 2.17.0-3.0.4 says (${path.basename(patchFile)})`,
    generatedBy: "tools/facts/extract-config-keys.js",
    version: patch.version,
    strict: false,
    removedSource: "grafana/mimir CHANGELOG.md (see the patch file for each entry)",
    removed: sortObject(removed),
    hidden: [],
    tree,
  });
}

// ---- output ---------------------------------------------------------------------------------------------------------

function sortObject(node) {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return node;
  return Object.fromEntries(
    Object.keys(node)
      .sort()
      .map((k) => [k, sortObject(node[k])]),
  );
}

function write(name, doc) {
  const out = path.join(OUT, `${name}.json`);
  fs.writeFileSync(out, `${JSON.stringify({ ...doc, tree: sortObject(doc.tree) })}\n`);
  process.stdout.write(`${out}\n`);
}

function main([kind, ...args]) {
  if (kind === "loki" && args.length >= 2) return loki(args[0], args[1], args.slice(2));
  if (kind === "mimir" && args.length === 2) return mimir(args[0], args[1]);
  process.stderr.write(
    "usage: extract-config-keys.js loki <loki git dir> <pinned tag> <older tag>... | mimir <descriptor.json> <patch.json>\n",
  );
  process.exit(2);
}

main(process.argv.slice(2));
