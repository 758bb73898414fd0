// I1 (HARD, blocked writes): Mimir and Loki reach S3 only through IRSA. The service account their pods run as must
// carry the eks.amazonaws.com/role-arn annotation, naming a role of this stack whose trust policy admits exactly that
// account and the audience of the token the webhook projects (eks.amazonaws.com/audience, default sts.amazonaws.com);
// otherwise STS refuses the token (or there is none) and every S3 call fails. The webhook's other annotations break
// nothing: eks.amazonaws.com/token-expiration below 600 is raised to 600 and an unparsable one ignored
// (aws/amazon-eks-pod-identity-webhook pkg/cache/cache.go, pkg/validation.go ValidateMinTokenExpiration).
import { lokiReleases } from "../../lib/loki";
import { mimirReleases } from "../../lib/mimir";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import { TYPES } from "../../lib/types";
import {
  clusterIssuers,
  eachKnown,
  iamRoles,
  IRSA_AUDIENCE_ANNOTATION,
  IRSA_ROLE_ANNOTATION,
  lokiBucketUses,
  lokiIdentities,
  mimirBucketUses,
  mimirIdentities,
  PodIdentity,
  roleByArn,
  roleLabel,
  servingIdentities,
  STS_AUDIENCE,
  subjectOf,
  trustFor,
} from "./common";

/**
 * Whether every node launch template of the stack keeps IMDSv2 to one hop: then a pod off the host network cannot
 * reach the node's credentials (EC2 user guide, "Configure the instance metadata options": the hop limit).
 */
function imdsClosed(stack: StackView): boolean {
  const templates = stack.ofType(TYPES.launchTemplate);
  return (
    templates.length > 0 &&
    templates.every((t) => t.props.get("metadataOptions", "httpPutResponseHopLimit").number() === 1)
  );
}

const CONSEQUENCE: Record<PodIdentity["workload"], string> = {
  Mimir:
    "ingesters cannot upload blocks, store-gateways and the compactor cannot read the bucket, and rule and alertmanager state cannot be stored",
  Loki: "ingesters cannot flush chunks, and queriers, the compactor and the ruler cannot read or write the bucket",
};

