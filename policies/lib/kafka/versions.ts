// The Kafka versions the pinned Strimzi operator runs, and their KRaft metadata versions. The program
// (settings/upstream.ts) takes its Kafka version from here, so the pack and the program cannot disagree.

/**
 * Kafka version -> its default KRaft metadata version, for every version Strimzi 1.2.0 supports.
 * - The versions: strimzi-kafka-operator 1.2.0 chart templates/_kafka_image_map.tpl, STRIMZI_KAFKA_IMAGES (4.2.0,
 *   4.2.1, 4.3.0, 4.3.1); any other `spec.kafka.version` fails every reconciliation with "Unsupported
 *   Kafka.spec.kafka.version: <v>. Supported versions are: [...]" (Strimzi KafkaVersion.Lookup.supportedVersion,
 *   called by KRaftVersionChangeCreator).
 * - The metadata versions: strimzi/strimzi-kafka-operator kafka-versions.yaml (`metadata:` 4.2.0 -> 4.2-IV1,
 *   4.3.0 -> 4.3-IV0). INFERRED for the patch releases 4.2.1 and 4.3.1: the same as their minor, as the file gives
 *   every earlier patch release of a minor (4.1.0, 4.1.1, 4.1.2 -> 4.1-IV1); the 1.2.0 tag's copy was not read.
 */
export const STRIMZI_KAFKA_VERSIONS: Readonly<Record<string, string>> = {
  "4.2.0": "4.2-IV1",
  "4.2.1": "4.2-IV1",
  "4.3.0": "4.3-IV0",
  "4.3.1": "4.3-IV0",
};

/**
 * The version Strimzi 1.2.0 runs when `spec.kafka.version` is absent (charts.md: "Kafka 4.2.0-4.3.1 (default
 * 4.3.1)"; the chart's image map builds the Kafka Exporter and Cruise Control images from -kafka-4.3.1).
 */
export const STRIMZI_DEFAULT_KAFKA_VERSION = "4.3.1";

/** Strimzi's oldest accepted metadata version (Strimzi KRaftUtils.validateMetadataVersion: "The oldest supported metadata version is 3.3-IV0"). */
export const STRIMZI_OLDEST_METADATA_VERSION = "3.3-IV0";

/** `4.3-IV0` / `4.3` -> [4, 3]; undefined when it is not a metadata version (Kafka MetadataVersion format <major>.<minor>[-IV<n>]). */
export function metadataMajorMinor(metadataVersion: string): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)(?:-IV\d+)?$/.exec(metadataVersion.trim());
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/**
 * Compares two metadata versions (or a metadata version and a Kafka version) the way Strimzi does: by the dotted
 * part only, the IV suffix ignored (Strimzi KafkaVersion.compareDottedIVVersions, "Ignores the IV part").
 */
export function compareMajorMinor(a: [number, number], b: [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}
