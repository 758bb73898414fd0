import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ABORT_INCOMPLETE_UPLOAD_DAYS, DEFAULT_NONCURRENT_VERSION_DAYS, lifecycleRules } from "./lifecycle";
import type { PolicyDocument } from "../identity/policies";
import { accessLogBucketPolicy, tlsOnlyBucketPolicy } from "./policy";
import { BucketKey, BucketOwner, BucketSpec, validateBucketSpecs } from "./specs";

export { BUCKET_KEYS, BUCKET_OWNERS, bucketNameProblem, validateBucketSpecs } from "./specs";
export type { BucketKey, BucketOwner, BucketSpec, BucketExpiration } from "./specs";
export {
  lifecycleRules,
  ABORT_INCOMPLETE_UPLOAD_DAYS,
  DEFAULT_NONCURRENT_VERSION_DAYS,
  HOUSEKEEPING_RULE_ID,
} from "./lifecycle";
export type { LifecycleRule } from "./lifecycle";
export { accessLogBucketPolicy, tlsOnlyBucketPolicy } from "./policy";

/** The tag the policy pack identifies buckets by (together with the name). */
export const BUCKET_ROLE_TAG = "observability/bucket-role";

export interface BucketsArgs {
  buckets: BucketSpec[];
  /** The AWS partition ("aws", "aws-cn", "aws-us-gov"), for the buckets' ARNs. */
  partition: string;
  /** This account, the only source the access-log bucket accepts logs from. */
  accountId: string;
  /**
   * Protect the buckets and their keys (Pulumi's `protect`): an ordinary `pulumi up` that would delete or replace one
   * (a removed or renamed bucket, a region change) stops before it happens. Off in dev, whose data is disposable.
   */
  protect: boolean;
  /** The bucket the data buckets' S3 server access logs go to (AWS Security Hub S3.9), and how long they stay. */
  accessLogs: { name: string; expirationDays: number };
  forceDestroy: boolean;
  tags: Record<string, string>;
  /** How long deleted or overwritten objects stay recoverable; default DEFAULT_NONCURRENT_VERSION_DAYS. */
  noncurrentVersionDays?: number;
}

/** What differs between the stack's buckets; the rest of their hardening is the same (Buckets.hardenedBucket). */
interface HardenedBucketSpec {
  name: string;
  tags: Record<string, string>;
  encryption: { sseAlgorithm: "aws:kms" | "AES256"; kmsMasterKeyId?: pulumi.Input<string>; bucketKeyEnabled?: boolean };
  policy: PolicyDocument;
  lifecycleRules: aws.types.input.s3.BucketLifecycleConfigurationRule[];
  versioned?: boolean;
}

/** S3 bucket ARNs carry neither region nor account (S3 user guide, "Amazon S3 resources"). */
function bucketArn(partition: string, bucketName: string): string {
  return `arn:${partition}:s3:::${bucketName}`;
}

