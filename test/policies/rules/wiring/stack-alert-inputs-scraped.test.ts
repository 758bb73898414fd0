import { strict as assert } from "assert";
import { seriesNames, stackAlertInputsScraped } from "../../../../policies/rules/wiring/stack-alert-inputs-scraped";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const KPS = "kube-prometheus-stack";
const withValue = (path: string, value: unknown, records = withRules()) => mutateValues(records, KPS, path, value);
/** The shapes of components/alerts/rules.ts memory() and kafkaDisk(). */
const RULES = {
  MimirDistributorMemoryNearLimit:
    'max by (namespace, pod) (container_memory_working_set_bytes{namespace="mimir", container="distributor"}) / max by (namespace, pod) (kube_pod_container_resource_limits{namespace="mimir", container="distributor", resource="memory"}) > 0.8',
  StackContainerOOMKilled:
    'max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}) == 1 and on (namespace, pod, container) increase(kube_pod_container_status_restarts_total[15m]) > 0',
  KafkaBrokerDiskAlmostFull:
    '(kubelet_volume_stats_available_bytes{namespace="kafka"} / kubelet_volume_stats_capacity_bytes{namespace="kafka"}) < 0.05',
};
function withRules(records = compliantStack()) {
  return [
    ...records,
    {
      type: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
      name: "stack-alerts-rules",
      props: {
        metadata: { name: "observability-stack-alerts", namespace: "monitoring" },
        spec: { groups: [{ name: "g", rules: Object.entries(RULES).map(([alert, expr]) => ({ alert, expr })) }] },
      },
    },
  ];
}

async function advisories(records: ReturnType<typeof compliantStack>): Promise<string[]> {
  return (await runStackPolicy(stackAlertInputsScraped, records)).advisories.map((v) => v.message);
}

describe("policy stack-alert-inputs-scraped (Q12)", () => {
  it("reads metric names, not label names, functions or strings", () => {
    assert.deepEqual(seriesNames(RULES.StackContainerOOMKilled).sort(), [
      "kube_pod_container_status_last_terminated_reason",
      "kube_pod_container_status_restarts_total",
    ]);
    assert.deepEqual(seriesNames('sum by (node_name) (rate(x_total{kube_label="node_y"}[5m]))'), ["x_total"]);
  });

  it("passes the compliant fixture with the stack's rules (every exporter on)", async () => {
    assert.deepEqual(await advisories(withRules()), []);
  });

  it("warns when kube-state-metrics, the cAdvisor or the kubelet endpoint the rules read is off", async () => {
    const ksm = await advisories(withValue("kubeStateMetrics.enabled", false));
    assert.equal(ksm.length, 1, ksm.join("\n"));
    assert.match(
      ksm[0],
      /kubeStateMetrics\.enabled=false: nothing in the stack scrapes kube-state-metrics, yet the stack's own rules read its series kube_pod_container_resource_limits, kube_pod_container_status_last_terminated_reason, kube_pod_container_status_restarts_total \(MimirDistributorMemoryNearLimit .*StackContainerOOMKilled .*can never fire/,
    );
    const cadvisor = await advisories(withValue("kubelet.serviceMonitor.cAdvisor", false));
    assert.match(
      cadvisor.join("\n"),
      /cAdvisor=false: nothing in the stack scrapes the kubelet's cAdvisor endpoint.*container_memory_working_set_bytes/,
    );
    const kubelet = await advisories(withValue("kubelet.enabled", false));
    assert.equal(kubelet.length, 2, kubelet.join("\n"));
    assert.match(kubelet.join("\n"), /kubelet_volume_stats_available_bytes.*KafkaBrokerDiskAlmostFull/);
  });

  it("passes benign neighbours: an exporter no rule reads, no rules, Prometheus off", async () => {
    assert.deepEqual(await advisories(withValue("nodeExporter.enabled", false)), []);
    assert.deepEqual(await advisories(mutateValues(compliantStack(), KPS, "kubeStateMetrics.enabled", false)), []);
    assert.deepEqual(
      await advisories(withValue("kubeStateMetrics.enabled", false, withValue("prometheus.enabled", false))),
      [],
    );
  });
});
