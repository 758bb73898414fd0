// L3 (HARD at write time): Loki's distributor takes a push from the tenant's token bucket in bytes; one line larger
// than the burst can never pass (golang.org/x/time/rate AllowN is false when n exceeds the burst), so every push
// holding such a line gets 429 forever, while max_line_size still admits it.
import { parseBase2Bytes } from "../../lib/bytes";
import { LOKI_DEFAULTS, LOKI_MAX_LINE_SIZE_BYTES, lokiReleases } from "../../lib/loki";
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

const MB = 2 ** 20;

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
      "Loki's ingestion_burst_size_mb must hold the longest line max_line_size admits, for the defaults and every tenant",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise ingestion_burst_size_mb (limits_config or the tenant's override) to at least max_line_size, or lower max_line_size.",
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
    }
  },
);
