// K23: the brokers must keep the offsets Mimir's ingesters commit at least as long as the replay window K9 sizes the
// topic for.
// - Each ingester commits the last offset it consumed from its partition to a consumer group every
//   consumer_group_offset_commit_interval (default 1s), outside any group membership (grafana/mimir
//   pkg/storage/ingest/reader.go partitionCommitter; kadm.CommitOffsets). Such a group is always empty, so Kafka expires
//   each committed offset offsets.retention.minutes after it was last committed (apache/kafka GroupCoordinatorConfig
//   OFFSETS_RETENTION_MINUTES_DOC: "For standalone consumers (using manual assignment), offsets will be expired after
//   this retention period has elapsed since the time of last commit"; default 10080 = 7 days).
// - At start-up with consume_from_position_at_startup=last-offset (the default; M9 refuses `end`) an ingester that
//   finds no committed offset starts from the partition start: "starting consumption from partition start because no
//   offset has been found" (reader.go getStartOffset). Nothing is skipped, so no sample is lost; but the ingester
//   re-consumes everything the topic still holds (up to retention.ms) before it reports ready, which stalls the
//   zone-by-zone rollout for the length of that replay. A soft risk: advisory.
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { formatDuration } from "../../lib/duration";
import { KafkaCluster } from "../../lib/kafka";
import { show, showFor } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { brokerFix, landscape } from "./common";
import { replayWindow } from "./retention-covers-replay-window";

const MINUTE_MS = 60_000;

export const kafkaCommittedOffsetsOutliveReplayWindow = stackRule<ExternalKafkaRuleConfig>(
  {
    name: "kafka-committed-offsets-outlive-replay-window",
    rule: "K23",
    description:
      "The brokers' offsets.retention.minutes should cover Mimir's replay window (blocks_storage.tsdb.retention_period): an ingester down longer than that loses its committed offset and re-consumes the whole partition at start-up",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
      "Remove offsets.retention.minutes from the brokers (default 10080 = 7 days) or raise it above blocks_storage.tsdb.retention_period.",
    url: "https://kafka.apache.org/documentation/#brokerconfigs_offsets.retention.minutes; https://github.com/grafana/mimir/blob/main/pkg/storage/ingest/reader.go (getStartOffset)",
    tags: ["kafka", "mimir"],
    configSchema: { properties: { externalKafka: externalKafkaSchema } },
  },
  (stack, ctx) => {
    const seen = new Set<KafkaCluster>();
    for (const path of landscape(stack, ctx).paths) {
      const cluster = path.cluster;
      if (!cluster || seen.has(cluster)) continue;
      seen.add(cluster);
      const minutes = cluster.brokerSetting("offsets.retention.minutes");
      if (minutes === undefined) continue;
      if (isUnknown(minutes)) {
        ctx.inconclusive(minutes);
        continue;
      }
      ctx.known([replayWindow(path)], (replay) => {
        const keptMs = minutes.value * MINUTE_MS;
        if (keptMs >= replay.value) return;
        ctx.advisory(
          `${showFor(cluster.label, minutes)} minutes (${formatDuration(keptMs)}) < the replay window ${show(replay)}: ` +
            `the offsets Mimir's ingesters commit expire ${formatDuration(keptMs)} after their last commit, so an ingester down longer than ` +
            `that (a node replacement, a slow rollout) restarts without one and, with consume_from_position_at_startup=last-offset, ` +
            `re-consumes its partition from the start (grafana/mimir pkg/storage/ingest/reader.go getStartOffset). No sample is lost, ` +
            `but the ingester is not ready until it has replayed everything the topic retains, which stalls the rollout. ` +
            `Fix: ${brokerFix(cluster, "offsets.retention.minutes", `at least ${Math.ceil(replay.value / MINUTE_MS)} (or remove it: default 10080)`)}.`,
          cluster.urn,
        );
      });
    }
  },
);
