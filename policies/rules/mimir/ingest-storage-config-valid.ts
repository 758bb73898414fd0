// M9 (HARD at start-up): Mimir 3.0 validates ingest_storage before any component starts (pkg/storage/ingest/config.go
// KafkaConfig.Validate; every pod exits with "error validating config: invalid ingest storage config: ..."), and its
// YAML is strict: a key the running version lacks stops every pod too. Only the settings a values file can set are
// checked; the defaults pass. Mimir 3.0 is what mimir-distributed 6.0.x runs (chart CHANGELOG).
import { MIMIR_PRODUCER_RECORD_BYTES, MimirRelease, mimirReleases } from "../../lib/mimir";
import { stackRule } from "../../lib/policy";
import { parseDurationMs } from "../../lib/duration";
import { isUnknown } from "../../lib/unknown";

const KAFKA = "ingest_storage.kafka";

/** ErrInvalidFetchMaxWait bounds. */
const FETCH_MAX_WAIT_MS = { min: 5_000, max: 30_000 };
/** max_buffered_bytes must stay below math.MaxInt32. */
const MAX_INT32 = 2_147_483_647;

/**
 * ingest_storage.kafka keys that arrive in Mimir 3.1 (CHANGELOG 3.1.0: SASL mechanisms #14307, TLS #14550, client
 * rack #14434, OAUTHBEARER and MSK IAM, seed lists): on Mimir 3.0 each is "field ... not found in type
 * ingest.KafkaConfig" (grafana/mimir#13987).
 */
const MIMIR_31_KAFKA_KEYS = [
  "sasl_mechanism",
  "tls_enabled",
  "tls_cert_path",
  "tls_key_path",
  "tls_ca_path",
  "tls_server_name",
  "tls_insecure_skip_verify",
  "client_rack",
  "producer_compression",
  "backend",
];

type Finding = { path: string; value: unknown; problem: string };

/** A key the values set, as a CLI flag in the using component's extraArgs or in structuredConfig (flags win). */
function present(mimir: MimirRelease, key: string): { where: string; value: unknown } | undefined {
  const found = mimir.configured(`${KAFKA}.${key}`);
  if (found === undefined || isUnknown(found) || found.value === undefined || found.value === null) return undefined;
  if (isUnknown(found.value)) return undefined;
  return { where: found.where, value: found.value };
}

