/**
 * The summary and the change set as Markdown, for a pull-request comment and $GITHUB_STEP_SUMMARY
 * (`--format markdown`; also written to <out>/report.md). Rule ids link to their row in policies/README.md.
 */
import { isEmpty, signed, type StackChanges } from "./changes";
import type { CheckReport } from "./report";
import { headline, ruleLink } from "./summary";

/** Where rule ids point: the repository's policies/README.md on GitHub when the run knows it, else the relative path. */
export function policiesReadmeUrl(env: NodeJS.ProcessEnv = process.env): string {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_SHA: sha } = env;
  return server && repo && sha ? `${server}/${repo}/blob/${sha}/policies/README.md` : "policies/README.md";
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The comment marker: the workflow updates the comment that carries it instead of adding one per push. */
export const COMMENT_MARKER = "<!-- observability-stack check -->";

export function renderMarkdown(report: CheckReport, readmeUrl = policiesReadmeUrl()): string {
  const lines = [
    COMMENT_MARKER,
    `### ${report.project} check: exit ${report.summary.exitCode}`,
    "",
    "| stack | verdict | figures |",
    "|---|---|---|",
  ];
  for (const s of report.overview)
    lines.push(`| ${cell(s.stack)} | ${cell(s.verdict)} | ${cell(headline(s) || "—")} |`);
  const findings = report.overview.flatMap((s) => [
    ...s.findings.map(
      (f) =>
        `- **${s.stack}** ${f.level === "mandatory" ? "⛔ mandatory" : "⚠️ advisory"} ${f.rule ? `${ruleLink(f.rule, readmeUrl)} ` : ""}\`${f.policy}\` on ${f.resource}: ${f.message}${f.url ? ` ([upstream](${f.url}))` : ""}`,
    ),
    ...s.pendingZones.map((zone) => `- **${s.stack}** ⚠️ pods stay Pending: ${zone} and no autoscaler`),
  ]);
  if (findings.length > 0) lines.push("", "#### Findings", "", ...findings);
  if (report.changes) lines.push("", ...changesMarkdown(report.changes));
  lines.push("", `<sub>${report.summary.line}</sub>`);
  return `${lines.join("\n")}\n`;
}

function changesMarkdown(all: StackChanges[]): string[] {
  const changed = all.filter((c) => !isEmpty(c));
  const lines = ["#### What this change does"];
  if (changed.length === 0)
    return [
      ...lines,
      "",
      "Nothing: every stack's resources, derived settings, Helm values, findings and cost are as on the baseline.",
    ];
  for (const c of changed) {
    lines.push(
      "",
      `**${c.stack}**${c.presence === "new" ? " (new stack)" : c.presence === "removed" ? " (stack removed)" : ""}`,
    );
    if (c.verdict) lines.push(`- verdict: ${c.verdict.before} → ${c.verdict.after}`);
    for (const m of c.dataMoves)
      lines.push(`- ⛔ **strands stored data** \`${m.where}\`: ${m.before} → ${m.after}. ${m.consequence}`);
    if (c.cost)
      lines.push(
        `- cost: $${Math.round(c.cost.before).toLocaleString("en-US")} → $${Math.round(c.cost.after).toLocaleString("en-US")}/month (${signed(c.cost.after - c.cost.before)})`,
      );
    for (const f of c.findings.appeared) lines.push(`- new finding: ${f}`);
    for (const f of c.findings.cleared) lines.push(`- cleared finding: ${f}`);
    for (const r of c.resources.replaced) lines.push(`- **replaced** ${r.where}: ${r.before} → ${r.after}`);
    const counts = [
      ["added", c.resources.added],
      ["removed", c.resources.removed],
      ["updated in place", c.resources.changed],
    ] as const;
    for (const [what, list] of counts)
      if (list.length > 0)
        lines.push(
          `- resources ${what} (${list.length}): ${list.slice(0, 20).join(", ")}${list.length > 20 ? ", …" : ""}`,
        );
    if (c.settings.length > 0) {
      lines.push(
        "",
        "| derived setting | before | after |",
        "|---|---|---|",
        ...c.settings.map((s) => `| ${cell(s.where)} | ${cell(s.before)} | ${cell(s.after)} |`),
      );
    }
    if (c.values.length > 0) {
      lines.push(
        "",
        `<details><summary>${c.values.length} Helm value${c.values.length === 1 ? "" : "s"} changed</summary>`,
        "",
        "| release value | before | after |",
        "|---|---|---|",
      );
      lines.push(
        ...c.values.slice(0, 200).map((v) => `| \`${cell(v.where)}\` | ${cell(v.before)} | ${cell(v.after)} |`),
        "",
        "</details>",
      );
    }
  }
  return lines;
}
