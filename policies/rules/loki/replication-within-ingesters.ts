// L1 (HARD at write time): every push needs floor(RF/2)+1 live ingesters out of RF.
import { lokiReleases } from "../../lib/loki";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";

export const lokiReplicationWithinIngesters = stackRule<object>(
  {
    name: "loki-replication-within-ingesters",
    rule: "L1",
    description:
      "Loki replication_factor must not exceed the ingesters (single-binary, write or ingester replicas, per deployment mode)",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Set loki.commonConfig.replication_factor per environment (1 for a single replica; 3 with 3 or more ingesters) or run at least that many ingesters.",
    url: "https://github.com/grafana/loki/issues/8899 (also #2155, #14606; conflict-rules.md L1)",
    tags: ["loki"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      ctx.known([loki.replicationFactor(), loki.ringMembers()], (rf, members) => {
        if (rf.value <= members.value) return;
        const quorum = Math.floor(rf.value / 2) + 1;
        const consequence =
          members.value < quorum
            ? `every push fails with "at least ${quorum} live replicas required, could only find ${members.value}" and logs are dropped`
            : `a push needs ${quorum} of ${rf.value} replicas but only ${members.value} ingesters exist, so restarting one ingester fails pushes`;
        ctx.violation(
          `${show(rf)} > ${members.value} ingesters (${members.where}): ${consequence}. Fix: set replication_factor to at most ${members.value} or run at least ${rf.value} ingesters.`,
          loki.urn,
        );
      });
    }
  },
);
