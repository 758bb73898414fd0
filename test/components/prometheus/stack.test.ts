import * as assert from "node:assert/strict";
import { valueOf } from "../../../tools/harness/mocks";
import { mockComponents } from "../mocked";
import { CHARTS, RELEASE_TIMEOUT_SECONDS } from "../../../components/shared/charts";
import { PROFILES, settingsFor } from "../fixtures";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";
const NAMESPACE = "kubernetes:core/v1:Namespace";
/** A recognisable Mimir password: it must reach the Secret and nowhere else. */
const MIMIR_PASSWORD = "mock-mimir-password-7f3a9c";
/** The same for Loki's gateway password (Grafana's Loki datasource). */
const LOKI_PASSWORD = "mock-loki-password-2b8e51";


describe("PrometheusOperatorCrds and KubePrometheusStack (registered resources under mocks)", () => {
  const adminPasswords: Record<string, string> = {};

  const mocked = mockComponents("prometheus", async () => {
    const k8s = await import("@pulumi/kubernetes");
    const pulumi = await import("@pulumi/pulumi");
    const prometheus = await import("../../../components/prometheus");
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });

    for (const profile of PROFILES) {
      const settings = settingsFor(profile);
      const crds = new prometheus.PrometheusOperatorCrds(`crds-${profile}`, { settings, provider });
      const stack = new prometheus.KubePrometheusStack(`kps-${profile}`, {
        settings,
        provider,
        crds,
        storageClassName: "gp3",
        mimirAuth: { username: "prometheus", password: pulumi.secret(MIMIR_PASSWORD) },
        lokiAuth: { username: "loki", password: pulumi.secret(LOKI_PASSWORD) },
        overrides:
          profile === "prod"
            ? { prometheus: { prometheusSpec: { retention: "1d", externalLabels: { cluster: "prod-1" } } }, grafana: { replicas: 2 } }
            : undefined,
      });
      adminPasswords[profile] = await valueOf(stack.grafanaAdminPassword);
    }
  });
  const { find } = mocked;

  for (const profile of PROFILES) {
    describe(`${profile} profile`, () => {
      const settings = settingsFor(profile);

      it("installs the CRDs as their own pinned release in the monitoring namespace it creates", () => {
        const ns = find(NAMESPACE, `crds-${profile}-namespace`);
        assert.equal(ns.inputs.metadata.name, settings.namespaces.monitoring);
        const crds = find(RELEASE, `crds-${profile}-release`);
        assert.equal(crds.inputs.name, settings.releases.prometheusCrds);
        assert.equal(crds.inputs.chart, "prometheus-operator-crds");
        assert.equal(crds.inputs.version, CHARTS.prometheusOperatorCrds.version);
        assert.match(crds.inputs.version, /^\d+\.\d+\.\d+$/);
        assert.equal(crds.inputs.namespace, settings.namespaces.monitoring);
        assert.equal(crds.inputs.repositoryOpts.repo, CHARTS.prometheusOperatorCrds.repo);
      });

      it("installs the stack after the CRDs release, with its own CRD install off", () => {
        const stack = find(RELEASE, `kps-${profile}-release`);
        assert.equal(stack.inputs.name, settings.releases.kubePrometheusStack);
        assert.equal(stack.inputs.chart, CHARTS.kubePrometheusStack.chart);
        assert.equal(stack.inputs.version, CHARTS.kubePrometheusStack.version);
        assert.equal(stack.inputs.namespace, settings.namespaces.monitoring);
        assert.equal(stack.inputs.timeout, RELEASE_TIMEOUT_SECONDS);
        assert.equal(stack.inputs.skipCrds, true);
        assert.equal(stack.inputs.values.crds.enabled, false);
        const stackReg = mocked.registrations.find(RELEASE, `kps-${profile}-release`);
        const crdsReg = mocked.registrations.find(RELEASE, `crds-${profile}-release`);
        assert.ok(mocked.registrations.dependsOn(stackReg, crdsReg), "the stack must wait for the CRDs release");
        assert.ok(!mocked.registrations.dependsOn(crdsReg, stackReg));
      });

      it("registers retention, retentionSize, the tenant header and the apiserver drops in the release values", () => {
        const spec = find(RELEASE, `kps-${profile}-release`).inputs.values.prometheus.prometheusSpec;
        if (profile !== "prod") assert.equal(spec.retention, settings.prometheus.retention);
        assert.equal(spec.retentionSize, settings.prometheus.retentionSize);
        assert.equal(spec.remoteWrite[0].headers["X-Scope-OrgID"], settings.defaultTenant);
        assert.match(spec.remoteWrite[0].writeRelabelConfigs[0].regex, /apiserver_request_duration_seconds_bucket/);
      });

      it("keeps the gateway and admin passwords in Secrets of the monitoring namespace and out of the Helm values", () => {
        const mimirSecret = find(SECRET, `kps-${profile}-mimir-auth`);
        assert.equal(mimirSecret.inputs.metadata.namespace, settings.namespaces.monitoring);
        assert.equal(mimirSecret.inputs.stringData.password, MIMIR_PASSWORD);
        const adminSecret = find(SECRET, `kps-${profile}-grafana-admin`);
        assert.equal(adminSecret.inputs.stringData["admin-password"], adminPasswords[profile]);
        const lokiSecret = find(SECRET, `kps-${profile}-loki-auth`);
        assert.equal(lokiSecret.inputs.metadata.namespace, settings.namespaces.monitoring);
        assert.equal(lokiSecret.inputs.stringData.password, LOKI_PASSWORD);
        assert.equal(lokiSecret.inputs.stringData.username, "loki");
        assert.ok(adminPasswords[profile].length >= 32);

        const values = JSON.stringify(find(RELEASE, `kps-${profile}-release`).inputs.values);
        assert.ok(!values.includes(MIMIR_PASSWORD), "the Mimir password leaked into the Helm values");
        assert.ok(!values.includes(LOKI_PASSWORD), "the Loki password leaked into the Helm values");
        assert.ok(!values.includes(adminPasswords[profile]), "the Grafana admin password leaked into the Helm values");
        const parsed = JSON.parse(values);
        assert.equal(parsed.grafana.admin.existingSecret, adminSecret.inputs.metadata.name);
        assert.equal(parsed.prometheus.prometheusSpec.remoteWrite[0].basicAuth.password.name, mimirSecret.inputs.metadata.name);
        const loki = parsed.grafana.additionalDataSources.find((d: any) => d.name === "Loki");
        assert.equal(loki.basicAuth, true);
        const lokiPasswordEnv = /^\$\{(\w+)\}$/.exec(loki.secureJsonData.basicAuthPassword)![1];
        assert.deepEqual(parsed.grafana.envValueFrom[lokiPasswordEnv].secretKeyRef, { name: lokiSecret.inputs.metadata.name, key: "password" });
      });

      it("creates the Secrets before the release that references them", () => {
        const release = mocked.registrations.find(RELEASE, `kps-${profile}-release`);
        assert.ok(mocked.registrations.dependsOn(release, mocked.registrations.find(SECRET, `kps-${profile}-mimir-auth`)));
        assert.ok(mocked.registrations.dependsOn(release, mocked.registrations.find(SECRET, `kps-${profile}-loki-auth`)));
        assert.ok(mocked.registrations.dependsOn(release, mocked.registrations.find(SECRET, `kps-${profile}-grafana-admin`)));
      });
    });
  }

  it("deep-merges overrides.kubePrometheusStack last: the override wins, the rest stays", () => {
    const values = find(RELEASE, "kps-prod-release").inputs.values;
    assert.equal(values.prometheus.prometheusSpec.retention, "1d");
    assert.deepEqual(values.prometheus.prometheusSpec.externalLabels, { cluster: "prod-1" });
    assert.equal(values.grafana.replicas, 2);
    assert.equal(values.prometheus.prometheusSpec.retentionSize, settingsFor("prod").prometheus.retentionSize);
    assert.equal(values.grafana.admin.existingSecret, "grafana-admin");
    assert.equal(find(RELEASE, "kps-dev-release").inputs.values.prometheus.prometheusSpec.retention, settingsFor("dev").prometheus.retention);
  });
});
