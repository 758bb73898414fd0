/**
 * What no first preview can judge, and says so ("can't run"): the IRSA roles' ARNs, trust policies and grants, and
 * the buckets' region, are outputs of resources the update creates (the trust names the cluster's OIDC issuer, which
 * EKS assigns at creation; the roles are auto-named). A configured bridged provider previews a create with its
 * computed attributes unknown, and an unresolved Output is sent as the unknown sentinel (the engine behaviour and its
 * pulumi/pulumi citations are in tools/harness/capture-monitor.ts and sdk/nodejs/runtime/rpc.ts serializeProperty).
 * The update and every later preview judge them (README, "The first preview of a new stack").
 */
export const UNKNOWABLE_IN_FIRST_PREVIEW: ReadonlySet<string> = new Set([
  "workload-identity-matches-role",
  "storage-buckets-granted-to-workload",
  "storage-region-matches-buckets",
]);
