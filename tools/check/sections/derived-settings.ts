/**
 * The cross-component values a reviewer checks against each other, read from the resources: the retention chain
 * from Prometheus to S3, replication per component, Kafka sizes and partitions. Each row names where it was read.
 */
import type { StackView } from "../../../policies/lib/stack";
import { at, isPlainObject, type Plain } from "../readable";
import {
  brokerConfig,
  findMimirKafka,
  mimirConfig,
  type MimirKafka,
  poolReplicas,
  type Sourced,
  topicOrBroker,
} from "./mimir-kafka";
import { asBytes, asMillis, derivedRow, row, type SettingRow } from "./setting-row";
import type { Release, StackFacts } from "./stack-facts";

const LOKI_CHART = "loki";
const PROMETHEUS_CHART = "kube-prometheus-stack";

/** A value from the release's values at a dotted path. */
function value(release: Release | undefined, path: string): Sourced {
  return {
    value: release ? at(release.values, path) : undefined,
    source: `${release?.name ?? "(release absent)"} values ${path}`,
  };
}

/** `loki.structuredConfig` "takes precedence over `loki.config`", which the chart renders from `loki.limits_config`, ... (loki-18.11.0 values.yaml). */
function lokiConfig(loki: Release | undefined, structuredPath: string, chartPath: string): Sourced {
  const structured = value(loki, `loki.structuredConfig.${structuredPath}`);
  return structured.value !== undefined ? structured : value(loki, `loki.${chartPath}`);
}

function sourcedRow(setting: string, sourced: Sourced, format?: (v: Plain) => string): SettingRow {
  return row(setting, sourced.value, sourced.source, format);
}

function tenantOverrides(release: Release | undefined, path: string): [string, { [key: string]: Plain }][] {
  const overrides = release ? at(release.values, path) : undefined;
  if (!isPlainObject(overrides)) return [];
  return Object.entries(overrides)
    .filter((entry): entry is [string, { [key: string]: Plain }] => isPlainObject(entry[1]))
    .sort(([a], [b]) => a.localeCompare(b));
}

/** "days 92 on platform/; days 92 on team-payments/" from S3 lifecycle rules with an expiration. */
function expirations(rules: Plain[]): string | undefined {
  const parts: string[] = [];
  for (const rule of rules) {
    const days = at(rule, "expiration.days");
    if (typeof days !== "number" || at(rule, "status") === "Disabled") continue;
    const prefix = at(rule, "filter.prefix") ?? at(rule, "filter.and.prefix") ?? at(rule, "prefix");
    parts.push(`${days} days on ${typeof prefix === "string" && prefix !== "" ? prefix : "every object"}`);
  }
  return parts.length > 0 ? parts.join("; ") : undefined;
}

export function retentionRows(facts: StackFacts, kafka: MimirKafka): SettingRow[] {
  const prometheus = facts.release(PROMETHEUS_CHART);
  const loki = facts.release(LOKI_CHART);
  const rows: SettingRow[] = [
    sourcedRow("Prometheus local retention", value(prometheus, "prometheus.prometheusSpec.retention")),
    sourcedRow("Prometheus local size cap", value(prometheus, "prometheus.prometheusSpec.retentionSize")),
  ];
  const kafkaRetention = topicOrBroker(kafka, "retention.ms", "log.retention.ms");
  rows.push(sourcedRow(`Kafka topic ${kafka.topicName ?? "(Mimir's)"} retention`, kafkaRetention, asMillis));
  rows.push(
    sourcedRow("Mimir ingester TSDB retention", mimirConfig(kafka.mimir, "blocks_storage.tsdb.retention_period")),
  );
  rows.push(
    sourcedRow(
      "Mimir blocks retention (all tenants)",
      mimirConfig(kafka.mimir, "limits.compactor_blocks_retention_period"),
    ),
  );
  for (const [tenant, limits] of tenantOverrides(kafka.mimir, "runtimeConfig.overrides")) {
    if (limits.compactor_blocks_retention_period !== undefined) {
      rows.push(
        row(
          `Mimir blocks retention (tenant ${tenant})`,
          limits.compactor_blocks_retention_period,
          `${kafka.mimir?.name} values runtimeConfig.overrides.${tenant}.compactor_blocks_retention_period`,
        ),
      );
    }
  }
  rows.push(
    sourcedRow(
      "Loki retention (all tenants)",
      lokiConfig(loki, "limits_config.retention_period", "limits_config.retention_period"),
    ),
  );
  for (const [tenant, limits] of tenantOverrides(loki, "loki.runtimeConfig.overrides")) {
    if (limits.retention_period !== undefined) {
      rows.push(
        row(
          `Loki retention (tenant ${tenant})`,
          limits.retention_period,
          `${loki?.name} values loki.runtimeConfig.overrides.${tenant}.retention_period`,
        ),
      );
    }
  }
  rows.push(
    sourcedRow(
      "Loki rejects samples older than",
      lokiConfig(loki, "limits_config.reject_old_samples_max_age", "limits_config.reject_old_samples_max_age"),
    ),
  );
  for (const lifecycle of facts.lifecycles().sort((a, b) => a.record.name.localeCompare(b.record.name))) {
    const shown = expirations(lifecycle.rules);
    rows.push(
      shown
        ? derivedRow(
            `S3 ${lifecycle.record.name} expiration`,
            shown,
            shown,
            `BucketLifecycleConfiguration ${lifecycle.record.name} rules[].expiration (bucket ${lifecycle.bucket})`,
          )
        : derivedRow(
            `S3 ${lifecycle.record.name} expiration`,
            null,
            "none (objects kept)",
            `BucketLifecycleConfiguration ${lifecycle.record.name} rules[]`,
          ),
    );
  }
  return rows;
}

