// M21 (HARD, stored data unreadable): Mimir must not write its objects in an S3 archive storage class.
// - Mimir passes blocks_storage / ruler_storage / alertmanager_storage `s3.storage_class` (else common.storage's) to
//   the thanos-io/objstore S3 client as the X-Amz-Storage-Class put metadata, which objstore turns into
//   PutObjectOptions.StorageClass of every upload (objstore providers/s3/s3.go NewBucketWithConfig, Upload).
//   pkg/storage/bucket/s3/config.go Config.Validate accepts every value of the AWS SDK enum, GLACIER and DEEP_ARCHIVE
//   included, so Mimir starts.
// - AWS S3 API (GetObject, InvalidObjectState): "If the object you are retrieving is stored in the S3 Glacier Flexible
//   Retrieval storage class [GLACIER] [or] the S3 Glacier Deep Archive storage class [DEEP_ARCHIVE] ..., before you can
//   retrieve the object you must first restore a copy using RestoreObject. Otherwise, this operation returns an
//   InvalidObjectState error." (S3 User Guide, "Restoring an archived object": not accessible in real time.)
// So every block, bucket-index, rule group or Alertmanager state Mimir writes cannot be read back: store-gateways
// cannot load blocks, the compactor cannot compact or apply retention, rulers and Alertmanagers cannot load their
// state. STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING (its archive tiers are a separate opt-in bucket setting) and
// GLACIER_IR stay readable in real time. Values Mimir refuses outright are M13's.
import { mimirReleases } from "../../lib/mimir";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

/** AWS S3 classes whose objects need a RestoreObject before GetObject (S3 User Guide, restoring-objects). */
export const S3_ARCHIVE_CLASSES = ["GLACIER", "DEEP_ARCHIVE"] as const;

const SECTIONS = [
  {
    section: "blocks_storage",
    holds: "TSDB blocks and bucket indexes (store-gateways, queriers and the compactor read them)",
  },
  { section: "ruler_storage", holds: "rule groups (rulers load them)" },
  { section: "alertmanager_storage", holds: "Alertmanager configurations and state (Alertmanagers load them)" },
] as const;

export const mimirObjectStorageClassReadable = stackRule<object>(
  {
    name: "mimir-object-storage-class-readable",
    rule: "M21",
    description:
      "Mimir's S3 storage_class (blocks, ruler, alertmanager, common) must not be an archive class (GLACIER, DEEP_ARCHIVE): objects written there cannot be read without a restore",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Remove s3.storage_class (STANDARD) or use STANDARD_IA, INTELLIGENT_TIERING or GLACIER_IR; archive old data with a bucket lifecycle rule only after Mimir's retention, never through Mimir.",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects.html ; https://github.com/grafana/mimir/blob/main/pkg/storage/bucket/s3/config.go",
    tags: ["mimir", "storage", "data-loss"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const common = mimir.structuredNode("common.storage.s3.storage_class");
      for (const { section, holds } of SECTIONS) {
        const own = mimir.structuredNode(`${section}.s3.storage_class`);
        // A section's own key wins; otherwise it inherits common.storage (Mimir's common config, applied first).
        const node = own.isPresent || own.isUnknown ? own : common;
        const value = node.raw();
        if (isUnknown(value)) {
          ctx.inconclusive(value);
          continue;
        }
        if (typeof value !== "string" || !(S3_ARCHIVE_CLASSES as readonly string[]).includes(value)) continue;
        ctx.violation(
          `${node.where}=${value}${node === common ? ` (inherited by ${section})` : ""}: every object Mimir writes to ${section} ` +
            `is stored in an S3 archive class, and GetObject on it fails with InvalidObjectState until each object is restored: ` +
            `${holds} cannot be read back, so queries past the ingesters' window, compaction and retention fail for every tenant. ` +
            `Fix: remove the storage_class (STANDARD) or use STANDARD_IA, INTELLIGENT_TIERING or GLACIER_IR.`,
          mimir.urn,
        );
      }
    }
  },
);
