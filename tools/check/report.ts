/**
 * The check's report: JSON for machines and text for reviewers, built from the same data. Nothing in it depends on
 * timing or the machine, so the same stacks give the same report (timings go to the progress output).
 */
import { scenarioOf } from "./scenario";
import * as path from "path";
import type { StackArtifacts, UnmarkedSecret } from "./artifacts";
import {
  EXIT,
  exitCodeOf,
  overallExitCode,
  statusOf,
  type ExitCode,
  type StackFailure,
  type StackRun,
  type StackStatus,
} from "./outcome";
import type { CheckRun, PackSummary } from "./run";
import { SECTIONS, type StackEvidence } from "./sections";
import type { PoliciesData } from "./sections/policies";
import { heading, indent, plural, subheading, wrapLine } from "./text";
import { renderSummaryText, summarizeStack, type StackSummary } from "./summary";
import { renderChangesText, type StackChanges } from "./changes";
import { PolicyInputError } from "../../policies/model";

export interface StackReport {
  stack: string;
  status: StackStatus;
  exitCode: ExitCode;
  region?: string;
  failure?: StackFailure;
  artifacts?: { dir: string; files: string[]; unmarkedSecrets: UnmarkedSecret[] };
  /** What the program logged at warning level or above (the CLI shows these during pulumi preview and up). */
  programWarnings?: string[];
  /** One entry per report section (resources, settings, planning, policies), keyed by the section's key. */
  sections: Record<string, unknown>;
  /** Sections that threw: a bug in the check, reported (exit 3) without hiding the other sections. */
  sectionErrors?: Record<string, string>;
  /** Sections a bad value of the stack makes impossible, with the pack's reading of that value. */
  sectionsNotComputed?: Record<string, string>;
}

export interface CheckReport {
  tool: "observability-stack check";
  project: string;
  mode: "update" | "preview";
  /** "update", "first preview of a new stack" or "preview of an existing stack". */
  scenario: string;
  mocks: { accountId: string; region: string; note: string };
  policyPack?: PackSummary;
  policyPackFailure?: string;
  stacks: StackReport[];
  /** The first screen: per stack the verdict, the findings one line each, and the headline figures. */
  overview: StackSummary[];
  /** With --baseline: what changed against the other run, per stack. */
  changes?: StackChanges[];
  summary: {
    stacks: number;
    byStatus: Record<StackStatus, number>;
    mandatoryViolations: number;
    advisoryFindings: number;
    exitCode: ExitCode;
    line: string;
  };
}

export interface WrittenArtifacts {
  stack: string;
  artifacts: StackArtifacts;
  files: string[];
}

const STATUSES: StackStatus[] = ["passed", "advisory", "violations", "invalid-config", "broken"];
const MOCKS_NOTE =
  "The program ran under Pulumi mocks (tools/harness/mocks.ts): no cloud account and no Pulumi CLI. AWS answers " +
  "(ARNs, IDs, availability zones) are realistic fakes for each stack's aws:region and a fixed fake account id.";

function stackReport(run: StackRun, written: WrittenArtifacts | undefined, outDirShown: string): StackReport {
  const status = statusOf(run);
  const report: StackReport = {
    stack: run.stack,
    status,
    exitCode: exitCodeOf(status),
    region: run.region,
    failure: run.failure,
    sections: {},
  };
  const warnings = (run.captured?.logs ?? [])
    .filter((log) => log.severity === "warning" || log.severity === "error")
    .map((log) => log.message.trim());
  if (warnings.length > 0) report.programWarnings = [...new Set(warnings)];
  if (run.captured && !run.captured.error && written) {
    report.artifacts = {
      dir: path.join(outDirShown, run.stack),
      files: written.files.map((f) => path.relative(run.stack, f)),
      unmarkedSecrets: written.artifacts.unmarkedSecrets,
    };
    const evidence: StackEvidence = { captured: run.captured, artifacts: written.artifacts, policyRun: run.policyRun };
    for (const section of SECTIONS) {
      try {
        const data = section.build(evidence);
        if (data !== undefined) {
          // Rendered here once so that a section that cannot render is caught with the ones that cannot build.
          section.render(data);
          report.sections[section.key] = data;
        }
      } catch (err) {
        // A value of the stack that no reading can use (an override that is not a number, say) is bad input, which
        // the policy pack reports as a violation naming it: the section says so; anything else is a bug (exit 3).
        if (err instanceof PolicyInputError)
          report.sectionsNotComputed = { ...report.sectionsNotComputed, [section.key]: err.message };
        else
          report.sectionErrors = {
            ...report.sectionErrors,
            [section.key]: err instanceof Error ? (err.stack ?? err.message) : String(err),
          };
      }
    }
  }
  if (report.sectionErrors) {
    report.exitCode = EXIT.broken;
  }
  return report;
}

function policiesOf(report: StackReport): PoliciesData | undefined {
  return report.sections.policies as PoliciesData | undefined;
}

export function describeStatus(report: StackReport): string {
  const policies = policiesOf(report);
  switch (report.status) {
    case "passed":
      return "passed";
    case "advisory":
      // In a preview, a policy that met a value known only after the update reports an advisory "can't run".
      if (policies && policies.counts.advisory === 0 && policies.counts.inconclusive > 0) {
        return `passed (${plural(policies.counts.inconclusive, "policy", "policies")} inconclusive until the update)`;
      }
      return `passed with ${plural(policies?.advisoryFindings ?? 0, "advisory finding")}`;
    case "violations":
      return `FAILED: ${plural(policies?.mandatoryViolations ?? 0, "mandatory violation")}`;
    case "invalid-config":
      return "INVALID CONFIGURATION";
    case "broken":
      return report.failure?.kind === "policy-pack" ? "BROKEN POLICY PACK" : "BROKEN PROGRAM";
  }
}

