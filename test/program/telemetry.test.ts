import { strict as assert } from "assert";
import { parseDuration } from "../../settings/durations";
import { redactSecrets } from "../../tools/harness/wire";
import { bytesOf, ProgramRun, releaseValues, runShippedStacks, runStack, SHIPPED_STACKS, T, type ShippedStack } from "../support/program";

/** Mimir's producer batch (grafana/mimir pkg/storage/ingest/writer.go, franz-go ProducerBatchMaxBytes). */
const MIMIR_BATCH = 16_000_000;
/** Mimir defaults that apply when a key is absent (Mimir config descriptor). */
const MIMIR_DEFAULTS = { tsdbRetention: "13h", deletionDelay: "12h", cleanupInterval: "15m" };

const DAY = 86_400_000;
const PASSWORD_TYPE = "random:index/randomPassword:RandomPassword";

/** A captured output, without the secret wrapper the engine puts around it. */
const unwrapped = (output: any): string => (typeof output === "object" && output !== null && "value" in output ? output.value : output);

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
        const brokers = run.ofType(T.nodePool).filter((p) => p.plain.spec.roles.includes("broker")).reduce((n, p) => n + p.plain.spec.replicas, 0);
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
        const tsdb = mimir.mimir.structuredConfig.blocks_storage?.tsdb?.retention_period ?? MIMIR_DEFAULTS.tsdbRetention;
        assert.ok(topic.config["retention.ms"] >= parseDuration(tsdb));
      });

      it("Mimir: store-gateway RF within zones and replicas; zones within the cluster's AZs (M7, M8)", () => {
        const mimir = releaseValues(runs[stack], "mimir-distributed");
        const rf = mimir.mimir.structuredConfig.store_gateway.sharding_ring.replication_factor;
        assert.ok(rf <= mimir.store_gateway.replicas);
        if (mimir.store_gateway.zoneAwareReplication?.enabled) assert.ok(rf <= mimir.store_gateway.zoneAwareReplication.zones.length);
        const availabilityZones = runs[stack].ofType(T.nodeGroup).length;
        for (const component of [mimir.ingester, mimir.store_gateway]) {
          if (component.zoneAwareReplication?.enabled) assert.ok(component.zoneAwareReplication.zones.length <= availabilityZones);
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
          const bucket = run.ofType(T.bucket).find((b) => b.plain.tags["observability/bucket-role"] === role)!.plain.bucket;
          const lifecycle = run.ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").find((l) => l.plain.bucket === bucket)!;
          return lifecycle.plain.rules.filter((r: any) => r.expiration?.days !== undefined).map((r: any) => r.expiration.days as number);
        };
        const deletion = parseDuration(mimir.compactor?.deletion_delay ?? MIMIR_DEFAULTS.deletionDelay) + parseDuration(mimir.compactor?.cleanup_interval ?? MIMIR_DEFAULTS.cleanupInterval);
        const tenantRetention = Object.values(releaseValues(run, "mimir-distributed").runtimeConfig?.overrides ?? {}).map((o: any) => (o.compactor_blocks_retention_period ? parseDuration(o.compactor_blocks_retention_period) : 0));
        const longestMimir = Math.max(mimirRetention, ...tenantRetention);
        for (const days of expirations("mimirBlocks")) assert.ok(days * DAY > longestMimir + deletion + DAY, `blocks expire after ${days}d`);
        const lokiTenants = Object.values(loki.runtimeConfig?.overrides ?? releaseValues(run, "loki").runtimeConfig?.overrides ?? {}).map((o: any) => (o.retention_period ? parseDuration(o.retention_period) : 0));
        const longestLoki = Math.max(lokiRetention, ...lokiTenants);
        for (const days of expirations("lokiChunks")) assert.ok(days * DAY > longestLoki + parseDuration(loki.compactor.retention_delete_delay) + DAY, `chunks expire after ${days}d`);
        for (const role of ["mimirRuler", "mimirAlertmanager", "lokiRuler"]) assert.deepEqual(expirations(role), [], `${role} must never expire`);
      });

      it("Loki: retention by the compactor with its delete-request store, 24h TSDB index, RF within replicas (R4, R5, L1)", () => {
        const values = releaseValues(runs[stack], "loki");
        assert.equal(values.loki.compactor.retention_enabled, true);
        assert.ok(values.loki.compactor.delete_request_store);
        for (const c of values.loki.schemaConfig.configs) assert.equal(c.index.period, "24h");
        const rf = values.loki.commonConfig.replication_factor;
        const holders = values.deploymentMode === "Monolithic" ? values.singleBinary.replicas : values.ingester.replicas;
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

      it("Loki: the gateway demands basic auth from an htpasswd of the generated password; Alloy, Grafana and the canary log in with it, and no Helm value carries it", () => {
        const run = runs[stack];
        const secretIn = (namespace: string, name: string) => {
          const found = run.ofType(T.secret).find((s) => s.plain.metadata.namespace === namespace && s.plain.metadata.name === name);
          assert.ok(found, `no Secret ${namespace}/${name}`);
          return found.plain.stringData as Record<string, string>;
        };
        const generated = run.named(PASSWORD_TYPE, "loki-gateway-password");
        const password = unwrapped(generated.outputs.result);

        const loki = run.ofType(T.release).find((r) => r.plain.chart === "loki")!;
        const lokiNs: string = loki.plain.namespace;
        const values = loki.plain.values;
        assert.equal(values.gateway.basicAuth.enabled, true);
        const htpasswdSecret = run.ofType(T.secret).find((s) => s.plain.metadata.namespace === lokiNs && s.plain.metadata.name === values.gateway.basicAuth.existingSecret)!;
        assert.ok(loki.dependencies.includes(htpasswdSecret.urn), "the gateway's Secret exists before the release mounts it");
        const line: string = htpasswdSecret.plain.stringData[".htpasswd"];
        const user = line.slice(0, line.indexOf(":"));
        assert.equal(line, `${user}:${unwrapped(generated.outputs.bcryptHash)}\n`, "one user, the bcrypt hash of the generated password");

        const alloy = releaseValues(run, "alloy");
        const alloyNs: string = run.ofType(T.release).find((r) => r.plain.chart === "alloy")!.plain.namespace;
        const write: string = alloy.alloy.configMap.content.split('loki.write "default"')[1];
        const envOf = (key: string) => new RegExp(`${key} = sys\\.env\\("(\\w+)"\\)`).exec(write)![1];
        const alloyEnv = Object.assign({}, ...alloy.alloy.envFrom.map((e: any) => secretIn(alloyNs, e.secretRef.name)));
        assert.equal(alloyEnv[envOf("username")], user);
        assert.equal(alloyEnv[envOf("password")], password);
        assert.match(write, /tenant_id = "platform"/);

        const kps = releaseValues(run, "kube-prometheus-stack");
        const kpsNs: string = run.ofType(T.release).find((r) => r.plain.chart === "kube-prometheus-stack")!.plain.namespace;
        const datasource = kps.grafana.additionalDataSources.find((d: any) => d.type === "loki");
        assert.equal(datasource.basicAuth, true);
        const grafanaEnv = (reference: string) => {
          const ref = kps.grafana.envValueFrom[/^\$\{(\w+)\}$/.exec(reference)![1]].secretKeyRef;
          return secretIn(kpsNs, ref.name)[ref.key];
        };
        assert.equal(grafanaEnv(datasource.basicAuthUser), user);
        assert.equal(grafanaEnv(datasource.secureJsonData.basicAuthPassword), password);

        const canary = values.lokiCanary;
        const canaryRef = canary.extraEnv.find((e: any) => canary.tenant.password === `$(${e.name})`).valueFrom.secretKeyRef;
        assert.equal(secretIn(lokiNs, canaryRef.name)[canaryRef.key], password);
        assert.equal(canary.extraArgs.at(-1), `-user=${user}`);

        for (const release of run.ofType(T.release)) assert.ok(!JSON.stringify(release.plain).includes(password), `${release.plain.chart} values carry the Loki password`);
      });

      it("Prometheus: apiserver histogram buckets dropped, tenant header and Secret-backed basic auth on remote write", () => {
        const spec = releaseValues(runs[stack], "kube-prometheus-stack").prometheus.prometheusSpec;
        const [rw] = spec.remoteWrite;
        const dropped = rw.writeRelabelConfigs.filter((r: any) => r.action === "drop").map((r: any) => r.regex).join("|");
        for (const metric of ["apiserver_request_duration_seconds_bucket", "apiserver_request_body_size_bytes_bucket", "apiserver_response_body_size_bytes_bucket", "apiserver_watch_events_sizes_bucket"]) {
          assert.ok(dropped.includes(metric), metric);
        }
        assert.equal(rw.headers["X-Scope-OrgID"], "platform");
        assert.ok(rw.basicAuth.password.name && rw.basicAuth.password.key);
        assert.ok(spec.retentionSize);
      });

      it("no plaintext secret in any Helm values or custom resource; Secrets carry them as secrets", () => {
        const run = runs[stack];
        const generated = run.ofType(PASSWORD_TYPE).map((p) => unwrapped(p.outputs.result));
        assert.equal(generated.length, stack === "dev" ? 3 : 4, "Mimir and Loki gateway, Grafana and (outside dev) Kafka passwords are generated");
        for (const r of run.resources.filter((r) => r.type === T.release || r.type.startsWith("kubernetes:kafka.strimzi.io") || r.type.startsWith("kubernetes:monitoring.coreos.com"))) {
          const text = JSON.stringify(r.plain);
          for (const password of generated) assert.ok(!text.includes(password), `${r.type} ${r.name} carries a generated password`);
          assert.ok(!/secret_access_key|access_key_id|AKIA[0-9A-Z]{16}/.test(text), `${r.name} carries static AWS keys`);
        }
        for (const secret of run.ofType(T.secret)) {
          const redacted = JSON.stringify(redactSecrets(secret.inputs as any));
          for (const password of generated) if (redacted.includes(password)) assert.fail(`${secret.name} holds a password outside a secret marker`);
        }
      });

      it("Helm releases are ordered only where needed: operator before its CRs, CRDs before monitors, Kafka before Mimir", () => {
        const run = runs[stack];
        const urnOf = (type: string, pred: (r: any) => boolean) => run.resources.find((r) => r.type === type && pred(r))!.urn;
        const release = (chart: string) => run.ofType(T.release).find((r) => r.plain.chart === chart)!;
        const operator = urnOf(T.release, (r) => r.plain.chart === "strimzi-kafka-operator");
        assert.ok(run.ofType(T.kafka)[0].dependencies.includes(operator));
        const crds = urnOf(T.release, (r) => r.plain.chart === "prometheus-operator-crds");
        for (const chart of ["mimir-distributed", "loki", "kube-prometheus-stack", "alloy"]) assert.ok(release(chart).dependencies.includes(crds), `${chart} before CRDs`);
        const mimirDeps = release("mimir-distributed").dependencies;
        assert.ok(run.ofType(T.topic).some((t) => mimirDeps.includes(t.urn)), "Mimir waits for its topic");
        assert.equal(release("loki").dependencies.some((d) => d.includes("kafka")), false, "Loki does not wait for Kafka");
        assert.equal(release("kube-prometheus-stack").dependencies.some((d) => d.includes("mimir-release")), false, "the stack does not wait for Mimir's release");
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
      assert.ok(releaseValues(run, "mimir-distributed").mimir.structuredConfig.limits.compactor_blocks_retention_period, "siblings survive the merge");
      assert.equal(releaseValues(run, "loki").loki.limits_config.ingestion_rate_mb, 99);
      assert.equal(releaseValues(run, "kube-prometheus-stack").prometheus.prometheusSpec.retention, "3d");
      assert.equal(releaseValues(run, "alloy").alloy.clustering.enabled, false);
      assert.equal(releaseValues(run, "strimzi-kafka-operator").replicas, 2);
    });

    it("Kafka resources and bucket lifecycle", () => {
      assert.equal(run.ofType(T.kafka)[0].plain.spec.kafka.config["message.max.bytes"], 1048588);
      assert.equal(run.ofType(T.topic)[0].plain.spec.partitions, 64);
      const blocks = run.ofType(T.bucket).find((b) => b.plain.tags["observability/bucket-role"] === "mimirBlocks")!.plain.bucket;
      const lifecycle = run.ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").find((l) => l.plain.bucket === blocks)!;
      assert.deepEqual(lifecycle.plain.rules.filter((r: any) => r.expiration?.days).map((r: any) => r.expiration.days), [30]);
    });
  });
});
