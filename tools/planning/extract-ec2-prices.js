#!/usr/bin/env node
// Made the EC2 figures of tools/planning/prices.json (see its description); re-run when prices move.
// Extract on-demand EC2 prices from Karpenter's generated pricing table
// (pkg/providers/pricing/zz_generated.pricing_aws.go) for a list of instance types and regions.
//
// Usage:
//   node extract-ec2-prices.js <zz_generated.pricing_aws.go> [--regions r1,r2,...] [--types t1,t2,...]
//                              [--figures path/to/figures.ts] [--asOf YYYY-MM-DD]
// Input may be "-" to read the Go file from stdin, e.g.
//   git -C DIR show HEAD:pkg/providers/pricing/zz_generated.pricing_aws.go | node extract-ec2-prices.js -
// Default instance types: t3.medium plus INSTANCE_FAMILIES x INSTANCE_SIZES read from --figures if given,
// else the families and sizes of policies/rules/capacity/figures.ts as of 2026-12 (hard-coded fallback).
//                              [--supplement <csv>]
// Output (stdout): JSON { generatedAt, regionsInFile, regions: { <region>: { found: {type: usd}, missing: [types] } } }
// A region absent from the Go file is reported with found = {} and "absentFromFile": true.
//
// NOTE: as of 2026 Karpenter's zz_generated.pricing_aws.go only carries us-east-1 (its other regions are fetched
// from the AWS Pricing API at run time). --supplement fills other regions from a CSV, either
//   * SkyPilot's catalog format (header InstanceType,...,Price,SpotPrice,Region,AvailabilityZone; e.g.
//     skypilot-org/skypilot-catalog catalogs/v7/aws/vms.csv) - rows are per AZ, the on-demand Price is taken and
//     checked to agree across AZs; or
//   * a plain "type,region,usd" CSV (rows transcribed by hand from the catalog).
// Prices from the Go file win; supplement rows only fill regions/types the Go file lacks, and every region's
// entry says which source it came from ("source": "go" | "supplement").
"use strict";
const fs = require("fs");

const DEFAULT_REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"];
const DEFAULT_FAMILIES = ["m6i", "m7i", "m6g", "m7g", "r6i", "r7g", "c6i"];
const DEFAULT_SIZES = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"];

function parseArgs(argv) {
  const out = { file: null, regions: DEFAULT_REGIONS, types: null, figures: null, asOf: null, supplement: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--regions") out.regions = argv[++i].split(",").filter(Boolean);
    else if (a === "--types") out.types = argv[++i].split(",").filter(Boolean);
    else if (a === "--figures") out.figures = argv[++i];
    else if (a === "--asOf") out.asOf = argv[++i];
    else if (a === "--supplement") out.supplement = argv[++i];
    else if (!out.file) out.file = a;
    else throw new Error("unexpected argument " + a);
  }
  if (!out.file)
    throw new Error(
      "usage: extract-ec2-prices.js <zz_generated.pricing_aws.go|-> [--regions ..] [--types ..] [--figures figures.ts] [--asOf date]",
    );
  return out;
}

