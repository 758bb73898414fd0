// Mimir must be pointed at a Kafka that exists in the stack with the topic it writes: otherwise no component starts.
import { parseKafkaAddress, STRIMZI_HOST, strimziListeners } from "../../lib/kafka";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { landscape } from "./common";

export const mimirKafkaTargetExists = stackRule<object>(
  {
    name: "mimir-kafka-target-exists",
    rule: "K0",
    description:
      "Mimir's ingest_storage.kafka.address must be set, name a listener port of the Strimzi Kafka it points at (on the shared bootstrap Service, a type=internal listener), and the topic must exist or be auto-created",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "With kafka.enabled: false set mimir.structuredConfig.ingest_storage.kafka.address to <cluster>-kafka-bootstrap.<namespace>.svc:<listener port>; " +
      "declare the topic as a KafkaTopic or keep ingest_storage.kafka.auto_create_topic_enabled true.",
    url: "https://github.com/grafana/mimir/blob/main/docs/sources/mimir/configure/configure-kafka-backend.md (charts.md mimir-distributed)",
    tags: ["kafka", "mimir"],
  },
  (stack, ctx) => {
    for (const path of landscape(stack, ctx).paths) {
      if (!path.cluster) {
        ctx.violation(
          `${show(path.address)}: Mimir has no Kafka address, so distributors and ingesters fail at startup. ` +
            `Fix: set mimir.structuredConfig.ingest_storage.kafka.address (e.g. <cluster>-kafka-bootstrap.<namespace>.svc:9092) or enable the built-in Kafka (not for production).`,
          path.mimir.urn,
        );
        continue;
      }
      const strimziName = STRIMZI_HOST.exec(parseKafkaAddress(path.address.value).host);
      if (path.cluster.kind === "external" && strimziName) {
        // The address is a Strimzi Service name (<cluster>-kafka-bootstrap.<namespace>.svc), yet no Kafka of this stack
        // owns it: the name does not resolve in the cluster, and no externalKafka declaration can make it reachable.
        const clusters = stack.strimzi("Kafka").map((k) => `"${k.name}" in namespace ${k.namespace ?? "(unset)"}`);
        ctx.violation(
          `${show(path.address)} names Strimzi Kafka "${strimziName[1]}" in namespace ${strimziName[3] ?? path.mimir.release.namespace}, ` +
            `but this stack's Kafka ${clusters.length > 0 ? `is ${clusters.join(", ")}` : "has no Strimzi cluster"}: the Service name does not ` +
            `resolve, so distributors and ingesters cannot connect and Mimir writes fail. Fix: use <cluster>-kafka-bootstrap.<namespace>.svc:<port> of that Kafka.`,
          path.mimir.urn,
        );
        continue;
      }
      if (path.topicMissing) {
        ctx.violation(
          `${path.mimir.label} writes to topic "${path.topicName}" on ${path.cluster.label}, but no KafkaTopic declares it and ` +
            `${show(path.topicMissing.autoCreate)}: the topic never exists and every write fails with UNKNOWN_TOPIC_OR_PARTITION. ` +
            `Fix: declare a KafkaTopic labelled strimzi.io/cluster for it, or set auto_create_topic_enabled: true.`,
          path.mimir.urn,
        );
      }
      const listeners = strimziListeners(path.cluster);
      if (listeners === undefined) continue;
      if (isUnknown(listeners)) {
        ctx.inconclusive(listeners);
        continue;
      }
      const ports = listeners.map((l) => l.get("port").number());
      const unknownPort = ports.find(isUnknown);
      if (unknownPort) {
        ctx.inconclusive(unknownPort);
        continue;
      }
      const port = parseKafkaAddress(path.address.value).port;
      if (port !== undefined && !ports.includes(port)) {
        ctx.violation(
          `${show(path.address)} uses port ${port}, but ${path.cluster.label} listens on ${ports.join(", ") || "no port"} ` +
            `(spec.kafka.listeners): connections are refused and Mimir cannot start. Fix: use one of the listener ports.`,
          path.mimir.urn,
        );
        continue;
      }
      if (port === undefined || !strimziName) continue;
      // The shared Services <cluster>-kafka-bootstrap and <cluster>-kafka-brokers carry only the ports of type=internal
      // listeners (plus Strimzi's own 9090/9091/8080): every other listener type (cluster-ip, nodeport, loadbalancer,
      // route, ingress) is served by its own Service <cluster>-kafka-<listener name>-bootstrap (strimzi-kafka-operator
      // 1.2.0 KafkaCluster.getServicePorts / getHeadlessServicePorts use ListenersUtils.internalListeners, i.e.
      // KafkaListenerType.INTERNAL only; ListenersUtils.backwardsCompatibleBootstrapServiceName).
      const listener = listeners.find((l) => l.get("port").number() === port)!;
      const typeNode = listener.get("type");
      const type = typeNode.string();
      if (isUnknown(type)) {
        ctx.inconclusive(type);
        continue;
      }
      if (type === undefined || type === "internal") continue;
      const name = listener.get("name").string();
      const listenerName = typeof name === "string" ? name : "<listener name>";
      const cluster = strimziName[1];
      const namespace = strimziName[3] ?? path.mimir.release.namespace;
      const shared = /-kafka-brokers(\.|$)/.test(parseKafkaAddress(path.address.value).host) ? "brokers" : "bootstrap";
      ctx.violation(
        `${show(path.address)} dials port ${port} on the shared Service ${cluster}-kafka-${shared}, but ${typeNode.where}=${type} ` +
          `(listener "${listenerName}"): Strimzi serves a ${type} listener only through its own Service ` +
          `${cluster}-kafka-${listenerName}-bootstrap and puts only type=internal listeners on the shared bootstrap and brokers ` +
          `Services, so port ${port} does not exist there: distributors and ingesters cannot connect and every Mimir write fails. ` +
          `Fix: set ingest_storage.kafka.address to ${cluster}-kafka-${listenerName}-bootstrap.${namespace}.svc:${port}, ` +
          `or give the listener type: internal.`,
        path.mimir.urn,
      );
    }
  },
);
