#!/usr/bin/env node
// Made the key lists in settings/overrides/accepted/*.json, which the program uses to refuse an override path that
// its target cannot accept (settings/overrides/paths.ts). Re-run when a chart or the Strimzi CRDs move; the charts
// and CRDs come from their own repositories and are never committed.
//
// Usage:
//   node extract-override-keys.js chart <name> <source label> <chart dir> [--open key,key]
//       Keys of the chart's values.yaml, plus every `.Values.a.b` path its templates read (a value the templates read
//       but the defaults do not list is still accepted). Subcharts (Chart.yaml dependencies, by alias) and `global`
//       are open. --open adds top-level keys to leave open.
//       --patch FILE applies a JSON patch of the key list: { "why": ..., "remove": [dotted paths], "open": [dotted
//       paths], "add": [dotted paths], "checkedDepth": n } (for a chart whose pinned values.yaml is not at hand, the
//       nearest one plus what its CHANGELOG says changed; see tools/facts/mimir-distributed-6.0.6.patch.json).
//   node extract-override-keys.js crd <name> <source label> <crd yaml> <version>
//       The OpenAPI schema of the CR's `spec` in the given served version.
//   Output: settings/overrides/accepted/<name>.json (relative to the repository root).
//
// Tree format: an object lists the accepted keys; "*" accepts anything below (a free-form map, a list, a string
// holding a config file, a Kubernetes object the chart passes through with toYaml, a schema with
// x-kubernetes-preserve-unknown-fields or additionalProperties); 1 is a scalar leaf; {"[]": tree} is a list whose
// items follow tree.
"use strict";
const fs = require("fs");
const path = require("path");
const YAML = require("yaml");

// Values that charts render whole with toYaml (Kubernetes API types): whatever the API accepts below them is valid
// even when the chart's default lists only some of it (say `resources.requests` without `limits`).
const PASSTHROUGH = new Set([
  "resources",
  "securityContext",
  "podSecurityContext",
  "containerSecurityContext",
  "affinity",
  "tolerations",
  "nodeSelector",
  "topologySpreadConstraints",
  "annotations",
  "podAnnotations",
  "labels",
  "podLabels",
  "serviceAnnotations",
  "serviceLabels",
  "readinessProbe",
  "livenessProbe",
  "startupProbe",
  "strategy",
  "updateStrategy",
  "env",
  "extraEnv",
  "extraEnvFrom",
  "extraArgs",
  "extraVolumes",
  "extraVolumeMounts",
  "extraContainers",
  "initContainers",
  "lifecycle",
  "dnsConfig",
  "structuredConfig",
  "image",
]);

const OPEN = "*";

function valuesTree(value, key) {
  if (PASSTHROUGH.has(key)) return OPEN;
  if (value === null || value === undefined || Array.isArray(value) || typeof value === "string") return OPEN;
  if (typeof value !== "object") return 1;
  const keys = Object.keys(value);
  if (keys.length === 0) return OPEN;
  const node = {};
  for (const k of keys) node[k] = valuesTree(value[k], k);
  return node;
}

/** Adds a path the templates read; never narrows what the defaults already accept. */
function addPath(tree, segments) {
  let node = tree;
  for (let i = 0; i < segments.length; i++) {
    const key = segments[i];
    const last = i === segments.length - 1;
    if (node[key] === OPEN) return;
    if (node[key] === undefined) node[key] = last ? 1 : {};
    else if (node[key] === 1 && !last) node[key] = {};
    node = node[key];
  }
}

const PATH = String.raw`\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)*)`;
const segmentsOf = (dotted) => dotted.split(".").filter(Boolean);

/**
 * What the templates read: every `.Values.a.b` path; a path rendered whole (`toYaml`, `with`, `range`) is open;
 * `dig "k1" "k2" default .Values.x` reads x.k1.k2. The chart's values.yaml is scanned too: Loki's config file is a
 * tpl string there.
 */
