// Reading IAM policy documents (BucketPolicy `policy` JSON) for the S3 rules.
import { Maybe, PolicyInputError } from "./node";
import { StackResource } from "./stack";
import { isUnknown } from "./unknown";

export interface Statement {
  readonly id: string;
  readonly effect: string;
  readonly everyone: boolean;
  readonly actions: string[];
  readonly resources: string[];
  readonly condition: Record<string, Record<string, unknown>>;
}

export function parsePolicyDocument(policy: StackResource): Maybe<unknown> {
  const node = policy.props.get("policy");
  const text = node.raw();
  if (isUnknown(text)) return text;
  if (typeof text !== "string") return text ?? {};
  try {
    return JSON.parse(text);
  } catch {
    throw new PolicyInputError(`${node.where} is not valid JSON; AWS rejects the bucket policy.`, policy.urn);
  }
}

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];

export function statements(document: unknown): Statement[] {
  const raw = (document as { Statement?: unknown })?.Statement;
  const items = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return items.map((s: Record<string, unknown>, index) => {
    const principal = s.Principal;
    const everyone = principal === "*" || list((principal as { AWS?: unknown })?.AWS).includes("*");
    return {
      id: typeof s.Sid === "string" ? `"${s.Sid}"` : `#${index + 1}`,
      effect: String(s.Effect),
      everyone,
      actions: list(s.Action),
      resources: list(s.Resource),
      condition: (s.Condition as Record<string, Record<string, unknown>>) ?? {},
    };
  });
}

/** A statement that denies every S3 request without TLS (aws:SecureTransport false) on the bucket and its objects. */
export function deniesPlainHttp(statement: Statement, bucketName: string | undefined): boolean {
  if (statement.effect !== "Deny" || !statement.everyone) return false;
  if (!statement.actions.some((a) => a === "s3:*" || a === "*")) return false;
  const secure = statement.condition.Bool?.["aws:SecureTransport"];
  if (!(secure === false || secure === "false" || (Array.isArray(secure) && secure.map(String).includes("false"))))
    return false;
  if (statement.resources.includes("*")) return true;
  const arn = bucketName ? `arn:aws:s3:::${bucketName}` : undefined;
  // Both the bucket and its objects: `<arn>` and `<arn>/*`.
  return arn
    ? statement.resources.includes(arn) && statement.resources.includes(`${arn}/*`)
    : statement.resources.some((r) => statement.resources.includes(`${r}/*`));
}
