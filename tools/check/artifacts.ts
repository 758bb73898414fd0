/**
 * The reviewable plan of one stack, written to `<out>/<stack>/`:
 *   resources.json         every resource the program registers: URN, type, name, parent, provider, dependencies, inputs
 *   values/<release>.yaml  the exact values each Helm release receives, ready for `helm template -f`
 * Secrets are redacted; keys and resources are sorted so that a pull request's diff shows only what changed.
 * A secret value found unmarked in some other input (a leak in the program) is redacted too and reported.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import type { CapturedResource, CapturedStack } from "../harness/capture";
import { REDACTED, type WireValue } from "../harness/wire";
import { isPlainObject, plainStrings, readable, secretStrings, UNKNOWN_MARKER, type Plain } from "./readable";
import { providerUrnOf } from "../harness/engine-identity";

export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
export const RESOURCES_FILE = "resources.json";
export const VALUES_DIR = "values";

/** Secrets shorter than this are not searched for in other inputs: too likely to match by chance. */
const MIN_SCANNED_SECRET_LENGTH = 8;

export interface ResourceRecord {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  /** The provider's URN (its ID is left out: it changes with nothing the reviewer controls). */
  provider?: string;
  dependencies: string[];
  propertyDependencies?: Record<string, string[]>;
  /** Set for multi-language components, whose children the engine would expand and mocks cannot. */
  remote?: true;
  /** Set for the default providers the engine registers itself. */
  synthesized?: true;
  /**
   * The resource options that decide what a change may do to it, only where they differ from the defaults:
   * protect, retainOnDelete, deleteBeforeReplace, ignoreChanges and custom timeouts (seconds).
   */
  options?: Record<string, Plain>;
  inputs: Plain;
}

export interface UnmarkedSecret {
  urn: string;
  /** Dotted path of the input that carried a secret value in plain text. */
  path: string;
}

export interface HelmValuesFile {
  /** File name under values/. */
  file: string;
  urn: string;
  release: string;
  namespace: string;
  chart: string;
  version: string;
  repo: string;
  values: Plain;
}

export interface StackArtifacts {
  resources: ResourceRecord[];
  helmValues: HelmValuesFile[];
  unmarkedSecrets: UnmarkedSecret[];
}

function textOf(value: Plain | undefined, fallback: string): string {
  return typeof value === "string" && value !== "" && value !== UNKNOWN_MARKER ? value : fallback;
}

/** Replaces every occurrence of a known secret inside plain strings, recording where it was found. */
function scrub(value: Plain, secrets: string[], where: string, found: string[]): Plain {
  if (typeof value === "string") {
    let result = value;
    for (const secret of secrets) {
      if (result.includes(secret)) {
        result = result.split(secret).join(REDACTED);
      }
    }
    if (result !== value) {
      found.push(where);
    }
    return result;
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => scrub(item, secrets, `${where}[${i}]`, found));
  }
  if (isPlainObject(value)) {
    const result: { [key: string]: Plain } = {};
    for (const [key, item] of Object.entries(value)) {
      result[key] = scrub(item, secrets, where ? `${where}.${key}` : key, found);
    }
    return result;
  }
  return value;
}

function providerUrn(reference: string | undefined): string | undefined {
  return reference ? providerUrnOf(reference) : undefined;
}

