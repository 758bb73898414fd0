import * as assert from "node:assert/strict";
import { deriveSettings, resolveConfig, Settings, StackConfig } from "../../../settings";
import { parseDuration } from "../../../settings/durations";
import * as upstream from "../../../settings/upstream";
import {
  assertReplicationFits,
  buildLokiValues,
  LokiInputs,
  memcachedValues,
  streamHolders,
} from "../../../components/loki/values";
import {
  CANARY_PASSWORD_ENV,
  gatewaySecretNames,
  gatewayUsers,
  htpasswdLine,
  LOKI_CANARY_TENANT,
  LokiGatewayAuthRef,
  PASSWORD_KEY,
} from "../../../components/loki/gateway-auth";
import { tenantBindingGap } from "../../../policies/lib/tenant-binding";

const PROFILES = ["dev", "staging", "prod"] as const;
const INPUTS: LokiInputs = {
  buckets: { chunks: "stack-loki-chunks", ruler: "stack-loki-ruler" },
  region: "eu-west-1",
  availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  roleArn: "arn:aws:iam::123456789012:role/loki",
  storageClassName: "gp3",
  gatewayAuth: { htpasswdSecretName: "loki-gateway-htpasswd", canarySecretName: "loki-canary-credentials" },
};
type V = Record<string, any>;

function load(raw: Record<string, string>): { config: StackConfig; settings: Settings } {
  const config = resolveConfig("observability-stack", raw);
  return { config, settings: deriveSettings(config) };
}

/** Pods the chart runs for a workload key (zone-aware ingesters: three StatefulSets of ceil(replicas/3)). */
function chartPods(values: V, key: string): number {
  const w = values[key];
  const zones = upstream.charts.lokiIngesterZones;
  if (key === "ingester" && w.zoneAwareReplication?.enabled) return zones * Math.ceil(w.replicas / zones);
  return w.replicas;
}

