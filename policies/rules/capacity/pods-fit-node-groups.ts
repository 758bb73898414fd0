// Every pod the releases and Strimzi resources create must fit a node of its zone's node groups at maximum size.
import { stackRule } from "../../lib/policy";
import { INSTANCE_SHAPES } from "./figures";
import { withCapacity } from "./rule";

export const podsFitZoneNodeGroups = stackRule<object>(
  {
    name: "pods-fit-zone-node-groups",
    rule: "C2",
    description:
      "Every pod's CPU and memory requests must fit the allocatable capacity of its zone's node groups at maxSize (after kube-reserved and DaemonSets)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise the zone's node group maxSize or instance type, lower the pods' requests or replicas, or let the pods run in more zones.",
    url: "https://github.com/awslabs/amazon-eks-ami (bootstrap.sh kube-reserved, eni-max-pods.txt); conflict-rules.md section 6 (EBS volumes are zonal)",
    tags: ["capacity"],
  },
  (stack, ctx) =>
    withCapacity(stack, ctx, (analysis) => {
      for (const pending of analysis.fit.unschedulable) {
        const where = pending.zone ? ` in ${pending.zone}` : "";
        ctx.violation(
          `${pending.pods} pod${pending.pods > 1 ? "s" : ""} of ${pending.owner} ${pending.component} cannot be scheduled${where}: ${pending.reason}. ` +
            `They stay Pending and the release's wait times out.`,
          pending.ownerUrn,
        );
      }
      for (const group of analysis.fit.unsized) {
        ctx.advisory(
          `Cannot be verified in ${group.zone}: NodeGroup "${group.nodeGroup}" uses ${group.instanceTypes.join(", ")}, which the capacity table does not size ` +
            `(policies/rules/capacity/figures.ts INSTANCE_SHAPES lists ${Object.keys(INSTANCE_SHAPES).join(", ")}).`,
          group.urn,
        );
      }
      if (analysis.unmodelledReleases.length > 0) {
        ctx.advisory(
          `Pods of ${analysis.unmodelledReleases.join(", ")} are not counted: the capacity model does not know their charts (policies/rules/capacity/pods.ts).`,
        );
      }
    }),
);
