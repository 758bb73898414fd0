/**
 * What no first preview can judge, and says so ("can't run"): the IRSA roles' ARNs, trust policies and grants, and
 * the buckets' region, are outputs of resources the update creates (the trust names the cluster's OIDC issuer, which
 * EKS assigns at creation; the roles are auto-named). The update and every later preview judge them (README, "The
 * first preview of a new stack").
 */
export const UNKNOWABLE_IN_FIRST_PREVIEW: ReadonlySet<string> = new Set([
  "workload-identity-matches-role",
  "storage-buckets-granted-to-workload",
  "storage-region-matches-buckets",
]);
