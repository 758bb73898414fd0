import * as assert from "node:assert/strict";
import { mockComponents } from "../mocked";
import { CHARTS, RELEASE_TIMEOUT_SECONDS } from "../../../components/shared/charts";
import { base2Bytes, LOKI_ENV, MIMIR_ENV, OTLP_PORTS } from "../../../components/alloy/config";
import { ALLOY_DATA_DIR, buildAlloyValues } from "../../../components/alloy/values";
import { PROFILES, settingsFor } from "../fixtures";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const MIMIR_PASSWORD = "mock-alloy-mimir-password-41d2";
const LOKI_PASSWORD = "mock-alloy-loki-password-9c07";

describe("Alloy values", () => {
  const values = buildAlloyValues(settingsFor("prod"), {
    mimirAuthSecretName: "creds",
    lokiAuthSecretName: "loki-creds",
  }) as Record<string, any>;

  it("runs one pod per node that reads /var/log and keeps its positions on the node", () => {
    assert.equal(values.controller.type, "daemonset");
    assert.equal(values.alloy.mounts.varlog, true);
    assert.equal(values.alloy.storagePath, ALLOY_DATA_DIR);
    const volume = values.controller.volumes.extra.find((v: any) => v.hostPath?.path === ALLOY_DATA_DIR);
    assert.ok(volume, "the data directory must be a hostPath");
    assert.ok(values.alloy.mounts.extra.some((m: any) => m.name === volume.name && m.mountPath === ALLOY_DATA_DIR));
  });

  it("turns clustering on (events in one pod) and exposes the OTLP ports on the Service", () => {
    assert.equal(values.alloy.clustering.enabled, true);
    assert.deepEqual(values.alloy.extraPorts.map((p: any) => p.port).sort(), [OTLP_PORTS.grpc, OTLP_PORTS.http].sort());
    assert.equal(values.serviceMonitor.enabled, true);
  });

  it("sizes each pod from settings.alloy, with a memory limit above the request", () => {
    const size = settingsFor("prod").alloy;
    assert.deepEqual(values.alloy.resources, {
      requests: { cpu: `${size.cpuMillis}m`, memory: `${size.memoryMiB}Mi` },
      limits: { memory: `${size.memoryLimitMiB}Mi` },
    });
    assert.ok(size.memoryLimitMiB > size.memoryMiB);
  });

  it("reads both gateways' credentials from the named Secrets, never from the values", () => {
    assert.deepEqual(values.alloy.envFrom, [{ secretRef: { name: "creds" } }, { secretRef: { name: "loki-creds" } }]);
  });
});

