import * as assert from "node:assert/strict";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import {
  MockOptions,
  RecordingMocks,
  captureRegistrations,
  createMocks,
  installMocks,
  revealSecrets,
  settleMocks,
  valueOf,
  zoneIdFor,
} from "../../tools/harness/mocks";

const OPTIONS: MockOptions = {
  region: "eu-west-1",
  accountId: "123456789012",
  project: "observability-stack",
  stack: "mocks",
};

function create(mocks: RecordingMocks, type: string, name: string, inputs: Record<string, unknown> = {}) {
  return mocks.newResource({ type, name, inputs, custom: true }) as { id: string; state: Record<string, any> };
}

describe("tools/harness/mocks", () => {
  describe("createMocks options", () => {
    it("rejects a region, account or stack that could not be real", () => {
      assert.throws(() => createMocks({ ...OPTIONS, region: "europe" }), /region "europe" is not an AWS region name/);
      assert.throws(() => createMocks({ ...OPTIONS, accountId: "1234" }), /accountId "1234" must be exactly 12 digits/);
      assert.throws(() => createMocks({ ...OPTIONS, stack: "" }), /project and stack must be non-empty/);
    });
  });

  describe("invokes", () => {
    const mocks = createMocks(OPTIONS);

    it("lists three zones of the region with matching zone ids, honouring excludeNames", () => {
      const azs = mocks.call({ token: "aws:index/getAvailabilityZones:getAvailabilityZones", inputs: {} });
      assert.deepEqual(azs.names, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
      assert.deepEqual(azs.zoneIds, ["euw1-az1", "euw1-az2", "euw1-az3"]);
      const fewer = mocks.call({
        token: "aws:index/getAvailabilityZones:getAvailabilityZones",
        inputs: { excludeNames: ["eu-west-1b"] },
      });
      assert.deepEqual(fewer.names, ["eu-west-1a", "eu-west-1c"]);
    });

    it("answers caller identity, partition and region for the configured account and region", () => {
      assert.equal(
        mocks.call({ token: "aws:index/getCallerIdentity:getCallerIdentity", inputs: {} }).accountId,
        "123456789012",
      );
      assert.deepEqual(
        { ...mocks.call({ token: "aws:index/getPartition:getPartition", inputs: {} }) },
        { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" },
      );
      const region = mocks.call({ token: "aws:index/getRegion:getRegion", inputs: {} });
      assert.equal(region.name, "eu-west-1");
      assert.equal(region.region, "eu-west-1");
      const china = createMocks({ ...OPTIONS, region: "cn-north-1" }).call({
        token: "aws:index/getPartition:getPartition",
        inputs: {},
      });
      assert.equal(china.partition, "aws-cn");
    });

    it("throws on any other invoke, naming it and the handled ones", () => {
      assert.throws(
        () => mocks.call({ token: "aws:ec2/getVpc:getVpc", inputs: { default: true } }),
        /unmocked invoke "aws:ec2\/getVpc:getVpc".*answers only: aws:index\/getAvailabilityZones/,
      );
    });

    it("accepts extra handlers for invokes a program adds", () => {
      const extended = createMocks({
        ...OPTIONS,
        calls: { "aws:ec2/getVpc:getVpc": () => ({ id: "vpc-0123456789abcdef0" }) },
      });
      assert.equal(extended.call({ token: "aws:ec2/getVpc:getVpc", inputs: {} }).id, "vpc-0123456789abcdef0");
    });

    it("derives zone ids from the region code", () => {
      assert.equal(zoneIdFor("us-east-1", "us-east-1d"), "use1-az4");
      assert.equal(zoneIdFor("ap-southeast-2", "ap-southeast-2a"), "apse2-az1");
    });
  });

  describe("resource state", () => {
    const mocks = createMocks(OPTIONS);

    it("S3 bucket: id and name from the bucket input, ARN without region or account", () => {
      const { id, state } = create(mocks, "aws:s3/bucket:Bucket", "blocks", {
        bucket: "obs-mimir-blocks",
        tags: { a: "b" },
      });
      assert.equal(id, "obs-mimir-blocks");
      assert.equal(state.bucket, "obs-mimir-blocks");
      assert.equal(state.arn, "arn:aws:s3:::obs-mimir-blocks");
      assert.equal(state.bucketRegionalDomainName, "obs-mimir-blocks.s3.eu-west-1.amazonaws.com");
      assert.equal(state.region, "eu-west-1");
      assert.deepEqual(state.tags, { a: "b" });
    });

    it("S3 bucket without a name gets a lower-case auto-name", () => {
      const { state } = create(mocks, "aws:s3/bucket:Bucket", "MyBucket");
      assert.match(state.bucket, /^mybucket-[0-9a-f]{7}$/);
    });

    it("EKS cluster: endpoint and OIDC issuer share one id, CA data is a base64 PEM", () => {
      const { id, state } = create(mocks, "aws:eks/cluster:Cluster", "obs", {
        name: "obs-prod",
        vpcConfig: { subnetIds: ["subnet-1"] },
      });
      assert.equal(id, "obs-prod");
      assert.equal(state.arn, "arn:aws:eks:eu-west-1:123456789012:cluster/obs-prod");
      const endpoint = /^https:\/\/([0-9A-F]{32})\.gr7\.eu-west-1\.eks\.amazonaws\.com$/.exec(state.endpoint);
      assert.ok(endpoint, state.endpoint);
      assert.equal(state.identities[0].oidcs[0].issuer, `https://oidc.eks.eu-west-1.amazonaws.com/id/${endpoint[1]}`);
      assert.match(
        Buffer.from(state.certificateAuthority.data, "base64").toString(),
        /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/,
      );
      assert.deepEqual(state.vpcConfig.subnetIds, ["subnet-1"]);
      assert.match(state.vpcConfig.clusterSecurityGroupId, /^sg-[0-9a-f]{17}$/);
      assert.deepEqual(state.upgradePolicy, { supportType: "EXTENDED" }, "EKS's default when the program sets none");
    });

    it("EKS node group and add-on: ARNs under the cluster, ids cluster:name", () => {
      const group = create(mocks, "aws:eks/nodeGroup:NodeGroup", "zone-0", { clusterName: "obs-prod" });
      assert.match(group.state.nodeGroupName, /^zone-0-[0-9a-f]{7}$/);
      assert.equal(group.id, `obs-prod:${group.state.nodeGroupName}`);
      assert.match(
        group.state.arn,
        new RegExp(
          `^arn:aws:eks:eu-west-1:123456789012:nodegroup/obs-prod/${group.state.nodeGroupName}/[0-9a-f-]{36}$`,
        ),
      );
      assert.equal(group.state.diskSize, 20);
      const addon = create(mocks, "aws:eks/addon:Addon", "cni", { clusterName: "obs-prod", addonName: "vpc-cni" });
      assert.equal(addon.id, "obs-prod:vpc-cni");
      assert.match(addon.state.arn, /^arn:aws:eks:eu-west-1:123456789012:addon\/obs-prod\/vpc-cni\//);
    });

    it("IAM role: auto-name, global ARN with path, no region", () => {
      const { id, state } = create(mocks, "aws:iam/role:Role", "mimir", { path: "/observability/" });
      assert.match(state.name, /^mimir-[0-9a-f]{7}$/);
      assert.equal(id, state.name);
      assert.equal(state.arn, `arn:aws:iam::123456789012:role/observability/${state.name}`);
      assert.equal(state.region, undefined);
    });

    it("IAM OIDC provider: ARN built from the issuer host", () => {
      const { state } = create(mocks, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "oidc", {
        url: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
      });
      assert.equal(state.arn, "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC");
    });

    it("KMS key and alias: key id is a UUID inside the ARN, alias resolves its target", () => {
      const key = create(mocks, "aws:kms/key:Key", "k", { enableKeyRotation: true });
      assert.match(key.state.keyId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(key.state.arn, `arn:aws:kms:eu-west-1:123456789012:key/${key.state.keyId}`);
      assert.equal(key.state.rotationPeriodInDays, 365);
      const alias = create(mocks, "aws:kms/alias:Alias", "k", {
        namePrefix: "alias/obs-",
        targetKeyId: key.state.keyId,
      });
      assert.match(alias.state.name, /^alias\/obs-\d{26}$/);
      assert.equal(alias.state.targetKeyArn, key.state.arn);
    });

    it("EC2: ids with the resource prefix, subnet zone id from its zone", () => {
      assert.match(create(mocks, "aws:ec2/vpc:Vpc", "v", { cidrBlock: "10.0.0.0/16" }).id, /^vpc-[0-9a-f]{17}$/);
      const subnet = create(mocks, "aws:ec2/subnet:Subnet", "s", { availabilityZone: "eu-west-1c" });
      assert.match(subnet.id, /^subnet-[0-9a-f]{17}$/);
      assert.equal(subnet.state.availabilityZoneId, "euw1-az3");
      assert.equal(subnet.state.arn, `arn:aws:ec2:eu-west-1:123456789012:subnet/${subnet.id}`);
      const eip = create(mocks, "aws:ec2/eip:Eip", "e", { domain: "vpc" });
      assert.equal(eip.state.allocationId, eip.id);
      assert.match(eip.state.publicIp, /^3\.\d+\.\d+\.\d+$/);
    });

    it("random password: the requested length and character classes", () => {
      const { state } = create(mocks, "random:index/randomPassword:RandomPassword", "p", {
        length: 24,
        special: false,
        minNumeric: 3,
      });
      assert.equal(state.result.length, 24);
      assert.match(state.result, /^[A-Za-z0-9]+$/);
      assert.ok((state.result.match(/\d/g) ?? []).length >= 3);
    });

    it("helm release: deployed status with the chart and version", () => {
      const { state } = create(mocks, "kubernetes:helm.sh/v3:Release", "loki", {
        chart: "loki",
        version: "6.0.0",
        namespace: "loki",
      });
      assert.equal(state.status.status, "deployed");
      assert.equal(state.status.chart, "loki");
      assert.equal(state.status.namespace, "loki");
      assert.match(state.name, /^loki-[0-9a-f]{7}$/);
    });

    it("unknown types still get an id and their inputs echoed; components get no id", () => {
      const unknown = create(mocks, "aws:sqs/queue:Queue", "q", { delaySeconds: 5 });
      assert.match(unknown.id, /^q-[0-9a-f]{8}$/);
      assert.equal(unknown.state.delaySeconds, 5);
      const component = mocks.newResource({ type: "observability:x:Y", name: "c", inputs: {}, custom: false });
      assert.equal(component.id, undefined);
    });

    it("is deterministic across mocks and distinct across resources", () => {
      const again = createMocks(OPTIONS);
      const first = create(mocks, "aws:ec2/vpc:Vpc", "same");
      assert.equal(create(again, "aws:ec2/vpc:Vpc", "same").id, first.id);
      assert.notEqual(create(again, "aws:ec2/vpc:Vpc", "other").id, first.id);
      assert.notEqual(
        create(again, "aws:ec2/vpc:Vpc", "same").id,
        first.id,
        "a second resource with the same name gets its own id",
      );
    });

    it("records every resource and finds it by type and name, failing with what exists", () => {
      const recorder = createMocks(OPTIONS);
      create(recorder, "aws:ec2/vpc:Vpc", "main");
      assert.equal(recorder.findCreated("aws:ec2/vpc:Vpc", "main").type, "aws:ec2/vpc:Vpc");
      assert.throws(
        () => recorder.findCreated("aws:ec2/vpc:Vpc", "missing"),
        /no aws:ec2\/vpc:Vpc named "missing".*\[main\]/,
      );
    });
  });

  it("revealSecrets unwraps nested secrets and reports their paths", () => {
    const sig = "4dabf18193072939515e22adb298388d";
    const secret = (value: unknown) => ({ [sig]: "1b47061264138c4ac30d75fd1eb44270", value });
    const { value, secretPaths } = revealSecrets({ a: secret("x"), b: { c: [1, secret(2)] }, d: 3 });
    assert.deepEqual(value, { a: "x", b: { c: [1, 2] }, d: 3 });
    assert.deepEqual(secretPaths, ["a", "b.c[1]"]);
  });

  describe("through the real SDK", () => {
    let mocks: RecordingMocks;
    before(async () => {
      mocks = await installMocks(OPTIONS);
    });
    after(settleMocks);

    it("resolves the outputs programs read (EKS identities, S3 ARN, invoke results)", async () => {
      const aws = await import("@pulumi/aws");
      const cluster = new aws.eks.Cluster("sdk", {
        name: "sdk",
        roleArn: "arn:aws:iam::123456789012:role/x",
        vpcConfig: { subnetIds: [] },
      });
      const issuer = await valueOf(cluster.identities.apply((ids) => ids[0].oidcs[0].issuer));
      assert.match(issuer, /^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
      const bucket = new aws.s3.Bucket("sdk", { bucket: "sdk-bucket" });
      assert.equal(await valueOf(bucket.arn), "arn:aws:s3:::sdk-bucket");
      const zones = await valueOf(aws.getAvailabilityZonesOutput({}).names);
      assert.deepEqual(zones, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    });

    it("keeps a secret input secret in the state read back", async () => {
      const pulumi = await import("@pulumi/pulumi");
      await import("@pulumi/kubernetes");
      const aws = await import("@pulumi/aws");
      const role = new aws.iam.Role("sdk-secret", {
        assumeRolePolicy: "{}",
        description: pulumi.secret("confidential"),
      });
      assert.equal(await valueOf(role.description), "confidential");
      assert.equal(await pulumi.isSecret(role.description), true);
      assert.equal(await pulumi.isSecret(role.arn), false);
      const recorded = mocks.findCreated("aws:iam/role:Role", "sdk-secret");
      assert.deepEqual(recorded.secretPaths, ["description"]);
      assert.equal(recorded.inputs.description, "confidential");
    });

    it("makes an unmocked invoke fail the program", async () => {
      const aws = await import("@pulumi/aws");
      await assert.rejects(aws.ec2.getVpc({ default: true }), /unmocked invoke "aws:ec2\/getVpc:getVpc"/);
    });

    it("captureRegistrations sees dependencies and restores the monitor", async () => {
      const original = MockMonitor.prototype.registerResource;
      const log = captureRegistrations();
      try {
        const aws = await import("@pulumi/aws");
        const first = new aws.ec2.Vpc("dep-first", { cidrBlock: "10.0.0.0/16" });
        const second = new aws.ec2.Vpc("dep-second", { cidrBlock: "10.1.0.0/16" }, { dependsOn: [first] });
        await valueOf(second.id);
        const a = log.find("aws:ec2/vpc:Vpc", "dep-first");
        const b = log.find("aws:ec2/vpc:Vpc", "dep-second");
        assert.ok(log.dependsOn(b, a));
        assert.ok(!log.dependsOn(a, b));
        assert.equal(a.urn, await valueOf(first.urn));
      } finally {
        log.restore();
      }
      assert.equal(MockMonitor.prototype.registerResource, original);
    });
  });
});
