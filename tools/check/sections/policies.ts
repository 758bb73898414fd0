/** Every policy's verdict on the stack, passes included, with the pack's messages. */
import type { AnalyzerInfo, EnforcementLevel, PolicyRunResult } from "../../harness/analyzer";
import type { PolicyRunDiagnostic } from "../../harness/run-policies";
import { plural } from "../text";
import { section } from "./section";

/**
 * "unreached": `pulumi up` stops at the first resource with a mandatory violation, so a policy without findings was
 * not judged on the resources after it, nor (a stack policy) at all: it did not pass.
 */
export type Verdict = "violated" | "advisory" | "inconclusive" | "unreached" | "passed" | "disabled";

export interface PolicyFinding {
  level: EnforcementLevel;
  /** "<Kind> <name>" of the resource the finding is about, or "stack". */
  resource: string;
  urn: string;
  /** The pack's message without the policy description it repeats. */
  message: string;
}

export interface PolicyVerdict {
  name: string;
  description: string;
  /** The level the policy ran at, after the pack config. */
  level: EnforcementLevel;
  severity?: string;
  /** The policy's upstream reference, as the pack declares it. */
  url?: string;
  verdict: Verdict;
  findings: PolicyFinding[];
}

export interface PoliciesData {
  pack: { name: string; version: string };
  /** True for `--preview`: values unknown before the update make some checks inconclusive. */
  preview: boolean;
  counts: Record<Verdict, number>;
  mandatoryViolations: number;
  advisoryFindings: number;
  /** Update only: the resource at which `pulumi up` would stop (it never reaches the stack policies then). */
  haltedAt?: string;
  verdicts: PolicyVerdict[];
}

const VERDICT_ORDER: Verdict[] = ["violated", "advisory", "inconclusive", "unreached", "passed", "disabled"];
// @pulumi/policy 1.21.0 server.js: a policy that reads a value unknown during preview reports this advisory.
const PREVIEW_INCONCLUSIVE = /^can't run .* during preview:/m;

/** "urn:pulumi:dev::p::a$kubernetes:kafka.strimzi.io/v1:KafkaTopic::kafka-topic" -> "KafkaTopic kafka-topic". */
export function resourceLabel(urn: string, rootStackUrn: string): string {
  if (urn === rootStackUrn || urn === "") return "stack";
  const parts = urn.split("::");
  const type = (parts[2] ?? "").split("$").pop() ?? "";
  return `${type.split(":").pop()} ${parts.slice(3).join("::")}`;
}

function stripDescription(message: string, description: string): string {
  return message.startsWith(`${description}\n`) ? message.slice(description.length + 1) : message;
}

function verdictOf(level: EnforcementLevel, findings: PolicyFinding[], halted: boolean): Verdict {
  if (findings.some((f) => f.level === "mandatory")) return "violated";
  if (findings.length > 0)
    return findings.every((f) => PREVIEW_INCONCLUSIVE.test(f.message)) ? "inconclusive" : "advisory";
  if (level === "disabled") return "disabled";
  return halted ? "unreached" : "passed";
}

export function policyVerdicts(info: AnalyzerInfo, result: PolicyRunResult, rootStackUrn: string): PoliciesData {
  const byPolicy = new Map<string, PolicyRunDiagnostic[]>();
  for (const d of result.diagnostics) {
    byPolicy.set(d.policyName, [...(byPolicy.get(d.policyName) ?? []), d]);
  }
  const names = [...new Set([...info.policies.map((p) => p.name), ...byPolicy.keys()])];
  const verdicts = names.map((name): PolicyVerdict => {
    const policy = info.policies.find((p) => p.name === name);
    const description = policy?.description ?? byPolicy.get(name)?.[0]?.description ?? "";
    const level = result.policyConfig[name]?.enforcementLevel ?? policy?.enforcementLevel ?? "advisory";
    const findings = (byPolicy.get(name) ?? [])
      .map((d) => ({
        level: d.enforcementLevel,
        resource: resourceLabel(d.urn, rootStackUrn),
        urn: d.urn,
        message: stripDescription(d.message, description),
      }))
      .sort((a, b) => a.urn.localeCompare(b.urn) || a.message.localeCompare(b.message));
    return {
      name,
      description,
      level,
      severity: policy?.severity,
      url: policy?.url,
      verdict: verdictOf(level, findings, result.halted !== undefined),
      findings,
    };
  });
  verdicts.sort(
    (a, b) => VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict) || a.name.localeCompare(b.name),
  );
  const counts = Object.fromEntries(
    VERDICT_ORDER.map((v) => [v, verdicts.filter((p) => p.verdict === v).length]),
  ) as Record<Verdict, number>;
  const all = verdicts.flatMap((v) => v.findings);
  return {
    pack: { name: info.name, version: info.version },
    preview: result.dryRun,
    counts,
    mandatoryViolations: all.filter((f) => f.level === "mandatory").length,
    advisoryFindings: all.filter((f) => f.level === "advisory").length,
    haltedAt: result.halted?.urn,
    verdicts,
  };
}

const LABEL: Record<Verdict, string> = {
  violated: "FAIL",
  advisory: "ADVISORY",
  inconclusive: "PREVIEW?",
  unreached: "NOT RUN",
  passed: "PASS",
  disabled: "DISABLED",
};

export function renderPolicies(data: PoliciesData): string {
  const tally = VERDICT_ORDER.filter((v) => data.counts[v] > 0)
    .map((v) => `${data.counts[v]} ${v}`)
    .join(", ");
  const lines = [
    `Policy pack ${data.pack.name} ${data.pack.version}: ${plural(data.verdicts.length, "policy", "policies")} — ${tally}`,
  ];
  if (data.haltedAt) {
    lines.push(
      `  pulumi up would stop at ${data.haltedAt} (first mandatory violation): the resources after it and the stack ` +
        `policies are not judged (NOT RUN); fix the violation and check again.`,
    );
  }
  const width = Math.max(...Object.values(LABEL).map((l) => l.length));
  for (const v of data.verdicts) {
    lines.push(`  ${LABEL[v.verdict].padEnd(width)}  ${v.name} [${v.level}${v.severity ? `, ${v.severity}` : ""}]`);
    lines.push(`  ${" ".repeat(width)}  ${v.description}`);
    for (const f of v.findings) {
      const [first, ...rest] = f.message.split("\n");
      lines.push(`  ${" ".repeat(width)}  -> ${f.level} on ${f.resource}: ${first}`);
      for (const line of rest) lines.push(`  ${" ".repeat(width)}     ${line}`);
    }
  }
  return lines.join("\n");
}

export const policiesSection = section<PoliciesData>({
  key: "policies",
  title: "Policies",
  build: (evidence) =>
    evidence.policyRun
      ? policyVerdicts(evidence.policyRun.info, evidence.policyRun.result, evidence.captured.rootStackUrn)
      : undefined,
  render: renderPolicies,
});
