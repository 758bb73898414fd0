#!/usr/bin/env node
// Lists the kinds a Helm chart's templates render from API groups that a cluster does not serve by itself (custom
// resources, or Kubernetes add-on APIs such as autoscaling.k8s.io): Helm cannot map such a kind unless its CRD is
// installed, and the release fails ("no matches for kind"). policies/lib/charts/chart-crd-kinds.json is made from
// this output for the pinned charts (tools/facts/regenerate-chart-crd-kinds.sh); policy U11 chart-kinds-installed
// (policies/rules/rollout/chart-kinds-installed.ts) models each entry, or the entry carries a `note` saying why it
// needs no model, and a test asserts that every entry is one or the other, so a chart bump that adds a kind shows up.
// The charts are never committed.
//
// Usage:
//   node extract-chart-crd-kinds.js <chart dir>
//       Prints JSON [{ apiVersion, kind, files, capabilitiesGuarded }] grouped by apiVersion and kind: `files` are the
//       template files (relative to <chart dir>) that render it, `capabilitiesGuarded` is true when every one of them
//       tests `.Capabilities.APIVersions.Has` (Helm then skips the object on a cluster without the API).
//   node extract-chart-crd-kinds.js <chart dir> --into FILE --chart NAME --version V --source TEXT
//       Replaces the chart's entries in FILE, keeping each entry's `model` or `note` when apiVersion and kind are
//       unchanged.
//
// An object is a line `apiVersion: X` followed (within the same YAML document) by `kind: Y`, in either order; a value
// written as a template action is kept as its text. Core groups (no dot in the group, or *.k8s.io groups every
// cluster serves) are left out.
"use strict";
const fs = require("fs");
const path = require("path");

const BUILT_IN_GROUPS = new Set([
  "apps",
  "batch",
  "policy",
  "autoscaling",
  "networking.k8s.io",
  "rbac.authorization.k8s.io",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "storage.k8s.io",
  "scheduling.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "certificates.k8s.io",
  "node.k8s.io",
  "flowcontrol.apiserver.k8s.io",
]);

function templateFiles(dir) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...templateFiles(full));
    else if (/\.(ya?ml|tpl)$/.test(entry.name)) out.push(full);
  }
  return out;
}

function builtIn(apiVersion) {
  if (apiVersion.includes("{{")) return false;
  const slash = apiVersion.indexOf("/");
  if (slash === -1) return true; // the core group, "v1"
  return BUILT_IN_GROUPS.has(apiVersion.slice(0, slash));
}

function scan(chartDir) {
  const groups = new Map();
  for (const file of templateFiles(path.join(chartDir, "templates"))) {
    const text = fs.readFileSync(file, "utf8");
    const guarded = /\.Capabilities\.APIVersions\.Has/.test(text);
    for (const doc of text.split(/^---\s*$/m)) {
      const api = /^\s*apiVersion:\s*["']?(.+?)["']?\s*$/m.exec(doc);
      const kind = /^\s*kind:\s*(.+?)\s*$/m.exec(doc);
      if (!api || !kind || builtIn(api[1])) continue;
      const key = `${api[1]}\u0000${kind[1]}`;
      const entry = groups.get(key) ?? { apiVersion: api[1], kind: kind[1], files: [], guarded: [] };
      const rel = path.relative(chartDir, file);
      if (!entry.files.includes(rel)) {
        entry.files.push(rel);
        entry.guarded.push(guarded);
      }
      groups.set(key, entry);
    }
  }
  return [...groups.values()]
    .map((e) => ({
      apiVersion: e.apiVersion,
      kind: e.kind,
      files: e.files,
      capabilitiesGuarded: e.guarded.every(Boolean),
    }))
    .sort((a, b) => `${a.apiVersion} ${a.kind}`.localeCompare(`${b.apiVersion} ${b.kind}`));
}

function main(argv) {
  const [chartDir, ...rest] = argv;
  if (!chartDir) {
    console.error("usage: extract-chart-crd-kinds.js <chart dir> [--into FILE --chart NAME --version V --source TEXT]");
    process.exit(2);
  }
  const opt = (name) => {
    const i = rest.indexOf(name);
    return i === -1 ? undefined : rest[i + 1];
  };
  const found = scan(chartDir);
  const into = opt("--into");
  if (!into) {
    process.stdout.write(JSON.stringify(found, null, 2) + "\n");
    return;
  }
  const facts = fs.existsSync(into) ? JSON.parse(fs.readFileSync(into, "utf8")) : { about: "", charts: {}, kinds: [] };
  const chart = opt("--chart");
  const old = new Map(facts.kinds.filter((k) => k.chart === chart).map((k) => [`${k.apiVersion} ${k.kind}`, k]));
  facts.charts[chart] = { version: opt("--version"), source: opt("--source") };
  facts.kinds = facts.kinds.filter((k) => k.chart !== chart);
  for (const entry of found) {
    const prev = old.get(`${entry.apiVersion} ${entry.kind}`);
    const kept = prev ? Object.fromEntries(Object.entries(prev).filter(([k]) => k === "model" || k === "note")) : {};
    facts.kinds.push({ chart, ...entry, ...kept });
  }
  fs.writeFileSync(into, JSON.stringify(facts, null, 2) + "\n");
}

main(process.argv.slice(2));
