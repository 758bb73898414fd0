/** The planning report as text for the check command's output. */
import { fmtCpu, fmtMemory } from "../../policies/model";
import type { PlanningReport } from "./index";

const usd = (value: number): string =>
  `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const num = (value: number): string =>
  value >= 100
    ? Math.round(value).toLocaleString("en-US")
    : value.toLocaleString("en-US", { maximumFractionDigits: 2 });
const pct = (value: number): string => `${Math.round(value * 100)}%`;
const min = (value: number): string => `${value.toFixed(1)} min`;

function table(rows: string[][], indent = "  "): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map(
    (r) =>
      indent +
      r
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
        .join("  ")
        .trimEnd(),
  );
}

function capacitySection(report: PlanningReport): string[] {
  const c = report.capacity;
  const out = [`Capacity (workload: ${c.workload?.where ?? "unknown"})`];
  if (c.tiers.length > 0) {
    out.push(
      ...table([
        ["tier", "workload", "capacity", "headroom"],
        ...c.tiers.map((t) => [
          t.label,
          t.load === undefined ? "-" : num(t.load),
          `${num(t.capacity)} ${t.unit}`,
          t.headroom === undefined ? "-" : pct(t.headroom),
        ]),
      ]),
    );
    for (const t of c.tiers) out.push(`    ${t.tier}: ${t.basis}`);
  }
  out.push(
    "",
    "Fit per zone (node groups at maxSize; allocatable after kube-reserved, eviction threshold and DaemonSets)",
  );
  for (const z of c.fit.zones) {
    out.push(
      `  ${z.zone}: ${z.maxNodes} x ${z.instanceType} (desired ${z.desiredNodes}); pods request ${fmtCpu(z.requested.cpuMillis)} of ${fmtCpu(z.capacity.cpuMillis)}, ` +
        `${fmtMemory(z.requested.memoryBytes)} of ${fmtMemory(z.capacity.memoryBytes)}, ${z.requested.pods} of ${z.capacity.pods} pods; packed on ${z.nodesNeeded} node(s)`,
    );
  }
  if (c.fit.unschedulable.length === 0) out.push("  every pod fits");
  if (c.autoscaler)
    out.push(
      "  the Cluster Autoscaler adds nodes up to each group's maxSize while pods are Pending, in the zone a pod's volume is in",
    );
  for (const u of c.fit.unschedulable)
    out.push(`  UNSCHEDULABLE: ${u.pods} x ${u.owner} ${u.component}${u.zone ? ` in ${u.zone}` : ""}: ${u.reason}`);
  for (const b of c.belowDesired) {
    out.push(
      `  WARNING ${b.zone}: the pods need ${b.nodesNeeded} nodes but desiredSize is ${b.desiredNodes}, and the stack runs no cluster autoscaler: EKS keeps desiredSize, so pods stay Pending until it is raised`,
    );
  }
  if (c.unmodelledReleases.length > 0)
    out.push(`  not counted (chart unknown to the model): ${c.unmodelledReleases.join(", ")}`);
  return out;
}

const yesNo = (ok: boolean): string => (ok ? "continue" : "STOP");

function zoneLossSection(report: PlanningReport): string[] {
  const z = report.zoneLoss;
  const out = [`Loss of one availability zone (node zones ${z.zones.join(", ") || "none"}; policy C4)`];
  if (z.zones.length < 2) out.push("  the nodes run in one availability zone: losing it stops every tier");
  const rows = z.lines.map((l) => [
    l.zone,
    l.tier,
    yesNo(l.writes),
    yesNo(l.reads),
    l.dataLost ? "MAY BE LOST" : "kept",
  ]);
  if (rows.length > 0) out.push(...table([["AZ lost", "tier", "writes", "reads", "acknowledged data"], ...rows]));
  for (const l of z.lines.filter((line) => !(line.writes && line.reads && !line.dataLost)))
    out.push(`    ${l.zone} ${l.tier}: ${l.reason}`);
  if (z.lines.length > 0 && z.lines.every((l) => l.writes && l.reads && !l.dataLost)) {
    out.push("  every tier keeps writing and reading with no acknowledged data lost, for the loss of each AZ");
  }
  return out;
}

function costSection(report: PlanningReport): string[] {
  const cost = report.cost;
  const priced = cost.pricedAs === cost.region ? cost.region : `${cost.pricedAs} standing in for ${cost.region}`;
  const out = [
    `Cost per month (${cost.currency}, list prices for ${priced}, each line's source and date below; ${report.priceTable})`,
  ];
  if (cost.standInReason) out.push(`  NOTE: ${cost.standInReason}`);
  out.push(
    ...table([
      ["item", "quantity", "unit", "unit price", "per month"],
      ...cost.lines.map((l) => [l.item, num(l.quantity), l.unit, usd(l.unitUsd), usd(l.monthlyUsd)]),
      ["total", "", "", "", usd(cost.monthlyUsd)],
    ]),
  );
  for (const l of cost.lines) out.push(`    ${l.item}: ${l.basis} [${l.source}]`);
  out.push(
    "",
    `  ${usd(cost.perMillionActiveSeriesUsd)} per million active series a month; largest lines: ` +
      cost.topLines.map((l) => `${l.item} ${usd(l.monthlyUsd)} (${pct(l.share)})`).join(", "),
  );
  for (const alt of report.alternatives) {
    const target =
      alt.targetShare === undefined
        ? ""
        : `, target at most ${alt.targetShare.toFixed(2)}: ${alt.stackShare <= alt.targetShare ? "met" : "MISSED"}`;
    out.push(
      "",
      `${alt.name}: ${usd(alt.monthlyUsd)} per month; this stack costs ${alt.stackShare.toFixed(2)} of it${target} (${alt.covers})`,
    );
    for (const l of alt.lines)
      out.push(`    ${l.item}: ${usd(l.monthlyUsd)} (${num(l.quantity)} ${l.unit}; ${l.basis}) [${l.source}]`);
  }
  return out;
}

function rolloutSection(report: PlanningReport): string[] {
  const r = report.rollout;
  const out = [
    `Rollout of \`pulumi up\` from an empty stack: ${min(r.minutes)} on the critical path; lower bound ${min(r.lowerBound.minutes)} ` +
      `(${r.lowerBound.parts.map((p) => `${p.what} ${min(p.minutes)}`).join(" + ")}); ratio ${r.ratioToLowerBound.toFixed(2)}`,
  ];
  for (const step of r.criticalPath)
    out.push(
      `  +${step.startMinute.toFixed(1).padStart(5)}  ${min(step.minutes).padStart(8)}  ${step.name} (${step.type})  [${step.source}]`,
    );
  if (r.unneededDependencies.length === 0) out.push("  no unneeded dependencies found");
  for (const u of r.unneededDependencies) {
    out.push(
      `  UNNEEDED: ${u.from.name} -> ${u.to.map((t) => t.name).join(", ")}: ${u.reason}; ${u.savingMinutes > 0 ? `removing them saves ${min(u.savingMinutes)}` : "not on the critical path"}`,
    );
  }
  return out;
}

export function renderPlanning(report: PlanningReport): string {
  return [
    `Planning: ${report.project}/${report.stack} (${report.region})`,
    "",
    ...capacitySection(report),
    "",
    ...zoneLossSection(report),
    "",
    ...costSection(report),
    "",
    ...rolloutSection(report),
  ].join("\n");
}
