import type { StackConfig } from "../schema";
import { gatewayUrl, NAMESPACES, RELEASES } from "../names";
import * as upstream from "../upstream";
import type { RetentionSettings } from "./retention";
import type { MimirSizing } from "./sizing";
import { mimirZoneAware } from "./zones";

/** A zone the stateful components spread over: Mimir's zone name and the index of the AZ that hosts it. */
export interface Zone {
  name: string;
  azIndex: number;
}

export interface MimirLimits {
  ingestion_rate: number;
  ingestion_burst_size: number;
  max_global_series_per_user: number;
  compactor_blocks_retention_period: string;
}

export interface MimirSettings {
  zones: Zone[];
  /** Whether the chart runs one StatefulSet per zone; false below the pinned chart's 3-zone minimum (derive/zones.ts). */
  zoneAware: boolean;
  storeGatewayReplicationFactor: number;
  sizing: MimirSizing;
  producerMaxRecordSizeBytes: number;
  remoteTimeout: string;
  limits: MimirLimits;
  tenantOverrides: Record<string, Partial<MimirLimits>>;
  /** In-cluster write and read URLs through the chart's gateway Service (names.ts gatewayUrl). */
  pushUrl: string;
  queryUrl: string;
}

const ZONE_NAMES = ["zone-a", "zone-b", "zone-c"];

/** The stack-wide default limits: the workload with the planning doc's headroom, never below Mimir's defaults. */
export function mimirLimits(config: StackConfig, retention: RetentionSettings): MimirLimits {
  const rate = Math.ceil(config.workload.samplesPerSecond * upstream.mimirCapacity.headroom);
  return {
    ingestion_rate: Math.max(upstream.mimir.defaultIngestionRate, rate),
    // A burst must hold the largest remote-write request; keep Mimir's 20x-rate default shape, at least its default.
    ingestion_burst_size: Math.max(upstream.mimir.defaultIngestionBurstSize, rate * 2),
    max_global_series_per_user: Math.max(
      upstream.mimir.defaultMaxGlobalSeriesPerUser,
      Math.ceil(config.workload.activeSeries * upstream.mimirCapacity.headroom),
    ),
    compactor_blocks_retention_period: retention.mimir.compactorBlocksRetentionPeriod,
  };
}

export function deriveMimir(
  config: StackConfig,
  retention: RetentionSettings,
  sizing: MimirSizing,
  tenantOverrides: Record<string, Partial<MimirLimits>>,
): MimirSettings {
  const zones: Zone[] = ZONE_NAMES.slice(0, config.replication.zones).map((name, azIndex) => ({ name, azIndex }));
  const gateway = gatewayUrl(RELEASES.mimir, "mimir", NAMESPACES.mimir);
  return {
    zones,
    zoneAware: mimirZoneAware(zones.length),
    storeGatewayReplicationFactor: config.replication.storeGatewayReplicationFactor,
    sizing,
    producerMaxRecordSizeBytes: upstream.mimir.producerMaxRecordSizeBytes,
    remoteTimeout: upstream.mimir.distributorRemoteTimeout,
    limits: mimirLimits(config, retention),
    tenantOverrides,
    pushUrl: `${gateway}/api/v1/push`,
    queryUrl: `${gateway}/prometheus`,
  };
}
