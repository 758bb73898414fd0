// The three kinds of Kafka cluster Mimir can write to: Strimzi custom resources, the mimir-distributed
// built-in demo Kafka, and an address outside the stack declared in policy config.
import { ExternalKafkaConfig } from "../config";
import { HOUR_MS } from "../duration";
import { MimirRelease, MIMIR_CHART_DEFAULTS } from "../mimir";
import { Maybe, PolicyInputError, PropNode, Sourced } from "../node";
import { CustomResource, STRIMZI_CLUSTER_LABEL } from "../stack";
import { isUnknown } from "../unknown";
import { KAFKA_BROKER_DEFAULTS, kafkaEnvName, RETENTION_UNITS } from "./defaults";
import { KafkaCluster } from "./model";

function sumOf(parts: Array<Sourced<number>>, emptyWhere: string): Sourced<number> {
  if (parts.length === 0)
    return { value: 0, where: emptyWhere, note: `no such pool labelled ${STRIMZI_CLUSTER_LABEL}` };
  if (parts.length === 1) return parts[0];
  const value = parts.reduce((total, part) => total + part.value, 0);
  return {
    value,
    where: `sum of ${parts.map((p) => p.where).join(" + ")}`,
    note: parts.map((p) => p.value).join(" + "),
  };
}

export function numberNode(node: PropNode): Maybe<Sourced<number>> | undefined {
  const value = node.number();
  if (value === undefined || isUnknown(value)) return value;
  return { value, where: node.where };
}

export class StrimziCluster implements KafkaCluster {
  readonly kind = "strimzi" as const;
  readonly label: string;
  readonly urn: string;
  readonly id: string;

  constructor(
    readonly kafka: CustomResource,
    private readonly pools: CustomResource[],
  ) {
    this.label = kafka.label;
    this.urn = kafka.resource.urn;
    this.id = kafka.resource.urn;
  }

  private config(property: string): PropNode {
    return this.kafka.spec.get("kafka", "config", property);
  }

  brokerSetting(property: string): Maybe<Sourced<number>> | undefined {
    if (property === "log.retention.ms") {
      for (const [key, factor] of RETENTION_UNITS) {
        const found = numberNode(this.config(key));
        if (isUnknown(found)) return found;
        if (found)
          return { value: found.value === -1 ? -1 : found.value * factor, where: found.where, text: `${found.value}` };
      }
    }
    const found = numberNode(this.config(property));
    if (found !== undefined) return found;
    return {
      value: KAFKA_BROKER_DEFAULTS[property],
      where: `Kafka default ${property}`,
      note: `not set in ${this.label} spec.kafka.config`,
    };
  }

  private poolsWithRole(role: "broker" | "controller"): Maybe<Sourced<number>> {
    const parts: Array<Sourced<number>> = [];
    for (const pool of this.pools) {
      const roles = pool.spec.get("roles").raw();
      if (isUnknown(roles)) return roles;
      if (!Array.isArray(roles) || !roles.includes(role)) continue;
      const replicas = numberNode(pool.spec.get("replicas"));
      if (isUnknown(replicas)) return replicas;
      if (replicas) parts.push(replicas);
    }
    return sumOf(parts, `replicas of KafkaNodePools with role ${role} for ${this.label}`);
  }

  brokers(): Maybe<Sourced<number>> {
    return this.poolsWithRole("broker");
  }

  controllers(): Maybe<Sourced<number>> {
    return this.poolsWithRole("controller");
  }
}

export class BuiltinCluster implements KafkaCluster {
  readonly kind = "builtin" as const;
  readonly label: string;
  readonly urn: string;
  readonly id: string;
  /** Values key the chart version reads extra env from: `kafka.extraEnv` in 6.0.x, `kafka.env` later. */
  private readonly envKeys: string[];

  constructor(readonly mimir: MimirRelease) {
    this.label = `the built-in Kafka of ${mimir.label}`;
    this.urn = mimir.urn;
    this.id = `${mimir.urn}#kafka`;
    const version = mimir.release.chartVersion;
    this.envKeys =
      version === undefined
        ? ["kafka.env", "kafka.extraEnv"]
        : /^6\.0\./.test(version)
          ? ["kafka.extraEnv"]
          : ["kafka.env"];
  }

  private replicaCount(): Maybe<Sourced<number>> {
    const found = numberNode(this.mimir.release.values.at("kafka.replicas"));
    if (found !== undefined) return found;
    return {
      value: MIMIR_CHART_DEFAULTS.kafkaReplicas,
      where: `${this.mimir.label} built-in Kafka StatefulSet replicas`,
      note: "chart default",
    };
  }

  private envValue(key: string, name: string): Maybe<Sourced<number>> | undefined {
    const items = this.mimir.release.values.at(key).items();
    if (items === undefined) return undefined;
    if (isUnknown(items)) return items;
    let found: Maybe<Sourced<number>> | undefined;
    // Later entries win: Kubernetes keeps the last duplicate env name; chart 6.1+ merges by name.
    for (const item of items) {
      const entryName = item.get("name").string();
      if (isUnknown(entryName)) return entryName;
      if (entryName !== name) continue;
      const value = item.get("value");
      const parsed = value.number();
      if (isUnknown(parsed)) return parsed;
      if (parsed !== undefined) found = { value: parsed, where: `${this.mimir.label} values.${key} ${name}` };
    }
    return found;
  }

