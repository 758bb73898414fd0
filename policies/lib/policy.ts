// One place that turns a rule (metadata + check function) into a CrossGuard policy, so every rule reports the same
// way: violations name both sides, bad input becomes a violation instead of an SDK error, a value unknown during
// preview never yields a mandatory violation, and a resource whose provider is not configured yet is judged by its
// inputs (lib/analyzed.ts), never as absent.
import {
  EnforcementLevel,
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import {
  analyzedContext,
  clearReportedInAnalyze,
  noteReportedInAnalyze,
  recordAnalyzed,
  reportedInAnalyze,
  withAnalyzedInputs,
} from "./analyzed";
import { PolicyInputError } from "./node";
import { StackView } from "./stack";
import { Inconclusive, isUnknown, Unknown } from "./unknown";

export interface RuleMetadata {
  /** Policy name (kebab-case, unique in the pack). */
  readonly name: string;
  /** Rule id from the conflict catalogue, e.g. "K1"; shown in the description. */
  readonly rule: string;
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly severity: Severity;
  readonly remediationSteps: string;
  /** Upstream source of the rule (doc, code or issue). */
  readonly url: string;
  readonly tags?: string[];
  readonly configSchema?: PolicyConfigSchema;
  /**
   * Set when every finding the check reports on a resource comes from that resource's own inputs (and the stack's
   * environment, from the profile tag of AWS resources analyzed before it): then it also runs in
   * the per-resource Analyze call, which the engine makes before it creates the resource, in previews and in
   * updates (`--skip-preview` included), where a mandatory violation keeps the resource from being created
   * (step_generator.go, analyzeAll). Cross-resource checks run at AnalyzeStack only.
   */
  readonly judgedPerResource?: true;
}

type KnownAll<T extends readonly unknown[]> = { [K in keyof T]: Exclude<T[K], Unknown> };

/** What a rule's check function gets besides the stack. */
export class RuleContext<C extends object> {
  private readonly unknowns: Unknown[] = [];

  constructor(
    readonly config: C,
    private readonly report: ReportViolation,
    private readonly description: string,
  ) {}

  /** A conflict at the policy's enforcement level. */
  violation(message: string, urn?: string): void {
    this.report(message, urn);
  }

  /**
   * A finding that stays advisory even in a mandatory policy (e.g. "cannot be verified").
   * Uses the object form that @pulumi/policy 1.21.0 server.js `makeReportViolationFun` accepts, which
   * carries its own enforcement level; the description is prefixed the same way the string form does.
   */
  advisory(message: string, urn?: string): void {
    const reportObject = this.report as unknown as (info: {
      message: string;
      urn?: string;
      enforcementLevel: EnforcementLevel;
    }) => void;
    reportObject({ message: `${this.description}\n${message}`, urn, enforcementLevel: "advisory" });
  }

  /** Records that a check could not run because an input is unknown during preview. */
  inconclusive(value: Unknown): void {
    this.unknowns.push(value);
  }

  /** Runs `check` only when none of the values is unknown; otherwise records the first unknown. */
  known<T extends readonly unknown[]>(values: readonly [...T], check: (...known: KnownAll<T>) => void): void {
    const unknown = values.find(isUnknown);
    if (unknown) {
      this.inconclusive(unknown);
      return;
    }
    check(...(values as unknown as KnownAll<T>));
  }

  /** Inputs that were unknown, in the order met. */
  get inconclusiveInputs(): ReadonlyArray<Unknown> {
    return this.unknowns;
  }
}

/** Defaults declared in a config schema, so a rule behaves the same whether or not the engine applied them. */
export function schemaDefaults(schema: PolicyConfigSchema | undefined): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema?.properties ?? {})) {
    if (property.default !== undefined) {
      defaults[key] = property.default;
    }
  }
  return defaults;
}

export type RuleCheck<C extends object> = (stack: StackView, ctx: RuleContext<C>) => void;

type ReportedViolation = string | { message: string; urn?: string; enforcementLevel?: EnforcementLevel };