describe("loki values", () => {
  for (const profile of PROFILES) {
    describe(`${profile} profile`, () => {
      const { config, settings } = load({ profile });
      const values = buildLokiValues(settings, INPUTS) as V;

      it("spreads the read and write path over the AWS zones with a disruption budget wherever the stack spans zones", () => {
        const targets: Record<string, string> = {
          distributor: "distributor",
          querier: "querier",
          queryFrontend: "query-frontend",
          queryScheduler: "query-scheduler",
          indexGateway: "index-gateway",
          gateway: "gateway",
        };
        for (const [key, target] of Object.entries(targets)) {
          if (!settings.spreadOverZones) {
            assert.equal(values[key]?.topologySpreadConstraints, undefined, key);
            continue;
          }
          const zone = values[key].topologySpreadConstraints.find(
            (c: V) => c.topologyKey === "topology.kubernetes.io/zone",
          );
          assert.deepEqual(
            {
              when: zone.whenUnsatisfiable,
              skew: zone.maxSkew,
              taints: zone.nodeTaintsPolicy,
              component: zone.labelSelector.matchLabels["app.kubernetes.io/component"],
            },
            { when: "DoNotSchedule", skew: 1, taints: "Honor", component: target },
            key,
          );
          assert.deepEqual(values[key].podDisruptionBudget, { maxUnavailable: 1 }, key);
        }
      });

      it("runs the deployment mode of the settings with no simple-scalable targets", () => {
        assert.equal(values.deploymentMode, profile === "dev" ? "Monolithic" : "Distributed");
        for (const key of ["backend", "read", "write"]) assert.equal(values[key].replicas, 0, key);
        if (profile === "dev") {
          assert.ok(values.singleBinary.replicas >= 1);
          assert.equal(values.ingester.replicas, 0);
        } else {
          assert.equal(values.singleBinary.replicas, 0);
          for (const key of [
            "distributor",
            "ingester",
            "querier",
            "queryFrontend",
            "queryScheduler",
            "indexGateway",
            "compactor",
          ]) {
            assert.ok(values[key].replicas >= 1, `${key} must run`);
            assert.match(values[key].resources.requests.memory, /^\d+Mi$/);
          }
        }
      });

      it("keeps the replication factor at most the pods that hold stream replicas", () => {
        const rf = values.loki.commonConfig.replication_factor;
        assert.equal(rf, config.replication.lokiReplicationFactor);
        const holders = profile === "dev" ? values.singleBinary.replicas : chartPods(values, "ingester");
        assert.ok(rf <= holders, `RF ${rf} > ${holders} pods`);
      });

      it("applies retention through the compactor with a delete-request store", () => {
        assert.equal(values.loki.compactor.retention_enabled, true);
        assert.equal(values.loki.compactor.delete_request_store, "s3");
        assert.equal(parseDuration(values.loki.limits_config.retention_period), parseDuration(config.retention.logs));
        assert.equal(values.loki.compactor.retention_delete_delay, settings.retention.loki.retentionDeleteDelay);
        assert.ok(
          parseDuration(values.loki.limits_config.reject_old_samples_max_age) <= parseDuration(config.retention.logs),
        );
      });

      it("uses one tsdb v13 schema with a 24h index period", () => {
        const configs: V[] = values.loki.schemaConfig.configs;
        assert.equal(configs.length, 1);
        assert.equal(configs[0].store, "tsdb");
        assert.equal(configs[0].schema, "v13");
        assert.equal(configs[0].object_store, "s3");
        assert.equal(configs[0].index.period, "24h");
      });

      it("sets the WAL replay ceiling of the settings, below the memory limit of the pods running the ingester (L9)", () => {
        assert.equal(values.loki.ingester.wal.replay_memory_ceiling, `${settings.loki.walReplayMemoryCeilingMB}MB`);
        const holder = settings.loki.deploymentMode === "Monolithic" ? values.singleBinary : values.ingester;
        const limitMiB = Number(/^(\d+)Mi$/.exec(holder.resources.limits.memory)![1]);
        assert.ok(settings.loki.walReplayMemoryCeilingMB < limitMiB);
      });

      it("is multi-tenant with the settings' ingestion limits", () => {
        assert.equal(values.loki.auth_enabled, true);
        assert.equal(values.loki.limits_config.ingestion_rate_mb, settings.loki.ingestionRateMB);
        assert.equal(values.loki.limits_config.ingestion_burst_size_mb, settings.loki.ingestionBurstSizeMB);
        assert.ok(settings.loki.ingestionBurstSizeMB >= settings.loki.ingestionRateMB);
      });

      it("reaches S3 through IRSA with no keys, bundled MinIO off, and exposes a ServiceMonitor", () => {
        assert.deepEqual(values.loki.storage.bucketNames, { chunks: "stack-loki-chunks", ruler: "stack-loki-ruler" });
        assert.deepEqual(values.loki.storage.s3, { region: "eu-west-1" });
        assert.equal(values.serviceAccount.name, settings.serviceAccounts.loki);
        assert.equal(values.serviceAccount.annotations["eks.amazonaws.com/role-arn"], INPUTS.roleArn);
        assert.equal(values.minio.enabled, false);
        assert.equal(values.monitoring.serviceMonitor.enabled, true);
        assert.ok(!/accessKeyId|secretAccessKey|access_key/i.test(JSON.stringify(values)));
      });

      it("turns on the gateway's basic auth from our htpasswd Secret, with no user or password in the values", () => {
        assert.deepEqual(values.gateway.basicAuth, {
          enabled: true,
          existingSecret: INPUTS.gatewayAuth.htpasswdSecretName,
        });
        // The chart renders its own htpasswd Secret from these only without existingSecret (templates/gateway/secret.yaml).
        assert.ok(
          !("username" in values.gateway.basicAuth) &&
            !("password" in values.gateway.basicAuth) &&
            !("htpasswd" in values.gateway.basicAuth),
        );
        // loki.tenants would make the chart render its own htpasswd from passwords in the values.
        assert.equal(values.loki.tenants, undefined);
      });

      it("binds each credential to its tenant: a header naming another tenant is refused, the user is sent upstream", () => {
        const nginx = values.gateway.nginxConfig;
        assert.equal(tenantBindingGap({ http: nginx.httpSnippet, server: nginx.serverSnippet }), undefined);
        assert.equal(nginx.locationSnippet, "proxy_set_header X-Scope-OrgID $remote_user;");
        assert.equal(nginx.file, undefined, "the chart's own nginx.conf, which places the snippets");
      });

      it("lets the chart's canary through the gateway as its own tenant, the password from its Secret, never in the values", () => {
        const canary = values.lokiCanary;
        // The chart passes -user and -tenant-id both from tenant.name (templates/loki-canary/daemonset.yaml).
        assert.equal(canary.tenant.name, LOKI_CANARY_TENANT);
        assert.equal(canary.tenant.password, `$(${CANARY_PASSWORD_ENV})`);
        assert.deepEqual(canary.extraEnv, [
          {
            name: CANARY_PASSWORD_ENV,
            valueFrom: { secretKeyRef: { name: INPUTS.gatewayAuth.canarySecretName, key: PASSWORD_KEY } },
          },
        ]);
        assert.equal(canary.extraArgs, undefined);
      });

      it("makes ingesters zone-aware exactly as the settings decide, running the declared count", () => {
        if (profile !== "dev") {
          assert.equal(values.ingester.zoneAwareReplication.enabled, settings.loki.ingesterZoneAware);
          if (settings.loki.ingesterZoneAware) {
            // Each chart zone bound to one distinct AWS zone: losing an AZ takes one replica of three, never two.
            const pinned = ["zoneA", "zoneB", "zoneC"].map(
              (zone) => values.ingester.zoneAwareReplication[zone].nodeSelector["topology.kubernetes.io/zone"],
            );
            assert.deepEqual(pinned, INPUTS.availabilityZones);
          }
          // The declared count is what runs: a multiple of three when zone-aware.
          assert.equal(chartPods(values, "ingester"), values.ingester.replicas);
          assert.equal(values.ingester.replicas, settings.loki.sizes.ingester!.replicas);
          assert.equal(values.ingester.persistence.enabled, true);
          assert.equal(values.ingester.persistence.claims[0].storageClass, "gp3");
        }
      });
    });
  }

  it("passes per-tenant limits and retention to the runtime overrides", () => {
    const tenants = [
      { id: "platform" },
      { id: "team-a", limits: { logsRetention: "60d", logsIngestionRateMB: 20, logsIngestionBurstSizeMB: 40 } },
    ];
    const { settings } = load({ profile: "prod", tenants: JSON.stringify(tenants) });
    const values = buildLokiValues(settings, INPUTS) as V;
    assert.deepEqual(values.loki.runtimeConfig.overrides, {
      "team-a": { retention_period: "60d", ingestion_rate_mb: 20, ingestion_burst_size_mb: 40 },
    });
  });

  it("refuses a replication factor above the pods that hold replicas, naming the key", () => {
    const { settings } = load({ profile: "dev" });
    const broken: Settings = structuredClone(settings);
    broken.loki.replicationFactor = 3;
    broken.loki.sizes.singleBinary!.replicas = 1;
    assert.equal(streamHolders(broken), 1);
    assert.throws(
      () => assertReplicationFits(broken),
      /settings\.loki\.replicationFactor = 3 must be <= settings\.loki\.sizes\.singleBinary\.replicas \(1\)/,
    );
    assert.throws(() => buildLokiValues(broken, INPUTS), /at least 2 live replicas required/);
  });

  it("keeps ingesters one ring, at the derived count, when the RF exceeds the chart's three zones", () => {
    const { settings } = load({ profile: "prod", replication: JSON.stringify({ lokiReplicationFactor: 4 }) });
    assert.equal(settings.loki.ingesterZoneAware, false);
    const values = buildLokiValues(settings, INPUTS) as V;
    assert.equal(values.ingester.zoneAwareReplication.enabled, false);
    assert.equal(values.ingester.replicas, settings.loki.sizes.ingester!.replicas);
    assert.ok(values.ingester.replicas >= 4, "L1: at least RF ingesters");
  });

  it("gives memcached the chunks cache size of the settings, and drops it in Monolithic mode", () => {
    const dev = memcachedValues(load({ profile: "dev" }).settings) as V;
    assert.deepEqual(dev, { chunksCache: { enabled: false }, resultsCache: { enabled: false } });
    for (const profile of ["staging", "prod"]) {
      const { settings } = load({ profile });
      const values = buildLokiValues(settings, INPUTS) as V;
      assert.deepEqual(values.chunksCache, { enabled: true, allocatedMemory: settings.loki.chunksCacheMB });
      assert.deepEqual(values.resultsCache, { enabled: true });
    }
  });
});

