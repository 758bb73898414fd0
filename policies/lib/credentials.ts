// Finds credentials written in clear into Helm values and Kubernetes resources (Secrets excepted: that is where
// they belong). Values the engine marks secret arrive unwrapped in the pack, so a secret-marked literal is found too:
// it still ends up in the Helm release record and the rendered manifests.
import { PropNode } from "./node";
import { StackView } from "./stack";
import { TYPES } from "./types";
import { isUnknownSentinel, Unknown } from "./unknown";

export type CredentialKind = "aws-key" | "password";

export interface CredentialScan {
  readonly findings: CredentialFinding[];
  /** Credential-named values unknown during preview: they will hold whatever the program computes. */
  readonly unknowns: Unknown[];
}

export interface CredentialFinding {
  readonly kind: CredentialKind;
  /** Where the literal is (never the literal itself). */
  readonly where: string;
  readonly urn: string;
  readonly detail: string;
}

// Keys holding AWS keys in the charts' values and Mimir/Loki config (e.g. blocks_storage.s3.secret_access_key,
// loki.storage.s3.secretAccessKey), compared lowercased without separators.
const AWS_KEY_NAMES = new Set([
  "accesskeyid",
  "secretaccesskey",
  "awsaccesskeyid",
  "awssecretaccesskey",
  "awssessiontoken",
  "sessiontoken",
]);
const AWS_ENV_NAMES = new Set(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]);
// AWS access key id format (AWS IAM docs: "AKIA" long-term, "ASIA" temporary, 20 characters).
const AWS_KEY_ID = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/;
// A password given inline in configuration text (Alloy `password = "..."`, YAML `password: ...`).
const INLINE_PASSWORD = /\b(?:password|passwd)\s*[=:]\s*"?(?!\$\{|\$\(|sys\.env|env\()([^"\s][^"\n]*)"?/i;

function normalize(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** Environment-variable references are resolved from a Secret at run time (Mimir/Loki -config.expand-env, Kubernetes $(VAR)). */
export function isPlaceholder(value: string): boolean {
  return value.trim() === "" || /^\$\{[^}]+\}$/.test(value.trim()) || /^\$\([^)]+\)$/.test(value.trim());
}

function isPasswordKey(key: string): boolean {
  const k = normalize(key);
  return (k.endsWith("password") || k.endsWith("passwd")) && !k.startsWith("existing");
}

function literal(node: PropNode): string | undefined {
  const raw = node.raw();
  return typeof raw === "string" && !isUnknownSentinel(raw) && !isPlaceholder(raw) ? raw : undefined;
}

function scan(node: PropNode, urn: string, found: CredentialFinding[], unknowns: Unknown[]): void {
  if (node.isUnknown) return;
  const raw = node.raw();
  if (typeof raw === "string") {
    if (AWS_KEY_ID.test(raw))
      found.push({ kind: "aws-key", where: node.where, urn, detail: "contains an AWS access key id" });
    if (raw.includes("\n") && INLINE_PASSWORD.test(raw))
      found.push({ kind: "password", where: node.where, urn, detail: "configuration text with an inline password" });
    return;
  }
  if (raw === null || typeof raw !== "object") return;
  if (Array.isArray(raw)) {
    raw.forEach((_, index) => scan(node.get(index), urn, found, unknowns));
    return;
  }
  const record = raw as Record<string, unknown>;
  const keys = Object.keys(record);
  // Kubernetes env entry {name, value}: credentials must come from valueFrom.secretKeyRef.
  if (typeof record.name === "string" && "value" in record && literal(node.get("value")) !== undefined) {
    const envFinding = AWS_ENV_NAMES.has(record.name)
      ? { kind: "aws-key" as const, detail: "sets a static AWS key as a literal env value" }
      : /PASSWORD|PASSWD/.test(record.name.toUpperCase())
        ? { kind: "password" as const, detail: "sets a password as a literal env value" }
        : undefined;
    if (envFinding) {
      found.push({ ...envFinding, where: `${node.where} (env ${record.name})`, urn });
      keys.splice(keys.indexOf("value"), 1);
    }
  }
  for (const key of keys) {
    const child = node.get(key);
    if (child.isUnknown && (AWS_KEY_NAMES.has(normalize(key)) || isPasswordKey(key))) {
      unknowns.push(child.unknown());
      continue;
    }
    const value = typeof record[key] === "string" ? literal(child) : undefined;
    if (value !== undefined && AWS_KEY_NAMES.has(normalize(key))) {
      found.push({ kind: "aws-key", where: child.where, urn, detail: "holds a static AWS key" });
    } else if (value !== undefined && isPasswordKey(key)) {
      found.push({ kind: "password", where: child.where, urn, detail: "holds a literal password" });
    } else {
      scan(child, urn, found, unknowns);
    }
  }
}

/** Credential literals in every Helm release's values and every Kubernetes resource except Secrets. */
export function findCredentials(stack: StackView): CredentialScan {
  const found: CredentialFinding[] = [];
  const unknowns: Unknown[] = [];
  for (const release of stack.helmReleases()) scan(release.values, release.resource.urn, found, unknowns);
  for (const resource of stack.resources) {
    if (
      resource.type.startsWith("kubernetes:") &&
      resource.type !== TYPES.helmRelease &&
      resource.type !== TYPES.kubernetesSecret
    ) {
      const raw = resource.props.raw();
      for (const key of Object.keys(raw && typeof raw === "object" ? raw : {})) {
        if (!["metadata", "apiVersion", "kind"].includes(key))
          scan(resource.props.get(key), resource.urn, found, unknowns);
      }
    }
  }
  return { findings: found, unknowns };
}
