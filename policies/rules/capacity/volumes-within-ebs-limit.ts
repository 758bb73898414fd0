// Every persistent volume the releases and Strimzi pools claim must fit one gp3 EBS volume: a larger claim is never
// provisioned, so its pod stays Pending (and a StatefulSet's rollout with it).
import { stackRule } from "../../lib/policy";
import { EBS_GP3_MAX_GIB } from "./figures";
import { withCapacity } from "./rule";

const GiB = 2 ** 30;

export const volumesWithinEbsLimit = stackRule<object>(
  {
    name: "volumes-within-ebs-limit",
    rule: "C6",
    description: `Every persistent volume claim must fit one gp3 EBS volume (at most ${EBS_GP3_MAX_GIB} GiB)`,
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Lower the volume size (persistentVolume.size, persistence.size, storageSpec, KafkaNodePool storage) or the retention that sizes it, or spread the data over more pods.",
    url: "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volume-types.html (gp3: 1 GiB - 16 TiB)",
    tags: ["capacity"],
  },
  (stack, ctx) =>
    withCapacity(stack, ctx, (analysis) => {
      for (const group of analysis.pods.filter((g) => g.volumeBytes > EBS_GP3_MAX_GIB * GiB)) {
        ctx.violation(
          `${group.owner} ${group.component} claims ${Math.ceil(group.volumeBytes / GiB).toLocaleString("en-US")} GiB per pod, more than the ` +
            `${EBS_GP3_MAX_GIB.toLocaleString("en-US")} GiB a gp3 EBS volume holds: the EBS CSI driver cannot create it, so the pod stays Pending. ` +
            `Fix: lower the volume size or the retention that sizes it, or spread the data over more pods.`,
          group.ownerUrn,
        );
      }
    }),
);
