import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { DEFAULT_NONCURRENT_VERSION_DAYS, lifecycleRules } from "./lifecycle";
import { tlsOnlyBucketPolicy } from "./policy";
import { BucketKey, BucketOwner, BucketSpec, validateBucketSpecs } from "./specs";

export { BUCKET_KEYS, BUCKET_OWNERS, bucketNameProblem, validateBucketSpecs } from "./specs";
export type { BucketKey, BucketOwner, BucketSpec, BucketExpiration } from "./specs";
export { lifecycleRules, ABORT_INCOMPLETE_UPLOAD_DAYS, DEFAULT_NONCURRENT_VERSION_DAYS, HOUSEKEEPING_RULE_ID } from "./lifecycle";
export type { LifecycleRule } from "./lifecycle";
export { tlsOnlyBucketPolicy } from "./policy";

/** The tag the policy pack identifies buckets by (together with the name). */
export const BUCKET_ROLE_TAG = "observability/bucket-role";

export interface BucketsArgs {
  buckets: BucketSpec[];
  forceDestroy: boolean;
  tags: Record<string, string>;
  /** How long deleted or overwritten objects stay recoverable; default DEFAULT_NONCURRENT_VERSION_DAYS. */
  noncurrentVersionDays?: number;
}

export class Buckets extends pulumi.ComponentResource {
  public readonly buckets: Record<BucketKey, aws.s3.Bucket>;
  /** Resolve only once the bucket is fully hardened (access block, encryption, TLS policy, lifecycle). */
  public readonly names: Record<BucketKey, pulumi.Output<string>>;
  public readonly arns: Record<BucketKey, pulumi.Output<string>>;
  public readonly kmsKeyArns: Record<BucketOwner, pulumi.Output<string>>;

  constructor(name: string, args: BucketsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:buckets:Buckets", name, {}, opts);
    validateBucketSpecs(args.buckets);
    const noncurrentVersionDays = args.noncurrentVersionDays ?? DEFAULT_NONCURRENT_VERSION_DAYS;
    // Computed up front so a bad prefix fails before any bucket is declared.
    const rulesByKey = new Map(args.buckets.map((spec) => [spec.key, lifecycleRules(spec, noncurrentVersionDays)]));
    const child = { parent: this };

    // One customer-managed key per owner: a leaked Loki role cannot decrypt Mimir's objects even if a bucket
    // policy were loosened. Rotation yearly (KMS docs, "Rotating AWS KMS keys": 365 days by default).
    const keys = {} as Record<BucketOwner, aws.kms.Key>;
    for (const owner of ["mimir", "loki"] as const) {
      keys[owner] = new aws.kms.Key(`${name}-${owner}`, {
        description: `Encrypts the ${owner} object-storage buckets`,
        enableKeyRotation: true,
        // The maximum waiting period: a mistaken deletion of the key would make every object unreadable.
        deletionWindowInDays: 30,
        tags: { ...args.tags, "observability/owner": owner },
      }, child);
      new aws.kms.Alias(`${name}-${owner}`, { namePrefix: `alias/${name}-${owner}-`, targetKeyId: keys[owner].keyId }, child);
    }

    this.buckets = {} as Record<BucketKey, aws.s3.Bucket>;
    this.names = {} as Record<BucketKey, pulumi.Output<string>>;
    this.arns = {} as Record<BucketKey, pulumi.Output<string>>;
    for (const spec of args.buckets) {
      const resourceName = `${name}-${spec.key}`;
      const bucket = new aws.s3.Bucket(resourceName, {
        bucket: spec.name,
        forceDestroy: args.forceDestroy,
        tags: { ...args.tags, [BUCKET_ROLE_TAG]: spec.key, "observability/owner": spec.owner },
      }, child);

      const publicAccess = new aws.s3.BucketPublicAccessBlock(resourceName, {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      }, child);
      // ACLs disabled: every object belongs to the bucket owner whoever writes it (S3 user guide, "Object Ownership").
      const ownership = new aws.s3.BucketOwnershipControls(resourceName, {
        bucket: bucket.id,
        rule: { objectOwnership: "BucketOwnerEnforced" },
      }, child);
      const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(resourceName, {
        bucket: bucket.id,
        rules: [{
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keys[spec.owner].arn },
          // Bucket keys cut KMS requests (and their cost) by orders of magnitude for small-object workloads
          // (S3 user guide, "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys").
          bucketKeyEnabled: true,
        }],
      }, child);
      // S3 rejects a bucket policy while the public access block is being changed ("OperationAborted: A conflicting
      // conditional operation"), so the policy waits for it.
      const policy = new aws.s3.BucketPolicy(resourceName, {
        bucket: bucket.id,
        policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))),
      }, { parent: this, dependsOn: [publicAccess] });

      // Versioning on, with noncurrent versions expiring after `noncurrentVersionDays`: a retention misconfiguration,
      // a compactor bug or an operator's `aws s3 rm` stays recoverable for that window, at the price of keeping
      // compacted-away and deleted blocks that long (compaction rewrites data, so expect roughly that many days of
      // extra ingest volume in storage). Without the noncurrent expiration, deleted blocks would be billed forever.
      const versioning = new aws.s3.BucketVersioning(resourceName, {
        bucket: bucket.id,
        versioningConfiguration: { status: "Enabled" },
      }, child);
      // The provider docs ask a versioned bucket's lifecycle configuration to depend on its versioning resource.
      const lifecycle = new aws.s3.BucketLifecycleConfiguration(resourceName, {
        bucket: bucket.id,
        rules: rulesByKey.get(spec.key)!,
      }, { parent: this, dependsOn: [versioning] });

      const hardened = [publicAccess.id, ownership.id, encryption.id, policy.id, versioning.id, lifecycle.id];
      this.buckets[spec.key] = bucket;
      this.names[spec.key] = pulumi.all([bucket.bucket, ...hardened]).apply(([bucketName]) => bucketName);
      this.arns[spec.key] = pulumi.all([bucket.arn, ...hardened]).apply(([arn]) => arn);
    }
    this.kmsKeyArns = { mimir: keys.mimir.arn, loki: keys.loki.arn };
    this.registerOutputs({ names: this.names, arns: this.arns, kmsKeyArns: this.kmsKeyArns });
  }
}
