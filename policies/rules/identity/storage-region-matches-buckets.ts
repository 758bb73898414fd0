// I3 (HARD, blocked writes): the region and endpoint Mimir's and Loki's S3 clients use must be their buckets' region,
// and an SSE-KMS key Mimir or Loki asks S3 for must be the bucket's own key, the only one the IRSA role may use.
import { bucketViews } from "../../lib/buckets";
import { lokiReleases } from "../../lib/loki";
import { mimirReleases } from "../../lib/mimir";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import {
  BucketUse,
  bucketKey,
  bucketNamed,
  bucketRegion,
  eachKnown,
  endpointRegion,
  kmsKeyId,
  lokiBucketUses,
  mimirBucketUses,
} from "./common";

export const storageRegionMatchesBuckets = stackRule<object>(
  {
    name: "storage-region-matches-buckets",
    rule: "I3",
    description:
      "The S3 region and endpoint Mimir and Loki use are their buckets' region, and an SSE-KMS key they request is the bucket's own key",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Set Mimir's common.storage.s3.region / endpoint (s3.<region>.amazonaws.com) and Loki's loki.storage.s3.region to the region the buckets are in " +
      "(the AWS provider's region), and leave s3.sse unset (the buckets encrypt by default with their own key) or name that key.",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (PermanentRedirect, AuthorizationHeaderMalformed)",
    tags: ["aws", "s3", "kms", "mimir", "loki"],
  },
  (stack, ctx) => {
    const buckets = bucketViews(stack);
    const uses: Array<() => BucketUse[]> = [
      ...mimirReleases(stack).map((m) => () => mimirBucketUses(m)),
      ...lokiReleases(stack).map((l) => () => lokiBucketUses(l)),
    ];
    eachKnown(ctx, uses, (read) =>
      eachKnown(ctx, read(), (use) => {
        const bucket = bucketNamed(buckets, use.bucket.value);
        if (!bucket) return; // not a bucket of this stack: I2 reports it
        const at = `${use.release.label} ${use.what} (bucket ${use.bucket.value})`;
        const region = bucketRegion(bucket);
        if (region) {
          const wrong: string[] = [];
          const fromEndpoint = use.endpoint && endpointRegion(use.endpoint.value);
          // A regional endpoint of another region answers 301 PermanentRedirect; a request signed for another region
          // answers 400 AuthorizationHeaderMalformed (S3 API reference, "Error responses"). Without a region, minio-go
          // (Mimir) signs for the endpoint's region (pkg/s3utils GetRegionFromURL).
          if (use.endpoint && fromEndpoint && fromEndpoint !== region.value)
            wrong.push(
              `${show(use.endpoint)} is the S3 endpoint of ${fromEndpoint} (every request is answered 301 PermanentRedirect)`,
            );
          if (use.region && use.region.value !== region.value)
            wrong.push(
              `${show(use.region)} signs every request for ${use.region.value} (answered 400 AuthorizationHeaderMalformed, and the bucket key's ` +
                `kms:ViaService s3.${region.value}.amazonaws.com condition never holds)`,
            );
          if (wrong.length > 0) {
            ctx.violation(
              `${at}: ${bucket.label} is in ${region.value} (${region.where}), but ${wrong.join("; ")}: ${use.workload} cannot read or write the bucket ` +
                `(blocked writes; components that read it at start-up fail). Fix: set the region to ${region.value}` +
                `${use.endpoint ? ` and the endpoint to s3.${region.value}.amazonaws.com` : ""}.`,
              use.release.resource.urn,
            );
          }
        }
        if (!use.sseKmsKeyId) return;
        const requested = use.sseKmsKeyId;
        const own = bucketKey(bucket);
        const requestedId = kmsKeyId(stack, requested.value);
        if (own && requestedId !== undefined && requestedId === kmsKeyId(stack, own.value)) return;
        const regionNote =
          region &&
          /^arn:[^:]+:kms:([^:]+):/.exec(requested.value)?.[1] !== undefined &&
          /^arn:[^:]+:kms:([^:]+):/.exec(requested.value)?.[1] !== region.value
            ? ` It is not even in the bucket's region ${region.value}, and S3 uses only keys of the bucket's region.`
            : "";
        ctx.violation(
          `${at}: ${show(requested)} asks S3 to encrypt with a key that is not ${bucket.label}'s own ` +
            `(${own ? show(own) : "the bucket has no SSE-KMS key"}): the workload's IRSA role may use only the buckets' keys, so S3's ` +
            `kms:GenerateDataKey is refused and every upload fails with AccessDenied (blocked writes).${regionNote} ` +
            `Fix: remove the sse setting (the bucket encrypts with its own key by default) or set it to ${own ? own.value : "the bucket's key"}.`,
          use.release.resource.urn,
        );
      }),
    );
  },
);
