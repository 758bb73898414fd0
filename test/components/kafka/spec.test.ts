import * as assert from "node:assert/strict";
import {
  buildKafkaSpec,
  buildNodePools,
  buildTopicSpec,
  buildUserSpec,
  clientSecurity,
  KAFKA_PASSWORD_ENV,
} from "../../../components/kafka";
import { ingestersPerChartZone, zoneLayout } from "../../../components/mimir";
import * as upstream from "../../../settings/upstream";
import { AZS, PROFILES, settingsFor, STORAGE_CLASS } from "../fixtures";

type Any = any;

function build(profile: (typeof PROFILES)[number]) {
  const settings = settingsFor(profile);
  const security = clientSecurity(settings);
  const kafka: Any = buildKafkaSpec(settings, security);
  const pools = buildNodePools(settings, security, {
    storageClassName: STORAGE_CLASS,
    availabilityZones: AZS,
    passwordSecretName: "kafka-mimir-sasl",
  }) as Any[];
  const topic: Any = buildTopicSpec(settings);
  const brokers = pools.filter((p) => p.spec.roles.includes("broker")).reduce((n, p) => n + p.spec.replicas, 0);
  const controllers = pools.filter((p) => p.spec.roles.includes("controller")).reduce((n, p) => n + p.spec.replicas, 0);
  return { settings, security, kafka, pools, topic, brokers, controllers, config: kafka.kafka.config };
}

