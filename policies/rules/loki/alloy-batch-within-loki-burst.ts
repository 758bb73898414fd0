// L2 (SOFT): a push larger than Loki's per-distributor burst can never pass the rate limiter.
import { lokiWriteEndpoints } from "../../lib/alloy";
import { formatBytes, parseBase2Bytes } from "../../lib/bytes";
import { LokiRelease, lokiReleases } from "../../lib/loki";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";
import { PropNode } from "../../lib/node";
import { RuleContext } from "../../lib/policy";
import { HelmRelease, StackView } from "../../lib/stack";

// Alloy loki.write endpoint batch_size default 1MiB (Alloy reference, loki.write).
const ALLOY_DEFAULT_BATCH = "1MiB";
// Loki multiplies ingestion_burst_size_mb by 1 << 20 (Loki pkg/validation/limits.go).
const LOKI_MB = 1 << 20;

/** The Loki release an endpoint URL points at: by service host `<release>-*.<namespace>`, else the only Loki. */
export function targetOf(url: string | undefined, lokis: LokiRelease[]): LokiRelease | undefined {
  const host = url ? /^[a-z]+:\/\/([^/:]+)/.exec(url)?.[1] : undefined;
  const labels = host?.split(".") ?? [];
  const matched = lokis.find(
    (l) => labels[0]?.startsWith(l.release.releaseName) && (labels.length < 2 || labels[1] === l.release.namespace),
  );
  return matched ?? (lokis.length === 1 ? lokis[0] : undefined);
}

/** One Alloy loki.write endpoint with the Loki it writes to and its batch size (as written, default 1MiB). */
export interface AlloyLokiWrite {
  alloy: HelmRelease;
  contentNode: PropNode;
  endpoint: ReturnType<typeof lokiWriteEndpoints>[number];
  loki: LokiRelease;
  batchText: string;
}

/** Every Alloy loki.write endpoint that writes to one of the stack's Loki releases (L2, L12). */
export function alloyLokiWrites(stack: StackView, ctx: RuleContext<object>): AlloyLokiWrite[] {
  const lokis = lokiReleases(stack);
  if (lokis.length === 0) return [];
  const writes: AlloyLokiWrite[] = [];
  for (const alloy of stack.helmReleases(CHARTS.alloy)) {
    const contentNode = alloy.values.at("alloy.configMap.content");
    const content = contentNode.string();
    if (isUnknown(content)) {
      ctx.inconclusive(content);
      continue;
    }
    for (const endpoint of lokiWriteEndpoints(content ?? "")) {
      const loki = targetOf(endpoint.url, lokis);
      if (loki)
        writes.push({ alloy, contentNode, endpoint, loki, batchText: endpoint.batchSize ?? ALLOY_DEFAULT_BATCH });
    }
  }
  return writes;
}

export const alloyBatchWithinLokiBurst = stackRule<object>(
  {
    name: "alloy-batch-within-loki-burst",
    rule: "L2",
    description: "Alloy loki.write batch_size should not exceed Loki's ingestion_burst_size_mb",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
      "Lower batch_size in the Alloy loki.write endpoint (default 1MiB) or raise loki.limits_config.ingestion_burst_size_mb (default 6).",
    url: "https://grafana.com/docs/loki/latest/configure/#limits_config (ingestion_burst_size_mb; conflict-rules.md L2)",
    tags: ["loki", "alloy"],
  },
  (stack, ctx) => {
    for (const { alloy, contentNode, endpoint, loki, batchText } of alloyLokiWrites(stack, ctx)) {
      const batch = parseBase2Bytes(batchText);
      if (batch === undefined) {
        ctx.violation(
          `${contentNode.where} ${endpoint.component} endpoint batch_size="${batchText}" is not a size such as 1MiB or 512KiB; Alloy refuses the config.`,
          alloy.resource.urn,
        );
        continue;
      }
      ctx.known([loki.number("limits_config.ingestion_burst_size_mb")], (burst) => {
        if (batch <= burst.value * LOKI_MB) return;
        ctx.violation(
          `${contentNode.where} ${endpoint.component} endpoint batch_size=${batchText} (${formatBytes(batch)}) > ${show(burst)} MB of ${loki.label}: ` +
            `a full batch exceeds the distributor's burst, Loki answers 429 (ingestion rate limit exceeded) on every retry and the batch is dropped. ` +
            `Fix: set batch_size to at most ${burst.value}MiB or raise ingestion_burst_size_mb.`,
          alloy.resource.urn,
        );
      });
    }
  },
);