function zonesOf(mimir: Release | undefined, component: string): string[] | undefined {
  const zones = mimir ? at(mimir.values, [component, "zoneAwareReplication", "zones"]) : undefined;
  const enabled = mimir ? at(mimir.values, [component, "zoneAwareReplication", "enabled"]) : undefined;
  if (enabled === false) return [];
  if (!Array.isArray(zones)) return undefined;
  return zones.map((zone) => {
    const name = at(zone, "name");
    const pinned = at(zone, ["nodeSelector", "topology.kubernetes.io/zone"]);
    return typeof pinned === "string" ? `${String(name)} (${pinned})` : String(name);
  });
}

/**
 * The workload that holds Loki's ingesters in each deployment mode, Monolithic when unset (loki-18.11.0 values,
 * `deploymentMode`: Monolithic (formerly SingleBinary) runs singleBinary, SimpleScalable runs write, Distributed
 * runs ingester).
 */
export function lokiIngesterWorkload(loki: Release | undefined): string {
  const mode = loki ? at(loki.values, "deploymentMode") : undefined;
  if (mode === "Distributed" || mode === "SimpleScalable<->Distributed") return "ingester";
  if (mode === "SimpleScalable" || mode === "Monolithic<->SimpleScalable" || mode === "SingleBinary<->SimpleScalable")
    return "write";
  return "singleBinary";
}

export function replicationRows(facts: StackFacts, kafka: MimirKafka): SettingRow[] {
  const loki = facts.release(LOKI_CHART);
  const prometheus = facts.release(PROMETHEUS_CHART);
  const rows: SettingRow[] = [];
  const brokers = poolReplicas(kafka.brokerPools);
  const controllers = poolReplicas(kafka.controllerPools);
  const poolSource = (pools: typeof kafka.brokerPools, role: string): string =>
    pools.length > 0
      ? `sum of KafkaNodePool ${pools.map((p) => p.name).join(", ")} spec.replicas (role ${role})`
      : `no KafkaNodePool with role ${role}`;
  rows.push(
    derivedRow(
      "Kafka brokers",
      brokers ?? null,
      brokers === undefined ? "unknown" : String(brokers),
      poolSource(kafka.brokerPools, "broker"),
    ),
  );
  rows.push(
    derivedRow(
      "Kafka KRaft controllers",
      controllers ?? null,
      controllers === undefined ? "unknown" : String(controllers),
      poolSource(kafka.controllerPools, "controller"),
    ),
  );
  rows.push(
    row(
      `Kafka topic ${kafka.topicName ?? "(Mimir's)"} replicas`,
      kafka.topic ? at(kafka.topic.spec, "replicas") : undefined,
      `KafkaTopic ${kafka.topic?.name ?? "(none)"} spec.replicas`,
    ),
  );
  rows.push(
    sourcedRow("Kafka min.insync.replicas", topicOrBroker(kafka, "min.insync.replicas", "min.insync.replicas")),
  );
  rows.push(sourcedRow("Kafka default.replication.factor", brokerConfig(kafka, "default.replication.factor")));
  rows.push(sourcedRow("Kafka offsets topic RF", brokerConfig(kafka, "offsets.topic.replication.factor")));
  rows.push(sourcedRow("Kafka transaction log RF", brokerConfig(kafka, "transaction.state.log.replication.factor")));

  const ingesterZones = zonesOf(kafka.mimir, "ingester");
  rows.push(
    derivedRow(
      "Mimir zones",
      ingesterZones ?? null,
      ingesterZones === undefined
        ? "not set (chart default zones)"
        : ingesterZones.length === 0
          ? "zone-awareness off"
          : ingesterZones.join(", "),
      `${kafka.mimir?.name ?? "mimir"} values ingester.zoneAwareReplication`,
    ),
  );
  rows.push(sourcedRow("Mimir ingesters (all zones)", value(kafka.mimir, "ingester.replicas")));
  rows.push(sourcedRow("Mimir store-gateways (all zones)", value(kafka.mimir, "store_gateway.replicas")));
  rows.push(
    sourcedRow("Mimir store-gateway RF", mimirConfig(kafka.mimir, "store_gateway.sharding_ring.replication_factor")),
  );
  rows.push(sourcedRow("Loki deployment mode", value(loki, "deploymentMode")));
  rows.push(
    sourcedRow(
      "Loki replication factor",
      lokiConfig(loki, "common.replication_factor", "commonConfig.replication_factor"),
    ),
  );
  rows.push(sourcedRow("Loki ingesters", value(loki, `${lokiIngesterWorkload(loki)}.replicas`)));
  rows.push(sourcedRow("Prometheus replicas", value(prometheus, "prometheus.prometheusSpec.replicas")));
  return rows;
}

