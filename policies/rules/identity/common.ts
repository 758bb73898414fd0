// What the IRSA rules (I1-I3) read: the service account each Mimir and Loki pod runs as and the IAM role its
// annotation names; the buckets, regions, endpoints and SSE-KMS keys each workload's S3 client uses; and what an IAM
// role's trust policy admits and its permission policies allow.
import { BucketView } from "../../lib/buckets";
import { LokiRelease } from "../../lib/loki";
import { MIMIR_CHART_DEFAULTS, MimirRelease } from "../../lib/mimir";
import { PolicyInputError, PropNode, Sourced } from "../../lib/node";
import { RuleContext } from "../../lib/policy";
import { HelmRelease, StackResource, StackView } from "../../lib/stack";
import { TYPES } from "../../lib/types";
import { containsUnknownSentinel, Inconclusive, isUnknown, known, Unknown } from "../../lib/unknown";

/** The annotation the EKS pod identity webhook reads (EKS user guide, "Configure pods to use a Kubernetes service account"). */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";
/** The audience EKS projects into the token it mounts for IRSA (EKS user guide, "Assign IAM roles to Kubernetes service accounts"). */
export const STS_AUDIENCE = "sts.amazonaws.com";
/**
 * The service-account annotation that overrides the audience of the token the EKS pod identity webhook projects
 * (aws/amazon-eks-pod-identity-webhook README, "eks.amazonaws.com/audience ... Defaults to sts.amazonaws.com";
 * pkg/cache/cache.go: entry.Audience = the annotation when present, else --token-audience, default sts.amazonaws.com).
 */
export const IRSA_AUDIENCE_ANNOTATION = "eks.amazonaws.com/audience";

// Pulumi type tokens (@pulumi/aws 7.48 and @pulumi/kubernetes 4.34 `__pulumiType`).
export const IAM = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policy: "aws:iam/policy:Policy",
  kmsAlias: "aws:kms/alias:Alias",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
} as const;

export type Workload = "Mimir" | "Loki";

/** Runs `check` per item; an item whose inputs are unknown during preview is skipped and recorded, the others still run. */
export function eachKnown<T, C extends object>(
  ctx: RuleContext<C>,
  items: Iterable<T>,
  check: (item: T) => void,
): void {
  for (const item of items) {
    try {
      check(item);
    } catch (error) {
      if (error instanceof Inconclusive) ctx.inconclusive(error.unknown);
      else throw error;
    }
  }
}

/** A non-empty string value with where it is set; undefined when absent or "" (Helm's `default` treats both as unset). */
function setText(node: PropNode): Sourced<string> | undefined {
  const value = known(node.string());
  return value === undefined || value === "" ? undefined : { value, where: node.where };
}

function setBoolean(node: PropNode, fallback: boolean): boolean {
  return known(node.boolean()) ?? fallback;
}

/** Helm's `trunc 63 | trimSuffix "-"`. */
const trunc63 = (name: string): string => name.slice(0, 63).replace(/-$/, "");

/**
 * The chart's fullname: fullnameOverride, else the release name when it contains the chart name (nameOverride or the
 * infix), else "<release>-<name>" (mimir-distributed _helpers.tpl `mimir.fullname`, infix "mimir" from
 * `mimir.infixName`; loki 18.11.0 _helpers.tpl `loki.fullname`, name "loki" from `loki.name`).
 */
function chartFullname(release: HelmRelease, infix: string): { value: string; note: string } {
  const override = setText(release.values.get("fullnameOverride"));
  if (override) return { value: trunc63(override.value), note: `the chart's fullname, from ${override.where}` };
  const name = setText(release.values.get("nameOverride"))?.value ?? infix;
  const releaseName = release.releaseName;
  return {
    value: trunc63(releaseName.includes(name) ? releaseName : `${releaseName}-${name}`),
    note: `the chart's fullname for release "${releaseName}"`,
  };
}

/** The release's own service account name: serviceAccount.name, else the fullname (create) or Kubernetes' "default". */
function generalAccountName(
  release: HelmRelease,
  create: boolean,
  fullname: { value: string; note: string },
): Sourced<string> {
  const set = setText(release.values.get("serviceAccount", "name"));
  if (set) return set;
  return create
    ? { value: fullname.value, where: `${release.label} chart default serviceAccount.name`, note: fullname.note }
    : {
        value: "default",
        where: `${release.label} serviceAccount.name`,
        note: `unset with serviceAccount.create=false: the namespace's "default" account`,
      };
}

// ------------------------------------------------------------------------------------------------------------------
// Service accounts and the role each names

export interface PodIdentity {
  readonly workload: Workload;
  readonly release: HelmRelease;
  /** Which bucket uses go through this identity ("*" = all of the release's). */
  readonly key: string;
  /** The pods that run as it, for messages: "every Mimir component", "the ruler", ... */
  readonly pods: string;
  readonly namespace: string;
  readonly name: Sourced<string>;
  /** The role ARN annotation; undefined when the service account carries none. */
  readonly roleArn?: Sourced<string>;
  /** The audience annotation, when the service account carries one (else the token's audience is sts.amazonaws.com). */
  readonly audience?: Sourced<string>;
  /** Where the annotation is (or would be) set, for the fix. */
  readonly annotationAt: string;
}

