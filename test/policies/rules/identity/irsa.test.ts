import { strict as assert } from "assert";
import { storageBucketsGrantedToWorkload } from "../../../../policies/rules/identity/storage-buckets-granted-to-workload";
import { storageRegionMatchesBuckets } from "../../../../policies/rules/identity/storage-region-matches-buckets";
import { workloadIdentityMatchesRole } from "../../../../policies/rules/identity/workload-identity-matches-role";
import { BUCKETS, compliantStack, mutate, mutateValues } from "../../support/fixture";
import { ResourceRecord, runStackPolicy, UNKNOWN } from "../../support/harness";

const ACCOUNT = "111122223333";
const ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/obs`;
const ROLE_ARN = {
  mimir: `arn:aws:iam::${ACCOUNT}:role/obs-prod-mimir`,
  loki: `arn:aws:iam::${ACCOUNT}:role/obs-prod-loki`,
};

function trustPolicy(sub: string, operator = "StringEquals", aud = "sts.amazonaws.com"): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AssumeFromServiceAccount",
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition:
          operator === "StringEquals"
            ? { StringEquals: { [`${ISSUER}:sub`]: sub, [`${ISSUER}:aud`]: aud } }
            : { [operator]: { [`${ISSUER}:sub`]: sub }, StringEquals: { [`${ISSUER}:aud`]: aud } },
      },
    ],
  });
}

/** The program's role policy (components/identity/policies.ts bucketAccessPolicy). */
function accessPolicy(buckets: string[], objectActions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]): string {
  const arns = buckets.map((b) => `arn:aws:s3:::${b}`);
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "ListOwnBuckets", Effect: "Allow", Action: ["s3:ListBucket"], Resource: arns },
      { Sid: "ReadWriteOwnObjects", Effect: "Allow", Action: objectActions, Resource: arns.map((a) => `${a}/*`) },
      {
        Sid: "UseOwnBucketKeyThroughS3",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: [KEY],
        Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
      },
    ],
  });
}

const OWN_BUCKETS = {
  mimir: [BUCKETS.mimirBlocks, BUCKETS.mimirRuler, BUCKETS.mimirAlertmanager],
  loki: [BUCKETS.lokiChunks, BUCKETS.lokiRuler],
};

/** The compliant fixture with the IRSA roles the program creates (components/identity): trust and storage policy per workload. */
function withIrsa(records = compliantStack()): ResourceRecord[] {
  const irsa = (workload: "mimir" | "loki"): ResourceRecord[] => [
    {
      type: "aws:iam/role:Role",
      name: `irsa-${workload}`,
      props: {
        name: `obs-prod-${workload}`,
        arn: ROLE_ARN[workload],
        assumeRolePolicy: trustPolicy(`system:serviceaccount:${workload}:${workload}`),
      },
    },
    {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: `irsa-${workload}-storage`,
      props: { role: `obs-prod-${workload}`, policy: accessPolicy(OWN_BUCKETS[workload]) },
      dependencies: [`irsa-${workload}`],
      propertyDependencies: { role: [`irsa-${workload}`] },
    },
  ];
  return [...records, ...irsa("mimir"), ...irsa("loki")];
}