describe("loki gateway auth", () => {
  const settings = load({ profile: "prod" }).settings;

  it("names one user per tenant plus the canary's, and Secrets that cannot collide with the chart's own <release>-gateway Secret", () => {
    assert.deepEqual(gatewayUsers(settings), [...settings.tenants, LOKI_CANARY_TENANT]);
    const names = gatewaySecretNames(settings);
    assert.notEqual(names.htpasswd, names.canary);
    for (const name of Object.values(names)) {
      assert.notEqual(name, `${settings.releases.loki}-gateway`);
      assert.match(name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS-1123 Secret name");
    }
  });

  it("writes one htpasswd line from the bcrypt hash and refuses what nginx could not check", () => {
    const hash = "$2a$10$abcdefghijklmnopqrstuuMZ0h7y6kL3d5oK1m9s0Qyq6GQ2xgqW6";
    assert.equal(htpasswdLine("loki", hash), `loki:${hash}\n`);
    assert.throws(() => htpasswdLine("lo:ki", hash), /"lo:ki" must be non-empty and contain no ':'/);
    assert.throws(() => htpasswdLine("", hash), /must be non-empty/);
    assert.throws(() => htpasswdLine("loki", "plain-text"), /not a bcrypt hash/);
  });

  it("puts nothing secret in the values: only Secret names and an env reference", () => {
    const auth: LokiGatewayAuthRef = { htpasswdSecretName: "h", canarySecretName: "c" };
    const values = buildLokiValues(settings, { ...INPUTS, gatewayAuth: auth }) as V;
    assert.equal(values.gateway.basicAuth.existingSecret, "h");
    assert.equal(values.lokiCanary.extraEnv[0].valueFrom.secretKeyRef.name, "c");
  });
});
