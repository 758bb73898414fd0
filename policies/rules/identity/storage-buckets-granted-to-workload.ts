// I2 (HARD, blocked writes): every bucket Mimir's and Loki's S3 clients use must be a bucket of this stack, belong to
// that workload, and be granted to the workload's IRSA role (objects and their SSE-KMS key); otherwise S3 answers
// AccessDenied to every write.
import { BucketView, bucketViews } from "../../lib/buckets";
import { lokiReleases } from "../../lib/loki";
import { mimirReleases } from "../../lib/mimir";
import { show } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import {
  allows,
  BucketUse,
  bucketKey,
  bucketNamed,
  bucketOwner,
  eachKnown,
  iamRoles,
  lokiBucketUses,
  lokiIdentities,
  mimirBucketUses,
  mimirIdentities,
  PodIdentity,
  roleByArn,
  roleGrants,
  RoleGrants,
  roleLabel,
  servingIdentities,
} from "./common";

/**
 * What an object-store client such as Mimir or Loki needs on its bucket: list it, read, write and delete objects (Loki
 * docs, "Deploy on AWS": the S3 actions of its IAM policy; Mimir's object store client lists the bucket for the
 * bucket index and the compactor, and deletes compacted blocks).
 */
const BUCKET_ACTIONS = ["s3:ListBucket"];
const OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"];
/** SSE-KMS: kms:GenerateDataKey to write, kms:Decrypt to read (S3 user guide, "Using server-side encryption with AWS KMS keys"). */
const KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"];

const bucketArn = (partition: string, name: string) => `arn:${partition}:s3:::${name}`;

/** What a role lacks on a bucket (and its key). */
function missingGrants(grants: RoleGrants, partition: string, bucket: string, keyArn: string | undefined): string[] {
  const checks: Array<[string, string]> = [
    ...BUCKET_ACTIONS.map((a): [string, string] => [a, bucketArn(partition, bucket)]),
    ...OBJECT_ACTIONS.map((a): [string, string] => [a, `${bucketArn(partition, bucket)}/*`]),
    ...(keyArn ? KEY_ACTIONS.map((a): [string, string] => [a, keyArn]) : []),
  ];
  return checks
    .filter(([action, resource]) => allows(grants, action, resource) !== "allowed")
    .map(([a, r]) => `${a} on ${r}`);
}

/** The stack's buckets the role may write, for the fix. */
function grantedBuckets(grants: RoleGrants, partition: string, buckets: ReadonlyArray<BucketView>): string[] {
  return buckets
    .map((b) => b.name)
    .filter((n): n is string => typeof n === "string")
    .filter((n) => allows(grants, "s3:PutObject", `${bucketArn(partition, n)}/*`) === "allowed");
}

