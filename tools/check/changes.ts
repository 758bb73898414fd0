/**
 * What a change does, against another run's artifacts (`--baseline DIR`, e.g. main's from CI): per stack the
 * resources added, removed, changed and replaced, every derived setting that moved, every Helm value that changed,
 * the findings that appeared or cleared, and the cost delta. Deterministic: sorted, no timestamps.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import type { PlanningReport } from "../planning";
import type { ResourceRecord } from "./artifacts";
import { dataMoves, type DataMove } from "./data-moves";
import { isPlainObject, type Plain } from "./readable";
import type { CheckReport, StackReport } from "./report";
import type { PoliciesData } from "./sections/policies";
import type { SettingRow } from "./sections/setting-row";

export interface ValueChange {
  where: string;
  before: string;
  after: string;
}

export interface StackChanges {
  stack: string;
  /** "new": the baseline has no such stack; "removed": only the baseline has it. */
  presence: "both" | "new" | "removed";
  verdict?: { before: string; after: string };
  resources: { added: string[]; removed: string[]; replaced: ValueChange[]; changed: string[] };
  settings: ValueChange[];
  values: ValueChange[];
  /** Value changes that strand data already stored (data-moves.ts): listed first, with what happens to the data. */
  dataMoves: DataMove[];
  findings: { appeared: string[]; cleared: string[] };
  cost?: { before: number; after: number };
}

/**
 * Inputs whose change makes the provider replace the resource rather than update it in place (pulumi-aws marks
 * them ForceNew in the bridged Terraform schema, e.g. aws_s3_bucket.bucket, aws_eks_node_group.instance_types;
 * pulumi-kubernetes replaces an object whose metadata.name or metadata.namespace changes, and a Helm release whose
 * name or namespace does). A change elsewhere is shown as an update.
 */
const REPLACED_ON: Array<{ type: RegExp; inputs: string[] }> = [
  { type: /^kubernetes:helm\.sh\/v3:Release$/, inputs: ["name", "namespace"] },
  { type: /^kubernetes:/, inputs: ["metadata.name", "metadata.namespace"] },
  { type: /^aws:s3\/bucket:Bucket$/, inputs: ["bucket"] },
  { type: /^aws:eks\/cluster:Cluster$/, inputs: ["name", "accessConfig.bootstrapClusterCreatorAdminPermissions"] },
  {
    type: /^aws:eks\/nodeGroup:NodeGroup$/,
    inputs: ["nodeGroupName", "subnetIds", "instanceTypes", "amiType", "capacityType", "diskSize"],
  },
  { type: /^aws:eks\/(accessEntry|accessPolicyAssociation):/, inputs: ["clusterName", "principalArn", "policyArn"] },
  { type: /^aws:eks\/addon:Addon$/, inputs: ["clusterName", "addonName"] },
  { type: /^aws:iam\/role:Role$/, inputs: ["name"] },
  { type: /^aws:cloudwatch\/logGroup:LogGroup$/, inputs: ["name"] },
  { type: /^aws:ec2\/(vpc|subnet):/, inputs: ["cidrBlock", "vpcId", "availabilityZone"] },
];

const MAX_LISTED = 60;

/** `today` (YYYY-MM-DD, UTC) tells which Loki schema periods have started. */
export function compareWithBaseline(
  baselineDir: string,
  report: CheckReport,
  outDir: string,
  today = new Date().toISOString().slice(0, 10),
): StackChanges[] {
  const baselineFile = path.join(baselineDir, "report.json");
  if (!fs.existsSync(baselineFile))
    throw new Error(`--baseline ${baselineDir}: no report.json there (give the --out folder of another check run)`);
  const baseline = JSON.parse(fs.readFileSync(baselineFile, "utf8")) as CheckReport;
  const names = [...new Set([...report.stacks.map((s) => s.stack), ...baseline.stacks.map((s) => s.stack)])].sort();
  return names.map((name) => {
    const after = report.stacks.find((s) => s.stack === name);
    const before = baseline.stacks.find((s) => s.stack === name);
    return stackChanges(name, before, after, path.join(baselineDir, name), path.join(outDir, name), today);
  });
}

