// M4 (HARD): ruler and alertmanager storage must not share the blocks storage's bucket and prefix.
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { Maybe, show, Sourced } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

interface Location {
  backend: Sourced<string>;
  bucket?: Sourced<string>;
  prefix: Sourced<string>;
}

/** Backend, bucket and prefix of a storage section; the section's own keys win over common.storage (Mimir common config). */
function location(
  mimir: MimirRelease,
  section: "blocks_storage" | "ruler_storage" | "alertmanager_storage",
): Maybe<Location> {
  const pick = (key: string, fallbackKey: string): Maybe<Sourced<string>> | undefined => {
    for (const path of [`${section}.${key}`, `common.storage.${fallbackKey}`]) {
      const node = mimir.structuredNode(path);
      const value = node.string();
      if (isUnknown(value)) return value;
      if (value !== undefined && value !== "") return { value, where: node.where };
    }
    return undefined;
  };
  const backend = pick("backend", "backend") ?? { value: "filesystem", where: `Mimir default ${section}.backend` };
  const bucket = pick("s3.bucket_name", "s3.bucket_name");
  const prefix = mimir.string(`${section}.storage_prefix`);
  for (const part of [backend, bucket, prefix]) if (isUnknown(part)) return part;
  return {
    backend: backend as Sourced<string>,
    bucket: bucket as Sourced<string> | undefined,
    prefix: prefix as Sourced<string>,
  };
}

export const mimirStorageLocationsDistinct = stackRule<object>(
  {
    name: "mimir-storage-locations-distinct",
    rule: "M4",
    description: "Mimir ruler and alertmanager storage must not use the same bucket and prefix as blocks storage",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Give ruler_storage and alertmanager_storage their own S3 bucket (s3.bucket_name) or a distinct storage_prefix.",
    url: "https://github.com/grafana/mimir/blob/main/pkg/mimir/mimir.go (Config.Validate bucket checks; conflict-rules.md M4)",
    tags: ["mimir", "storage"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const blocks = location(mimir, "blocks_storage");
      for (const section of ["ruler_storage", "alertmanager_storage"] as const) {
        ctx.known([blocks, location(mimir, section)], (blocksAt, other) => {
          if (blocksAt.backend.value !== "s3" || other.backend.value !== "s3" || !blocksAt.bucket || !other.bucket)
            return;
          if (blocksAt.bucket.value !== other.bucket.value || blocksAt.prefix.value !== other.prefix.value) return;
          ctx.violation(
            `${section} ${show(other.bucket)} with ${show(other.prefix)} is the same location as blocks_storage ${show(blocksAt.bucket)} with ` +
              `${show(blocksAt.prefix)}: Mimir refuses to start, because ${section.replace("_storage", "")} objects would mix with tenant blocks ` +
              `(and compaction or retention would delete them). Fix: point ${section}.s3.bucket_name at its own bucket or set a distinct ${section}.storage_prefix.`,
            mimir.urn,
          );
        });
      }
    }
  },
);
