import { strict as assert } from "assert";
import { kubeletMonitorFindsTargets } from "../../../../policies/rules/wiring/kubelet-monitor-finds-targets";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

const KPS = "kube-prometheus-stack";
const withValue = (path: string, value: unknown, records = compliantStack()) => mutateValues(records, KPS, path, value);
const slicesOnly = () =>
  withValue(
    "prometheusOperator.kubeletEndpointSliceEnabled",
    true,
    withValue("prometheusOperator.kubeletEndpointsEnabled", false),
  );

async function violations(records: ReturnType<typeof compliantStack>): Promise<string[]> {
  return (await runStackPolicy(kubeletMonitorFindsTargets, records)).violations.map((v) => v.message);
}

describe("policy kubelet-monitor-finds-targets (W18)", () => {
  it("passes the compliant fixture (Endpoints, discovered with the default Endpoints role)", async () => {
    assert.deepEqual(await violations(compliantStack()), []);
  });

  it("rejects EndpointSlices only while Prometheus discovers with the Endpoints role", async () => {
    const messages = await violations(slicesOnly());
    assert.equal(messages.length, 1, messages.join("\n"));
    assert.match(
      messages[0],
      /kubeletEndpointsEnabled=false with .*kubeletEndpointSliceEnabled=true: .*only as an EndpointSlice.*serviceDiscoveryRole unset .*Endpoints role.*never the reverse.*no kubelet_\* .* container_\* series.*MimirDistributorMemoryNearLimit/,
    );
    const explicit = await violations(
      withValue("prometheus.prometheusSpec.serviceDiscoveryRole", "Endpoints", slicesOnly()),
    );
    assert.equal(explicit.length, 1);
  });

  it("rejects no kubelet Service while the kubelet ServiceMonitor is rendered", async () => {
    const messages = await violations(withValue("prometheusOperator.kubeletService.enabled", false));
    assert.equal(messages.length, 1, messages.join("\n"));
    assert.match(
      messages[0],
      /kubeletService\.enabled=false while the kubelet ServiceMonitor is rendered.*nothing creates the kubelet Service/,
    );
  });

  it("passes benign neighbours", async () => {
    const stacks = [
      withValue("prometheus.prometheusSpec.serviceDiscoveryRole", "EndpointSlice", slicesOnly()),
      // Endpoints only with the EndpointSlice role: Kubernetes mirrors the Endpoints into EndpointSlices.
      withValue("prometheus.prometheusSpec.serviceDiscoveryRole", "EndpointSlice"),
      withValue("prometheusOperator.kubeletEndpointSliceEnabled", true),
      // Both off is U10's (the operator does not start).
      withValue("prometheusOperator.kubeletEndpointsEnabled", false),
      withValue("kubelet.serviceMonitor.enabled", false, slicesOnly()),
      withValue("prometheusOperator.kubeletService.enabled", false, withValue("kubelet.enabled", false)),
      withValue("prometheusOperator.kubeletEndpointsEnabled", UNKNOWN, slicesOnly()),
    ];
    for (const stack of stacks) assert.deepEqual(await violations(stack), []);
  });
});
