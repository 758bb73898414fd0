/** Well-known node label carrying the node's AZ (Kubernetes well-known labels): one definition, the pack's. */
export { ZONE_LABEL } from "../../policies/lib/zones";
