/**
 * Keys Strimzi 1.2.0 refuses in `Kafka.spec.kafka.config` (KafkaClusterSpec.FORBIDDEN_PREFIXES and
 * FORBIDDEN_PREFIX_EXCEPTIONS). Strimzi does not reject them: AbstractConfiguration.filterForbidden drops each with
 * only a warning in the operator log ("Configuration option ... is forbidden and will be ignored"), so an override
 * that sets one would silently not apply. `log.segment.bytes`, `message.max.bytes` and the replication settings are
 * allowed.
 */
export const STRIMZI_FORBIDDEN_CONFIG_PREFIXES = [
  "listeners", "advertised.", "broker.", "listener.", "host.name", "port", "inter.broker.listener.name", "sasl.", "ssl.",
  "security.", "password.", "log.dir", "zookeeper.connect", "zookeeper.set.acl", "zookeeper.ssl", "zookeeper.clientCnxnSocket",
  "authorizer.", "super.user", "cruise.control.metrics.topic", "cruise.control.metrics.reporter.bootstrap.servers", "node.id",
  "process.roles", "controller.", "metadata.log.dir", "zookeeper.metadata.migration.enable",
  "client.quota.callback.static.kafka.admin.", "client.quota.callback.static.produce", "client.quota.callback.static.fetch",
  "client.quota.callback.static.storage.per.volume.limit.min.available.", "client.quota.callback.static.excluded.principal.name.list",
  "prometheus.metrics.reporter.", "cordoned.log.dirs",
] as const;

export const STRIMZI_FORBIDDEN_CONFIG_EXCEPTIONS = [
  "zookeeper.connection.timeout.ms", "sasl.server.max.receive.size", "ssl.cipher.suites", "ssl.protocol", "ssl.enabled.protocols",
  "ssl.secure.random.implementation", "cruise.control.metrics.topic.num.partitions", "cruise.control.metrics.topic.replication.factor",
  "cruise.control.metrics.topic.retention.ms", "cruise.control.metrics.topic.auto.create.retries",
  "cruise.control.metrics.topic.auto.create.timeout.ms", "cruise.control.metrics.topic.min.insync.replicas",
  "broker.session.timeout.ms", "broker.heartbeat.interval.ms", "controller.socket.timeout.ms",
  "controller.quorum.election.backoff.max.ms", "controller.quorum.election.timeout.ms", "controller.quorum.fetch.timeout.ms",
] as const;

/** The forbidden prefix a key falls under, or undefined when Strimzi passes it to the brokers. */
export function forbiddenBy(key: string): string | undefined {
  if ((STRIMZI_FORBIDDEN_CONFIG_EXCEPTIONS as readonly string[]).includes(key)) return undefined;
  const lower = key.toLowerCase();
  return STRIMZI_FORBIDDEN_CONFIG_PREFIXES.find((prefix) => lower.startsWith(prefix));
}

/** Throws naming every key Strimzi would drop, with the reason and where the setting belongs instead. */
export function assertBrokerConfigAccepted(config: Record<string, unknown>, source: string): void {
  const problems = Object.keys(config)
    .map((key) => ({ key, prefix: forbiddenBy(key) }))
    .filter((p): p is { key: string; prefix: string } => p.prefix !== undefined)
    .map((p) => `"${p.key}" (forbidden prefix "${p.prefix}")`);
  if (problems.length > 0) {
    throw new Error(
      `${source}: Strimzi 1.2.0 ignores these Kafka.spec.kafka.config keys: ${problems.join(", ")}. ` +
        `Listeners, TLS, SASL and authorization are set through spec.kafka.listeners / spec.kafka.authorization instead.`,
    );
  }
}
