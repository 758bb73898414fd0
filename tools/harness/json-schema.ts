/**
 * A JSON-schema validator for policy config, with the messages the engine prints.
 *
 * The engine validates each policy's config with gojsonschema (pkg/resource/analyzer/config.go,
 * validatePolicyConfig); errors read "<field>: <description>" with gojsonschema v1.2.0's default locale
 * (github.com/xeipuuv/gojsonschema, locales.go) and the "(root): " prefix trimmed. No JSON-schema package is
 * installed, and policy config schemas use a small, well-known subset, so this implements that subset and
 * refuses (rather than silently accepts) keywords it does not implement.
 */
import type { JsonSchema } from "./policy-types";

/** Keywords that only annotate; gojsonschema ignores them when validating. */
const ANNOTATIONS = new Set(["title", "description", "default", "examples", "$comment", "$schema", "$id", "id", "readOnly", "writeOnly", "deprecated"]);

const IMPLEMENTED = new Set([
  "type",
  "enum",
  "const",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "items",
  "additionalItems",
  "minItems",
  "maxItems",
  "uniqueItems",
  "properties",
  "patternProperties",
  "additionalProperties",
  "required",
  "minProperties",
  "maxProperties",
  "anyOf",
  "oneOf",
  "allOf",
  "not",
]);

export class UnsupportedSchemaError extends Error {
  constructor(keyword: string, field: string) {
    super(`the harness's policy config validator does not implement JSON-schema keyword "${keyword}" (at ${field})`);
    this.name = "UnsupportedSchemaError";
  }
}

function jsonTypeOf(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "array";
  }
  if (typeof value === "number") {
    return Number.isInteger(value) ? "integer" : "number";
  }
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = jsonTypeOf(value);
  return actual === type || (type === "number" && actual === "integer");
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(canonical);
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** gojsonschema's field: the context path without "(root).", or "(root)" itself. */
function fieldOf(path: string[]): string {
  return path.length === 0 ? "(root)" : path.join(".");
}

/**
 * Validates `value` against `schema`; returns gojsonschema-style "<field>: <description>" strings, with errors at
 * the root reported without the "(root): " prefix, as the engine trims it.
 */
