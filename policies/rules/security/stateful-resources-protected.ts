// What holds data must not go away through an ordinary `pulumi up`: with Pulumi's `protect` option the engine refuses
// to delete or replace a resource (Pulumi docs, "Resource options: protect"), so a removed or renamed bucket, a region
// change or a replaced key stops before anything is lost.
import { describeEnvironment } from "../../lib/environment";
import { environmentScopedRule, EnvironmentScopedConfig } from "../../lib/scoped-rule";
import { TYPES } from "../../lib/types";

type Config = EnvironmentScopedConfig;

/** The stateful resource types and what deleting or replacing one loses. */
const STATEFUL: ReadonlyArray<{ type: string; loses: string }> = [
  {
    type: TYPES.bucket,
    loses:
      "every object in it (metric blocks, log chunks, rules or access logs): a delete empties it when forceDestroy is set and a replacement starts an empty bucket",
  },
  {
    type: "aws:kms/key:Key",
    loses: "the key, after its deletion window: every object and secret encrypted with it becomes unreadable",
  },
  {
    type: "aws:cloudwatch/logGroup:LogGroup",
    loses: "every log event in it (for the control plane: the audit trail of who did what in the cluster)",
  },
];

export const statefulResourcesProtected = environmentScopedRule<Config>(
  {
    name: "stateful-resources-protected",
    rule: "S10",
    description:
      "In staging and prod every S3 bucket, KMS key and CloudWatch log group carries the protect option, so no ordinary pulumi up can delete or replace it",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Register buckets, keys and log groups with { protect: true } (the program does outside dev). To retire an environment on purpose, unprotect first: pulumi state unprotect --all, then pulumi destroy.",
    url: "https://www.pulumi.com/docs/iac/concepts/options/protect/",
    tags: ["security", "aws", "durability"],
    judgedPerResource: true,
  },
  ["staging", "prod"],
  (stack, ctx, env) => {
    for (const { type, loses } of STATEFUL) {
      for (const resource of stack.ofType(type).filter((r) => !r.protect)) {
        const label = `${type.split(":").pop()} "${resource.name}"`;
        ctx.violation(
          `${label} is not protected in ${describeEnvironment(env)}: a change that removes, renames or moves it would let pulumi up delete or replace it, losing ${loses}. ` +
            `Fix: give it the resource option protect: true; to retire the environment on purpose, run pulumi state unprotect first.`,
          resource.urn,
        );
      }
    }
  },
);