export function buildReport(run: CheckRun, written: WrittenArtifacts[], outDirShown: string): CheckReport {
  const stacks = run.stacks.map((s) =>
    stackReport(
      s,
      written.find((w) => w.stack === s.stack),
      outDirShown,
    ),
  );
  const exitCode = Math.max(overallExitCode(stacks.map((s) => s.status)), ...stacks.map((s) => s.exitCode)) as ExitCode;
  const mandatoryViolations = stacks.reduce((n, s) => n + (policiesOf(s)?.mandatoryViolations ?? 0), 0);
  const advisoryFindings = stacks.reduce((n, s) => n + (policiesOf(s)?.advisoryFindings ?? 0), 0);
  const byStatus = Object.fromEntries(
    STATUSES.map((status) => [status, stacks.filter((s) => s.status === status).length]),
  ) as Record<StackStatus, number>;
  const failedSections = [...new Set(stacks.flatMap((s) => Object.keys(s.sectionErrors ?? {})))];
  const line =
    `check: ${plural(stacks.length, "stack")}${run.preview ? ` (${scenarioOf(run)})` : ""} — ` +
    `${stacks.map((s) => `${s.stack} ${describeStatus(s)}`).join(", ")}; ` +
    `${plural(mandatoryViolations, "mandatory violation")}, ${plural(advisoryFindings, "advisory finding")}` +
    `${failedSections.length > 0 ? `; report sections that failed: ${failedSections.join(", ")}` : ""}; exit ${exitCode}`;
  return {
    tool: "observability-stack check",
    project: run.project,
    mode: run.preview ? "preview" : "update",
    scenario: scenarioOf(run),
    mocks: { accountId: run.accountId, region: "each stack's aws:region", note: MOCKS_NOTE },
    policyPack: run.pack,
    policyPackFailure: run.packFailure,
    stacks,
    overview: stacks.map(summarizeStack),
    summary: { stacks: stacks.length, byStatus, mandatoryViolations, advisoryFindings, exitCode, line },
  };
}

function renderStack(report: StackReport): string {
  const parts = [heading(`Stack ${report.stack}: ${describeStatus(report)}`)];
  if (report.failure) {
    parts.push(indent(report.failure.message));
  }
  for (const warning of report.programWarnings ?? []) {
    parts.push(`WARNING (program): ${warning}`);
  }
  if (report.artifacts) {
    const values = report.artifacts.files.filter((f) => f.startsWith("values"));
    parts.push(
      `aws:region ${report.region ?? "(not set)"}; artifacts in ${report.artifacts.dir}/: resources.json and ${plural(values.length, "Helm values file")} (${values.map((f) => path.basename(f)).join(", ")})`,
    );
    for (const leak of report.artifacts.unmarkedSecrets) {
      parts.push(
        `WARNING: a secret value appears in plain text in ${leak.urn} input ${leak.path} (redacted in the artifacts; mark it secret in the program)`,
      );
    }
  }
  for (const section of SECTIONS) {
    const data = report.sections[section.key];
    const error = report.sectionErrors?.[section.key];
    const notComputed = report.sectionsNotComputed?.[section.key];
    if (error !== undefined) {
      parts.push(
        `${subheading(section.title)}\nERROR: this section could not be built (a bug in the check; exit ${EXIT.broken}):\n${indent(error)}`,
      );
    } else if (notComputed !== undefined) {
      parts.push(
        `${subheading(section.title)}\nNot computed: ${notComputed}\nThe policy pack reports the same value as a violation (see Policies).`,
      );
    } else if (data !== undefined) {
      parts.push(`${subheading(section.title)}\n${section.render(data)}`);
    }
  }
  return parts.join("\n\n");
}

/** A path as the reader typed it: relative inside the current folder, absolute elsewhere. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === "" ? "." : relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

export function renderReport(report: CheckReport): string {
  const intro = [
    `${report.project} check: ${plural(report.stacks.length, "stack")} (${report.stacks.map((s) => s.stack).join(", ")}), evaluated as \`pulumi ${report.mode === "preview" ? "preview" : "up"}\` would`,
    `${report.mocks.note} Fake account id: ${report.mocks.accountId}.`,
    report.policyPack
      ? `Policy pack ${report.policyPack.name} ${report.policyPack.version} (${plural(report.policyPack.policies, "policy", "policies")}) from ${shownPath(report.policyPack.dir)}, started once the way the engine starts it and queried over gRPC.`
      : `Policy pack: did not run${report.policyPackFailure ? ` — ${report.policyPackFailure.split("\n")[0]}` : ""}.`,
  ];
  const first = [renderSummaryText(report.overview), ...(report.changes ? [renderChangesText(report.changes)] : [])];
  const text = [intro.join("\n"), ...first, ...report.stacks.map(renderStack), report.summary.line].join("\n\n");
  return `${text
    .split("\n")
    .flatMap((line) => wrapLine(line))
    .join("\n")}\n`;
}
