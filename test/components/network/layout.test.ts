import * as assert from "node:assert/strict";
import { natGatewayCount, natGatewayIndexForZone, subnetTags } from "../../../components/network/layout";
import { validateExistingNetwork } from "../../../components/network/existing";

describe("network layout helpers", () => {
  it("tags public subnets for internet-facing load balancers and private ones for internal ones", () => {
    const base = { team: "observability" };
    const pub = subnetTags("public", "obs", 0, base);
    const priv = subnetTags("private", "obs", 1, base);
    assert.equal(pub["kubernetes.io/role/elb"], "1");
    assert.equal(pub["kubernetes.io/role/internal-elb"], undefined);
    assert.equal(priv["kubernetes.io/role/internal-elb"], "1");
    assert.equal(priv["kubernetes.io/role/elb"], undefined);
    for (const tags of [pub, priv]) {
      assert.equal(tags["kubernetes.io/cluster/obs"], "shared");
      assert.equal(tags.team, "observability");
    }
    assert.equal(priv.Name, "obs-private-1");
    assert.deepEqual(base, { team: "observability" }, "base tags must not be mutated");
  });

  it("routes every zone through NAT 0 in single mode and through its own NAT per zone", () => {
    assert.equal(natGatewayCount("single", 3), 1);
    assert.equal(natGatewayCount("perZone", 3), 3);
    assert.deepEqual(
      [0, 1, 2].map((z) => natGatewayIndexForZone("single", z)),
      [0, 0, 0],
    );
    assert.deepEqual(
      [0, 1, 2].map((z) => natGatewayIndexForZone("perZone", z)),
      [0, 1, 2],
    );
  });

  describe("validateExistingNetwork", () => {
    const good = { vpcId: "vpc-0123456789abcdef0", privateSubnetIds: ["subnet-01234567", "subnet-89abcdef"] };

    it("accepts one valid subnet per zone", () => {
      assert.doesNotThrow(() => validateExistingNetwork(good, 2));
    });

    it("rejects a subnet count that does not match the zones", () => {
      assert.throws(() => validateExistingNetwork(good, 3), /has 2 subnets but availabilityZones has 3/);
    });

    it("rejects malformed ids naming the key", () => {
      assert.throws(() => validateExistingNetwork({ ...good, vpcId: "my-vpc" }, 2), /existing\.vpcId "my-vpc"/);
      assert.throws(
        () => validateExistingNetwork({ ...good, privateSubnetIds: ["subnet-01234567", "sn-1"] }, 2),
        /existing\.privateSubnetIds contains "sn-1"/,
      );
    });

    it("rejects the same subnet used for two zones", () => {
      assert.throws(
        () => validateExistingNetwork({ ...good, privateSubnetIds: ["subnet-01234567", "subnet-01234567"] }, 2),
        /lists a subnet twice/,
      );
    });
  });
});
