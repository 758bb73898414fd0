// P8 (HARD, the component never starts): every volume claim the stack's charts render must ask for access modes its
// StorageClass's provisioner can give.
// - Kubernetes validation (kubernetes pkg/apis/core/validation/validation.go ValidatePersistentVolumeClaimSpec): each
//   mode must be ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod (field.NotSupported), and
//   ReadWriteOncePod "may not use ReadWriteOncePod with other access modes" (field.Forbidden): the API server refuses
//   the claim, so the StatefulSet controller creates neither the claim nor the pod.
// - The EBS CSI driver (the program's gp3 class and EKS's gp2, whose kubernetes.io/aws-ebs provisioner CSI migration
//   hands to ebs.csi.aws.com): external-provisioner turns the claim's modes into one CSI access mode
//   (kubernetes-csi/csi-lib-utils accessmodes/access_modes.go toCSIAccessMode, the driver lacking the
//   SINGLE_NODE_MULTI_WRITER capability: ReadWriteOncePod alone and ReadWriteOnce -> SINGLE_NODE_WRITER, any
//   ReadWriteMany -> MULTI_NODE_MULTI_WRITER, ReadOnlyMany -> MULTI_NODE_READER_ONLY), and the driver accepts only
//   SINGLE_NODE_WRITER, or MULTI_NODE_MULTI_WRITER for a Block volume (kubernetes-sigs/aws-ebs-csi-driver v1.64.0
//   pkg/driver/controller.go isValidCapability; validateCreateVolumeRequest: InvalidArgument "Volume capabilities not
//   supported"). A Block volume shared by many nodes is EBS Multi-Attach, which only io1/io2 volumes have (EBS user
//   guide, "Attach a volume to multiple instances with Amazon EBS Multi-Attach"), so RWX on gp3 fails in every form.
//   CreateVolume is retried without end: the claim stays Pending, and so does every pod mounting it.
// Claims: P5's inventory of the charts' volume claims (cluster-objects-referenced-exist.ts stackVolumeClaims: Mimir
// persistentVolume.accessModes, Loki persistence.accessModes / claims[].accessModes, kube-prometheus-stack
// volumeClaimTemplate.spec.accessModes and volumeMode, Grafana persistence.accessModes, Alloy controller.volumeClaimTemplates).
// Strimzi's claims are always ReadWriteOnce (cluster-operator 1.2.0 PersistentVolumeClaimUtils `.withAccessModes(
// "ReadWriteOnce")`), so its storage spec cannot ask for another mode. A claim without a class gets the stack's default
// class (the DefaultStorageClass admission plugin; the program's gp3, components/cluster/index.ts). A class the stack
// does not declare is P5's; a provisioner other than EBS is not judged.
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { TYPES } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";
import { stackVolumeClaims } from "./cluster-objects-referenced-exist";

const STORAGE_CLASS_TYPE = /^kubernetes:storage\.k8s\.io\/v[^:]+:StorageClass$/;
const EBS_PROVISIONERS = ["ebs.csi.aws.com", "kubernetes.io/aws-ebs"];
/** Kubernetes supportedAccessModes (pkg/apis/core/validation/validation.go). */
const ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];
/** EBS volume types with Multi-Attach (EBS user guide). */
const MULTI_ATTACH_TYPES = ["io1", "io2"];

interface ClassInfo {
  name: string;
  provisioner: string;
  /** parameters.type (the EBS CSI driver's default is gp3; gp2 for the in-tree class EKS creates). */
  volumeType: string;
  isDefault: boolean;
}

