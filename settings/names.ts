export type BucketKey = "mimirBlocks" | "mimirRuler" | "mimirAlertmanager" | "lokiChunks" | "lokiRuler";
export type BucketOwner = "mimir" | "loki";

/** Which workload owns each bucket: its IRSA role and KMS key reach exactly these. */
export const BUCKET_OWNERS: Record<BucketKey, BucketOwner> = {
  mimirBlocks: "mimir",
  mimirRuler: "mimir",
  mimirAlertmanager: "mimir",
  lokiChunks: "loki",
  lokiRuler: "loki",
};
export const BUCKET_KEYS = Object.keys(BUCKET_OWNERS) as BucketKey[];

/** Owner -> its buckets, from BUCKET_OWNERS. */
export function bucketsOf(owner: BucketOwner): BucketKey[] {
  return BUCKET_KEYS.filter((key) => BUCKET_OWNERS[key] === owner);
}

/** Kubernetes namespaces, one per concern. */
export const NAMESPACES = {
  kafka: "kafka",
  mimir: "mimir",
  loki: "loki",
  monitoring: "monitoring",
  alloy: "alloy",
} as const;

/** Helm release names; fixed so that service names (and so every URL below) are predictable. */
export const RELEASES = {
  strimzi: "strimzi",
  prometheusCrds: "prometheus-operator-crds",
  kubePrometheusStack: "kube-prometheus-stack",
  mimir: "mimir",
  loki: "loki",
  alloy: "alloy",
} as const;

/**
 * The name a chart gives what it renders, "<fullname>-<component>": fullname is the release name when that already
 * contains the chart's name, else "<release>-<chart>" (the standard Helm helper, as in mimir-distributed
 * _helpers.tpl "mimir.fullname" and loki _helpers.tpl "loki.fullname"; no fullnameOverride is set).
 */
/**
 * The labels every pod of a release carries (mimir-distributed _helpers.tpl "mimir.podLabels": app.kubernetes.io/name
 * is "mimir" (mimir.infixName) and app.kubernetes.io/instance the release; loki _helpers.tpl "loki.selectorLabels":
 * the chart's name "loki" and the release), so NetworkPolicies and Kafka's listener can name exactly those pods.
 */
export function releasePodLabels(release: string, appName: "mimir" | "loki"): Record<string, string> {
  return { "app.kubernetes.io/name": appName, "app.kubernetes.io/instance": release };
}

export function chartFullname(release: string, chart: string): string {
  return release.includes(chart) ? release : `${release}-${chart}`;
}

/**
 * In-cluster base URL of a chart's gateway Service, "<fullname>-gateway" on port 80 (mimir-distributed _helpers.tpl
 * "mimir.resourceName" with component gateway; loki _helpers.tpl "loki.gatewayFullname", values gateway.service.port).
 */
export function gatewayUrl(release: string, chart: string, namespace: string): string {
  return `http://${chartFullname(release, chart)}-gateway.${namespace}.svc`;
}

/** Service accounts that assume IAM roles through IRSA (trust policies are scoped to these names). */
export const SERVICE_ACCOUNTS = { mimir: "mimir", loki: "loki" } as const;

const BUCKET_SUFFIX: Record<BucketKey, string> = {
  mimirBlocks: "mimir-blocks",
  mimirRuler: "mimir-ruler",
  mimirAlertmanager: "mimir-alertmanager",
  lokiChunks: "loki-chunks",
  lokiRuler: "loki-ruler",
};

/**
 * S3 names are global: stack, account and region make them unique and deterministic (known during preview).
 * S3 allows 3-63 lowercase letters, digits and hyphens (S3 bucket naming rules); the stack part is shortened to fit.
 */
export function bucketName(stack: string, key: BucketKey, accountId: string, region: string): string {
  return stackScopedBucketName(stack, BUCKET_SUFFIX[key], accountId, region);
}

/** The bucket the data buckets' S3 server access logs go to (one per stack, account and region). */
export function accessLogBucketName(stack: string, accountId: string, region: string): string {
  return stackScopedBucketName(stack, "s3-access-logs", accountId, region);
}

/** "<stack>-<suffix>-<account>-<region>", the stack part sanitised and cut so the name fits S3's 63 characters. */
function stackScopedBucketName(stack: string, suffix: string, accountId: string, region: string): string {
  const tail = `-${suffix}-${accountId}-${region}`;
  const stackPart =
    stack
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, "-")
      .replace(/^-+|-+$/g, "") || "stack";
  return `${stackPart.slice(0, 63 - tail.length)}${tail}`.replace(/-{2,}/g, "-");
}

/** EKS cluster names allow 100 characters (EKS CreateCluster API); ours are short anyway. */
export function clusterName(project: string, stack: string): string {
  return `${project}-${stack}`.slice(0, 100);
}

/**
 * The tenant loki-canary writes to and reads from: the chart's default lokiCanary.tenant.name (loki 18.11.0
 * values.yaml), set explicitly so the canary's gateway user and its tenant are the same string by construction.
 * Reserved: no stack tenant may use it (settings/resolve.ts).
 */
export const LOKI_CANARY_TENANT = "self-monitoring";
