// K13 (HARD at start-up or admission): Kafka's own cross-field checks on broker settings a Strimzi user can set
// (core KafkaConfig.validateValues: the broker exits with "requirement failed: ..."), and Kafka 4's 1 MiB floor on
// log.segment.bytes (KIP-1030; Strimzi's config model refuses the Kafka resource first, naming the key). Also
// the cleaner buffer per thread, max.connections.per.ip 0, the failed-authentication delay against the idle
// timeout, log.roll.ms / log.roll.jitter.ms / log.retention.ms floors (all KafkaConfig.validateValues) and the
// consumer-group heartbeat / session bounds (GroupCoordinatorConfig constructor); listener / SASL / process-role
// checks concern keys Strimzi forbids or manages.
// Single keys: Strimzi validates every `spec.kafka.config` key its config model of the Kafka version knows (type, and
// the ConfigDef validator: Range minimum/maximum, ValidString values, ValidList items) before it reconciles anything
// (strimzi-kafka-operator 1.2.0 KafkaCluster.validateConfiguration -> KafkaConfiguration.validate -> config-model
// ConfigModel.validate*; InvalidResourceException "Kafka <ns>/<name> has invalid spec.kafka.config: ..."), after
// dropping the forbidden keys (AbstractConfiguration.filterForbidden, K12). Unknown keys pass ("extra configs might be
// intended for plugins"). The model is policies/lib/kafka/broker-config-model.json (tools/facts/
// extract-kafka-config-model.js: Kafka's broker ConfigDef read from its sources, patched to the pinned 4.3.1). Strimzi
// picks the model of spec.kafka.version; one model (4.3.1, the default) stands for the 4.2.x/4.3.x it supports
// (INFERRED: their ConfigDef ranges do not differ).
// Class names: the CLASS-typed keys and replica.selector.class must read as fully qualified class names, since Kafka
// loads them while the broker starts and Strimzi's model does not check them (checkClassNames below).
import { kafkaLandscape } from "../../lib/kafka";
import { StrimziCluster } from "../../lib/kafka/clusters";
import {
  configModelErrors,
  KAFKA_CONFIG_MODEL,
  KAFKA_CONFIG_MODEL_VERSION,
  strimziText,
} from "../../lib/kafka/config-model";
import { KafkaCluster } from "../../lib/kafka/model";
import { Maybe, show, Sourced } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { containsUnknownSentinel, isUnknown } from "../../lib/unknown";
import { strimziDropsOption } from "./config-not-forbidden";

/** Kafka 4.0+ minimum segment size (KIP-1030: "Value must be at least 1048576"). */
const MIN_SEGMENT_BYTES = 1_048_576;

/**
 * Defaults of the keys below that policies/lib/kafka/defaults.ts does not carry (apache/kafka, mirror HEAD 2024-10):
 * - log.cleaner.threads 1, log.cleaner.dedupe.buffer.size 128 MiB: storage CleanerConfig.LOG_CLEANER_THREADS /
 *   LOG_CLEANER_DEDUPE_BUFFER_SIZE.
 * - max.connections.per.ip Integer.MAX_VALUE, connections.max.idle.ms 600000, connection.failed.authentication.delay.ms
 *   100: server SocketServerConfigs *_DEFAULT.
 * - group.consumer.*: group-coordinator GroupCoordinatorConfig CONSUMER_GROUP_*_DEFAULT (heartbeat 5000, min 5000,
 *   max 15000; session 45000, min 45000, max 60000).
 * - log.roll.ms / log.roll.jitter.ms have no default (null): KafkaConfig.logRollTimeMillis falls back to
 *   log.roll.hours (ConfigDef atLeast(1)) and log.roll.jitter.hours (atLeast(0)), which cannot fail the checks.
 */
const LOCAL_DEFAULTS: Readonly<Record<string, number>> = {
  "log.cleaner.threads": 1,
  "log.cleaner.dedupe.buffer.size": 134_217_728,
  "max.connections.per.ip": 2_147_483_647,
  "connections.max.idle.ms": 600_000,
  "connection.failed.authentication.delay.ms": 100,
  "group.consumer.heartbeat.interval.ms": 5_000,
  "group.consumer.min.heartbeat.interval.ms": 5_000,
  "group.consumer.max.heartbeat.interval.ms": 15_000,
  "group.consumer.session.timeout.ms": 45_000,
  "group.consumer.min.session.timeout.ms": 45_000,
  "group.consumer.max.session.timeout.ms": 60_000,
};

