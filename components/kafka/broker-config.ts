import { strimziForbiddenPrefix } from "../../policies/rules/kafka/config-not-forbidden";

/**
 * Keys Strimzi 1.2.0 refuses in `Kafka.spec.kafka.config` (KafkaClusterSpec.FORBIDDEN_PREFIXES and
 * FORBIDDEN_PREFIX_EXCEPTIONS). Strimzi does not reject them: AbstractConfiguration.filterForbidden drops each with
 * only a warning in the operator log ("Configuration option ... is forbidden and will be ignored"), so an override
 * that sets one would silently not apply. `log.segment.bytes`, `message.max.bytes` and the replication settings are
 * allowed.
 */
/** The forbidden prefix a key falls under, or undefined when Strimzi passes it to the brokers (the pack's list, K12). */
export const forbiddenBy = strimziForbiddenPrefix;

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