export class Buckets extends pulumi.ComponentResource {
  public readonly buckets: Record<BucketKey, aws.s3.Bucket>;
  /**
   * Names and ARNs are known before anything exists (the names are deterministic), so everything built from them is
   * known in a preview too, the policy pack's checks of bucket policies and of Mimir's and Loki's bucket settings
   * included. A consumer that must wait for the hardened buckets (access block, encryption, TLS policy, lifecycle)
   * names this component in `dependsOn`, which waits for all its children.
   */
  public readonly names: Record<BucketKey, string>;
  public readonly arns: Record<BucketKey, string>;
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
      keys[owner] = new aws.kms.Key(
        `${name}-${owner}`,
        {
          description: `Encrypts the ${owner} object-storage buckets`,
          enableKeyRotation: true,
          // The maximum waiting period: a mistaken deletion of the key would make every object unreadable.
          deletionWindowInDays: 30,
          tags: { ...args.tags, "observability/owner": owner },
        },
        { ...child, protect: args.protect },
      );
      new aws.kms.Alias(
        `${name}-${owner}`,
        { namePrefix: `alias/${name}-${owner}-`, targetKeyId: keys[owner].keyId },
        child,
      );
    }

    // The access-log bucket: SSE-S3, since server access logging does not deliver to SSE-KMS buckets (S3 user guide,
    // "Enabling Amazon S3 server access logging"); log delivery is granted by its policy (ACLs are disabled); the logs
    // expire after `accessLogs.expirationDays`.
    const logName = args.accessLogs.name;
    const logs = this.hardenedBucket(`${name}-access-logs`, args, {
      name: logName,
      tags: { ...args.tags, "observability/bucket-purpose": "s3-access-logs" },
      encryption: { sseAlgorithm: "AES256" },
      policy: accessLogBucketPolicy(
        bucketArn(args.partition, logName),
        args.buckets.map((spec) => bucketArn(args.partition, spec.name)),
        args.accountId,
      ),
      lifecycleRules: [
        {
          id: "expire-access-logs",
          status: "Enabled",
          filter: {},
          expiration: { days: args.accessLogs.expirationDays },
          abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS },
        },
      ],
    });

    this.buckets = {} as Record<BucketKey, aws.s3.Bucket>;
    this.names = {} as Record<BucketKey, string>;
    this.arns = {} as Record<BucketKey, string>;
    for (const spec of args.buckets) {
      const resourceName = `${name}-${spec.key}`;
      const arn = bucketArn(args.partition, spec.name);
      const { bucket } = this.hardenedBucket(resourceName, args, {
        name: spec.name,
        tags: { ...args.tags, [BUCKET_ROLE_TAG]: spec.key, "observability/owner": spec.owner },
        // Bucket keys cut KMS requests (and their cost) by orders of magnitude for small-object workloads
        // (S3 user guide, "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys").
        encryption: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keys[spec.owner].arn, bucketKeyEnabled: true },
        policy: tlsOnlyBucketPolicy(arn),
        lifecycleRules: rulesByKey.get(spec.key)!,
        // Versioning on, with noncurrent versions expiring after `noncurrentVersionDays`: a retention
        // misconfiguration, a compactor bug or an operator's `aws s3 rm` stays recoverable for that window, at the
        // price of keeping compacted-away and deleted blocks that long (compaction rewrites data, so expect roughly
        // that many days of extra ingest volume in storage). Without the noncurrent expiration, deleted blocks would
        // be billed forever.
        versioned: true,
      });
      // Every request on the bucket, logged to the access-log bucket under the bucket's name.
      new aws.s3.BucketLogging(
        resourceName,
        {
          bucket: spec.name,
          targetBucket: logName,
          targetPrefix: `${spec.name}/`,
        },
        { parent: this, dependsOn: [bucket, ...logs.ready] },
      );

      this.buckets[spec.key] = bucket;
      this.names[spec.key] = spec.name;
      this.arns[spec.key] = arn;
    }
    this.kmsKeyArns = { mimir: keys.mimir.arn, loki: keys.loki.arn };
    this.registerOutputs({ names: this.names, arns: this.arns, kmsKeyArns: this.kmsKeyArns });
  }

  /**
   * A bucket and the settings every bucket of the stack gets: public access blocked, ACLs disabled (every object
   * belongs to the bucket owner whoever writes it: S3 user guide, "Object Ownership"), default encryption, a bucket
   * policy, optional versioning and a lifecycle. The settings name the bucket by its (known) name and wait for it
   * through dependsOn. Returns the bucket and what must be in place before it receives data.
   */
  private hardenedBucket(
    resourceName: string,
    args: BucketsArgs,
    b: HardenedBucketSpec,
  ): { bucket: aws.s3.Bucket; ready: pulumi.Resource[] } {
    const bucket = new aws.s3.Bucket(
      resourceName,
      { bucket: b.name, forceDestroy: args.forceDestroy, tags: b.tags },
      { parent: this, protect: args.protect },
    );
    const ofBucket = { parent: this, dependsOn: [bucket] };
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      resourceName,
      {
        bucket: b.name,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      ofBucket,
    );
    const ownership = new aws.s3.BucketOwnershipControls(
      resourceName,
      { bucket: b.name, rule: { objectOwnership: "BucketOwnerEnforced" } },
      ofBucket,
    );
    const { bucketKeyEnabled, ...byDefault } = b.encryption;
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
      resourceName,
      {
        bucket: b.name,
        rules: [{ applyServerSideEncryptionByDefault: byDefault, ...(bucketKeyEnabled ? { bucketKeyEnabled } : {}) }],
      },
      ofBucket,
    );
    // S3 rejects a bucket policy while the public access block is being changed ("OperationAborted: A conflicting
    // conditional operation"), so the policy waits for it.
    const policy = new aws.s3.BucketPolicy(
      resourceName,
      { bucket: b.name, policy: JSON.stringify(b.policy) },
      { parent: this, dependsOn: [bucket, publicAccess] },
    );
    const versioning = b.versioned
      ? new aws.s3.BucketVersioning(
          resourceName,
          { bucket: b.name, versioningConfiguration: { status: "Enabled" } },
          ofBucket,
        )
      : undefined;
    // The provider docs ask a versioned bucket's lifecycle configuration to depend on its versioning resource.
    const lifecycle = new aws.s3.BucketLifecycleConfiguration(
      resourceName,
      { bucket: b.name, rules: b.lifecycleRules },
      {
        parent: this,
        dependsOn: [bucket, ...(versioning ? [versioning] : [])],
      },
    );
    return {
      bucket,
      ready: [bucket, publicAccess, ownership, encryption, policy, lifecycle, ...(versioning ? [versioning] : [])],
    };
  }
}
