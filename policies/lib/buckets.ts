// S3 buckets with the resources that configure them. A bucket-level resource (public access block,
// encryption, policy, lifecycle) belongs to a bucket through its `bucket` prop (the bucket name) or, when
// the name is not known yet, through the property dependency of `bucket` on the Bucket resource.
import { Maybe, PropNode, Sourced } from "./node";
import { StackResource, StackView } from "./stack";
import { BUCKET_ROLE_TAG, BucketRole, TYPES } from "./types";
import { isUnknown } from "./unknown";

export interface BucketView {
  readonly resource: StackResource;
  /** Bucket name when known. */
  readonly name: Maybe<string> | undefined;
  readonly role?: BucketRole;
  readonly label: string;
  readonly publicAccessBlocks: StackResource[];
  readonly encryptions: StackResource[];
  readonly policies: StackResource[];
  readonly lifecycles: StackResource[];
}

function linked(resource: StackResource, bucket: StackResource, bucketName: Maybe<string> | undefined): boolean {
  if ((resource.propertyDependencyUrns.bucket ?? []).includes(bucket.urn)) return true;
  const ref = resource.props.get("bucket").string();
  if (typeof ref === "string" && typeof bucketName === "string") return ref === bucketName;
  // Name not known yet (preview): fall back to the plain dependency on the Bucket.
  return isUnknown(ref) && resource.dependencyUrns.includes(bucket.urn);
}

export function bucketViews(stack: StackView): BucketView[] {
  const related = (type: string) => stack.ofType(type);
  return stack.ofType(TYPES.bucket).map((resource) => {
    const name = resource.props.get("bucket").string();
    const roleRaw = resource.props.get("tags", BUCKET_ROLE_TAG).raw();
    const label = `Bucket "${typeof name === "string" ? name : resource.name}"`;
    const of = (type: string) => related(type).filter((r) => linked(r, resource, name));
    return {
      resource,
      name,
      role: typeof roleRaw === "string" ? (roleRaw as BucketRole) : undefined,
      label,
      publicAccessBlocks: of(TYPES.bucketPublicAccessBlock),
      encryptions: of(TYPES.bucketEncryption),
      policies: of(TYPES.bucketPolicy),
      lifecycles: of(TYPES.bucketLifecycle),
    };
  });
}

/** The bucket a component names, or (name absent or not known yet) the one tagged with its role. */
export function findBucket(
  buckets: BucketView[],
  name: Maybe<string> | undefined,
  role: BucketRole,
): BucketView | undefined {
  const byName = typeof name === "string" ? buckets.find((b) => b.name === name) : undefined;
  return byName ?? buckets.find((b) => b.role === role);
}

export interface ExpirationRule {
  readonly id: string;
  /** Object key prefix the rule applies to; "" = the whole bucket. */
  readonly prefix: Sourced<string>;
  readonly days: Sourced<number>;
  readonly where: string;
}

/** Enabled lifecycle rules that expire current objects after N days (date-based and noncurrent-version rules are not read). */
export function expirationRules(lifecycle: StackResource): Maybe<ExpirationRule[]> {
  const rules = lifecycle.props.get("rules").items();
  if (isUnknown(rules)) return rules;
  const found: ExpirationRule[] = [];
  for (const rule of rules ?? []) {
    const status = rule.get("status").string();
    if (isUnknown(status)) return status;
    if (status !== "Enabled") continue;
    const daysNode = rule.get("expiration", "days");
    const days = daysNode.number();
    if (isUnknown(days)) return days;
    if (days === undefined) continue;
    const prefix = rulePrefix(rule);
    if (isUnknown(prefix)) return prefix;
    const idRaw = rule.get("id").raw();
    const id = typeof idRaw === "string" ? idRaw : `#${rule.path[rule.path.length - 1]}`;
    found.push({
      id,
      prefix,
      days: { value: days, where: daysNode.where },
      where: `${lifecycle.props.owner.label} rule "${id}"`,
    });
  }
  return found;
}

function rulePrefix(rule: PropNode): Maybe<Sourced<string>> {
  for (const node of [rule.get("filter", "prefix"), rule.get("filter", "and", "prefix"), rule.get("prefix")]) {
    const value = node.string();
    if (isUnknown(value)) return value;
    if (value !== undefined) return { value, where: node.where };
  }
  return { value: "", where: `${rule.where} prefix`, note: "no prefix filter: the whole bucket" };
}

/** Whether deleting keys under `rulePrefix` touches anything under `protectedPrefix` (either contains the other). */
export function prefixesOverlap(rulePrefix: string, protectedPrefix: string): boolean {
  return protectedPrefix.startsWith(rulePrefix) || rulePrefix.startsWith(protectedPrefix);
}
