import * as assert from "node:assert/strict";
import {
  RecordingMocks,
  RegistrationLog,
  captureRegistrations,
  installMocks,
  settleMocks,
  valueOf,
} from "../../../tools/harness/mocks";

const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER =
  "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const MIMIR_KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-1111-4111-a111-111111111111";
const LOKI_KEY = "arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-4222-a222-222222222222";
const MIMIR_BUCKETS = [
  "arn:aws:s3:::obs-mimir-blocks",
  "arn:aws:s3:::obs-mimir-ruler",
  "arn:aws:s3:::obs-mimir-alertmanager",
];
const LOKI_BUCKETS = ["arn:aws:s3:::obs-loki-chunks", "arn:aws:s3:::obs-loki-ruler"];

describe("Identity component", () => {
  let mocks: RecordingMocks;
  let registrations: RegistrationLog;
  let identityModule: typeof import("../../../components/identity");
  let roleArns: Record<string, string>;

  before(async () => {
    mocks = await installMocks({
      region: "eu-west-1",
      accountId: "123456789012",
      project: "observability-stack",
      stack: "identity",
    });
    registrations = captureRegistrations();
    identityModule = await import("../../../components/identity");
    const pulumi = await import("@pulumi/pulumi");
    const identity = new identityModule.Identity("obs", {
      // Outputs, as the lead passes them from Cluster and Buckets.
      oidcProviderArn: pulumi.output(PROVIDER),
      oidcIssuer: pulumi.output(ISSUER),
      workloads: [
        {
          key: "mimir",
          namespace: "mimir",
          serviceAccount: "mimir",
          bucketArns: MIMIR_BUCKETS.map((a) => pulumi.output(a)),
          kmsKeyArn: pulumi.output(MIMIR_KEY),
        },
        { key: "loki", namespace: "loki", serviceAccount: "loki", bucketArns: LOKI_BUCKETS, kmsKeyArn: LOKI_KEY },
      ],
      tags: { team: "observability" },
    });
    roleArns = {
      mimir: await valueOf(identity.roleArns.mimir),
      loki: await valueOf(identity.roleArns.loki),
    };
    await settleMocks();
  });

  after(async () => {
    await settleMocks();
    registrations.restore();
  });

  const trustOf = (key: string) =>
    JSON.parse(mocks.findCreated("aws:iam/role:Role", `obs-${key}`).inputs.assumeRolePolicy);
  const policyOf = (key: string) =>
    JSON.parse(mocks.findCreated("aws:iam/rolePolicy:RolePolicy", `obs-${key}-storage`).inputs.policy);

  it("exposes one role ARN per workload, the ARN of that workload's role", () => {
    assert.deepEqual(Object.keys(roleArns).sort(), ["loki", "mimir"]);
    for (const key of ["mimir", "loki"]) {
      const role = mocks.findCreated("aws:iam/role:Role", `obs-${key}`);
      assert.equal(roleArns[key], role.state.arn);
      assert.match(roleArns[key], /^arn:aws:iam::123456789012:role\/obs-/);
    }
  });

  it("scopes each workload's bucket key to that workload's role, through S3 only", () => {
    for (const [key, kmsKeyArn] of [
      ["mimir", MIMIR_KEY],
      ["loki", LOKI_KEY],
    ]) {
      const keyPolicy = mocks.findCreated("aws:kms/keyPolicy:KeyPolicy", `obs-${key}-key`);
      assert.equal(keyPolicy.inputs.keyId, kmsKeyArn);
      const users = JSON.parse(keyPolicy.inputs.policy).Statement.find(
        (s: { Sid: string }) => s.Sid === "WorkloadsUseItThroughS3",
      );
      assert.deepEqual(users.Principal, { AWS: [roleArns[key]] });
      assert.equal(users.Condition.StringEquals["kms:ViaService"], "s3.eu-west-1.amazonaws.com");
    }
  });

  it("scopes each trust policy to its own namespace and service account", () => {
    const issuer = ISSUER.replace("https://", "");
    for (const key of ["mimir", "loki"]) {
      const conditions = trustOf(key).Statement[0].Condition.StringEquals;
      assert.equal(conditions[`${issuer}:sub`], `system:serviceaccount:${key}:${key}`);
      assert.equal(conditions[`${issuer}:aud`], "sts.amazonaws.com");
      assert.equal(trustOf(key).Statement[0].Principal.Federated, PROVIDER);
    }
  });

  it("lets each workload reach only its own buckets and key", () => {
    const cases = { mimir: { buckets: MIMIR_BUCKETS, key: MIMIR_KEY }, loki: { buckets: LOKI_BUCKETS, key: LOKI_KEY } };
    for (const [workload, expected] of Object.entries(cases)) {
      const resources = policyOf(workload)
        .Statement.flatMap((s: { Resource: string[] }) => s.Resource)
        .sort();
      assert.deepEqual(resources, [...expected.buckets, ...expected.buckets.map((b) => `${b}/*`), expected.key].sort());
    }
  });

  it("attaches each storage policy to its own role", () => {
    for (const key of ["mimir", "loki"]) {
      const role = mocks.findCreated("aws:iam/role:Role", `obs-${key}`);
      assert.equal(
        mocks.findCreated("aws:iam/rolePolicy:RolePolicy", `obs-${key}-storage`).inputs.role,
        role.state.name,
      );
    }
  });

  it("tags roles with the given tags and the workload", () => {
    const tags = mocks.findCreated("aws:iam/role:Role", "obs-loki").inputs.tags;
    assert.equal(tags.team, "observability");
    assert.equal(tags["observability/workload"], "loki");
  });

  it("parents roles and policies to the component", () => {
    for (const type of ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"]) {
      for (const r of registrations.requests.filter((q) => q.type === type)) {
        assert.match(r.parent, /observability:identity:Identity::obs$/);
      }
    }
  });

  it("rejects two workloads with the same key", () => {
    const workload = {
      key: "loki" as const,
      namespace: "loki",
      serviceAccount: "loki",
      bucketArns: LOKI_BUCKETS,
      kmsKeyArn: LOKI_KEY,
    };
    assert.throws(
      () =>
        new identityModule.Identity("dup", {
          oidcProviderArn: PROVIDER,
          oidcIssuer: ISSUER,
          workloads: [workload, workload],
          tags: {},
        }),
      /workloads lists key "loki" twice/,
    );
  });

  it("rejects an invalid namespace before creating roles", () => {
    const before = mocks.findAllCreated("aws:iam/role:Role").length;
    assert.throws(
      () =>
        new identityModule.Identity("bad", {
          oidcProviderArn: PROVIDER,
          oidcIssuer: ISSUER,
          workloads: [
            {
              key: "loki",
              namespace: "Loki_NS",
              serviceAccount: "loki",
              bucketArns: LOKI_BUCKETS,
              kmsKeyArn: LOKI_KEY,
            },
          ],
          tags: {},
        }),
      /workloads\[loki\]\.namespace "Loki_NS"/,
    );
    assert.equal(mocks.findAllCreated("aws:iam/role:Role").length, before);
  });
});
