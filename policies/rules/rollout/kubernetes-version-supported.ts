// U9 (HARD at the end of support; advisory while the cluster pays for extended support): the Kubernetes version an EKS
// cluster asks for against the EKS version lifecycle (policies/lib/eks-versions.ts).
// - Past the end of extended support EKS no longer creates clusters at that version, and existing control planes are
//   auto-upgraded to the oldest supported version at any time, with no notice; managed node groups stay on the old
//   version (EKS user guide, "Understand the Kubernetes version lifecycle on EKS", extended support FAQ). The program
//   keeps asking for the old version (which EKS cannot downgrade to) and pins the cluster-autoscaler to that minor
//   (components/cluster/autoscaler.ts CLUSTER_AUTOSCALER_VERSIONS; the autoscaler must match the cluster's minor).
// - With upgradePolicy.supportType STANDARD (what the program sets) the same auto-upgrade happens at the end of
//   standard support (EKS API reference, UpgradePolicyRequest: "If the cluster is set to STANDARD, it will be
//   automatically upgraded at the end of standard support").
// - With supportType EXTENDED (the EKS default) a version past standard support runs, at $0.60 instead of $0.10 per
//   cluster-hour (EKS_CLUSTER_HOUR_USD): advised, not refused.
// "Today" is the policy config `today` (an ISO date; default the clock at the time of the check), so tests pin it.
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { EKS_CLUSTER_HOUR_USD, EKS_VERSION_CALENDAR, eksSupportPhase, HOURS_PER_MONTH } from "../../lib/eks-versions";
import { stackRule } from "../../lib/policy";
import { TYPES } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";

interface Config {
  today?: string;
}

const todaySchema: PolicyConfigJSONSchema = {
  type: "string",
  pattern: "^\\d{4}-\\d{2}-\\d{2}$",
  description: "The date (UTC, YYYY-MM-DD) the versions are judged on. Default: the day the check runs.",
};

export const kubernetesVersionSupported = stackRule<Config>(
  {
    name: "kubernetes-version-supported",
    rule: "U9",
    description:
      "The EKS cluster's Kubernetes version must not be past the end of EKS extended support, nor past the end of standard support with upgradePolicy STANDARD (EKS auto-upgrades it); extended support is advised against (6x the control-plane price)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Set cluster.kubernetesVersion to a minor in EKS standard support (the profiles default to one), and upgrade one minor at a time before each end of support.",
    url: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html (release calendar); https://aws.amazon.com/blogs/containers/amazon-eks-extended-support-for-kubernetes-versions-pricing/",
    tags: ["eks", "rollout", "cost"],
    configSchema: { properties: { today: todaySchema } },
  },
  (stack, ctx) => {
    const today = ctx.config.today ?? new Date().toISOString().slice(0, 10);
    for (const cluster of stack.ofType(TYPES.eksCluster)) {
      const versionNode = cluster.props.get("version");
      const version = versionNode.string();
      const supportNode = cluster.props.get("upgradePolicy").get("supportType");
      const support = supportNode.string();
      if (isUnknown(version)) {
        ctx.inconclusive(version);
        continue;
      }
      if (isUnknown(support)) {
        ctx.inconclusive(support);
        continue;
      }
      if (version === undefined) continue; // EKS picks its default version, which is supported
      const phase = eksSupportPhase(version, today);
      if (phase === undefined || phase === "standard") continue;
      const dates = EKS_VERSION_CALENDAR[version];
      const supportType = support ?? "EXTENDED";
      const supportWhere =
        support !== undefined ? `${supportNode.where}=${support}` : "upgradePolicy.supportType EXTENDED (EKS default)";
      const drift =
        `EKS upgrades the control plane to a newer minor at any time without notice while the managed node groups stay on ${version}, ` +
        `and every later deploy asks for ${version} again, which EKS cannot downgrade to; the cluster-autoscaler the program pins to ${version} no longer matches the cluster`;
      if (phase === "ended") {
        ctx.violation(
          `${versionNode.where}=${version} is past the end of EKS extended support (${dates.endOfExtendedSupport}; today ${today}): ` +
            `EKS no longer creates clusters at ${version}, and an existing one is auto-upgraded: ${drift}. ` +
            `Fix: set cluster.kubernetesVersion to a minor in standard support.`,
          cluster.urn,
        );
      } else if (supportType === "STANDARD") {
        ctx.violation(
          `${versionNode.where}=${version} is past the end of EKS standard support (${dates.endOfStandardSupport}; today ${today}) and ${supportWhere}: ` +
            `EKS auto-upgrades such a cluster at the end of standard support: ${drift}. ` +
            `Fix: set cluster.kubernetesVersion to a minor in standard support.`,
          cluster.urn,
        );
      } else {
        const extra = (EKS_CLUSTER_HOUR_USD.extended - EKS_CLUSTER_HOUR_USD.standard) * HOURS_PER_MONTH;
        ctx.advisory(
          `${versionNode.where}=${version} is in EKS extended support (standard support ended ${dates.endOfStandardSupport}, extended ends ` +
            `${dates.endOfExtendedSupport}; today ${today}) with ${supportWhere}: the control plane costs $${EKS_CLUSTER_HOUR_USD.extended.toFixed(2)} ` +
            `instead of $${EKS_CLUSTER_HOUR_USD.standard.toFixed(2)} per cluster-hour (about $${Math.round(extra)} more a month), and EKS ` +
            `auto-upgrades it after ${dates.endOfExtendedSupport}. Fix: upgrade cluster.kubernetesVersion to a minor in standard support.`,
          cluster.urn,
        );
      }
    }
  },
);
