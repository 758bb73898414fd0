import * as assert from "node:assert/strict";
import { buildKafkaSpec, buildTopicSpec, clientSecurity, KAFKA_PASSWORD_ENV } from "../../../components/kafka";
import { buildMimirValues, MIMIR_CONFIG_COMPONENTS, MimirValueInputs } from "../../../components/mimir";
import type { Profile, Settings } from "../../../settings";
import { parseDuration } from "../../../settings/durations";
import * as upstream from "../../../settings/upstream";
import { AZS, mebibytesOf, PROFILES, serialized, settingsFor, STORAGE_CLASS } from "../fixtures";

type Any = any;

const BUCKETS = { blocks: "stack-mimir-blocks", ruler: "stack-mimir-ruler", alertmanager: "stack-mimir-alertmanager" };
const ROLE = "arn:aws:iam::123456789012:role/mimir";

function inputsFor(settings: Settings): MimirValueInputs {
  const authenticated = clientSecurity(settings).client.kind !== "none";
  return {
    region: "eu-west-1",
    availabilityZones: AZS,
    buckets: BUCKETS,
    roleArn: ROLE,
    storageClassName: STORAGE_CLASS,
    kafka: {
      address: settings.kafka.bootstrapAddress,
      topic: settings.kafka.topic.name,
      sasl: authenticated
        ? {
            username: settings.kafka.mimirUser,
            passwordEnvVar: KAFKA_PASSWORD_ENV,
            secretName: "mimir-kafka-sasl",
            secretKey: "password",
          }
        : undefined,
    },
    gatewayAuthSecretName: "mimir-gateway-htpasswd",
  };
}

function build(profile: Profile, overrides?: object) {
  const settings = settingsFor(profile);
  const values: Any = buildMimirValues(settings, inputsFor(settings), overrides);
  const config = values.mimir.structuredConfig;
  return { settings, values, config, kafkaCfg: config.ingest_storage.kafka };
}

const ms = (d: string) => parseDuration(d);

