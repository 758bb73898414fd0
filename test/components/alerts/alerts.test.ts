import * as assert from "node:assert/strict";
import { mockComponents } from "../mocked";
import { buildKubePrometheusStackValues, stackSelectsRule } from "../../../components/prometheus/values";
import { FAILURE_MODES } from "../../../components/alerts/rules";
import { PROFILES, settingsFor } from "../fixtures";

const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("StackAlerts component (registered resources under mocks)", () => {
  const mocked = mockComponents("alerts", async () => {
    const k8s = await import("@pulumi/kubernetes");
    const { PrometheusOperatorCrds } = await import("../../../components/prometheus/crds");
    const { StackAlerts } = await import("../../../components/alerts");
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    for (const profile of PROFILES) {
      const settings = settingsFor(profile);
      const crds = new PrometheusOperatorCrds(`crds-${profile}`, { settings, provider });
      new StackAlerts(`alerts-${profile}`, { settings, provider, crds });
    }
  });
  const { find } = mocked;

  for (const profile of PROFILES) {
    describe(`${profile} profile`, () => {
      const settings = settingsFor(profile);

      it("creates one PrometheusRule in the monitoring namespace covering every failure mode", () => {
        const rule = find(RULE, `alerts-${profile}-rules`);
        assert.equal(rule.inputs.apiVersion, "monitoring.coreos.com/v1");
        assert.equal(rule.inputs.kind, "PrometheusRule");
        assert.equal(rule.inputs.metadata.namespace, settings.namespaces.monitoring);
        const modes = new Set(
          rule.inputs.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.labels.failure_mode)),
        );
        assert.deepEqual([...modes].sort(), [...FAILURE_MODES].sort());
      });

      it("is selected by the stack's Prometheus, with our values and with the chart's default selector", () => {
        const labels = find(RULE, `alerts-${profile}-rules`).inputs.metadata.labels;
        const release = settings.releases.kubePrometheusStack;
        const ours = buildKubePrometheusStackValues(settings, {
          storageClassName: "gp3",
          mimirAuthSecret: { name: "a", usernameKey: "u", passwordKey: "p" },
          datasourceSecretName: "d",
          grafanaAdminSecret: { name: "g", userKey: "u", passwordKey: "p" },
        });
        assert.ok(stackSelectsRule(ours, release, labels));
        assert.ok(
          stackSelectsRule(
            { prometheus: { prometheusSpec: { ruleSelectorNilUsesHelmValues: true } } },
            release,
            labels,
          ),
        );
      });

      it("waits for the CRDs release", () => {
        const rule = mocked.registrations.find(RULE, `alerts-${profile}-rules`);
        assert.ok(mocked.registrations.dependsOn(rule, mocked.registrations.find(RELEASE, `crds-${profile}-release`)));
      });
    });
  }
});
