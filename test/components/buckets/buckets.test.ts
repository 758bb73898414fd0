import * as assert from "node:assert/strict";
import {
  CreatedResource,
  RecordingMocks,
  RegistrationLog,
  captureRegistrations,
  installMocks,
  settleMocks,
  valueOf,
} from "../../../tools/harness/mocks";
import type { BucketKey, BucketSpec } from "../../../components/buckets";

const SPECS: BucketSpec[] = [
  { key: "mimirBlocks", owner: "mimir", name: "obs-test-mimir-blocks" },
  { key: "mimirRuler", owner: "mimir", name: "obs-test-mimir-ruler" },
  { key: "mimirAlertmanager", owner: "mimir", name: "obs-test-mimir-alertmanager" },
  {
    key: "lokiChunks",
    owner: "loki",
    name: "obs-test-loki-chunks",
    expiration: { days: 33, prefixes: ["fake/", "tenant-b/"] },
  },
  { key: "lokiRuler", owner: "loki", name: "obs-test-loki-ruler" },
];

describe("Buckets component", () => {
  let mocks: RecordingMocks;
  let registrations: RegistrationLog;
  let bucketsModule: typeof import("../../../components/buckets");
  const names = {} as Record<BucketKey, string>;
  const arns = {} as Record<BucketKey, string>;
  let kmsKeyArns: { mimir: string; loki: string };

  before(async () => {
    mocks = await installMocks({
      region: "us-west-2",
      accountId: "210987654321",
      project: "observability-stack",
      stack: "buckets",
    });
    registrations = captureRegistrations();
    bucketsModule = await import("../../../components/buckets");
    const buckets = new bucketsModule.Buckets("obs", {
      buckets: SPECS,
      partition: "aws",
      accountId: "210987654321",
      protect: true,
      accessLogs: { name: "obs-s3-access-logs-210987654321-us-west-2", expirationDays: 365 },
      forceDestroy: false,
      tags: { team: "observability" },
    });
    for (const spec of SPECS) {
      names[spec.key] = buckets.names[spec.key];
      arns[spec.key] = buckets.arns[spec.key];
    }
    kmsKeyArns = { mimir: await valueOf(buckets.kmsKeyArns.mimir), loki: await valueOf(buckets.kmsKeyArns.loki) };
    await settleMocks();
  });

  after(async () => {
    await settleMocks();
    registrations.restore();
  });

  const attached = (type: string, bucketName: string): CreatedResource[] =>
    mocks.findAllCreated(type).filter((r) => r.inputs.bucket === bucketName);
  const one = (type: string, bucketName: string): CreatedResource => {
    const found = attached(type, bucketName);
    assert.equal(found.length, 1, `${type} for ${bucketName}: ${found.length}`);
    return found[0];
  };

  it("creates each bucket with its exact name, its role tag and the given tags", () => {
    for (const spec of SPECS) {
      const bucket = mocks.findCreated("aws:s3/bucket:Bucket", `obs-${spec.key}`);
      assert.equal(bucket.inputs.bucket, spec.name);
      assert.equal(bucket.inputs.tags["observability/bucket-role"], spec.key);
      assert.equal(bucket.inputs.tags.team, "observability");
      assert.equal(bucket.inputs.forceDestroy, false);
      assert.equal(names[spec.key], spec.name);
      assert.equal(arns[spec.key], `arn:aws:s3:::${spec.name}`);
    }
  });

  it("blocks every form of public access on every bucket", () => {
    for (const spec of SPECS) {
      const block = one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", spec.name);
      for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
        assert.equal(block.inputs[flag], true, `${spec.key} ${flag}`);
      }
    }
  });

  it("disables ACLs (bucket owner enforced) on every bucket", () => {
    for (const spec of SPECS) {
      assert.deepEqual(one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", spec.name).inputs.rule, {
        objectOwnership: "BucketOwnerEnforced",
      });
    }
  });

  it("encrypts every bucket with its owner's rotating KMS key and a bucket key", () => {
    const keys = mocks.findAllCreated("aws:kms/key:Key");
    assert.equal(keys.length, 2);
    for (const key of keys) assert.equal(key.inputs.enableKeyRotation, true);
    for (const spec of SPECS) {
      const [rule] = one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        spec.name,
      ).inputs.rules;
      assert.equal(rule.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
      assert.equal(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId, kmsKeyArns[spec.owner]);
      assert.equal(rule.bucketKeyEnabled, true);
    }
    assert.notEqual(kmsKeyArns.mimir, kmsKeyArns.loki);
    assert.match(kmsKeyArns.loki, /^arn:aws:kms:us-west-2:210987654321:key\//);
  });

  it("gives each key an alias", () => {
    const aliases = mocks.findAllCreated("aws:kms/alias:Alias");
    const keyIds = mocks
      .findAllCreated("aws:kms/key:Key")
      .map((k) => k.id)
      .sort();
    assert.deepEqual(aliases.map((a) => a.inputs.targetKeyId).sort(), keyIds);
    for (const alias of aliases) assert.match(alias.state.name, /^alias\/obs-(mimir|loki)-/);
  });

  it("attaches a TLS-only policy naming the bucket itself", () => {
    for (const spec of SPECS) {
      const policy = JSON.parse(one("aws:s3/bucketPolicy:BucketPolicy", spec.name).inputs.policy);
      assert.deepEqual(policy.Statement[0].Resource, [`arn:aws:s3:::${spec.name}`, `arn:aws:s3:::${spec.name}/*`]);
      assert.deepEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
    }
  });

  it("versions every bucket and expires noncurrent versions", () => {
    for (const spec of SPECS) {
      assert.equal(
        one("aws:s3/bucketVersioning:BucketVersioning", spec.name).inputs.versioningConfiguration.status,
        "Enabled",
      );
      const rules = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", spec.name).inputs.rules;
      assert.ok(
        rules.some(
          (r: any) => r.noncurrentVersionExpiration?.noncurrentDays === bucketsModule.DEFAULT_NONCURRENT_VERSION_DAYS,
        ),
      );
    }
  });

  it("aborts incomplete uploads on every bucket and expires objects only in the given prefixes", () => {
    for (const spec of SPECS) {
      const rules = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", spec.name).inputs.rules;
      assert.ok(
        rules.some((r: any) => r.abortIncompleteMultipartUpload?.daysAfterInitiation >= 1),
        spec.key,
      );
      const expiring = rules.filter((r: any) => r.expiration?.days !== undefined);
      const expected = spec.expiration?.prefixes ?? [];
      assert.deepEqual(
        expiring.map((r: any) => r.filter.prefix),
        expected,
        spec.key,
      );
      for (const rule of expiring) assert.equal(rule.expiration.days, spec.expiration!.days);
    }
  });

  it("names each bucket's settings by its known name and waits for the bucket through dependsOn", () => {
    const sub = [
      "bucketPublicAccessBlock:BucketPublicAccessBlock",
      "bucketOwnershipControls:BucketOwnershipControls",
      "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "bucketPolicy:BucketPolicy",
      "bucketVersioning:BucketVersioning",
      "bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "bucketLogging:BucketLogging",
    ];
    for (const spec of SPECS) {
      const bucket = registrations.find("aws:s3/bucket:Bucket", `obs-${spec.key}`);
      for (const type of sub) {
        const resource = registrations.find(`aws:s3/${type}`, `obs-${spec.key}`);
        assert.ok(registrations.dependsOn(resource, bucket), `${type} of ${spec.key}`);
        assert.equal(one(`aws:s3/${type}`, spec.name).inputs.bucket, spec.name);
      }
    }
  });

  it("logs every request on every data bucket to a private, TLS-only, SSE-S3 access-log bucket that expires its logs", () => {
    const logs = "obs-s3-access-logs-210987654321-us-west-2";
    for (const spec of SPECS) {
      const logging = one("aws:s3/bucketLogging:BucketLogging", spec.name);
      assert.equal(logging.inputs.targetBucket, logs);
      assert.equal(logging.inputs.targetPrefix, `${spec.name}/`);
    }
    assert.equal(mocks.findCreated("aws:s3/bucket:Bucket", "obs-access-logs").inputs.bucket, logs);
    const block = one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", logs).inputs;
    assert.ok(
      block.blockPublicAcls && block.blockPublicPolicy && block.ignorePublicAcls && block.restrictPublicBuckets,
    );
    // Server access logs are not delivered to SSE-KMS buckets.
    assert.equal(
      one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", logs).inputs
        .rules[0].applyServerSideEncryptionByDefault.sseAlgorithm,
      "AES256",
    );
    const policy = JSON.parse(one("aws:s3/bucketPolicy:BucketPolicy", logs).inputs.policy);
    assert.deepEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
    const delivery = policy.Statement.find((s: any) => s.Principal?.Service === "logging.s3.amazonaws.com");
    assert.equal(delivery.Resource, `arn:aws:s3:::${logs}/*`);
    assert.deepEqual(
      delivery.Condition.ArnLike["aws:SourceArn"],
      SPECS.map((s) => `arn:aws:s3:::${s.name}`),
    );
    assert.equal(delivery.Condition.StringEquals["aws:SourceAccount"], "210987654321");
    const rules = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", logs).inputs.rules;
    assert.equal(rules[0].expiration.days, 365);
  });

  it("orders S3 sub-resources that conflict: policy after public access block, lifecycle after versioning", () => {
    const policy = registrations.find("aws:s3/bucketPolicy:BucketPolicy", "obs-lokiChunks");
    const block = registrations.find("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "obs-lokiChunks");
    assert.ok(registrations.dependsOn(policy, block));
    const lifecycle = registrations.find(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "obs-lokiChunks",
    );
    const versioning = registrations.find("aws:s3/bucketVersioning:BucketVersioning", "obs-lokiChunks");
    assert.ok(registrations.dependsOn(lifecycle, versioning));
  });

  it("rejects an empty lifecycle prefix before creating any bucket", () => {
    const before = mocks.findAllCreated("aws:s3/bucket:Bucket").length;
    const bad = SPECS.map((s) => (s.key === "lokiChunks" ? { ...s, expiration: { days: 30, prefixes: [""] } } : s));
    assert.throws(
      () =>
        new bucketsModule.Buckets("bad", {
          buckets: bad,
          partition: "aws",
          accountId: "210987654321",
          protect: false,
          accessLogs: { name: "bad-logs", expirationDays: 1 },
          forceDestroy: true,
          tags: {},
        }),
      /buckets\[lokiChunks\]\.expiration\.prefixes contains an empty prefix/,
    );
    assert.equal(mocks.findAllCreated("aws:s3/bucket:Bucket").length, before);
  });
});
