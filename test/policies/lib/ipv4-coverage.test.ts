import { strict as assert } from "assert";
import { describeCoverage, ipv4Coverage } from "../../../policies/lib/ipv4-coverage";

describe("ipv4Coverage: the addresses CIDR blocks open together", () => {
  it("counts the union: halves, quarters and overlaps", () => {
    assert.equal(ipv4Coverage(["0.0.0.0/0"]).share, 1);
    assert.equal(ipv4Coverage(["0.0.0.0/1", "128.0.0.0/1"]).share, 1);
    assert.equal(ipv4Coverage(["10.0.0.0/8", "10.1.0.0/16", "10.0.0.0/9"]).addresses, 2 ** 24);
    assert.equal(ipv4Coverage(["203.0.113.7/32", "203.0.113.0/24"]).addresses, 256);
    assert.equal(ipv4Coverage([]).addresses, 0);
  });

  it("masks host bits as AWS does, and leaves non-IPv4 entries out of the count", () => {
    assert.equal(ipv4Coverage(["203.0.113.9/24"]).addresses, 256);
    assert.deepEqual(ipv4Coverage(["::/0", "1.2.3.4/33", "x"]).unparsed, ["::/0", "1.2.3.4/33", "x"]);
  });

  it("describes a count with its share", () => {
    assert.equal(describeCoverage(2 ** 16), "65,536 addresses (0.0015% of IPv4)");
    assert.equal(describeCoverage(2 ** 32), "4,294,967,296 addresses (100% of IPv4)");
  });
});
