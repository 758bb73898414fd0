// Bucket specifications and their validation.
import * as pulumi from "@pulumi/pulumi";

import { BUCKET_KEYS, BUCKET_OWNERS, type BucketKey, type BucketOwner } from "../../settings/names";

// The buckets and their owners are settings (settings/names.ts): the IRSA policies read the same map.
export { BUCKET_KEYS, BUCKET_OWNERS };
export type { BucketKey, BucketOwner };

export interface BucketExpiration {
  days: number;
  /** One lifecycle expiration rule per prefix; a prefix is never empty (conflict rule R3). */
  prefixes: string[];
}

export interface BucketSpec {
  key: BucketKey;
  owner: BucketOwner;
  /** Deterministic, computed by the settings module. */
  name: string;
  /** Absent: objects never expire through S3 (the application's own retention deletes them). */
  expiration?: BucketExpiration;
}

/**
 * S3 user guide, "General purpose bucket naming rules": 3-63 characters of lower-case letters, digits, dots and
 * hyphens, starting and ending with a letter or digit; not an IP address; reserved prefixes and suffixes.
 * Dots are rejected too although S3 allows them: with virtual-hosted-style HTTPS (what Mimir's and Loki's S3
 * clients use) a dotted name does not match the *.s3.<region>.amazonaws.com certificate, and these buckets
 * refuse plain HTTP (S3 user guide, "Virtual hosting of buckets").
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `must be 3 to 63 characters long (has ${name.length})`;
  if (!/^[a-z0-9-]+$/.test(name)) return "may contain only lower-case letters, digits and hyphens";
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return "must start and end with a letter or digit";
  for (const prefix of ["xn--", "sthree-", "amzn-s3-demo-"])
    if (name.startsWith(prefix)) return `must not start with "${prefix}"`;
  for (const suffix of ["-s3alias", "--ol-s3", "--x-s3", "--table-s3"])
    if (name.endsWith(suffix)) return `must not end with "${suffix}"`;
  return undefined;
}

export function validateBucketSpecs(specs: BucketSpec[]): void {
  const keys = specs.map((s) => s.key);
  const unknown = keys.filter((k) => !(k in BUCKET_OWNERS));
  if (unknown.length > 0) {
    throw new pulumi.RunError(
      `buckets has unknown key(s) ${unknown.map((k) => `"${k}"`).join(", ")}; allowed: ${BUCKET_KEYS.join(", ")}`,
    );
  }
  const duplicateKey = keys.find((k, i) => keys.indexOf(k) !== i);
  if (duplicateKey) throw new pulumi.RunError(`buckets lists key "${duplicateKey}" twice`);
  const missing = BUCKET_KEYS.filter((k) => !keys.includes(k));
  if (missing.length > 0)
    throw new pulumi.RunError(
      `buckets is missing ${missing.join(", ")}; every one of ${BUCKET_KEYS.join(", ")} is required`,
    );

  for (const spec of specs) {
    if (spec.owner !== BUCKET_OWNERS[spec.key]) {
      throw new pulumi.RunError(
        `buckets[${spec.key}].owner is "${spec.owner}" but ${spec.key} belongs to "${BUCKET_OWNERS[spec.key]}"`,
      );
    }
    const problem = bucketNameProblem(spec.name);
    if (problem) throw new pulumi.RunError(`buckets[${spec.key}].name "${spec.name}" ${problem}`);
  }
  const names = specs.map((s) => s.name);
  const duplicateName = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicateName) {
    // Mimir refuses ruler/alertmanager storage in the blocks bucket under the same prefix (conflict rule M4).
    throw new pulumi.RunError(`bucket name "${duplicateName}" is used for two keys; each key needs its own bucket`);
  }
}
