// K8 (HARD): in ingest storage each ingester of a zone consumes one partition, chosen by its ordinal.
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { MimirRelease } from "../../lib/mimir";
import { Maybe, showFor, Sourced } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { landscape, reportUnverifiable, topicUrn } from "./common";

/** Ingesters per zone: each consumes the partition matching its ordinal within its zone. */
export function ingestersPerZone(mimir: MimirRelease): Maybe<Sourced<number>> {
  const layout = mimir.podsPerZone("ingester");
  if (isUnknown(layout)) return layout;
  return { value: layout.value.perZone, where: layout.where };
}

export const kafkaPartitionsCoverIngesters = stackRule<ExternalKafkaRuleConfig>(
  {
    name: "kafka-partitions-cover-ingesters",
    rule: "K8",
    description: "The Mimir ingest topic must have at least as many partitions as ingesters per zone",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise the topic's partitions (KafkaTopic spec.partitions, which can only grow, or ingest_storage.kafka.auto_create_topic_default_partitions " +
      "before the topic is first created) to at least the ingesters per zone, or run fewer ingesters.",
    url: "https://github.com/grafana/mimir/blob/main/docs/sources/mimir/configure/configure-kafka-backend.md (grafana/mimir#14516)",
    tags: ["kafka", "mimir"],
    configSchema: { properties: { externalKafka: externalKafkaSchema } },
  },
  (stack, ctx) => {
    for (const path of landscape(stack, ctx).paths) {
      const topic = path.topic;
      if (!topic) continue;
      const partitions = topic.partitions();
      if (partitions === undefined) {
        reportUnverifiable(
          ctx,
          topic.cluster,
          topicUrn(topic),
          [`topics["${topic.name}"].partitions`],
          "K8 (partitions vs ingesters)",
        );
        continue;
      }
      ctx.known([partitions, ingestersPerZone(path.mimir)], (count, perZone) => {
        if (count.value >= perZone.value) return;
        ctx.violation(
          `${showFor(topic.label, count)} partitions < ${perZone.value} ingesters per zone of ${path.mimir.label} (${perZone.where}): ` +
            `each ingester consumes the partition matching its ordinal, so ingesters ${count.value} and above have no partition ` +
            `(UNKNOWN_TOPIC_OR_PARTITION) and never become ready. Fix: raise the partitions to at least ${perZone.value} ` +
            `(partitions can only grow) or run at most ${count.value} ingesters per zone.`,
          topicUrn(topic),
        );
      });
    }
  },
);