// Pull the keys of a `export const NAME ... = { key: ..., "key": ... };` object literal (top-level keys only).
function objectKeys(src, name) {
  const start = src.indexOf("export const " + name);
  if (start < 0) return null;
  const open = src.indexOf("{", src.indexOf("=", start));
  let depth = 0,
    i = open,
    keys = [],
    tokenStart = open + 1;
  for (; i < src.length; i++) {
    const c = src[i];
    if (c === "{") {
      depth++;
      if (depth === 1) tokenStart = i + 1;
      continue;
    }
    if (c === "}") {
      depth--;
      if (depth === 0) break;
      continue;
    }
    if (depth === 1 && c === ":") {
      const m = src.slice(tokenStart, i).match(/["']?([A-Za-z0-9_.-]+)["']?\s*$/);
      if (m) keys.push(m[1]);
    }
    if (depth === 1 && c === ",") tokenStart = i + 1;
  }
  return keys;
}

function typesFromFigures(path) {
  const src = fs
    .readFileSync(path, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "");
  const fams = objectKeys(src, "INSTANCE_FAMILIES");
  const sizes = objectKeys(src, "INSTANCE_SIZES");
  if (!fams || !sizes) throw new Error("INSTANCE_FAMILIES / INSTANCE_SIZES not found in " + path);
  const extra = [...src.matchAll(/"([a-z0-9]+\.[a-z0-9]+)"\s*:\s*shape\(/g)].map((m) => m[1]); // e.g. t3.medium
  return [...extra, ...fams.flatMap((f) => sizes.map((s) => `${f}.${s}`))];
}

// Parse the Go map literal: region blocks `"us-east-1": {` ... `},` containing `"type": price,` pairs.
function parseGo(src) {
  const regions = {};
  let current = null;
  const generated = (src.match(/generated at (\S+)/) || [])[1] || null;
  for (const line of src.split("\n")) {
    const r = line.match(/^\s*"([a-z]{2}(?:-[a-z]+)+-\d)"\s*:\s*\{\s*$/);
    if (r) {
      current = regions[r[1]] = {};
      continue;
    }
    if (!current) continue;
    if (/^\s*\},?\s*$/.test(line)) {
      current = null;
      continue;
    }
    for (const m of line.matchAll(/"([a-z0-9-]+\.[a-z0-9-]+)"\s*:\s*([0-9.eE+-]+)/g)) current[m[1]] = Number(m[2]);
  }
  return { generated, regions };
}

// Parse a supplement CSV (SkyPilot vms.csv or plain type,region,usd) into { region: { type: usd } }.
function parseSupplement(text) {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const header = lines
    .shift()
    .split(",")
    .map((h) => h.trim());
  const col = (name) => header.indexOf(name);
  const sky = col("InstanceType") >= 0;
  const [ti, ri, pi] = sky
    ? [col("InstanceType"), col("Region"), col("Price")]
    : [col("type"), col("region"), col("usd")];
  if (ti < 0 || ri < 0 || pi < 0) throw new Error("supplement CSV: unrecognised header " + header.join(","));
  const out = {},
    conflicts = [];
  for (const line of lines) {
    const f = line.split(",");
    const [type, region, price] = [f[ti], f[ri], Number(f[pi])];
    if (!type || !region || !Number.isFinite(price) || f[pi] === "") continue;
    out[region] = out[region] || {};
    if (out[region][type] !== undefined && out[region][type] !== price)
      conflicts.push(`${region} ${type}: ${out[region][type]} vs ${price}`);
    else out[region][type] = price;
  }
  if (conflicts.length) throw new Error("supplement CSV: on-demand price differs across rows: " + conflicts.join("; "));
  return out;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const src = fs.readFileSync(args.file === "-" ? 0 : args.file, "utf8");
  const types =
    args.types ||
    (args.figures
      ? typesFromFigures(args.figures)
      : ["t3.medium", ...DEFAULT_FAMILIES.flatMap((f) => DEFAULT_SIZES.map((s) => `${f}.${s}`))]);
  const { generated, regions } = parseGo(src);
  const supp = args.supplement ? parseSupplement(fs.readFileSync(args.supplement, "utf8")) : {};
  const out = {
    generatedAt: generated,
    asOf: args.asOf,
    regionsInFile: Object.keys(regions),
    instanceTypes: types,
    supplement: args.supplement || null,
    regions: {},
  };
  for (const region of args.regions) {
    const table = regions[region];
    const found = {},
      missing = [],
      source = {};
    for (const t of types) {
      if (table && table[t] !== undefined) {
        found[t] = table[t];
        source[t] = "go";
      } else if (supp[region] && supp[region][t] !== undefined) {
        found[t] = supp[region][t];
        source[t] = "supplement";
      } else missing.push(t);
    }
    const kinds = [...new Set(Object.values(source))];
    // Cross-check: where both the Go file and the supplement price a type, they must agree.
    const disagreements =
      table && supp[region]
        ? types
            .filter((t) => table[t] !== undefined && supp[region][t] !== undefined && table[t] !== supp[region][t])
            .map((t) => ({ type: t, go: table[t], supplement: supp[region][t] }))
        : [];
    out.regions[region] = {
      ...(table ? {} : { absentFromFile: true }),
      source: kinds.length === 1 ? kinds[0] : source,
      found,
      missing,
      ...(disagreements.length || (table && supp[region]) ? { goVsSupplementDisagreements: disagreements } : {}),
    };
  }
  process.stdout.write(JSON.stringify(out, null, 2) + "\n");
}

main();