function stackChanges(
  stack: string,
  before: StackReport | undefined,
  after: StackReport | undefined,
  beforeDir: string,
  afterDir: string,
  today: string,
): StackChanges {
  const changes: StackChanges = {
    stack,
    presence: before && after ? "both" : before ? "removed" : "new",
    resources: { added: [], removed: [], replaced: [], changed: [] },
    settings: [],
    values: [],
    dataMoves: [],
    findings: { appeared: [], cleared: [] },
  };
  const verdictOf = (s?: StackReport) => (s ? `${s.status} (exit ${s.exitCode})` : "absent");
  if (verdictOf(before) !== verdictOf(after)) changes.verdict = { before: verdictOf(before), after: verdictOf(after) };
  compareResources(readResources(beforeDir), readResources(afterDir), changes);
  changes.settings = compareMaps(settingsOf(before), settingsOf(after));
  const [valuesBefore, valuesAfter] = [valuesOf(beforeDir), valuesOf(afterDir)];
  changes.values = compareMaps(valuesBefore, valuesAfter);
  if (before && after) changes.dataMoves = dataMoves(valuesBefore, valuesAfter, today);
  const [was, is] = [findingsOf(before), findingsOf(after)];
  changes.findings = {
    appeared: [...is].filter((f) => !was.has(f)).sort(),
    cleared: [...was].filter((f) => !is.has(f)).sort(),
  };
  const [costBefore, costAfter] = [costOf(before), costOf(after)];
  if (costBefore !== undefined && costAfter !== undefined && Math.round(costBefore) !== Math.round(costAfter))
    changes.cost = { before: costBefore, after: costAfter };
  return changes;
}

function readResources(dir: string): Map<string, ResourceRecord> {
  const file = path.join(dir, "resources.json");
  if (!fs.existsSync(file)) return new Map();
  return new Map((JSON.parse(fs.readFileSync(file, "utf8")) as ResourceRecord[]).map((r) => [r.urn, r]));
}

function label(r: ResourceRecord): string {
  return `${r.type.split(":").pop()} ${r.name}`;
}

function compareResources(
  before: Map<string, ResourceRecord>,
  after: Map<string, ResourceRecord>,
  changes: StackChanges,
): void {
  for (const [urn, r] of after) if (!before.has(urn)) changes.resources.added.push(label(r));
  for (const [urn, r] of before) if (!after.has(urn)) changes.resources.removed.push(label(r));
  for (const [urn, now] of after) {
    const was = before.get(urn);
    if (!was || JSON.stringify(was.inputs) === JSON.stringify(now.inputs)) continue;
    const rule = REPLACED_ON.find((r) => r.type.test(now.type));
    const forcing = (rule?.inputs ?? []).filter(
      (input) => JSON.stringify(at(was.inputs, input)) !== JSON.stringify(at(now.inputs, input)),
    );
    if (forcing.length > 0) {
      changes.resources.replaced.push({
        where: label(now),
        before: forcing.map((i) => `${i}=${show(at(was.inputs, i))}`).join(", "),
        after: forcing.map((i) => `${i}=${show(at(now.inputs, i))}`).join(", "),
      });
    } else {
      changes.resources.changed.push(label(now));
    }
  }
  for (const list of [changes.resources.added, changes.resources.removed, changes.resources.changed]) list.sort();
  changes.resources.replaced.sort((a, b) => a.where.localeCompare(b.where));
}

function at(value: Plain | undefined, dotted: string): Plain | undefined {
  return dotted
    .split(".")
    .reduce<Plain | undefined>(
      (node, key) => (isPlainObject(node) ? (node as Record<string, Plain>)[key] : undefined),
      value,
    );
}

function show(value: Plain | undefined): string {
  if (value === undefined) return "(not set)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function settingsOf(stack?: StackReport): Map<string, string> {
  const data = stack?.sections.settings as Record<string, unknown> | undefined;
  const rows = new Map<string, string>();
  for (const [group, list] of Object.entries(data ?? {})) {
    if (!Array.isArray(list)) continue;
    for (const row of list as SettingRow[])
      if (row && typeof row.setting === "string") rows.set(`${group}: ${row.setting}`, row.shown);
  }
  return rows;
}

/** Every Helm value of every release, flattened to "<file> <dotted.path>" -> its JSON text. */
function valuesOf(dir: string): Map<string, string> {
  const values = new Map<string, string>();
  const folder = path.join(dir, "values");
  if (!fs.existsSync(folder)) return values;
  for (const file of fs.readdirSync(folder).sort()) {
    const flatten = (node: unknown, at: string): void => {
      if (isPlainObject(node as Plain) && Object.keys(node as object).length > 0) {
        for (const [k, v] of Object.entries(node as object)) flatten(v, at ? `${at}.${k}` : k);
      } else if (Array.isArray(node) && node.length > 0 && node.every((item) => isPlainObject(item as Plain))) {
        node.forEach((item, i) => flatten(item, `${at}[${i}]`));
      } else {
        values.set(
          `${file.replace(/\.yaml$/, "")} ${at}`,
          typeof node === "string" ? node : JSON.stringify(node ?? null),
        );
      }
    };
    flatten(parse(fs.readFileSync(path.join(folder, file), "utf8")), "");
  }
  return values;
}

