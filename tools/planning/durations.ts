/**
 * Nominal create durations per resource type, for the rollout estimate of `pulumi up` from an empty stack. Figures
 * from prices-and-durations.md with their upstream sources; the ones no public source gives are marked ASSUMPTION.
 */
import type { CapturedResource } from "../harness/capture-types";

export interface NominalDuration {
  minutes: number;
  /** e.g. "9-15 min". */
  range?: string;
  source: string;
}

export const DURATIONS = {
  eksCluster: {
    minutes: 12,
    range: "9-15 min",
    source:
      'AWS What\'s New 2021-03 ("9 minutes or less, on average"); terraform-aws-eks examples 8.5-16 min by region; pulumi-eks#1819 measured 748 s',
  },
  nodeGroup: { minutes: 3, range: "2-4 min", source: "managed node group create, Terraform logs in public issues" },
  addon: {
    minutes: 1,
    source:
      "EKS add-on create when healthy (hashicorp/terraform-provider-aws#27591); stuck to the 20 min timeout without nodes",
  },
  kubePrometheusStack: {
    minutes: 2.5,
    range: "2-3 min",
    source: "kube-prometheus-stack install with wait, public CI logs",
  },
  helmRelease: {
    minutes: 3,
    source: 'Helm release with wait: "a few minutes" in public CI logs (Helm\'s default timeout 5 min)',
  },
  helmReleaseNoPods: {
    minutes: 0.5,
    source: "ASSUMPTION: a release with no pods (CRDs only) or skipAwait has nothing to wait for",
  },
  strimziKafka: {
    minutes: 4,
    source:
      "ASSUMPTION: no published figure; a Kafka Ready condition needs the node pools' pods and volumes (about a release) plus the entity operator",
  },
  strimziReadyObject: {
    minutes: 0.25,
    source: "ASSUMPTION: KafkaTopic/KafkaUser Ready after one reconcile of the entity operator",
  },
  natGateway: { minutes: 2, source: "ASSUMPTION: NAT gateway create (provider create timeout 10 min)" },
  awsApiObject: { minutes: 0.1, source: "ASSUMPTION: IAM, KMS, S3, VPC objects are single API calls (seconds)" },
  kubernetesObject: {
    minutes: 0.05,
    source: "ASSUMPTION: a Kubernetes object without a readiness wait is one API call",
  },
  none: { minutes: 0, source: "no cloud call (component, provider or random value)" },
} as const satisfies Record<string, NominalDuration>;

const WAIT_ANNOTATION = "pulumi.com/waitFor";

function hasReadinessWait(resource: CapturedResource): boolean {
  const annotations = (resource.inputs.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations;
  return typeof annotations?.[WAIT_ANNOTATION] === "string";
}

/**
 * The nominal duration of one resource. `hasPods` says whether a Helm release creates pods (from the capacity
 * model); a release without pods only installs manifests.
 */
export function nominalDuration(resource: CapturedResource, hasPods: boolean): NominalDuration {
  const type = resource.type;
  if (!resource.custom || type.startsWith("pulumi:providers:") || type.startsWith("random:")) return DURATIONS.none;
  if (type === "aws:eks/cluster:Cluster") return DURATIONS.eksCluster;
  if (type === "aws:eks/nodeGroup:NodeGroup") return DURATIONS.nodeGroup;
  if (type === "aws:eks/addon:Addon") return DURATIONS.addon;
  if (type === "aws:ec2/natGateway:NatGateway") return DURATIONS.natGateway;
  if (type.startsWith("aws:")) return DURATIONS.awsApiObject;
  if (type === "kubernetes:helm.sh/v3:Release") {
    if (!hasPods || resource.inputs.skipAwait === true) return DURATIONS.helmReleaseNoPods;
    return String(resource.inputs.chart ?? "").endsWith("kube-prometheus-stack")
      ? DURATIONS.kubePrometheusStack
      : DURATIONS.helmRelease;
  }
  if (type.startsWith("kubernetes:kafka.strimzi.io/") && hasReadinessWait(resource)) {
    return type.endsWith(":Kafka") ? DURATIONS.strimziKafka : DURATIONS.strimziReadyObject;
  }
  if (type.startsWith("kubernetes:")) return DURATIONS.kubernetesObject;
  return DURATIONS.awsApiObject;
}
