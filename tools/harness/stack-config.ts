/**
 * Reads a stack's configuration the way the Pulumi CLI does before it starts the program: Pulumi.yaml's `config:`
 * block supplies declared keys and defaults, Pulumi.<stack>.yaml supplies the stack's values, and the result is the
 * flat map the language host hands the program ("<namespace>:<key>" -> string, structured values as JSON).
 *
 * Sources (pulumi/pulumi): sdk/go/common/workspace/project.go (RewriteShorthandConfigValues, Project.Validate,
 * ValidateConfigValue), pkg/workspace/config.go (mergeConfig, createConfigValue, validateStackConfigValue),
 * sdk/go/common/resource/config/{key.go,object.go} (ParseKey, value marshalling). Error messages are the CLI's.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { isPlainObject } from "../../policies/model";

type ConfigTypeName = "string" | "integer" | "boolean" | "array" | "object";

interface ItemsType {
  type: ConfigTypeName;
  items?: ItemsType;
}

/** One entry of Pulumi.yaml's `config:` block after shorthand values are expanded. */
export interface ProjectConfigType {
  type?: ConfigTypeName;
  description?: string;
  items?: ItemsType;
  default?: unknown;
  value?: unknown;
  secret?: boolean;
}

export interface ProjectFile {
  name: string;
  main?: string;
  config: Record<string, ProjectConfigType>;
}

export interface StackConfig {
  project: string;
  /** The engine-shaped map: "<namespace>:<key>" -> raw string value, as the language host passes it. */
  config: Record<string, string>;
  /** Keys whose values are secret (`secure:` in the stack file). */
  secretKeys: string[];
}

export interface LoadStackConfigOptions {
  /**
   * Stack files keep secrets encrypted with the stack's secrets provider, which is not available offline.
   * "error" (default) refuses them; "ciphertext" passes `[secure:<ciphertext>]` as the (secret) value so the rest of
   * the config can still be evaluated.
   */
  secure?: "error" | "ciphertext";
}