function compareMaps(before: Map<string, string>, after: Map<string, string>): ValueChange[] {
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  return keys
    .filter((k) => before.get(k) !== after.get(k))
    .map((k) => ({ where: k, ...aroundFirstDifference(before.get(k) ?? "(not set)", after.get(k) ?? "(not set)") }));
}

/** Two long texts (a config file in a Helm value) shown around where they first differ, not by their common start. */
export function aroundFirstDifference(before: string, after: string, width = 80): { before: string; after: string } {
  if (before.length <= width && after.length <= width) return { before, after };
  let at = 0;
  while (at < before.length && at < after.length && before[at] === after[at]) at++;
  const start = Math.max(0, at - 20);
  const cut = (text: string) =>
    `${start > 0 ? "…" : ""}${text.slice(start, start + width)}${start + width < text.length ? "…" : ""}`;
  return { before: cut(before), after: cut(after) };
}

function findingsOf(stack?: StackReport): Set<string> {
  const policies = stack?.sections.policies as PoliciesData | undefined;
  const found = new Set<string>();
  for (const verdict of policies?.verdicts ?? []) {
    for (const f of verdict.findings)
      if (f.level === "mandatory" || f.level === "advisory")
        found.add(`${f.level} ${verdict.name} on ${f.resource}: ${f.message.split("\n")[0]}`);
  }
  return found;
}

function costOf(stack?: StackReport): number | undefined {
  const planning = stack?.sections.planning as PlanningReport | undefined;
  return planning?.cost.monthlyUsd;
}

export function isEmpty(c: StackChanges): boolean {
  const r = c.resources;
  return (
    c.presence === "both" &&
    !c.verdict &&
    !c.cost &&
    r.added.length + r.removed.length + r.replaced.length + r.changed.length === 0 &&
    c.settings.length + c.values.length + c.dataMoves.length === 0 &&
    c.findings.appeared.length + c.findings.cleared.length === 0
  );
}

/** The text form: one block per stack that changed. */
export function renderChangesText(all: StackChanges[]): string {
  const lines = ["What changed against the baseline", "================================="];
  const changed = all.filter((c) => !isEmpty(c));
  if (changed.length === 0)
    lines.push("Nothing: every stack's resources, settings, Helm values, findings and cost are as in the baseline.");
  for (const c of changed) {
    lines.push(
      "",
      `${c.stack}${c.presence !== "both" ? ` (${c.presence === "new" ? "new stack" : "stack removed"})` : ""}:`,
    );
    if (c.verdict) lines.push(`  verdict: ${c.verdict.before} -> ${c.verdict.after}`);
    for (const m of c.dataMoves)
      lines.push(`  STRANDS STORED DATA ${m.where}: ${m.before} -> ${m.after}`, `    ${m.consequence}`);
    if (c.cost)
      lines.push(
        `  cost: $${Math.round(c.cost.before).toLocaleString("en-US")} -> $${Math.round(c.cost.after).toLocaleString("en-US")}/month (${signed(c.cost.after - c.cost.before)})`,
      );
    for (const f of c.findings.appeared) lines.push(`  + finding ${f}`);
    for (const f of c.findings.cleared) lines.push(`  - finding ${f}`);
    for (const s of c.settings.slice(0, MAX_LISTED)) lines.push(`  setting ${s.where}: ${s.before} -> ${s.after}`);
    listed(lines, "resources added", c.resources.added);
    listed(lines, "resources removed", c.resources.removed);
    for (const r of c.resources.replaced) lines.push(`  REPLACED ${r.where}: ${r.before} -> ${r.after}`);
    listed(lines, "resources updated in place", c.resources.changed);
    for (const v of c.values.slice(0, MAX_LISTED)) lines.push(`  value ${v.where}: ${v.before} -> ${v.after}`);
    if (c.values.length > MAX_LISTED)
      lines.push(`  ... and ${c.values.length - MAX_LISTED} more Helm values (values/*.yaml in the artifacts)`);
  }
  return lines.join("\n");
}

function listed(lines: string[], title: string, items: string[]): void {
  if (items.length === 0) return;
  lines.push(
    `  ${title} (${items.length}): ${items.slice(0, MAX_LISTED).join(", ")}${items.length > MAX_LISTED ? ", ..." : ""}`,
  );
}

export function signed(delta: number): string {
  const rounded = Math.round(delta);
  return `${rounded >= 0 ? "+" : "-"}$${Math.abs(rounded).toLocaleString("en-US")}`;
}
