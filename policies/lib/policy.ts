// One place that turns a rule (metadata + check function) into a CrossGuard stack policy, so every rule
// reports the same way: violations name both sides, bad input becomes a violation instead of an SDK error,
// and a value unknown during preview never yields a mandatory violation.
import {
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
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
        const reportObject = this.report as unknown as (info: { message: string; urn?: string; enforcementLevel: EnforcementLevel }) => void;
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

export function stackRule<C extends object>(meta: RuleMetadata, check: RuleCheck<C>): StackValidationPolicy {
    const description = `${meta.description} [${meta.rule}]`;
    return {
        name: meta.name,
        description,
        enforcementLevel: meta.enforcementLevel,
        severity: meta.severity,
        remediationSteps: meta.remediationSteps,
        url: meta.url,
        tags: meta.tags,
        configSchema: meta.configSchema,
        validateStack: (args: StackValidationArgs, report: ReportViolation) => {
            const config = { ...schemaDefaults(meta.configSchema), ...args.getConfig<C>() } as C;
            const ctx = new RuleContext<C>(config, report, description);
            try {
                check(new StackView(args.resources), ctx);
            } catch (error) {
                if (error instanceof Inconclusive) ctx.inconclusive(error.unknown);
                else if (error instanceof PolicyInputError) ctx.violation(error.message, error.urn);
                else throw error;
            }
            // Let the SDK report "can't run during preview" (advisory) for the first unknown input.
            ctx.inconclusiveInputs[0]?.raiseThroughSdk();
        },
    };
}
