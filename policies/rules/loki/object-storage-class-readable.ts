// L8 (HARD, stored logs unreadable or start-up refused): Loki's S3 storage class must be one Loki accepts and whose
// objects S3 serves in real time.
// - Loki 3.7.6 writes chunks and TSDB index files with the configured class: pkg/storage/chunk/client/aws
//   s3_storage_client.go PutObject sets `StorageClass: types.StorageClass(a.cfg.StorageClass)` (storage_config.aws,
//   filled from common.storage.s3 by pkg/loki/config_wrapper.go); the thanos-based client (storage_config.object_store,
//   common.storage.object_store) sends it as the X-Amz-Storage-Class put metadata (pkg/storage/bucket/s3
//   bucket_client.go), which thanos-io/objstore applies to every upload (providers/s3/s3.go).
// - AWS S3 API (GetObject, InvalidObjectState): objects in S3 Glacier Flexible Retrieval (GLACIER) or Glacier Deep
//   Archive (DEEP_ARCHIVE) must be restored with RestoreObject before they can be read; until then GetObject fails.
//   Queriers, index gateways and the compactor then cannot read any chunk or index Loki wrote: every query past the
//   ingesters' window fails and retention stops.
// - Values outside Loki's lists stop start-up: pkg/storage/common/aws/storage_class.go ValidateStorageClass
//   ("unsupported S3 storage class: %s. Supported values: ...", called from S3Config.Validate) for the aws client,
//   pkg/storage/bucket/s3/config.go errUnsupportedStorageClass (the AWS SDK enum) for the thanos client.
import { lokiReleases } from "../../lib/loki";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

/** pkg/storage/common/aws/storage_class.go SupportedStorageClasses (Loki 3.7.6). */
export const LOKI_AWS_STORAGE_CLASSES = [
  "GLACIER",
  "DEEP_ARCHIVE",
  "GLACIER_IR",
  "INTELLIGENT_TIERING",
  "ONEZONE_IA",
  "OUTPOSTS",
  "REDUCED_REDUNDANCY",
  "STANDARD",
  "STANDARD_IA",
] as const;
/** AWS SDK ObjectStorageClass values (pkg/storage/bucket/s3/config.go supportedStorageClasses). */
const SDK_STORAGE_CLASSES = [
  ...LOKI_AWS_STORAGE_CLASSES,
  "SNOW",
  "EXPRESS_ONEZONE",
  "FSX_OPENZFS",
  "FSX_ONTAP",
] as readonly string[];
/** AWS S3 User Guide, "Restoring an archived object": not accessible in real time. */
const ARCHIVE = ["GLACIER", "DEEP_ARCHIVE"];

/** Values paths that reach a Loki S3 client, with the client that validates them. */
const PATHS: ReadonlyArray<{ path: string; client: "aws" | "thanos" }> = [
  { path: "loki.structuredConfig.storage_config.aws.storage_class", client: "aws" },
  { path: "loki.structuredConfig.common.storage.s3.storage_class", client: "aws" },
  { path: "loki.structuredConfig.ruler.storage.s3.storage_class", client: "aws" },
  // loki chart 18.11.0 templates/_helpers.tpl loki.lokiStorageConfig.s3: every loki.storage.s3 key it does not map
  // itself is copied into common.storage.s3 and the ruler's s3 storage.
  { path: "loki.storage.s3.storage_class", client: "aws" },
  { path: "loki.structuredConfig.storage_config.object_store.s3.storage_class", client: "thanos" },
  { path: "loki.structuredConfig.common.storage.object_store.s3.storage_class", client: "thanos" },
  // loki.thanosStorageConfig: loki.storage.object_store.s3 is copied into common.storage.object_store.s3.
  { path: "loki.storage.object_store.s3.storage_class", client: "thanos" },
];

export const lokiObjectStorageClassReadable = stackRule<object>(
  {
    name: "loki-object-storage-class-readable",
    rule: "L8",
    description:
      "Loki's S3 storage_class must be one Loki accepts and not an archive class (GLACIER, DEEP_ARCHIVE) whose chunks and index files cannot be read without a restore",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Remove storage_class (STANDARD) or use STANDARD_IA, INTELLIGENT_TIERING or GLACIER_IR; move old logs to an archive class only with a bucket lifecycle rule after Loki's retention.",
    url: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects.html ; https://github.com/grafana/loki/blob/v3.7.6/pkg/storage/common/aws/storage_class.go",
    tags: ["loki", "storage", "data-loss"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      for (const { path, client } of PATHS) {
        const node = loki.values.at(path);
        const value = node.raw();
        if (isUnknown(value)) {
          ctx.inconclusive(value);
          continue;
        }
        if (value === undefined || value === null || value === "") continue;
        const text = String(value);
        const supported = client === "aws" ? (LOKI_AWS_STORAGE_CLASSES as readonly string[]) : SDK_STORAGE_CLASSES;
        if (!supported.includes(text)) {
          ctx.violation(
            `${node.where}=${text}: Loki refuses to start ("unsupported S3 storage class"; ${client === "aws" ? "the aws client" : "the thanos object store client"} ` +
              `accepts ${supported.join(", ")}), so no Loki pod ingests or serves logs. Fix: use STANDARD (or remove it), STANDARD_IA, ` +
              `INTELLIGENT_TIERING or GLACIER_IR.`,
            loki.urn,
          );
        } else if (ARCHIVE.includes(text)) {
          ctx.violation(
            `${node.where}=${text}: every chunk and index file Loki writes is stored in an S3 archive class, and GetObject on it fails ` +
              `with InvalidObjectState until each object is restored: queriers, index gateways and the compactor cannot read what ` +
              `was flushed, so every query past the ingesters' window fails and retention stops. Fix: remove the storage_class ` +
              `(STANDARD) or use STANDARD_IA, INTELLIGENT_TIERING or GLACIER_IR.`,
            loki.urn,
          );
        }
      }
    }
  },
);
