// Strimzi's validation of `spec.kafka.config` against its config model of the Kafka version (strimzi-kafka-operator
// 1.2.0 cluster-operator KafkaConfiguration.validate -> config-model ConfigModel.validate*), over the model this project
// extracts for the pinned Kafka (policies/lib/kafka/broker-config-model.json, made by
// tools/facts/extract-kafka-config-model.js). Any error makes KafkaCluster.validateConfiguration throw
// InvalidResourceException ("Kafka <ns>/<name> has invalid spec.kafka.config: ..."): the Kafka is never reconciled.
import MODEL from "./broker-config-model.json";

export interface ConfigModelEntry {
  type: "BOOLEAN" | "STRING" | "INT" | "SHORT" | "LONG" | "DOUBLE" | "LIST" | "CLASS" | "PASSWORD";
  minimum?: number;
  maximum?: number;
  values?: string[];
  caseInsensitive?: boolean;
  items?: string[];
  pattern?: string;
}

export const KAFKA_CONFIG_MODEL: Readonly<Record<string, ConfigModelEntry>> = MODEL.configs as Record<
  string,
  ConfigModelEntry
>;
export const KAFKA_CONFIG_MODEL_VERSION: string = MODEL.version;

/** OrderedProperties.addIterablePairs: strings as they are, numbers and booleans by String.valueOf. */
export function strimziText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

const INTEGER = /^[+-]?\d+$/;
/** Java Double.parseDouble (FloatingDecimal.readJavaFormatString) on the trimmed text; hex floats left out. */
const DOUBLE = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)$/;
const BOUNDS = {
  INT: [-(2n ** 31n), 2n ** 31n - 1n],
  SHORT: [-(2n ** 15n), 2n ** 15n - 1n],
  LONG: [-(2n ** 63n), 2n ** 63n - 1n],
} as const;
const WORD = { INT: "an int", SHORT: "a short", LONG: "a long" } as const;

/** Java Pattern / String.matches on the whole value; the model's patterns are plain regexes JavaScript reads alike. */
const matches = (value: string, pattern: string) => new RegExp(`^(?:${pattern})$`).test(value);

/** The errors ConfigModel.validate reports for `name=value`, in its words (config-model ConfigModel.java 1.2.0). */
export function configModelErrors(name: string, value: string, model: ConfigModelEntry): string[] {
  const errors: string[] = [];
  const min = (v: number) => model.minimum !== undefined && v < model.minimum;
  const max = (v: number) => model.maximum !== undefined && v > model.maximum;
  const range = (v: number) => {
    if (min(v)) errors.push(`${name} has value ${value} which less than the minimum value ${model.minimum}`);
    if (max(v)) errors.push(`${name} has value ${value} which greater than the maximum value ${model.maximum}`);
  };
  switch (model.type) {
    case "BOOLEAN":
      if (!/^(true|false)$/.test(value)) errors.push(`${name} has value '${value}' which is not a boolean`);
      break;
    case "STRING":
      if (model.values) {
        const probe = model.caseInsensitive ? value.toUpperCase() : value;
        if (!model.values.includes(probe))
          errors.push(
            `${name} has value '${value}' which is not one of the allowed values${model.caseInsensitive ? " (case-insensitive)" : ""}: [${model.values.join(", ")}]`,
          );
      }
      if (model.pattern !== undefined && !matches(value, model.pattern))
        errors.push(`${name} has value '${value}' which does not match the required pattern: ${model.pattern}`);
      break;
    case "INT":
    case "SHORT":
    case "LONG": {
      const [low, high] = BOUNDS[model.type];
      if (!INTEGER.test(value) || BigInt(value) < low || BigInt(value) > high) {
        errors.push(`${name} has value '${value}' which is not ${WORD[model.type]}`);
        break;
      }
      range(Number(value));
      if (model.type === "INT" && model.pattern !== undefined && !matches(value, model.pattern))
        errors.push(`${name} has value '${value}' which does not match the required pattern: ${model.pattern}`);
      break;
    }
    case "DOUBLE": {
      const trimmed = value.trim();
      if (!DOUBLE.test(trimmed)) {
        errors.push(`${name} has value '${value}' which is not a double`);
        break;
      }
      range(Number(trimmed.replace(/[fFdD]$/, "")));
      break;
    }
    case "LIST": {
      const items = value.trim().split(/ *, */);
      if (new Set(items).size !== items.length) errors.push(`${name} contains duplicate values`);
      else if (items.some((item) => item === "")) errors.push(`${name} contains empty values`);
      else if (model.items && model.items.length > 0) {
        const extra = [...new Set(items)].filter((item) => !model.items!.includes(item));
        if (extra.length > 0)
          errors.push(
            `${name} contains values [${extra.join(", ")}] which are not in the allowed items [${model.items.join(", ")}]`,
          );
      }
      break;
    }
    default:
      break; // CLASS, PASSWORD: not validated
  }
  return errors;
}
