// K12 (SOFT, silent): Strimzi drops broker options it manages itself, logging only "Configuration option "X" is
// forbidden and will be ignored" (Strimzi 1.2.0 KafkaClusterSpec FORBIDDEN_PREFIXES and FORBIDDEN_PREFIX_EXCEPTIONS;
// cluster-operator AbstractConfiguration): the user's setting silently has no effect.
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

/** Strimzi 1.2.0 KafkaClusterSpec FORBIDDEN_PREFIXES (matched on the lower-cased key's start). */
export const STRIMZI_FORBIDDEN_PREFIXES = [
  "listeners",
  "advertised.",
  "broker.",
  "listener.",
  "host.name",
  "port",
  "inter.broker.listener.name",
  "sasl.",
  "ssl.",
  "security.",
  "password.",
  "log.dir",
  "zookeeper.connect",
  "zookeeper.set.acl",
  "zookeeper.ssl",
  "zookeeper.clientcnxnsocket",
  "authorizer.",
  "super.user",
  "cruise.control.metrics.topic",
  "cruise.control.metrics.reporter.bootstrap.servers",
  "node.id",
  "process.roles",
  "controller.",
  "metadata.log.dir",
  "zookeeper.metadata.migration.enable",
  "client.quota.callback.static.kafka.admin.",
  "client.quota.callback.static.produce",
  "client.quota.callback.static.fetch",
  "client.quota.callback.static.storage.per.volume.limit.min.available.",
  "client.quota.callback.static.excluded.principal.name.list",
  "prometheus.metrics.reporter.",
  "cordoned.log.dirs",
];

/** FORBIDDEN_PREFIX_EXCEPTIONS: exact keys Strimzi passes through although a prefix matches them. */
export const STRIMZI_FORBIDDEN_EXCEPTIONS = new Set([
  "zookeeper.connection.timeout.ms",
  "sasl.server.max.receive.size",
  "ssl.cipher.suites",
  "ssl.protocol",
  "ssl.enabled.protocols",
  "ssl.secure.random.implementation",
  "cruise.control.metrics.topic.num.partitions",
  "cruise.control.metrics.topic.replication.factor",
  "cruise.control.metrics.topic.retention.ms",
  "cruise.control.metrics.topic.auto.create.retries",
  "cruise.control.metrics.topic.auto.create.timeout.ms",
  "cruise.control.metrics.topic.min.insync.replicas",
  "broker.session.timeout.ms",
  "broker.heartbeat.interval.ms",
  "controller.socket.timeout.ms",
  "controller.quorum.election.backoff.max.ms",
  "controller.quorum.election.timeout.ms",
  "controller.quorum.fetch.timeout.ms",
]);

/** Per-listener options Strimzi allows (KafkaConfiguration ALLOWED_PER_LISTENER_CONFIGS). */
const PER_LISTENER =
  /^listener\.name\.[a-z0-9-]+\.(connections\.max\.reauth\.ms|max\.connections|max\.connection\.creation\.rate)$/;

/** The forbidden prefix a key falls under, or undefined when Strimzi passes it to the brokers. */
export function strimziForbiddenPrefix(key: string): string | undefined {
  const lower = key.toLowerCase();
  if (STRIMZI_FORBIDDEN_EXCEPTIONS.has(lower) || PER_LISTENER.test(lower)) return undefined;
  return STRIMZI_FORBIDDEN_PREFIXES.find((prefix) => lower.startsWith(prefix));
}

export function strimziDropsOption(key: string): boolean {
  return strimziForbiddenPrefix(key) !== undefined;
}

export const kafkaConfigNotForbidden = stackRule<object>(
  {
    name: "kafka-config-not-forbidden",
    rule: "K12",
    description:
      "Strimzi Kafka spec.kafka.config should not set options Strimzi manages itself: they are dropped silently",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
      "Remove the option, or set it where Strimzi takes it (listeners, authentication, authorization, rack, storage in the Kafka spec).",
    url: "https://strimzi.io/docs/operators/latest/configuring.html (Kafka broker configuration: options Strimzi manages; KafkaClusterSpec FORBIDDEN_PREFIXES)",
    tags: ["kafka", "strimzi"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const kafka of stack.strimzi("Kafka")) {
      const config = kafka.spec.at("kafka.config");
      const entries = config.entries();
      if (isUnknown(entries)) {
        ctx.inconclusive(entries);
        continue;
      }
      for (const [key] of entries ?? []) {
        if (!strimziDropsOption(key)) continue;
        ctx.advisory(
          `${kafka.label} spec.kafka.config["${key}"]: Strimzi manages this option and drops it (operator log: Configuration option "${key}" is forbidden ` +
            `and will be ignored), so the setting has no effect. Fix: remove it, or use the Kafka spec field Strimzi provides for it.`,
          kafka.resource.urn,
        );
      }
    }
  },
);
