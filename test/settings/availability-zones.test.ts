import { strict as assert } from "assert";
import { availabilityZonesIssue } from "../../settings/stackConfig";

// EC2 DescribeAvailabilityZones for eu-west-1 (AWS docs, "Regions and Availability Zones": eu-west-1a, -1b, -1c).
const EU_WEST_1 = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];

describe("settings: explicit network.availabilityZones against the region (j22)", () => {
  it("refuses a zone letter the region does not have, naming the key, value and the region's zones", () => {
    const issue = availabilityZonesIssue(["eu-west-1a", "eu-west-1b", "eu-west-1d"], "eu-west-1", EU_WEST_1);
    assert.ok(issue);
    assert.equal(issue.key, "network.availabilityZones");
    assert.deepEqual(issue.value, ["eu-west-1a", "eu-west-1b", "eu-west-1d"]);
    assert.match(
      issue.problem,
      /^eu-west-1d is not an availability zone of eu-west-1 \(EC2 DescribeAvailabilityZones offers this account eu-west-1a, eu-west-1b, eu-west-1c, and CreateSubnet refuses any other\): name zones from that list, or give a count \(e\.g\. 3\)/,
    );
    assert.match(
      availabilityZonesIssue(["eu-west-1d", "eu-west-1e"], "eu-west-1", EU_WEST_1)!.problem,
      /^eu-west-1d, eu-west-1e are not availability zones of eu-west-1/,
    );
  });

  it("refuses a zone of another region before asking EC2", () => {
    assert.match(
      availabilityZonesIssue(["us-east-1a"], "eu-west-1")!.problem,
      /us-east-1a not in aws:region eu-west-1/,
    );
  });

  it("accepts the region's zones in any order and subset, and a list not yet judged against EC2", () => {
    assert.equal(availabilityZonesIssue(["eu-west-1c", "eu-west-1a"], "eu-west-1", EU_WEST_1), undefined);
    assert.equal(availabilityZonesIssue(EU_WEST_1, "eu-west-1", EU_WEST_1), undefined);
    assert.equal(availabilityZonesIssue(["eu-west-1d"], "eu-west-1"), undefined);
  });
});