/** The report function with a filter on each (message, urn) before the SDK sees it. */
function filteredReport(
  report: ReportViolation,
  keep: (message: string, urn: string | undefined) => boolean,
): ReportViolation {
  const forward = report as unknown as (violation: ReportedViolation, urn?: string) => void;
  return ((violation: ReportedViolation, urn?: string) => {
    const message = typeof violation === "string" ? violation : violation.message;
    const target = typeof violation === "string" ? urn : violation.urn;
    if (keep(message, target)) forward(violation, urn);
  }) as ReportViolation;
}

/** Runs a check; returns the first input it found unknown, if any. */
function runCheck<C extends object>(check: RuleCheck<C>, stack: StackView, ctx: RuleContext<C>): Unknown | undefined {
  try {
    check(stack, ctx);
  } catch (error) {
    if (error instanceof Inconclusive) ctx.inconclusive(error.unknown);
    else if (error instanceof PolicyInputError) ctx.violation(error.message, error.urn);
    else throw error;
  }
  return ctx.inconclusiveInputs[0];
}

/** A stack policy that also records (and, for per-resource rules, judges) each resource's Analyze call. */
export type RulePolicy = StackValidationPolicy & Pick<ResourceValidationPolicy, "validateResource">;

export function stackRule<C extends object>(meta: RuleMetadata, check: RuleCheck<C>): RulePolicy {
  const description = `${meta.description} [${meta.rule}]`;
  const configOf = (getConfig: () => C) => ({ ...schemaDefaults(meta.configSchema), ...getConfig() }) as C;

  const validateStack = (args: StackValidationArgs, report: ReportViolation) => {
    const config = configOf(args.getConfig);
    const stack = withAnalyzedInputs(args.resources);
    // A finding already reported on the same resource by this policy's Analyze call is not repeated; with a
    // resource unknown as a whole, no finding can be trusted (an absent pool reads as "0 brokers"): none is kept.
    const unrepeated = filteredReport(
      report,
      (message, urn) => stack.unknownAsAWhole.length === 0 && !(urn && reportedInAnalyze(meta.name, urn, message)),
    );
    const ctx = new RuleContext<C>(config, unrepeated, description);
    const unknown = runCheck(check, new StackView(stack.resources), ctx);
    const [first, ...more] = stack.unknownAsAWhole;
    if (first) {
      const others = more.length > 0 ? ` and ${more.length} more` : "";
      const why = `${first.type} "${first.name}"${others} unknown until their provider is configured`;
      new RuleContext<C>(config, report, description).advisory(
        `can't run policy '${meta.name}' during preview: ${why}`,
        first.urn,
      );
      return;
    }
    // Let the SDK report "can't run during preview" (advisory) for the first unknown input.
    unknown?.raiseThroughSdk();
  };

  const validateResource = (args: ResourceValidationArgs, report: ReportViolation) => {
    recordAnalyzed(args);
    if (!meta.judgedPerResource) return;
    clearReportedInAnalyze(meta.name, args.urn);
    const current = { ...args, dependencies: [], propertyDependencies: {} } as unknown as PolicyResource;
    // Only what names this resource: the rest of the stack is not registered yet, and a finding that names no
    // resource (a bad policy config) is the stack call's to report, once.
    const own = filteredReport(report, (message, urn) => {
      if (urn !== args.urn) return false;
      noteReportedInAnalyze(meta.name, args.urn, message);
      return true;
    });
    const ctx = new RuleContext<C>(configOf(args.getConfig), own, description);
    // Unknown inputs (the environment too, before a tagged AWS resource was analyzed: lib/environment.ts) are
    // reported once, by the stack call, which sees every resource.
    runCheck(check, new StackView(analyzedContext(current), { partial: true }), ctx);
  };

  return {
    name: meta.name,
    description,
    enforcementLevel: meta.enforcementLevel,
    severity: meta.severity,
    remediationSteps: meta.remediationSteps,
    url: meta.url,
    tags: meta.tags,
    configSchema: meta.configSchema,
    validateStack,
    // @pulumi/policy 1.21.0 server.js runs validateResource for any policy that has one (isResourcePolicy) and
    // validateStack for any that has one (isStackPolicy): one policy may carry both.
    validateResource,
  };
}