function numberOf(value: unknown): number | undefined {
  const n =
    typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function rangeChecks(mimir: MimirRelease): Finding[] {
  const findings: Finding[] = [];
  const check = (key: string, ok: (n: number) => boolean, problem: string) => {
    const found = present(mimir, key);
    if (!found) return;
    const n = numberOf(found.value);
    if (n === undefined || !ok(n)) findings.push({ path: found.where, value: found.value, problem });
  };
  check(
    "producer_max_record_size_bytes",
    (n) => n >= MIMIR_PRODUCER_RECORD_BYTES.min && n <= MIMIR_PRODUCER_RECORD_BYTES.max,
    `"the configured producer max record size bytes must be a value between ${MIMIR_PRODUCER_RECORD_BYTES.min} and ${MIMIR_PRODUCER_RECORD_BYTES.max}"`,
  );
  check("write_clients", (n) => n >= 1, `"the configured number of write clients is invalid (must be greater than 0)"`);
  check(
    "fetch_concurrency_max",
    (n) => n >= 0,
    `"ingest-storage.kafka.fetch-concurrency-max must be greater than or equal to 0"`,
  );
  check(
    "max_buffered_bytes",
    (n) => n < MAX_INT32,
    `"ingest-storage.kafka.max-buffered-bytes must be less than ${MAX_INT32}"`,
  );
  const wait = present(mimir, "fetch_max_wait");
  if (wait) {
    const ms = typeof wait.value === "string" ? parseDurationMs(wait.value, "go") : undefined;
    if (ms === undefined || ms < FETCH_MAX_WAIT_MS.min || ms > FETCH_MAX_WAIT_MS.max) {
      findings.push({
        path: wait.where,
        value: wait.value,
        problem: `"the Kafka fetch max wait must be between 5s and 30s"`,
      });
    }
  }
  return findings;
}

function pairChecks(mimir: MimirRelease): Finding[] {
  const findings: Finding[] = [];
  const topic = present(mimir, "topic");
  if (topic && topic.value === "")
    findings.push({ path: topic.where, value: "", problem: `"the Kafka topic has not been configured"` });
  const user = present(mimir, "sasl_username");
  const password = present(mimir, "sasl_password");
  const set = (f?: { value: unknown }) => f !== undefined && f.value !== "";
  if (set(user) !== set(password)) {
    const missing = set(user) ? `${KAFKA}.sasl_password` : `${KAFKA}.sasl_username`;
    findings.push({
      path: missing,
      value: "",
      problem: `"the SASL username and password must be both configured to enable SASL authentication"`,
    });
  }
  const autoCreate = present(mimir, "auto_create_topic_enabled");
  const partitions = present(mimir, "auto_create_topic_default_partitions");
  const n = partitions ? numberOf(partitions.value) : undefined;
  if (
    partitions &&
    (autoCreate?.value ?? true) !== false &&
    String(autoCreate?.value ?? "true") !== "false" &&
    (n === undefined || (n !== -1 && n < 1))
  ) {
    findings.push({
      path: partitions.where,
      value: partitions.value,
      problem: `"ingest-storage.kafka.auto-create-topic-default-partitions must be -1 or greater than 0 when ingest-storage.kafka.auto-create-topic-enabled is true"`,
    });
  }
  return findings;
}

// KafkaConfig.Validate's start-position, consumer-lag and ingestion-concurrency checks. Read in grafana/mimir
// pkg/storage/ingest/config.go at 791a75d784e3 (early 2025, Mimir 2.16-2.17) and at 001afd283f1b (main, after 3.1):
// both hold each check below, so Mimir 3.0 does too (the 3.0.0 CHANGELOG lists no change to them).
/** consumeFromPositionOptions. */
const CONSUME_POSITIONS = ["last-offset", "start", "end", "timestamp"];
/**
 * `ConsumeFromTimestampAtStartup < 1e12` (791a75d) / `< 9e11` (001afd2) with position "timestamp" is
 * "configured timestamp must be a millisecond timestamp": only values below the lower bound are refused here, so a
 * value either version accepts is never refused.
 */
const MIN_MS_TIMESTAMP = 9e11;
/** RegisterFlagsWithPrefix: target-consumer-lag-at-startup 2s, max-consumer-lag-at-startup 15s. */
const CONSUMER_LAG_DEFAULT_MS = { target: 2_000, max: 15_000 };
/**
 * -ingest-storage.kafka.ingestion-concurrency-max default: 0 in Mimir 3.0 (config descriptor April 2025), 8 from
 * Mimir 3.1 (CHANGELOG 3.1.0 #15072). Its four parameters default to positive values in both.
 */
const INGESTION_CONCURRENCY_PARAMS = [
  "ingestion_concurrency_batch_size",
  "ingestion_concurrency_queue_capacity",
  "ingestion_concurrency_estimated_bytes_per_sample",
  "ingestion_concurrency_target_flushes_per_shard",
];
const INVALID_POSITION = "the configured consume position is invalid";

function startupChecks(mimir: MimirRelease): Finding[] {
  const findings: Finding[] = [];
  // A value unknown at preview may be anything: the checks that read it are skipped.
  const unknown = (...keys: string[]) => keys.some((key) => isUnknown(mimir.structuredNode(`${KAFKA}.${key}`).raw()));
  // ErrInvalidConsumePosition and its two wrapped forms.
  const position = present(mimir, "consume_from_position_at_startup");
  const timestamp = present(mimir, "consume_from_timestamp_at_startup");
  const positionValue = position ? position.value : "last-offset";
  const ts = timestamp ? numberOf(timestamp.value) : 0;
  if (unknown("consume_from_position_at_startup", "consume_from_timestamp_at_startup")) {
    // judged when known
  } else if (position && !CONSUME_POSITIONS.includes(String(position.value))) {
    findings.push({
      path: position.where,
      value: position.value,
      problem: `"${INVALID_POSITION}" (supported: ${CONSUME_POSITIONS.join(", ")})`,
    });
  } else if (positionValue === "timestamp" && (ts === undefined || ts < MIN_MS_TIMESTAMP)) {
    findings.push({
      path: timestamp ? timestamp.where : position!.where,
      value: timestamp ? timestamp.value : positionValue,
      problem:
        `"${INVALID_POSITION}: configured timestamp must be a millisecond timestamp" ` +
        `(${KAFKA}.consume_from_position_at_startup is "timestamp"; set consume_from_timestamp_at_startup to a Unix time in milliseconds)`,
    });
  } else if (positionValue !== "timestamp" && ts !== undefined && ts > 0 && timestamp) {
    findings.push({
      path: timestamp.where,
      value: timestamp.value,
      problem:
        `"${INVALID_POSITION}: configured consume position must be set to "timestamp"" ` +
        `(consume_from_position_at_startup is ${JSON.stringify(positionValue)}; remove the timestamp or set the position to timestamp)`,
    });
  }

  // ErrInconsistentConsumerLagAtStartup / ErrInvalidMaxConsumerLagAtStartup.
  const target = present(mimir, "target_consumer_lag_at_startup");
  const max = present(mimir, "max_consumer_lag_at_startup");
  if ((target || max) && !unknown("target_consumer_lag_at_startup", "max_consumer_lag_at_startup")) {
    const ms = (f: { value: unknown } | undefined, fallback: number) =>
      f === undefined ? fallback : typeof f.value === "string" ? parseDurationMs(f.value, "go") : undefined;
    const t = ms(target, CONSUMER_LAG_DEFAULT_MS.target);
    const m = ms(max, CONSUMER_LAG_DEFAULT_MS.max);
    const at = (max ?? target)!;
    if (t !== undefined && m !== undefined) {
      if ((t !== 0) !== (m !== 0)) {
        findings.push({
          path: at.where,
          value: at.value,
          problem: `"the target and max consumer lag at startup must be either both set to 0 or to a value greater than 0" (target ${t / 1000}s, max ${m / 1000}s)`,
        });
      } else if (m < t) {
        findings.push({
          path: at.where,
          value: at.value,
          problem: `"the configured max consumer lag at startup must greater or equal than the configured target consumer lag" (target ${t / 1000}s, max ${m / 1000}s)`,
        });
      }
    }
  }

  // ErrInvalidIngestionConcurrencyMax / ErrInvalidIngestionConcurrencyParams.
  const concurrency = present(mimir, "ingestion_concurrency_max");
  const version = mimir.release.chartVersion;
  const defaultConcurrency = !version || version.startsWith("6.0.") ? 0 : 8;
  const c = concurrency ? numberOf(concurrency.value) : defaultConcurrency;
  if (unknown("ingestion_concurrency_max", ...INGESTION_CONCURRENCY_PARAMS)) {
    // judged when known
  } else if (concurrency && c !== undefined && c < 0) {
    findings.push({
      path: concurrency.where,
      value: concurrency.value,
      problem: `"ingest-storage.kafka.ingestion-concurrency-max must either be set to 0 or to a value greater than 0"`,
    });
  } else if (c !== undefined && c >= 1) {
    for (const key of INGESTION_CONCURRENCY_PARAMS) {
      const found = present(mimir, key);
      const n = found ? numberOf(found.value) : undefined;
      if (found && (n === undefined || n <= 0)) {
        findings.push({
          path: found.where,
          value: found.value,
          problem:
            `"ingest-storage.kafka.ingestion-concurrency-queue-capacity, ingest-storage.kafka.ingestion-concurrency-estimated-bytes-per-sample, ` +
            `ingest-storage.kafka.ingestion-concurrency-batch-size and ingest-storage.kafka.ingestion-concurrency-target-flushes-per-shard must be greater than 0" ` +
            `(ingestion_concurrency_max is ${c}${concurrency ? "" : ", the default"})`,
        });
      }
    }
  }
  return findings;
}

function unknownKeyChecks(mimir: MimirRelease): Finding[] {
  const version = mimir.release.chartVersion;
  if (!version || !version.startsWith("6.0.")) return [];
  return MIMIR_31_KAFKA_KEYS.flatMap((key) => {
    const found = present(mimir, key);
    return found
      ? [
          {
            path: found.where,
            value: found.value,
            problem: `"field ${key} not found in type ingest.KafkaConfig": Mimir 3.0 (chart ${version}) has no such key; it arrives in Mimir 3.1 (chart 6.1)`,
          },
        ]
      : [];
  });
}

/**
 * ingest_storage.kafka.consumer_group "must be different for each ingester. If the configured consumer group contains
 * the '<partition>' placeholder, it is replaced with the actual partition ID owned by the ingester. When empty
 * (recommended), Mimir uses the ingester instance ID" (Mimir config descriptor, -ingest-storage.kafka.consumer-group).
 * An ingester resumes from its group's committed offset (pkg/storage/ingest/reader.go partitionCommitter): a group
 * shared by two ingesters lets one commit past records the other has not consumed, so that one skips them on restart.
 * Every zone has an ingester per partition, so `<partition>` is shared across zones; without it, by every ingester.
 */
function sharedConsumerGroup(mimir: MimirRelease): string | undefined {
  const group = present(mimir, "consumer_group");
  if (!group || String(group.value) === "") return undefined;
  const layout = mimir.podsPerZone("ingester");
  if (isUnknown(layout)) return undefined;
  const { zones, perZone } = layout.value;
  const perPartition = String(group.value).includes("<partition>");
  const sharers = perPartition ? zones : zones * perZone;
  if (sharers <= 1) return undefined;
  const who = perPartition
    ? `the ${zones} zones' ingesters of each partition (one per zone)`
    : `all ${sharers} ingesters (${zones} zone${zones > 1 ? "s" : ""} x ${perZone})`;
  return (
    `${group.where}=${JSON.stringify(group.value)} makes ${who} share one Kafka consumer group, while Mimir requires one group per ` +
    `ingester: each commits its own offset into the shared group, so an ingester that restarts resumes from another's offset and ` +
    `skips records it never consumed (samples missing from its zone's replica, its blocks and queries). Fix: remove consumer_group; ` +
    `Mimir then uses each ingester's instance ID.`
  );
}

/**
 * ingester.partition_ring.min_partition_owners_count: "Minimum number of owners to wait before a PENDING partition
 * gets switched to ACTIVE" (Mimir config descriptor, -ingester.partition-ring.min-partition-owners-count, default 1;
 * grafana/dskit ring/partition_instance_lifecycler.go switches PENDING to ACTIVE only once the partition has that many
 * owners). Each ingester owns the partition of its ordinal in its zone, so a partition has one owner per zone (one
 * in all when not zone-aware). Distributors shard writes over the ring's ACTIVE partitions only
 * (pkg/distributor, ring.ActivePartitions): with more required owners than that, no partition ever becomes ACTIVE.
 */
function partitionOwnersUnreachable(mimir: MimirRelease): string | undefined {
  const count = mimir.configured("ingester.partition_ring.min_partition_owners_count");
  if (count === undefined || isUnknown(count) || isUnknown(count.value)) return undefined;
  const n = numberOf(count.value);
  const layout = mimir.podsPerZone("ingester");
  if (n === undefined || isUnknown(layout)) return undefined;
  const owners = layout.value.zones;
  if (n <= owners) return undefined;
  return (
    `${count.where}=${JSON.stringify(count.value)} > ${owners} owner${owners > 1 ? "s" : ""} a partition can have ` +
    `(one ingester per zone owns each partition: ${layout.where}): no partition ever leaves PENDING for ACTIVE, and distributors ` +
    `write only to ACTIVE partitions, so every push fails (no active partitions; each partition added on scale-out stays unused). ` +
    `Fix: set min_partition_owners_count to at most ${owners} (the default is 1).`
  );
}

export const mimirIngestStorageConfigValid = stackRule<object>(
  {
    name: "mimir-ingest-storage-config-valid",
    rule: "M9",
    description:
      "Mimir's ingest_storage.kafka settings must pass Mimir 3.0's start-up validation (ranges, pairs, start position and timestamp, consumer lag, ingestion concurrency, and only keys that version knows), no consumer group two ingesters share, and no more partition owners required than zones",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Keep each ingest_storage.kafka setting within the range Mimir accepts, set SASL username and password together, pair consume_from_position_at_startup: timestamp with a millisecond consume_from_timestamp_at_startup (and only then), keep the consumer-lag pair consistent and the ingestion-concurrency parameters positive, and use only keys of the Mimir version the chart runs.",
    url: "https://github.com/grafana/mimir/blob/main/pkg/storage/ingest/config.go (KafkaConfig.Validate)",
    tags: ["mimir", "kafka", "startup"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const enabled = mimir.boolean("ingest_storage.enabled");
      if (isUnknown(enabled) || !enabled.value) continue;
      for (const f of [
        ...rangeChecks(mimir),
        ...pairChecks(mimir),
        ...startupChecks(mimir),
        ...unknownKeyChecks(mimir),
      ]) {
        ctx.violation(
          `${f.path}=${JSON.stringify(f.value)}: Mimir refuses to start with ${f.problem} (every Mimir pod exits with "error validating config"), so no sample is written or read. ` +
            `Fix: change ${f.path} to a value Mimir accepts.`,
          mimir.urn,
        );
      }
      const group = sharedConsumerGroup(mimir);
      if (group) ctx.violation(group, mimir.urn);
      const owners = partitionOwnersUnreachable(mimir);
      if (owners) ctx.violation(owners, mimir.urn);
      // Where ingesters start reading at start-up (KafkaConfig consume_from_position_at_startup: last-offset, start,
      // end, timestamp; Mimir ingest-storage docs). "end" skips every record not yet consumed when an ingester
      // restarts or rolls out: acknowledged samples never reach an ingester, its blocks or a query.
      const position = mimir.structuredNode(`${KAFKA}.consume_from_position_at_startup`);
      if (position.raw() === "end")
        ctx.violation(
          `${position.where}="end": each ingester restart or rollout skips the records it had not yet consumed, so samples Kafka ` +
            `acknowledged never reach an ingester, a block or a query (data loss). Fix: keep the default last-offset.`,
          mimir.urn,
        );
    }
  },
);
