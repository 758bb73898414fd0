import { strict as assert } from "assert";
import { prometheusSelectsStackMonitors } from "../../../../policies/rules/wiring/prometheus-selects-stack-monitors";
import { compliantStack, mutateValues, T } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const KPS = "kube-prometheus-stack";
const SPEC = "prometheus.prometheusSpec";
const run = (records = compliantStack()) => runStackPolicy(prometheusSelectsStackMonitors, records);
const spec = (key: string, value: unknown, records = compliantStack()) =>
  mutateValues(records, KPS, `${SPEC}.${key}`, value);
const selectAll = (records = compliantStack()) =>
  ["serviceMonitor", "podMonitor", "rule"].reduce((r, k) => spec(`${k}SelectorNilUsesHelmValues`, false, r), records);
const withLokiMonitor = (records = compliantStack()) =>
  mutateValues(records, "loki", "monitoring.serviceMonitor.enabled", true);
const withAlertsRule = (labels: Record<string, string>, records = compliantStack()) => [
  ...records,
  {
    type: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    name: "stack-alerts-rules",
    props: { metadata: { name: "observability-stack-alerts", namespace: "monitoring", labels }, spec: { groups: [] } },
  },
];

describe("policy prometheus-selects-stack-monitors (W13)", () => {
  it("passes the compliant fixture (the chart's release=<release> selectors and its own monitors)", async () => {
    assert.deepEqual((await run()).violations, []);
    assert.deepEqual((await run(selectAll(withLokiMonitor()))).violations, []);
  });

  it("rejects a serviceMonitorSelector no stack ServiceMonitor matches: Prometheus scrapes nothing", async () => {
    const result = await run(spec("serviceMonitorSelector", { matchLabels: { team: "platform" } }));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /serviceMonitorSelector=\{"matchLabels":\{"team":"platform"\}\}, serviceMonitorNamespaceSelector from .* does not select \d+ of the stack's \d+ ServiceMonitor\(s\): Prometheus scrapes none of their targets, so those metrics are neither stored locally nor remote-written to Mimir.*silent loss.*Not selected: .*ServiceMonitor kubelet/,
    );
  });

  it("rejects the chart's default release selector with Loki's ServiceMonitor, which carries no release label", async () => {
    const result = await run(withLokiMonitor());
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /serviceMonitorSelectorNilUsesHelmValues=true \(chart default\), which selects release=kps, .* does not select 1 of .*loki release "loki" ServiceMonitor/,
    );
  });

  it("rejects a ruleSelector set to null with NilUsesHelmValues false: the nil selector selects no rule", async () => {
    const records = spec("ruleSelector", null, spec("ruleSelectorNilUsesHelmValues", false));
    const result = await run(records);
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0].message, /nil ruleSelector selects no PrometheusRule .*never evaluated/);
  });

  it("rejects a ruleNamespaceSelector that misses the monitoring namespace, and the stack's alerts rule a ruleSelector misses", async () => {
    const ns = await run(spec("ruleNamespaceSelector", { matchLabels: { "kubernetes.io/metadata.name": "mimir" } }));
    assert.match(ns.violations[0]?.message ?? "", /ruleNamespaceSelector from .* does not select .*PrometheusRule/);
    const records = withAlertsRule({ "app.kubernetes.io/part-of": "observability-stack" });
    const rule = await run(records);
    assert.match(
      rule.violations[0]?.message ?? "",
      /does not select 1 of the stack.s 2 PrometheusRule\(s\): .*Not selected: PrometheusRule "observability-stack-alerts"/,
    );
  });

  it("rejects a label only the chart's own templates carry: the subcharts' monitors (kube-state-metrics ...) lack heritage", async () => {
    const result = await run(spec("serviceMonitorSelector", { matchLabels: { release: "kps", heritage: "Helm" } }));
    assert.match(
      result.violations[0]?.message ?? "",
      /does not select 3 of .*ServiceMonitor kube-state-metrics \(subchart\)/,
    );
  });

  it("rejects matchExpressions that exclude the stack's monitors, and agent mode with the stack's rules", async () => {
    const notIn = { matchExpressions: [{ key: "release", operator: "NotIn", values: ["kps"] }] };
    assert.equal((await run(spec("serviceMonitorSelector", notIn))).violations.length, 1);
    const missing = { matchExpressions: [{ key: "team", operator: "Exists" }] };
    assert.equal((await run(spec("serviceMonitorSelector", missing))).violations.length, 1);
    const agent = await run(mutateValues(compliantStack(), KPS, "prometheus.agentMode", true));
    assert.match(
      agent.violations[0]?.message ?? "",
      /agentMode=true renders a PrometheusAgent, which has no ruleSelector/,
    );
  });

  it("accepts {} selectors, the release label, labels the chart's monitors carry, templated and matching expressions", async () => {
    assert.deepEqual((await run(spec("serviceMonitorSelector", {}))).violations, []);
    assert.deepEqual((await run(spec("serviceMonitorSelector", { matchLabels: { release: "kps" } }))).violations, []);
    const extra = { matchLabels: { release: "kps", "app.kubernetes.io/instance": "kps" } };
    assert.deepEqual((await run(spec("serviceMonitorSelector", extra))).violations, []);
    const templated = { matchLabels: { release: "{{ $.Release.Name }}" } };
    assert.deepEqual((await run(spec("serviceMonitorSelector", templated))).violations, []);
    const inList = { matchExpressions: [{ key: "release", operator: "In", values: ["kps", "other"] }] };
    assert.deepEqual((await run(spec("ruleSelector", inList))).violations, []);
    const namespaces = {
      matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["monitoring", "loki"] }],
    };
    assert.deepEqual(
      (await run(spec("serviceMonitorNamespaceSelector", namespaces, selectAll(withLokiMonitor())))).violations,
      [],
    );
    // The program's alerts rule carries release=<kube-prometheus-stack release>: the chart's default selector takes it.
    assert.deepEqual((await run(withAlertsRule({ release: "kps" }))).violations, []);
  });

  it("judges nothing where the stack renders no object of a kind (PodMonitors)", async () => {
    assert.deepEqual((await run(spec("podMonitorSelector", { matchLabels: { team: "x" } }))).violations, []);
    assert.ok(T.release);
  });
});