function checkGrants(
  stack: StackView,
  ctx: RuleContext<object>,
  use: BucketUse,
  bucket: BucketView,
  identity: PodIdentity,
  buckets: ReadonlyArray<BucketView>,
): void {
  const arn = identity.roleArn;
  if (!arn) return; // no annotation: I1 reports it
  const role = roleByArn(iamRoles(stack), arn.value);
  if (!role) return; // a role outside this stack: I1 reports it
  const partition = /^arn:([^:]+):/.exec(arn.value)?.[1] ?? "aws";
  const grants = roleGrants(stack, role);
  const key = bucketKey(bucket);
  const keyArn = key && /^arn:[^:]+:kms:[^:]+:\d{12}:key\//.test(key.value) ? key.value : undefined;
  const missing = missingGrants(grants, partition, use.bucket.value, keyArn);
  if (missing.length === 0) return;
  const usedBy = `${show(use.bucket)} (${use.workload}'s ${use.what}) is written by the pods of ${identity.pods} as ${roleLabel(role)} (${show(arn)})`;
  if (grants.unreadable.length > 0) {
    ctx.advisory(
      `${usedBy}; its policies in this stack do not allow ${missing.join(", ")}, and its attached policies ${grants.unreadable.join(", ")} are not in this stack, ` +
        `so the grant cannot be verified. Without it every S3 call fails with AccessDenied (blocked writes).`,
      role.urn,
    );
    return;
  }
  const granted = grantedBuckets(grants, partition, buckets).sort();
  ctx.violation(
    `${usedBy}, but the role's policies do not allow ${missing.join(", ")}` +
      `${key && keyArn && missing.some((m) => m.startsWith("kms:")) ? ` (the bucket's SSE-KMS key: ${show(key)})` : ""}: ` +
      `S3 answers AccessDenied, so ${use.workload} cannot write or read ${bucket.label} (blocked writes; start-up fails where it reads the bucket first). ` +
      `Fix: point ${use.what} at a bucket the role is granted${granted.length > 0 ? ` (${granted.join(", ")})` : ""}, or grant the role ${missing.join(", ")}.`,
    use.release.resource.urn,
  );
}

export const storageBucketsGrantedToWorkload = stackRule<object>(
  {
    name: "storage-buckets-granted-to-workload",
    rule: "I2",
    description:
      "Every S3 bucket Mimir and Loki use is a bucket of this stack, of that workload, whose objects (and SSE-KMS key) the workload's IRSA role is allowed to list, read, write and delete",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Keep Mimir's blocks_storage/ruler_storage/alertmanager_storage s3.bucket_name and Loki's loki.storage.bucketNames at the stack's own buckets " +
      "(the program sets them); a different bucket needs its own Bucket resource and a grant in the workload's IRSA role policy (s3:ListBucket, s3:GetObject, " +
      "s3:PutObject, s3:DeleteObject, and kms:GenerateDataKey/kms:Decrypt on its key).",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html",
    tags: ["security", "aws", "iam", "s3", "mimir", "loki"],
  },
  (stack, ctx) => {
    const buckets = bucketViews(stack);
    const roles = iamRoles(stack);
    const workloads = [
      ...mimirReleases(stack).map((m) => ({
        identities: () => mimirIdentities(stack, m),
        uses: () => mimirBucketUses(m),
      })),
      ...lokiReleases(stack).map((l) => ({
        identities: () => lokiIdentities(stack, l),
        uses: () => lokiBucketUses(l),
      })),
    ];
    eachKnown(ctx, workloads, (workload) => {
      const uses = workload.uses();
      eachKnown(ctx, uses, (use) => {
        const bucket = bucketNamed(buckets, use.bucket.value);
        if (!bucket) {
          const own = buckets
            .filter((b) => bucketOwner(b) === use.workload)
            .map((b) => b.name)
            .filter((n): n is string => typeof n === "string")
            .sort(); // the engine sends AnalyzeStack's resources in no fixed order
          ctx.violation(
            `${show(use.bucket)} (${use.workload}'s ${use.what}) is not a bucket of this stack: the workload's IRSA role is granted only the ` +
              `stack's own buckets, so every write there fails with AccessDenied (or NoSuchBucket), and none of the stack's encryption, TLS-only and ` +
              `lifecycle checks apply to it. Fix: use the stack's ${use.workload} bucket${own.length > 0 ? ` (${own.join(", ")})` : ""}.`,
            use.release.resource.urn,
          );
          return;
        }
        const owner = bucketOwner(bucket);
        if (owner && owner !== use.workload) {
          ctx.violation(
            `${show(use.bucket)} (${use.workload}'s ${use.what}) is ${bucket.label} of ${owner} (tag observability/bucket-role=${bucket.role}): ` +
              `${owner}'s IRSA role, bucket key and lifecycle rules are set for it, so ${use.workload}'s writes are refused (AccessDenied); were they ` +
              `granted, ${use.workload}'s objects would share one keyspace with ${owner}'s under ${owner}'s lifecycle rules (INFERRED: either can expire or ` +
              `overwrite the other's). Fix: point ${use.what} at a ${use.workload} bucket of this stack.`,
            use.release.resource.urn,
          );
          return;
        }
        // No IAM role in the stack at all: the roles are managed elsewhere and their policies cannot be read here.
        if (roles.length === 0) return;
        const identities = workload.identities();
        eachKnown(ctx, servingIdentities(identities, use), (identity) =>
          checkGrants(stack, ctx, use, bucket, identity, buckets),
        );
      });
    });
  },
);