describe("policy workload-identity-matches-role (I1)", () => {
  it("passes the compliant fixture, with and without the IRSA roles in the stack", async () => {
    for (const records of [compliantStack(), withIrsa()]) {
      assert.deepEqual(await runStackPolicy(workloadIdentityMatchesRole, records), {
        violations: [],
        advisories: [],
        previewAdvisory: undefined,
      });
    }
  });

  it("rejects a Mimir service account the role does not trust (overrides.mimir serviceAccount.name mimir-sa)", async () => {
    const run = await runStackPolicy(
      workloadIdentityMatchesRole,
      mutateValues(withIrsa(), "mimir", "serviceAccount.name", "mimir-sa"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^mimir-distributed release "mimir": the pods of every Mimir component run as service account "mimir\/mimir-sa" \(mimir-distributed release "mimir" values\.serviceAccount\.name=mimir-sa\), but Role "obs-prod-mimir" named by .* trusts system:serviceaccount:mimir:mimir: sts:AssumeRoleWithWebIdentity is refused with AccessDenied, so every S3 call to obs-prod-mimir-blocks, .* fails: ingesters cannot upload blocks/,
    );
  });

  it("rejects a Loki service account the role does not trust (overrides.loki serviceAccount.name loki-workload)", async () => {
    const run = await runStackPolicy(
      workloadIdentityMatchesRole,
      mutateValues(withIrsa(), "loki", "serviceAccount.name", "loki-workload"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /service account "loki\/loki-workload".*trusts system:serviceaccount:loki:loki/,
    );
  });

  it("accepts the trusted name set explicitly, and applies the chart's fullname when it is absent", async () => {
    const explicit = mutateValues(withIrsa(), "mimir", "serviceAccount.name", "mimir");
    assert.deepEqual((await runStackPolicy(workloadIdentityMatchesRole, explicit)).violations, []);
    const renamed = mutateValues(withIrsa(), "mimir", "fullnameOverride", "metrics");
    const run = await runStackPolicy(workloadIdentityMatchesRole, renamed);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /"mimir\/metrics" \(mimir-distributed release "mimir" chart default serviceAccount\.name=metrics \(the chart's fullname, from mimir-distributed release "mimir" values\.fullnameOverride\)\)/,
    );
    const release = mutate(withIrsa(), "mimir", ["name"], "metrics");
    assert.match(
      (await runStackPolicy(workloadIdentityMatchesRole, release)).violations[0].message,
      /"mimir\/metrics-mimir" \(mimir-distributed release "metrics" chart default serviceAccount\.name/,
    );
  });

  it("rejects an annotation naming a role outside the stack (the legacy role)", async () => {
    const run = await runStackPolicy(
      workloadIdentityMatchesRole,
      mutateValues(withIrsa(), "mimir", "serviceAccount.annotations", {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/mimir-storage-legacy",
      }),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.serviceAccount\.annotations\["eks\.amazonaws\.com\/role-arn"\]=arn:aws:iam::123456789012:role\/mimir-storage-legacy names no IAM role of this stack/,
    );
  });

  it("rejects a service account without the role annotation (overrides.loki annotation null)", async () => {
    const run = await runStackPolicy(
      workloadIdentityMatchesRole,
      mutateValues(compliantStack(), "loki", "serviceAccount.annotations", { "eks.amazonaws.com/role-arn": null }),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /service account "loki\/loki" .* has no eks\.amazonaws\.com\/role-arn annotation .* the EKS pod identity webhook mounts no web-identity token/,
    );
  });

  it("accepts a Loki without the annotation when it stores nowhere on S3", async () => {
    let records = mutateValues(compliantStack(), "loki", "serviceAccount.annotations", {});
    records = mutateValues(records, "loki", "loki.storage.type", "filesystem");
    assert.deepEqual((await runStackPolicy(workloadIdentityMatchesRole, records)).violations, []);
  });

  it("follows the ruler's own service account and Loki's per-component accounts", async () => {
    const ruler = mutateValues(withIrsa(), "mimir", "ruler.serviceAccount", { create: true });
    const run = await runStackPolicy(workloadIdentityMatchesRole, ruler);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /the pods of the ruler run as service account "mimir\/mimir-ruler".*has no eks\.amazonaws\.com\/role-arn/,
    );
    const ingester = mutateValues(withIrsa(), "loki", "ingester.serviceAccount", {
      create: true,
      annotations: { "eks.amazonaws.com/role-arn": ROLE_ARN.loki },
    });
    assert.match(
      (await runStackPolicy(workloadIdentityMatchesRole, ingester)).violations[0].message,
      /the pods of the ingester run as service account "loki\/loki-ingester".*trusts system:serviceaccount:loki:loki/,
    );
  });

  it("rejects a trust policy that admits the account only through a wildcard, or for another audience", async () => {
    const wildcard = mutate(
      withIrsa(),
      "irsa-mimir",
      ["assumeRolePolicy"],
      trustPolicy("system:serviceaccount:mimir:*", "StringLike"),
    );
    const run = await runStackPolicy(workloadIdentityMatchesRole, wildcard);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /admits system:serviceaccount:mimir:mimir only broadly: .*pattern system:serviceaccount:mimir:\*/,
    );
    const aud = mutate(
      withIrsa(),
      "irsa-loki",
      ["assumeRolePolicy"],
      trustPolicy("system:serviceaccount:loki:loki", "StringEquals", "sts.example.com"),
    );
    assert.match(
      (await runStackPolicy(workloadIdentityMatchesRole, aud)).violations[0].message,
      /its :aud condition admits sts\.example\.com and does not admit sts\.amazonaws\.com/,
    );
  });

  it("rejects a token audience (eks.amazonaws.com/audience) the role's :aud condition does not admit, and accepts matching ones", async () => {
    const audience = (value: unknown, records = withIrsa()) =>
      mutate(records, "mimir", ["values", "serviceAccount", "annotations", "eks.amazonaws.com/audience"], value);
    const run = await runStackPolicy(workloadIdentityMatchesRole, audience("mimir"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /service account "mimir\/mimir".*eks\.amazonaws\.com\/audience"\]=mimir makes the EKS pod identity webhook project a token for audience "mimir", but Role "obs-prod-mimir".*admits sts\.amazonaws\.com and does not admit mimir.*refused.*Fix: remove the eks\.amazonaws\.com\/audience annotation/,
    );
    // Benign: the default audience spelled out, and a role whose :aud admits the annotation's audience.
    assert.deepEqual((await runStackPolicy(workloadIdentityMatchesRole, audience("sts.amazonaws.com"))).violations, []);
    const admitted = mutate(
      audience("mimir"),
      "irsa-mimir",
      ["assumeRolePolicy"],
      trustPolicy("system:serviceaccount:mimir:mimir", "StringEquals", "mimir"),
    );
    assert.deepEqual((await runStackPolicy(workloadIdentityMatchesRole, admitted)).violations, []);
    // A role trusting "mimir" while the account keeps the default audience fails the other way.
    const mismatch = mutate(
      withIrsa(),
      "irsa-mimir",
      ["assumeRolePolicy"],
      trustPolicy("system:serviceaccount:mimir:mimir", "StringEquals", "mimir"),
    );
    assert.match(
      (await runStackPolicy(workloadIdentityMatchesRole, mismatch)).violations[0].message,
      /admits mimir and does not admit sts\.amazonaws\.com, the audience of the token EKS mounts \(the webhook's default audience\)/,
    );
  });

  it("rejects a role trusting another cluster's issuer", async () => {
    const records = mutate(
      withIrsa(),
      "eks-cluster",
      ["identities"],
      [{ oidcs: [{ issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/OTHER" }] }],
    );
    const run = await runStackPolicy(workloadIdentityMatchesRole, records);
    assert.equal(run.violations.length, 2);
    assert.match(
      run.violations[0].message,
      /this stack's EKS cluster issues tokens as oidc\.eks\.us-east-1\.amazonaws\.com\/id\/OTHER/,
    );
  });

  it("waits for a role ARN unknown during preview", async () => {
    const run = await runStackPolicy(
      workloadIdentityMatchesRole,
      mutateValues(withIrsa(), "mimir", "serviceAccount.annotations", { "eks.amazonaws.com/role-arn": UNKNOWN }),
    );
    assert.deepEqual(run.violations, []);
    assert.ok(run.previewAdvisory);
  });
});

describe("policy storage-buckets-granted-to-workload (I2)", () => {
  it("passes the compliant fixture, with and without the IRSA roles in the stack", async () => {
    for (const records of [compliantStack(), withIrsa()]) {
      assert.deepEqual(await runStackPolicy(storageBucketsGrantedToWorkload, records), {
        violations: [],
        advisories: [],
        previewAdvisory: undefined,
      });
    }
  });

  it("rejects a Mimir bucket that is not the stack's (overrides.mimir blocks_storage bucket acme-mimir-blocks-shared)", async () => {
    const run = await runStackPolicy(
      storageBucketsGrantedToWorkload,
      mutateValues(
        withIrsa(),
        "mimir",
        "mimir.structuredConfig.blocks_storage.s3.bucket_name",
        "acme-mimir-blocks-shared",
      ),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^mimir-distributed release "mimir" values\.mimir\.structuredConfig\.blocks_storage\.s3\.bucket_name=acme-mimir-blocks-shared \(Mimir's blocks_storage\) is not a bucket of this stack: .*AccessDenied .*Fix: use the stack's Mimir bucket \(obs-prod-mimir-alertmanager, obs-prod-mimir-blocks, obs-prod-mimir-ruler\)/,
    );
  });

  it("rejects a Loki chunks bucket that is not the stack's (overrides.loki bucketNames.chunks acme-loki-chunks-shared)", async () => {
    const run = await runStackPolicy(
      storageBucketsGrantedToWorkload,
      mutateValues(withIrsa(), "loki", "loki.storage.bucketNames.chunks", "acme-loki-chunks-shared"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.loki\.storage\.bucketNames\.chunks=acme-loki-chunks-shared \(Loki's chunks \(common\.storage\.s3\)\) is not a bucket of this stack/,
    );
  });

  it("rejects Mimir's ruler storage on Loki's ruler bucket", async () => {
    const run = await runStackPolicy(
      storageBucketsGrantedToWorkload,
      mutateValues(withIrsa(), "mimir", "mimir.structuredConfig.ruler_storage.s3.bucket_name", BUCKETS.lokiRuler),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /ruler_storage\.s3\.bucket_name=obs-prod-loki-ruler \(Mimir's ruler_storage\) is Bucket "obs-prod-loki-ruler" of Loki \(tag observability\/bucket-role=lokiRuler\)/,
    );
  });

  it("rejects a role policy that does not allow writing the bucket, or using its key", async () => {
    const noPut = mutate(
      withIrsa(),
      "irsa-loki-storage",
      ["policy"],
      accessPolicy(OWN_BUCKETS.loki, ["s3:GetObject", "s3:DeleteObject"]),
    );
    const run = await runStackPolicy(storageBucketsGrantedToWorkload, noPut);
    assert.equal(run.violations.length, 2);
    assert.match(
      run.violations[0].message,
      /is written by the pods of every Loki component as Role "obs-prod-loki" .* do not allow s3:PutObject on arn:aws:s3:::obs-prod-loki-chunks\/\*/,
    );
    const onlyMimirKey = JSON.parse(accessPolicy(OWN_BUCKETS.mimir));
    onlyMimirKey.Statement[2].Resource = ["arn:aws:kms:us-east-1:111122223333:key/other"];
    const noKey = mutate(withIrsa(), "irsa-mimir-storage", ["policy"], JSON.stringify(onlyMimirKey));
    assert.match(
      (await runStackPolicy(storageBucketsGrantedToWorkload, noKey)).violations[0].message,
      /do not allow kms:GenerateDataKey on arn:aws:kms:us-east-1:111122223333:key\/obs, kms:Decrypt on .* \(the bucket's SSE-KMS key/,
    );
  });

  it("accepts the bucket through common.storage, and wildcard grants", async () => {
    let records = mutateValues(withIrsa(), "mimir", "mimir.structuredConfig.blocks_storage.s3", undefined);
    records = mutateValues(
      records,
      "mimir",
      "mimir.structuredConfig.common.storage.s3.bucket_name",
      BUCKETS.mimirBlocks,
    );
    records = mutate(
      records,
      "irsa-mimir-storage",
      ["policy"],
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["s3:*", "kms:*"], Resource: "*" }],
      }),
    );
    assert.deepEqual(await runStackPolicy(storageBucketsGrantedToWorkload, records), {
      violations: [],
      advisories: [],
      previewAdvisory: undefined,
    });
  });

  it("says it cannot verify a grant held by a managed policy outside the stack", async () => {
    let records = mutate(
      withIrsa(),
      "irsa-mimir-storage",
      ["policy"],
      accessPolicy(OWN_BUCKETS.mimir, ["s3:GetObject"]),
    );
    records.push({
      type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      name: "irsa-mimir-s3",
      props: { role: "obs-prod-mimir", policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" },
    });
    records = structuredClone(records);
    const run = await runStackPolicy(storageBucketsGrantedToWorkload, records);
    assert.deepEqual(run.violations, []);
    assert.match(
      run.advisories[0].message,
      /arn:aws:iam::aws:policy\/AmazonS3FullAccess are not in this stack, so the grant cannot be verified/,
    );
  });

  it("waits for a bucket name unknown during preview", async () => {
    const run = await runStackPolicy(
      storageBucketsGrantedToWorkload,
      mutateValues(withIrsa(), "loki", "loki.storage.bucketNames.ruler", UNKNOWN),
    );
    assert.deepEqual(run.violations, []);
    assert.ok(run.previewAdvisory);
  });
});

describe("policy storage-region-matches-buckets (I3)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual(await runStackPolicy(storageRegionMatchesBuckets, withIrsa()), {
      violations: [],
      advisories: [],
      previewAdvisory: undefined,
    });
  });

  it("rejects Mimir's common region and endpoint of another region", async () => {
    const run = await runStackPolicy(
      storageRegionMatchesBuckets,
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.common.storage.s3", {
        region: "eu-west-1",
        endpoint: "s3.eu-west-1.amazonaws.com",
      }),
    );
    assert.equal(run.violations.length, 3); // blocks, ruler and alertmanager storage
    assert.match(
      run.violations[0].message,
      /^mimir-distributed release "mimir" blocks_storage \(bucket obs-prod-mimir-blocks\): Bucket "obs-prod-mimir-blocks" is in us-east-1 \(the region of its SSE-KMS key .*\), but .*common\.storage\.s3\.endpoint=s3\.eu-west-1\.amazonaws\.com is the S3 endpoint of eu-west-1 \(every request is answered 301 PermanentRedirect\); .*common\.storage\.s3\.region=eu-west-1 signs every request for eu-west-1 \(answered 400 AuthorizationHeaderMalformed/,
    );
  });

  it("rejects Loki's region of another region (overrides.loki loki.storage.s3.region)", async () => {
    const run = await runStackPolicy(
      storageRegionMatchesBuckets,
      mutateValues(compliantStack(), "loki", "loki.storage.s3.region", "eu-west-1"),
    );
    assert.equal(run.violations.length, 2); // chunks and ruler
    assert.match(
      run.violations[0].message,
      /chunks \(common\.storage\.s3\) \(bucket obs-prod-loki-chunks\).*values\.loki\.storage\.s3\.region=eu-west-1 signs every request/,
    );
  });

  it("reads the bucket's own region first, and a per-section setting over common", async () => {
    const records = mutate(compliantStack(), "mimirBlocks-bucket", ["region"], "eu-west-1");
    const run = await runStackPolicy(storageRegionMatchesBuckets, records);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /Bucket "obs-prod-mimir-blocks" is in eu-west-1 \(.*region\)/);
    const section = mutateValues(
      compliantStack(),
      "mimir",
      "mimir.structuredConfig.blocks_storage.s3.region",
      "eu-west-1",
    );
    const sectionRun = await runStackPolicy(storageRegionMatchesBuckets, section);
    assert.equal(sectionRun.violations.length, 1);
    assert.match(sectionRun.violations[0].message, /blocks_storage\.s3\.region=eu-west-1/);
  });

  it("accepts a dual-stack endpoint of the bucket's region, and MinIO-style endpoints outside AWS", async () => {
    const dualstack = mutateValues(
      compliantStack(),
      "mimir",
      "mimir.structuredConfig.common.storage.s3.endpoint",
      "s3.dualstack.us-east-1.amazonaws.com",
    );
    assert.deepEqual((await runStackPolicy(storageRegionMatchesBuckets, dualstack)).violations, []);
    const minio = mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.common.storage.s3", {
      endpoint: "minio.storage.svc:9000",
      region: "eu-west-1",
    });
    assert.deepEqual((await runStackPolicy(storageRegionMatchesBuckets, minio)).violations, []);
  });

  it("rejects an SSE-KMS key that is not the bucket's own", async () => {
    const run = await runStackPolicy(
      storageRegionMatchesBuckets,
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.common.storage.s3.sse", {
        type: "SSE-KMS",
        kms_key_id: "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000",
      }),
    );
    assert.equal(run.violations.length, 3);
    assert.match(
      run.violations[0].message,
      /common\.storage\.s3\.sse\.kms_key_id=arn:aws:kms:eu-west-1:123456789012:key\/00000000-0000-0000-0000-000000000000 asks S3 to encrypt with a key that is not Bucket "obs-prod-mimir-blocks"'s own .*every upload fails with AccessDenied.* It is not even in the bucket's region us-east-1/,
    );
  });

  it("accepts the bucket's key requested by ARN or by id, and a tenant override naming another key is rejected", async () => {
    for (const key of [KEY, "obs"]) {
      const records = mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.common.storage.s3.sse", {
        type: "SSE-KMS",
        kms_key_id: key,
      });
      assert.deepEqual((await runStackPolicy(storageRegionMatchesBuckets, records)).violations, []);
    }
    const tenant = mutateValues(compliantStack(), "mimir", "runtimeConfig.overrides", {
      team_a: { s3_sse_type: "SSE-KMS", s3_sse_kms_key_id: "alias/team-a" },
    });
    const run = await runStackPolicy(storageRegionMatchesBuckets, tenant);
    assert.equal(run.violations.length, 3);
    assert.match(
      run.violations[0].message,
      /runtimeConfig\.overrides\.team_a\.s3_sse_kms_key_id=alias\/team-a asks S3 to encrypt/,
    );
  });

  it("waits for a bucket region unknown during preview", async () => {
    let records = mutate(compliantStack(), "mimirBlocks-bucket", ["region"], UNKNOWN);
    records = mutate(records, "mimirBlocks-encryption", ["rules"], UNKNOWN);
    const run = await runStackPolicy(storageRegionMatchesBuckets, records);
    assert.deepEqual(run.violations, []);
    assert.ok(run.previewAdvisory);
  });
});