describe("Kafka specs agree with Mimir's producer and with themselves", () => {
  for (const profile of PROFILES) {
    describe(profile, () => {
      const b = build(profile);

      it("K1: broker and topic accept Mimir's 16,000,000-byte producer batches", () => {
        assert.ok(b.config["message.max.bytes"] >= upstream.mimir.producerBatchMaxBytes);
        assert.ok(b.topic.config["max.message.bytes"] >= upstream.mimir.producerBatchMaxBytes);
        // Mimir's records are bounded by producer_max_record_size_bytes, itself below the batch.
        assert.ok(b.topic.config["max.message.bytes"] > b.settings.mimir.producerMaxRecordSizeBytes);
      });

      it("K2-K4: segments, socket requests and replica fetches are larger than the largest message", () => {
        const largest = Math.max(b.config["message.max.bytes"], b.topic.config["max.message.bytes"]);
        assert.ok(b.config["log.segment.bytes"] > largest);
        assert.ok(b.topic.config["segment.bytes"] > largest);
        assert.ok(b.config["socket.request.max.bytes"] > largest);
        assert.ok(b.config["replica.fetch.max.bytes"] >= b.config["message.max.bytes"]);
      });

      it("K5-K7: every replication factor fits the brokers and every min ISR fits its RF", () => {
        assert.ok(b.topic.replicas <= b.brokers, `topic RF ${b.topic.replicas} > ${b.brokers} brokers`);
        assert.ok(b.config["default.replication.factor"] <= b.brokers);
        assert.ok(b.config["offsets.topic.replication.factor"] <= b.brokers);
        assert.ok(b.config["transaction.state.log.replication.factor"] <= b.brokers);
        assert.ok(b.config["transaction.state.log.min.isr"] <= b.config["transaction.state.log.replication.factor"]);
        assert.ok(b.topic.config["min.insync.replicas"] <= b.topic.replicas);
        assert.ok(b.config["min.insync.replicas"] <= b.topic.replicas);
      });

      it("K8: Mimir's topic has a partition for every ingester of a zone, as the chart will lay them out", () => {
        const layout = zoneLayout(b.settings, AZS);
        const perZone = ingestersPerChartZone(layout, b.settings.mimir.sizing.ingester.replicas);
        assert.ok(b.topic.partitions >= perZone, `${b.topic.partitions} partitions < ${perZone} ingesters per zone`);
      });

      it("K9: the topic keeps data at least as long as Mimir's ingesters replay (TSDB retention)", () => {
        assert.ok(b.topic.config["retention.ms"] >= b.settings.retention.ms.tsdb);
        assert.equal(b.topic.config["retention.ms"], b.settings.retention.kafkaMs);
      });

      it("runs Kafka in KRaft with the Strimzi-supported version and no auto-created topics", () => {
        assert.equal(b.kafka.kafka.version, upstream.kafka.version);
        assert.equal(b.kafka.kafka.metadataVersion, upstream.kafka.metadataVersion);
        assert.equal(b.config["auto.create.topics.enable"], false);
        assert.equal(b.topic.topicName, b.settings.kafka.topic.name);
      });

      it("uses persistent gp3 JBOD volumes holding the KRaft metadata, kept when a node goes away", () => {
        for (const pool of b.pools) {
          assert.equal(pool.spec.storage.type, "jbod");
          const volumes = pool.spec.storage.volumes;
          assert.ok(volumes.length >= 1);
          assert.equal(new Set(volumes.map((v: Any) => v.id)).size, volumes.length, "volume ids must be unique");
          assert.equal(
            volumes.filter((v: Any) => v.kraftMetadata === "shared").length,
            1,
            "exactly one volume stores KRaft metadata",
          );
          for (const v of volumes) {
            assert.equal(v.type, "persistent-claim");
            assert.equal(v.class, STORAGE_CLASS);
            assert.equal(v.deleteClaim, false);
            assert.match(v.size, /^\d+Gi$/);
          }
        }
        const brokerPool = b.pools.find((p) => p.spec.roles.includes("broker"));
        assert.equal(brokerPool.spec.storage.volumes[0].size, `${b.settings.kafka.brokerStorageGiB}Gi`);
        const controllerPool = b.pools.find((p) => !p.spec.roles.includes("broker"));
        if (controllerPool)
          assert.equal(controllerPool.spec.storage.volumes[0].size, `${b.settings.kafka.controllerStorageGiB}Gi`);
      });

      it("keeps every pool inside the network's availability zones", () => {
        for (const pool of b.pools) {
          const term =
            pool.spec.template.pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution
              .nodeSelectorTerms[0];
          assert.deepEqual(term.matchExpressions[0], {
            key: "topology.kubernetes.io/zone",
            operator: "In",
            values: AZS,
          });
        }
      });

      it("satisfies the fields the Strimzi 1.2.0 CRDs require", () => {
        // Kafka: spec.kafka.listeners required; each listener needs name (^[a-z0-9]{1,11}$), port >= 9092, type, tls.
        assert.ok(Array.isArray(b.kafka.kafka.listeners) && b.kafka.kafka.listeners.length > 0);
        for (const l of b.kafka.kafka.listeners) {
          assert.match(l.name, /^[a-z0-9]{1,11}$/);
          assert.ok(Number.isInteger(l.port) && l.port >= 9092);
          assert.ok(
            ["internal", "route", "tlsroute", "loadbalancer", "nodeport", "ingress", "cluster-ip"].includes(l.type),
          );
          assert.equal(typeof l.tls, "boolean");
          if (l.authentication) assert.ok(["tls", "scram-sha-512", "custom"].includes(l.authentication.type));
        }
        // KafkaNodePool: replicas, storage, roles required; roles from {controller, broker}.
        for (const p of b.pools) {
          assert.ok(Number.isInteger(p.spec.replicas) && p.spec.replicas >= 1);
          assert.ok(p.spec.roles.length > 0 && p.spec.roles.every((r: string) => r === "controller" || r === "broker"));
          assert.ok(["ephemeral", "persistent-claim", "jbod"].includes(p.spec.storage.type));
        }
        // KafkaTopic: partitions >= 1, 1 <= replicas <= 32767.
        assert.ok(b.topic.partitions >= 1);
        assert.ok(b.topic.replicas >= 1 && b.topic.replicas <= 32767);
        // KafkaUser authorization: type simple, acls[].resource.type and operations from the CRD enums.
        const user: Any = buildUserSpec(b.settings);
        assert.equal(user.authorization.type, "simple");
        for (const acl of user.authorization.acls) {
          assert.ok(["topic", "group", "cluster", "transactionalId"].includes(acl.resource.type));
          for (const op of acl.operations) {
            assert.ok(
              [
                "Read",
                "Write",
                "Create",
                "Delete",
                "Alter",
                "Describe",
                "ClusterAction",
                "AlterConfigs",
                "DescribeConfigs",
                "IdempotentWrite",
                "All",
              ].includes(op),
            );
          }
        }
      });
    });
  }

  it("dev: one combined controller+broker node, no rack or spread constraints", () => {
    const b = build("dev");
    assert.equal(b.pools.length, 1);
    assert.deepEqual([...b.pools[0].spec.roles].sort(), ["broker", "controller"]);
    assert.equal(b.pools[0].spec.replicas, 1);
    assert.equal(b.kafka.kafka.rack, undefined);
    assert.equal(b.pools[0].spec.template.pod.topologySpreadConstraints, undefined);
  });

  for (const profile of ["staging", "prod"] as const) {
    it(`${profile}: 3 dedicated controllers and the brokers spread over the zones with rack awareness`, () => {
      const b = build(profile);
      const controller = b.pools.find((p) => p.name === "controller");
      const broker = b.pools.find((p) => p.name === "broker");
      assert.deepEqual(controller.spec.roles, ["controller"]);
      assert.equal(controller.spec.replicas, 3);
      assert.equal(controller.spec.replicas % 2, 1, "K10: an odd KRaft quorum");
      assert.deepEqual(broker.spec.roles, ["broker"]);
      assert.equal(broker.spec.replicas, b.settings.kafka.brokers);
      assert.deepEqual(b.kafka.kafka.rack, { type: "topology-label", topologyKey: "topology.kubernetes.io/zone" });
      for (const pool of [controller, broker]) {
        const [spread] = pool.spec.template.pod.topologySpreadConstraints;
        assert.equal(spread.topologyKey, "topology.kubernetes.io/zone");
        assert.equal(spread.whenUnsatisfiable, "DoNotSchedule");
        assert.equal(spread.maxSkew, 1);
        assert.deepEqual(spread.labelSelector.matchLabels, {
          "strimzi.io/cluster": b.settings.kafka.clusterName,
          "strimzi.io/pool-name": pool.name,
        });
      }
    });
  }

  it("authentication per profile: dev open but fenced to Mimir's namespace; staging/prod SASL/PLAIN with ACLs", () => {
    const dev = build("dev");
    const [devListener] = dev.kafka.kafka.listeners;
    assert.equal(devListener.authentication, undefined);
    assert.equal(dev.kafka.kafka.authorization, undefined);
    assert.equal(dev.kafka.entityOperator.userOperator, undefined);
    assert.equal(dev.pools[0].spec.template.kafkaContainer, undefined, "no password variable without authentication");
    assert.deepEqual(devListener.networkPolicyPeers, [
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": dev.settings.namespaces.mimir } },
        podSelector: {
          matchLabels: { "app.kubernetes.io/name": "mimir", "app.kubernetes.io/instance": dev.settings.releases.mimir },
        },
      },
    ]);

    for (const profile of ["staging", "prod"] as const) {
      const b = build(profile);
      const [listener] = b.kafka.kafka.listeners;
      assert.equal(listener.tls, false);
      assert.equal(listener.authentication.type, "custom");
      assert.equal(listener.authentication.sasl, true);
      assert.equal(listener.authentication.listenerConfig["sasl.enabled.mechanisms"], "PLAIN");
      assert.match(
        listener.authentication.listenerConfig["plain.sasl.jaas.config"],
        new RegExp(`user_${b.settings.kafka.mimirUser}="\\$\\{strimzienv:${KAFKA_PASSWORD_ENV}\\}"`),
      );
      assert.deepEqual(b.kafka.kafka.authorization, { type: "simple" });
      assert.deepEqual(b.kafka.entityOperator.userOperator, {});
      assert.ok(listener.networkPolicyPeers.length > 0);
      const broker = b.pools.find((p) => p.name === "broker");
      assert.deepEqual(broker.spec.template.kafkaContainer.env, [
        { name: KAFKA_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: "kafka-mimir-sasl", key: "password" } } },
      ]);
      const controller = b.pools.find((p) => p.name === "controller");
      assert.equal(controller.spec.template.kafkaContainer, undefined, "controllers never see client credentials");
    }
  });

  it("refuses to build an authenticated pool without the password Secret", () => {
    const s = settingsFor("prod");
    assert.throws(
      () => buildNodePools(s, clientSecurity(s), { storageClassName: STORAGE_CLASS, availabilityZones: AZS }),
      /passwordSecretName/,
    );
  });
});
