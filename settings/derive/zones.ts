import * as upstream from "../upstream";

/**
 * Whether Mimir's rings (ingesters, store-gateways, alertmanagers) run zone-aware. Only from the pinned chart's
 * minimum on: with fewer zones mimir-distributed 6.0.x cannot render zone awareness (upstream.charts), so 2 zones
 * run one ring spread over both AZs. The one place this is decided; sizing and the Mimir component follow it.
 */
export function mimirZoneAware(zones: number): boolean {
  return zones >= upstream.charts.mimirMinZoneAwareZones;
}

/**
 * Whether Loki's ingesters run zone-aware: the chart always renders exactly three ingester zones, so our zones must be
 * those three, and three zones can hold at most three replicas of a stream.
 */
export function lokiZoneAware(zones: number, replicationFactor: number): boolean {
  const chartZones = upstream.charts.lokiIngesterZones;
  return zones === chartZones && replicationFactor <= chartZones;
}

/** Whether replicas are spread over AWS zones: more than one replication zone (stateless spread, the Prometheus pair). */
export function spreadsOverZones(zones: number): boolean {
  return zones > 1;
}
