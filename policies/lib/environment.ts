// The environment (dev | staging | prod) of the stack, read from the profile tag every AWS resource carries.
import { Environment, ENVIRONMENTS } from "./config";
import { StackView } from "./stack";
import { PROFILE_TAG } from "./types";

export interface StackEnvironment {
    /** undefined when no resource says; rules then apply their strictest behaviour. */
    readonly environment: Environment | undefined;
    readonly where: string;
}

const STRICTNESS: Record<Environment, number> = { dev: 0, staging: 1, prod: 2 };

export function stackEnvironment(stack: StackView, override?: Environment): StackEnvironment {
    if (override) {
        return { environment: override, where: "policy config environment" };
    }
    const found = new Map<Environment, string>();
    for (const resource of stack.resources.filter((r) => r.type.startsWith("aws:"))) {
        for (const tagsKey of ["tags", "tagsAll"]) {
            const tag = resource.props.get(tagsKey, PROFILE_TAG);
            const value = tag.isUnknown ? undefined : tag.raw();
            if (typeof value === "string" && (ENVIRONMENTS as readonly string[]).includes(value) && !found.has(value as Environment)) {
                found.set(value as Environment, `tag ${PROFILE_TAG}=${value} on ${tag.owner.label}`);
            }
        }
    }
    if (found.size === 0) {
        return { environment: undefined, where: `no AWS resource carries the ${PROFILE_TAG} tag` };
    }
    const strictest = [...found.keys()].sort((a, b) => STRICTNESS[b] - STRICTNESS[a])[0];
    return { environment: strictest, where: found.get(strictest)! };
}

/** Whether a rule limited to `environments` applies; an undetermined environment counts as the strictest. */
export function ruleApplies(env: StackEnvironment, environments: ReadonlyArray<Environment>): boolean {
    return env.environment === undefined ? environments.includes("prod") : environments.includes(env.environment);
}

export function describeEnvironment(env: StackEnvironment): string {
    return env.environment === undefined ? `environment undetermined (${env.where}), treated as prod` : `${env.environment} (${env.where})`;
}
