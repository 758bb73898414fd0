import { strict as assert } from "assert";
import { mimirBurstHoldsRemoteWriteRequest } from "../../../../policies/rules/mimir/burst-holds-remote-write-request";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const remoteWrite = (queueConfig: Record<string, unknown>, tenant = "team-a") =>
  mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.prometheusSpec.remoteWrite", [
    { url: "http://mimir-gateway.mimir.svc/api/v1/push", headers: { "X-Scope-OrgID": tenant }, queueConfig },
  ]);

describe("policy mimir-burst-holds-remote-write-request (M10)", () => {
  it("passes Mimir's default burst against Prometheus' default request", async () => {
    assert.deepEqual((await runStackPolicy(mimirBurstHoldsRemoteWriteRequest, remoteWrite({}))).violations, []);
  });

  it("rejects a request larger than the default burst", async () => {
    let records = remoteWrite({ maxSamplesPerSend: 5000 });
    records = mutateValues(records, "mimir", "mimir.structuredConfig.limits.ingestion_burst_size", 4000);
    const run = await runStackPolicy(mimirBurstHoldsRemoteWriteRequest, records);
    assert.match(
      run.violations[0].message,
      /limits\.ingestion_burst_size=4000 < one remote-write request of kube-prometheus-stack release "kps" \(.*maxSamplesPerSend=5000\) for tenant "team-a": .*429 to every request/,
    );
  });

  it("judges the sending tenant's own override", async () => {
    const records = mutateValues(remoteWrite({}), "mimir", "runtimeConfig.overrides.team-a", {
      ingestion_burst_size: 1000,
    });
    const run = await runStackPolicy(mimirBurstHoldsRemoteWriteRequest, records);
    assert.match(
      run.violations[0].message,
      /runtimeConfig\.overrides\["team-a"\]\.ingestion_burst_size=1000 < one remote-write request .*Prometheus default max_samples_per_send=2000/,
    );
  });

  it("judges Alloy's prometheus.remote_write too, with its own max_samples_per_send", async () => {
    const alloyConfig = `prometheus.remote_write "mimir" {
  endpoint {
    url = "http://mimir-gateway.mimir.svc/api/v1/push"
    headers = {
      "X-Scope-OrgID" = "team-a",
    }
    queue_config {
      max_samples_per_send = 5000
    }
  }
}
`;
    let records = mutateValues(compliantStack(), "alloy", "alloy.configMap.content", alloyConfig);
    records = mutateValues(records, "mimir", "mimir.structuredConfig.limits.ingestion_burst_size", 4000);
    const run = await runStackPolicy(mimirBurstHoldsRemoteWriteRequest, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /ingestion_burst_size=4000 < one remote-write request of alloy release "alloy" prometheus\.remote_write "mimir" \(.*queue_config max_samples_per_send=5000\) for tenant "team-a"/,
    );
  });
});