export const workloadIdentityMatchesRole = stackRule<object>(
  {
    name: "workload-identity-matches-role",
    rule: "I1",
    description:
      "The service account Mimir's and Loki's pods run as carries the eks.amazonaws.com/role-arn annotation, naming a role of this stack whose trust policy admits exactly system:serviceaccount:<namespace>:<name> and the token's audience (eks.amazonaws.com/audience, default sts.amazonaws.com)",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Keep serviceAccount.name (mimir-distributed defaults to the release fullname, loki to its fullname) equal to the service account the IRSA role's " +
      'trust policy names (StringEquals "<issuer>:sub": "system:serviceaccount:<namespace>:<name>"), and serviceAccount.annotations["eks.amazonaws.com/role-arn"] ' +
      "set to that role's ARN; leave eks.amazonaws.com/audience unset (sts.amazonaws.com) or make the trust policy's <issuer>:aud admit it.",
    url: "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
    tags: ["security", "aws", "iam", "mimir", "loki"],
  },
  (stack, ctx) => {
    const roles = iamRoles(stack);
    const issuers = clusterIssuers(stack);
    const noFallback = imdsClosed(stack)
      ? " (the nodes' launch template keeps IMDSv2 to one hop, so the pods cannot fall back to the node role either)"
      : "";
    const workloads = [
      ...mimirReleases(stack).map((m) => ({
        release: m.release,
        identities: () => mimirIdentities(stack, m),
        uses: () => mimirBucketUses(m),
      })),
      ...lokiReleases(stack).map((l) => ({
        release: l.release,
        identities: () => lokiIdentities(stack, l),
        uses: () => lokiBucketUses(l),
      })),
    ];
    eachKnown(ctx, workloads, (workload) => {
      const uses = workload.uses();
      if (uses.length === 0) return; // no AWS S3 bucket: no IRSA needed
      const identities = workload.identities();
      const serving = identities.filter((identity) =>
        uses.some((use) => servingIdentities(identities, use).includes(identity)),
      );
      eachKnown(ctx, serving, (identity) => {
        const subject = subjectOf(identity);
        const runsAs = `${identity.release.label}: the pods of ${identity.pods} run as service account "${identity.namespace}/${identity.name.value}" (${show(identity.name)})`;
        const buckets = [...new Set(uses.map((u) => u.bucket.value))].join(", ");
        const consequence = `every S3 call to ${buckets} fails: ${CONSEQUENCE[identity.workload]} (blocked writes)`;
        if (!identity.roleArn) {
          ctx.violation(
            `${runsAs}, which has no ${IRSA_ROLE_ANNOTATION} annotation (${identity.annotationAt}): the EKS pod identity webhook mounts no web-identity token, ` +
              `so the S3 client finds no credentials${noFallback} and ${consequence}. Fix: set ${identity.annotationAt} to the ARN of the IRSA role whose trust policy admits ${subject}.`,
            identity.release.resource.urn,
          );
          return;
        }
        // No IAM role in the stack at all: the roles are managed elsewhere and their trust cannot be read here.
        if (roles.length === 0) return;
        const arn = identity.roleArn;
        const role = roleByArn(roles, arn.value);
        if (!role) {
          ctx.violation(
            `${show(arn)} names no IAM role of this stack (${runsAs}; the stack's roles: ${roles.map(roleLabel).sort().join(", ")}): nothing here creates that role, ` +
              `lets it trust ${subject} or grants it this stack's buckets, so STS refuses the token or S3 answers AccessDenied, and ${consequence}. ` +
              `Fix: set ${identity.annotationAt} to the ARN of this stack's role for ${identity.workload} (its trust policy admits ${subject}).`,
            identity.release.resource.urn,
          );
          return;
        }
        const verdict = trustFor(role, subject, issuers, identity.audience);
        if (verdict.admits === "exactly") return;
        if (verdict.admits === "broadly") {
          ctx.violation(
            `${roleLabel(role)} (${show(arn)}) admits ${subject} only broadly: ${verdict.problems.join("; ")}. Any pod of those service accounts gets ` +
              `${identity.workload}'s S3 and KMS permissions and can read or delete every tenant's data. Fix: use StringEquals "<issuer>:sub": "${subject}" ` +
              `(and "<issuer>:aud": "sts.amazonaws.com") in the role's trust policy.`,
            role.urn,
          );
          return;
        }
        const trusted = verdict.subjects.length > 0 ? verdict.subjects.join(", ") : "no service account";
        const why = verdict.problems.length > 0 ? ` (${verdict.problems.join("; ")})` : "";
        // The audience annotation changes the token's aud claim; STS checks it against the trust policy's :aud condition.
        const audience = identity.audience;
        if (audience && audience.value !== STS_AUDIENCE && verdict.problems.some((p) => p.includes(":aud condition"))) {
          ctx.violation(
            `${runsAs}, whose ${show(audience)} makes the EKS pod identity webhook project a token for audience "${audience.value}", but ${roleLabel(role)} ` +
              `named by ${show(arn)} admits only another audience${why}: sts:AssumeRoleWithWebIdentity is refused (InvalidIdentityToken / AccessDenied), ` +
              `so ${consequence}. Fix: remove the ${IRSA_AUDIENCE_ANNOTATION} annotation (the token's audience is then ${STS_AUDIENCE}), or add "${audience.value}" ` +
              `to the role's <issuer>:aud condition and to the OIDC provider's client IDs.`,
            identity.release.resource.urn,
          );
          return;
        }
        ctx.violation(
          `${runsAs}, but ${roleLabel(role)} named by ${show(arn)} trusts ${trusted}${why}: sts:AssumeRoleWithWebIdentity is refused with AccessDenied, ` +
            `so ${consequence}. Fix: run the pods as the service account the role trusts (set serviceAccount.name back), or make the role's trust policy admit ${subject}.`,
          identity.release.resource.urn,
        );
      });
    });
  },
);
