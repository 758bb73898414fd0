// Node autoscaling: the Kubernetes Cluster Autoscaler scales each AZ's managed node group between its minSize and
// maxSize when pods are Pending. Chosen over Karpenter because it scales the existing per-AZ managed node groups,
// keeping EKS's managed upgrades and drains; Karpenter manages instances without node groups (Karpenter docs,
// "Concepts"). One node group per AZ with --balance-similar-node-groups is what the autoscaler's AWS README (and the
// EKS user guide, "Managed node groups") prescribe for pods with zonal EBS volumes: a scale-up lands in the zone the
// pending pod's volume is in.
import type * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument } from "../identity/policies";

/** IRSA subject: the chart's service account, named here (rbac.serviceAccount.name) rather than by its fullname helper. */
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = { namespace: "kube-system", serviceAccount: "cluster-autoscaler" };

/**
 * The newest cluster-autoscaler release for each Kubernetes minor: the autoscaler must match the cluster's minor
 * (kubernetes/autoscaler cluster-autoscaler/README.md, "Releases"); versions from its cluster-autoscaler-1.x.y tags
 * (version/version.go at each tag, newest as of 2026-07-22).
 */
export const CLUSTER_AUTOSCALER_VERSIONS: Readonly<Record<string, string>> = {
  "1.30": "1.30.7",
  "1.31": "1.31.5",
  "1.32": "1.32.7",
  "1.33": "1.33.6",
  "1.34": "1.34.5",
  "1.35": "1.35.2",
  "1.36": "1.36.1",
};

export function clusterAutoscalerVersion(kubernetesVersion: string): string {
  const version = CLUSTER_AUTOSCALER_VERSIONS[kubernetesVersion];
  if (!version) {
    throw new Error(
      `no cluster-autoscaler release is listed for Kubernetes ${kubernetesVersion} (components/cluster/autoscaler.ts lists ${Object.keys(CLUSTER_AUTOSCALER_VERSIONS).join(", ")})`,
    );
  }
  return version;
}

/**
 * Least privilege (EKS best practices, "Cluster Autoscaler: employ least privileged access"): scaling actions only on
 * Auto Scaling groups tagged for this cluster's auto-discovery (EKS tags managed node groups' groups with
 * k8s.io/cluster-autoscaler/enabled and k8s.io/cluster-autoscaler/<cluster>), read-only calls on all. The action list
 * is the autoscaler AWS README's "Full Cluster Autoscaler Features Policy"; eks:DescribeNodegroup lets it read a
 * group's labels while the group has no node.
 */
export function clusterAutoscalerPolicy(clusterName: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ScaleThisClustersNodeGroups",
        Effect: "Allow",
        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
        Resource: "*",
        Condition: {
          StringEquals: {
            "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
            [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned",
          },
        },
      },
      {
        Sid: "DiscoverNodeGroups",
        Effect: "Allow",
        Action: [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
          "eks:DescribeNodegroup",
        ],
        Resource: "*",
      },
    ],
  };
}

/**
 * Outputs only at the leaves. An Output still unknown is sent to the engine as the unknown sentinel in place of the
 * whole value it stands for (pulumi/pulumi sdk/nodejs/runtime/rpc.ts serializeProperty: `if (!isKnown) return
 * unknownValue`), so a values map built inside one `apply` reaches the pack as one unknown in a new stack's first
 * preview (the cluster name, role ARN and region are unknown then) and every capacity policy, which counts this
 * release's pod, turns inconclusive. Leaf Outputs leave the rest of the map readable.
 */
export interface ClusterAutoscalerInputs {
  clusterName: pulumi.Input<string>;
  region: pulumi.Input<string>;
  roleArn: pulumi.Input<string>;
  kubernetesVersion: string;
  /** Node labels that differ between the per-AZ groups (the autoscaler must ignore them to balance the groups). */
  perGroupLabels: string[];
}

/** Values for the cluster-autoscaler chart 9.59 (paths from its values.yaml). Pure: names in, values out. */
export function clusterAutoscalerValues(inputs: ClusterAutoscalerInputs): Record<string, unknown> {
  return {
    cloudProvider: "aws",
    awsRegion: inputs.region,
    // Renders --node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/<name>.
    autoDiscovery: { clusterName: inputs.clusterName },
    image: { tag: `v${clusterAutoscalerVersion(inputs.kubernetesVersion)}` },
    rbac: {
      serviceAccount: {
        create: true,
        name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.serviceAccount,
        annotations: { "eks.amazonaws.com/role-arn": inputs.roleArn },
      },
    },
    extraArgs: {
      // Keep the per-AZ groups the same size so a zone's stateful pods find room there (AWS README, "Using
      // AutoScalingGroup per AZ"); a custom label that differs per group would opt the groups out of balancing
      // (FAQ, "balance-similar-node-groups"), so those labels are ignored. Keys after "_" are dropped by the chart.
      "balance-similar-node-groups": true,
      ...Object.fromEntries(inputs.perGroupLabels.map((label, i) => [`balancing-ignore-label_${i + 1}`, label])),
    },
    // The chart's commented example; requests equal limits so the autoscaler is never the pod evicted for memory.
    resources: { requests: { cpu: "100m", memory: "300Mi" }, limits: { memory: "300Mi" } },
    // Pod Security "restricted" (the chart's defaults are empty; its commented examples, distroless nonroot image).
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containerSecurityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
  };
}
