/**
 * The cross-component values a reviewer checks against each other, read from the resources: the retention chain
 * from Prometheus to S3, replication per component, Kafka sizes and partitions. Each row names where it was read.
 */
import { type HelmRelease, CHARTS, TYPES } from "../../../policies/model";
import { at, isPlainObject, type Plain } from "../readable";
import {
  brokerConfig,
  findMimirKafka,
  mimirConfig,
  type MimirKafka,
  poolReplicas,
  type Shown,
  topicOrBroker,
} from "./mimir-kafka";
import type { ReportView } from "./report-view";
import { asBytes, asMillis, derivedRow, row, type SettingRow } from "./setting-row";

/** A value from the release's values at a dotted path. */
function value(report: ReportView, release: HelmRelease | undefined, path: string): Shown {
  return {
    value: release ? report.shown(release.values.at(path)) : undefined,
    where: `${release?.releaseName ?? "(release absent)"} values ${path}`,
  };
}

/** `loki.structuredConfig` "takes precedence over `loki.config`", which the chart renders from `loki.limits_config`, ... (loki-18.11.0 values.yaml). */
function lokiConfig(
  report: ReportView,
  loki: HelmRelease | undefined,
  structuredPath: string,
  chartPath: string,
): Shown {
  const structured = value(report, loki, `loki.structuredConfig.${structuredPath}`);
  return structured.value !== undefined ? structured : value(report, loki, `loki.${chartPath}`);
}

function sourcedRow(setting: string, sourced: Shown, format?: (v: Plain) => string): SettingRow {
  return row(setting, sourced.value, sourced.where, format);
}

