// M8 (HARD): zone-aware replication needs at least RF zones, and the zones must exist among the cluster's availability zones.
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { show } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { nodeAvailabilityZones } from "../../lib/zones";

function checkComponent(
  ctx: RuleContext<object>,
  mimir: MimirRelease,
  component: "ingester" | "store_gateway",
  nodeZones: ReturnType<typeof nodeAvailabilityZones>,
): void {
  ctx.known(
    [
      mimir.zoneAware(component),
      mimir.zones(component),
      mimir.number("store_gateway.sharding_ring.replication_factor"),
    ],
    (zoneAware, zones, rf) => {
      if (!zoneAware.value) return;
      if (component === "store_gateway" && zones.value.length < rf.value) {
        ctx.violation(
          `${show(rf)} > ${zones.value.length} store-gateway zones (${zones.where}): zone-aware replication places each replica in a distinct zone, ` +
            `so blocks cannot get ${rf.value} replicas and store-gateway queries fail; writes and reads need floor(RF/2)+1 healthy zones. ` +
            `Fix: define at least ${rf.value} zones or lower the replication factor.`,
          mimir.urn,
        );
      }
      if (nodeZones === undefined) return;
      ctx.known([nodeZones], (available) => {
        const missing = zones.value.filter(
          (z) => z.availabilityZone !== undefined && !available.value.includes(z.availabilityZone),
        );
        for (const zone of missing) {
          ctx.violation(
            `${component} zone "${zone.name}" is pinned to availability zone ${zone.availabilityZone} (${zones.where} nodeSelector topology.kubernetes.io/zone), ` +
              `but the cluster's nodes run only in ${available.value.join(", ") || "no zone"} (${available.where}): its pods stay Pending and the zone never comes up. ` +
              `Fix: pin the zone to one of ${available.value.join(", ")} or add a node group with a subnet in ${zone.availabilityZone}.`,
            mimir.urn,
          );
        }
        if (missing.length === 0 && zones.value.length > available.value.length) {
          ctx.violation(
            `INFERRED: ${zones.value.length} ${component} zones (${zones.where}) > ${available.value.length} availability zones with nodes (${available.where}): ` +
              `at least two Mimir zones share an availability zone, so losing that one AZ takes down two zones at once and ` +
              `zone-aware replication no longer protects the data. Fix: use at most ${available.value.length} zones or spread node groups over more AZs.`,
            mimir.urn,
          );
        }
      });
    },
  );
}

export const mimirZonesCoverReplication = stackRule<object>(
  {
    name: "mimir-zones-cover-replication",
    rule: "M8",
    description:
      "Mimir zone-aware components need at least RF zones, and their zones must map onto the cluster's availability zones",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Define at least RF zones per zone-aware component, pin each to a distinct availability zone where node groups have subnets, and use no more Mimir zones than such AZs.",
    url: "https://grafana.com/docs/mimir/latest/configure/configure-zone-aware-replication/ (conflict-rules.md M8)",
    tags: ["mimir", "availability"],
  },
  (stack, ctx) => {
    const nodeZones = nodeAvailabilityZones(stack);
    for (const mimir of mimirReleases(stack)) {
      checkComponent(ctx, mimir, "ingester", nodeZones);
      checkComponent(ctx, mimir, "store_gateway", nodeZones);
    }
  },
);