function templateReads(texts) {
  const read = [];
  const open = [];
  for (const text of texts) {
    for (const m of text.matchAll(new RegExp(PATH, "g"))) if (m[1]) read.push(segmentsOf(m[1]));
    for (const m of text.matchAll(new RegExp(String.raw`(?:\btoYaml|\brange[^:}]*:=)\s+\(?\s*` + PATH, "g")))
      if (m[1]) open.push(segmentsOf(m[1]));
    // `with .Values.x }} ... toYaml . ... end`: x rendered whole inside the block.
    for (const m of text.matchAll(new RegExp(String.raw`\bwith\s+` + PATH + String.raw`\s*-?}}`, "g"))) {
      const body = text.slice(m.index + m[0].length).split(/{{-?\s*end\b/)[0];
      if (m[1] && /toYaml\s+\.\s|\(\s*\.\s*\|\s*toYaml|toYaml\s+\.\)/.test(body)) open.push(segmentsOf(m[1]));
    }
    for (const m of text.matchAll(new RegExp(PATH + String.raw`\s*\|\s*toYaml`, "g")))
      if (m[1]) open.push(segmentsOf(m[1]));
    for (const m of text.matchAll(new RegExp(String.raw`\bdig((?:\s+"[^"]*")+)\s+` + PATH, "g"))) {
      const keys = [...m[1].matchAll(/"([^"]*)"/g)].map((k) => k[1]).slice(0, -1);
      read.push([...segmentsOf(m[2]), ...keys]);
    }
  }
  return { read, open };
}

function chartTexts(chartDir) {
  const texts = [fs.readFileSync(path.join(chartDir, "values.yaml"), "utf8")];
  const dir = path.join(chartDir, "templates");
  if (!fs.existsSync(dir)) return texts;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) texts.push(fs.readFileSync(path.join(entry.parentPath ?? entry.path, entry.name), "utf8"));
  return texts;
}

/** Marks a path open, creating it if the defaults lack it. */
function openPath(tree, segments) {
  let node = tree;
  for (let i = 0; i < segments.length - 1; i++) {
    if (node[segments[i]] === OPEN) return;
    if (typeof node[segments[i]] !== "object") node[segments[i]] = {};
    node = node[segments[i]];
  }
  node[segments[segments.length - 1]] = OPEN;
}

function chartTree(chartDir, extraOpen) {
  const values = YAML.parse(fs.readFileSync(path.join(chartDir, "values.yaml"), "utf8")) ?? {};
  const tree = valuesTree(values, "");
  const { read, open } = templateReads(chartTexts(chartDir));
  for (const segments of read) addPath(tree, segments);
  for (const segments of open) openPath(tree, segments);
  const chart = YAML.parse(fs.readFileSync(path.join(chartDir, "Chart.yaml"), "utf8"));
  for (const dependency of chart.dependencies ?? []) tree[dependency.alias ?? dependency.name] = OPEN;
  tree.global = OPEN;
  for (const key of extraOpen) tree[key] = OPEN;
  return tree;
}

function schemaTree(schema) {
  if (!schema) return OPEN;
  if (schema["x-kubernetes-preserve-unknown-fields"] || schema.additionalProperties) return OPEN;
  if (schema.type === "array") return { "[]": schemaTree(schema.items) };
  if (schema.properties) {
    const node = {};
    for (const [k, v] of Object.entries(schema.properties)) node[k] = schemaTree(v);
    return node;
  }
  return schema.type === "object" ? OPEN : 1;
}

function crdTree(file, version) {
  const crd = YAML.parse(fs.readFileSync(file, "utf8"));
  const served = crd.spec.versions.find((v) => v.name === version);
  if (!served) throw new Error(`${file} has no version ${version}`);
  return schemaTree(served.schema.openAPIV3Schema.properties.spec);
}

function applyPatch(tree, patch) {
  for (const dotted of patch.remove ?? []) {
    const segments = dotted.split(".");
    const parent = segments.slice(0, -1).reduce((node, key) => node?.[key], tree);
    if (parent && typeof parent === "object") delete parent[segments[segments.length - 1]];
  }
  for (const dotted of patch.add ?? []) addPath(tree, dotted.split("."));
  for (const dotted of patch.open ?? []) openPath(tree, dotted.split("."));
}

function sortTree(node) {
  if (typeof node !== "object") return node;
  return Object.fromEntries(
    Object.keys(node)
      .sort()
      .map((k) => [k, sortTree(node[k])]),
  );
}

function main(argv) {
  const [kind, name, source, input, ...rest] = argv;
  if (!["chart", "crd"].includes(kind) || !name || !source || !input) {
    process.stderr.write("usage: extract-override-keys.js chart|crd <name> <source label> <dir|file> [version]\n");
    process.exit(2);
  }
  const openAt = rest.indexOf("--open");
  const extraOpen = openAt >= 0 ? rest[openAt + 1].split(",") : [];
  const tree = kind === "chart" ? chartTree(input, extraOpen) : crdTree(input, rest[0]);
  const patchAt = rest.indexOf("--patch");
  const patch = patchAt >= 0 ? JSON.parse(fs.readFileSync(rest[patchAt + 1], "utf8")) : {};
  applyPatch(tree, patch);
  const out = path.resolve(__dirname, "../../settings/overrides/accepted", `${name}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const doc = {
    source,
    generatedBy: "tools/facts/extract-override-keys.js",
    ...(patch.checkedDepth ? { checkedDepth: patch.checkedDepth } : {}),
    tree: sortTree(tree),
  };
  fs.writeFileSync(out, `${JSON.stringify(doc)}\n`);
  process.stdout.write(`${out}\n`);
}

main(process.argv.slice(2));
