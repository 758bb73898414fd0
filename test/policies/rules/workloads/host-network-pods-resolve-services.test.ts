import { strict as assert } from "assert";
import { hostNetworkPodsResolveServices } from "../../../../policies/rules/workloads/host-network-pods-resolve-services";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const run = (records: ReturnType<typeof compliantStack>) => runStackPolicy(hostNetworkPodsResolveServices, records);
const KPS = "kube-prometheus-stack";

describe("policy host-network-pods-resolve-services (P6)", () => {
  it("passes the compliant fixture, hostNetwork with ClusterFirstWithHostNet or None, and operator-defaulted specs", async () => {
    assert.deepEqual((await run(compliantStack())).violations, []);
    let records = mutateValues(compliantStack(), "alloy", "controller.hostNetwork", true);
    records = mutateValues(records, "alloy", "controller.dnsPolicy", "ClusterFirstWithHostNet");
    assert.deepEqual((await run(records)).violations, []);
    records = mutateValues(records, "alloy", "controller.dnsPolicy", "None");
    assert.deepEqual((await run(records)).violations, []);
    // prometheus-operator sets ClusterFirstWithHostNet itself when dnsPolicy is unset.
    records = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.hostNetwork", true);
    records = mutateValues(records, KPS, "prometheus.prometheusSpec.remoteWrite", [
      { url: "http://mimir-gateway.mimir.svc/api/v1/push" },
    ]);
    records = mutateValues(records, KPS, "alertmanager.alertmanagerSpec.hostNetwork", true);
    assert.deepEqual((await run(records)).violations, []);
  });

  it("rejects Alloy on the host network with the chart's ClusterFirst (held-out g23)", async () => {
    const result = await run(mutateValues(compliantStack(), "alloy", "controller.hostNetwork", true));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /controller\.hostNetwork=true runs .*controller pods on the host network with the chart's controller\.dnsPolicy=ClusterFirst: .*cannot resolve the Service names its config dials \(loki-gateway\.loki\.svc.*Fix: set controller\.dnsPolicy to ClusterFirstWithHostNet/,
    );
  });

  it("rejects an explicit ClusterFirst on a host-network Prometheus that remote-writes to a Service", async () => {
    let records = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.hostNetwork", true);
    records = mutateValues(records, KPS, "prometheus.prometheusSpec.dnsPolicy", "ClusterFirst");
    // Without an in-cluster remote-write target nothing is dialled by name.
    assert.deepEqual((await run(records)).violations, []);
    records = mutateValues(records, KPS, "prometheus.prometheusSpec.remoteWrite", [
      { url: "http://mimir-gateway.mimir.svc/api/v1/push" },
    ]);
    const result = await run(records);
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0].message, /prometheusSpec\.dnsPolicy=ClusterFirst.*mimir-gateway\.mimir\.svc/);
  });
});