describe("Alloy component (registered resources under mocks)", () => {
  const mocked = mockComponents("alloy", async () => {
    const k8s = await import("@pulumi/kubernetes");
    const pulumi = await import("@pulumi/pulumi");
    const { Alloy } = await import("../../../components/alloy");
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    const crds = new k8s.helm.v3.Release(
      "crds",
      { chart: "prometheus-operator-crds", name: "prometheus-operator-crds" },
      { provider },
    );
    for (const profile of PROFILES) {
      new Alloy(`alloy-${profile}`, {
        settings: settingsFor(profile),
        provider,
        crdsRelease: crds,
        mimirAuth: { username: "alloy", password: pulumi.secret(MIMIR_PASSWORD) },
        lokiAuth: { username: "loki", password: pulumi.secret(LOKI_PASSWORD) },
        overrides:
          profile === "prod"
            ? {
                alloy: { resources: { limits: { memory: "4Gi" } } },
                controller: { priorityClassName: "system-node-critical" },
              }
            : undefined,
      });
    }
  });
  const { find } = mocked;

  for (const profile of PROFILES) {
    describe(`${profile} profile`, () => {
      const settings = settingsFor(profile);

      it("installs the pinned chart as a named, timed release in the alloy namespace it creates", () => {
        assert.equal(find(NAMESPACE, `alloy-${profile}-namespace`).inputs.metadata.name, settings.namespaces.alloy);
        const release = find(RELEASE, `alloy-${profile}-release`);
        assert.equal(release.inputs.name, settings.releases.alloy);
        assert.equal(release.inputs.namespace, settings.namespaces.alloy);
        assert.equal(release.inputs.chart, CHARTS.alloy.chart);
        assert.equal(release.inputs.version, CHARTS.alloy.version);
        assert.equal(release.inputs.timeout, RELEASE_TIMEOUT_SECONDS);
      });

      it("copies the Mimir credentials into its own namespace under the names the config reads", () => {
        const secret = find(SECRET, `alloy-${profile}-mimir-auth`);
        assert.equal(secret.inputs.metadata.namespace, settings.namespaces.alloy);
        assert.deepEqual(Object.keys(secret.inputs.stringData).sort(), [MIMIR_ENV.password, MIMIR_ENV.username].sort());
        assert.equal(secret.inputs.stringData[MIMIR_ENV.password], MIMIR_PASSWORD);
        const values = find(RELEASE, `alloy-${profile}-release`).inputs.values;
        assert.ok(values.alloy.envFrom.some((e: any) => e.secretRef.name === secret.inputs.metadata.name));
        const content: string = values.alloy.configMap.content;
        assert.ok(content.includes(`sys.env("${MIMIR_ENV.password}")`));
      });

      it("copies the Loki credentials into its own namespace under the names the loki.write block reads", () => {
        const secret = find(SECRET, `alloy-${profile}-loki-auth`);
        assert.equal(secret.inputs.metadata.namespace, settings.namespaces.alloy);
        assert.deepEqual(Object.keys(secret.inputs.stringData).sort(), [LOKI_ENV.password, LOKI_ENV.username].sort());
        assert.equal(secret.inputs.stringData[LOKI_ENV.password], LOKI_PASSWORD);
        assert.equal(secret.inputs.stringData[LOKI_ENV.username], "loki");
        assert.notEqual(secret.inputs.metadata.name, find(SECRET, `alloy-${profile}-mimir-auth`).inputs.metadata.name);
        const values = find(RELEASE, `alloy-${profile}-release`).inputs.values;
        assert.ok(values.alloy.envFrom.some((e: any) => e.secretRef.name === secret.inputs.metadata.name));
        assert.ok(values.alloy.configMap.content.includes(`sys.env("${LOKI_ENV.password}")`));
      });

      it("keeps both passwords out of the release values", () => {
        const values = JSON.stringify(find(RELEASE, `alloy-${profile}-release`).inputs.values);
        assert.ok(!values.includes(MIMIR_PASSWORD));
        assert.ok(!values.includes(LOKI_PASSWORD));
      });

      it("registers the generated config with the tenant and batch size of the settings", () => {
        const content: string = find(RELEASE, `alloy-${profile}-release`).inputs.values.alloy.configMap.content;
        assert.ok(content.includes(`tenant_id = "${settings.defaultTenant}"`));
        assert.ok(content.includes(`batch_size = "${base2Bytes(settings.loki.alloyBatchSizeBytes)}"`));
        assert.ok(content.includes("loki.source.kubernetes_events"));
        assert.ok(content.includes("otelcol.receiver.otlp"));
      });

      it("waits for the CRDs release and its Secrets, not for Loki or Mimir", () => {
        const release = mocked.registrations.find(RELEASE, `alloy-${profile}-release`);
        assert.ok(mocked.registrations.dependsOn(release, mocked.registrations.find(RELEASE, "crds")));
        assert.ok(
          mocked.registrations.dependsOn(release, mocked.registrations.find(SECRET, `alloy-${profile}-mimir-auth`)),
        );
        assert.ok(
          mocked.registrations.dependsOn(release, mocked.registrations.find(SECRET, `alloy-${profile}-loki-auth`)),
        );
        assert.equal(release.dependencies.filter((urn) => urn.includes("helm.sh/v3:Release")).length, 1);
      });
    });
  }

  it("deep-merges overrides.alloy last: the override wins, the rest stays", () => {
    const prod = find(RELEASE, "alloy-prod-release").inputs.values;
    assert.equal(prod.alloy.resources.limits.memory, "4Gi");
    assert.equal(prod.alloy.resources.requests.memory, `${settingsFor("prod").alloy.memoryMiB}Mi`);
    assert.equal(prod.controller.priorityClassName, "system-node-critical");
    assert.equal(prod.controller.type, "daemonset");
    assert.equal(
      find(RELEASE, "alloy-dev-release").inputs.values.alloy.resources.limits.memory,
      `${settingsFor("dev").alloy.memoryLimitMiB}Mi`,
    );
  });
});
