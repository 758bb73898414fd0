// Deny any request to the bucket that does not use TLS (aws:SecureTransport false).
import { bucketViews } from "../../lib/buckets";
import { stackRule } from "../../lib/policy";
import { deniesPlainHttp, parsePolicyDocument, statements } from "../../lib/policy-document";

export const s3BucketTlsOnly = stackRule<object>(
  {
    name: "s3-bucket-tls-only",
    rule: "S3",
    description: "S3 buckets must deny requests without TLS (bucket policy Deny on aws:SecureTransport false)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'Attach a BucketPolicy with a statement {Effect: Deny, Principal: "*", Action: "s3:*", Resource: [<bucket arn>, <bucket arn>/*], Condition: {Bool: {"aws:SecureTransport": "false"}}}.',
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html (enforce encryption of data in transit)",
    tags: ["security", "aws", "s3"],
  },
  (stack, ctx) => {
    for (const bucket of bucketViews(stack)) {
      const name = typeof bucket.name === "string" ? bucket.name : undefined;
      const unknownsBefore = ctx.inconclusiveInputs.length;
      let enforced = false;
      for (const policy of bucket.policies) {
        ctx.known([parsePolicyDocument(policy)], (document) => {
          if (statements(document).some((s) => deniesPlainHttp(s, name))) enforced = true;
        });
      }
      const undecided = ctx.inconclusiveInputs.length > unknownsBefore;
      if (enforced || undecided) continue;
      ctx.violation(
        `${bucket.label} has ${bucket.policies.length === 0 ? "no BucketPolicy" : "no bucket policy statement denying aws:SecureTransport=false for s3:* on the bucket and its objects"}: ` +
          `clients may read and write metrics and logs over plain HTTP. Fix: add the Deny statement for aws:SecureTransport "false".`,
        bucket.resource.urn,
      );
    }
  },
);
