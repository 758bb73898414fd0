// U4 (HARD): a Kafka CR's version must be one the Strimzi operator runs, and its metadata version no newer than it.
import {
  compareMajorMinor,
  metadataMajorMinor,
  STRIMZI_DEFAULT_KAFKA_VERSION,
  STRIMZI_KAFKA_VERSIONS,
  STRIMZI_OLDEST_METADATA_VERSION,
} from "../../lib/kafka/versions";
import { stackRule } from "../../lib/policy";
import { CustomResource } from "../../lib/stack";
import { Inconclusive, known } from "../../lib/unknown";

const SUPPORTED = Object.keys(STRIMZI_KAFKA_VERSIONS);

function checkKafka(kafka: CustomResource, report: (message: string) => void): void {
  const versionNode = kafka.spec.at("kafka.version");
  const metadataNode = kafka.spec.at("kafka.metadataVersion");
  const version = known(versionNode.string());
  const metadata = known(metadataNode.string());
  const versionWhere =
    version === undefined ? `${kafka.label} spec.kafka.version (absent: Strimzi's default)` : versionNode.where;
  const effectiveVersion = version ?? STRIMZI_DEFAULT_KAFKA_VERSION;
  const versionMetadata = STRIMZI_KAFKA_VERSIONS[effectiveVersion];
  if (versionMetadata === undefined) {
    // Strimzi KafkaVersion.Lookup.supportedVersion (KRaftVersionChangeCreator): the reconciliation fails before any pod changes.
    report(
      `${versionWhere}=${effectiveVersion} is not a Kafka version Strimzi 1.2.0 runs (${SUPPORTED.join(", ")}): every reconciliation of the ` +
        `cluster fails with "Unsupported Kafka.spec.kafka.version: ${effectiveVersion}. Supported versions are: [${SUPPORTED.join(", ")}]", ` +
        `so a new cluster never starts and an existing one takes no further change (no rolling update, no node pool change, no certificate renewal). ` +
        `Fix: set spec.kafka.version to one of ${SUPPORTED.join(", ")} (overrides.kafkaCluster.kafka.version), and metadataVersion no newer than it.`,
    );
    return;
  }
  if (metadata === undefined) return; // Strimzi uses the version's own metadata version
  const parsed = metadataMajorMinor(metadata);
  if (parsed === undefined) {
    // Strimzi KRaftUtils.validateMetadataVersion: Kafka's MetadataVersion.fromVersionString refuses it.
    report(
      `${metadataNode.where}=${metadata} is not a KRaft metadata version (<major>.<minor>[-IV<n>], e.g. ${versionMetadata}): Strimzi refuses ` +
        `the Kafka resource ("Metadata version ${metadata} is invalid") and reconciles nothing. Fix: set metadataVersion to ${versionMetadata} ` +
        `(the metadata version of Kafka ${effectiveVersion}) or remove it.`,
    );
    return;
  }
  const oldest = metadataMajorMinor(STRIMZI_OLDEST_METADATA_VERSION) as [number, number];
  if (compareMajorMinor(parsed, oldest) < 0) {
    report(
      `${metadataNode.where}=${metadata} is older than ${STRIMZI_OLDEST_METADATA_VERSION}: Strimzi refuses the Kafka resource ("The oldest supported ` +
        `metadata version is ${STRIMZI_OLDEST_METADATA_VERSION}") and reconciles nothing. Fix: set metadataVersion to ${versionMetadata} or remove it.`,
    );
    return;
  }
  const own = metadataMajorMinor(versionMetadata) as [number, number];
  if (compareMajorMinor(parsed, own) > 0) {
    // Strimzi KRaftVersionChangeCreator: metadataVersionWithoutKafkaVersionChange ignores a newer desired metadata version
    // (warning "Desired metadata version (...) is newer than the used Kafka version"); metadataVersionAtDowngrade throws
    // KafkaUpgradeException when the running metadata is newer than the version downgraded to. Strimzi compares the
    // dotted part only (KafkaVersion.compareDottedIVVersions).
    report(
      `${metadataNode.where}=${metadata} is newer than ${versionWhere.replace(`${kafka.label} `, "")}=${effectiveVersion} (whose metadata version is ${versionMetadata}): ` +
        `Kafka ${effectiveVersion} cannot run metadata ${metadata}. On a new cluster Strimzi ignores it and uses ${versionMetadata}; on a cluster ` +
        `that already runs metadata ${metadata} (moving down from a newer Kafka) every reconciliation fails with "The current metadata version ` +
        `(${metadata}) has to be lower or equal to the Kafka broker version we are downgrading to (${effectiveVersion})" and the cluster is ` +
        `stuck mid-downgrade (KRaft metadata versions cannot be lowered). Fix: keep spec.kafka.version at a release of ${parsed.join(".")} or newer, ` +
        `or, on a new cluster, set metadataVersion to ${versionMetadata} (overrides.kafkaCluster.kafka.metadataVersion).`,
    );
  }
}

export const kafkaVersionSupportedByStrimzi = stackRule<object>(
  {
    name: "kafka-version-supported-by-strimzi",
    rule: "U4",
    description:
      "The Kafka CR's spec.kafka.version must be one Strimzi 1.2.0 supports, and spec.kafka.metadataVersion no newer than that version",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      `Use a Kafka version Strimzi 1.2.0 supports (${SUPPORTED.join(", ")}) and a metadataVersion whose <major>.<minor> is not above it ` +
      "(or leave metadataVersion unset: Strimzi then uses the version's own). Raise the version first and the metadata version after the roll.",
    url: "https://strimzi.io/docs/operators/latest/deploying#assembly-upgrade-str (Upgrading Kafka; Strimzi KRaftVersionChangeCreator.java)",
    tags: ["kafka", "rollout"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const kafka of stack.strimzi("Kafka")) {
      try {
        checkKafka(kafka, (message) => ctx.violation(message, kafka.resource.urn));
      } catch (error) {
        // A value unknown during preview skips this cluster only; the SDK reports it as an advisory.
        if (error instanceof Inconclusive) ctx.inconclusive(error.unknown);
        else throw error;
      }
    }
  },
);
