import type * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../../settings";
import * as upstream from "../../settings/upstream";
import { ZONE_LABEL } from "../shared/labels";

export { ZONE_LABEL };

export interface ZonePlacement {
  /** Mimir zone name (zone-a, ...), used as the chart's zone and as the ring's instance zone. */
  name: string;
  availabilityZone: pulumi.Input<string>;
}

export interface ZoneLayout {
  /** Whether the chart runs one StatefulSet per zone (and Mimir's rings are zone-aware). */
  zoneAware: boolean;
  zones: ZonePlacement[];
  /** Set when the settings spread Mimir over several zones the pinned chart cannot render zone-aware. */
  warning?: string;
}

/** Maps settings.mimir.zones to AZ names (by azIndex); zone awareness is settings.mimir.zoneAware (settings/derive/zones.ts). */
export function zoneLayout(settings: Settings, availabilityZones: pulumi.Input<string>[]): ZoneLayout {
  const zones = settings.mimir.zones.map((z) => {
    if (z.azIndex < 0 || z.azIndex >= availabilityZones.length) {
      throw new Error(
        `settings.mimir.zones: zone "${z.name}" uses availability zone index ${z.azIndex}, but only ${availabilityZones.length} availability zone(s) were passed`,
      );
    }
    return { name: z.name, availabilityZone: availabilityZones[z.azIndex] };
  });
  if (settings.mimir.zoneAware || zones.length === 1) return { zoneAware: settings.mimir.zoneAware, zones };
  const minimum = upstream.charts.mimirMinZoneAwareZones;
  return {
    zoneAware: false,
    zones,
    warning:
      `settings.mimir.zones has ${zones.length} zones but mimir-distributed 6.0.x renders zone-aware replication only with ` +
      `>= ${minimum} zones (grafana/mimir#14065): ingesters and store-gateways run as one ring spread ` +
      `across ${zones.map((z) => z.name).join(", ")} instead; each Kafka partition then has one ingester (no read-path ` +
      `redundancy during ingester restarts). Use ${minimum} zones or a chart with PR #14449 for zone-aware ingesters.`,
  };
}

/**
 * Pod placement for one ring. Zone-aware: one chart zone per Mimir zone, pinned to its AZ. Otherwise: all pods kept to
 * the listed AZs and spread evenly over them (their EBS volumes then stay in those zones too).
 */
export function placementValues(layout: ZoneLayout, storageClassName: string): Record<string, unknown> {
  if (layout.zoneAware) {
    return {
      zoneAwareReplication: {
        enabled: true,
        zones: layout.zones.map((z) => ({
          name: z.name,
          nodeSelector: { [ZONE_LABEL]: z.availabilityZone },
          storageClass: storageClassName,
        })),
      },
    };
  }
  if (layout.zones.length === 1) {
    return {
      zoneAwareReplication: { enabled: false },
      nodeSelector: { [ZONE_LABEL]: layout.zones[0].availabilityZone },
    };
  }
  return {
    zoneAwareReplication: { enabled: false },
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: ZONE_LABEL, operator: "In", values: layout.zones.map((z) => z.availabilityZone) },
              ],
            },
          ],
        },
      },
    },
    // The chart generates the labelSelector when a constraint has none (values.yaml, topologySpreadConstraints).
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE_LABEL, whenUnsatisfiable: "DoNotSchedule" }],
  };
}

/** Ingesters that share one chart zone: they consume distinct partitions, so the topic needs at least this many (K8). */
export function ingestersPerChartZone(layout: ZoneLayout, ingesterReplicas: number): number {
  return layout.zoneAware ? Math.ceil(ingesterReplicas / layout.zones.length) : ingesterReplicas;
}
