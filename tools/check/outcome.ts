/**
 * What happened to each stack and the exit code it earns. A program or pack that could not run is never
 * reported as "no violations": it is its own outcome, with the most severe exit code.
 */
import type { CapturedStack } from "../harness/capture";
import type { AnalyzerInfo, PolicyRunResult } from "../harness/analyzer";

export const EXIT = {
  /** No mandatory violation (advisory findings allowed). */
  clean: 0,
  /** At least one mandatory policy violation. */
  violations: 1,
  /** The stack's configuration, the policy pack config or the command line is invalid. */
  invalidConfig: 2,
  /** The program or the policy pack failed for another reason (a bug, a crash). */
  broken: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type FailureKind =
  /** Pulumi.yaml or the stack file is rejected the way the CLI would reject it. */
  | "stack-config"
  /** The program rejected its configuration (its errors start with "Invalid configuration"). */
  | "program-config"
  /** The program threw something else, or its process died. */
  | "program"
  /** The pack's config (--policy-pack-config) does not parse or fails the policies' schemas. */
  | "policy-config"
  /** The pack did not start, crashed, or a policy threw. */
  | "policy-pack";

export interface StackFailure {
  kind: FailureKind;
  message: string;
}

export interface StackRun {
  stack: string;
  /** aws:region as the stack sets it (the mocks answer for it). */
  region?: string;
  captured?: CapturedStack;
  policyRun?: { info: AnalyzerInfo; result: PolicyRunResult };
  failure?: StackFailure;
}

export type StackStatus = "passed" | "advisory" | "violations" | "invalid-config" | "broken";

// The prefix every configuration error of this program starts with (settings/resolve.ts, settings/stackConfig.ts).
const PROGRAM_CONFIG_ERROR = /^Invalid configuration\b/;

/** A failed evaluation: the program's own configuration error, or a broken program. */
export function programFailure(error: NonNullable<CapturedStack["error"]>): StackFailure {
  if (PROGRAM_CONFIG_ERROR.test(error.message)) {
    return { kind: "program-config", message: error.message };
  }
  const where = error.urn ? ` at ${error.urn}` : "";
  // The first frames say where; the rest is the SDK's own machinery.
  const trace = error.stack ? `\n${error.stack.split("\n").slice(1, 6).join("\n")}` : "";
  return {
    kind: "program",
    message: `the program failed${where} after registering ${error.resourcesRegisteredBefore} resources: ${error.name}: ${error.message}${trace}`,
  };
}

export function statusOf(run: StackRun): StackStatus {
  if (run.failure) {
    return run.failure.kind === "stack-config" ||
      run.failure.kind === "program-config" ||
      run.failure.kind === "policy-config"
      ? "invalid-config"
      : "broken";
  }
  const diagnostics = run.policyRun?.result.diagnostics ?? [];
  if (diagnostics.some((d) => d.enforcementLevel === "mandatory")) return "violations";
  return diagnostics.length > 0 ? "advisory" : "passed";
}

const EXIT_BY_STATUS: Record<StackStatus, ExitCode> = {
  passed: EXIT.clean,
  advisory: EXIT.clean,
  violations: EXIT.violations,
  "invalid-config": EXIT.invalidConfig,
  broken: EXIT.broken,
};

export function exitCodeOf(status: StackStatus): ExitCode {
  return EXIT_BY_STATUS[status];
}

/** The run's exit code: the most severe of its stacks' (broken over invalid config over violations). */
export function overallExitCode(statuses: StackStatus[]): ExitCode {
  return statuses.map(exitCodeOf).reduce<ExitCode>((worst, code) => (code > worst ? code : worst), EXIT.clean);
}
