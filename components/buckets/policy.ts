import * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument } from "../identity/policies";

/**
 * The access-log bucket's policy: TLS only, and S3's log delivery (the logging.s3.amazonaws.com service principal,
 * which buckets with ACLs disabled must grant through their policy) may write objects, only for this account's
 * source buckets (S3 user guide, "Enabling Amazon S3 server access logging": aws:SourceArn and aws:SourceAccount).
 */
export function accessLogBucketPolicy(
  bucketArn: string,
  sourceBucketArns: string[],
  accountId: string,
): PolicyDocument {
  const tlsOnly = tlsOnlyBucketPolicy(bucketArn);
  return {
    ...tlsOnly,
    Statement: [
      ...tlsOnly.Statement,
      {
        Sid: "S3ServerAccessLogDelivery",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${bucketArn}/*`,
        Condition: { ArnLike: { "aws:SourceArn": sourceBucketArns }, StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}

/**
 * Deny every request that does not use TLS, on the bucket and on its objects (S3 user guide, "Security best
 * practices for Amazon S3": enforce encryption of data in transit with aws:SecureTransport).
 */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
  if (!/^arn:aws[a-z-]*:s3:::[^/*]+$/.test(bucketArn)) {
    throw new pulumi.RunError(`bucketArn "${bucketArn}" is not a bucket ARN (arn:aws:s3:::<bucket>)`);
  }
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}
