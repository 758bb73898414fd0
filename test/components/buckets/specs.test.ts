import * as assert from "node:assert/strict";
import { BucketSpec, bucketNameProblem, validateBucketSpecs } from "../../../components/buckets/specs";
import { tlsOnlyBucketPolicy } from "../../../components/buckets/policy";

function fiveBuckets(prefix = "obs-test"): BucketSpec[] {
  return [
    { key: "mimirBlocks", owner: "mimir", name: `${prefix}-mimir-blocks` },
    { key: "mimirRuler", owner: "mimir", name: `${prefix}-mimir-ruler` },
    { key: "mimirAlertmanager", owner: "mimir", name: `${prefix}-mimir-alertmanager` },
    { key: "lokiChunks", owner: "loki", name: `${prefix}-loki-chunks` },
    { key: "lokiRuler", owner: "loki", name: `${prefix}-loki-ruler` },
  ];
}

describe("bucket specs", () => {
  describe("bucketNameProblem", () => {
    it("accepts ordinary names at both length limits", () => {
      for (const name of ["abc", "a".repeat(63), "obs-prod-mimir-blocks-0123"])
        assert.equal(bucketNameProblem(name), undefined, name);
    });

    it("explains what is wrong with a name S3 would reject", () => {
      assert.match(bucketNameProblem("ab")!, /3 to 63 characters long \(has 2\)/);
      assert.match(bucketNameProblem("a".repeat(64))!, /has 64/);
      assert.match(bucketNameProblem("Obs-Blocks")!, /lower-case/);
      assert.match(bucketNameProblem("obs_blocks")!, /lower-case letters, digits and hyphens/);
      assert.match(bucketNameProblem("-obs")!, /start and end/);
      assert.match(bucketNameProblem("xn--obs")!, /must not start with "xn--"/);
      assert.match(bucketNameProblem("obs-s3alias")!, /must not end with "-s3alias"/);
    });

    it("rejects dotted names, which break TLS with virtual-hosted-style requests", () => {
      assert.match(bucketNameProblem("obs.blocks")!, /only lower-case letters, digits and hyphens/);
    });
  });

  describe("validateBucketSpecs", () => {
    it("accepts the five buckets", () => {
      assert.doesNotThrow(() => validateBucketSpecs(fiveBuckets()));
    });

    it("requires every key exactly once", () => {
      assert.throws(() => validateBucketSpecs(fiveBuckets().slice(1)), /missing mimirBlocks/);
      const specs = fiveBuckets();
      assert.throws(
        () => validateBucketSpecs([...specs, { ...specs[0], name: "other-name" }]),
        /key "mimirBlocks" twice/,
      );
      assert.throws(
        () => validateBucketSpecs([...specs, { key: "tempo" as never, owner: "mimir", name: "x-tempo" }]),
        /unknown key\(s\) "tempo"/,
      );
    });

    it("rejects a bucket assigned to the other owner", () => {
      const specs = fiveBuckets();
      specs[3] = { ...specs[3], owner: "mimir" };
      assert.throws(
        () => validateBucketSpecs(specs),
        /buckets\[lokiChunks\]\.owner is "mimir" but lokiChunks belongs to "loki"/,
      );
    });

    it("rejects an invalid name naming the key", () => {
      const specs = fiveBuckets();
      specs[1] = { ...specs[1], name: "Bad_Name" };
      assert.throws(() => validateBucketSpecs(specs), /buckets\[mimirRuler\]\.name "Bad_Name"/);
    });

    it("rejects two keys sharing one bucket", () => {
      const specs = fiveBuckets();
      specs[1] = { ...specs[1], name: specs[0].name };
      assert.throws(() => validateBucketSpecs(specs), /"obs-test-mimir-blocks" is used for two keys/);
    });
  });

  describe("tlsOnlyBucketPolicy", () => {
    const policy = tlsOnlyBucketPolicy("arn:aws:s3:::obs-test-loki-chunks");

    it("denies all S3 actions without TLS on the bucket and all its objects", () => {
      assert.equal(policy.Statement.length, 1);
      const [deny] = policy.Statement;
      assert.equal(deny.Effect, "Deny");
      assert.equal(deny.Principal, "*");
      assert.equal(deny.Action, "s3:*");
      assert.deepEqual(deny.Resource, ["arn:aws:s3:::obs-test-loki-chunks", "arn:aws:s3:::obs-test-loki-chunks/*"]);
      assert.deepEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
    });

    it("grants nothing (the IRSA roles do)", () => {
      assert.ok(policy.Statement.every((s) => s.Effect === "Deny"));
    });

    it("rejects something that is not a bucket ARN", () => {
      assert.throws(() => tlsOnlyBucketPolicy("obs-test-loki-chunks"), /not a bucket ARN/);
      assert.throws(() => tlsOnlyBucketPolicy("arn:aws:s3:::obs/*"), /not a bucket ARN/);
    });
  });
});
