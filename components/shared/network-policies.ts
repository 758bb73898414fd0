// Ingress fences for a Helm release's pods (Kubernetes NetworkPolicy, networking.k8s.io/v1; enforced by the VPC CNI
// with enableNetworkPolicy, components/cluster/addons.ts). Only the release's gateway accepts traffic from other
// namespaces, and it authenticates every request (basic auth); every other component accepts only its own release's
// pods (memberlist, gRPC, HTTP between components), the in-namespace peers named here, and Prometheus scraping.
// Traffic from a pod's own node (kubelet probes) is always allowed (Kubernetes docs, "Network Policies": "Pods cannot
// ... block access from their resident node"; aws-network-policy-agent allows the node IP, aws/aws-network-policy-agent#65).

/** Chart component label (mimir-distributed and loki _helpers.tpl, "app.kubernetes.io/component"). */
export const COMPONENT_LABEL = "app.kubernetes.io/component";

import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { NAMESPACE_NAME_LABEL } from "./namespace";

type Labels = Record<string, string>;

export interface ReleaseFence {
  /** The release's name, for the policies' names. */
  release: string;
  namespace: string;
  /** Labels every pod of the release carries: app.kubernetes.io/name and app.kubernetes.io/instance. */
  podLabels: Labels;
  /** Pods of the same namespace outside the release that call its components (e.g. the rollout-operator). */
  inNamespacePeers: Labels[];
  /** The scraper: its namespace and pod labels. */
  scraper: { namespace: string; podLabels: Labels };
}

export interface NetworkPolicySpec {
  name: string;
  spec: k8s.types.input.networking.v1.NetworkPolicySpec;
}

/** Two NetworkPolicies: one for every component but the gateway, one for the gateway. */
export function releaseNetworkPolicies(fence: ReleaseFence): NetworkPolicySpec[] {
  const components: NetworkPolicySpec = {
    name: `${fence.release}-components`,
    spec: {
      podSelector: {
        matchLabels: fence.podLabels,
        matchExpressions: [{ key: COMPONENT_LABEL, operator: "NotIn", values: ["gateway"] }],
      },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: fence.podLabels } },
            ...fence.inNamespacePeers.map((labels) => ({ podSelector: { matchLabels: labels } })),
            {
              namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: fence.scraper.namespace } },
              podSelector: { matchLabels: fence.scraper.podLabels },
            },
          ],
        },
      ],
    },
  };
  const gateway: NetworkPolicySpec = {
    name: `${fence.release}-gateway`,
    spec: {
      podSelector: { matchLabels: { ...fence.podLabels, [COMPONENT_LABEL]: "gateway" } },
      policyTypes: ["Ingress"],
      // Any pod of the cluster: the gateway asks every request for the tenant's credentials.
      ingress: [{ from: [{ namespaceSelector: {} }] }],
    },
  };
  return [components, gateway];
}

/** Prometheus pods of kube-prometheus-stack: prometheus-operator labels them app.kubernetes.io/name=prometheus. */
export const PROMETHEUS_POD_LABELS: Labels = { "app.kubernetes.io/name": "prometheus" };

/** Registers the release's NetworkPolicies in its namespace. */
export function fenceRelease(resourceName: string, fence: ReleaseFence, opts: pulumi.CustomResourceOptions): void {
  for (const policy of releaseNetworkPolicies(fence)) {
    new k8s.networking.v1.NetworkPolicy(
      `${resourceName}-${policy.name}`,
      { metadata: { name: policy.name, namespace: fence.namespace }, spec: policy.spec },
      opts,
    );
  }
}
