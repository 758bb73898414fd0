// M17: only the compactor writes the bucket index, compacts blocks and applies retention (Mimir docs, "Bucket
// index": "the compactor … periodically writes the bucket index"; "Compactor"). With no compactor pod, queriers and
// store-gateways refuse an index older than bucket_index.max_stale_period (1h default) once it goes stale, and no
// block is ever compacted or deleted by retention: reads from the store fail and the bucket grows until the lifecycle
// rule deletes what retention should have.
import { mimirReleases } from "../../lib/mimir";
import { stackRule } from "../../lib/policy";
import { known } from "../../lib/unknown";

/** mimir-distributed's compactor.replicas default (values.yaml). */
const CHART_DEFAULT_COMPACTOR_REPLICAS = 1;

export const mimirCompactorRuns = stackRule<object>(
  {
    name: "mimir-compactor-runs",
    rule: "M17",
    description:
      "Mimir must run at least one compactor: it alone writes the bucket index, compacts and applies retention",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Keep compactor.replicas at 1 or more (mimir-distributed values).",
    url: "https://grafana.com/docs/mimir/latest/references/architecture/bucket-index/",
    tags: ["mimir", "retention"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const node = mimir.release.values.at("compactor.replicas");
      const replicas = known(node.number()) ?? (node.isPresent ? undefined : CHART_DEFAULT_COMPACTOR_REPLICAS);
      if (replicas === undefined || replicas >= 1) continue;
      ctx.violation(
        `${mimir.label} ${node.where}=${replicas}: no compactor runs, so nothing writes the bucket index (queries of the store fail once it is ` +
          `older than blocks_storage.bucket_index.max_stale_period), no block is compacted and retention never deletes a block. ` +
          `Fix: keep compactor.replicas at 1 or more.`,
        mimir.urn,
      );
    }
  },
);
