// Pulumi type tokens of the resources the rules read (@pulumi/aws 7.48 `__pulumiType`, @pulumi/kubernetes 4.34).
export const TYPES = {
  helmRelease: "kubernetes:helm.sh/v3:Release",
  bucket: "aws:s3/bucket:Bucket",
  bucketPublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  eksCluster: "aws:eks/cluster:Cluster",
  eksNodeGroup: "aws:eks/nodeGroup:NodeGroup",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  subnet: "aws:ec2/subnet:Subnet",
  natGateway: "aws:ec2/natGateway:NatGateway",
  routeTable: "aws:ec2/routeTable:RouteTable",
  route: "aws:ec2/route:Route",
  routeTableAssociation: "aws:ec2/routeTableAssociation:RouteTableAssociation",
  kubernetesSecret: "kubernetes:core/v1:Secret",
} as const;

// Strimzi 1.2.0 serves only kafka.strimzi.io/v1 (charts.md); v1beta2 is accepted too so an older program is still read.
export const STRIMZI_API_VERSIONS = ["v1", "v1beta2"] as const;
export type StrimziKind = "Kafka" | "KafkaNodePool" | "KafkaTopic" | "KafkaUser";

export function strimziType(kind: StrimziKind, apiVersion: string): string {
  return `kubernetes:kafka.strimzi.io/${apiVersion}:${kind}`;
}

// Chart names as the program passes them in the Release `chart` prop.
export const CHARTS = {
  mimir: "mimir-distributed",
  loki: "loki",
  kubePrometheusStack: "kube-prometheus-stack",
  alloy: "alloy",
  strimzi: "strimzi-kafka-operator",
  clusterAutoscaler: "cluster-autoscaler",
} as const;

// Tags every AWS resource of the program carries.
export const PROFILE_TAG = "observability/profile";
export const BUCKET_ROLE_TAG = "observability/bucket-role";
export type BucketRole = "mimirBlocks" | "mimirRuler" | "mimirAlertmanager" | "lokiChunks" | "lokiRuler";
