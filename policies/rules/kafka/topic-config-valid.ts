// K26 (HARD at topic creation or change): every KafkaTopic's spec.config must pass the broker's topic-config checks,
// or the Strimzi Topic Operator's createTopics / incrementalAlterConfigs is refused and the KafkaTopic stays NotReady
// (Strimzi docs, "Using the Topic Operator": the error lands in the KafkaTopic status). A new stack's Mimir topic then
// never exists (auto-creation is off) and every write fails; on a running stack the change never applies.
// apache/kafka storage LogConfig.java:
// - validateNames: "Unknown topic config name: x"; ConfigDef.parse: each value's type and validator
//   (policies/lib/kafka/topic-config-model.ts).
// - validateValues: min.compaction.lag.ms above max.compaction.lag.ms ("conflict topic config setting").
// - validateTopicLogConfigValues, when remote.storage.enable is true: the brokers must run tiered storage
//   (remote.log.storage.system.enable; Strimzi sets it from spec.kafka.tieredStorage) ("Tiered Storage functionality
//   is disabled in the broker"); cleanup.policy exactly delete (or empty); local.retention.ms / .bytes not -1 and not
//   above retention.ms / .bytes when those are limited; with remote.log.copy.disable, local retention equal to retention.
// Each topic value falls back to its broker default (log.* in spec.kafka.config, then Kafka's default).
import { KafkaTopicView } from "../../lib/kafka";
import { StrimziCluster } from "../../lib/kafka/clusters";
import { StrimziTopic } from "../../lib/kafka/topics";
import { topicConfigError } from "../../lib/kafka/topic-config-model";
import { isPlainObject } from "../../lib/plain";
import { stackRule } from "../../lib/policy";
import { containsUnknownSentinel } from "../../lib/unknown";
import { landscape } from "./common";

/** Kafka defaults of the keys below (LogConfig DEFAULT_* and ServerLogConfigs / CleanerConfig defaults). */
const DEFAULTS: Readonly<Record<string, string>> = {
  "retention.ms": "604800000",
  "retention.bytes": "-1",
  "local.retention.ms": "-2",
  "local.retention.bytes": "-2",
  "min.compaction.lag.ms": "0",
  "max.compaction.lag.ms": String(2n ** 63n - 1n),
  "cleanup.policy": "delete",
  "remote.storage.enable": "false",
  "remote.log.copy.disable": "false",
};
/** The broker property that gives each topic key its default (Kafka topic config docs, "Server Default Property"). */
const BROKER_SYNONYM: Readonly<Record<string, string>> = {
  "retention.ms": "log.retention.ms",
  "retention.bytes": "log.retention.bytes",
  "local.retention.ms": "log.local.retention.ms",
  "local.retention.bytes": "log.local.retention.bytes",
  "min.compaction.lag.ms": "log.cleaner.min.compaction.lag.ms",
  "max.compaction.lag.ms": "log.cleaner.max.compaction.lag.ms",
  "cleanup.policy": "log.cleanup.policy",
};

type Effective = { text: string; where: string };

function effective(topic: StrimziTopic, cluster: StrimziCluster, key: string): Effective {
  const own = topic.resource.spec.get("config", key);
  const raw = own.raw();
  if (raw !== undefined && raw !== null) return { text: text(raw), where: own.where };
  const synonym = BROKER_SYNONYM[key];
  const broker = synonym ? cluster.kafka.spec.get("kafka", "config", synonym) : undefined;
  if (broker && broker.raw() !== undefined && broker.raw() !== null)
    return { text: text(broker.raw()), where: broker.where };
  return { text: DEFAULTS[key], where: `Kafka default ${synonym ?? key}` };
}

const text = (raw: unknown) => (Array.isArray(raw) ? raw.map(String).join(",") : String(raw).trim());
const num = (e: Effective) => Number(e.text);
/** A LONG as Kafka parses it; undefined when it is not one (its own type error is reported elsewhere). */
const long = (e: Effective): bigint | undefined => (/^[+-]?\d+$/.test(e.text) ? BigInt(e.text) : undefined);
const show = (e: Effective) => `${e.where}=${e.text}`;

/** Whether the brokers run tiered storage: Strimzi's spec.kafka.tieredStorage, or the property itself. */
function tieredStorageOn(cluster: StrimziCluster): boolean {
  if (cluster.kafka.spec.get("kafka", "tieredStorage").isPresent) return true;
  return /^true$/i.test(String(cluster.kafka.spec.get("kafka", "config", "remote.log.storage.system.enable").raw()));
}

