import { strict as assert } from "assert";
import { prometheusOperatorFlagsValid } from "../../../../policies/rules/rollout/prometheus-operator-flags-valid";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

const KPS = "kube-prometheus-stack";
const withValue = (path: string, value: unknown, records = compliantStack()) => mutateValues(records, KPS, path, value);

async function violations(records: ReturnType<typeof compliantStack>): Promise<string[]> {
  return (await runStackPolicy(prometheusOperatorFlagsValid, records)).violations.map((v) => v.message);
}

async function refuses(records: ReturnType<typeof compliantStack>, pattern: RegExp): Promise<void> {
  const messages = await violations(records);
  assert.equal(messages.length, 1, messages.join("\n"));
  assert.match(messages[0], pattern);
}

describe("policy prometheus-operator-flags-valid (U10)", () => {
  it("passes the compliant fixture (chart defaults)", async () => {
    assert.deepEqual(await violations(compliantStack()), []);
  });

  it("rejects kubelet Endpoints and EndpointSlices both off while the kubelet Service is managed", async () => {
    await refuses(
      withValue("prometheusOperator.kubeletEndpointsEnabled", false),
      /kubeletEndpointsEnabled=false and .*kubeletEndpointSliceEnabled=false \(chart default\) while prometheusOperator\.kubeletService\.enabled is true \(chart default\).*"at least one of endpoints or endpointslice needs to be enabled".*crash-loops/,
    );
  });

  it("rejects namespaces with denyNamespaces, an unknown feature gate and an unknown log level or format", async () => {
    await refuses(
      withValue(
        "prometheusOperator.denyNamespaces",
        ["kube-system"],
        withValue("prometheusOperator.namespaces", { releaseNamespace: true }),
      ),
      /prometheusOperator\.namespaces=\{"releaseNamespace":true\} and .*denyNamespaces=\["kube-system"\]: .*returns 1 at start-up/,
    );
    await refuses(
      withValue("prometheusOperator.featureGates", { PrometheusAgentDaemonSet: true, AutoGOMemLimit: true }),
      /featureGates\.AutoGOMemLimit: .*\(feature gate "AutoGOMemLimit" is unknown, /,
    );
    await refuses(
      withValue("prometheusOperator.logLevel", "verbose"),
      /logLevel=verbose: .*log log_level verbose unknown/,
    );
    await refuses(withValue("prometheusOperator.logFormat", "text"), /logFormat=text: .*log format text unknown/);
  });

  it("passes benign neighbours", async () => {
    const stacks = [
      withValue(
        "prometheusOperator.kubeletEndpointSliceEnabled",
        true,
        withValue("prometheusOperator.kubeletEndpointsEnabled", false),
      ),
      // No kubelet Service: the kubelet controller is not started (--kubelet-service is not rendered).
      withValue(
        "prometheusOperator.kubeletEndpointsEnabled",
        false,
        withValue("prometheusOperator.kubeletService.enabled", false),
      ),
      withValue("prometheusOperator.namespaces", { releaseNamespace: true, additional: ["kube-system"] }),
      withValue("prometheusOperator.denyNamespaces", ["kube-system"]),
      withValue("prometheusOperator.featureGates", { PrometheusTopologySharding: false }),
      withValue("prometheusOperator.logLevel", "WARN"),
      withValue("prometheusOperator.logFormat", "json"),
      // Operator off: nothing is rendered.
      withValue("prometheusOperator.kubeletEndpointsEnabled", false, withValue("prometheusOperator.enabled", false)),
      withValue("prometheusOperator.kubeletEndpointsEnabled", UNKNOWN),
    ];
    for (const stack of stacks) assert.deepEqual(await violations(stack), []);
  });
});
