// S3 lifecycle rules for a bucket, as the plain data aws.s3.BucketLifecycleConfiguration takes.
import * as pulumi from "@pulumi/pulumi";
import { BucketSpec } from "./specs";

/**
 * Mimir and Loki upload objects within minutes; a multipart upload still open after a day was abandoned (a pod
 * killed mid-upload) and its parts are billed until aborted (S3 user guide, "Configuring a bucket lifecycle
 * configuration to delete incomplete multipart uploads").
 */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 1;

/** Default time a deleted or overwritten object stays recoverable as a noncurrent version. */
export const DEFAULT_NONCURRENT_VERSION_DAYS = 7;

export const HOUSEKEEPING_RULE_ID = "housekeeping";

export interface LifecycleRule {
  id: string;
  status: "Enabled";
  filter: { prefix?: string };
  expiration?: { days?: number; expiredObjectDeleteMarker?: boolean };
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
  noncurrentVersionExpiration?: { noncurrentDays: number };
}

/**
 * The prefix itself, without its trailing "/": one rule id per prefix, never two prefixes on one id (a tenant id
 * such as "team(a)" and "team-a" stay apart). S3 rule ids are free text of at most 255 characters (S3 API,
 * LifecycleRule.ID); tenant ids are at most 150 (settings/schema.ts), so nothing is cut.
 */
function ruleIdFor(prefix: string): string {
  return `expire-${prefix.replace(/\/+$/, "")}`;
}

/**
 * One bucket-wide housekeeping rule, then one expiration rule per prefix.
 *
 * The housekeeping rule has no `days` expiration: it aborts stale multipart uploads, removes noncurrent versions
 * after `noncurrentVersionDays` and cleans up delete markers left without versions (S3 user guide, "Removing
 * expired object delete markers"; ExpiredObjectDeleteMarker cannot be combined with Days in one rule, S3 API
 * LifecycleExpiration). Expiring current objects is only ever prefix-scoped: an empty prefix would also expire
 * Loki's index/ and Mimir's bucket index (conflict rules R2, R3).
 */
export function lifecycleRules(spec: BucketSpec, noncurrentVersionDays: number): LifecycleRule[] {
  if (!Number.isInteger(noncurrentVersionDays) || noncurrentVersionDays < 1) {
    throw new pulumi.RunError(
      `noncurrentVersionDays is ${noncurrentVersionDays}; it must be a whole number of days >= 1`,
    );
  }
  const rules: LifecycleRule[] = [
    {
      id: HOUSEKEEPING_RULE_ID,
      status: "Enabled",
      // An empty filter applies the rule to every object (provider docs, aws.s3.BucketLifecycleConfiguration).
      filter: {},
      abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS },
      noncurrentVersionExpiration: { noncurrentDays: noncurrentVersionDays },
      expiration: { expiredObjectDeleteMarker: true },
    },
  ];
  if (!spec.expiration) return rules;

  const { days, prefixes } = spec.expiration;
  const key = `buckets[${spec.key}].expiration`;
  if (!Number.isInteger(days) || days < 1) {
    throw new pulumi.RunError(`${key}.days is ${days}; S3 expiration needs a whole number of days >= 1`);
  }
  if (prefixes.length === 0) {
    throw new pulumi.RunError(
      `${key}.prefixes is empty; give the prefixes to expire, or omit expiration to keep objects until the application deletes them`,
    );
  }
  for (const prefix of prefixes) {
    if (prefix.trim() === "") {
      throw new pulumi.RunError(
        `${key}.prefixes contains an empty prefix; it would expire the whole bucket, index and cluster seed included (conflict rule R3)`,
      );
    }
    if (prefix.startsWith("/")) {
      throw new pulumi.RunError(
        `${key}.prefixes contains "${prefix}"; object keys never start with "/", so the rule would match nothing`,
      );
    }
    // S3 prefixes are literal: a tenant id "*" (Mimir and Loki accept it) expires exactly the objects under "*/".
  }
  if (new Set(prefixes).size !== prefixes.length) throw new pulumi.RunError(`${key}.prefixes lists a prefix twice`);

  const expirations = prefixes.map<LifecycleRule>((prefix) => ({
    id: ruleIdFor(prefix),
    status: "Enabled",
    filter: { prefix },
    expiration: { days },
  }));
  const ids = expirations.map((r) => r.id);
  const clash = ids.find((id, i) => ids.indexOf(id) !== i);
  if (clash)
    throw new pulumi.RunError(
      `${key}.prefixes map to the same rule id "${clash}"; use prefixes that differ in letters or digits`,
    );
  return [...rules, ...expirations];
}