function crossFieldErrors(topic: StrimziTopic, cluster: StrimziCluster): string[] {
  const at = (key: string) => effective(topic, cluster, key);
  const errors: string[] = [];
  const [minLag, maxLag] = [at("min.compaction.lag.ms"), at("max.compaction.lag.ms")];
  const [minMs, maxMs] = [long(minLag), long(maxLag)];
  if (minMs !== undefined && maxMs !== undefined && minMs > maxMs)
    errors.push(
      `conflict topic config setting min.compaction.lag.ms (${show(minLag)}) > max.compaction.lag.ms (${show(maxLag)})`,
    );
  const remote = at("remote.storage.enable");
  if (!/^true$/i.test(remote.text)) return errors;
  if (!tieredStorageOn(cluster))
    errors.push(
      `"Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage." ` +
        `(${show(remote)}, but ${cluster.label} has no spec.kafka.tieredStorage)`,
    );
  const cleanup = at("cleanup.policy");
  if (cleanup.text !== "" && cleanup.text.replace(/\s/g, "") !== "delete")
    errors.push(`"Remote log storage only supports topics with cleanup.policy=delete" (${show(cleanup)})`);
  const copyDisabled = /^true$/i.test(at("remote.log.copy.disable").text);
  for (const [total, local, unlimited] of [
    ["retention.ms", "local.retention.ms", -1],
    ["retention.bytes", "local.retention.bytes", -1],
  ] as const) {
    const [t, l] = [at(total), at(local)];
    const limited = total === "retention.ms" ? num(t) !== unlimited : num(t) > -1;
    if (num(l) === -2) continue;
    if (limited && num(l) === -1) errors.push(`${local} must not be -1 as ${total} is set (${show(l)}, ${show(t)})`);
    else if (limited && num(l) > num(t))
      errors.push(`${local} must not be more than ${total} (${show(l)} > ${show(t)})`);
    else if (copyDisabled && num(l) !== num(t))
      errors.push(`with remote.log.copy.disable, ${local} and ${total} must be identical (${show(l)}, ${show(t)})`);
  }
  return errors;
}

export const kafkaTopicConfigValid = stackRule<object>(
  {
    name: "kafka-topic-config-valid",
    rule: "K26",
    description:
      "Every KafkaTopic's spec.config must pass the broker's topic-config checks: known names, each value's type and range, compaction lags in order, and remote storage only on brokers with tiered storage, with delete cleanup and local retention within retention",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Use only Kafka topic config names with values in their ranges (Kafka topic configs docs); enable remote.storage.enable only with spec.kafka.tieredStorage on the Kafka, cleanup.policy delete and local.retention.* within retention.*.",
    url: "https://kafka.apache.org/documentation/#topicconfigs ; apache/kafka storage LogConfig.java (validateNames, validateValues, validateTopicLogConfigValues)",
    tags: ["kafka"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const topic of landscape(stack, ctx).topics) {
      if (!(topic instanceof StrimziTopic) || !(topic.cluster instanceof StrimziCluster)) continue;
      const configNode = topic.resource.spec.get("config");
      const config = configNode.raw();
      if (containsUnknownSentinel(config)) {
        ctx.inconclusive(configNode.unknown());
        continue;
      }
      const errors = isPlainObject(config)
        ? Object.entries(config).flatMap(([key, value]) => {
            const error = value === null || value === undefined ? undefined : topicConfigError(key, value);
            return error ? [`${configNode.where}["${key}"]=${JSON.stringify(value)}: "${error}"`] : [];
          })
        : [];
      if (errors.length === 0) errors.push(...crossFieldErrors(topic, topic.cluster));
      for (const error of errors) report(ctx, topic, error);
    }
  },
);

function report(ctx: { violation(message: string, urn: string): void }, topic: KafkaTopicView, error: string): void {
  ctx.violation(
    `${topic.label} (topic ${topic.name}): Kafka refuses its config: ${error}. The Topic Operator's create or change of the topic ` +
      `is refused and the KafkaTopic stays NotReady: a new topic never exists (Mimir's writes to it fail), a running one keeps its ` +
      `old config. Fix: correct spec.config (overrides.kafkaTopic.config) to what Kafka accepts.`,
    topic.urn,
  );
}
