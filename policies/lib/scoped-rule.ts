// A stack rule enforced only in some environments (staging and prod, say): the policy config keys that scope it,
// the stack's environment read once, and the check skipped elsewhere.
import { enforcedEnvironmentsSchema, Environment, environmentOverrideSchema } from "./config";
import { ruleApplies, StackEnvironment, stackEnvironment } from "./environment";
import { RuleContext, RuleMetadata, RulePolicy, stackRule } from "./policy";
import { StackView } from "./stack";

/** Policy config of an environment-scoped rule: `environments` it applies in, `environment` to name the stack's. */
export interface EnvironmentScopedConfig {
  environment?: Environment;
  environments: Environment[];
}

/** `check` runs only where the rule applies, and gets the environment for its messages. */
export function environmentScopedRule<C extends EnvironmentScopedConfig>(
  meta: RuleMetadata,
  enforcedIn: Environment[],
  check: (stack: StackView, ctx: RuleContext<C>, env: StackEnvironment) => void,
): RulePolicy {
  const configSchema = {
    ...meta.configSchema,
    properties: {
      environment: environmentOverrideSchema,
      environments: enforcedEnvironmentsSchema(enforcedIn),
      ...meta.configSchema?.properties,
    },
  };
  return stackRule<C>({ ...meta, configSchema }, (stack, ctx) => {
    const env = stackEnvironment(stack, ctx.config.environment);
    if (ruleApplies(env, ctx.config.environments)) check(stack, ctx, env);
  });
}
