import * as assert from "node:assert/strict";
import {
  deployerAccessEntryConflict,
  endpointAccess,
  validateAdminRoleArns,
  validateClusterName,
  validateKubernetesVersion,
  validateZoneCount,
} from "../../../components/cluster/validation";

describe("cluster argument validation", () => {
  describe("endpointAccess", () => {
    it("empty CIDRs turn the public endpoint off", () => {
      assert.deepEqual(endpointAccess([], true), { endpointPublicAccess: false, endpointPrivateAccess: true });
    });

    it("CIDRs turn the public endpoint on, restricted to them", () => {
      assert.deepEqual(endpointAccess(["203.0.113.0/24"], true), {
        endpointPublicAccess: true,
        endpointPrivateAccess: true,
        publicAccessCidrs: ["203.0.113.0/24"],
      });
    });

    it("allows a public-only endpoint when it is open to everyone (nodes reach it through NAT)", () => {
      assert.equal(endpointAccess(["0.0.0.0/0"], false).endpointPublicAccess, true);
    });

    it("rejects an endpoint reachable from nowhere", () => {
      assert.throws(() => endpointAccess([], false), /reachable from nowhere/);
    });

    it("rejects a restricted public endpoint without the private one (nodes could not join)", () => {
      assert.throws(
        () => endpointAccess(["203.0.113.0/24"], false),
        /nodes could not reach the API server.*privateEndpoint to true/,
      );
    });

    it("rejects malformed and duplicate CIDRs naming the index", () => {
      assert.throws(
        () => endpointAccess(["203.0.113.0/24", "my-office"], true),
        /endpointPublicAccessCidrs\[1\] "my-office"/,
      );
      assert.throws(() => endpointAccess(["203.0.113.7/24"], true), /endpointPublicAccessCidrs\[0\].*host bits/);
      assert.throws(() => endpointAccess(["203.0.113.0/24", "203.0.113.0/24"], true), /lists a CIDR twice/);
    });
  });

  it("validateClusterName follows the EKS name rules at the length boundary", () => {
    assert.doesNotThrow(() => validateClusterName("a".repeat(100)));
    assert.doesNotThrow(() => validateClusterName("obs_prod-1"));
    assert.throws(() => validateClusterName("a".repeat(101)), /not a valid EKS cluster name/);
    assert.throws(() => validateClusterName("-obs"), /name "-obs"/);
    assert.throws(() => validateClusterName("obs.prod"), /name "obs\.prod"/);
  });

  it("validateKubernetesVersion needs major.minor from 1.30", () => {
    assert.doesNotThrow(() => validateKubernetesVersion("1.30"));
    assert.doesNotThrow(() => validateKubernetesVersion("1.34"));
    assert.throws(() => validateKubernetesVersion("1.29"), /older than 1\.30.*gp2/);
    assert.throws(() => validateKubernetesVersion("1.33.2"), /must look like "1\.33"/);
    assert.throws(() => validateKubernetesVersion("v1.33"), /must look like/);
  });

  describe("validateAdminRoleArns", () => {
    it("accepts IAM roles (with paths) and users", () => {
      assert.doesNotThrow(() =>
        validateAdminRoleArns([
          "arn:aws:iam::123456789012:role/platform/Admin",
          "arn:aws:iam::123456789012:user/alice",
        ]),
      );
      assert.doesNotThrow(() => validateAdminRoleArns([]));
    });

    it("explains that an STS session ARN must be replaced by its role", () => {
      assert.throws(
        () => validateAdminRoleArns(["arn:aws:sts::123456789012:assumed-role/Admin/alice"]),
        /adminRoleArns\[0\] .* is an STS session ARN; give the role itself/,
      );
    });

    it("rejects other ARNs and duplicates", () => {
      assert.throws(
        () => validateAdminRoleArns(["arn:aws:iam::123456789012:group/admins"]),
        /not an IAM role or user ARN/,
      );
      assert.throws(() => validateAdminRoleArns(["Admin"]), /adminRoleArns\[0\] "Admin"/);
      const arn = "arn:aws:iam::123456789012:role/Admin";
      assert.throws(() => validateAdminRoleArns([arn, arn]), /lists ".*" twice/);
    });
  });

  it("validateZoneCount needs two zones", () => {
    assert.doesNotThrow(() => validateZoneCount(2));
    assert.throws(() => validateZoneCount(1), /zones has 1 entries; EKS needs private subnets in at least 2/);
  });
});

describe("deployerAccessEntryConflict", () => {
  it("flags the deployer's own role, even through a session ARN that drops the role path", () => {
    const message = deployerAccessEntryConflict(
      "arn:aws:sts::123456789012:assumed-role/Deployer/ci-run-42",
      "arn:aws:iam::123456789012:role/platform/Deployer",
    );
    assert.match(
      message!,
      /cluster.adminRoleArns or cluster.viewerRoleArns contains .*Deployer.*its own admin access entry.*ResourceInUseException/,
    );
    assert.ok(
      deployerAccessEntryConflict("arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/alice"),
    );
  });

  it("lets other roles, other accounts and other principal kinds through", () => {
    const caller = "arn:aws:sts::123456789012:assumed-role/Deployer/ci";
    assert.equal(deployerAccessEntryConflict(caller, "arn:aws:iam::123456789012:role/Admin"), undefined);
    assert.equal(deployerAccessEntryConflict(caller, "arn:aws:iam::210987654321:role/Deployer"), undefined);
    assert.equal(deployerAccessEntryConflict(caller, "arn:aws:iam::123456789012:user/Deployer"), undefined);
  });
});
