// Every bucket declares its default encryption, so the choice (and the KMS key) is reviewed and auditable.
import { bucketViews } from "../../lib/buckets";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

interface Config {
  allowedAlgorithms: string[];
}

export const s3BucketEncrypted = stackRule<Config>(
  {
    name: "s3-bucket-encrypted",
    rule: "S2",
    description: "S3 buckets must declare default server-side encryption with an allowed algorithm",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Add an aws.s3.BucketServerSideEncryptionConfiguration with applyServerSideEncryptionByDefault.sseAlgorithm aws:kms (and a kmsMasterKeyId) or AES256.",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html",
    tags: ["security", "aws", "s3"],
    configSchema: {
      properties: {
        allowedAlgorithms: {
          type: "array",
          items: { type: "string", enum: ["aws:kms", "aws:kms:dsse", "AES256"] },
          minItems: 1,
          default: ["aws:kms", "aws:kms:dsse", "AES256"],
          description: 'sseAlgorithm values accepted (e.g. ["aws:kms"] to require customer-managed keys).',
        },
      },
    },
  },
  (stack, ctx) => {
    const allowed = ctx.config.allowedAlgorithms;
    for (const bucket of bucketViews(stack)) {
      const unknownsBefore = ctx.inconclusiveInputs.length;
      const algorithms: string[] = [];
      for (const encryption of bucket.encryptions) {
        const rules = encryption.props.get("rules").items();
        if (isUnknown(rules)) {
          ctx.inconclusive(rules);
          continue;
        }
        for (const rule of rules ?? []) {
          const algorithm = rule.get("applyServerSideEncryptionByDefault", "sseAlgorithm").string();
          if (isUnknown(algorithm)) ctx.inconclusive(algorithm);
          else if (algorithm) algorithms.push(algorithm);
        }
      }
      if (ctx.inconclusiveInputs.length > unknownsBefore && algorithms.length === 0) continue;
      if (algorithms.some((a) => allowed.includes(a))) continue;
      ctx.violation(
        bucket.encryptions.length === 0
          ? `${bucket.label} has no BucketServerSideEncryptionConfiguration: its encryption is whatever the account default is, unreviewed and without a chosen key. ` +
              `Fix: add one with sseAlgorithm ${allowed.join(" or ")}.`
          : `${bucket.label} encrypts with ${algorithms.join(", ") || "no default algorithm"}, not one of ${allowed.join(", ")} (policy config allowedAlgorithms). Fix: set sseAlgorithm to ${allowed[0]}.`,
        bucket.resource.urn,
      );
    }
  },
);