  brokerSetting(property: string): Maybe<Sourced<number>> | undefined {
    const candidates: Array<[string, number]> = property === "log.retention.ms" ? RETENTION_UNITS : [[property, 1]];
    for (const [key, factor] of candidates) {
      for (const envKey of this.envKeys) {
        const found = this.envValue(envKey, kafkaEnvName(key));
        if (isUnknown(found)) return found;
        if (found)
          return factor === 1
            ? found
            : { value: found.value === -1 ? -1 : found.value * factor, where: found.where, text: `${found.value}` };
      }
    }
    const chartSet = this.chartSetEnv(property);
    if (chartSet) return chartSet;
    return {
      value: KAFKA_BROKER_DEFAULTS[property],
      where: `Kafka default ${property}`,
      note: `${this.label} does not set ${kafkaEnvName(property)}${this.ignoredEnvNote(property)}`,
    };
  }

  /** The env key this chart version does not read, when it sets the property (a silent no-op worth naming). */
  private ignoredEnvNote(property: string): string {
    const ignoredKey = ["kafka.env", "kafka.extraEnv"].find((k) => !this.envKeys.includes(k));
    if (!ignoredKey) return "";
    const ignored = this.envValue(ignoredKey, kafkaEnvName(property));
    if (ignored === undefined || isUnknown(ignored)) return "";
    return `; values.${ignoredKey} sets it but chart ${this.mimir.release.chartVersion} ignores that key and reads values.${this.envKeys[0]}`;
  }

  // Env the chart itself sets (rendered kafka StatefulSet; charts.md: offsets/transaction RF min(3, replicas), min ISR min(2, replicas)).
  private chartSetEnv(property: string): Maybe<Sourced<number>> | undefined {
    const replicas = this.replicaCount();
    if (isUnknown(replicas)) return replicas;
    const chartEnv = (env: string, formula: string) => ({
      where: `${this.mimir.label} chart-set env ${env}`,
      note: formula,
    });
    switch (property) {
      case "offsets.topic.replication.factor":
      case "transaction.state.log.replication.factor":
        return { value: Math.min(3, replicas.value), ...chartEnv(kafkaEnvName(property), "min(3, Kafka replicas)") };
      case "transaction.state.log.min.isr":
        return { value: Math.min(2, replicas.value), ...chartEnv(kafkaEnvName(property), "min(2, Kafka replicas)") };
      case "log.retention.ms": {
        const hours = numberNode(this.mimir.release.values.at("kafka.logRetentionHours"));
        if (isUnknown(hours)) return hours;
        const h = hours?.value ?? MIMIR_CHART_DEFAULTS.kafkaLogRetentionHours;
        return {
          value: h * HOUR_MS,
          where: hours?.where ?? `${this.mimir.label} chart default kafka.logRetentionHours`,
          text: `${h}`,
          note: "hours",
        };
      }
      default:
        return undefined;
    }
  }

  brokers(): Maybe<Sourced<number>> {
    return this.replicaCount();
  }

  controllers(): Maybe<Sourced<number>> {
    // Every built-in Kafka node runs KAFKA_PROCESS_ROLES=broker,controller (rendered StatefulSet).
    return this.replicaCount();
  }
}

export class ExternalCluster implements KafkaCluster {
  readonly kind = "external" as const;
  readonly label: string;
  readonly id: string;

  constructor(
    readonly address: string,
    readonly urn: string,
    private readonly config: ExternalKafkaConfig | undefined,
  ) {
    this.label = `external Kafka at ${address}`;
    this.id = `external:${address}`;
  }

  brokerSetting(property: string): Sourced<number> | undefined {
    const declared =
      this.config?.brokerConfig?.[property] ??
      (property === "log.retention.ms" ? this.retentionFromOtherUnits() : undefined);
    if (declared === undefined) return undefined;
    const value = Number(declared);
    if (!Number.isFinite(value))
      throw new PolicyInputError(
        `policy config externalKafka.brokerConfig["${property}"]=${JSON.stringify(declared)} is not a number.`,
      );
    return { value, where: `policy config externalKafka.brokerConfig["${property}"]` };
  }

  private retentionFromOtherUnits(): number | undefined {
    for (const [key, factor] of RETENTION_UNITS.slice(1)) {
      const value = this.config?.brokerConfig?.[key];
      if (value !== undefined) return Number(value) * factor;
    }
    return undefined;
  }

  brokers(): Sourced<number> | undefined {
    return this.config?.brokers === undefined
      ? undefined
      : { value: this.config.brokers, where: "policy config externalKafka.brokers" };
  }

  controllers(): Sourced<number> | undefined {
    return this.config?.controllers === undefined
      ? undefined
      : { value: this.config.controllers, where: "policy config externalKafka.controllers" };
  }
}