const isStrimzi = (c: KafkaCluster): c is StrimziCluster => c.kind === "strimzi";

/** The broker setting, with the local default when the shared defaults table has none. */
function setting(cluster: StrimziCluster, name: string): Maybe<Sourced<number>> | undefined {
  const found = cluster.brokerSetting(name);
  if (found === undefined || isUnknown(found) || found.value !== undefined) return found;
  const fallback = LOCAL_DEFAULTS[name];
  return fallback === undefined ? undefined : { ...found, value: fallback };
}

export const kafkaBrokerConfigValid = stackRule<object>(
  {
    name: "kafka-broker-config-valid",
    rule: "K13",
    description:
      "Kafka broker settings must pass Kafka's own start-up checks: replica fetch wait within the socket and lag timeouts, queued request bytes above the socket request size, segments of at least 1 MiB, cleaner buffer per thread, connection limits and idle timeout, roll and retention floors, consumer-group heartbeat and session bounds, and class-valued keys (replica.selector.class, *.class / *.class.name) naming fully qualified classes",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep replica.fetch.wait.max.ms <= replica.socket.timeout.ms and replica.lag.time.max.ms, queued.max.request.bytes -1 or >= socket.request.max.bytes, log.segment.bytes >= 1048576, log.cleaner.dedupe.buffer.size above 1 MiB per log.cleaner.threads, max.connections.per.ip 0 only with max.connections.per.ip.overrides, connection.failed.authentication.delay.ms < connections.max.idle.ms, log.roll.ms >= 1, log.roll.jitter.ms >= 0, log.retention.ms != 0, group.consumer.* heartbeat < session with both within their min/max, and fully qualified class names (e.g. org.apache.kafka.common.replica.RackAwareReplicaSelector) in class-valued keys.",
    url: "https://github.com/apache/kafka/blob/trunk/core/src/main/scala/kafka/server/KafkaConfig.scala (validateValues); KIP-1030",
    tags: ["kafka"],
  },
  (stack, ctx) => {
    for (const cluster of kafkaLandscape(stack).clusters.filter(isStrimzi)) {
      const at = (name: string) => cluster.brokerSetting(name);
      const [w, st, l, q, sr, sg] = [
        "replica.fetch.wait.max.ms",
        "replica.socket.timeout.ms",
        "replica.lag.time.max.ms",
        "queued.max.request.bytes",
        "socket.request.max.bytes",
        "log.segment.bytes",
      ].map(at);
      if (!w || !st || !l || !q || !sr || !sg) continue;
      ctx.known([w, st, l, q, sr, sg], (wait, socketTimeout, lag, queued, socketRequest, segment) => {
        const fail = (text: string, fix: string) =>
          ctx.violation(
            `${text}: the brokers of ${cluster.label} refuse to start ("requirement failed"). Fix: ${fix}.`,
            cluster.urn,
          );
        if (wait.value > socketTimeout.value) {
          fail(
            `${show(wait)} > ${show(socketTimeout)} ("replica.socket.timeout.ms should always be at least replica.fetch.wait.max.ms")`,
            "lower replica.fetch.wait.max.ms or raise replica.socket.timeout.ms",
          );
        }
        if (wait.value > lag.value) {
          fail(
            `${show(wait)} > ${show(lag)} ("replica.fetch.wait.max.ms should always be less than or equal to replica.lag.time.max.ms")`,
            "lower replica.fetch.wait.max.ms",
          );
        }
        if (queued.value > 0 && queued.value < socketRequest.value) {
          fail(
            `${show(queued)} < ${show(socketRequest)} ("queued.max.request.bytes must be larger or equal to socket.request.max.bytes")`,
            "raise queued.max.request.bytes or set it to -1",
          );
        }
        if (segment.value < MIN_SEGMENT_BYTES) {
          ctx.violation(
            `${show(segment)} < 1048576: Kafka 4 requires segments of at least 1 MiB (KIP-1030) and Strimzi refuses the Kafka resource, so no broker is reconciled. Fix: set log.segment.bytes to at least 1048576.`,
            cluster.urn,
          );
        }
      });
      checkMore(cluster, ctx);
      checkConfigModel(cluster, ctx);
      checkClassNames(cluster, ctx);
    }
  },
);

