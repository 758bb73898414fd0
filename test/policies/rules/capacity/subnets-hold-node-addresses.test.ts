import { strict as assert } from "assert";
import { subnetsHoldNodeAddresses } from "../../../../policies/rules/capacity/subnets-hold-node-addresses";
import { INSTANCE_SHAPES } from "../../../../policies/rules/capacity/figures";
import { compliantStack, mutate } from "../../support/fixture";
import { ResourceRecord, runStackPolicy, UNKNOWN } from "../../support/harness";

const SUBNETS = ["subnet-private-zone-a", "subnet-private-zone-b", "subnet-private-zone-c"];
const withCidr = (cidr: unknown, records = compliantStack()) =>
  SUBNETS.reduce((r, name) => mutate(r, name, ["cidrBlock"], cidr), records);
const run = (records: ResourceRecord[]) => runStackPolicy(subnetsHoldNodeAddresses, records);

describe("policy subnets-hold-node-addresses (C9)", () => {
  it("passes the compliant /19 subnets (8,187 usable) for 3 nodes of m6i.2xlarge each (180 addresses)", async () => {
    assert.deepEqual((await run(compliantStack())).violations, []);
  });

  it("rejects /26 subnets (59 usable) below the two ENIs' worth 3 nodes of m6i.2xlarge hold from their start (90)", async () => {
    const { violations } = await run(withCidr("10.0.0.0/26"));
    assert.equal(violations.length, 3);
    assert.match(
      violations[0].message,
      /cidrBlock=10\.0\.0\.0\/26 has 59 usable addresses \(64 less the 5 AWS reserves\) but its nodes hold 90 from their start \(two ENIs' worth each: the primary and the warm one\) and take up to 180 full of pods: NodeGroup "node-group" scalingConfig\.maxSize=9 over 3 subnet\(s\) = 3 node\(s\) of m6i\.2xlarge x 4 ENIs x 15 addresses = 180\. .*ContainerCreating \("failed to assign an IP address to container"\).*network\.vpcCidr/,
    );
  });

  it("advises a subnet that holds the nodes' start (90) but not every node full of pods (180)", async () => {
    const { violations, advisories } = await run(withCidr("10.0.0.0/25"));
    assert.deepEqual(violations, []);
    assert.equal(advisories.length, 3);
    assert.match(
      advisories[0].message,
      /has 123 usable addresses .* and its nodes hold 90 from their start but take up to 180 full of pods/,
    );
  });

  it("passes a subnet large enough, and stands aside for an unknown block, prefix delegation or custom networking", async () => {
    // /24: 251 usable >= 180.
    assert.deepEqual((await run(withCidr("10.0.0.0/24"))).violations, []);
    assert.deepEqual((await run(withCidr(UNKNOWN))).violations, []);
    const delegated: ResourceRecord = {
      type: "aws:eks/addon:Addon",
      name: "vpc-cni",
      props: {
        addonName: "vpc-cni",
        configurationValues: JSON.stringify({ env: { ENABLE_PREFIX_DELEGATION: "true" } }),
      },
    };
    assert.deepEqual((await run([...withCidr("10.0.0.0/26"), delegated])).violations, []);
    const custom = {
      ...delegated,
      props: {
        ...delegated.props,
        configurationValues: JSON.stringify({ env: { AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: "true" } }),
      },
    };
    const { violations, advisories } = await run([...withCidr("10.0.0.0/26"), custom]);
    assert.deepEqual([violations, advisories], [[], []]);
  });

  it("sizes with the widest listed instance type", async () => {
    const records = mutate(withCidr("10.0.0.0/25"), "node-group", ["instanceTypes"], ["m6i.2xlarge", "m6i.4xlarge"]);
    const { violations } = await run(records);
    assert.equal(violations.length, 3);
    assert.match(
      violations[0].message,
      /hold 180 from their start .* 3 node\(s\) of m6i\.4xlarge x 8 ENIs x 30 addresses = 720/,
    );
  });

  it("derives max pods from the ENI layout (ENIs x (IPs - 1) + 2, eni-max-pods.txt)", () => {
    assert.equal(INSTANCE_SHAPES["m7g.2xlarge"].maxPods, 58);
    assert.equal(INSTANCE_SHAPES["m7g.16xlarge"].maxPods, 737);
    assert.equal(INSTANCE_SHAPES["t3.medium"].maxPods, 17);
  });
});
