// Buckets hold every tenant's metrics and logs: no public ACL, no public policy, a full public access block.
import { bucketViews } from "../../lib/buckets";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { parsePolicyDocument, statements } from "../../lib/policy-document";

// aws_s3_bucket_public_access_block flags (AWS S3 "Blocking public access" docs).
const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];

export const s3BucketPrivate = stackRule<object>(
  {
    name: "s3-bucket-private",
    rule: "S1",
    description:
      "S3 buckets must be private: a public access block with all four flags, no public ACL, no policy allowing everyone",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      'Add an aws.s3.BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets true; drop public ACLs and Allow statements for Principal "*".',
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    tags: ["security", "aws", "s3"],
  },
  (stack, ctx) => {
    for (const bucket of bucketViews(stack)) {
      const acl = bucket.resource.props.get("acl").string();
      if (isUnknown(acl)) ctx.inconclusive(acl);
      else if (acl && PUBLIC_ACLS.includes(acl)) {
        ctx.violation(
          `${bucket.label} acl=${acl}: every object is readable outside the account. Fix: remove the ACL (buckets are private by default).`,
          bucket.resource.urn,
        );
      }
      if (bucket.publicAccessBlocks.length === 0) {
        ctx.violation(
          `${bucket.label} has no BucketPublicAccessBlock: a later ACL or policy change can expose every tenant's data. Fix: add one with ${FLAGS.join(", ")} all true.`,
          bucket.resource.urn,
        );
      }
      for (const block of bucket.publicAccessBlocks) {
        for (const flag of FLAGS) {
          const value = block.props.get(flag).boolean();
          if (isUnknown(value)) {
            ctx.inconclusive(value);
          } else if (value !== true) {
            ctx.violation(
              `${block.props.owner.label} ${flag}=${value ?? "(not set, false)"} for ${bucket.label}: public access is not fully blocked. Fix: set ${flag}: true.`,
              block.urn,
            );
          }
        }
      }
      for (const policy of bucket.policies) {
        ctx.known([parsePolicyDocument(policy)], (document) => {
          for (const statement of statements(document)) {
            if (statement.effect === "Allow" && statement.everyone) {
              ctx.violation(
                `${policy.props.owner.label} statement ${statement.id} allows Principal "*" on ${bucket.label}: anyone can ${statement.actions.join(", ")}. ` +
                  `Fix: name the IAM roles (IRSA) that need access instead of "*".`,
                policy.urn,
              );
            }
          }
        });
      }
    }
  },
);