function checkMore(cluster: StrimziCluster, ctx: RuleContext<object>): void {
  const refuse = (text: string, fix: string) =>
    ctx.violation(`${text}: the brokers of ${cluster.label} refuse to start. Fix: ${fix}.`, cluster.urn);
  const at = (name: string) => setting(cluster, name);
  const explicit = (name: string) => {
    const node = cluster.kafka.spec.get("kafka", "config", name);
    return node.isPresent ? at(name) : undefined;
  };

  // KafkaConfig.validateValues: require(logCleanerDedupeBufferSize / logCleanerThreads > 1024 * 1024, ...)
  // (integer division of two longs/ints).
  const [buffer, threads] = [at("log.cleaner.dedupe.buffer.size"), at("log.cleaner.threads")];
  if (buffer && threads)
    ctx.known([buffer, threads], (b, t) => {
      if (t.value > 0 && Math.floor(b.value / t.value) <= 1024 * 1024)
        refuse(
          `${show(b)} / ${show(t)} leaves ${Math.floor(b.value / t.value)} bytes per cleaner thread, not more than 1048576 ("requirement failed: log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread.")`,
          "raise log.cleaner.dedupe.buffer.size above 1 MiB times log.cleaner.threads (Kafka's default is 128 MiB for 1 thread) or lower log.cleaner.threads",
        );
    });

  // KafkaConfig.validateValues: if (maxConnectionsPerIp == 0) require(maxConnectionsPerIpOverrides.nonEmpty, ...).
  const perIp = at("max.connections.per.ip");
  const overrides = cluster.kafka.spec.get("kafka", "config", "max.connections.per.ip.overrides");
  const overridesRaw = overrides.raw();
  if (perIp && !isUnknown(overridesRaw))
    ctx.known([perIp], (p) => {
      const empty = overridesRaw === undefined || overridesRaw === null || String(overridesRaw).trim() === "";
      if (p.value === 0 && empty)
        refuse(
          `${show(p)} without max.connections.per.ip.overrides ("requirement failed: max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.")`,
          "remove max.connections.per.ip (default unlimited) or set max.connections.per.ip.overrides for the hosts that may connect",
        );
    });

  // KafkaConfig.validateValues: if (connectionsMaxIdleMs >= 0) require(failedAuthenticationDelayMs < connectionsMaxIdleMs, ...).
  const [idle, delay] = [at("connections.max.idle.ms"), at("connection.failed.authentication.delay.ms")];
  if (idle && delay)
    ctx.known([idle, delay], (i, d) => {
      if (i.value >= 0 && d.value >= i.value)
        refuse(
          `${show(d)} is not less than ${show(i)} ("requirement failed: connection.failed.authentication.delay.ms=${d.value} should always be less than connections.max.idle.ms=${i.value} to prevent failed authentication responses from timing out")`,
          "raise connections.max.idle.ms (default 600000) above connection.failed.authentication.delay.ms, or lower the delay",
        );
    });

  // KafkaConfig.validateValues: log.roll.ms >= 1, log.roll.jitter.ms >= 0; log.retention.ms >= 1 or -1, where
  // logRetentionTimeMillis maps any negative value to -1, so only 0 fails. Only explicit keys: the hours
  // fallbacks carry ConfigDef floors Strimzi's model already enforces.
  const floors: Array<[string, (v: number) => boolean, string, string]> = [
    [
      "log.roll.ms",
      (v) => v < 1,
      "log.roll.ms must be greater than or equal to 1",
      "set log.roll.ms to at least 1 (or remove it to use log.roll.hours)",
    ],
    [
      "log.roll.jitter.ms",
      (v) => v < 0,
      "log.roll.jitter.ms must be greater than or equal to 0",
      "set log.roll.jitter.ms to 0 or more",
    ],
  ];
  for (const [name, bad, words, fix] of floors) {
    const found = explicit(name);
    if (found) ctx.known([found], (f) => bad(f.value) && refuse(`${show(f)} ("requirement failed: ${words}")`, fix));
  }
  const retention = cluster.brokerSetting("log.retention.ms");
  if (retention && !isUnknown(retention) && retention.where !== "Kafka default log.retention.ms")
    ctx.known([retention], (r) => {
      if (r.value === 0)
        refuse(
          `${show(r)} ("requirement failed: log.retention.ms must be unlimited (-1) or, greater than or equal to 1")`,
          "set a positive broker retention, or -1 for unlimited",
        );
    });

  // GroupCoordinatorConfig constructor (Utils.require, IllegalArgumentException at start-up): the consumer-group
  // (KIP-848) heartbeat and session bounds.
  const g = (k: string) => at(`group.consumer.${k}`);
  // [low, high, strict, Kafka's words]: low must be below (strict) or at most high.
  const pairs: Array<[string, string, boolean, string]> = [
    [
      "min.heartbeat.interval.ms",
      "max.heartbeat.interval.ms",
      false,
      "max.heartbeat.interval.ms must be greater than or equal to group.consumer.min.heartbeat.interval.ms",
    ],
    [
      "min.heartbeat.interval.ms",
      "heartbeat.interval.ms",
      false,
      "heartbeat.interval.ms must be greater than or equal to group.consumer.min.heartbeat.interval.ms",
    ],
    [
      "heartbeat.interval.ms",
      "max.heartbeat.interval.ms",
      false,
      "heartbeat.interval.ms must be less than or equal to group.consumer.max.heartbeat.interval.ms",
    ],
    [
      "min.session.timeout.ms",
      "max.session.timeout.ms",
      false,
      "max.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms",
    ],
    [
      "min.session.timeout.ms",
      "session.timeout.ms",
      false,
      "session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms",
    ],
    [
      "session.timeout.ms",
      "max.session.timeout.ms",
      false,
      "session.timeout.ms must be less than or equal to group.consumer.max.session.timeout.ms",
    ],
    [
      "heartbeat.interval.ms",
      "session.timeout.ms",
      true,
      "heartbeat.interval.ms must be less than group.consumer.session.timeout.ms",
    ],
  ];
  for (const [low, high, strict, words] of pairs) {
    const [a, b] = [g(low), g(high)];
    if (!a || !b) continue;
    ctx.known([a, b], (x, y) => {
      if (strict ? x.value < y.value : x.value <= y.value) return;
      refuse(
        `${show(x)} ${strict ? ">=" : ">"} ${show(y)} (GroupCoordinatorConfig: "group.consumer.${words}")`,
        `keep group.consumer.${low} ${strict ? "<" : "<="} group.consumer.${high}`,
      );
    });
  }
}

