import { strict as assert } from "assert";
import { parseDuration } from "../../settings/durations";
import { redactSecrets } from "../../tools/harness/wire";
import { tenantBindingGap } from "../../policies/lib/tenant-binding";
import {
  bytesOf,
  ProgramRun,
  releaseValues,
  runShippedStacks,
  runStack,
  SHIPPED_STACKS,
  T,
  type ShippedStack,
} from "../support/program";

/** Mimir's producer batch (grafana/mimir pkg/storage/ingest/writer.go, franz-go ProducerBatchMaxBytes). */
const MIMIR_BATCH = 16_000_000;
/** Mimir defaults that apply when a key is absent (Mimir config descriptor). */
const MIMIR_DEFAULTS = { tsdbRetention: "13h", deletionDelay: "12h", cleanupInterval: "15m" };

const DAY = 86_400_000;
const PASSWORD_TYPE = "random:index/randomPassword:RandomPassword";

/** A captured output, without the secret wrapper the engine puts around it. */
const unwrapped = (output: any): string =>
  typeof output === "object" && output !== null && "value" in output ? output.value : output;

describe("program: the telemetry stack each shipped stack registers agrees by construction", function () {
  this.timeout(120_000);
  let runs: Record<ShippedStack, ProgramRun>;
  before(async () => {
    runs = await runShippedStacks();
  });

  for (const stack of SHIPPED_STACKS) {
    describe(stack, () => {
      const kafkaOf = (run: ProgramRun) => {
        const kafka = run.ofType(T.kafka)[0].plain.spec;
        const brokers = run
          .ofType(T.nodePool)
          .filter((p) => p.plain.spec.roles.includes("broker"))
          .reduce((n, p) => n + p.plain.spec.replicas, 0);
        const topic = run.ofType(T.topic)[0].plain.spec;
        return { config: kafka.kafka.config, brokers, topic };
      };

      it("Kafka: broker and topic sizes hold Mimir's 16,000,000-byte batch; segment and socket above it (K1-K4)", () => {
        const { config, topic } = kafkaOf(runs[stack]);
        const effective = topic.config["max.message.bytes"] ?? config["message.max.bytes"];
        assert.ok(effective >= MIMIR_BATCH);
        assert.ok(config["message.max.bytes"] >= MIMIR_BATCH);
        assert.ok(config["replica.fetch.max.bytes"] >= config["message.max.bytes"]);
        assert.ok(config["socket.request.max.bytes"] > effective);
        assert.ok((topic.config["segment.bytes"] ?? config["log.segment.bytes"]) > effective);
        const mimir = releaseValues(runs[stack], "mimir-distributed").mimir.structuredConfig.ingest_storage.kafka;
        assert.ok(mimir.producer_max_record_size_bytes < effective);
        assert.equal(mimir.topic, topic.topicName);
        assert.equal(mimir.auto_create_topic_enabled, false);
      });

      it("Kafka: every replication factor fits the brokers and min ISR fits the RF (K5-K7)", () => {
        const { config, brokers, topic } = kafkaOf(runs[stack]);
        assert.ok(topic.replicas <= brokers);
        assert.ok(config["default.replication.factor"] <= brokers);
        assert.ok(config["offsets.topic.replication.factor"] <= brokers);
        assert.ok(config["transaction.state.log.replication.factor"] <= brokers);
        assert.ok(config["transaction.state.log.min.isr"] <= config["transaction.state.log.replication.factor"]);
        assert.ok((topic.config["min.insync.replicas"] ?? config["min.insync.replicas"]) <= topic.replicas);
      });

      it("Kafka: partitions cover the ingesters of each zone (K8), retention covers the replay window (K9)", () => {
        const { topic } = kafkaOf(runs[stack]);
        const mimir = releaseValues(runs[stack], "mimir-distributed");
        const zoneAware = mimir.ingester.zoneAwareReplication?.enabled;
        const zones = zoneAware ? mimir.ingester.zoneAwareReplication.zones.length : 1;
        assert.ok(topic.partitions >= Math.ceil(mimir.ingester.replicas / zones));
        const tsdb =
          mimir.mimir.structuredConfig.blocks_storage?.tsdb?.retention_period ?? MIMIR_DEFAULTS.tsdbRetention;
        assert.ok(topic.config["retention.ms"] >= parseDuration(tsdb));
      });

      it("Mimir: store-gateway RF within zones and replicas; zones within the cluster's AZs (M7, M8)", () => {
        const mimir = releaseValues(runs[stack], "mimir-distributed");
        const rf = mimir.mimir.structuredConfig.store_gateway.sharding_ring.replication_factor;
        assert.ok(rf <= mimir.store_gateway.replicas);
        if (mimir.store_gateway.zoneAwareReplication?.enabled)
          assert.ok(rf <= mimir.store_gateway.zoneAwareReplication.zones.length);
        const availabilityZones = runs[stack].ofType(T.nodeGroup).length;
        for (const component of [mimir.ingester, mimir.store_gateway]) {
          if (component.zoneAwareReplication?.enabled)
            assert.ok(component.zoneAwareReplication.zones.length <= availabilityZones);
        }
      });

      it("Mimir: distributor memory limit holds the producer buffer plus its working set (K11)", () => {
        const mimir = releaseValues(runs[stack], "mimir-distributed");
        const limit = bytesOf(mimir.distributor.resources.limits.memory);
        const buffer = mimir.mimir.structuredConfig.ingest_storage.kafka.producer_max_buffered_bytes;
        assert.ok(buffer !== undefined, "buffer must be explicit: Mimir's 1 GiB default OOMed 1Gi distributors");
        assert.ok(limit > buffer + 512 * 1024 ** 2, `limit ${limit} vs buffer ${buffer} + working set`);
      });

      it("retention chain: Mimir >= Prometheus local (R1); bucket expirations after retention + delays (R2, R3)", () => {
        const run = runs[stack];
        const mimir = releaseValues(run, "mimir-distributed").mimir.structuredConfig;
        const prometheus = releaseValues(run, "kube-prometheus-stack").prometheus.prometheusSpec;
        const mimirRetention = parseDuration(mimir.limits.compactor_blocks_retention_period);
        assert.ok(mimirRetention >= parseDuration(prometheus.retention));
        const loki = releaseValues(run, "loki").loki;
        const lokiRetention = parseDuration(loki.limits_config.retention_period);
        const expirations = (role: string) => {
          const bucket = run.ofType(T.bucket).find((b) => b.plain.tags["observability/bucket-role"] === role)!.plain
            .bucket;
          const lifecycle = run
            .ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
            .find((l) => l.plain.bucket === bucket)!;
          return lifecycle.plain.rules
            .filter((r: any) => r.expiration?.days !== undefined)
            .map((r: any) => r.expiration.days as number);
        };
        const deletion =
          parseDuration(mimir.compactor?.deletion_delay ?? MIMIR_DEFAULTS.deletionDelay) +
          parseDuration(mimir.compactor?.cleanup_interval ?? MIMIR_DEFAULTS.cleanupInterval);
        const tenantRetention = Object.values(
          releaseValues(run, "mimir-distributed").runtimeConfig?.overrides ?? {},
        ).map((o: any) =>
          o.compactor_blocks_retention_period ? parseDuration(o.compactor_blocks_retention_period) : 0,
        );
        const longestMimir = Math.max(mimirRetention, ...tenantRetention);
        for (const days of expirations("mimirBlocks"))
          assert.ok(days * DAY > longestMimir + deletion + DAY, `blocks expire after ${days}d`);
        const lokiTenants = Object.values(
          loki.runtimeConfig?.overrides ?? releaseValues(run, "loki").runtimeConfig?.overrides ?? {},
        ).map((o: any) => (o.retention_period ? parseDuration(o.retention_period) : 0));
        const longestLoki = Math.max(lokiRetention, ...lokiTenants);
        for (const days of expirations("lokiChunks"))
          assert.ok(
            days * DAY > longestLoki + parseDuration(loki.compactor.retention_delete_delay) + DAY,
            `chunks expire after ${days}d`,
          );
        for (const role of ["mimirRuler", "mimirAlertmanager", "lokiRuler"])
          assert.deepEqual(expirations(role), [], `${role} must never expire`);
      });

      it("Loki: retention by the compactor with its delete-request store, 24h TSDB index, RF within replicas (R4, R5, L1)", () => {
        const values = releaseValues(runs[stack], "loki");
        assert.equal(values.loki.compactor.retention_enabled, true);
        assert.ok(values.loki.compactor.delete_request_store);
        for (const c of values.loki.schemaConfig.configs) assert.equal(c.index.period, "24h");
        const rf = values.loki.commonConfig.replication_factor;
        const holders =
          values.deploymentMode === "Monolithic" ? values.singleBinary.replicas : values.ingester.replicas;
        assert.ok(rf <= holders, `RF ${rf} > ${holders}`);
        assert.equal(values.deploymentMode, stack === "dev" ? "Monolithic" : "Distributed");
      });

      it("Alloy: batches below Loki's ingestion burst (L2), tenant header from tenants", () => {
        const content: string = releaseValues(runs[stack], "alloy").alloy.configMap.content;
        const batch = /batch_size\s*=\s*"(\d+)(B|KiB|MiB)?"/.exec(content);
        assert.ok(batch, "loki.write sets batch_size");
        const bytes = Number(batch![1]) * ({ B: 1, KiB: 1024, MiB: 1024 ** 2 }[batch![2] ?? "B"] as number);
        const burstMB = releaseValues(runs[stack], "loki").loki.limits_config.ingestion_burst_size_mb;
        // Loki's MB is 2^20 bytes (grafana/loki pkg/validation/limits.go bytesInMB).
        assert.ok(bytes <= burstMB * 1024 ** 2, `batch ${bytes} B above the ${burstMB} MB burst`);
        assert.match(content, /tenant_id = "platform"/);
      });

      it("gateways: one user per tenant with its own generated password; every client logs in as the tenant it names, and no Helm value carries a password", () => {
        const run = runs[stack];
        const secretIn = (namespace: string, name: string) => {
          const found = run
            .ofType(T.secret)
            .find((s) => s.plain.metadata.namespace === namespace && s.plain.metadata.name === name);
          assert.ok(found, `no Secret ${namespace}/${name}`);
          return found.plain.stringData as Record<string, string>;
        };
        const tenants: string[] = (run.captured.outputs as any).gatewayUsers.mimir;
        const own = tenants[0];
        const passwordOf = (store: string, user: string) =>
          unwrapped(run.named(PASSWORD_TYPE, `${store}-gateway-password-${user}`).outputs.result);
        const releaseOf = (chart: string) => run.ofType(T.release).find((r) => r.plain.chart === chart)!;

        // Each gateway: an htpasswd line per user, the bcrypt hash of that user's own password, bound to its tenant.
        const gateways = {
          mimir: {
            release: releaseOf("mimir-distributed"),
            auth: (v: any) => v.gateway.nginx.basicAuth,
            nginx: (v: any) => v.gateway.nginx.config,
          },
          loki: {
            release: releaseOf("loki"),
            auth: (v: any) => v.gateway.basicAuth,
            nginx: (v: any) => v.gateway.nginxConfig,
          },
        };
        const users: Record<string, string[]> = {};
        for (const [store, gateway] of Object.entries(gateways)) {
          const values = gateway.release.plain.values;
          assert.equal(gateway.auth(values).enabled, true);
          const htpasswd = secretIn(gateway.release.plain.namespace, gateway.auth(values).existingSecret)[".htpasswd"];
          assert.ok(
            gateway.release.dependencies.some((urn: string) =>
              run.ofType(T.secret).some((s) => s.urn === urn && s.plain.stringData[".htpasswd"] === htpasswd),
            ),
            `${store}: the htpasswd Secret exists before the release mounts it`,
          );
          users[store] = htpasswd
            .trimEnd()
            .split("\n")
            .map((line) => line.slice(0, line.indexOf(":")));
          for (const user of users[store]) {
            assert.ok(
              htpasswd.includes(
                `${user}:${unwrapped(run.named(PASSWORD_TYPE, `${store}-gateway-password-${user}`).outputs.bcryptHash)}\n`,
              ),
              `${store}: ${user}'s line`,
            );
          }
          assert.deepEqual(
            users[store].slice(0, tenants.length),
            tenants,
            `${store}: one user per tenant, named after it`,
          );
          assert.equal(
            tenantBindingGap({ http: gateway.nginx(values).httpSnippet, server: gateway.nginx(values).serverSnippet }),
            undefined,
            `${store}: the gateway binds tenants`,
          );
        }
        const everyPassword = Object.entries(users).flatMap(([store, list]) =>
          list.map((user) => passwordOf(store, user)),
        );
        assert.equal(new Set(everyPassword).size, everyPassword.length, "no two users share a password");

        // Alloy writes logs and metrics as the stack's own tenant, with that tenant's credentials.
        const alloy = releaseValues(run, "alloy");
        const alloyNs: string = releaseOf("alloy").plain.namespace;
        const alloyEnv = Object.assign({}, ...alloy.alloy.envFrom.map((e: any) => secretIn(alloyNs, e.secretRef.name)));
        const content: string = alloy.alloy.configMap.content;
        for (const [store, block] of [
          ["loki", 'loki.write "default"'],
          ["mimir", 'prometheus.remote_write "mimir"'],
        ] as const) {
          const write = content.split(block)[1];
          const envOf = (key: string) => new RegExp(`${key} = sys\\.env\\("(\\w+)"\\)`).exec(write)![1];
          assert.equal(alloyEnv[envOf("username")], own, `alloy ${store} user`);
          assert.equal(alloyEnv[envOf("password")], passwordOf(store, own), `alloy ${store} password`);
        }
        assert.match(content.split('loki.write "default"')[1], new RegExp(`tenant_id = "${own}"`));

        // Prometheus remote-writes as the stack's own tenant.
        const kps = releaseValues(run, "kube-prometheus-stack");
        const kpsNs: string = releaseOf("kube-prometheus-stack").plain.namespace;
        const [rw] = kps.prometheus.prometheusSpec.remoteWrite;
        assert.equal(rw.headers["X-Scope-OrgID"], own);
        assert.equal(secretIn(kpsNs, rw.basicAuth.username.name)[rw.basicAuth.username.key], own);
        assert.equal(secretIn(kpsNs, rw.basicAuth.password.name)[rw.basicAuth.password.key], passwordOf("mimir", own));

        // Grafana: a datasource per store and tenant, each logging in as the tenant its header names.
        for (const datasource of kps.grafana.additionalDataSources) {
          const store = datasource.type === "prometheus" ? "mimir" : "loki";
          const ref =
            kps.grafana.envValueFrom[/^\$\{(\w+)\}$/.exec(datasource.secureJsonData.basicAuthPassword)![1]]
              .secretKeyRef;
          assert.equal(datasource.basicAuthUser, datasource.secureJsonData.httpHeaderValue1);
          assert.equal(
            secretIn(kpsNs, ref.name)[ref.key],
            passwordOf(store, datasource.basicAuthUser),
            `${datasource.name} password`,
          );
        }
        assert.equal(kps.grafana.additionalDataSources.length, 2 * tenants.length);

        // The Loki canary logs in as its own tenant.
        const canary = releaseValues(run, "loki").lokiCanary;
        const canaryRef = canary.extraEnv.find((e: any) => canary.tenant.password === `$(${e.name})`).valueFrom
          .secretKeyRef;
        assert.ok(users.loki.includes(canary.tenant.name));
        assert.equal(
          secretIn(releaseOf("loki").plain.namespace, canaryRef.name)[canaryRef.key],
          passwordOf("loki", canary.tenant.name),
        );

        for (const release of run.ofType(T.release)) {
          for (const password of everyPassword)
            assert.ok(
              !JSON.stringify(release.plain).includes(password),
              `${release.plain.chart} values carry a gateway password`,
            );
        }
      });

      it("Prometheus: apiserver histogram buckets dropped, tenant header and Secret-backed basic auth on remote write", () => {
        const spec = releaseValues(runs[stack], "kube-prometheus-stack").prometheus.prometheusSpec;
        const [rw] = spec.remoteWrite;
        const dropped = rw.writeRelabelConfigs
          .filter((r: any) => r.action === "drop")
          .map((r: any) => r.regex)
          .join("|");
        for (const metric of [
          "apiserver_request_duration_seconds_bucket",
          "apiserver_request_body_size_bytes_bucket",
          "apiserver_response_body_size_bytes_bucket",
          "apiserver_watch_events_sizes_bucket",
        ]) {
          assert.ok(dropped.includes(metric), metric);
        }
        assert.equal(rw.headers["X-Scope-OrgID"], "platform");
        assert.ok(rw.basicAuth.password.name && rw.basicAuth.password.key);
        assert.ok(spec.retentionSize);
      });

      it("no plaintext secret in any Helm values or custom resource; Secrets carry them as secrets", () => {
        const run = runs[stack];
        const generated = run.ofType(PASSWORD_TYPE).map((p) => unwrapped(p.outputs.result));
        const tenants = stack === "dev" ? 1 : 2;
        // Per tenant a Mimir and a Loki gateway password, the Loki canary's, Grafana's admin and (outside dev) Kafka's.
        assert.equal(
          generated.length,
          2 * tenants + 1 + 1 + (stack === "dev" ? 0 : 1),
          "gateway, canary, Grafana and Kafka passwords are generated",
        );
        for (const r of run.resources.filter(
          (r) =>
            r.type === T.release ||
            r.type.startsWith("kubernetes:kafka.strimzi.io") ||
            r.type.startsWith("kubernetes:monitoring.coreos.com"),
        )) {
          const text = JSON.stringify(r.plain);
          for (const password of generated)
            assert.ok(!text.includes(password), `${r.type} ${r.name} carries a generated password`);
          assert.ok(
            !/secret_access_key|access_key_id|AKIA[0-9A-Z]{16}/.test(text),
            `${r.name} carries static AWS keys`,
          );
        }
        for (const secret of run.ofType(T.secret)) {
          const redacted = JSON.stringify(redactSecrets(secret.inputs as any));
          for (const password of generated)
            if (redacted.includes(password)) assert.fail(`${secret.name} holds a password outside a secret marker`);
        }
      });

      it("Helm releases are ordered only where needed: operator before its CRs, CRDs before monitors, Kafka before Mimir", () => {
        const run = runs[stack];
        const urnOf = (type: string, pred: (r: any) => boolean) =>
          run.resources.find((r) => r.type === type && pred(r))!.urn;
        const release = (chart: string) => run.ofType(T.release).find((r) => r.plain.chart === chart)!;
        const operator = urnOf(T.release, (r) => r.plain.chart === "strimzi-kafka-operator");
        assert.ok(run.ofType(T.kafka)[0].dependencies.includes(operator));
        const crds = urnOf(T.release, (r) => r.plain.chart === "prometheus-operator-crds");
        for (const chart of ["mimir-distributed", "loki", "kube-prometheus-stack", "alloy"])
          assert.ok(release(chart).dependencies.includes(crds), `${chart} before CRDs`);
        const mimirDeps = release("mimir-distributed").dependencies;
        assert.ok(
          run.ofType(T.topic).some((t) => mimirDeps.includes(t.urn)),
          "Mimir waits for its topic",
        );
        assert.equal(
          release("loki").dependencies.some((d) => d.includes("kafka")),
          false,
          "Loki does not wait for Kafka",
        );
        assert.equal(
          release("kube-prometheus-stack").dependencies.some((d) => d.includes("mimir-release")),
          false,
          "the stack does not wait for Mimir's release",
        );
        assert.equal(release("kube-prometheus-stack").plain.values.crds?.enabled, false);
      });
    });
  }

  describe("overrides reach the values, merged last", () => {
    const overrides = {
      mimir: { distributor: { replicas: 7 }, mimir: { structuredConfig: { limits: { ingestion_rate: 123 } } } },
      loki: { loki: { limits_config: { ingestion_rate_mb: 99 } } },
      kubePrometheusStack: { prometheus: { prometheusSpec: { retention: "3d" } } },
      alloy: { alloy: { clustering: { enabled: false } } },
      strimzi: { replicas: 2 },
      kafkaCluster: { kafka: { config: { "message.max.bytes": 1048588 } } },
      kafkaTopic: { partitions: 64 },
      bucketLifecycleDays: { mimirBlocks: 30 },
    };
    let run: ProgramRun;
    before(async () => {
      run = await runStack("override-probe", { overrides }, { baseStack: "dev" });
      assert.equal(run.captured.error, undefined, run.captured.error?.message);
    });

    it("chart values", () => {
      assert.equal(releaseValues(run, "mimir-distributed").distributor.replicas, 7);
      assert.equal(releaseValues(run, "mimir-distributed").mimir.structuredConfig.limits.ingestion_rate, 123);
      assert.ok(
        releaseValues(run, "mimir-distributed").mimir.structuredConfig.limits.compactor_blocks_retention_period,
        "siblings survive the merge",
      );
      assert.equal(releaseValues(run, "loki").loki.limits_config.ingestion_rate_mb, 99);
      assert.equal(releaseValues(run, "kube-prometheus-stack").prometheus.prometheusSpec.retention, "3d");
      assert.equal(releaseValues(run, "alloy").alloy.clustering.enabled, false);
      assert.equal(releaseValues(run, "strimzi-kafka-operator").replicas, 2);
    });

    it("Kafka resources and bucket lifecycle", () => {
      assert.equal(run.ofType(T.kafka)[0].plain.spec.kafka.config["message.max.bytes"], 1048588);
      assert.equal(run.ofType(T.topic)[0].plain.spec.partitions, 64);
      const blocks = run.ofType(T.bucket).find((b) => b.plain.tags["observability/bucket-role"] === "mimirBlocks")!
        .plain.bucket;
      const lifecycle = run
        .ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        .find((l) => l.plain.bucket === blocks)!;
      assert.deepEqual(
        lifecycle.plain.rules.filter((r: any) => r.expiration?.days).map((r: any) => r.expiration.days),
        [30],
      );
    });
  });
});
