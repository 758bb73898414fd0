import { strict as assert } from "assert";
import { statefulResourcesProtected } from "../../../../policies/rules/security/stateful-resources-protected";
import { compliantStack, T, retag } from "../../support/fixture";
import { ResourceRecord, runStackPolicy } from "../../support/harness";

const run = (records: ResourceRecord[], config = {}) => runStackPolicy(statefulResourcesProtected, records, config);
const unprotect = (records: ResourceRecord[], name: string) =>
  records.map((r) => (r.name === name ? { ...r, protect: false } : r));
const KEY: ResourceRecord = {
  type: "aws:kms/key:Key",
  name: "buckets-mimir",
  props: { tags: { "observability/profile": "prod" } },
};

describe("policy stateful-resources-protected (S10)", () => {
  it("passes the compliant fixture, whose buckets are protected", async () => {
    assert.deepEqual((await run(compliantStack())).violations, []);
  });

  it("rejects an unprotected bucket in prod, saying what a deletion or replacement would lose", async () => {
    const found = (await run(unprotect(compliantStack(), "mimirBlocks-bucket"))).violations;
    assert.equal(found.length, 1);
    assert.match(found[0].message, /^Bucket "mimirBlocks-bucket" is not protected in prod .*losing every object in it/);
    assert.equal(found[0].urn?.endsWith(`${T.bucket}::mimirBlocks-bucket`), true);
  });

  it("rejects an unprotected KMS key: what it encrypted becomes unreadable", async () => {
    const found = (await run([...compliantStack(), KEY])).violations;
    assert.equal(found.length, 1);
    assert.match(found[0].message, /^Key "buckets-mimir" is not protected .*becomes unreadable/);
    assert.deepEqual((await run([...compliantStack(), { ...KEY, protect: true }])).violations, []);
  });

  it("rejects an unprotected log group: its events (the control plane's audit trail) would go with it", async () => {
    const logs: ResourceRecord = {
      type: "aws:cloudwatch/logGroup:LogGroup",
      name: "cluster-control-plane",
      props: { tags: { "observability/profile": "prod" } },
    };
    const found = (await run([...compliantStack(), logs])).violations;
    assert.equal(found.length, 1);
    assert.match(found[0].message, /^LogGroup "cluster-control-plane" is not protected .*audit trail/);
  });

  it("leaves dev alone unless configured", async () => {
    const dev = retag(unprotect(compliantStack(), "mimirBlocks-bucket"), "dev");
    assert.deepEqual((await run(dev)).violations, []);
    assert.equal((await run(dev, { environments: ["dev", "staging", "prod"] })).violations.length, 1);
  });
});
