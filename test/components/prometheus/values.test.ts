import * as assert from "node:assert/strict";
import { deriveSettings, resolveConfig, Settings, StackConfig } from "../../../settings";
import { parseDuration } from "../../../settings/durations";
import {
  APISERVER_HISTOGRAM_BUCKETS,
  assertRetentionSizeFitsVolume,
  buildKubePrometheusStackValues,
  byteSize,
  datasourcePasswordKey,
  datasourceUid,
  grafanaPasswordEnv,
  KubePrometheusStackInputs,
  stackSelectsRule,
  TENANT_HEADER,
} from "../../../components/prometheus/values";

const PROFILES = ["dev", "staging", "prod"] as const;
const INPUTS: KubePrometheusStackInputs = {
  storageClassName: "gp3",
  mimirAuthSecret: { name: "mimir-auth", usernameKey: "user", passwordKey: "pass" },
  datasourceSecretName: "datasource-credentials",
  grafanaAdminSecret: { name: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
};

function load(raw: Record<string, string>): { config: StackConfig; settings: Settings } {
  const config = resolveConfig("observability-stack", raw);
  return { config, settings: deriveSettings(config) };
}

type V = Record<string, any>;

describe("kube-prometheus-stack values", () => {
  for (const profile of PROFILES) {
    describe(`${profile} profile`, () => {
      const { config, settings } = load({ profile });
      const values = buildKubePrometheusStackValues(settings, INPUTS) as V;
      const spec = values.prometheus.prometheusSpec;

      it("keeps the configured local retention and a retentionSize that fits the volume", () => {
        assert.equal(parseDuration(spec.retention), parseDuration(config.retention.prometheusLocal));
        const volumeBytes =
          parseInt(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage, 10) * 1024 ** 3;
        assert.match(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage, /^\d+Gi$/);
        assert.ok(
          byteSize(spec.retentionSize) < volumeBytes,
          `${spec.retentionSize} must be below the ${volumeBytes}-byte volume`,
        );
        assert.ok(byteSize(spec.retentionSize) > 0.5 * volumeBytes, "retentionSize should use most of the volume");
        assert.equal(spec.retentionSize, settings.prometheus.retentionSize);
        assert.equal(spec.storageSpec.volumeClaimTemplate.spec.storageClassName, "gp3");
      });

      it("scrapes with an HA pair in two AWS zones wherever the stack spans zones, one replica otherwise", () => {
        if (config.replication.zones >= 2) {
          assert.equal(spec.replicas, 2);
          // kube-prometheus-stack renders "hard" as required pod anti-affinity on this key (templates/prometheus/prometheus.yaml).
          assert.equal(spec.podAntiAffinity, "hard");
          assert.equal(spec.podAntiAffinityTopologyKey, "topology.kubernetes.io/zone");
          assert.deepEqual(values.prometheus.podDisruptionBudget, { enabled: true, minAvailable: 1 });
        } else {
          assert.equal(spec.replicas, 1);
          assert.equal(spec.podAntiAffinity, undefined);
          assert.equal(values.prometheus.podDisruptionBudget, undefined);
        }
      });

      it("remote-writes to Mimir's gateway as the default tenant with credentials from a Secret", () => {
        assert.equal(spec.remoteWrite.length, 1);
        const rw = spec.remoteWrite[0];
        assert.equal(rw.url, settings.mimir.pushUrl);
        assert.deepEqual(rw.headers, { [TENANT_HEADER]: settings.defaultTenant });
        assert.deepEqual(rw.basicAuth, {
          username: { name: "mimir-auth", key: "user" },
          password: { name: "mimir-auth", key: "pass" },
        });
        assert.deepEqual(rw.queueConfig, settings.prometheus.queueConfig);
      });

      it("drops exactly the apiserver histogram buckets before remote write", () => {
        const drops = spec.remoteWrite[0].writeRelabelConfigs.filter((r: V) => r.action === "drop");
        assert.equal(drops.length, 1);
        assert.deepEqual(drops[0].sourceLabels, ["__name__"]);
        // Prometheus anchors relabel regexes (Prometheus configuration docs, relabel_config).
        const regex = new RegExp(`^(?:${drops[0].regex})$`);
        for (const name of APISERVER_HISTOGRAM_BUCKETS) assert.ok(regex.test(name), `${name} must be dropped`);
        for (const kept of ["apiserver_request_total", "apiserver_request_duration_seconds_count", "up"]) {
          assert.ok(!regex.test(kept), `${kept} must still be shipped`);
        }
      });

      it("leaves CRDs to the separate release and skips the managed EKS control plane", () => {
        assert.equal(values.crds.enabled, false);
        for (const key of ["kubeScheduler", "kubeControllerManager", "kubeEtcd"])
          assert.equal(values[key].enabled, false, key);
      });

      it("selects ServiceMonitors and PrometheusRules from every release", () => {
        for (const key of ["serviceMonitor", "podMonitor", "probe", "scrapeConfig", "rule"]) {
          assert.equal(spec[`${key}SelectorNilUsesHelmValues`], false, key);
        }
        assert.ok(stackSelectsRule(values, settings.releases.kubePrometheusStack, { app: "mimir" }));
      });

      it("gives Grafana an existing admin Secret and Mimir as the only default datasource", () => {
        assert.deepEqual(values.grafana.admin, {
          existingSecret: "grafana-admin",
          userKey: "admin-user",
          passwordKey: "admin-password",
        });
        assert.equal(values.grafana.sidecar.datasources.isDefaultDatasource, false);
        const sources: V[] = values.grafana.additionalDataSources;
        assert.deepEqual(
          sources.filter((d) => d.isDefault).map((d) => d.name),
          [`Mimir (${settings.defaultTenant})`],
        );
        assert.equal(
          sources.find((d) => d.isDefault)!.uid,
          "mimir",
          "the stack tenant's datasource keeps its stable uid",
        );
      });

      it("gives every tenant its own Mimir and Loki datasource, logging in as that tenant with its own password", () => {
        const sources: V[] = values.grafana.additionalDataSources;
        assert.equal(sources.length, 2 * settings.tenants.length);
        for (const [i, tenant] of settings.tenants.entries()) {
          for (const store of ["mimir", "loki"] as const) {
            const ds = sources.find((d) => d.uid === datasourceUid(store, i))!;
            assert.equal(ds.url, store === "mimir" ? settings.mimir.queryUrl : settings.loki.queryUrl);
            assert.equal(ds.basicAuth, true);
            // The gateway user is the tenant id, and the header names the same tenant: the gateway refuses any other.
            assert.equal(ds.basicAuthUser, tenant);
            assert.equal(ds.jsonData.httpHeaderName1, TENANT_HEADER);
            assert.equal(ds.secureJsonData.httpHeaderValue1, tenant);
            assert.equal(ds.secureJsonData.basicAuthPassword, `\${${grafanaPasswordEnv(store, i)}}`);
            assert.deepEqual(values.grafana.envValueFrom[grafanaPasswordEnv(store, i)], {
              secretKeyRef: { name: "datasource-credentials", key: datasourcePasswordKey(store, i) },
            });
          }
        }
        assert.equal(
          new Set(Object.keys(values.grafana.envValueFrom)).size,
          2 * settings.tenants.length,
          "one password per store and tenant",
        );
        assert.ok(
          sources.every((d) => /^[a-zA-Z0-9_-]{1,40}$/.test(d.uid)),
          "Grafana uids: at most 40 of [a-zA-Z0-9-_]",
        );
      });
    });
  }

  it("uses the configured first tenant everywhere, not a fixed name", () => {
    const { settings } = load({ profile: "dev", tenants: JSON.stringify([{ id: "acme" }, { id: "other" }]) });
    const values = buildKubePrometheusStackValues(settings, INPUTS) as V;
    assert.deepEqual(values.prometheus.prometheusSpec.remoteWrite[0].headers, { [TENANT_HEADER]: "acme" });
    const sources = values.grafana.additionalDataSources as V[];
    assert.deepEqual(
      sources.map((ds) => ds.secureJsonData.httpHeaderValue1),
      ["acme", "acme", "other", "other"],
    );
    assert.deepEqual(
      sources.map((ds) => ds.name),
      ["Mimir (acme)", "Loki (acme)", "Mimir (other)", "Loki (other)"],
    );
  });

  it("rejects a retentionSize that does not fit the volume, naming both keys", () => {
    const { settings } = load({ profile: "dev" });
    const broken = { ...settings.prometheus, retentionSize: `${settings.prometheus.volumeGiB}GiB` };
    assert.throws(
      () => assertRetentionSizeFitsVolume(broken),
      /settings\.prometheus\.retentionSize = \d+GiB .*settings\.prometheus\.volumeGiB/,
    );
    assert.throws(() => buildKubePrometheusStackValues({ ...settings, prometheus: broken }, INPUTS), /retentionSize/);
  });

  it("reads prometheus-operator byte sizes in binary and decimal units", () => {
    assert.equal(byteSize("16GiB"), 16 * 1024 ** 3);
    assert.equal(byteSize("500MB"), 500e6);
    assert.equal(byteSize("1.5KiB"), 1536);
    assert.throws(() => byteSize("16G"), /not a prometheus-operator ByteSize/);
  });

  it("follows the chart's rule selection: the release label when NilUsesHelmValues is on, else everything", () => {
    const release = "kube-prometheus-stack";
    const chartDefault = { prometheus: { prometheusSpec: {} } };
    assert.equal(stackSelectsRule(chartDefault, release, { team: "x" }), false);
    assert.equal(stackSelectsRule(chartDefault, release, { release }), true);
    const explicit = { prometheus: { prometheusSpec: { ruleSelector: { matchLabels: { role: "alerts" } } } } };
    assert.equal(stackSelectsRule(explicit, release, { release }), false);
    assert.equal(stackSelectsRule(explicit, release, { role: "alerts" }), true);
  });
});
