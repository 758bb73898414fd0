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
  it("rejects admission webhooks (or their patch Jobs) off while the operator mounts the TLS Secret they make", async () => {
    await refuses(
      withValue("prometheusOperator.admissionWebhooks.enabled", false),
      /admissionWebhooks\.enabled=false while prometheusOperator\.tls\.enabled is true \(chart default\): the operator pod mounts Secret "kps-kube-prometheus-stack-admission" .*stays ContainerCreating/,
    );
    await refuses(
      withValue("prometheusOperator.admissionWebhooks.patch.enabled", false),
      /patch\.enabled=false .*-admission/,
    );
  });

  it("accepts webhooks off with TLS off, with cert-manager, or with the Secret declared by the stack", async () => {
    const off = () => withValue("prometheusOperator.admissionWebhooks.enabled", false);
    const declared = [
      ...off(),
      {
        type: "kubernetes:core/v1:Secret",
        name: "operator-tls",
        props: { metadata: { name: "kps-kube-prometheus-stack-admission", namespace: "monitoring" }, type: "Opaque" },
      },
    ];
    for (const stack of [
      withValue("prometheusOperator.tls.enabled", false, off()),
      withValue("prometheusOperator.admissionWebhooks.certManager.enabled", true, off()),
      declared,
    ])
      assert.deepEqual(await violations(stack), []);
    const elsewhere = structuredClone(declared);
    (elsewhere[elsewhere.length - 1].props as { metadata: { namespace: string } }).metadata.namespace = "default";
    assert.equal((await violations(elsewhere)).length, 1, "the Secret must be in the release namespace");
  });

  it("rejects hostNetwork with the operator on the kubelet's port 10250 (the chart default)", async () => {
    await refuses(
      withValue("prometheusOperator.hostNetwork", true),
      /prometheusOperator\.hostNetwork=true runs the operator in the node's network, where it listens on :10250 \(prometheusOperator\.tls\.internalPort default 10250.*the kubelet API port.*"address already in use".*crash-loops/,
    );
    await refuses(
      withValue("prometheusOperator.tls.internalPort", 10256, withValue("prometheusOperator.hostNetwork", true)),
      /listens on :10256 .*kube-proxy's healthz port/,
    );
  });

  it("accepts hostNetwork on a free port, or with TLS off (:8080), and the port alone without hostNetwork", async () => {
    const host = () => withValue("prometheusOperator.hostNetwork", true);
    for (const stack of [
      withValue("prometheusOperator.tls.internalPort", 10260, host()),
      withValue("prometheusOperator.tls.enabled", false, host()),
      withValue("prometheusOperator.tls.internalPort", 10250),
    ])
      assert.deepEqual(await violations(stack), []);
  });
});
