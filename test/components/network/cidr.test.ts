import * as assert from "node:assert/strict";
import {
  cidrContains,
  cidrsOverlap,
  formatIpv4Cidr,
  parseIpv4Cidr,
  planSubnetCidrs,
} from "../../../components/network/cidr";

describe("network CIDR math", () => {
  describe("parseIpv4Cidr / formatIpv4Cidr", () => {
    it("round-trips addresses in the upper half of the IPv4 space", () => {
      for (const text of ["10.0.0.0/16", "192.168.128.0/17", "255.255.255.240/28", "0.0.0.0/0"]) {
        assert.equal(formatIpv4Cidr(parseIpv4Cidr(text, "vpcCidr")), text);
      }
    });

    it("rejects malformed blocks naming the key", () => {
      for (const text of ["10.0.0/16", "10.0.0.0", "10.0.0.256/16", "10.0.0.0/33", "ten.0.0.0/16"]) {
        assert.throws(
          () => parseIpv4Cidr(text, "vpcCidr"),
          new RegExp(`vpcCidr "${text.replace(/\./g, "\\.")}" is not an IPv4 CIDR`),
        );
      }
    });

    it("rejects host bits and names the network address to use instead", () => {
      assert.throws(() => parseIpv4Cidr("10.0.1.0/16", "vpcCidr"), /host bits set.*"10\.0\.0\.0\/16"/);
    });
  });

  describe("planSubnetCidrs", () => {
    const layouts: [string, number][] = [
      ["10.0.0.0/16", 3],
      ["10.0.0.0/16", 2],
      ["172.16.0.0/20", 3],
      ["192.168.10.0/24", 3],
      ["100.64.0.0/18", 2],
    ];

    for (const [vpcCidr, zones] of layouts) {
      it(`${vpcCidr} with ${zones} zones: one private and one public subnet per zone, inside the VPC, none overlapping`, () => {
        const plan = planSubnetCidrs(vpcCidr, zones);
        assert.equal(plan.private.length, zones);
        assert.equal(plan.public.length, zones);
        const vpc = parseIpv4Cidr(vpcCidr, "vpc");
        const all = [...plan.private, ...plan.public].map((c) => parseIpv4Cidr(c, "subnet"));
        for (const subnet of all) {
          assert.ok(cidrContains(vpc, subnet), `${formatIpv4Cidr(subnet)} outside ${vpcCidr}`);
          assert.ok(subnet.prefix >= 16 && subnet.prefix <= 28, `${formatIpv4Cidr(subnet)} outside AWS /16../28`);
        }
        for (let i = 0; i < all.length; i++) {
          for (let j = i + 1; j < all.length; j++) {
            assert.ok(!cidrsOverlap(all[i], all[j]), `${formatIpv4Cidr(all[i])} overlaps ${formatIpv4Cidr(all[j])}`);
          }
        }
      });
    }

    it("gives private subnets (which hold every pod IP) four times the addresses of public ones", () => {
      const plan = planSubnetCidrs("10.0.0.0/16", 3);
      assert.deepEqual(plan.private, ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"]);
      assert.deepEqual(plan.public, ["10.0.192.0/20", "10.0.208.0/20", "10.0.224.0/20"]);
    });

    it("keeps the layout of the first zones when a third zone is added", () => {
      const two = planSubnetCidrs("10.0.0.0/16", 2);
      const three = planSubnetCidrs("10.0.0.0/16", 3);
      assert.deepEqual(three.private.slice(0, 2), two.private);
      assert.deepEqual(three.public.slice(0, 2), two.public);
    });

    it("accepts a /24 VPC, the smallest whose public subnets are still /28", () => {
      assert.deepEqual(planSubnetCidrs("192.168.10.0/24", 3).public, [
        "192.168.10.192/28",
        "192.168.10.208/28",
        "192.168.10.224/28",
      ]);
    });

    it("rejects a VPC too small for six subnets with the prefix that would fit", () => {
      assert.throws(
        () => planSubnetCidrs("10.0.0.0/28", 3),
        /"10\.0\.0\.0\/28" is too small for 6 subnets.*\/28 or larger.*\/24 or shorter/,
      );
      assert.throws(() => planSubnetCidrs("10.0.0.0/25", 2), /too small for 4 subnets/);
    });

    it("rejects VPC prefixes AWS does not allow", () => {
      assert.throws(() => planSubnetCidrs("10.0.0.0/8", 3), /prefix \/8; AWS allows VPC blocks from \/16 to \/28/);
    });

    it("rejects zone counts other than 2 or 3", () => {
      assert.throws(() => planSubnetCidrs("10.0.0.0/16", 1), /availabilityZones has 1 entries; 2 or 3 are allowed/);
      assert.throws(() => planSubnetCidrs("10.0.0.0/16", 4), /availabilityZones has 4 entries/);
    });
  });
});
