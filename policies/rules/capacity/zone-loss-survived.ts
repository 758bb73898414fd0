// Staging and prod run in several AZs so that losing one loses nothing and stops nothing: every replicated tier must
// keep writing and reading, with no acknowledged data only in the lost zone, and the node groups left must hold the
// pods that move. The model and its assumptions: zone-loss.ts.
import { enforcedEnvironmentsSchema, Environment, environmentOverrideSchema } from "../../lib/config";
import { describeEnvironment, ruleApplies, stackEnvironment } from "../../lib/environment";
import { stackRule } from "../../lib/policy";
import { analyzeCapacity } from "./analysis";
import { analyzeZoneLoss, survives, ZoneLossLine } from "./zone-loss";

interface Config {
  environment?: Environment;
  environments: Environment[];
}

function consequence(line: ZoneLossLine): string {
  const stops = [
    !line.writes && "writes stop",
    !line.reads && "reads stop",
    line.dataLost && "acknowledged data may exist only in that zone",
  ].filter(Boolean);
  return stops.join(", ");
}

export const zoneLossSurvived = stackRule<Config>(
  {
    name: "zone-loss-survived",
    rule: "C4",
    description:
      "In staging and prod every replicated tier (Mimir and Loki ingesters, store-gateways, Kafka, Prometheus) must survive the loss of any one AZ: zones pinned to distinct AZs, quorum kept, Kafka writes accepted, capacity left (advisory elsewhere)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Pin each ring zone to its own AZ (zoneAwareReplication zones' nodeSelector topology.kubernetes.io/zone), keep replication factors with one zone's replicas to spare " +
      "(Kafka RF 3 with min.insync.replicas 2 and rack awareness; Loki RF 3), run Prometheus as a pair with zone anti-affinity, and give each AZ's node group the maxSize to take the pods that move.",
    url: "https://grafana.com/docs/mimir/latest/configure/configure-zone-aware-replication/ (zone-aware replication); https://kafka.apache.org/documentation/#basic_ops_racks",
    tags: ["capacity", "resilience"],
    configSchema: {
      properties: {
        environment: environmentOverrideSchema,
        environments: enforcedEnvironmentsSchema(["staging", "prod"]),
      },
    },
  },
  (stack, ctx) => {
    const env = stackEnvironment(stack, ctx.config.environment);
    const enforced = ruleApplies(env, ctx.config.environments);
    const analysis = analyzeZoneLoss(stack, analyzeCapacity(stack));
    if (analysis.zones.length < 2 && enforced) {
      ctx.violation(
        `The node groups run in ${analysis.zones.length} availability zone(s) (${describeEnvironment(env)}): losing it stops every tier. Run the node groups in at least 3 AZs.`,
      );
      return;
    }
    const failing = analysis.lines.filter((l) => !survives(l));
    if (enforced) {
      for (const line of failing) {
        ctx.violation(
          `Losing ${line.zone}: ${line.tier}: ${consequence(line)} (${line.reason}). Environment: ${describeEnvironment(env)}.`,
          line.urn || undefined,
        );
      }
      return;
    }
    // Where the rule only advises (dev), one finding: the tiers that would stop, the details in the report's section.
    if (failing.length > 0) {
      const tiers = [...new Set(failing.map((l) => l.tier))];
      ctx.advisory(
        `Losing any one of ${analysis.zones.join(", ")} would stop or lose data in: ${tiers.join("; ")} ` +
          `(the check report's "Loss of one availability zone" section says why, per AZ). Advisory in ${describeEnvironment(env)}; staging and prod must survive it.`,
      );
    }
  },
);