/** Strimzi's config-model validation of every key of spec.kafka.config (see the header). */
function checkConfigModel(cluster: StrimziCluster, ctx: RuleContext<object>): void {
  const config = cluster.kafka.spec.get("kafka", "config");
  const entries = config.entries();
  if (isUnknown(entries)) return ctx.inconclusive(entries);
  const errors: string[] = [];
  for (const [key, node] of entries ?? []) {
    const model = KAFKA_CONFIG_MODEL[key];
    // log.segment.bytes below 1 MiB is reported above with its own consequence; forbidden keys never reach validate.
    if (!model || key === "log.segment.bytes" || strimziDropsOption(key)) continue;
    const raw = node.raw();
    if (node.isUnknown || containsUnknownSentinel(raw)) {
      ctx.inconclusive(node.unknown());
      continue;
    }
    const text = strimziText(raw);
    if (text === undefined) continue; // null / objects: OrderedProperties refuses them too, a different message
    errors.push(...configModelErrors(key, text, model));
  }
  if (errors.length === 0) return;
  ctx.violation(
    `${config.where}: Strimzi refuses the Kafka resource before reconciling anything ("has invalid spec.kafka.config: ` +
      `${errors.join(", ")}"; KafkaCluster.validateConfiguration against the Kafka ${KAFKA_CONFIG_MODEL_VERSION} config model, ` +
      `Kafka's ConfigDef types and ranges), so no broker or controller is created or rolled and Mimir cannot write. Fix: set ` +
      `each key within its range or allowed values (Kafka's broker configuration reference lists them) or remove it.`,
    cluster.urn,
  );
}

