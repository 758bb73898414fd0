/** Well-known node label carrying the node's AZ, set by the cloud provider on every EKS node (Kubernetes well-known labels). */
export const ZONE_LABEL = "topology.kubernetes.io/zone";