export const volumeClaimsProvisionable = stackRule<object>(
  {
    name: "volume-claims-provisionable",
    rule: "P8",
    description:
      "Every volume claim the charts render asks for access modes Kubernetes accepts and its StorageClass's provisioner can give: on EBS (gp3, gp2) only ReadWriteOnce or ReadWriteOncePod alone (ReadWriteMany / ReadOnlyMany are refused by the EBS CSI driver, ReadWriteOncePod with another mode by the API server)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Use accessModes [ReadWriteOnce] (or [ReadWriteOncePod]) for claims on EBS classes; a volume shared between nodes needs a class with a shared-filesystem provisioner (EFS CSI) the stack declares.",
    url: "https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/pkg/driver/controller.go (isValidCapability); https://github.com/kubernetes-csi/csi-lib-utils/blob/master/accessmodes/access_modes.go; https://docs.aws.amazon.com/ebs/latest/userguide/ebs-volumes-multi.html",
    tags: ["kubernetes", "rollout"],
  },
  (stack, ctx) => {
    if (stack.ofType(TYPES.eksCluster).length === 0) return; // a cluster made elsewhere: its classes are unknown
    const classes = new Map<string, ClassInfo>();
    // EKS applies gp2 (provisioner kubernetes.io/aws-ebs, type gp2) to every cluster; see P5.
    classes.set("gp2", { name: "gp2", provisioner: "kubernetes.io/aws-ebs", volumeType: "gp2", isDefault: false });
    for (const r of stack.resources.filter((x) => STORAGE_CLASS_TYPE.test(x.type))) {
      const [name, provisioner, type, isDefault] = [
        r.props.at("metadata.name").raw(),
        r.props.get("provisioner").raw(),
        r.props.at("parameters.type").raw(),
        r.props.at("metadata.annotations").get("storageclass.kubernetes.io/is-default-class").raw(),
      ];
      if ([name, provisioner, type, isDefault].some(isUnknown) || typeof name !== "string") continue;
      classes.set(name, {
        name,
        provisioner: String(provisioner ?? ""),
        volumeType: typeof type === "string" ? type : "gp3",
        isDefault: isDefault === "true",
      });
    }
    const defaults = [...classes.values()].filter((c) => c.isDefault);
    for (const claim of stackVolumeClaims(stack, ctx)) {
      const modesNode: PropNode | undefined = claim.modes;
      if (!modesNode || !modesNode.isPresent) continue; // the chart's / operator's ReadWriteOnce
      const raw = modesNode.raw();
      if (isUnknown(raw)) {
        ctx.inconclusive(modesNode.unknown());
        continue;
      }
      if (!Array.isArray(raw) || raw.length === 0) continue;
      const modes = raw.map(String);
      const shown = `${modesNode.where}=${JSON.stringify(modes)}`;
      const unsupported = modes.filter((m) => !ACCESS_MODES.includes(m));
      if (unsupported.length > 0) {
        ctx.violation(
          `${shown}: the API server refuses the claim of ${claim.what} (spec.accessModes: Unsupported value "${unsupported[0]}", supported: ${ACCESS_MODES.join(", ")}), ` +
            `so the StatefulSet controller creates neither the claim nor the pod: the component never starts. Fix: use [ReadWriteOnce].`,
          claim.urn,
        );
        continue;
      }
      if (modes.includes("ReadWriteOncePod") && modes.some((m) => m !== "ReadWriteOncePod")) {
        ctx.violation(
          `${shown}: the API server refuses the claim of ${claim.what} ("may not use ReadWriteOncePod with other access modes"), ` +
            `so the StatefulSet controller creates neither the claim nor the pod: the component never starts. Fix: use [ReadWriteOnce] or [ReadWriteOncePod] alone.`,
          claim.urn,
        );
        continue;
      }
      if (claim.storageClass === "") continue; // no class: P5's advisory
      const cls =
        claim.storageClass === undefined
          ? defaults.length === 1
            ? defaults[0]
            : undefined
          : classes.get(claim.storageClass);
      if (!cls || !EBS_PROVISIONERS.includes(cls.provisioner)) continue;
      const shared = modes.filter((m) => m === "ReadWriteMany" || m === "ReadOnlyMany");
      if (shared.length === 0) continue;
      const block = claim.volumeMode?.raw() === "Block";
      if (block && modes.includes("ReadWriteMany") && MULTI_ATTACH_TYPES.includes(cls.volumeType)) continue;
      const classText =
        claim.storageClass === undefined
          ? `the default StorageClass ${cls.name} (the claim names no class)`
          : `StorageClass ${cls.name} (${claim.classWhere})`;
      ctx.violation(
        `${shown}: the claim of ${claim.what} uses ${classText}, an EBS ${cls.volumeType} volume through ${cls.provisioner}, which attaches to one node at a time: ` +
          `the EBS CSI driver refuses CreateVolume (InvalidArgument "Volume capabilities not supported"${modes.includes("ReadWriteMany") ? "; shared Block volumes are EBS Multi-Attach, io1/io2 only" : ""}), ` +
          `so the claim stays Pending and so does every pod mounting it: the component never starts and a rollout stalls on its first new pod. ` +
          `Fix: use accessModes [ReadWriteOnce] (a rescheduled pod re-attaches its EBS volume in the volume's zone), or a class with a shared-filesystem provisioner (EFS CSI) the stack declares.`,
        claim.urn,
      );
    }
  },
);