export function kafkaSizeRows(kafka: MimirKafka): SettingRow[] {
  const distributorLimit = kafka.mimir ? at(kafka.mimir.values, "distributor.resources.limits.memory") : undefined;
  return [
    sourcedRow(
      "Mimir producer max record size",
      mimirConfig(kafka.mimir, "ingest_storage.kafka.producer_max_record_size_bytes"),
      asBytes,
    ),
    sourcedRow("Kafka broker message.max.bytes", brokerConfig(kafka, "message.max.bytes"), asBytes),
    sourcedRow(
      "Kafka topic max.message.bytes",
      topicOrBroker(kafka, "max.message.bytes", "message.max.bytes"),
      asBytes,
    ),
    sourcedRow("Kafka segment size", topicOrBroker(kafka, "segment.bytes", "log.segment.bytes"), asBytes),
    sourcedRow("Kafka socket.request.max.bytes", brokerConfig(kafka, "socket.request.max.bytes"), asBytes),
    sourcedRow("Kafka replica.fetch.max.bytes", brokerConfig(kafka, "replica.fetch.max.bytes"), asBytes),
    sourcedRow(
      "Mimir producer buffer",
      mimirConfig(kafka.mimir, "ingest_storage.kafka.producer_max_buffered_bytes"),
      asBytes,
    ),
    row(
      "Mimir distributor memory limit",
      distributorLimit,
      `${kafka.mimir?.name ?? "mimir"} values distributor.resources.limits.memory`,
    ),
  ];
}

export function partitionRows(kafka: MimirKafka): SettingRow[] {
  const ingesters = kafka.mimir ? at(kafka.mimir.values, "ingester.replicas") : undefined;
  const zones = zonesOf(kafka.mimir, "ingester");
  const zoneCount = zones === undefined || zones.length === 0 ? 1 : zones.length;
  const perZone = typeof ingesters === "number" ? Math.ceil(ingesters / zoneCount) : undefined;
  return [
    row(
      `Kafka topic ${kafka.topicName ?? "(Mimir's)"} partitions`,
      kafka.topic ? at(kafka.topic.spec, "partitions") : undefined,
      `KafkaTopic ${kafka.topic?.name ?? "(none)"} spec.partitions`,
    ),
    sourcedRow("Kafka num.partitions (auto-created topics)", brokerConfig(kafka, "num.partitions")),
    sourcedRow(
      "Mimir auto-creates the topic",
      mimirConfig(kafka.mimir, "ingest_storage.kafka.auto_create_topic_enabled"),
    ),
    derivedRow(
      "Mimir ingesters per zone",
      perZone ?? null,
      perZone === undefined ? "unknown" : String(perZone),
      `${kafka.mimir?.name ?? "mimir"} values ingester.replicas / ${zoneCount} zone${zoneCount === 1 ? "" : "s"}`,
    ),
  ];
}

export interface DerivedSettings {
  retention: SettingRow[];
  replication: SettingRow[];
  kafkaSizes: SettingRow[];
  partitions: SettingRow[];
}

export function derivedSettings(facts: StackFacts, view: StackView): DerivedSettings {
  const kafka = findMimirKafka(facts, view);
  return {
    retention: retentionRows(facts, kafka),
    replication: replicationRows(facts, kafka),
    kafkaSizes: kafkaSizeRows(kafka),
    partitions: partitionRows(kafka),
  };
}