/** `system:serviceaccount:<namespace>:<name>`, the `sub` claim of the token EKS mounts (EKS user guide, IRSA). */
export function subjectOf(identity: PodIdentity): string {
  return `system:serviceaccount:${identity.namespace}:${identity.name.value}`;
}

/** The IRSA annotations of a service account the chart creates, from its values section. */
function chartAccount(section: PropNode): {
  roleArn?: Sourced<string>;
  audience?: Sourced<string>;
  annotationAt: string;
} {
  return {
    roleArn: setText(section.get("annotations", IRSA_ROLE_ANNOTATION)),
    audience: setText(section.get("annotations", IRSA_AUDIENCE_ANNOTATION)),
    annotationAt: `${section.where}.annotations["${IRSA_ROLE_ANNOTATION}"]`,
  };
}

/** A service account the chart does not create: the stack's ServiceAccount of that name, if any. */
function externalAccount(
  stack: StackView,
  namespace: string,
  name: string,
): { roleArn?: Sourced<string>; audience?: Sourced<string>; annotationAt: string } {
  const account = stack.ofType(IAM.serviceAccount).find((sa) => {
    const meta = sa.props.get("metadata");
    return (
      known(meta.get("name").string()) === name && (known(meta.get("namespace").string()) ?? "default") === namespace
    );
  });
  if (!account) {
    return {
      annotationAt: `ServiceAccount "${namespace}/${name}" (not created by the chart and not declared in this stack)`,
    };
  }
  const annotations = account.props.get("metadata", "annotations");
  return {
    roleArn: setText(annotations.get(IRSA_ROLE_ANNOTATION)),
    audience: setText(annotations.get(IRSA_AUDIENCE_ANNOTATION)),
    annotationAt: `ServiceAccount "${namespace}/${name}" metadata.annotations`,
  };
}

/**
 * mimir-distributed: every component runs as the general service account (_helpers.tpl `mimir.serviceAccountName`:
 * serviceAccount.name, else the fullname when serviceAccount.create (default true), else "default"), except the ruler
 * and the alertmanager when `<component>.serviceAccount.create`: then `<component>.serviceAccount.name`, else
 * "<general name or fullname>-<component>" (`mimir.ruler.serviceAccountName`, `mimir.alertmanager.serviceAccountName`).
 * Annotations come from the section that creates the account (templates/serviceaccount.yaml, ruler/ruler-sa.yaml).
 */
export function mimirIdentities(stack: StackView, mimir: MimirRelease): PodIdentity[] {
  const release = mimir.release;
  const values = release.values;
  const base = { workload: "Mimir" as const, release, namespace: release.namespace };
  const general = values.get("serviceAccount");
  const create = setBoolean(general.get("create"), true);
  const setName = setText(general.get("name"));
  const fullname = chartFullname(release, "mimir");
  const name = generalAccountName(release, create, fullname);
  const identities: PodIdentity[] = [];
  const generalIdentity: PodIdentity = create
    ? {
        ...base,
        key: "*",
        pods: "every Mimir component",
        name,
        ...chartAccount(general),
      }
    : {
        ...base,
        key: "*",
        pods: "every Mimir component",
        name,
        ...externalAccount(stack, release.namespace, name.value),
      };
  identities.push(generalIdentity);
  for (const component of ["ruler", "alertmanager"] as const) {
    const section = values.get(component, "serviceAccount");
    if (!setBoolean(section.get("create"), false)) continue;
    const own = setText(section.get("name"));
    identities.push({
      ...base,
      key: component,
      pods: `the ${component}`,
      name: own ?? {
        value: `${setName?.value ?? fullname.value}-${component}`,
        where: `${mimir.label} chart default ${component}.serviceAccount.name`,
        note: `${component}.serviceAccount.create=true: the release's account name + "-${component}"`,
      },
      ...chartAccount(section),
    });
  }
  return identities;
}

/** loki 18.11.0 values sections of the components that read or write object storage, per deployment mode, with their target name. */
const LOKI_STORAGE_COMPONENTS: Record<string, ReadonlyArray<[string, string]>> = {
  SimpleScalable: [
    ["write", "write"],
    ["read", "read"],
    ["backend", "backend"],
  ],
  Distributed: [
    ["ingester", "ingester"],
    ["querier", "querier"],
    ["compactor", "compactor"],
    ["indexGateway", "index-gateway"],
    ["ruler", "ruler"],
    ["patternIngester", "pattern-ingester"],
    ["bloomGateway", "bloom-gateway"],
    ["bloomPlanner", "bloom-planner"],
    ["bloomBuilder", "bloom-builder"],
  ],
};

/**
 * loki 18.11.0 (templates/_helpers.tpl `loki.serviceAccountName`, templates/_pod.tpl): a component runs as
 * `<component>.serviceAccount.name`, else "<fullname>-<target>" when `<component>.serviceAccount.create`, else the
 * release's account: serviceAccount.name, else the fullname when serviceAccount.create (default true), else "default".
 * The single binary always takes the release's account. Annotations come from the section that creates the account
 * (templates/_serviceaccount.tpl).
 */
