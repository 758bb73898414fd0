// IAM documents and ARNs for the cluster, its nodes and the EBS CSI driver.
import { accountAdministersKey, type PolicyDocument } from "../identity/policies";

/** Trust policy for an AWS service principal such as eks.amazonaws.com or ec2.amazonaws.com. */
export function serviceTrustPolicy(servicePrincipal: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: servicePrincipal }, Action: "sts:AssumeRole" }],
  };
}

export function awsManagedPolicyArn(partition: string, nameWithPath: string): string {
  return `arn:${partition}:iam::aws:policy/${nameWithPath}`;
}

/** EKS user guide, "Amazon EKS cluster IAM role". */
export const CLUSTER_ROLE_POLICIES = ["AmazonEKSClusterPolicy"];
/**
 * EKS user guide, "Amazon EKS node IAM role", without AmazonEKS_CNI_Policy: any pod that reaches the node's instance
 * metadata could use it (assign and release ENIs and IPs), so the VPC CNI gets it through IRSA instead (below).
 */
export const NODE_ROLE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"];
/**
 * EKS user guide, "Configure Amazon VPC CNI plugin to use IRSA": the aws-node service account in kube-system with
 * AmazonEKS_CNI_Policy (IPv4 clusters).
 */
export const CNI_POLICY = "AmazonEKS_CNI_Policy";
export const CNI_SERVICE_ACCOUNT = { namespace: "kube-system", serviceAccount: "aws-node" };
/** EKS user guide, "Store Kubernetes volumes with Amazon EBS": the driver's managed policy and service account. */
export const EBS_CSI_POLICY = "service-role/AmazonEBSCSIDriverPolicy";
export const EBS_CSI_SERVICE_ACCOUNT = { namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa" };

/** EKS access policies are global ARNs in the "aws" account (EKS user guide, "Associate access policies"). */
export function clusterAdminAccessPolicyArn(partition: string): string {
  return `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`;
}

/**
 * Read-only access (EKS user guide, "Access policy permissions": AmazonEKSViewPolicy maps to the Kubernetes `view`
 * ClusterRole: list and get most objects, not Secrets): what a pull request's `pulumi preview` role gets.
 */
export function clusterViewAccessPolicyArn(partition: string): string {
  return `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSViewPolicy`;
}

/**
 * The key policy of a log group's key (CloudWatch Logs user guide, "Encrypt log data in CloudWatch Logs using AWS
 * KMS"): CloudWatch Logs in this region may use it for this one log group (the kms:EncryptionContext:aws:logs:arn
 * condition); the account administers the key but does not use it (reading the logs goes through CloudWatch Logs).
 */
export function logGroupKeyPolicy(args: {
  partition: string;
  region: string;
  account: string;
  logGroupName: string;
}): PolicyDocument {
  const { partition, region, account, logGroupName } = args;
  return {
    Version: "2012-10-17",
    Statement: [
      accountAdministersKey(partition, account),
      {
        Sid: "CloudWatchLogsUsesItForThisLogGroup",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: {
          ArnEquals: {
            "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${account}:log-group:${logGroupName}`,
          },
        },
      },
    ],
  };
}

/** The actions the cluster role uses the secrets key for (EKS user guide, "Encrypt Kubernetes secrets with KMS"). */
export const SECRETS_KEY_USER_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"];

/**
 * The key policy of the cluster's secrets key, scoped to its users instead of KMS's default policy (which lets any
 * IAM principal of the account that its IAM policy allows use the key): the account administers the key without
 * using it; the cluster role uses it; and an account principal may create a grant on it only for an AWS service
 * acting on its behalf (kms:GrantIsForAWSResource, as KMS's default key-user statement "Allow attachment of persistent
 * resources"), which CreateCluster with encryptionConfig needs from the deployer (kms:CreateGrant, kms:DescribeKey).
 */
export function secretsKeyPolicy(args: { partition: string; account: string; clusterRoleArn: string }): PolicyDocument {
  const { partition, account, clusterRoleArn } = args;
  return {
    Version: "2012-10-17",
    Statement: [
      accountAdministersKey(partition, account),
      {
        Sid: "ClusterRoleUsesIt",
        Effect: "Allow",
        Principal: { AWS: clusterRoleArn },
        Action: SECRETS_KEY_USER_ACTIONS,
        Resource: "*",
      },
      {
        Sid: "GrantsOnlyForAwsServices",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${account}:root` },
        Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
        Resource: "*",
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
      },
    ],
  };
}

/**
 * What the cluster role needs on the secrets key: the same statement terraform-aws-eks attaches
 * (`aws_iam_policy.cluster_encryption`: Encrypt, Decrypt, ListGrants, DescribeKey on the key only).
 */
export function clusterEncryptionPolicy(keyArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "EnvelopeEncryptSecrets", Effect: "Allow", Action: SECRETS_KEY_USER_ACTIONS, Resource: [keyArn] },
    ],
  };
}

/** A stable, readable resource name for an access entry: account and principal name, not the list position. */
export function accessEntryResourceName(
  clusterResourceName: string,
  principalArn: string,
  access: "admin" | "viewer" = "admin",
): string {
  const [, , , , account, resource] = principalArn.split(":");
  const principalName = resource.split("/").pop() ?? resource;
  return `${clusterResourceName}-${access}-${account}-${principalName}`;
}
