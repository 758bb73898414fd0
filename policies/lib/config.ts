// Config schema fragments shared by several policies (`pulumi preview --policy-pack-config <file>`).
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const environmentOverrideSchema: PolicyConfigJSONSchema = {
  type: "string",
  enum: [...ENVIRONMENTS],
  description: "Environment of the stack. Default: read from the observability/profile tag of the AWS resources.",
};

export const enforcedEnvironmentsSchema = (defaults: Environment[]): PolicyConfigJSONSchema => ({
  type: "array",
  items: { type: "string", enum: [...ENVIRONMENTS] },
  uniqueItems: true,
  default: defaults,
  description: "Environments in which the rule applies.",
});

const kafkaPropertyMap: PolicyConfigJSONSchema = {
  type: "object",
  additionalProperties: { type: ["integer", "string"] },
};

/**
 * What the pack cannot see of a Kafka cluster outside the stack (MSK, Confluent, another stack): declare it
 * here, in every Kafka policy that should verify it. Property names are Kafka's own.
 */
export const externalKafkaSchema: PolicyConfigJSONSchema = {
  type: "object",
  description:
    "Settings of a Kafka cluster Mimir writes to but the stack does not define. brokers: number of brokers; " +
    "controllers: KRaft controllers; brokerConfig: broker properties (message.max.bytes, socket.request.max.bytes, " +
    "log.segment.bytes, replica.fetch.max.bytes, default.replication.factor, min.insync.replicas, " +
    "offsets.topic.replication.factor, transaction.state.log.replication.factor, transaction.state.log.min.isr, " +
    "num.partitions, log.retention.ms); topics: per topic name {partitions, replicas, config: topic properties}.",
  properties: {
    brokers: { type: "integer", minimum: 1 },
    controllers: { type: "integer", minimum: 1 },
    brokerConfig: kafkaPropertyMap,
    topics: {
      type: "object",
      additionalProperties: {
        type: "object",
        properties: {
          partitions: { type: "integer", minimum: 1 },
          replicas: { type: "integer", minimum: 1 },
          config: kafkaPropertyMap,
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
};

export interface ExternalKafkaConfig {
  brokers?: number;
  controllers?: number;
  brokerConfig?: Record<string, number | string>;
  topics?: Record<string, { partitions?: number; replicas?: number; config?: Record<string, number | string> }>;
}

export interface ExternalKafkaRuleConfig {
  externalKafka?: ExternalKafkaConfig;
}
