// Kafka as the rules see it; see landscape.ts for how each path is resolved.
export * from "./defaults";
export * from "./model";
export { kafkaLandscape, parseKafkaAddress, strimziBelongsTo, strimziListeners } from "./landscape";