export function lokiIdentities(stack: StackView, loki: LokiRelease): PodIdentity[] {
  const release = loki.release;
  const values = release.values;
  const base = { workload: "Loki" as const, release, namespace: release.namespace };
  const general = values.get("serviceAccount");
  const create = setBoolean(general.get("create"), true);
  const fullname = chartFullname(release, "loki");
  const generalName = generalAccountName(release, create, fullname);
  const generalAccount = create ? chartAccount(general) : externalAccount(stack, release.namespace, generalName.value);
  const mode = setText(values.get("deploymentMode"))?.value ?? "Monolithic";
  const components = mode.split("<->").flatMap((m) => LOKI_STORAGE_COMPONENTS[m] ?? []);
  const own: PodIdentity[] = [];
  for (const [key, target] of components) {
    const section = values.get(key, "serviceAccount");
    const name = setText(section.get("name"));
    const createOwn = setBoolean(section.get("create"), false);
    if (!name && !createOwn) continue;
    const identityName: Sourced<string> = name ?? {
      value: trunc63(`${fullname.value}-${target}`),
      where: `${loki.label} chart default ${key}.serviceAccount.name`,
      note: `${key}.serviceAccount.create=true: the fullname + "-${target}"`,
    };
    const account = createOwn
      ? chartAccount(section)
      : identityName.value === generalName.value && create
        ? generalAccount
        : externalAccount(stack, release.namespace, identityName.value);
    own.push({ ...base, key: "*", pods: `the ${target}`, name: identityName, ...account });
  }
  const singleBinary = mode.split("<->").some((m) => m === "Monolithic" || m === "SingleBinary");
  if (own.length === components.length && !singleBinary) return own;
  const pods =
    own.length === 0 ? "every Loki component" : `every Loki component but ${own.map((i) => i.pods).join(", ")}`;
  return [{ ...base, key: "*", pods, name: generalName, ...generalAccount }, ...own];
}

/** The stack's IAM roles; none means the roles live outside this stack and cannot be read. */
export function iamRoles(stack: StackView): StackResource[] {
  return stack.ofType(IAM.role);
}

/** The role of this stack an ARN names (by its arn, or by name while the arn is unknown); undefined when none does. */
export function roleByArn(roles: ReadonlyArray<StackResource>, arn: string): StackResource | undefined {
  const name = arn.split("/").pop();
  let undecided: Unknown | undefined;
  for (const role of roles) {
    const roleArn = role.props.get("arn").string();
    if (roleArn === arn) return role;
    if (!isUnknown(roleArn) && roleArn !== undefined) continue;
    const roleName = role.props.get("name").string();
    if (roleName === name) return role;
    if (isUnknown(roleName)) undecided ??= roleName;
    else if (isUnknown(roleArn)) undecided ??= roleArn;
  }
  if (undecided) throw new Inconclusive(undecided);
  return undefined;
}

export function roleLabel(role: StackResource): string {
  const name = role.props.get("name").string();
  return `Role "${typeof name === "string" ? name : role.name}"`;
}

// ------------------------------------------------------------------------------------------------------------------
// IAM policy documents

export interface IamStatement {
  readonly id: string;
  readonly where: string;
  readonly effect: string;
  readonly actions?: string[];
  readonly notActions?: string[];
  readonly resources?: string[];
  readonly notResources?: string[];
  readonly principal: unknown;
  /** operator -> condition key -> values */
  readonly conditions: Record<string, Record<string, string[]>>;
}

