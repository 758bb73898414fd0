import * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument } from "../identity/policies";

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
