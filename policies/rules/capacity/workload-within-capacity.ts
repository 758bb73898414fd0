// What the sized tiers carry must cover the workload (Mimir planning-capacity.md figures; conflict-rules.md section 5).
import { stackRule } from "../../lib/policy";
import { formatFigure } from "./analysis";
import { withCapacity } from "./rule";
import { TierName } from "./tiers";
import { Workload, workloadSchema } from "./workload";

const WORKLOAD_KEY: Record<TierName, keyof Workload> = {
  samples: "samplesPerSecond",
  series: "activeSeries",
  queries: "queriesPerSecond",
  logs: "logsGBPerDay",
};

const FIX: Record<TierName, string> = {
  samples: "more distributor replicas or CPU/memory (values distributor.replicas / distributor.resources)",
  series:
    "more ingesters per zone or more CPU, memory and disk each (values ingester.replicas / resources / persistentVolume.size)",
  queries: "more queriers, store-gateways or query-frontends (the limiting one is named above)",
  logs: "more Loki ingesters or more CPU/memory each (values ingester.replicas / ingester.resources)",
};

export const workloadWithinSizedCapacity = stackRule<{ workload?: Workload }>(
  {
    name: "workload-within-sized-capacity",
    rule: "C1",
    description:
      "The workload must not exceed what the sized Mimir and Loki tiers carry (samples/s, active series, queries/s, log GB/day)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise the tier named in the message (replicas or per-pod resources), or correct the workload the stack is sized for (config key workload).",
    url: "https://grafana.com/docs/mimir/latest/manage/run-production-environment/planning-capacity/ (conflict-rules.md section 5)",
    tags: ["capacity"],
    configSchema: { properties: { workload: workloadSchema } },
  },
  (stack, ctx) =>
    withCapacity(stack, ctx, (analysis) => {
      // No workload (neither the stack output nor the policy config): nothing to compare; the check report says so.
      if (!analysis.workload) return;
      for (const tier of analysis.tiers) {
        if (tier.load === undefined || tier.load <= tier.capacity) continue;
        const key = WORKLOAD_KEY[tier.tier];
        const faster =
          tier.tier === "samples" && analysis.samples && analysis.samples.value > analysis.workload.workload[key];
        const load = faster ? analysis.samples!.what : `${analysis.workload.where}.${key}=${formatFigure(tier.load)}`;
        ctx.violation(
          `${load} exceeds the ${formatFigure(tier.capacity)} ${tier.unit} the stack carries ` +
            `(${tier.label}; ${tier.basis}): the tier falls behind, writes are rejected or queries queue. ` +
            `Fix: ${FIX[tier.tier]} to at least ${formatFigure(tier.load / (1 - 0.2))} ${tier.unit} for 20% headroom.`,
        );
      }
    }),
);
