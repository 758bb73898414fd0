// Kafka's topic-level configuration: every name a topic accepts and its ConfigDef type and validator (apache/kafka
// storage/.../internals/log/LogConfig.java, the static CONFIG block; names in clients TopicConfig.java and
// QuotaConfig's throttled-replica lists). A KafkaTopic's spec.config goes to the broker as it is (Strimzi Topic
// Operator createTopics / incrementalAlterConfigs), which refuses an unknown name ("Unknown topic config name: x",
// LogConfig.validateNames) and a value its ConfigDef rejects (ConfigDef.parse: "Invalid value ... for configuration").

export interface TopicConfigEntry {
  type: "INT" | "LONG" | "DOUBLE" | "BOOLEAN" | "STRING" | "LIST";
  minimum?: number;
  maximum?: number;
  /** ValidString.in / ValidList.in. */
  values?: string[];
  /** Values inside the range its validator still refuses. */
  excluded?: number[];
}

const long = (minimum?: number): TopicConfigEntry => ({ type: "LONG", minimum });
const int = (minimum?: number, maximum?: number): TopicConfigEntry => ({ type: "INT", minimum, maximum });
const bool: TopicConfigEntry = { type: "BOOLEAN" };

export const TOPIC_CONFIGS: Readonly<Record<string, TopicConfigEntry>> = {
  "segment.bytes": int(1024 * 1024),
  "segment.ms": long(1),
  "segment.jitter.ms": long(0),
  "segment.index.bytes": int(4),
  "flush.messages": long(1),
  "flush.ms": long(0),
  "retention.bytes": long(),
  "retention.ms": long(-1),
  "max.message.bytes": int(0),
  "index.interval.bytes": int(0),
  "delete.retention.ms": long(0),
  "min.compaction.lag.ms": long(0),
  "max.compaction.lag.ms": long(1),
  "file.delete.delay.ms": long(0),
  "min.cleanable.dirty.ratio": { type: "DOUBLE", minimum: 0, maximum: 1 },
  "cleanup.policy": { type: "LIST", values: ["compact", "delete"] },
  "unclean.leader.election.enable": bool,
  "min.insync.replicas": int(1),
  // BrokerCompressionType.names(): uncompressed, zstd, lz4, snappy, gzip, producer.
  "compression.type": { type: "STRING", values: ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"] },
  // CompressionType.GZIP/LZ4/ZSTD levelValidator (clients GzipCompression, Lz4Compression, ZstdCompression):
  // gzip -1 (default) or 1..9; lz4 1..17; zstd from zstd's minimum level (-131072) to 22.
  "compression.gzip.level": { ...int(-1, 9), excluded: [0] },
  "compression.lz4.level": int(1, 17),
  "compression.zstd.level": int(-131072, 22),
  preallocate: bool,
  "message.timestamp.type": { type: "STRING", values: ["CreateTime", "LogAppendTime"] },
  "message.timestamp.before.max.ms": long(0),
  "message.timestamp.after.max.ms": long(0),
  "leader.replication.throttled.replicas": { type: "LIST" },
  "follower.replication.throttled.replicas": { type: "LIST" },
  "remote.storage.enable": bool,
  "local.retention.ms": long(-2),
  "local.retention.bytes": long(-2),
  "remote.log.copy.disable": bool,
  "remote.log.delete.on.disable": bool,
  // Deprecated no-op since Kafka 4.0 (TopicConfig MESSAGE_DOWNCONVERSION_ENABLE_CONFIG), still a name.
  "message.downconversion.enable": bool,
};

const INTEGER = /^[+-]?\d+$/;
const BOUNDS = { INT: [-(2 ** 31), 2 ** 31 - 1], LONG: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] } as const;

/** Why Kafka's ConfigDef refuses `name=value` (undefined: accepted), in the words of ConfigDef.parseType/validators. */
export function topicConfigError(name: string, raw: unknown): string | undefined {
  const entry = TOPIC_CONFIGS[name];
  if (!entry) return `Unknown topic config name: ${name}`;
  const text = Array.isArray(raw) ? raw.map(String).join(",") : String(raw).trim();
  const invalid = (why: string) => `Invalid value ${text} for configuration ${name}: ${why}`;
  switch (entry.type) {
    case "BOOLEAN":
      return typeof raw === "boolean" || /^(true|false)$/i.test(text)
        ? undefined
        : invalid("Expected value to be either true or false");
    case "INT":
    case "LONG": {
      const n = Number(text);
      if (!INTEGER.test(text) || n < BOUNDS[entry.type][0] || n > BOUNDS[entry.type][1])
        return invalid(`Not a number of type ${entry.type}`);
      return range(entry, n, invalid);
    }
    case "DOUBLE": {
      const n = Number(text);
      return Number.isFinite(n) ? range(entry, n, invalid) : invalid("Not a number of type DOUBLE");
    }
    case "STRING":
      return entry.values && !entry.values.includes(text)
        ? invalid(`String must be one of: ${entry.values.join(", ")}`)
        : undefined;
    case "LIST": {
      if (!entry.values || text === "") return undefined;
      const bad = text.split(/\s*,\s*/).filter((item) => !entry.values!.includes(item));
      return bad.length > 0
        ? invalid(`Invalid value ${bad.join(",")}: must be one of [${entry.values.join(", ")}]`)
        : undefined;
    }
  }
}

function range(entry: TopicConfigEntry, n: number, invalid: (why: string) => string): string | undefined {
  if (entry.excluded?.includes(n)) return invalid(`Value ${n} is not allowed`);
  if (entry.minimum !== undefined && n < entry.minimum) return invalid(`Value must be at least ${entry.minimum}`);
  if (entry.maximum !== undefined && n > entry.maximum) return invalid(`Value must be no more than ${entry.maximum}`);
  return undefined;
}
