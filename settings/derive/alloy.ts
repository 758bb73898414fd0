/** Requests and limit of each Alloy pod (one per node: the chart runs a DaemonSet). */
export interface AlloySettings {
  cpuMillis: number;
  memoryMiB: number;
  memoryLimitMiB: number;
}

/**
 * Project choice, not derived from the workload: Alloy's load depends on each node's pods, which no config key
 * describes. A limit well above the request absorbs bursts while a node's backlog is replayed; tune with overrides.alloy.
 */
export function deriveAlloy(): AlloySettings {
  return { cpuMillis: 200, memoryMiB: 512, memoryLimitMiB: 2048 };
}