describe("Mimir values", () => {
  for (const profile of PROFILES) {
    describe(profile, () => {
      const { settings, values, config, kafkaCfg } = build(profile);

      it("replaces the chart's demo Kafka and MinIO with Strimzi and S3", () => {
        assert.equal(values.kafka.enabled, false);
        assert.equal(values.minio.enabled, false);
        assert.equal(config.common.storage.backend, "s3");
        assert.equal(config.common.storage.s3.endpoint, "s3.eu-west-1.amazonaws.com");
        assert.equal(config.common.storage.s3.region, "eu-west-1");
      });

      it("points ingest storage at the Strimzi bootstrap service and topic, with Mimir's auto-creation off", () => {
        assert.equal(config.ingest_storage.enabled, true);
        assert.equal(kafkaCfg.address, settings.kafka.bootstrapAddress);
        assert.equal(kafkaCfg.topic, settings.kafka.topic.name);
        assert.equal(kafkaCfg.auto_create_topic_enabled, false);
      });

      it("K1: Mimir's records fit the topic and broker limits the Kafka component sets", () => {
        const topic: Any = buildTopicSpec(settings);
        const broker: Any = buildKafkaSpec(settings, clientSecurity(settings));
        assert.equal(kafkaCfg.producer_max_record_size_bytes, settings.mimir.producerMaxRecordSizeBytes);
        assert.ok(kafkaCfg.producer_max_record_size_bytes >= upstream.mimir.producerMaxRecordSizeBytesMin);
        assert.ok(
          kafkaCfg.producer_max_record_size_bytes <= upstream.mimir.producerMaxRecordSizeBytes,
          "Mimir rejects larger values at startup",
        );
        assert.ok(topic.config["max.message.bytes"] >= upstream.mimir.producerBatchMaxBytes);
        assert.ok(broker.kafka.config["message.max.bytes"] >= upstream.mimir.producerBatchMaxBytes);
      });

      it("spreads the stateless components over the AWS zones wherever the stack spans zones (the chart adds selectors and budgets)", () => {
        for (const key of ["distributor", "querier", "query_frontend", "query_scheduler", "ruler", "gateway"]) {
          const constraints = values[key].topologySpreadConstraints;
          if (!settings.spreadOverZones) {
            assert.equal(constraints, undefined, key);
            continue;
          }
          assert.deepEqual(
            constraints.map((c: Any) => `${c.topologyKey} ${c.whenUnsatisfiable}`),
            ["kubernetes.io/hostname ScheduleAnyway", "topology.kubernetes.io/zone DoNotSchedule"],
            key,
          );
          assert.equal(constraints[1].nodeTaintsPolicy, "Honor");
        }
      });

      it("deduplicates the Prometheus HA pair with the HA tracker on memberlist, by the labels prometheus-operator sets", () => {
        if (settings.prometheus.replicas > 1) {
          assert.deepEqual(config.distributor.ha_tracker, {
            enable_ha_tracker: true,
            kvstore: { store: "memberlist" },
          });
          assert.equal(config.limits.accept_ha_samples, true);
          assert.equal(config.limits.ha_cluster_label, "prometheus");
          assert.equal(config.limits.ha_replica_label, "prometheus_replica");
        } else {
          assert.equal(config.distributor.ha_tracker, undefined);
          assert.equal(config.limits.accept_ha_samples, undefined);
        }
      });

      it("K11: the distributor's memory limit holds the producer buffer plus its working set", () => {
        const limitMiB = mebibytesOf(values.distributor.resources.limits.memory);
        const bufferMiB = kafkaCfg.producer_max_buffered_bytes / upstream.bytes.MiB;
        assert.equal(kafkaCfg.producer_max_buffered_bytes, settings.mimir.sizing.distributor.producerMaxBufferedBytes);
        assert.ok(
          limitMiB > bufferMiB + settings.mimir.sizing.distributor.workingSetMiB,
          `${limitMiB}Mi <= ${bufferMiB}Mi buffer + working set`,
        );
        assert.equal(config.distributor.remote_timeout, settings.mimir.remoteTimeout);
      });

      it("keeps Kafka's retention at least as long as the ingesters' replay window", () => {
        assert.ok(settings.retention.kafkaMs >= ms(config.blocks_storage.tsdb.retention_period));
      });

      it("sets every retention and deletion timing explicitly and consistently (M1, M2, M3, M6, R1)", () => {
        const t = settings.retention.mimir;
        assert.equal(config.limits.compactor_blocks_retention_period, settings.retention.metrics);
        assert.ok(ms(config.limits.compactor_blocks_retention_period) >= settings.retention.ms.prometheusLocal, "R1");
        assert.ok(ms(config.limits.query_ingesters_within) > ms(config.querier.query_store_after), "M1");
        const bs = config.blocks_storage.bucket_store;
        assert.ok(ms(bs.ignore_deletion_mark_while_querying_delay) < ms(bs.ignore_deletion_mark_delay), "M2");
        assert.ok(ms(bs.ignore_deletion_mark_while_querying_delay) > 3 * ms(bs.sync_interval), "M2");
        const ranges = config.compactor.block_ranges.map(ms);
        for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i] % ranges[i - 1], 0, "M3");
        assert.ok(ms(config.blocks_storage.tsdb.retention_period) > ms(config.querier.query_store_after), "M6");
        assert.equal(config.compactor.deletion_delay, t.deletionDelay);
        assert.equal(config.compactor.cleanup_interval, t.cleanupInterval);
      });

      it("stores blocks, rules and alertmanager state in three distinct buckets through IRSA, without keys (M4)", () => {
        assert.equal(config.blocks_storage.s3.bucket_name, BUCKETS.blocks);
        assert.equal(config.ruler_storage.s3.bucket_name, BUCKETS.ruler);
        assert.equal(config.alertmanager_storage.s3.bucket_name, BUCKETS.alertmanager);
        assert.equal(new Set(Object.values(BUCKETS)).size, 3);
        assert.equal(values.serviceAccount.name, settings.serviceAccounts.mimir);
        assert.equal(values.serviceAccount.annotations["eks.amazonaws.com/role-arn"], ROLE);
        const text = serialized(values);
        assert.ok(!/access_key_id|secret_access_key|rootPassword/.test(text));
      });

      it("applies ingestion limits and per-tenant overrides from settings", () => {
        for (const key of ["ingestion_rate", "ingestion_burst_size", "max_global_series_per_user"] as const) {
          assert.equal(config.limits[key], settings.mimir.limits[key]);
        }
        assert.deepEqual(values.runtimeConfig.overrides, settings.mimir.tenantOverrides);
      });

      it("sizes every component from settings (requests, memory limits, disks on gp3)", () => {
        const sz = settings.mimir.sizing;
        const pairs: [string, keyof typeof sz][] = [
          ["distributor", "distributor"],
          ["ingester", "ingester"],
          ["store_gateway", "storeGateway"],
          ["querier", "querier"],
          ["query_frontend", "queryFrontend"],
          ["query_scheduler", "queryScheduler"],
          ["compactor", "compactor"],
          ["ruler", "ruler"],
          ["alertmanager", "alertmanager"],
          ["gateway", "gateway"],
        ];
        for (const [section, key] of pairs) {
          const size = sz[key];
          assert.equal(values[section].replicas, size.replicas, section);
          assert.equal(values[section].resources.requests.cpu, `${size.cpuMillis}m`, section);
          assert.equal(mebibytesOf(values[section].resources.requests.memory), size.memoryMiB, section);
          assert.equal(mebibytesOf(values[section].resources.limits.memory), size.memoryLimitMiB, section);
          assert.ok(size.memoryLimitMiB >= size.memoryMiB, section);
          if (size.diskGiB !== undefined) {
            assert.equal(values[section].persistentVolume.size, `${size.diskGiB}Gi`, section);
            assert.equal(values[section].persistentVolume.storageClass, STORAGE_CLASS, section);
          }
        }
      });

      it("M7/M8: one store-gateway RF in the shared config, held by the zones or replicas", () => {
        const rf = config.store_gateway.sharding_ring.replication_factor;
        assert.equal(rf, settings.mimir.storeGatewayReplicationFactor);
        const sg = values.store_gateway;
        if (sg.zoneAwareReplication.enabled) assert.ok(rf <= sg.zoneAwareReplication.zones.length);
        assert.ok(rf <= sg.replicas);
      });

      it("evaluates rules remotely through the query-frontend, as ingest storage requires", () => {
        assert.equal(
          config.ruler.query_frontend.address,
          `dns:///mimir-query-frontend.${settings.namespaces.mimir}.svc:9095`,
        );
      });

      it("protects the gateway with basic auth from an existing htpasswd Secret, no credentials in values", () => {
        assert.deepEqual(values.gateway.nginx.basicAuth, { enabled: true, existingSecret: "mimir-gateway-htpasswd" });
        assert.ok(!("username" in values.gateway.nginx.basicAuth) && !("password" in values.gateway.nginx.basicAuth));
      });

      it("turns on meta-monitoring, Mimir's alerts and recording rules, labelled for kube-prometheus-stack", () => {
        const mm = values.metaMonitoring;
        assert.equal(mm.serviceMonitor.enabled, true);
        assert.equal(mm.prometheusRule.enabled, true);
        assert.equal(mm.prometheusRule.mimirAlerts, true);
        assert.equal(mm.prometheusRule.mimirRules, true);
        assert.equal(mm.serviceMonitor.labels.release, settings.releases.kubePrometheusStack);
        assert.equal(values.rollout_operator.enabled, true);
      });
    });
  }

  it("dev talks to Kafka without credentials; no component gets a password variable", () => {
    const { values, kafkaCfg } = build("dev");
    assert.equal(kafkaCfg.sasl_username, undefined);
    assert.equal(kafkaCfg.sasl_password, undefined);
    for (const c of MIMIR_CONFIG_COMPONENTS) assert.equal(values[c]?.env, undefined, c);
  });

  for (const profile of ["staging", "prod"] as const) {
    it(`${profile} authenticates with SASL/PLAIN; the password comes from a Secret through an expanded variable`, () => {
      const { settings, values, kafkaCfg } = build(profile);
      assert.equal(kafkaCfg.sasl_username, settings.kafka.mimirUser);
      assert.equal(kafkaCfg.sasl_password, `\${${KAFKA_PASSWORD_ENV}}`);
      for (const c of MIMIR_CONFIG_COMPONENTS) {
        assert.deepEqual(
          values[c].env,
          [{ name: KAFKA_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: "mimir-kafka-sasl", key: "password" } } }],
          c,
        );
        assert.equal(values[c].extraArgs["config.expand-env"], true, c);
      }
      assert.equal(values.gateway.env, undefined, "the nginx gateway never sees the Kafka password");
    });
  }

  it("overrides reach the values and win, leaving the rest intact", () => {
    const { values, config, settings } = build("prod", {
      distributor: { replicas: 9 },
      mimir: { structuredConfig: { limits: { ingestion_rate: 1234 } } },
    });
    assert.equal(values.distributor.replicas, 9);
    assert.equal(config.limits.ingestion_rate, 1234);
    assert.equal(config.limits.max_global_series_per_user, settings.mimir.limits.max_global_series_per_user);
    assert.equal(values.distributor.resources.requests.cpu, `${settings.mimir.sizing.distributor.cpuMillis}m`);
  });

  it("per-tenant limits from the config reach the runtime overrides", () => {
    const settings = settingsFor("staging", {
      tenants: [{ id: "platform" }, { id: "team-a", limits: { ingestionRate: 5000, metricsRetention: "60d" } }],
    });
    const values: Any = buildMimirValues(settings, inputsFor(settings));
    assert.equal(values.runtimeConfig.overrides["team-a"].ingestion_rate, 5000);
    assert.equal(values.runtimeConfig.overrides["team-a"].compactor_blocks_retention_period, "60d");
  });

  it("refuses a topic with fewer partitions than ingesters per zone (K8), naming both numbers", () => {
    const settings = settingsFor("prod");
    settings.kafka.topic = { ...settings.kafka.topic, partitions: 1 };
    assert.throws(() => buildMimirValues(settings, inputsFor(settings)), /1 partitions but 2 ingesters share a zone/);
  });

  it("refuses an unknown AWS region for the S3 endpoint", () => {
    const settings = settingsFor("dev");
    assert.throws(() => buildMimirValues(settings, { ...inputsFor(settings), region: "Ireland" }), /region "Ireland"/);
  });
});
