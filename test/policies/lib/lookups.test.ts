import { strict as assert } from "assert";
import { bucketViews, expirationRules } from "../../../policies/lib/buckets";
import { findCredentials } from "../../../policies/lib/credentials";
import { StackView } from "../../../policies/lib/stack";
import { nodeAvailabilityZones } from "../../../policies/lib/zones";
import { isUnknown } from "../../../policies/lib/unknown";
import { compliantStack, mutate, mutateValues } from "../support/fixture";
import { ResourceRecord, stackValidationArgs, UNKNOWN } from "../support/harness";

const viewOf = (records: ResourceRecord[] = compliantStack()) => new StackView(stackValidationArgs(records).resources);

describe("policies/lib lookups", () => {
  it("finds Helm releases by chart name, also when the chart is qualified", () => {
    const records = mutate(
      compliantStack(),
      "mimir",
      ["chart"],
      "oci://registry-1.docker.io/grafana/mimir-distributed",
    );
    const [mimir] = viewOf(records).helmReleases("mimir-distributed");
    assert.equal(mimir.releaseName, "mimir");
    assert.equal(mimir.namespace, "mimir");
    assert.equal(mimir.chartVersion, "6.1.0");
    assert.equal(mimir.label, 'mimir-distributed release "mimir"');
    assert.equal(viewOf().helmReleases().length, 5);
  });

  it("reads Strimzi resources with their labels and namespace", () => {
    const pools = viewOf().strimzi("KafkaNodePool");
    assert.deepEqual(
      pools.map((p) => [p.name, p.namespace, p.labels["strimzi.io/cluster"]]),
      [
        ["controllers", "kafka", "kafka"],
        ["brokers", "kafka", "kafka"],
      ],
    );
  });

  it("links bucket resources by property dependency, by name, or by dependency while the name is unknown", () => {
    const byDependency = bucketViews(viewOf()).find((b) => b.role === "mimirBlocks")!;
    assert.equal(byDependency.lifecycles.length, 1);
    const nameOnly = compliantStack().map((r) =>
      r.name === "mimirBlocks-lifecycle" ? { ...r, propertyDependencies: {}, dependencies: [] } : r,
    );
    assert.equal(bucketViews(viewOf(nameOnly)).find((b) => b.role === "mimirBlocks")!.lifecycles.length, 1);
    const unknownName = mutate(compliantStack(), "mimirBlocks-lifecycle", ["bucket"], UNKNOWN).map((r) =>
      r.name === "mimirBlocks-lifecycle" ? { ...r, propertyDependencies: {} } : r,
    );
    assert.equal(bucketViews(viewOf(unknownName)).find((b) => b.role === "mimirBlocks")!.lifecycles.length, 1);
  });

  it("reads enabled expiration rules with their prefix", () => {
    const records = mutate(compliantStack(), "lokiChunks-lifecycle", ["rules", 1], {
      id: "off",
      status: "Disabled",
      expiration: { days: 1 },
    });
    const bucket = bucketViews(viewOf(records)).find((b) => b.role === "lokiChunks")!;
    const rules = expirationRules(bucket.lifecycles[0]);
    assert.ok(!isUnknown(rules));
    assert.deepEqual(
      rules.map((r) => [r.id, r.prefix.value, r.days.value]),
      [["expire-prod-tenant-chunks", "prod/", 45]],
    );
  });

  it("collects the availability zones of the node groups' subnets", () => {
    const zones = nodeAvailabilityZones(viewOf());
    assert.ok(zones && !isUnknown(zones));
    assert.deepEqual(zones.value, ["us-east-1a", "us-east-1b", "us-east-1c"]);
    assert.equal(nodeAvailabilityZones(viewOf(compliantStack().filter((r) => r.name !== "node-group"))), undefined);
  });

  it("records credential-named values unknown during preview instead of ignoring them", () => {
    const scanned = findCredentials(
      viewOf(
        mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.ingest_storage.kafka.sasl_password", UNKNOWN),
      ),
    );
    assert.deepEqual(scanned.findings, []);
    assert.equal(scanned.unknowns.length, 1);
    assert.match(scanned.unknowns[0].where, /sasl_password$/);
  });
});