function readYaml(file: string): unknown {
  try {
    return parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`could not read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Go's json.Marshal of a decoded YAML value: object keys sorted. */
function goJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : isPlainObject(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort(v[k])]),
          )
        : v;
  return JSON.stringify(sort(value));
}

function namespacedByProject(projectName: string, key: string): boolean {
  return !key.includes(":") || key.startsWith(`${projectName}:`);
}

/** config.ParseKey: "<namespace>:<name>", or the legacy "<namespace>:config:<name>". */
export function parseConfigKey(key: string): string {
  const parts = key.split(":");
  if (parts.length === 2) {
    return key;
  }
  if (parts.length === 3 && parts[1] === "config") {
    return `${parts[0]}:${parts[2]}`;
  }
  throw new Error(
    `could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`,
  );
}

function fullTypeName(type: ConfigTypeName, items?: ItemsType): string {
  return items ? `array<${fullTypeName(items.type, items.items)}>` : type;
}

/** workspace.ValidateConfigValue: stack values arrive as strings, so "3" is an integer and "true" a boolean. */
export function matchesConfigType(type: ConfigTypeName, items: ItemsType | undefined, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return (
        (typeof value === "number" && Number.isInteger(value)) ||
        (typeof value === "string" && /^[+-]?\d+$/.test(value))
      );
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "object":
      return isPlainObject(value);
    case "array":
      return (
        Array.isArray(value) &&
        items !== undefined &&
        value.every((item) => matchesConfigType(items.type, items.items, item))
      );
  }
}

export function loadProject(projectDir: string): ProjectFile {
  const file = path.join(projectDir, "Pulumi.yaml");
  const raw = readYaml(file);
  if (!isPlainObject(raw) || typeof raw.name !== "string" || raw.name === "") {
    throw new Error(`${file}: project is missing a 'name' attribute`);
  }
  const name = raw.name;
  const config: Record<string, ProjectConfigType> = {};
  const block = raw.config ?? {};
  if (!isPlainObject(block)) {
    throw new Error(`${file}: 'config' must be a map of configuration keys`);
  }
  for (const [key, entry] of Object.entries(block)) {
    // Shorthand: a plain value is a default for the project's own keys and a fixed value for other namespaces.
    const declared: ProjectConfigType = isPlainObject(entry)
      ? (entry as ProjectConfigType)
      : namespacedByProject(name, key)
        ? { default: entry }
        : { value: entry };
    validateDeclaration(file, name, key, declared);
    config[key] = declared;
  }
  return { name, main: typeof raw.main === "string" ? raw.main : undefined, config };
}

function validateDeclaration(file: string, projectName: string, key: string, declared: ProjectConfigType): void {
  const fail = (message: string): never => {
    throw new Error(`${file}: ${message}`);
  };
  if (declared.default !== undefined && declared.value !== undefined) {
    fail(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
  }
  if (namespacedByProject(projectName, key)) {
    if (declared.type === "array" && declared.items === undefined) {
      fail(
        `The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`,
      );
    }
    if (
      declared.type &&
      declared.default !== undefined &&
      !matchesConfigType(declared.type, declared.items, declared.default)
    ) {
      fail(
        `The default value specified for configuration key '${key}' is not of the expected type '${fullTypeName(declared.type, declared.items)}'`,
      );
    }
  } else {
    if (declared.type) {
      fail(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
    }
    if (declared.default !== undefined) {
      fail(
        `Configuration key '${key}' is not namespaced by the project and should not define a default value. ` +
          "Did you mean to use the 'value' attribute instead of 'default'?",
      );
    }
    if (declared.value === undefined) {
      fail(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
    }
  }
}

/** A `{ secure: <ciphertext> }` map: the stack file's encrypted value. */
function ciphertextOf(value: unknown): string | undefined {
  return isPlainObject(value) && Object.keys(value).length === 1 && typeof value.secure === "string"
    ? value.secure
    : undefined;
}

function containsSecure(value: unknown): boolean {
  if (ciphertextOf(value) !== undefined) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.some(containsSecure);
  }
  return isPlainObject(value) && Object.values(value).some(containsSecure);
}

function replaceSecure(value: unknown): unknown {
  const ciphertext = ciphertextOf(value);
  if (ciphertext !== undefined) {
    return `[secure:${ciphertext}]`;
  }
  if (Array.isArray(value)) {
    return value.map(replaceSecure);
  }
  return isPlainObject(value)
    ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceSecure(v)]))
    : value;
}

/** The path (".a.b[0]") of the first number that is infinite or NaN, "" for the value itself, undefined if none. */
function nonFinitePath(value: unknown, at = ""): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : at;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nonFinitePath(item, `${at}[${i}]`);
      if (found !== undefined) return found;
    }
  } else if (isPlainObject(value)) {
    for (const [k, item] of Object.entries(value)) {
      const found = nonFinitePath(item, `${at}.${k}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** YAML's spelling of a non-finite number, as the user wrote it. */
function yamlNumber(n: number): string {
  return Number.isNaN(n) ? ".nan" : n > 0 ? ".inf" : "-.inf";
}

function valueAtPath(value: unknown, at: string): unknown {
  const steps = at.match(/\.[^.[]+|\[\d+\]/g) ?? [];
  return steps.reduce<unknown>(
    (node, step) =>
      step.startsWith("[")
        ? (node as unknown[])[Number(step.slice(1, -1))]
        : (node as Record<string, unknown>)[step.slice(1)],
    value,
  );
}

/** config.Value's string form: strings as-is, other scalars and structures as (Go) JSON. */
function stringForm(value: unknown): string {
  return typeof value === "string" ? value : goJson(value);
}

export function loadStackConfig(projectDir: string, stack: string, options: LoadStackConfigOptions = {}): StackConfig {
  const project = loadProject(projectDir);
  const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
  // A stack without a stack file simply has no stack-level values.
  const raw = fs.existsSync(stackFile) ? readYaml(stackFile) : {};
  const stackBlock = isPlainObject(raw) ? (raw.config ?? {}) : {};
  if (!isPlainObject(stackBlock)) {
    throw new Error(`${stackFile}: 'config' must be a map of configuration keys`);
  }

  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const structured = new Set<string>();
  for (const [rawKey, value] of Object.entries(stackBlock)) {
    const key = parseConfigKey(rawKey);
    if (containsSecure(value)) {
      if (options.secure !== "ciphertext") {
        throw new Error(
          `${stackFile}: configuration key '${key}' is a secret (secure:), which cannot be decrypted without the ` +
            'stack\'s secrets provider; create secrets with @pulumi/random or pass { secure: "ciphertext" }',
        );
      }
      secretKeys.push(key);
    }
    const plain = replaceSecure(value);
    const nonFinite = nonFinitePath(plain);
    if (nonFinite !== undefined) {
      // YAML has .inf and .nan; JSON, the form structured config reaches the program in, has neither (Go's
      // json.Marshal refuses them: "json: unsupported value"), so the CLI cannot pass the value on.
      throw new Error(
        `${stackFile}: configuration key '${key}${nonFinite}' is ${yamlNumber(valueAtPath(plain, nonFinite) as number)}, which config values cannot hold: give a finite number`,
      );
    }
    if (typeof plain === "object" && plain !== null) {
      structured.add(key);
    }
    config[key] = stringForm(plain);
  }

  const missing: string[] = [];
  for (const declaredKey of Object.keys(project.config).sort()) {
    const declared = project.config[declaredKey];
    const key = declaredKey.includes(":") ? parseConfigKey(declaredKey) : `${project.name}:${declaredKey}`;
    if (key in config) {
      validateStackValue(stack, declaredKey, declared, config[key], structured.has(key), secretKeys.includes(key));
      continue;
    }
    // createConfigValue: "default" wins over "value" (they cannot both be set anyway).
    const fallback = declared.default !== undefined ? declared.default : declared.value;
    if (fallback !== undefined) {
      config[key] = stringForm(fallback);
    } else if (key.startsWith(`${project.name}:`)) {
      missing.push(declaredKey);
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `Stack '${stack}' is missing configuration ${missing.length > 1 ? "values" : "value"} ${formatMissing(missing)}`,
    );
  }
  return { project: project.name, config, secretKeys };
}

function validateStackValue(
  stack: string,
  declaredKey: string,
  declared: ProjectConfigType,
  value: string,
  structured: boolean,
  secret: boolean,
): void {
  if (declared.secret && !secret) {
    throw new Error(`Stack '${stack}' with configuration key '${declaredKey}' must be encrypted as it's secret`);
  }
  // An encrypted value's content is unknown offline; the CLI would decrypt it first.
  if (!declared.type || secret) {
    return;
  }
  const content: unknown = structured ? JSON.parse(value) : value;
  if (!matchesConfigType(declared.type, declared.items, content)) {
    throw new Error(
      `Stack '${stack}' with configuration key '${declaredKey}' must be of type '${fullTypeName(declared.type, declared.items)}'`,
    );
  }
}

/** pkg/workspace/config.go, formatMissingKeys: 'a', 'b' and 'c'. */
function formatMissing(keys: string[]): string {
  if (keys.length === 1) {
    return `'${keys[0]}'`;
  }
  const quoted = keys.map((k) => `'${k}'`);
  return `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}
