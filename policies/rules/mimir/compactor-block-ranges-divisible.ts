// M3 (HARD): each compactor block range must be a non-zero multiple of the previous one.
import { formatDuration } from "../../lib/duration";
import { mimirReleases } from "../../lib/mimir";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";

export const mimirCompactorBlockRangesDivisible = stackRule<object>(
  {
    name: "mimir-compactor-block-ranges-divisible",
    rule: "M3",
    description: "Mimir compactor.block_ranges must be non-zero, each divisible by the previous one",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Use ranges where each is a multiple of the previous one, e.g. the default 2h,12h,24h.",
    url: "https://github.com/grafana/mimir/blob/main/pkg/compactor/compactor.go (errInvalidBlockRanges)",
    tags: ["mimir"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      ctx.known([mimir.durationList("compactor.block_ranges")], (ranges) => {
        ranges.value.forEach((range, index) => {
          if (range === 0) {
            ctx.violation(
              `${show(ranges)}: range #${index + 1} is zero; Mimir refuses to start ("compactor block range period cannot be zero"). Fix: remove it.`,
              mimir.urn,
            );
          } else if (index > 0 && ranges.value[index - 1] !== 0 && range % ranges.value[index - 1] !== 0) {
            ctx.violation(
              `${show(ranges)}: ${formatDuration(range)} is not divisible by ${formatDuration(ranges.value[index - 1])}; Mimir refuses to start ` +
                `("compactor block range periods should be divisible by the previous one"). Fix: make every range a multiple of the one before it.`,
              mimir.urn,
            );
          }
        });
      });
    }
  },
);
