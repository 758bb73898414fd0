// U4 (HARD): a Kafka CR's version must be one the Strimzi operator runs, its metadata version no newer than it, and
// a custom spec.kafka.image must carry that Kafka version.
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

/** The Strimzi release whose operator the stack pins (strimzi-kafka-operator chart 1.2.0, defaultImageTag 1.2.0). */
const STRIMZI_RELEASE: [number, number, number] = [1, 2, 0];

/**
 * The tag of an image reference (`registry:5000/strimzi/kafka:1.2.0-kafka-4.3.1@sha256:...` -> `1.2.0-kafka-4.3.1`);
 * undefined for a digest-only or untagged reference.
 */
export function imageTag(image: string): string | undefined {
  const withoutDigest = image.trim().split("@")[0];
  const last = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
  const colon = last.lastIndexOf(":");
  return colon >= 0 ? last.slice(colon + 1) : undefined;
}

/**
 * Strimzi's image tag convention `<strimzi release>-kafka-<kafka version>` (strimzi-kafka-operator chart
 * templates/_kafka_image_map.tpl: tagSuffix "-kafka-<version>" after the tag prefix, default the operator release).
 * The Kafka version, and the Strimzi release when the prefix is one; undefined when the tag names no Kafka version.
 */
export function strimziImageVersions(
  tag: string,
): { kafka: [number, number, number]; strimzi?: [number, number, number] } | undefined {
  const match = /^(?:v?(\d+)\.(\d+)\.(\d+)(?:-[A-Za-z0-9.]+?)?-)?.*?kafka-(\d+)\.(\d+)\.(\d+)(?![\d.])/.exec(tag);
  if (!match) return undefined;
  const kafka: [number, number, number] = [Number(match[4]), Number(match[5]), Number(match[6])];
  const strimzi: [number, number, number] | undefined =
    match[1] === undefined ? undefined : [Number(match[1]), Number(match[2]), Number(match[3])];
  return { kafka, strimzi };
}

const olderThan = (a: readonly number[], b: readonly number[]): boolean => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
};

/**
 * spec.kafka.image vs the Kafka version Strimzi assumes. Strimzi docs (documentation/modules/
 * con-common-configuration-properties.adoc, tag 1.2.0): with image and version both set the operator "uses specified
 * image and assumes specified Kafka version matches"; with only the image, it assumes the default version; "The
 * specified version *must* match the Kafka version that the image is built for". A node whose Kafka release is older
 * than the cluster's metadata version cannot run it: a broker is refused registration ("Unable to register because the
 * broker does not support finalized version ... of metadata.version", apache/kafka ClusterControlManager
 * .processRegistrationFeature), and formatting a new node's storage with a metadata version its release does not know
 * fails ("Unknown release version", kafka StorageTool). KafkaNodePool has no image of its own in Strimzi 1.2.0 (CRD
 * 045-Crd-kafkanodepool.yaml: only `template`), so every node runs spec.kafka.image.
 */