function tenantOverrides(
  report: ReportView,
  release: HelmRelease | undefined,
  path: string,
): [string, { [key: string]: Plain }][] {
  const overrides = release ? report.shown(release.values.at(path)) : undefined;
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

export function retentionRows(report: ReportView, kafka: MimirKafka): SettingRow[] {
  const prometheus = report.release(CHARTS.kubePrometheusStack);
  const loki = report.release(CHARTS.loki);
  const rows: SettingRow[] = [
    sourcedRow("Prometheus local retention", value(report, prometheus, "prometheus.prometheusSpec.retention")),
    sourcedRow("Prometheus local size cap", value(report, prometheus, "prometheus.prometheusSpec.retentionSize")),
  ];
  const kafkaRetention = topicOrBroker(report, kafka, "retention.ms", "log.retention.ms");
  rows.push(sourcedRow(`Kafka topic ${kafka.topicName ?? "(Mimir's)"} retention`, kafkaRetention, asMillis));
  rows.push(
    sourcedRow(
      "Mimir ingester TSDB retention",
      mimirConfig(report, kafka.mimir, "blocks_storage.tsdb.retention_period"),
    ),
  );
  rows.push(
    sourcedRow(
      "Mimir blocks retention (all tenants)",
      mimirConfig(report, kafka.mimir, "limits.compactor_blocks_retention_period"),
    ),
  );
  for (const [tenant, limits] of tenantOverrides(report, kafka.mimir, "runtimeConfig.overrides")) {
    if (limits.compactor_blocks_retention_period !== undefined) {
      rows.push(
        row(
          `Mimir blocks retention (tenant ${tenant})`,
          limits.compactor_blocks_retention_period,
          `${kafka.mimir?.releaseName} values runtimeConfig.overrides.${tenant}.compactor_blocks_retention_period`,
        ),
      );
    }
  }
  rows.push(
    sourcedRow(
      "Loki retention (all tenants)",
      lokiConfig(report, loki, "limits_config.retention_period", "limits_config.retention_period"),
    ),
  );
  for (const [tenant, limits] of tenantOverrides(report, loki, "loki.runtimeConfig.overrides")) {
    if (limits.retention_period !== undefined) {
      rows.push(
        row(
          `Loki retention (tenant ${tenant})`,
          limits.retention_period,
          `${loki?.releaseName} values loki.runtimeConfig.overrides.${tenant}.retention_period`,
        ),
      );
    }
  }
  rows.push(
    sourcedRow(
      "Loki rejects samples older than",
      lokiConfig(report, loki, "limits_config.reject_old_samples_max_age", "limits_config.reject_old_samples_max_age"),
    ),
  );
  for (const lifecycle of [...report.view.ofType(TYPES.bucketLifecycle)].sort((a, b) => a.name.localeCompare(b.name))) {
    const rules = report.shown(lifecycle.props.get("rules"));
    const bucket = report.shown(lifecycle.props.get("bucket"));
    const shown = expirations(Array.isArray(rules) ? rules : []);
    rows.push(
      shown
        ? derivedRow(
            `S3 ${lifecycle.name} expiration`,
            shown,
            shown,
            `BucketLifecycleConfiguration ${lifecycle.name} rules[].expiration (bucket ${typeof bucket === "string" && bucket !== "" ? bucket : lifecycle.name})`,
          )
        : derivedRow(
            `S3 ${lifecycle.name} expiration`,
            null,
            "none (objects kept)",
            `BucketLifecycleConfiguration ${lifecycle.name} rules[]`,
          ),
    );
  }
  return rows;
}

function zonesOf(report: ReportView, mimir: HelmRelease | undefined, component: string): string[] | undefined {
  const zones = mimir ? report.shown(mimir.values.get(component, "zoneAwareReplication", "zones")) : undefined;
  const enabled = mimir ? report.shown(mimir.values.get(component, "zoneAwareReplication", "enabled")) : undefined;
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
export function lokiIngesterWorkload(loki: HelmRelease | undefined): string {
  const mode = loki?.values.get("deploymentMode").raw();
  if (mode === "Distributed" || mode === "SimpleScalable<->Distributed") return "ingester";
  if (mode === "SimpleScalable" || mode === "Monolithic<->SimpleScalable" || mode === "SingleBinary<->SimpleScalable")
    return "write";
  return "singleBinary";
}

export function replicationRows(report: ReportView, kafka: MimirKafka): SettingRow[] {
  const loki = report.release(CHARTS.loki);
  const prometheus = report.release(CHARTS.kubePrometheusStack);
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
      kafka.topic ? report.shown(kafka.topic.spec.get("replicas")) : undefined,
      `KafkaTopic ${kafka.topic?.name ?? "(none)"} spec.replicas`,
    ),
  );
  rows.push(
    sourcedRow("Kafka min.insync.replicas", topicOrBroker(report, kafka, "min.insync.replicas", "min.insync.replicas")),
  );
  const broker = (setting: string, key: string) => sourcedRow(setting, brokerConfig(report, kafka, key));
  rows.push(broker("Kafka default.replication.factor", "default.replication.factor"));
  rows.push(broker("Kafka offsets topic RF", "offsets.topic.replication.factor"));
  rows.push(broker("Kafka transaction log RF", "transaction.state.log.replication.factor"));

  const ingesterZones = zonesOf(report, kafka.mimir, "ingester");
  rows.push(
    derivedRow(
      "Mimir zones",
      ingesterZones ?? null,
      ingesterZones === undefined
        ? "not set (chart default zones)"
        : ingesterZones.length === 0
          ? "zone-awareness off"
          : ingesterZones.join(", "),
      `${kafka.mimir?.releaseName ?? "mimir"} values ingester.zoneAwareReplication`,
    ),
  );
  rows.push(sourcedRow("Mimir ingesters (all zones)", value(report, kafka.mimir, "ingester.replicas")));
  rows.push(sourcedRow("Mimir store-gateways (all zones)", value(report, kafka.mimir, "store_gateway.replicas")));
  rows.push(
    sourcedRow(
      "Mimir store-gateway RF",
      mimirConfig(report, kafka.mimir, "store_gateway.sharding_ring.replication_factor"),
    ),
  );
  rows.push(sourcedRow("Loki deployment mode", value(report, loki, "deploymentMode")));
  rows.push(
    sourcedRow(
      "Loki replication factor",
      lokiConfig(report, loki, "common.replication_factor", "commonConfig.replication_factor"),
    ),
  );
  rows.push(sourcedRow("Loki ingesters", value(report, loki, `${lokiIngesterWorkload(loki)}.replicas`)));
  rows.push(sourcedRow("Prometheus replicas", value(report, prometheus, "prometheus.prometheusSpec.replicas")));
  return rows;
}