/**
 * Broker keys whose value Kafka loads as a class while the broker starts. The CLASS-typed keys of the model:
 * ConfigDef.parseType CLASS -> Utils.loadClass(trimmed value), ConfigException "Class <value> could not be found."
 * when KafkaConfig is parsed (apache/kafka clients ConfigDef.java, mirror HEAD 2024-10); Strimzi's config model does
 * not check them (config-model ConfigModel.validate: CLASS and PASSWORD pass). And replica.selector.class, a STRING
 * key (server ReplicationConfigs: "The fully qualified class name that implements ReplicaSelector") that ReplicaManager
 * loads when it is constructed (core ReplicaManager.createReplicaSelector -> CoreUtils.createObject ->
 * Utils.loadClass, the untrimmed value; ReplicaManagerTest.testUnknownReplicaSelector expects ClassNotFoundException).
 */
const CLASS_KEYS: readonly string[] = [
  ...Object.entries(KAFKA_CONFIG_MODEL)
    .filter(([, entry]) => entry.type === "CLASS")
    .map(([key]) => key),
  "replica.selector.class",
];
/** Short names users copy from docs and blog posts, with the class Kafka (or Strimzi's image) ships. */
const KNOWN_CLASSES: Readonly<Record<string, string>> = {
  // apache/kafka clients org/apache/kafka/common/replica/RackAwareReplicaSelector.java
  RackAwareReplicaSelector: "org.apache.kafka.common.replica.RackAwareReplicaSelector",
  // apache/kafka clients org/apache/kafka/common/security/authenticator/DefaultKafkaPrincipalBuilder.java
  DefaultKafkaPrincipalBuilder: "org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder",
  // strimzi-kafka-operator 1.2.0 KafkaBrokerConfigurationBuilder: client.quota.callback.class=io.strimzi.kafka.quotas.StaticQuotaCallback
  StaticQuotaCallback: "io.strimzi.kafka.quotas.StaticQuotaCallback",
};
const JAVA_IDENTIFIER = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;
/** Java keywords a class name segment cannot be (the ones a pasted name ends with: "Foo.class", "x.java" is allowed). */
const JAVA_KEYWORDS = new Set(["class", "interface", "enum", "package", "import", "new", "public", "static"]);

/** Why a class name cannot be loaded, or undefined when it reads as a fully qualified class name. */
function classNameProblem(name: string): string | undefined {
  if (name === "") return "is empty";
  const segments = name.split(".");
  if (segments.some((s) => !JAVA_IDENTIFIER.test(s) || JAVA_KEYWORDS.has(s)))
    return "is not a Java class name (dot-separated identifiers, no spaces, slashes or .class suffix)";
  // INFERRED: a name without a package can only name a class of the default package; neither Kafka nor Strimzi's
  // image ships one, and plugins live in packages too.
  if (segments.length === 1) return "has no package, so it is not a fully qualified class name";
  return undefined;
}

/** Class-valued broker keys whose value Kafka cannot load: every broker exits at start-up. */
function checkClassNames(cluster: StrimziCluster, ctx: RuleContext<object>): void {
  for (const key of CLASS_KEYS) {
    if (strimziDropsOption(key)) continue;
    const node = cluster.kafka.spec.get("kafka", "config", key);
    if (!node.isPresent) continue;
    const raw = node.raw();
    if (isUnknown(raw) || containsUnknownSentinel(raw)) {
      ctx.inconclusive(node.unknown());
      continue;
    }
    const text = strimziText(raw);
    if (text === undefined) continue;
    // ConfigDef trims CLASS values; ReplicaManager loads replica.selector.class as given.
    const name = KAFKA_CONFIG_MODEL[key]?.type === "CLASS" ? text.trim() : text;
    const problem = classNameProblem(name);
    if (!problem) continue;
    const known = KNOWN_CLASSES[name.trim()];
    ctx.violation(
      `${node.where}="${text}" ${problem}: Kafka loads ${key} as a class when the broker starts ` +
        `(${KAFKA_CONFIG_MODEL[key]?.type === "CLASS" ? `ConfigException "Class ${name} could not be found."` : "ClassNotFoundException in ReplicaManager"}), ` +
        `which Strimzi's config model does not check, so every broker of ${cluster.label} exits at start-up and the Kafka never ` +
        `becomes Ready: Mimir cannot write. Fix: ${known ? `use the fully qualified name ${known}` : "give the fully qualified class name of a class on the broker's classpath"}, or remove ${key}.`,
      cluster.urn,
    );
  }
}
