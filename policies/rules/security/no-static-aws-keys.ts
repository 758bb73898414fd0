// Workloads reach S3 through IRSA (web identity); a static AWS key in values or a resource leaks with every render.
import { findCredentials } from "../../lib/credentials";
import { stackRule } from "../../lib/policy";

export const noStaticAwsKeys = stackRule<object>(
  {
    name: "no-static-aws-keys",
    rule: "S4",
    description: "No static AWS access keys in Helm values or Kubernetes resources",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Remove access_key_id / secret_access_key (and AWS_* env literals); give the service account an IRSA role (serviceAccount.annotations eks.amazonaws.com/role-arn).",
    url: "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html (conflict-rules.md section 6: Mimir and Loki work with IRSA)",
    tags: ["security", "aws"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    const scanned = findCredentials(stack);
    scanned.unknowns.forEach((u) => ctx.inconclusive(u));
    for (const finding of scanned.findings.filter((f) => f.kind === "aws-key")) {
      ctx.violation(
        `${finding.where} ${finding.detail} (value not shown): the key is stored in the Helm release record and the rendered manifests, readable by anyone ` +
          `who can read them, and never rotates. Fix: delete it and use IRSA (serviceAccount annotation eks.amazonaws.com/role-arn).`,
        finding.urn,
      );
    }
  },
);