export function kafkaSizeRows(report: ReportView, kafka: MimirKafka): SettingRow[] {
  const mimir = (path: string) => mimirConfig(report, kafka.mimir, path);
  const broker = (key: string) => brokerConfig(report, kafka, key);
  const topic = (topicKey: string, brokerKey: string) => topicOrBroker(report, kafka, topicKey, brokerKey);
  return [
    sourcedRow("Mimir producer max record size", mimir("ingest_storage.kafka.producer_max_record_size_bytes"), asBytes),
    sourcedRow("Kafka broker message.max.bytes", broker("message.max.bytes"), asBytes),
    sourcedRow("Kafka topic max.message.bytes", topic("max.message.bytes", "message.max.bytes"), asBytes),
    sourcedRow("Kafka segment size", topic("segment.bytes", "log.segment.bytes"), asBytes),
    sourcedRow("Kafka socket.request.max.bytes", broker("socket.request.max.bytes"), asBytes),
    sourcedRow("Kafka replica.fetch.max.bytes", broker("replica.fetch.max.bytes"), asBytes),
    sourcedRow("Mimir producer buffer", mimir("ingest_storage.kafka.producer_max_buffered_bytes"), asBytes),
    sourcedRow("Mimir distributor memory limit", value(report, kafka.mimir, "distributor.resources.limits.memory")),
  ];
}

export function partitionRows(report: ReportView, kafka: MimirKafka): SettingRow[] {
  const ingesters = kafka.mimir?.values.get("ingester", "replicas").raw();
  const zones = zonesOf(report, kafka.mimir, "ingester");
  const zoneCount = zones === undefined || zones.length === 0 ? 1 : zones.length;
  const perZone = typeof ingesters === "number" ? Math.ceil(ingesters / zoneCount) : undefined;
  const mimirName = kafka.mimir?.releaseName ?? "mimir";
  return [
    row(
      `Kafka topic ${kafka.topicName ?? "(Mimir's)"} partitions`,
      kafka.topic ? report.shown(kafka.topic.spec.get("partitions")) : undefined,
      `KafkaTopic ${kafka.topic?.name ?? "(none)"} spec.partitions`,
    ),
    sourcedRow("Kafka num.partitions (auto-created topics)", brokerConfig(report, kafka, "num.partitions")),
    sourcedRow(
      "Mimir auto-creates the topic",
      mimirConfig(report, kafka.mimir, "ingest_storage.kafka.auto_create_topic_enabled"),
    ),
    derivedRow(
      "Mimir ingesters per zone",
      perZone ?? null,
      perZone === undefined ? "unknown" : String(perZone),
      `${mimirName} values ingester.replicas / ${zoneCount} zone${zoneCount === 1 ? "" : "s"}`,
    ),
  ];
}

export interface DerivedSettings {
  retention: SettingRow[];
  replication: SettingRow[];
  kafkaSizes: SettingRow[];
  partitions: SettingRow[];
}

export function derivedSettings(report: ReportView): DerivedSettings {
  const kafka = findMimirKafka(report);
  return {
    retention: retentionRows(report, kafka),
    replication: replicationRows(report, kafka),
    kafkaSizes: kafkaSizeRows(report, kafka),
    partitions: partitionRows(report, kafka),
  };
}