function sortedDependencies(resource: CapturedResource): Record<string, string[]> | undefined {
  const entries = Object.keys(resource.propertyDependencies)
    .sort()
    .map((key) => [key, [...resource.propertyDependencies[key]].sort()] as const)
    .filter(([, urns]) => urns.length > 0);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * Everything the stack holds as a secret: inputs, outputs, stack outputs and secret config values. A string the
 * stack exports in plain text as a stack output is public by the program's own word, even where a resource keeps it
 * inside a field its SDK marks secret wholesale: @pulumi/kubernetes wraps a Secret's whole `data` and `stringData`
 * in a secret, so a basic-auth Secret's user name (a tenant id) would otherwise count as a leaked secret wherever
 * the tenant id appears.
 */
export function stackSecrets(captured: CapturedStack): string[] {
  const found = new Set<string>();
  for (const resource of captured.resources) {
    secretStrings(resource.inputs as WireValue, found);
    secretStrings(resource.outputs as WireValue, found);
  }
  secretStrings(captured.outputs as WireValue, found);
  for (const key of captured.secretKeys) {
    if (captured.config[key] !== undefined) {
      found.add(captured.config[key]);
    }
  }
  const exported = plainStrings(captured.outputs as WireValue);
  // Longest first, so that a secret containing another is replaced whole.
  return [...found]
    .filter((s) => s.length >= MIN_SCANNED_SECRET_LENGTH && !exported.has(s))
    .sort((a, b) => b.length - a.length || a.localeCompare(b));
}

/** A value with every known secret replaced, as the artifacts hold it. */
export function scrubSecrets(value: Plain, secrets: string[]): Plain {
  return scrub(value, secrets, "", []);
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** The options a reviewer must see (what a change may delete, replace or leave behind), where not default. */
function reviewedOptions(resource: CapturedStack["resources"][number]): Record<string, Plain> {
  const o = resource.options;
  const options: Record<string, Plain> = {};
  if (o.protect) options.protect = true;
  if (o.retainOnDelete) options.retainOnDelete = true;
  if (o.deleteBeforeReplace !== undefined) options.deleteBeforeReplace = o.deleteBeforeReplace;
  if (o.ignoreChanges.length > 0) options.ignoreChanges = [...o.ignoreChanges].sort();
  const timeouts = Object.fromEntries(Object.entries(o.customTimeouts).filter(([, seconds]) => seconds > 0));
  if (Object.keys(timeouts).length > 0) options.customTimeouts = timeouts;
  return options;
}

/** The artifacts' content, computed without touching the disk. */
export function stackArtifacts(captured: CapturedStack): StackArtifacts {
  const secrets = stackSecrets(captured);
  const unmarkedSecrets: UnmarkedSecret[] = [];
  const resources = [...captured.resources]
    .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0))
    .map((resource): ResourceRecord => {
      const leaks: string[] = [];
      const inputs = scrub(readable(resource.inputs as WireValue), secrets, "", leaks);
      unmarkedSecrets.push(...leaks.map((where) => ({ urn: resource.urn, path: where })));
      const record: ResourceRecord = {
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        custom: resource.custom,
        parent: resource.parent,
        provider: providerUrn(resource.provider),
        dependencies: [...resource.dependencies].sort(),
        propertyDependencies: sortedDependencies(resource),
        inputs,
      };
      if (resource.remote) record.remote = true;
      if (resource.synthesized) record.synthesized = true;
      const options = reviewedOptions(resource);
      if (Object.keys(options).length > 0) record.options = options;
      return JSON.parse(JSON.stringify(record)) as ResourceRecord;
    });

  const releases = resources.filter((r) => r.type === HELM_RELEASE_TYPE);
  const releaseNames = releases.map((r) => textOf(isPlainObject(r.inputs) ? r.inputs.name : undefined, r.name));
  const helmValues = releases.map((record, i): HelmValuesFile => {
    const inputs = isPlainObject(record.inputs) ? record.inputs : {};
    const namespace = textOf(inputs.namespace, "default");
    const release = releaseNames[i];
    const clash = releaseNames.filter((n) => n === release).length > 1;
    const repoOpts = isPlainObject(inputs.repositoryOpts) ? inputs.repositoryOpts : {};
    return {
      file: `${safeFileName(clash ? `${namespace}-${release}` : release)}.yaml`,
      urn: record.urn,
      release,
      namespace,
      chart: textOf(inputs.chart, "(unknown chart)"),
      version: textOf(inputs.version, "(unpinned)"),
      repo: textOf(repoOpts.repo, ""),
      values: inputs.values ?? {},
    };
  });
  helmValues.sort((a, b) => a.file.localeCompare(b.file));
  return { resources, helmValues, unmarkedSecrets };
}

/** The YAML file for one release: a header saying what it is and how to render it, then the values. */
export function valuesYaml(values: HelmValuesFile): string {
  const repo = values.repo ? ` --repo ${values.repo}` : "";
  const header = [
    `# Helm release "${values.release}" in namespace ${values.namespace}: chart ${values.chart} ${values.version}${values.repo ? ` from ${values.repo}` : ""}.`,
    '# The exact values the program passes to the release (written by `npm run check`; secrets appear as "[secret]").',
    `# Render: helm template ${values.release} ${values.chart}${repo} --version ${values.version} --namespace ${values.namespace} -f ${values.file}`,
  ];
  if (JSON.stringify(values.values).includes(JSON.stringify(UNKNOWN_MARKER))) {
    header.push(`# Values shown as "${UNKNOWN_MARKER}" are known only during the update (this is a preview).`);
  }
  const body =
    isPlainObject(values.values) && Object.keys(values.values).length === 0
      ? "{}\n"
      : stringify(values.values, { sortMapEntries: true, lineWidth: 0 });
  return `${header.join("\n")}\n${body}`;
}

/** Removes what a previous run wrote for this stack (and nothing else), so that no stale file survives. */
export function removeStackArtifacts(outDir: string, stack: string): void {
  const dir = path.join(outDir, stack);
  fs.rmSync(path.join(dir, RESOURCES_FILE), { force: true });
  const valuesDir = path.join(dir, VALUES_DIR);
  if (fs.existsSync(valuesDir)) {
    for (const file of fs.readdirSync(valuesDir)) {
      if (file.endsWith(".yaml")) {
        fs.rmSync(path.join(valuesDir, file), { force: true });
      }
    }
    if (fs.readdirSync(valuesDir).length === 0) fs.rmdirSync(valuesDir);
  }
  if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
}

/** Writes the stack's artifacts; returns the files written, relative to `outDir`. */
export function writeStackArtifacts(outDir: string, stack: string, artifacts: StackArtifacts): string[] {
  removeStackArtifacts(outDir, stack);
  const dir = path.join(outDir, stack);
  fs.mkdirSync(path.join(dir, VALUES_DIR), { recursive: true });
  const written: string[] = [];
  fs.writeFileSync(path.join(dir, RESOURCES_FILE), `${JSON.stringify(artifacts.resources, null, 2)}\n`);
  written.push(path.join(stack, RESOURCES_FILE));
  for (const values of artifacts.helmValues) {
    fs.writeFileSync(path.join(dir, VALUES_DIR, values.file), valuesYaml(values));
    written.push(path.join(stack, VALUES_DIR, values.file));
  }
  return written;
}
