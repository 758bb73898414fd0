import * as assert from "node:assert/strict";
import {
  bucketAccessPolicy,
  bucketKeyPolicy,
  irsaTrustPolicy,
  issuerHostPath,
} from "../../../components/identity/policies";

const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("identity policy documents", () => {
  describe("irsaTrustPolicy", () => {
    const policy = irsaTrustPolicy({
      oidcProviderArn: PROVIDER,
      oidcIssuer: `https://${ISSUER}`,
      namespace: "mimir",
      serviceAccount: "mimir",
    });

    it("trusts only the cluster's OIDC provider through web identity", () => {
      assert.equal(policy.Statement.length, 1);
      const [statement] = policy.Statement;
      assert.equal(statement.Effect, "Allow");
      assert.deepEqual(statement.Principal, { Federated: PROVIDER });
      assert.equal(statement.Action, "sts:AssumeRoleWithWebIdentity");
    });

    it("pins the exact service account and the STS audience with StringEquals on the scheme-less issuer", () => {
      assert.deepEqual(policy.Statement[0].Condition, {
        StringEquals: {
          [`${ISSUER}:sub`]: "system:serviceaccount:mimir:mimir",
          [`${ISSUER}:aud`]: "sts.amazonaws.com",
        },
      });
    });

    it("accepts the issuer with or without https:// and produces the same document", () => {
      const bare = irsaTrustPolicy({
        oidcProviderArn: PROVIDER,
        oidcIssuer: ISSUER,
        namespace: "mimir",
        serviceAccount: "mimir",
      });
      assert.deepEqual(bare, policy);
    });

    it("rejects an OIDC provider of another issuer (the role could never be assumed)", () => {
      assert.throws(
        () =>
          irsaTrustPolicy({
            oidcProviderArn: PROVIDER.replace("0123456789ABCDEF0123456789ABCDEF", "FFFF"),
            oidcIssuer: ISSUER,
            namespace: "a",
            serviceAccount: "b",
          }),
        /belongs to issuer .*FFFF.*not to oidcIssuer/,
      );
      assert.throws(
        () =>
          irsaTrustPolicy({
            oidcProviderArn: "arn:aws:iam::123456789012:role/x",
            oidcIssuer: ISSUER,
            namespace: "a",
            serviceAccount: "b",
          }),
        /not an IAM OIDC provider ARN/,
      );
    });

    it("rejects names Kubernetes would not accept, naming the field", () => {
      assert.throws(
        () =>
          irsaTrustPolicy({
            oidcProviderArn: PROVIDER,
            oidcIssuer: ISSUER,
            namespace: "Mimir",
            serviceAccount: "mimir",
          }),
        /namespace "Mimir"/,
      );
      assert.throws(
        () =>
          irsaTrustPolicy({ oidcProviderArn: PROVIDER, oidcIssuer: ISSUER, namespace: "mimir", serviceAccount: "*" }),
        /serviceAccount "\*"/,
      );
    });

    it("rejects an issuer that is not a URL host/path", () => {
      assert.throws(() => issuerHostPath("https://"), /oidcIssuer "https:\/\/"/);
      assert.throws(() => issuerHostPath("http://oidc.example.com"), /not an OIDC issuer URL/);
    });
  });

  describe("bucketAccessPolicy", () => {
    const buckets = ["arn:aws:s3:::obs-mimir-blocks", "arn:aws:s3:::obs-mimir-ruler"];
    const policy = bucketAccessPolicy(buckets, KEY);
    const actionsOn = (resource: string) =>
      policy.Statement.filter((s) => ([] as string[]).concat(s.Resource ?? []).includes(resource)).flatMap((s) =>
        ([] as string[]).concat(s.Action),
      );

    it("allows listing exactly the given buckets and nothing else on them", () => {
      for (const arn of buckets) assert.deepEqual(actionsOn(arn), ["s3:ListBucket"]);
    });

    it("allows get/put/delete on the objects of exactly those buckets", () => {
      for (const arn of buckets)
        assert.deepEqual(actionsOn(`${arn}/*`).sort(), ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]);
    });

    it("allows the key operations SSE-KMS needs on its own key only, and only through S3 in the key's region", () => {
      assert.deepEqual(actionsOn(KEY).sort(), ["kms:Decrypt", "kms:GenerateDataKey"]);
      const statement = policy.Statement.find((s) => ([] as string[]).concat(s.Resource ?? []).includes(KEY))!;
      assert.deepEqual(statement.Condition, { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } });
    });

    it("grants nothing else: no wildcard resource or action, every statement an Allow on listed resources", () => {
      const allowed = new Set([...buckets, ...buckets.map((b) => `${b}/*`), KEY]);
      for (const statement of policy.Statement) {
        assert.equal(statement.Effect, "Allow");
        for (const resource of ([] as string[]).concat(statement.Resource ?? []))
          assert.ok(allowed.has(resource), resource);
        for (const action of ([] as string[]).concat(statement.Action)) assert.ok(!action.includes("*"), action);
      }
    });

    it("rejects empty, wildcard, duplicate bucket ARNs and a non-key KMS ARN", () => {
      assert.throws(() => bucketAccessPolicy([], KEY), /bucketArns is empty/);
      assert.throws(() => bucketAccessPolicy(["arn:aws:s3:::*"], KEY), /bucketArns contains "arn:aws:s3:::\*"/);
      assert.throws(() => bucketAccessPolicy(["arn:aws:s3:::obs-a/prefix"], KEY), /no wildcards or paths/);
      assert.throws(() => bucketAccessPolicy([buckets[0], buckets[0]], KEY), /lists a bucket twice/);
      assert.throws(
        () => bucketAccessPolicy(buckets, "arn:aws:kms:eu-west-1:123456789012:alias/obs"),
        /kmsKeyArn .* is not a KMS key ARN/,
      );
    });
  });
});

describe("bucketKeyPolicy", () => {
  const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const ROLE = "arn:aws:iam::123456789012:role/mimir-irsa";
  const policy = bucketKeyPolicy(KEY, [ROLE]);

  it("lets the account administer the key but not use it", () => {
    const admin = policy.Statement.find(
      (s) => JSON.stringify(s.Principal) === JSON.stringify({ AWS: "arn:aws:iam::123456789012:root" }),
    )!;
    const actions = ([] as string[]).concat(admin.Action);
    assert.ok(actions.includes("kms:Put*") && actions.includes("kms:ScheduleKeyDeletion"));
    // No use of the key, directly or by granting it to oneself (kms:CreateGrant, which kms:Create* would include).
    for (const forbidden of [/Decrypt/, /Encrypt/, /GenerateDataKey/, /^kms:\*$/, /^kms:Create\*$/, /Grant/]) {
      assert.ok(!actions.some((a) => forbidden.test(a)), `${forbidden}: ${actions.join(", ")}`);
    }
  });

  it("lets only the workload roles use it, through S3 in the key's region, from this account", () => {
    const use = policy.Statement.filter((s) =>
      ([] as string[]).concat(s.Action).some((a) => /Decrypt|GenerateDataKey/.test(a)),
    );
    assert.equal(use.length, 1);
    assert.deepEqual(use[0].Principal, { AWS: [ROLE] });
    assert.deepEqual(use[0].Condition, {
      StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com", "kms:CallerAccount": "123456789012" },
    });
  });
});
