import { strict as assert } from "assert";
import { s3BucketEncrypted } from "../../../../policies/rules/security/s3-bucket-encrypted";
import { s3BucketPrivate } from "../../../../policies/rules/security/s3-bucket-private";
import { s3BucketTlsOnly } from "../../../../policies/rules/security/s3-bucket-tls-only";
import { compliantStack, mutate, T, without } from "../../support/fixture";
import { runStackPolicy, UNKNOWN, urnOf } from "../../support/harness";

describe("policy s3-bucket-private (S1)", () => {
  it("rejects a bucket without a public access block", async () => {
    const run = await runStackPolicy(s3BucketPrivate, without(compliantStack(), "lokiChunks-public-access-block"));
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /^Bucket "obs-prod-loki-chunks" has no BucketPublicAccessBlock/);
    assert.equal(run.violations[0].urn, urnOf(T.bucket, "lokiChunks-bucket"));
  });

  it("rejects a flag left false", async () => {
    const run = await runStackPolicy(
      s3BucketPrivate,
      mutate(compliantStack(), "mimirBlocks-public-access-block", ["restrictPublicBuckets"], false),
    );
    assert.match(run.violations[0].message, /restrictPublicBuckets=false for Bucket "obs-prod-mimir-blocks"/);
  });

  it("rejects a public ACL and an Allow for everyone", async () => {
    let records = mutate(compliantStack(), "mimirRuler-bucket", ["acl"], "public-read");
    const allowAll = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Public",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "s3:GetObject",
          Resource: "arn:aws:s3:::obs-prod-mimir-ruler/*",
        },
      ],
    });
    records = mutate(records, "mimirRuler-policy", ["policy"], allowAll);
    const run = await runStackPolicy(s3BucketPrivate, records);
    assert.equal(run.violations.length, 2);
    assert.match(run.violations[0].message, /acl=public-read/);
    assert.match(run.violations[1].message, /statement "Public" allows Principal "\*".*s3:GetObject/);
  });

  it("links a public access block by bucket name when no property dependency is recorded", async () => {
    const records = compliantStack().map((r) =>
      r.name === "lokiChunks-public-access-block" ? { ...r, propertyDependencies: {}, dependencies: [] } : r,
    );
    assert.deepEqual((await runStackPolicy(s3BucketPrivate, records)).violations, []);
  });
});

describe("policy s3-bucket-encrypted (S2)", () => {
  it("rejects a bucket without a default encryption configuration", async () => {
    const run = await runStackPolicy(s3BucketEncrypted, without(compliantStack(), "mimirAlertmanager-encryption"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /Bucket "obs-prod-mimir-alertmanager" has no BucketServerSideEncryptionConfiguration/,
    );
  });

  it("enforces the configured algorithms", async () => {
    const records = mutate(
      compliantStack(),
      "lokiRuler-encryption",
      ["rules", 0, "applyServerSideEncryptionByDefault"],
      { sseAlgorithm: "AES256" },
    );
    assert.deepEqual((await runStackPolicy(s3BucketEncrypted, records)).violations, []);
    const run = await runStackPolicy(s3BucketEncrypted, records, { allowedAlgorithms: ["aws:kms"] });
    assert.match(
      run.violations[0].message,
      /Bucket "obs-prod-loki-ruler" encrypts with AES256, not one of aws:kms \(policy config allowedAlgorithms\)/,
    );
  });
});

describe("policy s3-bucket-tls-only (S3)", () => {
  it("rejects a bucket without a bucket policy", async () => {
    const run = await runStackPolicy(s3BucketTlsOnly, without(compliantStack(), "mimirBlocks-policy"));
    assert.match(
      run.violations[0].message,
      /^Bucket "obs-prod-mimir-blocks" has no BucketPolicy: clients may read and write metrics and logs over plain HTTP/,
    );
  });

  it("rejects a policy whose deny does not cover the objects", async () => {
    const policy = JSON.parse(
      JSON.parse(JSON.stringify(compliantStack().find((r) => r.name === "mimirBlocks-policy")!.props.policy)),
    );
    policy.Statement[0].Resource = ["arn:aws:s3:::obs-prod-mimir-blocks"];
    const run = await runStackPolicy(
      s3BucketTlsOnly,
      mutate(compliantStack(), "mimirBlocks-policy", ["policy"], JSON.stringify(policy)),
    );
    assert.match(run.violations[0].message, /no bucket policy statement denying aws:SecureTransport=false/);
  });

  it("waits for a policy document unknown during preview", async () => {
    const run = await runStackPolicy(
      s3BucketTlsOnly,
      mutate(compliantStack(), "mimirBlocks-policy", ["policy"], UNKNOWN),
    );
    assert.deepEqual(run.violations, []);
    assert.match(run.previewAdvisory ?? "", /\.policy can't be known during preview/);
  });

  it("names a malformed policy document", async () => {
    const run = await runStackPolicy(
      s3BucketTlsOnly,
      mutate(compliantStack(), "mimirBlocks-policy", ["policy"], "{not json"),
    );
    assert.match(run.violations[0].message, /BucketPolicy "mimirBlocks-policy" policy is not valid JSON/);
  });
});
