/**
 * A report section: a piece of the per-stack report with a JSON form (`build`) and a text form (`render`).
 * The report is the list in sections/index.ts; a new concern (e.g. capacity planning) adds one entry there.
 */
import type { CapturedStack } from "../../harness/capture";
import type { AnalyzerInfo, PolicyRunResult } from "../../harness/analyzer";
import type { StackArtifacts } from "../artifacts";

/** Everything known about one stack whose program evaluated. */
export interface StackEvidence {
  captured: CapturedStack;
  /** Readable, redacted resources and Helm values (what the artifacts hold). */
  artifacts: StackArtifacts;
  /** The policy pack's verdict; absent when the pack could not run on this stack (the stack's error says why). */
  policyRun?: { info: AnalyzerInfo; result: PolicyRunResult };
}

export interface ReportSection<T> {
  /** Key of the section in the JSON report. */
  key: string;
  title: string;
  /** JSON-serialisable data, or undefined when the section does not apply to this stack. */
  build(evidence: StackEvidence): T | undefined;
  render(data: T): string;
}

/** Erases the data type so that sections of different types fit in one list. */
export type AnySection = ReportSection<unknown>;

export function section<T>(definition: ReportSection<T>): AnySection {
  return definition as unknown as AnySection;
}
