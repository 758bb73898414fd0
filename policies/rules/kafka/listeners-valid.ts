// K18 (HARD at admission or reconciliation): Strimzi's own checks on spec.kafka.listeners.
// - The Kafka CRD (Strimzi 1.2.0 040-Crd-kafka.yaml, spec.kafka.listeners[].name `pattern: "^[a-z0-9]{1,11}$"`,
//   .port `minimum: 9092`): the API server refuses the Kafka resource.
// - The cluster operator (strimzi-kafka-operator cluster-operator ListenersValidator.validateAndGetErrorMessages):
//   "every listener needs to have a unique name", "... unique port number", and FORBIDDEN_PORTS 9404 (Prometheus
//   exporter) and 9999 (JMX) or any port below LOWEST_ALLOWED_PORT_NUMBER 9092 (Strimzi's own 9090 control plane and
//   9091 replication listeners live there): "port N is forbidden and cannot be used". It throws
//   InvalidResourceException "Listener configuration is not valid: [...]": the reconciliation fails, the Kafka turns
//   NotReady and no broker is created or updated.
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

/** Strimzi 1.2.0 Kafka CRD: spec.kafka.listeners[].name pattern (GenericKafkaListener.LISTENER_NAME_REGEX). */
export const STRIMZI_LISTENER_NAME = /^[a-z0-9]{1,11}$/;
/** Strimzi ListenersValidator FORBIDDEN_PORTS (9404 Prometheus exporter, 9999 JMX). */
export const STRIMZI_FORBIDDEN_LISTENER_PORTS = [9404, 9999];
/** Strimzi ListenersValidator LOWEST_ALLOWED_PORT_NUMBER; also the CRD's `minimum: 9092` on port. */
export const STRIMZI_LOWEST_LISTENER_PORT = 9092;

const REFUSED_BY_API =
  "the API server refuses the Kafka resource (Strimzi 1.2.0 Kafka CRD validation), so the cluster is never created or updated";
const REFUSED_BY_OPERATOR =
  'Strimzi\'s cluster operator refuses the listener configuration (ListenersValidator: "Listener configuration is not valid: [...]"): ' +
  "the Kafka turns NotReady and no broker is created or updated";

export const kafkaListenersValid = stackRule<object>(
  {
    name: "kafka-listeners-valid",
    rule: "K18",
    description:
      "Strimzi Kafka listeners must have CRD-valid names (^[a-z0-9]{1,11}$), unique names and ports, and ports Strimzi allows (>= 9092, not 9404 or 9999)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Name each listener with up to 11 lowercase letters and digits, give each a name and a port of its own, and use ports from 9092 up except 9404 and 9999.",
    url: "https://github.com/strimzi/strimzi-kafka-operator/blob/main/cluster-operator/src/main/java/io/strimzi/operator/cluster/model/ListenersValidator.java",
    tags: ["kafka", "strimzi"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const kafka of stack.strimzi("Kafka")) {
      const listeners = kafka.spec.get("kafka", "listeners").items();
      if (listeners === undefined) continue; // the CRD requires listeners (minItems 1); nothing to compare
      if (isUnknown(listeners)) {
        ctx.inconclusive(listeners);
        continue;
      }
      const urn = kafka.resource.urn;
      const byName = new Map<string, PropNode[]>();
      const byPort = new Map<number, PropNode[]>();
      for (const listener of listeners) {
        const nameNode = listener.get("name");
        const portNode = listener.get("port");
        ctx.known([nameNode.string(), portNode.number()], (name, port) => {
          if (name !== undefined) {
            byName.set(name, [...(byName.get(name) ?? []), nameNode]);
            if (!STRIMZI_LISTENER_NAME.test(name)) {
              const suggestion = name
                .toLowerCase()
                .replace(/[^a-z0-9]/g, "")
                .slice(0, 11);
              ctx.violation(
                `${nameNode.where}=${JSON.stringify(name)} does not match the Kafka CRD pattern ${STRIMZI_LISTENER_NAME.source} ` +
                  `(lowercase letters and digits, at most 11): ${REFUSED_BY_API}. Fix: rename the listener` +
                  `${suggestion ? `, e.g. ${JSON.stringify(suggestion)}` : ""}.`,
                urn,
              );
            }
          }
          if (port !== undefined) {
            byPort.set(port, [...(byPort.get(port) ?? []), portNode]);
            if (port < STRIMZI_LOWEST_LISTENER_PORT) {
              ctx.violation(
                `${portNode.where}=${port} < ${STRIMZI_LOWEST_LISTENER_PORT}, the Kafka CRD's minimum listener port (Strimzi keeps the ports ` +
                  `below for its own control-plane 9090 and replication 9091 listeners): ${REFUSED_BY_API}. Fix: use a port from 9092 up.`,
                urn,
              );
            } else if (STRIMZI_FORBIDDEN_LISTENER_PORTS.includes(port)) {
              ctx.violation(
                `${portNode.where}=${port} is a port Strimzi reserves (9404 Prometheus exporter, 9999 JMX; "port ${port} is forbidden and ` +
                  `cannot be used"): ${REFUSED_BY_OPERATOR}. Fix: use another port from 9092 up.`,
                urn,
              );
            }
          }
        });
      }
      for (const [name, nodes] of byName) {
        if (nodes.length < 2) continue;
        ctx.violation(
          `${nodes.map((n) => n.where).join(" and ")} are all ${JSON.stringify(name)} ("every listener needs to have a unique name"): ` +
            `${REFUSED_BY_OPERATOR}. Fix: give each listener a name of its own.`,
          urn,
        );
      }
      for (const [port, nodes] of byPort) {
        if (nodes.length < 2) continue;
        ctx.violation(
          `${nodes.map((n) => n.where).join(" and ")} are all ${port} ("every listener needs to have a unique port number"): ` +
            `${REFUSED_BY_OPERATOR}. Fix: give each listener a port of its own, and point clients (Mimir's ingest_storage.kafka.address) at the right one.`,
          urn,
        );
      }
    }
  },
);
