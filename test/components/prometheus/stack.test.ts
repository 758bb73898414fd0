import * as assert from "node:assert/strict";
import { valueOf } from "../../../tools/harness/mocks";
import { mockComponents } from "../mocked";
import { CHARTS, RELEASE_TIMEOUT_SECONDS } from "../../../components/shared/charts";
import { PROFILES, settingsFor } from "../fixtures";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";
const NAMESPACE = "kubernetes:core/v1:Namespace";
/** Recognisable gateway passwords per store and tenant: each must reach its Secret and nowhere else. */
const password = (store: string, tenant: string) => `mock-${store}-password-${tenant}-7f3a9c`;

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
        gatewayPasswords: {
          mimir: Object.fromEntries(settings.tenants.map((t) => [t, pulumi.secret(password("mimir", t))])),
          loki: Object.fromEntries(settings.tenants.map((t) => [t, pulumi.secret(password("loki", t))])),
        },
        overrides:
          profile === "prod"
            ? {
                prometheus: { prometheusSpec: { retention: "1d", externalLabels: { cluster: "prod-1" } } },
                grafana: { replicas: 2 },
              }
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
        // Prometheus writes as the stack's own tenant, with that tenant's credential.
        const mimirSecret = find(SECRET, `kps-${profile}-mimir-auth`);
        assert.equal(mimirSecret.inputs.metadata.namespace, settings.namespaces.monitoring);
        assert.deepEqual(mimirSecret.inputs.stringData, {
          username: settings.defaultTenant,
          password: password("mimir", settings.defaultTenant),
        });
        const adminSecret = find(SECRET, `kps-${profile}-grafana-admin`);
        assert.equal(adminSecret.inputs.stringData["admin-password"], adminPasswords[profile]);
        const datasourceSecret = find(SECRET, `kps-${profile}-datasource-credentials`);
        assert.equal(datasourceSecret.inputs.metadata.namespace, settings.namespaces.monitoring);
        assert.ok(adminPasswords[profile].length >= 32);

        const values = JSON.stringify(find(RELEASE, `kps-${profile}-release`).inputs.values);
        for (const store of ["mimir", "loki"]) {
          for (const tenant of settings.tenants)
            assert.ok(
              !values.includes(password(store, tenant)),
              `the ${store} password of ${tenant} leaked into the Helm values`,
            );
        }
        assert.ok(!values.includes(adminPasswords[profile]), "the Grafana admin password leaked into the Helm values");
        const parsed = JSON.parse(values);
        assert.equal(parsed.grafana.admin.existingSecret, adminSecret.inputs.metadata.name);
        assert.equal(
          parsed.prometheus.prometheusSpec.remoteWrite[0].basicAuth.password.name,
          mimirSecret.inputs.metadata.name,
        );
        // Each datasource's password env var resolves, through the Secret, to its own store's password for its own tenant.
        for (const ds of parsed.grafana.additionalDataSources) {
          const store = ds.type === "prometheus" ? "mimir" : "loki";
          const env = /^\$\{(\w+)\}$/.exec(ds.secureJsonData.basicAuthPassword)![1];
          const ref = parsed.grafana.envValueFrom[env].secretKeyRef;
          assert.equal(ref.name, datasourceSecret.inputs.metadata.name);
          assert.equal(
            datasourceSecret.inputs.stringData[ref.key],
            password(store, ds.basicAuthUser),
            `${ds.name} logs in with its tenant's password`,
          );
        }
      });

      it("creates the Secrets before the release that references them", () => {
        const release = mocked.registrations.find(RELEASE, `kps-${profile}-release`);
        assert.ok(
          mocked.registrations.dependsOn(release, mocked.registrations.find(SECRET, `kps-${profile}-mimir-auth`)),
        );
        assert.ok(
          mocked.registrations.dependsOn(
            release,
            mocked.registrations.find(SECRET, `kps-${profile}-datasource-credentials`),
          ),
        );
        assert.ok(
          mocked.registrations.dependsOn(release, mocked.registrations.find(SECRET, `kps-${profile}-grafana-admin`)),
        );
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
    assert.equal(
      find(RELEASE, "kps-dev-release").inputs.values.prometheus.prometheusSpec.retention,
      settingsFor("dev").prometheus.retention,
    );
  });
});