const asList = (value: unknown): string[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value.map(String) : [String(value)];

/** The statements of a policy document prop (a JSON string or an object); unknown during preview throws Inconclusive. */
export function documentStatements(node: PropNode, urn: string): IamStatement[] {
  const raw = node.raw();
  if (isUnknown(raw)) throw new Inconclusive(raw);
  if (raw === undefined || raw === null || raw === "") return [];
  if (containsUnknownSentinel(raw)) throw new Inconclusive(node.unknown());
  let document: unknown = raw;
  if (typeof raw === "string") {
    try {
      document = JSON.parse(raw);
    } catch {
      throw new PolicyInputError(`${node.where} is not valid JSON; IAM rejects the policy document.`, urn);
    }
  }
  const items = (document as { Statement?: unknown })?.Statement;
  const list = Array.isArray(items) ? items : items ? [items] : [];
  return list.map((s: Record<string, unknown>, index) => {
    const conditions: Record<string, Record<string, string[]>> = {};
    for (const [operator, keys] of Object.entries((s.Condition as Record<string, Record<string, unknown>>) ?? {})) {
      conditions[operator] = Object.fromEntries(Object.entries(keys ?? {}).map(([k, v]) => [k, asList(v) ?? []]));
    }
    const id = typeof s.Sid === "string" ? `"${s.Sid}"` : `#${index + 1}`;
    return {
      id,
      where: `${node.where} statement ${id}`,
      effect: String(s.Effect),
      actions: asList(s.Action),
      notActions: asList(s.NotAction),
      resources: asList(s.Resource),
      notResources: asList(s.NotResource),
      principal: s.Principal,
      conditions,
    };
  });
}

/** IAM wildcard matching: `*` any run of characters, `?` one character (IAM user guide, "IAM JSON policy elements: Resource"). */
export function iamMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

function statementCovers(statement: IamStatement, action: string, resource: string): boolean {
  // Action names are case-insensitive, resource ARNs case-sensitive (IAM user guide, policy elements Action/Resource).
  const actionHit = statement.actions
    ? statement.actions.some((a) => iamMatch(a, action, true))
    : statement.notActions
      ? !statement.notActions.some((a) => iamMatch(a, action, true))
      : false;
  const resourceHit = statement.resources
    ? statement.resources.some((r) => iamMatch(r, resource, false))
    : statement.notResources
      ? !statement.notResources.some((r) => iamMatch(r, resource, false))
      : false;
  return actionHit && resourceHit;
}

export interface RoleGrants {
  readonly statements: IamStatement[];
  /** Attached managed policies whose document is not in this stack (e.g. AWS managed policies). */
  readonly unreadable: string[];
}

function linkedToRole(resource: StackResource, role: StackResource, roleName: string | undefined): boolean {
  if ((resource.propertyDependencyUrns.role ?? []).includes(role.urn)) return true;
  const ref = resource.props.get("role").string();
  if (typeof ref === "string") return ref === roleName || ref === role.props.get("arn").string();
  return isUnknown(ref) && resource.dependencyUrns.includes(role.urn);
}

/** The permission statements of a role: its inline policies (RolePolicy, inlinePolicies) and managed policies of this stack. */
export function roleGrants(stack: StackView, role: StackResource): RoleGrants {
  const nameRaw = role.props.get("name").string();
  const roleName = typeof nameRaw === "string" ? nameRaw : undefined;
  const statements: IamStatement[] = [];
  const unreadable: string[] = [];
  for (const policy of stack.ofType(IAM.rolePolicy).filter((p) => linkedToRole(p, role, roleName))) {
    statements.push(...documentStatements(policy.props.get("policy"), policy.urn));
  }
  for (const inline of known(role.props.get("inlinePolicies").items()) ?? []) {
    statements.push(...documentStatements(inline.get("policy"), role.urn));
  }
  const managed = stack.ofType(IAM.policy);
  const attach = (arn: string, via?: StackResource) => {
    const policy = managed.find(
      (p) => p.props.get("arn").string() === arn || (via?.propertyDependencyUrns.policyArn ?? []).includes(p.urn),
    );
    if (policy) statements.push(...documentStatements(policy.props.get("policy"), policy.urn));
    else unreadable.push(arn);
  };
  for (const attachment of stack.ofType(IAM.rolePolicyAttachment).filter((a) => linkedToRole(a, role, roleName))) {
    attach(known(attachment.props.get("policyArn").string()) ?? "(no policyArn)", attachment);
  }
  for (const item of known(role.props.get("managedPolicyArns").items()) ?? []) {
    const arn = known(item.string());
    if (arn) attach(arn);
  }
  return { statements, unreadable };
}

/**
 * Whether the statements allow an action on a resource: an explicit Deny (without conditions) wins, then any Allow
 * (IAM user guide, "Policy evaluation logic"). Conditions of an Allow are assumed met (the program's kms:ViaService is
 * met when S3 calls KMS for the workload); INFERRED for conditions the pack cannot evaluate.
 */
export function allows(grants: RoleGrants, action: string, resource: string): "allowed" | "denied" | "missing" {
  const hits = grants.statements.filter((s) => statementCovers(s, action, resource));
  if (hits.some((s) => s.effect === "Deny" && Object.keys(s.conditions).length === 0)) return "denied";
  return hits.some((s) => s.effect === "Allow") ? "allowed" : "missing";
}

// ------------------------------------------------------------------------------------------------------------------
// Trust policies

export interface TrustVerdict {
  /** exactly: a statement names the subject exactly and works; broadly: only a wildcard or no `sub` condition admits it. */
  readonly admits: "exactly" | "broadly" | "no";
  /** The subjects the web-identity statements name, for messages. */
  readonly subjects: string[];
  /** Why a statement naming the subject still fails (issuer or audience mismatch), or admits too much. */
  readonly problems: string[];
}

const issuerOfProvider = (arn: string): string | undefined =>
  /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/.exec(arn)?.[1];

/** The OIDC issuers of the stack's EKS clusters (host and path, as IAM condition keys spell them), when known. */
export function clusterIssuers(stack: StackView): string[] {
  const issuers: string[] = [];
  for (const cluster of stack.ofType(TYPES.eksCluster)) {
    const issuer = cluster.props.get("identities", 0, "oidcs", 0, "issuer").string();
    if (typeof issuer === "string" && issuer !== "")
      issuers.push(issuer.replace(/^https:\/\//, "").replace(/\/+$/, ""));
  }
  return issuers;
}

/**
 * What a role's trust policy admits for one service account. An IRSA token is exchanged by
 * sts:AssumeRoleWithWebIdentity; the role's trust policy must allow the cluster's OIDC provider as Federated principal
 * and, by `<issuer>:sub`, the service account `system:serviceaccount:<namespace>:<name>`, with `<issuer>:aud`
 * sts.amazonaws.com (EKS user guide, "Assign IAM roles to Kubernetes service accounts"). A condition key of another
 * issuer is absent from the request, so the condition fails (IAM user guide, "Condition operators": a missing key
 * never matches StringEquals/StringLike).
 */
export function trustFor(
  role: StackResource,
  subject: string,
  issuers: ReadonlyArray<string>,
  audience: Sourced<string> = { value: STS_AUDIENCE, where: "the webhook's default audience" },
): TrustVerdict {
  const statements = documentStatements(role.props.get("assumeRolePolicy"), role.urn).filter(
    (s) =>
      s.effect === "Allow" &&
      (s.actions ?? []).some((a) => iamMatch(a, "sts:AssumeRoleWithWebIdentity", true)) &&
      asList((s.principal as { Federated?: unknown } | undefined)?.Federated) !== undefined,
  );
  const subjects: string[] = [];
  const problems: string[] = [];
  let broad = false;
  for (const statement of statements) {
    const federated = asList((statement.principal as { Federated?: unknown }).Federated) ?? [];
    const providerIssuers = federated.map(issuerOfProvider).filter((i): i is string => i !== undefined);
    const subs: Array<{ operator: string; key: string; values: string[] }> = [];
    const auds: string[][] = [];
    for (const [operator, keys] of Object.entries(statement.conditions)) {
      if (operator !== "StringEquals" && operator !== "StringLike") continue;
      for (const [key, values] of Object.entries(keys)) {
        if (key.endsWith(":sub")) subs.push({ operator, key, values });
        if (key.endsWith(":aud")) auds.push(values);
      }
    }
    subjects.push(...subs.flatMap((s) => s.values));
    // Why this statement fails even for a subject it names.
    const fails: string[] = [];
    for (const sub of subs) {
      const issuer = sub.key.slice(0, -":sub".length);
      if (!providerIssuers.includes(issuer))
        fails.push(
          `${statement.where}: condition key ${sub.key} belongs to issuer ${issuer}, but the Federated principal is ${federated.join(", ")}; ` +
            `the key is never in the request, so the condition fails`,
        );
    }
    if (issuers.length > 0 && providerIssuers.length > 0 && providerIssuers.every((i) => !issuers.includes(i)))
      fails.push(
        `${statement.where}: the Federated principal trusts issuer ${providerIssuers.join(", ")}, but this stack's EKS cluster issues tokens as ${issuers.join(", ")}`,
      );
    if (auds.some((values) => !values.includes(audience.value)))
      fails.push(
        `${statement.where}: its :aud condition admits ${auds.flat().join(", ")} and does not admit ${audience.value}, the audience of the token EKS mounts (${audience.where})`,
      );
    // StringEquals compares literally; StringLike takes * and ? (IAM user guide, "Condition operators").
    const exact = subs.some((s) =>
      s.values.some((v) => v === subject && (s.operator === "StringEquals" || !/[*?]/.test(v))),
    );
    const pattern =
      subs.length === 0 ||
      subs.every((s) =>
        s.values.some((v) => (s.operator === "StringLike" ? iamMatch(v, subject, false) : v === subject)),
      );
    if (exact && fails.length === 0) return { admits: "exactly", subjects, problems: [] };
    if (exact || !pattern) {
      if (exact) problems.push(...fails);
      continue;
    }
    if (fails.length > 0) {
      problems.push(...fails);
      continue;
    }
    broad = true;
    problems.push(
      subs.length === 0
        ? `${statement.where} has no :sub condition, so every service account of the cluster can assume the role`
        : `${statement.where} admits ${subject} only through the pattern ${subs.flatMap((s) => s.values).join(", ")}, so every service account it matches can assume the role`,
    );
  }
  return { admits: broad ? "broadly" : "no", subjects, problems };
}

// ------------------------------------------------------------------------------------------------------------------
// Buckets: region and key

/** minio-go pkg/s3utils/utils.go GetRegionFromURL: the region an AWS S3 endpoint host names ("" for the global one). */
const ENDPOINT_REGION = [
  /^s3-fips\.dualstack\.(.*?)\.amazonaws\.com$/,
  /^s3-fips\.(.*?)\.amazonaws\.com$/,
  /^s3\.dualstack\.(.*?)\.amazonaws\.com$/,
  /^s3-(.*?)\.amazonaws\.com$/,
  /^s3\.(cn.*?)\.amazonaws\.com\.cn$/,
  /^s3\.(.*?)\.amazonaws\.com$/,
];

/** The host of an endpoint written as host[:port] or a URL. */
export function endpointHost(endpoint: string): string {
  return endpoint
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
    .replace(/[/:].*$/, "")
    .toLowerCase();
}

export function isAwsS3Endpoint(endpoint: string): boolean {
  return /(^|\.)amazonaws\.com(\.cn)?$/.test(endpointHost(endpoint));
}

/** The region an AWS S3 endpoint names, undefined for the global endpoint (and any it cannot tell). */
export function endpointRegion(endpoint: string): string | undefined {
  const host = endpointHost(endpoint);
  if (host === "s3-external-1.amazonaws.com") return undefined;
  if (/\.s3\.([a-z0-9-]+)\.vpce\.amazonaws\.com$/.test(host)) return /\.s3\.([a-z0-9-]+)\.vpce/.exec(host)?.[1];
  for (const pattern of ENDPOINT_REGION) {
    const region = pattern.exec(host)?.[1];
    if (region && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) return region;
  }
  return undefined;
}

const KMS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;

/** The bucket's default SSE-KMS key (BucketServerSideEncryptionConfiguration kmsMasterKeyId), if any. */
export function bucketKey(bucket: BucketView): Sourced<string> | undefined {
  for (const encryption of bucket.encryptions) {
    for (const rule of known(encryption.props.get("rules").items()) ?? []) {
      const node = rule.get("applyServerSideEncryptionByDefault", "kmsMasterKeyId");
      const key = setText(node);
      if (key) return key;
    }
  }
  return undefined;
}

/**
 * The bucket's region: its `region` (@pulumi/aws 7), else the region in bucketRegionalDomainName
 * ("<bucket>.s3.<region>.amazonaws.com"), else the region of its default SSE-KMS key, which S3 requires to be in the
 * bucket's region (S3 user guide, "Specifying server-side encryption with AWS KMS (SSE-KMS)": the key must be in the
 * same Region as the bucket). Undefined when none is set; Inconclusive while all are unknown.
 */
export function bucketRegion(bucket: BucketView): Sourced<string> | undefined {
  let pending: Unknown | undefined;
  const candidates: Array<() => Sourced<string> | undefined> = [
    () => setText(bucket.resource.props.get("region")),
    () => {
      const domain = setText(bucket.resource.props.get("bucketRegionalDomainName"));
      const region = domain && /\.s3[.-]([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(domain.value)?.[1];
      return domain && region ? { value: region, where: `${domain.where}=${domain.value}` } : undefined;
    },
    () => {
      const key = bucketKey(bucket);
      const region = key && KMS_ARN.exec(key.value)?.[1];
      return key && region
        ? { value: region, where: `the region of its SSE-KMS key ${key.where}=${key.value}` }
        : undefined;
    },
  ];
  for (const candidate of candidates) {
    try {
      const found = candidate();
      if (found) return found;
    } catch (error) {
      if (error instanceof Inconclusive) pending ??= error.unknown;
      else throw error;
    }
  }
  if (pending) throw new Inconclusive(pending);
  return undefined;
}

/** A KMS key reference as a key id: a key ARN's id, a bare id, or an alias of this stack resolved to its target. */
export function kmsKeyId(stack: StackView, reference: string): string | undefined {
  const arn = KMS_ARN.exec(reference);
  if (arn && arn[3] === "key") return arn[4];
  const alias = arn ? `alias/${arn[4]}` : reference.startsWith("alias/") ? reference : undefined;
  if (alias === undefined) return reference;
  for (const resource of stack.ofType(IAM.kmsAlias)) {
    if (known(resource.props.get("name").string()) !== alias) continue;
    const target =
      known(resource.props.get("targetKeyArn").string()) ?? known(resource.props.get("targetKeyId").string());
    return target ? kmsKeyId(stack, target) : undefined;
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------------------------------
// Where each workload's S3 client goes

export interface BucketUse {
  readonly workload: Workload;
  readonly release: HelmRelease;
  /** Which identity's pods use it ("*" every one; Mimir: "ruler", "alertmanager"). */
  readonly identityKey: string;
  /** e.g. "blocks_storage", "chunks (common.storage.s3)" */
  readonly what: string;
  readonly bucket: Sourced<string>;
  readonly region?: Sourced<string>;
  readonly endpoint?: Sourced<string>;
  /** The SSE-KMS key the client asks S3 to encrypt with, when it sets SSE-KMS. */
  readonly sseKmsKeyId?: Sourced<string>;
}

/** Mimir storage sections; their pods (ruler_storage: the ruler, alertmanager_storage: the alertmanager). */
const MIMIR_SECTIONS: ReadonlyArray<[string, string]> = [
  ["blocks_storage", "*"],
  ["ruler_storage", "ruler"],
  ["alertmanager_storage", "alertmanager"],
];

/**
 * The chart's own storage settings (mimir-distributed values.yaml `mimir.config`): blocks_storage.backend s3 always;
 * with minio.enabled (default true) every section on the release's MinIO ("<release>-minio.<namespace>.svc:9000",
 * buckets mimir-tsdb and mimir-ruler; rendered in data/mimir-distributed-6.0.0-dev.rendered-mimir-config.yaml).
 */
function mimirChartStorage(mimir: MimirRelease): Record<string, string> {
  const release = mimir.release;
  const generated: Record<string, string> = { "blocks_storage.backend": "s3" };
  if (setBoolean(release.values.get("minio", "enabled"), MIMIR_CHART_DEFAULTS.minioEnabled)) {
    const endpoint = `${release.releaseName}-minio.${release.namespace}.svc:9000`;
    for (const [section] of MIMIR_SECTIONS) {
      generated[`${section}.backend`] = "s3";
      generated[`${section}.s3.endpoint`] = endpoint;
      generated[`${section}.s3.bucket_name`] = section === "blocks_storage" ? "mimir-tsdb" : "mimir-ruler";
    }
  }
  return generated;
}

/**
 * A Mimir storage key of one section: the section's own value (structuredConfig, then the chart's config), else
 * common.storage.<key>: "Common configurations are first applied to all of the specific configurations, which allows
 * the common configurations to be overridden later by specific values" (Mimir docs, "About Grafana Mimir configurations").
 */
function mimirStorageValue(
  mimir: MimirRelease,
  chart: Record<string, string>,
  section: string,
  key: string,
): Sourced<string> | undefined {
  const own = setText(mimir.structuredNode(`${section}.${key}`));
  if (own) return own;
  if (chart[`${section}.${key}`] !== undefined)
    return { value: chart[`${section}.${key}`], where: `${mimir.label} chart-generated config ${section}.${key}` };
  return setText(mimir.structuredNode(`common.storage.${key}`));
}

/**
 * Per-tenant SSE (limits.s3_sse_type / s3_sse_kms_key_id, in structuredConfig limits or runtimeConfig.overrides.<tenant>):
 * Mimir wraps the tenant's bucket client in NewSSEBucketClient (pkg/storage/bucket/sse_bucket_client.go; used by the
 * per-tenant bucket client and the alertmanager store), which asks S3 for that key on every upload.
 */
function mimirTenantKeys(mimir: MimirRelease): Array<Sourced<string>> {
  const keys: Array<Sourced<string>> = [];
  const read = (limits: PropNode) => {
    const type = setText(limits.get("s3_sse_type"));
    const key = setText(limits.get("s3_sse_kms_key_id"));
    if (type?.value === "SSE-KMS" && key) keys.push(key);
  };
  read(mimir.structuredNode("limits"));
  for (const [, overrides] of known(mimir.values.at("runtimeConfig.overrides").entries()) ?? []) read(overrides);
  return keys;
}

export function mimirBucketUses(mimir: MimirRelease): BucketUse[] {
  const chart = mimirChartStorage(mimir);
  const uses: BucketUse[] = [];
  const tenantKeys = mimirTenantKeys(mimir);
  for (const [section, identityKey] of MIMIR_SECTIONS) {
    const value = (key: string) => mimirStorageValue(mimir, chart, section, key);
    if (value("backend")?.value !== "s3") continue;
    const bucket = value("s3.bucket_name");
    if (!bucket) continue;
    const endpoint = value("s3.endpoint");
    if (endpoint && !isAwsS3Endpoint(endpoint.value)) continue;
    const sseType = value("s3.sse.type");
    const keyIds = [...(sseType?.value === "SSE-KMS" ? [value("s3.sse.kms_key_id")] : []), ...tenantKeys].filter(
      (k): k is Sourced<string> => k !== undefined,
    );
    const base = {
      workload: "Mimir" as const,
      release: mimir.release,
      identityKey,
      what: section,
      bucket,
      region: value("s3.region"),
      endpoint,
    };
    if (keyIds.length === 0) uses.push(base);
    for (const sseKmsKeyId of keyIds) uses.push({ ...base, sseKmsKeyId });
  }
  return uses;
}

/** Loki's `s3` URL, "s3://[key:secret@]<region or endpoint>/<bucket>" (Loki configuration reference, s3_storage_config.s3). */
function parseS3Url(url: Sourced<string>): {
  region?: Sourced<string>;
  endpoint?: Sourced<string>;
  bucket?: Sourced<string>;
} {
  const match = /^s3:\/\/(?:[^@/]*@)?([^/]+)(?:\/([^/?#]+))?/i.exec(url.value);
  if (!match) return {};
  const host = match[1];
  const where = `${url.where}=${url.value}`;
  return {
    ...(host.includes(".") ? { endpoint: { value: host, where } } : { region: { value: host, where } }),
    ...(match[2] ? { bucket: { value: match[2], where } } : {}),
  };
}

/**
 * One place Loki's storage is configured, read from the first source that sets each key: `structured` (a path under
 * loki.structuredConfig), then the values the chart templates it from.
 */
function lokiStorageUses(
  loki: LokiRelease,
  what: string,
  structured: string,
  fromValues: { bucketnames?: PropNode[]; s3: PropNode[] },
): BucketUse[] {
  const pick = (key: string, extra: PropNode[] = []): Sourced<string> | undefined => {
    for (const node of [loki.values.at(`loki.structuredConfig.${structured}.${key}`), ...extra]) {
      const found = setText(node);
      if (found) return found;
    }
    return undefined;
  };
  const url = pick(
    "s3",
    fromValues.s3.map((n) => n.get("s3")),
  );
  const fromUrl = url ? parseS3Url(url) : {};
  const names = pick("bucketnames", fromValues.bucketnames ?? []) ?? fromUrl.bucket;
  if (!names) return [];
  const endpoint =
    pick(
      "endpoint",
      fromValues.s3.map((n) => n.get("endpoint")),
    ) ?? fromUrl.endpoint;
  if (endpoint && !isAwsS3Endpoint(endpoint.value)) return [];
  const region =
    pick(
      "region",
      fromValues.s3.map((n) => n.get("region")),
    ) ?? fromUrl.region;
  const sseType = pick(
    "sse.type",
    fromValues.s3.map((n) => n.get("sse", "type")),
  );
  const sseKey =
    sseType?.value === "SSE-KMS"
      ? pick(
          "sse.kms_key_id",
          fromValues.s3.map((n) => n.get("sse", "kms_key_id")),
        )
      : undefined;
  return names.value
    .split(",")
    .map((b) => b.trim())
    .filter((b) => b !== "")
    .map((bucket) => ({
      workload: "Loki" as const,
      release: loki.release,
      identityKey: "*",
      what,
      bucket: { value: bucket, where: names.where },
      region,
      endpoint,
      sseKmsKeyId: sseKey,
    }));
}

/**
 * Every bucket Loki's S3 client uses (loki 18.11.0 templates/_helpers.tpl): common.storage.s3 from
 * loki.storage.bucketNames.chunks and loki.storage.s3 (`loki.commonStorageConfig`, `loki.lokiStorageConfig.s3`), the
 * ruler's storage from loki.storage.bucketNames.ruler (`loki.rulerStorageConfig`, while ruler.enabled), and
 * storage_config.aws from loki.storage_config; loki.structuredConfig overrides each. With
 * loki.storage.use_thanos_objstore the same bucket names go through loki.storage.object_store.s3. The chart's MinIO
 * (minio.enabled) and storage types other than s3 are not AWS S3.
 */
export function lokiBucketUses(loki: LokiRelease): BucketUse[] {
  const values = loki.values;
  if (setBoolean(values.get("minio", "enabled"), false)) return [];
  const type = setText(values.at("loki.storage.type"))?.value ?? "s3";
  const chartS3 = type === "s3" ? [values.at("loki.storage.s3")] : [];
  const bucketName = (key: string) => (type === "s3" ? [values.at(`loki.storage.bucketNames.${key}`)] : []);
  if (setBoolean(values.at("loki.storage.use_thanos_objstore"), false)) {
    const store = values.at("loki.storage.object_store");
    if (setText(store.get("type"))?.value !== "s3") return [];
    return [
      ...lokiStorageUses(loki, "chunks (object_store.s3)", "common.storage.object_store.s3", {
        bucketnames: [values.at("loki.storage.bucketNames.chunks")],
        s3: [store.get("s3")],
      }),
      ...lokiStorageUses(loki, "ruler storage (object_store.s3)", "ruler_storage.s3", {
        bucketnames: [values.at("loki.storage.bucketNames.ruler")],
        s3: [store.get("s3")],
      }),
    ];
  }
  const rulerEnabled = setBoolean(values.at("ruler.enabled"), true);
  const rulerLocal =
    setText(values.at("loki.structuredConfig.ruler.storage.type"))?.value === "local" ||
    setText(values.at("loki.rulerConfig.storage.type"))?.value === "local";
  return [
    ...lokiStorageUses(loki, "chunks (common.storage.s3)", "common.storage.s3", {
      bucketnames: bucketName("chunks"),
      s3: chartS3,
    }),
    ...(rulerEnabled && !rulerLocal
      ? lokiStorageUses(loki, "ruler storage (ruler.storage.s3)", "ruler.storage.s3", {
          bucketnames: [values.at("loki.rulerConfig.storage.s3.bucketnames"), ...bucketName("ruler")],
          s3: [values.at("loki.rulerConfig.storage.s3"), ...chartS3],
        })
      : []),
    ...lokiStorageUses(loki, "storage_config.aws", "storage_config.aws", {
      bucketnames: [values.at("loki.storage_config.aws.bucketnames")],
      s3: [values.at("loki.storage_config.aws")],
    }),
  ];
}

/** The identities whose pods reach S3: for each use, the identity of its pods (Mimir's ruler/alertmanager may have their own). */
export function servingIdentities(identities: ReadonlyArray<PodIdentity>, use: BucketUse): PodIdentity[] {
  const own = identities.filter((i) => i.key !== "*" && i.key === use.identityKey);
  return own.length > 0 ? own : identities.filter((i) => i.key === "*");
}

/** The bucket of this stack with that name. */
export function bucketNamed(buckets: ReadonlyArray<BucketView>, name: string): BucketView | undefined {
  const exact = buckets.find((b) => b.name === name);
  if (exact) return exact;
  const pending = buckets.find((b) => isUnknown(b.name));
  if (pending && isUnknown(pending.name)) throw new Inconclusive(pending.name);
  return undefined;
}

/** The workload a bucket belongs to, from its `observability/bucket-role` tag (mimir* or loki*). */
export function bucketOwner(bucket: BucketView): Workload | undefined {
  if (bucket.role?.startsWith("mimir")) return "Mimir";
  if (bucket.role?.startsWith("loki")) return "Loki";
  return undefined;
}
