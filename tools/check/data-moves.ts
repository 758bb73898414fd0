/**
 * Changes that strand data the stack already stored. No policy can see these: the engine gives the pack only the new
 * inputs (pulumi/pulumi proto/pulumi/analyzer.proto AnalyzeRequest: type, properties, urn, name, options, provider;
 * no old state), so a Loki schema period added with a past `from` looks exactly like one that was always there. Only
 * a comparison with the deployed values (`--baseline`) can tell, and the change set calls each one out.
 */
import type { ValueChange } from "./changes";

export interface DataMove extends ValueChange {
  /** What happens to the data already written, and what to do instead. */
  consequence: string;
}

/** Helm values flattened as `<values file> <dotted.path>` -> text, as `--baseline` compares them. */
type FlatValues = Map<string, string>;

// Mimir wraps every store's bucket client in the storage prefix (grafana/mimir pkg/storage/bucket/client.go NewClient:
// NewPrefixedBucketClient(client, cfg.StoragePrefix)) and reads only the configured backend and bucket, so objects
// under another prefix, bucket or backend are invisible to it.
const MIMIR_STORE =
  /^mimir mimir\.structuredConfig\.(common\.storage|blocks_storage|ruler_storage|alertmanager_storage)\.(storage_prefix|backend|s3\.bucket_name|s3\.endpoint|s3\.region)$/;
// Loki reads chunks, index and rules only from the configured store (loki chart 18.11.0 values loki.storage.*,
// rendered into storage_config.aws and common.storage.s3).
const LOKI_STORE =
  /^loki loki\.(storage\.(type|bucketNames\.\w+|s3\.(endpoint|region|s3))|structuredConfig\.(storage_config\.aws\.(bucketnames|endpoint|region)|common\.(path_prefix|storage\.s3\.(bucketnames|endpoint|region))))$/;
// The ingesters consume the partitions of this one topic (grafana/mimir pkg/storage/ingest/config.go KafkaConfig.Topic).
const MIMIR_TOPIC = /^mimir mimir\.structuredConfig\.ingest_storage\.kafka\.topic$/;

const STORE_CONSEQUENCE =
  "everything already written under the old location (blocks or chunks and index, rules, alertmanager state) is no " +
  "longer read: queries lose the history and retention and compaction stop managing it. Copy the objects to the new " +
  "location first, or keep the old one.";
const TOPIC_CONSEQUENCE =
  "records still on the old topic that the ingesters have not consumed are never read, so the newest samples are " +
  "lost. Let the ingesters catch up (and stop the writers) before switching, or keep the topic.";
const SCHEMA_CONSEQUENCE =
  "Loki reads each day's chunks and index with the schema period whose `from` covers it, so a period that has " +
  "already started, added, changed or removed, makes logs already written unreadable (Loki docs, Storage schema: " +
  '"Always set the from date in the new schema to a date in the future"). Give a new period a `from` in the ' +
  "future (tomorrow, UTC, at the earliest) and leave started periods as they are.";

export function dataMoves(before: FlatValues, after: FlatValues, today: string): DataMove[] {
  const moves: DataMove[] = [];
  for (const where of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    // An unset storage prefix is Mimir's default, none; another store setting the baseline did not show is unknown.
    const unset = where.endsWith(".storage_prefix") ? "(not set)" : undefined;
    const [was, is] = [before.get(where) ?? unset, after.get(where)];
    if (was === is || was === undefined) continue;
    const consequence = MIMIR_STORE.test(where) || LOKI_STORE.test(where) ? STORE_CONSEQUENCE : undefined;
    const topic = MIMIR_TOPIC.test(where) ? TOPIC_CONSEQUENCE : undefined;
    if (consequence ?? topic)
      moves.push({ where, before: was, after: is ?? "(not set)", consequence: (consequence ?? topic)! });
  }
  return [...moves, ...schemaMoves(before, after, today)];
}

const SCHEMA_LISTS = ["loki loki.schemaConfig.configs", "loki loki.structuredConfig.schema_config.configs"];

/** Schema periods by their `from`, each as its flattened fields, from one of the two places Loki's values take it. */
function periods(values: FlatValues, list: string): Map<string, string> {
  const fields = new Map<number, string[]>();
  const from = new Map<number, string>();
  for (const [key, value] of values) {
    if (!key.startsWith(`${list}[`)) continue;
    const match = /^\[(\d+)\]\.(.+)$/.exec(key.slice(list.length));
    if (!match) continue;
    const index = Number(match[1]);
    if (match[2] === "from") from.set(index, value);
    fields.set(index, [...(fields.get(index) ?? []), `${match[2]}=${value}`]);
  }
  const byFrom = new Map<string, string>();
  for (const [index, list] of fields) byFrom.set(from.get(index) ?? `#${index}`, list.sort().join(", "));
  return byFrom;
}

function schemaMoves(before: FlatValues, after: FlatValues, today: string): DataMove[] {
  const moves: DataMove[] = [];
  for (const list of SCHEMA_LISTS) {
    const [was, is] = [periods(before, list), periods(after, list)];
    if (was.size === 0) continue;
    for (const from of [...new Set([...was.keys(), ...is.keys()])].sort()) {
      // A period starts at 00:00:00 UTC of its `from` date (Loki docs, Storage schema), so one dated today has started.
      if (from > today || was.get(from) === is.get(from)) continue;
      moves.push({
        where: `${list} period from ${from}`,
        before: was.get(from) ?? "(no such period)",
        after: is.get(from) ?? "(removed)",
        consequence: SCHEMA_CONSEQUENCE,
      });
    }
  }
  return moves;
}
