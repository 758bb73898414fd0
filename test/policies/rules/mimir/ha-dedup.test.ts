import { strict as assert } from "assert";
import { mimirDeduplicatesPrometheusPair } from "../../../../policies/rules/mimir/deduplicates-prometheus-pair";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

// The fixture's Prometheus is a pair (replicas 2); these make it remote-write to Mimir.
const writing = () =>
  mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.prometheusSpec.remoteWrite", [
    { url: "http://mimir-gateway.mimir.svc/api/v1/push" },
  ]);
const deduplicated = (
  labels: Record<string, string> = { ha_cluster_label: "prometheus", ha_replica_label: "prometheus_replica" },
) => {
  let records = mutateValues(writing(), "mimir", "mimir.structuredConfig.distributor", {
    ha_tracker: { enable_ha_tracker: true, kvstore: { store: "memberlist" } },
  });
  records = mutateValues(records, "mimir", "mimir.structuredConfig.limits.accept_ha_samples", true);
  for (const [key, value] of Object.entries(labels))
    records = mutateValues(records, "mimir", `mimir.structuredConfig.limits.${key}`, value);
  return records;
};

describe("policy mimir-deduplicates-prometheus-pair (M12)", () => {
  it("rejects a Prometheus pair writing to Mimir without the HA tracker", async () => {
    const run = await runStackPolicy(mimirDeduplicatesPrometheusPair, writing());
    assert.match(
      run.violations[0].message,
      /runs 2 Prometheus replicas writing to mimir-distributed release "mimir", but Mimir default distributor\.ha_tracker\.enable_ha_tracker=false; .*every series arrives once per replica/,
    );
  });

  it("accepts the tracker on the operator's labels", async () => {
    assert.deepEqual((await runStackPolicy(mimirDeduplicatesPrometheusPair, deduplicated())).violations, []);
  });

  it("rejects shards behind the HA tracker: they share the cluster label, so all but one shard is dropped", async () => {
    const records = mutateValues(deduplicated(), "kube-prometheus-stack", "prometheus.prometheusSpec.shards", 2);
    const run = await runStackPolicy(mimirDeduplicatesPrometheusPair, records);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /prometheusSpec\.shards=2 .*drops the samples of the other 1 shard\(s\)/);
  });

  it("rejects Mimir's default labels, which prometheus-operator does not send", async () => {
    const run = await runStackPolicy(mimirDeduplicatesPrometheusPair, deduplicated({}));
    assert.match(
      run.violations[0].message,
      /ha_cluster_label=cluster \(Prometheus sends "prometheus"\); .*ha_replica_label=__replica__ \(Prometheus sends "prometheus_replica"\)/,
    );
  });

  const asTenant = (records = deduplicated()) =>
    mutateValues(records, "kube-prometheus-stack", "prometheus.prometheusSpec.remoteWrite", [
      { url: "http://mimir-gateway.mimir.svc/api/v1/push", headers: { "X-Scope-OrgID": "platform" } },
    ]);

  it("rejects a tenant override that turns accept_ha_samples off for the tenant Prometheus writes as", async () => {
    const records = mutateValues(asTenant(), "mimir", "runtimeConfig.overrides.platform.accept_ha_samples", false);
    const run = await runStackPolicy(mimirDeduplicatesPrometheusPair, records);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /for tenant "platform" .*overrides\.platform\.accept_ha_samples=false/);
  });

  it("rejects a tenant override of ha_replica_label that the operator does not send", async () => {
    const records = mutateValues(
      asTenant(),
      "mimir",
      "runtimeConfig.overrides.platform.ha_replica_label",
      "__replica__",
    );
    const run = await runStackPolicy(mimirDeduplicatesPrometheusPair, records);
    assert.match(run.violations[0].message, /ha_replica_label="__replica__" \(Prometheus sends "prometheus_replica"\)/);
  });

  it("ignores overrides of other tenants, and accepts an override that turns dedup on for the writing tenant", async () => {
    let records = mutateValues(asTenant(), "mimir", "runtimeConfig.overrides.team-x.accept_ha_samples", false);
    assert.deepEqual((await runStackPolicy(mimirDeduplicatesPrometheusPair, records)).violations, []);
    records = mutateValues(asTenant(deduplicated()), "mimir", "mimir.structuredConfig.limits.accept_ha_samples", false);
    records = mutateValues(records, "mimir", "runtimeConfig.overrides.platform.accept_ha_samples", true);
    assert.deepEqual((await runStackPolicy(mimirDeduplicatesPrometheusPair, records)).violations, []);
  });

  it("says nothing for a single Prometheus", async () => {
    const records = mutateValues(writing(), "kube-prometheus-stack", "prometheus.prometheusSpec.replicas", 1);
    assert.deepEqual((await runStackPolicy(mimirDeduplicatesPrometheusPair, records)).violations, []);
  });
});
