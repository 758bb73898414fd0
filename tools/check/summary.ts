/**
 * The report's first screen: per stack the verdict, each mandatory and advisory finding on one line with its rule
 * id (linked, in Markdown, to the rule's entry in policies/README.md), and the headline figures (monthly cost, the
 * lowest capacity headroom, the rollout estimate).
 */
import type { PlanningReport } from "../planning";
import type { StackReport } from "./report";
import { describeStatus } from "./report";
import type { PoliciesData } from "./sections/policies";
import { plural } from "./text";

export interface SummaryFinding {
  level: "mandatory" | "advisory";
  policy: string;
  /** The rule id the policy's description ends with ("K1", "S11"), when it has one. */
  rule?: string;
  resource: string;
  /** The finding's first sentence. */
  message: string;
  /** The upstream reference the policy names (its first URL). */
  url?: string;
}

export interface StackSummary {
  stack: string;
  verdict: string;
  exitCode: number;
  findings: SummaryFinding[];
  monthlyUsd?: number;
  /** Set when the region is priced with another region's figures. */
  pricedAs?: string;
  lowestHeadroom?: number | null;
  rolloutMinutes?: number;
  /** Nodes short of desiredSize: pods would stay Pending without an autoscaler. */
  pendingZones: string[];
}

const RULE_ID = /\[([A-Z]+\d+)\]\s*$/;

function firstSentence(message: string): string {
  const line = message.split("\n")[0];
  const end = line.search(/\.(\s|$)/);
  return end > 0 ? line.slice(0, end + 1) : line;
}

export function summarizeStack(stack: StackReport): StackSummary {
  const policies = stack.sections.policies as PoliciesData | undefined;
  const findings: SummaryFinding[] = [];
  for (const verdict of policies?.verdicts ?? []) {
    for (const finding of verdict.findings) {
      if (finding.level !== "mandatory" && finding.level !== "advisory") continue;
      findings.push({
        level: finding.level,
        policy: verdict.name,
        rule: RULE_ID.exec(verdict.description)?.[1],
        resource: finding.resource,
        message: firstSentence(finding.message),
        url: /https?:\/\/\S+/.exec(verdict.url ?? "")?.[0],
      });
    }
  }
  findings.sort((a, b) => (a.level === b.level ? 0 : a.level === "mandatory" ? -1 : 1));
  const plan = stack.sections.planning as PlanningReport | undefined;
  return {
    stack: stack.stack,
    verdict: describeStatus(stack),
    exitCode: stack.exitCode,
    findings,
    monthlyUsd: plan?.cost.monthlyUsd,
    pricedAs: plan && plan.cost.pricedAs !== plan.cost.region ? plan.cost.pricedAs : undefined,
    lowestHeadroom: plan?.capacity.lowestHeadroom,
    rolloutMinutes: plan?.rollout.minutes,
    pendingZones:
      plan?.capacity.belowDesired.map((z) => `${z.zone} needs ${z.nodesNeeded} nodes, desiredSize ${z.desiredNodes}`) ??
      [],
  };
}

const usd = (value: number) => `$${Math.round(value).toLocaleString("en-US")}`;
const percent = (value: number) => `${Math.round(value * 100)}%`;

/** "cost $3,955/month (priced as us-east-1) · lowest headroom 35% · rollout ~42 min", or "" when not planned. */
export function headline(summary: StackSummary): string {
  const parts: string[] = [];
  if (summary.monthlyUsd !== undefined)
    parts.push(`cost ${usd(summary.monthlyUsd)}/month${summary.pricedAs ? ` (priced as ${summary.pricedAs})` : ""}`);
  if (summary.lowestHeadroom !== undefined && summary.lowestHeadroom !== null)
    parts.push(`lowest headroom ${percent(summary.lowestHeadroom)}`);
  if (summary.rolloutMinutes !== undefined) parts.push(`rollout ~${Math.round(summary.rolloutMinutes)} min`);
  return parts.join(" · ");
}

/** The first screen of the text report. */
export function renderSummaryText(summaries: StackSummary[]): string {
  const lines = ["Summary", "======="];
  for (const s of summaries) {
    lines.push(`${s.stack}: ${s.verdict}${headline(s) ? ` — ${headline(s)}` : ""}`);
    for (const f of s.findings) {
      lines.push(
        `  ${f.level === "mandatory" ? "MANDATORY" : "ADVISORY "} ${f.rule ? `[${f.rule}] ` : ""}${f.policy} on ${f.resource}: ${f.message}`,
      );
    }
    for (const zone of s.pendingZones) lines.push(`  WARNING   pods stay Pending: ${zone} and no autoscaler`);
  }
  lines.push(`(rule ids: policies/README.md; ${plural(summaries.length, "stack")}; details follow)`);
  return lines.join("\n");
}

/** A rule id's link in the rendered policies/README.md (each row carries an anchor named after its id). */
export function ruleLink(rule: string, readmeUrl: string): string {
  return `[${rule}](${readmeUrl}#${rule.toLowerCase()})`;
}
