/**
 * A JSON-schema validator for policy config, with the messages the engine prints.
 *
 * The engine validates each policy's config with gojsonschema (pkg/resource/analyzer/config.go,
 * validatePolicyConfig); errors read "<field>: <description>" with gojsonschema v1.2.0's default locale
 * (github.com/xeipuuv/gojsonschema, locales.go) and the "(root): " prefix trimmed. Ajv does the validating; this
 * module only words its errors as gojsonschema does, and refuses (rather than silently accepts) keywords whose
 * wording it does not know.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import type { JsonSchema } from "./policy-types";

/** Keywords that only annotate; gojsonschema ignores them when validating. */
const ANNOTATIONS = new Set([
  "title",
  "description",
  "default",
  "examples",
  "$comment",
  "$schema",
  "$id",
  "id",
  "readOnly",
  "writeOnly",
  "deprecated",
]);

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
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** Rejects keywords outside IMPLEMENTED/ANNOTATIONS anywhere in the schema, naming where. */
function checkKeywords(node: unknown, path: string[]): void {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return;
  for (const [keyword, child] of Object.entries(node)) {
    if (!IMPLEMENTED.has(keyword) && !ANNOTATIONS.has(keyword))
      throw new UnsupportedSchemaError(keyword, fieldOf(path));
    if (keyword === "properties" || keyword === "patternProperties") {
      for (const [name, sub] of Object.entries(child as Record<string, unknown>)) checkKeywords(sub, [...path, name]);
    } else if (["anyOf", "oneOf", "allOf"].includes(keyword) || (keyword === "items" && Array.isArray(child))) {
      for (const sub of child as unknown[]) checkKeywords(sub, path);
    } else if (["items", "additionalItems", "additionalProperties", "not"].includes(keyword)) {
      checkKeywords(child, path);
    }
  }
}

/** gojsonschema's field: the context path without "(root).", or "(root)" itself. */
function fieldOf(path: string[]): string {
  return path.length === 0 ? "(root)" : path.join(".");
}

function pathOf(error: ErrorObject): string[] {
  return error.instancePath === ""
    ? []
    : error.instancePath
        .slice(1)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function valueAt(root: unknown, path: string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
}

const COMBINATOR_MESSAGES: Record<string, string> = {
  anyOf: "Must validate at least one schema (anyOf)",
  oneOf: "Must validate one and only one schema (oneOf)",
  not: "Must not validate the schema (not)",
};

/** gojsonschema v1.2.0's wording (locales.go) for one Ajv error; undefined when gojsonschema reports nothing. */
function describe(error: ErrorObject, value: unknown): string | undefined {
  const field = fieldOf(pathOf(error));
  const p = error.params as Record<string, any>;
  switch (error.keyword) {
    case "type": {
      const types: string[] = Array.isArray(p.type) ? p.type : String(p.type).split(",");
      return `Invalid type. Expected: ${types.length > 1 ? `[${types.join(",")}]` : types[0]}, given: ${jsonTypeOf(valueAt(value, pathOf(error)))}`;
    }
    case "const":
      return `${field} does not match: ${JSON.stringify(p.allowedValue)}`;
    case "enum":
      return `${field} must be one of the following: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "multipleOf":
      return `Must be a multiple of ${p.multipleOf}`;
    case "minimum":
      return `Must be greater than or equal to ${p.limit}`;
    case "exclusiveMinimum":
      return `Must be greater than ${p.limit}`;
    case "maximum":
      return `Must be less than or equal to ${p.limit}`;
    case "exclusiveMaximum":
      return `Must be less than ${p.limit}`;
    case "minLength":
      return `String length must be greater than or equal to ${p.limit}`;
    case "maxLength":
      return `String length must be less than or equal to ${p.limit}`;
    case "pattern":
      return `Does not match pattern '${p.pattern}'`;
    case "minItems":
      return `Array must have at least ${p.limit} items`;
    case "maxItems":
      return `Array must have at most ${p.limit} items`;
    case "uniqueItems":
      return `array items[${Math.min(p.i, p.j)},${Math.max(p.i, p.j)}] must be unique`;
    case "additionalItems":
      return "No additional items allowed on array";
    case "minProperties":
      return `Must have at least ${p.limit} properties`;
    case "maxProperties":
      return `Must have at most ${p.limit} properties`;
    case "required":
      return `${p.missingProperty} is required`;
    case "additionalProperties":
      return `Additional property ${p.additionalProperty} is not allowed`;
    default:
      return COMBINATOR_MESSAGES[error.keyword];
  }
}

const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: true });

/**
 * Compiled validators by schema text. Ajv caches by schema object only, while the engine-side config is rebuilt for
 * every stack a check analyzes; compiling the pack's schemas took ~70 ms per stack.
 */
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schema: JsonSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    checkKeywords(schema, []);
    validate = ajv.compile(schema as object);
    compiled.set(key, validate);
  }
  return validate;
}

/**
 * Validates `value` against `schema`; returns gojsonschema-style "<field>: <description>" strings, with errors at
 * the root reported without the "(root): " prefix, as the engine trims it.
 */
export function validateJsonSchema(schema: JsonSchema, value: unknown): string[] {
  const validate = validatorFor(schema);
  if (validate(value)) return [];
  const errors = validate.errors ?? [];
  // gojsonschema reports a failed anyOf/oneOf/not as one message, not the errors of each branch.
  const insideCombinator = (e: ErrorObject) =>
    /\/(anyOf|oneOf|not)(\/|$)/.test(e.schemaPath.replace(/\/(anyOf|oneOf|not)$/, ""));
  // A type mismatch is the only error gojsonschema reports for that value.
  const typeFailures = new Set(errors.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  const messages: string[] = [];
  const allOfPaths = new Set<string>();
  for (const error of errors) {
    if (insideCombinator(error)) continue;
    if (error.keyword !== "type" && typeFailures.has(error.instancePath)) continue;
    if (/\/allOf\//.test(error.schemaPath)) allOfPaths.add(error.instancePath);
    const description = describe(error, value);
    if (description === undefined) continue;
    const path = pathOf(error);
    messages.push(path.length === 0 ? description : `${fieldOf(path)}: ${description}`);
  }
  for (const instancePath of allOfPaths) {
    const path = instancePath === "" ? [] : instancePath.slice(1).split("/");
    messages.push(
      path.length === 0
        ? "Must validate all the schemas (allOf)"
        : `${fieldOf(path)}: Must validate all the schemas (allOf)`,
    );
  }
  return [...new Set(messages)];
}
