// Headroom of each tier against the workload: the planning doc sizes with 50% on top; under 20% left is a warning.
import { stackRule } from "../../lib/policy";
import { DEFAULT_MINIMUM_HEADROOM } from "./figures";
import { formatFigure } from "./analysis";
import { withCapacity } from "./rule";
import { Workload, workloadSchema } from "./workload";

export const capacityHeadroom = stackRule<{ workload?: Workload; minimumHeadroom: number }>(
  {
    name: "capacity-headroom",
    rule: "C3",
    description: "Each tier should keep at least 20% headroom over the workload (Mimir's planning doc adds 50%)",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps: "Scale the tier named in the message before the workload grows into it.",
    url: "https://grafana.com/docs/mimir/latest/manage/run-production-environment/planning-capacity/ (conflict-rules.md section 5)",
    tags: ["capacity"],
    configSchema: {
      properties: {
        workload: workloadSchema,
        minimumHeadroom: {
          type: "number",
          minimum: 0,
          maximum: 0.95,
          default: DEFAULT_MINIMUM_HEADROOM,
          description: "Least share of each tier's capacity left free.",
        },
      },
    },
  },
  (stack, ctx) =>
    withCapacity(stack, ctx, (analysis) => {
      if (!analysis.workload) return;
      const minimum = ctx.config.minimumHeadroom;
      for (const tier of analysis.tiers) {
        if (
          tier.load === undefined ||
          tier.headroom === undefined ||
          tier.load > tier.capacity ||
          tier.headroom >= minimum
        )
          continue;
        ctx.violation(
          `${tier.label}: ${formatFigure(tier.load)} of ${formatFigure(tier.capacity)} ${tier.unit} used, ${(tier.headroom * 100).toFixed(0)}% headroom ` +
            `(below ${(minimum * 100).toFixed(0)}%; ${analysis.workload.where}). Scale it to at least ${formatFigure(tier.load / (1 - minimum))} ${tier.unit}.`,
        );
      }
    }),
);
