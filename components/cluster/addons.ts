// The EKS add-ons this cluster runs and when each is created relative to the node groups.

export type AddonPhase = "beforeNodes" | "afterNodes";

export interface AddonPlan {
  name: string;
  phase: AddonPhase;
  why: string;
}

/**
 * DaemonSet add-ons go before the node groups: nodes only turn Ready once the VPC CNI runs on them, and with
 * bootstrapSelfManagedAddons off nothing else installs it (terraform-aws-eks `before_compute`, EKS API
 * CreateCluster bootstrapSelfManagedAddons). Deployment add-ons wait for nodes: without any, CoreDNS and the EBS
 * CSI controller stay pending and the add-on create times out after 20 minutes (prices-and-durations.md,
 * hashicorp/terraform-provider-aws#27591).
 */
export const ADDONS: AddonPlan[] = [
  { name: "vpc-cni", phase: "beforeNodes", why: "pod networking; nodes are NotReady without it" },
  { name: "kube-proxy", phase: "beforeNodes", why: "Service routing on every node" },
  { name: "eks-pod-identity-agent", phase: "beforeNodes", why: "EKS Pod Identity credentials on every node" },
  { name: "coredns", phase: "afterNodes", why: "cluster DNS (a Deployment)" },
  {
    name: "aws-ebs-csi-driver",
    phase: "afterNodes",
    why: "EBS volumes for the stateful workloads (controller is a Deployment)",
  },
];

/**
 * Add-on configuration values. The VPC CNI enforces Kubernetes NetworkPolicies only when asked (EKS user guide,
 * "Restrict pod traffic with Kubernetes network policies": `enableNetworkPolicy: "true"`); Strimzi fences Kafka's
 * listener to Mimir's pods with one.
 */
export const ADDON_CONFIGURATION: Record<string, Record<string, unknown>> = {
  "vpc-cni": { enableNetworkPolicy: "true" },
};

export function addonsIn(phase: AddonPhase): AddonPlan[] {
  return ADDONS.filter((a) => a.phase === phase);
}