export function validateJsonSchema(schema: JsonSchema, value: unknown): string[] {
  const errors: string[] = [];
  const report = (path: string[], description: string): void => {
    errors.push(path.length === 0 ? description : `${fieldOf(path)}: ${description}`);
  };

  const visit = (node: JsonSchema, data: unknown, path: string[]): void => {
    for (const keyword of Object.keys(node)) {
      if (!IMPLEMENTED.has(keyword) && !ANNOTATIONS.has(keyword)) {
        throw new UnsupportedSchemaError(keyword, fieldOf(path));
      }
    }
    const field = fieldOf(path);

    if (node.type !== undefined) {
      const types = Array.isArray(node.type) ? (node.type as string[]) : [node.type as string];
      if (!types.some((type) => matchesType(data, type))) {
        const expected = types.length > 1 ? `[${types.join(",")}]` : types[0];
        report(path, `Invalid type. Expected: ${expected}, given: ${jsonTypeOf(data)}`);
        return;
      }
    }
    if (node.const !== undefined && !deepEqual(node.const, data)) {
      report(path, `${field} does not match: ${JSON.stringify(node.const)}`);
    }
    if (Array.isArray(node.enum) && !node.enum.some((allowed) => deepEqual(allowed, data))) {
      report(path, `${field} must be one of the following: ${node.enum.map((v) => JSON.stringify(v)).join(", ")}`);
    }

    const subErrors = (sub: JsonSchema): number => validateJsonSchema(sub, data).length;
    if (Array.isArray(node.anyOf) && !(node.anyOf as JsonSchema[]).some((sub) => subErrors(sub) === 0)) {
      report(path, "Must validate at least one schema (anyOf)");
    }
    if (Array.isArray(node.oneOf) && (node.oneOf as JsonSchema[]).filter((sub) => subErrors(sub) === 0).length !== 1) {
      report(path, "Must validate one and only one schema (oneOf)");
    }
    if (Array.isArray(node.allOf) && (node.allOf as JsonSchema[]).some((sub) => subErrors(sub) > 0)) {
      report(path, "Must validate all the schemas (allOf)");
    }
    if (node.not !== undefined && subErrors(node.not as JsonSchema) === 0) {
      report(path, "Must not validate the schema (not)");
    }

    if (typeof data === "number") {
      visitNumber(node, data, path);
    } else if (typeof data === "string") {
      visitString(node, data, path);
    } else if (Array.isArray(data)) {
      visitArray(node, data, path);
    } else if (typeof data === "object" && data !== null) {
      visitObject(node, data as Record<string, unknown>, path);
    }
  };

  const visitNumber = (node: JsonSchema, data: number, path: string[]): void => {
    const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = node as Record<string, unknown>;
    if (typeof multipleOf === "number" && !Number.isInteger(data / multipleOf)) {
      report(path, `Must be a multiple of ${multipleOf}`);
    }
    // Draft 4 writes exclusive bounds as booleans next to minimum/maximum; later drafts as numbers.
    if (typeof minimum === "number") {
      if (exclusiveMinimum === true ? data <= minimum : data < minimum) {
        report(path, exclusiveMinimum === true ? `Must be greater than ${minimum}` : `Must be greater than or equal to ${minimum}`);
      }
    }
    if (typeof exclusiveMinimum === "number" && data <= exclusiveMinimum) {
      report(path, `Must be greater than ${exclusiveMinimum}`);
    }
    if (typeof maximum === "number") {
      if (exclusiveMaximum === true ? data >= maximum : data > maximum) {
        report(path, exclusiveMaximum === true ? `Must be less than ${maximum}` : `Must be less than or equal to ${maximum}`);
      }
    }
    if (typeof exclusiveMaximum === "number" && data >= exclusiveMaximum) {
      report(path, `Must be less than ${exclusiveMaximum}`);
    }
  };

  const visitString = (node: JsonSchema, data: string, path: string[]): void => {
    const length = [...data].length;
    if (typeof node.minLength === "number" && length < node.minLength) {
      report(path, `String length must be greater than or equal to ${node.minLength}`);
    }
    if (typeof node.maxLength === "number" && length > node.maxLength) {
      report(path, `String length must be less than or equal to ${node.maxLength}`);
    }
    if (typeof node.pattern === "string" && !new RegExp(node.pattern, "u").test(data)) {
      report(path, `Does not match pattern '${node.pattern}'`);
    }
  };

  const visitArray = (node: JsonSchema, data: unknown[], path: string[]): void => {
    if (typeof node.minItems === "number" && data.length < node.minItems) {
      report(path, `Array must have at least ${node.minItems} items`);
    }
    if (typeof node.maxItems === "number" && data.length > node.maxItems) {
      report(path, `Array must have at most ${node.maxItems} items`);
    }
    if (node.uniqueItems === true) {
      outer: for (let i = 0; i < data.length; i++) {
        for (let j = i + 1; j < data.length; j++) {
          if (deepEqual(data[i], data[j])) {
            report(path, `array items[${i},${j}] must be unique`);
            break outer;
          }
        }
      }
    }
    if (Array.isArray(node.items)) {
      const positional = node.items as JsonSchema[];
      positional.forEach((sub, index) => index < data.length && visit(sub, data[index], [...path, String(index)]));
      if (node.additionalItems === false && data.length > positional.length) {
        report(path, "No additional items allowed on array");
      } else if (typeof node.additionalItems === "object" && node.additionalItems !== null) {
        data.slice(positional.length).forEach((item, offset) =>
          visit(node.additionalItems as JsonSchema, item, [...path, String(positional.length + offset)]),
        );
      }
    } else if (typeof node.items === "object" && node.items !== null) {
      data.forEach((item, index) => visit(node.items as JsonSchema, item, [...path, String(index)]));
    }
  };

  const visitObject = (node: JsonSchema, data: Record<string, unknown>, path: string[]): void => {
    const keys = Object.keys(data);
    if (typeof node.minProperties === "number" && keys.length < node.minProperties) {
      report(path, `Must have at least ${node.minProperties} properties`);
    }
    if (typeof node.maxProperties === "number" && keys.length > node.maxProperties) {
      report(path, `Must have at most ${node.maxProperties} properties`);
    }
    for (const required of (node.required as string[] | undefined) ?? []) {
      if (!(required in data)) {
        report(path, `${required} is required`);
      }
    }
    const properties = (node.properties as Record<string, JsonSchema> | undefined) ?? {};
    const patterns = Object.entries((node.patternProperties as Record<string, JsonSchema> | undefined) ?? {});
    for (const key of keys) {
      let matched = false;
      if (key in properties) {
        matched = true;
        visit(properties[key], data[key], [...path, key]);
      }
      for (const [pattern, sub] of patterns) {
        if (new RegExp(pattern, "u").test(key)) {
          matched = true;
          visit(sub, data[key], [...path, key]);
        }
      }
      if (!matched) {
        if (node.additionalProperties === false) {
          report(path, `Additional property ${key} is not allowed`);
        } else if (typeof node.additionalProperties === "object" && node.additionalProperties !== null) {
          visit(node.additionalProperties as JsonSchema, data[key], [...path, key]);
        }
      }
    }
  };

  visit(schema, value, []);
  return errors;
}
