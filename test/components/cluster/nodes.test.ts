import * as assert from "node:assert/strict";
import {
  amiTypeFor,
  isArmInstanceType,
  nodeGroupLabels,
  validateNodeGroupSpec,
} from "../../../components/cluster/nodes";
import { accessEntryResourceName, clusterEncryptionPolicy, serviceTrustPolicy } from "../../../components/cluster/iam";
import { ADDONS, addonsIn } from "../../../components/cluster/addons";

const spec = { instanceTypes: ["m6i.xlarge"], minSize: 1, maxSize: 3, desiredSize: 2 };

describe("cluster node and IAM helpers", () => {
  describe("validateNodeGroupSpec", () => {
    it("accepts min <= desired <= max, including all equal and min 0", () => {
      assert.doesNotThrow(() => validateNodeGroupSpec(spec));
      assert.doesNotThrow(() => validateNodeGroupSpec({ ...spec, minSize: 2, desiredSize: 2, maxSize: 2 }));
      assert.doesNotThrow(() => validateNodeGroupSpec({ ...spec, minSize: 0, desiredSize: 0, maxSize: 1 }));
    });

    it("rejects sizes out of order, with the values", () => {
      assert.throws(
        () => validateNodeGroupSpec({ ...spec, desiredSize: 4 }),
        /minSize <= desiredSize <= maxSize \(got 1 <= 4 <= 3\)/,
      );
      assert.throws(() => validateNodeGroupSpec({ ...spec, minSize: 3, desiredSize: 2 }), /got 3 <= 2 <= 3/);
      assert.throws(
        () => validateNodeGroupSpec({ ...spec, minSize: 0, desiredSize: 0, maxSize: 0 }),
        /maxSize is 0; EKS requires at least 1/,
      );
      assert.throws(() => validateNodeGroupSpec({ ...spec, minSize: -1 }), /nodeGroup\.minSize is -1/);
      assert.throws(() => validateNodeGroupSpec({ ...spec, desiredSize: 1.5 }), /nodeGroup\.desiredSize is 1\.5/);
    });

    it("bounds the disk size by the AMI snapshot (20 GiB) and the EBS maximum", () => {
      assert.doesNotThrow(() => validateNodeGroupSpec({ ...spec, diskSizeGiB: 20 }));
      assert.doesNotThrow(() => validateNodeGroupSpec({ ...spec, diskSizeGiB: 16384 }));
      assert.throws(
        () => validateNodeGroupSpec({ ...spec, diskSizeGiB: 19 }),
        /diskSizeGiB is 19; .* from 20 to 16384/,
      );
      assert.throws(() => validateNodeGroupSpec({ ...spec, diskSizeGiB: 16385 }), /diskSizeGiB is 16385/);
    });

    it("rejects empty or malformed instance types", () => {
      assert.throws(() => validateNodeGroupSpec({ ...spec, instanceTypes: [] }), /instanceTypes is empty/);
      assert.throws(() => validateNodeGroupSpec({ ...spec, instanceTypes: ["xlarge"] }), /contains "xlarge"/);
    });
  });

  describe("amiTypeFor", () => {
    it("recognises Graviton families", () => {
      for (const t of [
        "m6g.large",
        "m7gd.xlarge",
        "c7gn.2xlarge",
        "t4g.medium",
        "r8g.large",
        "a1.large",
        "im4gn.large",
        "x2gd.xlarge",
      ]) {
        assert.ok(isArmInstanceType(t), t);
      }
      for (const t of ["m6i.large", "g5.xlarge", "m7i-flex.large", "c5n.large", "r6a.large", "inf2.xlarge"]) {
        assert.ok(!isArmInstanceType(t), t);
      }
    });

    it("picks the AL2023 AMI of the architecture", () => {
      assert.equal(amiTypeFor(["m6i.xlarge", "m7i.xlarge"]), "AL2023_x86_64_STANDARD");
      assert.equal(amiTypeFor(["m7g.xlarge", "m6g.xlarge"]), "AL2023_ARM_64_STANDARD");
    });

    it("rejects mixed architectures in one node group", () => {
      assert.throws(
        () => amiTypeFor(["m6i.xlarge", "m7g.xlarge"]),
        /mixes arm64 \(m7g\.xlarge\) and x86_64 \(m6i\.xlarge\)/,
      );
    });
  });

  it("labels each zone's nodes with the pool and the zone index", () => {
    assert.deepEqual(nodeGroupLabels(2), { "observability/node-pool": "workload", "observability/zone-index": "2" });
  });

  it("creates the DaemonSet add-ons before nodes and the Deployment ones after", () => {
    assert.deepEqual(
      addonsIn("beforeNodes").map((a) => a.name),
      ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"],
    );
    assert.deepEqual(
      addonsIn("afterNodes").map((a) => a.name),
      ["coredns", "aws-ebs-csi-driver"],
    );
    assert.equal(ADDONS.length, 5);
  });

  it("clusterEncryptionPolicy reaches only the secrets key", () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/abc";
    const [statement] = clusterEncryptionPolicy(key).Statement;
    assert.deepEqual(statement.Resource, [key]);
    assert.ok((statement.Action as string[]).every((a) => a.startsWith("kms:") && !a.includes("*")));
  });

  it("serviceTrustPolicy lets only the named service assume the role", () => {
    const [statement] = serviceTrustPolicy("eks.amazonaws.com").Statement;
    assert.deepEqual(statement.Principal, { Service: "eks.amazonaws.com" });
    assert.equal(statement.Action, "sts:AssumeRole");
  });

  it("names access entries after account and principal, so reordering admins does not replace them", () => {
    assert.equal(
      accessEntryResourceName("obs", "arn:aws:iam::123456789012:role/platform/Admin"),
      "obs-admin-123456789012-Admin",
    );
    assert.notEqual(
      accessEntryResourceName("obs", "arn:aws:iam::111111111111:role/Admin"),
      accessEntryResourceName("obs", "arn:aws:iam::222222222222:role/Admin"),
    );
  });
});
