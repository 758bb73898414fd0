import { strict as assert } from "assert";
import {
  allocatableOf,
  INSTANCE_SHAPES,
  kubeReservedCpuMillis,
  kubeReservedMemoryBytes,
} from "../../../policies/rules/capacity/figures";
import { fitPods } from "../../../policies/rules/capacity/fit";
import { StackView } from "../../../policies/lib/stack";
import { nodeGroups, NodeGroupView } from "../../../policies/rules/capacity/nodes";
import { PodGroup } from "../../../policies/rules/capacity/pods";
import { stackValidationArgs } from "../support/harness";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

describe("node allocatable (EKS AMI reservations)", () => {
  it("reserves 6% of the first core, 1% of the second, 0.5% of cores 3-4 and 0.25% beyond", () => {
    assert.equal(kubeReservedCpuMillis(2), 70);
    assert.equal(kubeReservedCpuMillis(4), 80);
    assert.equal(kubeReservedCpuMillis(8), 90);
    assert.equal(kubeReservedCpuMillis(16), 110);
  });

  it("reserves 11 MiB per admitted pod plus 255 MiB of memory", () => {
    assert.equal(kubeReservedMemoryBytes(58), 893 * MiB);
    assert.equal(kubeReservedMemoryBytes(29), 574 * MiB);
  });

  it("gives an m6i.xlarge 3920m and 16 GiB less 7.5%, 893 MiB and the 100 MiB eviction threshold", () => {
    assert.deepEqual(allocatableOf(INSTANCE_SHAPES["m6i.xlarge"]), {
      cpuMillis: 3920,
      memoryBytes: Math.floor(16 * GiB * 0.925 - 993 * MiB),
      pods: 58,
    });
  });
});

const view = (name: string, zone: string, type: string, maxSize: number): NodeGroupView => ({
  name,
  urn: `urn:${name}`,
  zones: [zone],
  instanceType: type,
  instanceTypes: [type],
  minSize: 1,
  desiredSize: 1,
  maxSize,
  diskGiB: 20,
  allocatable: allocatableOf(INSTANCE_SHAPES[type]),
});

const pods = (
  component: string,
  replicas: number,
  cpuMillis: number,
  memoryBytes: number,
  zones?: string[],
): PodGroup => ({
  owner: "test release",
  ownerUrn: "urn:release",
  component,
  replicas,
  cpuMillis,
  memoryBytes,
  volumeBytes: 0,
  placement: { kind: "zones", zones },
  requestsFrom: "test",
});

describe("fitPods", () => {
  const groups = [view("a", "zone-a", "m6i.large", 1), view("b", "zone-b", "m6i.large", 1)];

  it("packs pinned pods onto their zone's nodes and reports the one that does not fit", () => {
    // m6i.large allocatable: 2000 - 70 = 1930m; two 1000m pods need 2000m.
    const result = fitPods([pods("pinned", 2, 1000, GiB, ["zone-a"])], groups);
    assert.equal(result.unschedulable.length, 1);
    assert.equal(result.unschedulable[0].pods, 1);
    assert.equal(result.unschedulable[0].zone, "zone-a");
    assert.equal(result.zones.find((z) => z.zone === "zone-b")!.requested.pods, 0);
  });

  it("spreads unpinned pods evenly over the zones", () => {
    const result = fitPods([pods("spread", 3, 100, 100 * MiB)], groups);
    assert.deepEqual(
      result.zones.map((z) => z.requested.pods),
      [2, 1],
    );
    assert.deepEqual(result.unschedulable, []);
  });

  it("subtracts DaemonSets from every node before packing", () => {
    const daemonSet: PodGroup = { ...pods("agent", 1, 1000, 100 * MiB), placement: { kind: "daemonset" } };
    const result = fitPods([daemonSet, pods("app", 1, 1000, 100 * MiB, ["zone-a"])], groups);
    assert.equal(result.zones[0].daemonSetsPerNode.cpuMillis, 1000);
    assert.equal(result.unschedulable.length, 1, "930m left per node cannot hold a 1000m pod");
  });

  it("counts replicas arithmetically: a trillion pods is a verdict, not a loop", () => {
    const result = fitPods([pods("huge", 1e12, 100, 100 * MiB)], groups);
    assert.deepEqual(
      result.zones.map((z) => z.requested.pods),
      [5e11, 5e11],
    );
    const stuck = result.unschedulable.reduce((sum, u) => sum + u.pods, 0);
    // An m6i.large admits 29 pods; each zone's one node holds what fits of 100m / 100 MiB pods, the rest stay out.
    assert.ok(stuck > 1e12 - 60 && stuck < 1e12, String(stuck));
  });

  it("places identical pods as one at a time would: the remainder goes to the emptier zone", () => {
    const loaded = fitPods([pods("big", 1, 1000, 2 * GiB, ["zone-a"]), pods("spread", 5, 100, 100 * MiB)], groups);
    assert.deepEqual(
      loaded.zones.map((z) => z.requested.pods),
      [3, 3],
      "zone-b, with more free memory, takes the odd pod",
    );
  });

  it("counts the nodes the packing opens against desiredSize", () => {
    const result = fitPods([pods("p", 3, 1500, GiB, ["zone-a"])], [view("a", "zone-a", "m6i.large", 4)]);
    assert.equal(result.zones[0].nodesNeeded, 3);
    assert.equal(result.zones[0].desiredNodes, 1);
  });
});

describe("nodeGroups: the root disk", () => {
  const group = (props: Record<string, unknown>) => ({
    type: "aws:eks/nodeGroup:NodeGroup",
    name: "g",
    props: { instanceTypes: ["m6i.xlarge"], ...props },
  });
  const template = {
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    name: "t",
    props: { name: "obs-nodes", blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 120 } }] },
  };
  const disk = (records: Parameters<typeof stackValidationArgs>[0]) =>
    nodeGroups(new StackView(stackValidationArgs(records).resources))[0].diskGiB;

  it("reads diskSize, or the launch template's root volume when the group names one", () => {
    assert.equal(disk([group({ diskSize: 50 })]), 50);
    assert.equal(disk([template, group({ launchTemplate: { name: "obs-nodes", version: "1" } })]), 120);
  });

  it("falls back to EKS's 20 GiB without either, or with a template that sets no volume", () => {
    assert.equal(disk([group({})]), 20);
    assert.equal(
      disk([{ ...template, props: { name: "obs-nodes" } }, group({ launchTemplate: { name: "obs-nodes" } })]),
      20,
    );
  });
});
