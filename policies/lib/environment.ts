// The environment (dev | staging | prod) of the stack, read from the profile tag every AWS resource carries.
import { Environment, ENVIRONMENTS } from "./config";
import { StackView } from "./stack";
import { PROFILE_TAG } from "./types";
import { Inconclusive, Unknown } from "./unknown";

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
  const found = new Set<Environment>();
  for (const resource of stack.resources.filter((r) => r.type.startsWith("aws:"))) {
    for (const tagsKey of ["tags", "tagsAll"]) {
      const tag = resource.props.get(tagsKey, PROFILE_TAG);
      const value = tag.isUnknown ? undefined : tag.raw();
      if (typeof value === "string" && (ENVIRONMENTS as readonly string[]).includes(value))
        found.add(value as Environment);
    }
  }
  if (found.size === 0) {
    // A per-resource judgement that met no tagged AWS resource yet cannot tell dev from prod: the rules that need
    // the environment leave it to the stack call instead of applying their strictest behaviour.
    if (stack.partial)
      throw new Inconclusive(
        new Unknown(`the stack's environment (the ${PROFILE_TAG} tag of its AWS resources)`, undefined, []),
      );
    return { environment: undefined, where: `no AWS resource carries the ${PROFILE_TAG} tag` };
  }
  // Named without a resource: the engine sends AnalyzeStack's resources in no fixed order, and a per-resource
  // judgement sees only some of them, so "the first resource carrying it" would change the message between runs.
  const all = [...found].sort((a, b) => STRICTNESS[b] - STRICTNESS[a]);
  const strictest = all[0];
  const where =
    all.length === 1
      ? `tag ${PROFILE_TAG}=${strictest} on the AWS resources`
      : `tag ${PROFILE_TAG}=${strictest}, the strictest of ${all.join(", ")} on the AWS resources`;
  return { environment: strictest, where };
}

/** Whether a rule limited to `environments` applies; an undetermined environment counts as the strictest. */
export function ruleApplies(env: StackEnvironment, environments: ReadonlyArray<Environment>): boolean {
  return env.environment === undefined ? environments.includes("prod") : environments.includes(env.environment);
}

export function describeEnvironment(env: StackEnvironment): string {
  return env.environment === undefined
    ? `environment undetermined (${env.where}), treated as prod`
    : `${env.environment} (${env.where})`;
}
