// Kafka as the rules see it; see landscape.ts for how each path is resolved.
export * from "./defaults";
export * from "./model";
export { kafkaLandscape, parseKafkaAddress, STRIMZI_HOST, strimziBelongsTo, strimziListeners } from "./landscape";
