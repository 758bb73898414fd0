import { strict as assert } from "assert";
import { statefulVolumesRetained } from "../../../../policies/rules/security/stateful-volumes-retained";
import { compliantStack, mutate, mutateValues, retag } from "../../support/fixture";
import { ResourceRecord, runStackPolicy } from "../../support/harness";

const run = (records: ResourceRecord[]) => runStackPolicy(statefulVolumesRetained, records);

describe("policy stateful-volumes-retained (S12)", () => {
  it("passes the compliant fixture: no retention policy (Kubernetes retains) and no deleteClaim", async () => {
    assert.deepEqual((await run(compliantStack())).violations, []);
  });

  it("rejects Mimir ingesters whose retention policy deletes their volumes, naming what is lost", async () => {
    const records = mutateValues(compliantStack(), "mimir", "ingester.persistentVolume", {
      enableRetentionPolicy: true,
      whenDeleted: "Delete",
      whenScaled: "Retain",
    });
    const run1 = await run(records);
    assert.equal(run1.violations.length, 1);
    assert.match(
      run1.violations[0].message,
      /^mimir-distributed release "mimir" values\.ingester\.persistentVolume\.enableRetentionPolicy=true with whenDeleted=Delete in prod .*unshipped TSDB blocks and the WAL/,
    );
  });

  it("rejects Loki's auto-deleted ingester claims, whose chart default is Delete once enabled", async () => {
    const run1 = await run(
      mutateValues(compliantStack(), "loki", "ingester.persistence.enableStatefulSetAutoDeletePVC", true),
    );
    assert.equal(run1.violations.length, 1);
    assert.match(run1.violations[0].message, /whenDeleted=Delete and whenScaled=Delete .*the WAL and unflushed chunks/);
  });

  it("accepts a retention policy that retains, and anything in dev", async () => {
    const retaining = mutateValues(compliantStack(), "mimir", "alertmanager.persistentVolume", {
      enableRetentionPolicy: true,
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
    assert.deepEqual((await run(retaining)).violations, []);
    const dev = retag(
      mutateValues(compliantStack(), "loki", "ingester.persistence.enableStatefulSetAutoDeletePVC", true),
      "dev",
    );
    assert.deepEqual((await run(dev)).violations, []);
  });

  it("rejects a Kafka node pool volume with deleteClaim", async () => {
    const records = mutate(
      compliantStack(),
      "kafka-pool-brokers",
      ["spec", "storage", "volumes", 0, "deleteClaim"],
      true,
    );
    const run1 = await run(records);
    assert.equal(run1.violations.length, 1);
    assert.match(
      run1.violations[0].message,
      /^KafkaNodePool "kafka-pool-brokers" spec\.storage\.volumes\[0\]\.deleteClaim=true in prod .*partition replicas/,
    );
  });
});
