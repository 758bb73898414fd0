/**
 * The pack's public read model, for the instruments (tools/): the view of a stack the rules read, its lookups, and
 * the capacity model, so that the offline check, planning and the report compute from exactly what the policies
 * judge. The instruments import the pack through this file only (test/architecture.test.ts); the engine loads the
 * pack through index.ts.
 */
export { providerUnconfigured } from "./lib/analyzed";
export { bucketViews, expirationRules } from "./lib/buckets";
export { DAY_MS, formatDuration, parseDurationMs } from "./lib/duration";
export { kafkaLandscape, strimziBelongsTo } from "./lib/kafka";
export { ASSUMED_KAFKA_BYTES_PER_SAMPLE } from "./lib/kafka/sizing";
export { lokiReleases } from "./lib/loki";
export { mimirReleases } from "./lib/mimir";
export { PolicyInputError } from "./lib/node";
export type { PropNode, Sourced } from "./lib/node";
export { isPlainObject } from "./lib/plain";
export { StackView } from "./lib/stack";
export type { CustomResource, HelmRelease } from "./lib/stack";
export { CHARTS, TYPES } from "./lib/types";
export { Inconclusive, isUnknown } from "./lib/unknown";
export { CapacityAnalysis, analyzeCapacity } from "./rules/capacity/analysis";
export { INSTANCE_SHAPES } from "./rules/capacity/figures";
export { fmtCpu, fmtMemory } from "./rules/capacity/fit";
export { nodeGroupDiskGiB } from "./rules/capacity/nodes";
export { WORKLOAD_KEYS, WORKLOAD_OUTPUT } from "./rules/capacity/workload";
export type { Workload } from "./rules/capacity/workload";
export { ZoneLossAnalysis, analyzeZoneLoss } from "./rules/capacity/zone-loss";
export type { ZoneLossLine } from "./rules/capacity/zone-loss";
