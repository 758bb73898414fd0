import { strict as assert } from "assert";
import { caRenewalWithinValidity } from "../../../../policies/rules/kafka/ca-renewal-within-validity";
import { compliantStack, mutate } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

const run = async (records = compliantStack()) =>
  (await runStackPolicy(caRenewalWithinValidity, records)).violations.map((v) => v.message);
const ca = (field: string, value: object, records = compliantStack()) =>
  mutate(records, "kafka-cluster", ["spec", field], value);

describe("policy kafka-ca-renewal-within-validity (K29)", () => {
  it("passes the compliant fixture (Strimzi's 365/30 defaults)", async () => {
    assert.deepEqual(await run(), []);
  });

  it("rejects a 30-day cluster CA with the default 30-day renewal (held-out j12)", async () => {
    const found = await run(ca("clusterCa", { validityDays: 30 }));
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(
      found[0],
      /spec\.clusterCa\.validityDays=30 is not longer than renewalDays 30 \(Strimzi default\): Strimzi renews the cluster CA certificate .*InternalCa\.certNeedsRenewal.*every reconciliation .*CA_CERT_RENEWED.*rolling restart that never ends/,
    );
  });

  it("rejects a clients CA renewal longer than the default validity", async () => {
    const found = await run(ca("clientsCa", { renewalDays: 400 }));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /validityDays 365 \(Strimzi default\) is not longer than .*spec\.clientsCa\.renewalDays=400: .*clients CA/,
    );
  });

  it("accepts renewal below validity, a CA the user provides, and unknown values", async () => {
    for (const records of [
      ca("clusterCa", { validityDays: 90, renewalDays: 30 }),
      ca("clusterCa", { validityDays: 30, renewalDays: 10 }),
      ca("clusterCa", { validityDays: 30, generateCertificateAuthority: false }),
      ca("clusterCa", { validityDays: UNKNOWN }),
    ])
      assert.deepEqual(await run(records), []);
  });
});
