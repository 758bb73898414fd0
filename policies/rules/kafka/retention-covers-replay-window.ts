// K9: the topic must keep records at least as long as an ingester may need to replay them.
// The replay window is Mimir's blocks_storage.tsdb.retention_period: INFERRED from the ingest storage architecture
// doc (ingesters keep the blocks they built from the topic for that long, and the program refuses retention.kafka
// below it, settings/resolve.ts). The rule was advisory only because that window is inferred; a retention below it
// loses samples, so it is mandatory. The longer outage to survive (policy config) is the operator's target, not a
// certainty: falling short of it stays advisory.
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { formatDuration, parseDurationMs } from "../../lib/duration";
import { effectiveTopicSetting, MimirKafkaPath } from "../../lib/kafka";
import { Maybe, PolicyInputError, show, showFor, Sourced } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { landscape, reportUnverifiable, topicFix, topicUrn } from "./common";

/** The window an ingester may replay from the topic: its Mimir's blocks_storage.tsdb.retention_period (INFERRED, above). */
export function replayWindow(path: MimirKafkaPath): Maybe<Sourced<number>> {
  return path.mimir.duration("blocks_storage.tsdb.retention_period");
}

interface Config extends ExternalKafkaRuleConfig {
  ingesterOutageToSurvive: string;
}

export const kafkaRetentionCoversReplayWindow = stackRule<Config>(
  {
    name: "kafka-retention-covers-replay-window",
    rule: "K9",
    description:
      "The Mimir ingest topic's retention.ms must cover Mimir's replay window (blocks_storage.tsdb.retention_period), and should cover the longest ingester outage to survive",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise retention.ms on the topic (or log.retention.* on the brokers) above blocks_storage.tsdb.retention_period and the outage to survive; the chart's built-in Kafka keeps 24h.",
    url: "https://grafana.com/docs/mimir/latest/get-started/about-grafana-mimir-architecture/about-ingest-storage-architecture/ (conflict-rules.md K9; the replay window is INFERRED)",
    tags: ["kafka", "mimir", "retention"],
    configSchema: {
      properties: {
        ingesterOutageToSurvive: {
          type: "string",
          default: "0s",
          description:
            "Longest ingester outage the topic must bridge, as a Go duration (e.g. 48h); 0s checks only the replay window.",
        },
        externalKafka: externalKafkaSchema,
      },
    },
  },
  (stack, ctx) => {
    const outage = parseDurationMs(ctx.config.ingesterOutageToSurvive, "go");
    if (outage === undefined) {
      throw new PolicyInputError(
        `policy config ingesterOutageToSurvive=${JSON.stringify(ctx.config.ingesterOutageToSurvive)} is not a Go duration such as 48h.`,
      );
    }
    for (const path of landscape(stack, ctx).paths) {
      const topic = path.topic;
      if (!topic) continue;
      const retention = effectiveTopicSetting(topic, "retention.ms");
      if (retention === undefined) {
        reportUnverifiable(
          ctx,
          topic.cluster,
          topicUrn(topic),
          ["retention.ms (topic config or brokerConfig log.retention.ms)"],
          "K9 (retention vs replay window)",
        );
        continue;
      }
      ctx.known([retention, replayWindow(path)], (kept, replay) => {
        if (kept.value === -1) return; // -1: keep forever
        const needed = Math.max(replay.value, outage);
        if (kept.value >= needed) return;
        const consequence =
          `an ingester that restarts without a committed offset, or stays down longer than ${formatDuration(kept.value)}, finds the records ` +
          `it still needs already deleted and those samples are lost. Fix: ${topicFix(topic, "retention.ms", "log.retention.ms", `at least ${needed}`)}.`;
        if (kept.value < replay.value) {
          const outageText =
            outage > replay.value
              ? ` (and the ingester outage to survive, policy config ingesterOutageToSurvive=${ctx.config.ingesterOutageToSurvive})`
              : "";
          ctx.violation(
            `${showFor(topic.label, kept)} (${formatDuration(kept.value)}) < ${path.mimir.label} replay window ${show(replay)}${outageText}: ${consequence}`,
            topicUrn(topic),
          );
          return;
        }
        ctx.advisory(
          `${showFor(topic.label, kept)} (${formatDuration(kept.value)}) covers ${path.mimir.label} replay window ${show(replay)} but not the ingester ` +
            `outage to survive (policy config ingesterOutageToSurvive=${ctx.config.ingesterOutageToSurvive}): ${consequence}`,
          topicUrn(topic),
        );
      });
    }
  },
);