function checkImage(
  kafka: CustomResource,
  version: string,
  versionWhere: string,
  report: (message: string) => void,
  advise: (message: string) => void,
): void {
  const imageNode = kafka.spec.at("kafka.image");
  const image = known(imageNode.string());
  if (!image) return;
  const tag = imageTag(image);
  const parsed = tag === undefined ? undefined : strimziImageVersions(tag);
  const where = `${kafka.label} ${imageNode.where.replace(`${kafka.label} `, "")}`;
  if (parsed === undefined) {
    advise(
      `${where}=${image}: its ${tag === undefined ? "reference has no tag" : `tag "${tag}" does not follow Strimzi's <strimzi>-kafka-<kafka version> convention`}, ` +
        `so the pack cannot tell which Kafka release it carries. Strimzi assumes it is Kafka ${version} (${versionWhere}) and does not check; ` +
        `if it is another release, nodes older than the cluster's metadata version are refused registration. Make sure the image is a ` +
        `Kafka ${version} build, or tag it <strimzi release>-kafka-${version}.`,
    );
    return;
  }
  const imageVersion = parsed.kafka.join(".");
  const metadataNode = kafka.spec.at("kafka.metadataVersion");
  const explicitMetadata = known(metadataNode.string());
  const metadata = explicitMetadata ?? STRIMZI_KAFKA_VERSIONS[version];
  const metadataParsed = metadata === undefined ? undefined : metadataMajorMinor(metadata);
  const imageMinor: [number, number] = [parsed.kafka[0], parsed.kafka[1]];
  const metadataWhere = explicitMetadata
    ? `${metadataNode.where.replace(`${kafka.label} `, "")}=${explicitMetadata}`
    : `metadata version ${metadata} (Kafka ${version}'s, spec.kafka.metadataVersion unset)`;
  if (metadataParsed !== undefined && compareMajorMinor(imageMinor, metadataParsed) < 0) {
    report(
      `${where}=${image} runs Kafka ${imageVersion}, but ${versionWhere}=${version} and ${metadataWhere}: Strimzi takes the image as ` +
        `Kafka ${version} without checking (Strimzi docs, "image and version": the version must match the image), and a Kafka ` +
        `${imageMinor.join(".")} node cannot run metadata version ${metadata}. On a running cluster each rolled broker is refused ` +
        `registration ("Unable to register because the broker does not support finalized version ... of metadata.version", ` +
        `ClusterControlManager) and a rolled controller cannot replay the metadata log, so the rolling update stops at the first pod with ` +
        `that pod down; a new cluster's nodes fail to format their storage. Fix: use a Kafka ${version} image (tag ` +
        `<strimzi>-kafka-${version}), or remove spec.kafka.image (overrides.kafkaCluster.kafka.image) so Strimzi picks the image for ` +
        `version ${version}; to run Kafka ${imageVersion}, set version ${imageVersion} and a metadata version no newer than ${imageMinor.join(".")}.`,
    );
    return;
  }
  if (imageVersion !== version) {
    // INFERRED: the node runs, but Strimzi's upgrade and downgrade handling follows spec.kafka.version, not the image.
    advise(
      `INFERRED: ${where}=${image} runs Kafka ${imageVersion}, but ${versionWhere}=${version}: Strimzi assumes the image is Kafka ` +
        `${version} (Strimzi docs: "The specified version *must* match the Kafka version that the image is built for"). Its nodes can ` +
        `run ${metadataWhere}, but upgrades, downgrades and the metadata version Strimzi sets next follow the wrong release. Fix: set ` +
        `spec.kafka.version to ${imageVersion} (if Strimzi 1.2.0 supports it) or use a Kafka ${version} image.`,
    );
  }
  if (parsed.strimzi !== undefined && olderThan(parsed.strimzi, STRIMZI_RELEASE)) {
    // INFERRED: the image's Strimzi scripts (kafka_run.sh and the config it expects) come from an older release.
    advise(
      `INFERRED: ${where}=${image} is built by Strimzi ${parsed.strimzi.join(".")}, older than the ${STRIMZI_RELEASE.join(".")} operator ` +
        `that runs it: the operator writes configuration and start-up settings for its own image's scripts, which an older image may not ` +
        `understand. Fix: use a ${STRIMZI_RELEASE.join(".")}-kafka-${version} build.`,
    );
  }
}

function checkKafka(kafka: CustomResource, report: (message: string) => void, advise: (message: string) => void): void {
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
  checkImage(kafka, effectiveVersion, versionWhere.replace(`${kafka.label} `, ""), report, advise);
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
      "The Kafka CR's spec.kafka.version must be one Strimzi 1.2.0 supports, spec.kafka.metadataVersion no newer than that version, and a custom spec.kafka.image a build of a Kafka release that can run that metadata version",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      `Use a Kafka version Strimzi 1.2.0 supports (${SUPPORTED.join(", ")}) and a metadataVersion whose <major>.<minor> is not above it ` +
      "(or leave metadataVersion unset: Strimzi then uses the version's own). Raise the version first and the metadata version after the roll. " +
      "A custom spec.kafka.image must be a build of spec.kafka.version (tag <strimzi>-kafka-<version>); better, leave it unset.",
    url: "https://strimzi.io/docs/operators/latest/deploying#assembly-upgrade-str (Upgrading Kafka; Strimzi KRaftVersionChangeCreator.java)",
    tags: ["kafka", "rollout"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const kafka of stack.strimzi("Kafka")) {
      try {
        checkKafka(
          kafka,
          (message) => ctx.violation(message, kafka.resource.urn),
          (message) => ctx.advisory(message, kafka.resource.urn),
        );
      } catch (error) {
        // A value unknown during preview skips this cluster only; the SDK reports it as an advisory.
        if (error instanceof Inconclusive) ctx.inconclusive(error.unknown);
        else throw error;
      }
    }
  },
);
