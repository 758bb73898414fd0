import { strict as assert } from "assert";
import { prometheusRetentionSizeWithinVolume } from "../../../../policies/rules/retention/prometheus-retention-size-within-volume";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const withStorage = (retentionSize: string, storage: string) => {
  const records = mutateValues(
    compliantStack(),
    "kube-prometheus-stack",
    "prometheus.prometheusSpec.retentionSize",
    retentionSize,
  );
  return mutateValues(records, "kube-prometheus-stack", "prometheus.prometheusSpec.storageSpec", {
    volumeClaimTemplate: { spec: { resources: { requests: { storage } } } },
  });
};

describe("policy prometheus-retention-size-within-volume (R7)", () => {
  it("passes the compliant fixture (no size-based retention) and a size within 85% of the volume", async () => {
    assert.deepEqual((await runStackPolicy(prometheusRetentionSizeWithinVolume, compliantStack())).violations, []);
    const run = await runStackPolicy(prometheusRetentionSizeWithinVolume, withStorage("80GiB", "100Gi"));
    assert.deepEqual([run.violations, run.advisories], [[], []]);
  });

  it("rejects a retentionSize at or above the volume, naming both and the consequence", async () => {
    const run = await runStackPolicy(prometheusRetentionSizeWithinVolume, withStorage("120GiB", "100Gi"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /prometheus\.prometheusSpec\.retentionSize=120GiB \(120\.0 GiB\) against .*storage=100Gi \(100\.0 GiB\): the volume fills before Prometheus deletes any block, then the TSDB stops writing/,
    );
    assert.match(run.violations[0].message, /Fix: set retentionSize to at most 85\.0 GiB/);
  });

  it("advises above the 85% the Prometheus docs advise", async () => {
    const run = await runStackPolicy(prometheusRetentionSizeWithinVolume, withStorage("95GB", "100Gi"));
    assert.equal(run.violations.length, 0);
    assert.match(run.advisories[0].message, /above the 85% the Prometheus docs advise/);
  });

  it("names a malformed size", async () => {
    const run = await runStackPolicy(prometheusRetentionSizeWithinVolume, withStorage("lots", "100Gi"));
    assert.match(run.violations[0].message, /retentionSize="lots" is not a ByteSize such as 50GiB/);
  });
});
