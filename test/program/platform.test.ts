import { strict as assert } from "assert";
import { isSecret } from "../../tools/harness/wire";
import { ProgramRun, runShippedStacks, ShippedStack, SHIPPED_STACKS, T } from "../support/program";

const EXPECTED_AZS: Record<string, number> = { dev: 2, staging: 3, prod: 3 };

describe("program: the AWS platform each shipped stack registers", function () {
  this.timeout(120_000);
  let runs: Record<ShippedStack, ProgramRun>;
  before(async () => {
    runs = await runShippedStacks();
  });

  for (const stack of SHIPPED_STACKS) {
    describe(stack, () => {
      it("evaluates without error", () =>
        assert.equal(runs[stack].captured.error, undefined, runs[stack].captured.error?.message));

      it("has one public and one private subnet per availability zone", () => {
        const subnets = runs[stack].ofType(T.subnet);
        const azs = [...new Set(subnets.map((s) => s.plain.availabilityZone))];
        assert.equal(azs.length, EXPECTED_AZS[stack]);
        for (const az of azs) {
          const inAz = subnets.filter((s) => s.plain.availabilityZone === az);
          assert.equal(
            inAz.filter((s) => s.plain.tags["kubernetes.io/role/elb"] === "1").length,
            1,
            `public subnet in ${az}`,
          );
          assert.equal(
            inAz.filter((s) => s.plain.tags["kubernetes.io/role/internal-elb"] === "1").length,
            1,
            `private subnet in ${az}`,
          );
        }
      });

      it("has one managed node group per availability zone, each in that zone's private subnet", () => {
        const run = runs[stack];
        const groups = run.ofType(T.nodeGroup);
        assert.equal(groups.length, EXPECTED_AZS[stack]);
        const privateSubnets = run
          .ofType(T.subnet)
          .filter((s) => s.plain.tags["kubernetes.io/role/internal-elb"] === "1");
        const zonesOfGroups = groups.map((g) => {
          assert.equal(g.plain.subnetIds.length, 1);
          const subnet = privateSubnets.find((s) => s.id === g.plain.subnetIds[0]);
          assert.ok(subnet, `${g.name} is not in a private subnet`);
          return subnet!.plain.availabilityZone;
        });
        assert.equal(new Set(zonesOfGroups).size, groups.length);
      });

      it("installs vpc-cni, coredns, kube-proxy, the EBS CSI driver (with its own role) and the pod identity agent", () => {
        const addons = runs[stack].ofType(T.addon);
        assert.deepEqual(addons.map((a) => a.plain.addonName).sort(), [
          "aws-ebs-csi-driver",
          "coredns",
          "eks-pod-identity-agent",
          "kube-proxy",
          "vpc-cni",
        ]);
        assert.match(
          addons.find((a) => a.plain.addonName === "aws-ebs-csi-driver")!.plain.serviceAccountRoleArn,
          /^arn:aws:iam::\d{12}:role\//,
        );
        const cni = addons.find((a) => a.plain.addonName === "vpc-cni")!;
        const natRoutes = runs[stack].ofType("aws:ec2/route:Route").filter((r) => r.plain.natGatewayId);
        for (const group of runs[stack].ofType(T.nodeGroup)) {
          assert.ok(group.dependencies.includes(cni.urn), `${group.name} before vpc-cni`);
          for (const route of natRoutes)
            assert.ok(
              group.dependencies.includes(route.urn),
              `${group.name} boots before ${route.name}: no image pulls`,
            );
        }
      });

      it("runs EKS with API authentication, control-plane logs, KMS-encrypted Secrets and the configured endpoint access", () => {
        const [cluster] = runs[stack].ofType("aws:eks/cluster:Cluster");
        assert.equal(cluster.plain.accessConfig.authenticationMode, "API");
        assert.ok(cluster.plain.enabledClusterLogTypes.includes("audit"));
        assert.deepEqual(cluster.plain.encryptionConfig.resources, ["secrets"]);
        if (stack === "dev") assert.deepEqual(cluster.plain.vpcConfig.publicAccessCidrs, ["0.0.0.0/0"]);
        else assert.equal(cluster.plain.vpcConfig.endpointPublicAccess, false);
        assert.ok(runs[stack].ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").length === 1);
        const sc = runs[stack].ofType("kubernetes:storage.k8s.io/v1:StorageClass")[0];
        assert.equal(sc.plain.metadata.annotations["storageclass.kubernetes.io/is-default-class"], "true");
        assert.equal(sc.plain.parameters.type, "gp3");
      });

      it("hardens every data bucket: public access blocked, owner enforced, KMS, TLS only, multipart uploads aborted, access logged", () => {
        const run = runs[stack];
        // The five data buckets, and the access-log bucket they log to (SSE-S3: log delivery refuses SSE-KMS).
        const buckets = run
          .ofType(T.bucket)
          .filter((b) => b.plain.tags["observability/bucket-purpose"] !== "s3-access-logs");
        assert.equal(buckets.length, 5);
        assert.equal(run.ofType(T.bucket).length, 6);
        for (const bucket of buckets) {
          const name = bucket.plain.bucket;
          const of = (type: string) => run.ofType(type).filter((r) => r.plain.bucket === name);
          const [pab] = of("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
          assert.deepEqual(
            [
              pab.plain.blockPublicAcls,
              pab.plain.blockPublicPolicy,
              pab.plain.ignorePublicAcls,
              pab.plain.restrictPublicBuckets,
            ],
            [true, true, true, true],
            name,
          );
          assert.equal(
            of("aws:s3/bucketOwnershipControls:BucketOwnershipControls")[0].plain.rule.objectOwnership,
            "BucketOwnerEnforced",
          );
          const sse = of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")[0]
            .plain.rules[0].applyServerSideEncryptionByDefault;
          assert.equal(sse.sseAlgorithm, "aws:kms");
          assert.match(sse.kmsMasterKeyId, /^arn:aws:kms:/);
          const policy = JSON.parse(of("aws:s3/bucketPolicy:BucketPolicy")[0].plain.policy);
          assert.ok(
            policy.Statement.some(
              (s: any) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false",
            ),
            `${name} not TLS-only`,
          );
          const rules = of("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0].plain.rules;
          assert.ok(rules.some((r: any) => r.abortIncompleteMultipartUpload?.daysAfterInitiation >= 1));
          for (const rule of rules.filter((r: any) => r.expiration?.days !== undefined)) {
            assert.ok(rule.filter?.prefix, `${name}: an expiration without a prefix would empty the bucket (R3)`);
          }
          assert.match(
            of("aws:s3/bucketLogging:BucketLogging")[0].plain.targetBucket,
            /-s3-access-logs-123456789012-/,
            name,
          );
        }
      });

      it("scopes each workload's IAM policy to exactly its own buckets and key, and its trust to its service account", () => {
        const run = runs[stack];
        const bucketsOf = (owner: string) =>
          run
            .ofType(T.bucket)
            .filter((b) => b.plain.tags["observability/owner"] === owner)
            .map((b) => b.plain.bucket)
            .sort();
        for (const workload of ["mimir", "loki"]) {
          const doc = JSON.parse(run.named(T.rolePolicy, `identity-${workload}-storage`).plain.policy);
          const s3Resources = doc.Statement.filter((s: any) =>
            s.Action.some((a: string) => a.startsWith("s3:")),
          ).flatMap((s: any) => s.Resource);
          const named = [
            ...new Set(s3Resources.map((arn: string) => arn.replace(/^arn:aws:s3:::/, "").replace(/\/\*$/, ""))),
          ].sort();
          assert.deepEqual(named, bucketsOf(workload), `${workload} reaches other buckets`);
          const kms = doc.Statement.filter((s: any) => s.Action.some((a: string) => a.startsWith("kms:"))).flatMap(
            (s: any) => s.Resource,
          );
          assert.equal(kms.length, 1);
          const trust = JSON.parse(run.named(T.role, `identity-${workload}`).plain.assumeRolePolicy);
          assert.ok(JSON.stringify(trust).includes(`system:serviceaccount:${workload}:${workload}`));
        }
      });

      it("exports the cluster name, a secret kubeconfig, bucket names and role ARNs", () => {
        const outputs = runs[stack].captured.outputs as Record<string, any>;
        for (const key of ["clusterName", "kubeconfig", "bucketNames", "roleArns"]) assert.ok(key in outputs, key);
        assert.ok(isSecret(outputs.kubeconfig), "kubeconfig is a secret");
      });
    });
  }
});
