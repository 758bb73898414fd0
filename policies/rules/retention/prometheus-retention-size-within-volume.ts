// R7 (HARD at run time): Prometheus deletes its oldest blocks only once they pass retentionSize; a volume smaller than
// that fills first, and a full volume stops the TSDB from writing (Prometheus docs, "Storage": size-based retention
// "should be set to 80-85% of your allocated Prometheus disk space", because the WAL and compaction need room too).
import { parseQuantityBytes } from "../../lib/bytes";
import { PolicyInputError } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";

/** The share of the volume the Prometheus docs advise retentionSize stay within. */
export const RETENTION_SIZE_ADVISED_SHARE = 0.85;

const BYTE_SIZE = /^(\d+(?:\.\d+)?)(B|KB|MB|GB|TB|PB|EB|KiB|MiB|GiB|TiB|PiB|EiB)$/;

/** Bytes of a prometheus-operator ByteSize ("50GiB", "12GB"; prometheus-operator API reference, type ByteSize). */
export function byteSizeBytes(text: string): number | undefined {
  const match = BYTE_SIZE.exec(text);
  if (!match) return undefined;
  const exponent: Record<string, number> = { B: 0, K: 1, M: 2, G: 3, T: 4, P: 5, E: 6 };
  const unit = match[2];
  return Number(match[1]) * (unit.endsWith("iB") ? 1024 : 1000) ** exponent[unit[0]];
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

export const prometheusRetentionSizeWithinVolume = stackRule<object>(
  {
    name: "prometheus-retention-size-within-volume",
    rule: "R7",
    description: "Prometheus retentionSize must be smaller than its volume (and should stay within 85% of it)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Lower prometheus.prometheusSpec.retentionSize to at most 85% of storageSpec.volumeClaimTemplate's storage request, or grow the volume.",
    url: "https://prometheus.io/docs/prometheus/latest/storage/ (size-based retention; operational aspects)",
    tags: ["prometheus", "retention"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      const spec = release.values.at("prometheus.prometheusSpec");
      const sizeNode = spec.get("retentionSize");
      const volumeNode = spec.at("storageSpec.volumeClaimTemplate.spec.resources.requests.storage");
      const sizeText = sizeNode.string();
      const volumeRaw = volumeNode.raw();
      if (isUnknown(sizeText)) return ctx.inconclusive(sizeText);
      if (isUnknown(volumeRaw)) return ctx.inconclusive(volumeRaw);
      if (!sizeText || volumeRaw === undefined || volumeRaw === null) continue;
      const size = byteSizeBytes(sizeText);
      if (size === undefined)
        throw new PolicyInputError(
          `${sizeNode.where}=${JSON.stringify(sizeText)} is not a ByteSize such as 50GiB.`,
          release.resource.urn,
        );
      const volume =
        typeof volumeRaw === "string" || typeof volumeRaw === "number" ? parseQuantityBytes(volumeRaw) : undefined;
      if (volume === undefined)
        throw new PolicyInputError(
          `${volumeNode.where}=${JSON.stringify(volumeRaw)} is not a quantity such as 100Gi.`,
          release.resource.urn,
        );
      const both = `${sizeNode.where}=${sizeText} (${gib(size)}) against ${volumeNode.where}=${String(volumeRaw)} (${gib(volume)})`;
      if (size >= volume) {
        ctx.violation(
          `${both}: the volume fills before Prometheus deletes any block, then the TSDB stops writing and scraped samples are lost. ` +
            `Fix: set retentionSize to at most ${gib(volume * RETENTION_SIZE_ADVISED_SHARE)} or grow the volume.`,
          release.resource.urn,
        );
      } else if (size > volume * RETENTION_SIZE_ADVISED_SHARE) {
        ctx.advisory(
          `${both}: above the ${RETENTION_SIZE_ADVISED_SHARE * 100}% the Prometheus docs advise; the WAL and compaction may still fill the volume. ` +
            `Fix: at most ${gib(volume * RETENTION_SIZE_ADVISED_SHARE)}.`,
          release.resource.urn,
        );
      }
    }
  },
);
