import * as assert from "node:assert/strict";
import { HOUSEKEEPING_RULE_ID, lifecycleRules } from "../../../components/buckets/lifecycle";
import { BucketSpec } from "../../../components/buckets/specs";

const chunks: BucketSpec = { key: "lokiChunks", owner: "loki", name: "obs-loki-chunks" };

describe("bucket lifecycle rules", () => {
  it("without expiration: only housekeeping, which never expires current objects", () => {
    const rules = lifecycleRules(chunks, 7);
    assert.equal(rules.length, 1);
    const [housekeeping] = rules;
    assert.equal(housekeeping.id, HOUSEKEEPING_RULE_ID);
    assert.equal(housekeeping.status, "Enabled");
    assert.deepEqual(housekeeping.abortIncompleteMultipartUpload, { daysAfterInitiation: 1 });
    assert.deepEqual(housekeeping.noncurrentVersionExpiration, { noncurrentDays: 7 });
    assert.equal(housekeeping.expiration?.days, undefined);
    assert.equal(housekeeping.expiration?.expiredObjectDeleteMarker, true);
  });

  it("adds one expiration rule per prefix, each scoped to its prefix", () => {
    const rules = lifecycleRules({ ...chunks, expiration: { days: 35, prefixes: ["fake/", "tenant-a/"] } }, 7);
    const expiring = rules.filter((r) => r.expiration?.days !== undefined);
    assert.deepEqual(
      expiring.map((r) => r.filter),
      [{ prefix: "fake/" }, { prefix: "tenant-a/" }],
    );
    assert.ok(expiring.every((r) => r.expiration?.days === 35 && r.status === "Enabled"));
    assert.equal(new Set(rules.map((r) => r.id)).size, rules.length, "rule ids must be unique");
  });

  it("never produces an expiring rule without a non-empty prefix", () => {
    const rules = lifecycleRules({ ...chunks, expiration: { days: 1, prefixes: ["a"] } }, 1);
    for (const rule of rules.filter((r) => r.expiration?.days !== undefined)) {
      assert.ok(rule.filter.prefix && rule.filter.prefix.length > 0);
    }
  });

  it("rejects an empty or blank prefix (conflict rule R3)", () => {
    for (const prefix of ["", "  "]) {
      assert.throws(
        () => lifecycleRules({ ...chunks, expiration: { days: 30, prefixes: ["fake/", prefix] } }, 7),
        /buckets\[lokiChunks\]\.expiration\.prefixes contains an empty prefix.*R3/,
      );
    }
  });

  it("rejects prefixes that would silently match nothing, and keeps '*' literal (a tenant id Mimir and Loki accept)", () => {
    assert.throws(
      () => lifecycleRules({ ...chunks, expiration: { days: 30, prefixes: ["/fake/"] } }, 7),
      /never start with "\/"/,
    );
    const star = lifecycleRules({ ...chunks, expiration: { days: 30, prefixes: ["*/"] } }, 7);
    assert.deepEqual(star[1].filter, { prefix: "*/" });
  });

  it("rejects an expiration with no prefixes or duplicated prefixes, and gives every prefix its own rule id", () => {
    assert.throws(() => lifecycleRules({ ...chunks, expiration: { days: 30, prefixes: [] } }, 7), /prefixes is empty/);
    assert.throws(
      () => lifecycleRules({ ...chunks, expiration: { days: 30, prefixes: ["a/", "a/"] } }, 7),
      /lists a prefix twice/,
    );
    // Tenant ids that differ only in characters a slug would fold ("team-a", "team(a)", "team!a") keep distinct ids.
    const rules = lifecycleRules(
      { ...chunks, expiration: { days: 30, prefixes: ["team-a/", "team(a)/", "team!a/", "x".repeat(150) + "/"] } },
      7,
    );
    const ids = rules.slice(1).map((r) => r.id);
    assert.deepEqual(ids.slice(0, 3), ["expire-team-a", "expire-team(a)", "expire-team!a"]);
    assert.ok(
      ids.every((id) => id.length <= 255),
      "S3 rule ids are at most 255 characters",
    );
  });

  it("rejects days below 1 or fractional, at the boundary", () => {
    assert.doesNotThrow(() => lifecycleRules({ ...chunks, expiration: { days: 1, prefixes: ["fake/"] } }, 1));
    for (const days of [0, -3, 1.5]) {
      assert.throws(
        () => lifecycleRules({ ...chunks, expiration: { days, prefixes: ["fake/"] } }, 7),
        /expiration\.days is .*>= 1/,
      );
    }
    assert.throws(() => lifecycleRules(chunks, 0), /noncurrentVersionDays is 0/);
  });
});
