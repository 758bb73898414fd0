// L13: Loki's max_line_size must admit every line the stack's log pipeline sends it.
// - The distributor refuses an entry longer than max_line_size (non-zero) and drops it ("line too long", counted as
//   discarded with reason line_too_long): grafana/loki v3.7.6 pkg/distributor/validator.go ValidateEntry. With
//   max_line_size_truncate the distributor cuts the line instead (distributor.go truncateLines), so nothing is refused.
// - Alloy reads each pod's log file as the container runtime writes it. containerd writes a line of up to
//   max_container_log_line_size bytes whole and splits longer ones into partial lines (default 16 * 1024:
//   containerd pkg/cri/config DefaultConfig MaxContainerLogLineSize; the EKS AMIs keep it), and Alloy's stage.cri
//   joins partials back (Alloy docs, stage.cri max_partial_lines). Any ordinary log line of up to 16 KiB therefore
//   reaches Loki whole: a max_line_size below that drops whole lines of ordinary pods, silently (data loss).
// - max_line_size 0 means no limit; tenants' runtime overrides replace the default for that tenant
//   (pkg/validation/limits.go MaxLineSize, MaxLineSizeTruncate).
import { parseBase2Bytes } from "../../lib/bytes";
import { LOKI_MAX_LINE_SIZE_BYTES, lokiReleases } from "../../lib/loki";
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

/** containerd's default max_container_log_line_size (pkg/cri/config, DefaultConfig: 16 * 1024). */
export const CRI_LOG_LINE_BYTES = 16 * 1024;

type Scope = { name: string; node: PropNode };

function bytesOf(node: PropNode): number | undefined {
  const raw = node.raw();
  if (typeof raw === "number") return raw;
  return typeof raw === "string" ? parseBase2Bytes(raw) : undefined;
}

/** A scope's own setting, else the defaults' (a tenant override replaces only the keys it names). */
function effective(scope: Scope, defaults: PropNode, key: string): PropNode {
  const own = scope.node.get(key);
  return own.isPresent ? own : defaults.get(key);
}

export const lokiAdmitsContainerLogLines = stackRule<object>(
  {
    name: "loki-admits-container-log-lines",
    rule: "L13",
    description:
      "Loki's max_line_size (defaults and every tenant) must be 0, at least the 16 KiB a container runtime writes as one log line, or truncate (max_line_size_truncate)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise max_line_size (limits_config or the tenant's runtimeConfig override) to at least 16KB (Loki's default is 256KB), or set max_line_size_truncate: true to keep the start of longer lines.",
    url: "https://grafana.com/docs/loki/latest/configure/#limits_config (max_line_size, max_line_size_truncate)",
    tags: ["loki", "durability"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      const defaults = loki.values.at("loki.limits_config");
      const tenants = loki.tenantOverrides();
      if (isUnknown(tenants)) return ctx.inconclusive(tenants);
      const scopes: Scope[] = [{ name: "the defaults", node: defaults }];
      for (const [tenant, node] of tenants ?? []) scopes.push({ name: `tenant ${JSON.stringify(tenant)}`, node });
      for (const scope of scopes) {
        const sizeNode = effective(scope, defaults, "max_line_size");
        const truncateNode = effective(scope, defaults, "max_line_size_truncate");
        if (isUnknown(sizeNode.raw()) || isUnknown(truncateNode.raw())) continue;
        const size = sizeNode.isPresent ? bytesOf(sizeNode) : LOKI_MAX_LINE_SIZE_BYTES;
        if (size === undefined || size === 0 || size >= CRI_LOG_LINE_BYTES) continue;
        if (truncateNode.raw() === true || truncateNode.raw() === "true") continue;
        ctx.violation(
          `${scope.name} of ${loki.label}: max_line_size ${size} bytes (${sizeNode.where}) < ${CRI_LOG_LINE_BYTES} bytes, the line the container ` +
            `runtime writes whole (containerd max_container_log_line_size) and Alloy forwards from the pods' log files: Loki's distributor ` +
            `refuses every longer line ("line too long") and it is dropped, not stored (data loss). ` +
            `Fix: raise max_line_size to at least 16KB (default 256KB), or set max_line_size_truncate: true.`,
          loki.urn,
        );
      }
    }
  },
);
