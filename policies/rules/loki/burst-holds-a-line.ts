// L3 (HARD at write time): Loki's distributor takes a push from the tenant's token bucket in bytes; one line larger
// than the burst can never pass (golang.org/x/time/rate AllowN is false when n exceeds the burst), so every push
// holding such a line gets 429 forever, while max_line_size still admits it.
// The ingester applies the same token bucket per stream: pkg/ingester/stream.go validateEntries calls
// `s.limiter.AllowN(now, entryBytes)` for every entry (EntryTotalSize: the line plus its structured metadata), the
// limiter built from per_stream_rate_limit / per_stream_rate_limit_burst (pkg/validation/limits.go PerStreamRateLimit;
// defaults 3MB / 15MB, flagext.ByteSize); a line larger than the per-stream burst is rejected with
// "Per stream rate limit exceeded" on every push (Loki 3.7.6).
// max_line_size 0 means no line limit ("There is no limit when set to 0", -distributor.max-line-size): then no
// configured line size can be compared with either burst, so nothing is reported (see CONSTRAINTS.md).
import { parseBase2Bytes } from "../../lib/bytes";
import { LOKI_DEFAULTS, LOKI_MAX_LINE_SIZE_BYTES, lokiReleases } from "../../lib/loki";
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { lokiByteSize } from "./wal-replay-fits-memory";

const MB = 2 ** 20;
/** pkg/validation/limits.go defaultPerStreamBurstLimit = 5 * 3MB. */
const PER_STREAM_BURST_BYTES = 15 * MB;

function bytesOf(node: PropNode): number | undefined {
  const raw = node.raw();
  if (typeof raw === "number") return raw;
  return typeof raw === "string" ? parseBase2Bytes(raw) : undefined;
}

export const lokiBurstHoldsALine = stackRule<object>(
  {
    name: "loki-burst-holds-a-line",
    rule: "L3",
    description:
      "Loki's ingestion_burst_size_mb and per_stream_rate_limit_burst must hold the longest line max_line_size admits, for the defaults and every tenant",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise ingestion_burst_size_mb and per_stream_rate_limit_burst (limits_config or the tenant's override) to at least max_line_size, or lower max_line_size.",
    url: "https://grafana.com/docs/loki/latest/configure/#limits_config (ingestion_burst_size_mb, max_line_size)",
    tags: ["loki"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      const defaults = loki.values.at("loki.limits_config");
      const scopes: Array<[string, PropNode]> = [["the defaults", defaults]];
      const tenants = loki.tenantOverrides();
      if (isUnknown(tenants)) return ctx.inconclusive(tenants);
      for (const [tenant, node] of tenants ?? []) scopes.push([`tenant ${JSON.stringify(tenant)}`, node]);
      const defaultLine = bytesOf(defaults.get("max_line_size")) ?? LOKI_MAX_LINE_SIZE_BYTES;
      const defaultBurst = Number(
        defaults.get("ingestion_burst_size_mb").raw() ?? LOKI_DEFAULTS["limits_config.ingestion_burst_size_mb"],
      );
      for (const [scope, node] of scopes) {
        const burstNode = node.get("ingestion_burst_size_mb");
        const lineNode = node.get("max_line_size");
        if (isUnknown(burstNode.raw()) || isUnknown(lineNode.raw())) continue;
        const burstMB = burstNode.raw() === undefined ? defaultBurst : Number(burstNode.raw());
        const line = bytesOf(lineNode) ?? defaultLine;
        if (!Number.isFinite(burstMB) || line === 0 || burstMB * MB >= line) continue;
        ctx.violation(
          `${scope} of ${loki.label}: ingestion_burst_size_mb=${burstMB} (${burstMB * MB} bytes) < max_line_size ${line} bytes: a line that long passes ` +
            `validation but never fits the tenant's token bucket, so every push holding one gets 429 (ingestion rate limit exceeded) forever. ` +
            `Fix: raise ingestion_burst_size_mb to at least ${Math.ceil(line / MB)} or lower max_line_size.`,
          loki.urn,
        );
      }
      const defaultStreamBurst =
        lokiByteSize(defaults.get("per_stream_rate_limit_burst").raw()) ?? PER_STREAM_BURST_BYTES;
      for (const [scope, node] of scopes) {
        const burstNode = node.get("per_stream_rate_limit_burst");
        const lineNode = node.get("max_line_size");
        if (isUnknown(burstNode.raw()) || isUnknown(lineNode.raw())) continue;
        const line = bytesOf(lineNode) ?? defaultLine;
        const burst = burstNode.isPresent ? lokiByteSize(burstNode.raw()) : defaultStreamBurst;
        if (burst === undefined || line === 0 || burst >= line) continue;
        const defaultNode = defaults.get("per_stream_rate_limit_burst");
        const where = burstNode.isPresent
          ? burstNode.where
          : defaultNode.isPresent
            ? defaultNode.where
            : "Loki default per_stream_rate_limit_burst 15MB";
        ctx.violation(
          `${scope} of ${loki.label}: per_stream_rate_limit_burst ${burst} bytes (${where}) < max_line_size ${line} bytes: ` +
            `the ingester takes each entry from its stream's token bucket, so a line that long passes the distributor's validation ` +
            `but is rejected on every push ("Per stream rate limit exceeded") and never stored. ` +
            `Fix: raise per_stream_rate_limit_burst to at least ${line} bytes (default 15MB) or lower max_line_size.`,
          loki.urn,
        );
      }
    }
  },
);
