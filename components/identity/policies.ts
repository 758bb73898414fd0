// IAM policy documents for IRSA (IAM roles for service accounts), built from resolved values.
import * as pulumi from "@pulumi/pulumi";

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Record<string, string | string[]> | "*";
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** The audience EKS projects into service-account tokens for STS (EKS user guide, "IAM roles for service accounts"). */
export const STS_AUDIENCE = "sts.amazonaws.com";

/** Kubernetes object names: namespaces are DNS-1123 labels, service accounts DNS-1123 subdomains (k8s "Object Names and IDs"). */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function validateServiceAccountRef(namespace: string, serviceAccount: string, key: string): void {
  if (!DNS1123_LABEL.test(namespace)) {
    throw new pulumi.RunError(
      `${key}.namespace "${namespace}" is not a Kubernetes namespace name (lower-case letters, digits and '-', at most 63 characters)`,
    );
  }
  if (!DNS1123_SUBDOMAIN.test(serviceAccount)) {
    throw new pulumi.RunError(
      `${key}.serviceAccount "${serviceAccount}" is not a Kubernetes service account name (lower-case DNS subdomain)`,
    );
  }
}

/** The issuer as IAM condition keys spell it: host and path, no scheme (EKS user guide, IRSA trust policy). */
export function issuerHostPath(issuer: string): string {
  const stripped = issuer.replace(/^https:\/\//, "").replace(/\/+$/, "");
  if (!stripped || /^[a-z]+:\/\//i.test(stripped) || /\s/.test(stripped)) {
    throw new pulumi.RunError(
      `oidcIssuer "${issuer}" is not an OIDC issuer URL (expected e.g. oidc.eks.<region>.amazonaws.com/id/<ID>)`,
    );
  }
  return stripped;
}

export interface IrsaSubject {
  oidcProviderArn: string;
  /** With or without https://. */
  oidcIssuer: string;
  namespace: string;
  serviceAccount: string;
}

/**
 * Trust policy letting exactly one service account assume the role through the cluster's OIDC provider:
 * `sub` pins namespace and name, `aud` pins the STS audience (EKS user guide, "Assign IAM roles to Kubernetes
 * service accounts"). StringEquals, never StringLike: a wildcard would let any service account in.
 */
export function irsaTrustPolicy(subject: IrsaSubject): PolicyDocument {
  const issuer = issuerHostPath(subject.oidcIssuer);
  const arnMatch = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/(.+)$/.exec(subject.oidcProviderArn);
  if (!arnMatch) {
    throw new pulumi.RunError(`oidcProviderArn "${subject.oidcProviderArn}" is not an IAM OIDC provider ARN`);
  }
  if (arnMatch[1] !== issuer) {
    throw new pulumi.RunError(
      `oidcProviderArn "${subject.oidcProviderArn}" belongs to issuer "${arnMatch[1]}", not to oidcIssuer "${issuer}"; ` +
        `tokens from this cluster could never assume the role`,
    );
  }
  validateServiceAccountRef(subject.namespace, subject.serviceAccount, "workload");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AssumeFromServiceAccount",
        Effect: "Allow",
        Principal: { Federated: subject.oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${subject.namespace}:${subject.serviceAccount}`,
            [`${issuer}:aud`]: STS_AUDIENCE,
          },
        },
      },
    ],
  };
}

const BUCKET_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/**
 * Least privilege for an object-store client such as Mimir or Loki: list its own buckets, read/write/delete
 * objects in them, and use its own KMS key for SSE-KMS (GenerateDataKey to write, Decrypt to read and for
 * multipart uploads: S3 user guide, "Using SSE-KMS"). The S3 actions are the ones Loki documents for its AWS
 * bucket policy (Loki docs, "Deploy on AWS"); Mimir's object-store client needs the same set.
 */
export function bucketAccessPolicy(bucketArns: string[], kmsKeyArn: string): PolicyDocument {
  if (bucketArns.length === 0) {
    throw new pulumi.RunError(`bucketArns is empty; a workload identity must name the buckets it may use`);
  }
  const bad = bucketArns.filter((arn) => !BUCKET_ARN.test(arn));
  if (bad.length > 0) {
    throw new pulumi.RunError(
      `bucketArns contains ${bad.map((b) => `"${b}"`).join(", ")}: expected arn:aws:s3:::<bucket>, no wildcards or paths`,
    );
  }
  if (new Set(bucketArns).size !== bucketArns.length) {
    throw new pulumi.RunError(`bucketArns lists a bucket twice: ${bucketArns.join(", ")}`);
  }
  if (!KMS_KEY_ARN.test(kmsKeyArn)) {
    throw new pulumi.RunError(
      `kmsKeyArn "${kmsKeyArn}" is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; aliases and wildcards are not accepted)`,
    );
  }
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ListOwnBuckets", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [...bucketArns] },
      {
        Sid: "ReadWriteOwnObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: bucketArns.map((arn) => `${arn}/*`),
      },
      {
        Sid: "UseOwnBucketKeyThroughS3",
        Effect: "Allow",
        // S3 user guide, "Using SSE-KMS": GenerateDataKey to write, Decrypt to read and for multipart uploads;
        // kms:Encrypt is never needed. kms:ViaService keeps the key usable only through S3 (KMS developer guide,
        // "kms:ViaService"), so the role's credentials cannot decrypt data they fetched some other way.
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: [kmsKeyArn],
        Condition: { StringEquals: { "kms:ViaService": s3ServiceOf(kmsKeyArn) } },
      },
    ],
  };
}

/** "s3.<region>.amazonaws.com" for the region a KMS key ARN names (arn:<partition>:kms:<region>:<account>:key/<id>). */
function s3ServiceOf(kmsKeyArn: string): string {
  return `s3.${kmsKeyArn.split(":")[3]}.amazonaws.com`;
}

/**
 * Administrative actions only (the KMS developer guide's default key policy, "Allows key administrators to administer
 * the KMS key", with kms:Create* narrowed to CreateAlias so that no grant can be created): the account's IAM can
 * manage the key, rotate or schedule its deletion, but not use it.
 */
export const KMS_ADMIN_ACTIONS = [
  "kms:CreateAlias",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:RotateKeyOnDemand",
];

/** The key-policy statement that lets the account administer a key without using it (KMS_ADMIN_ACTIONS). */
export function accountAdministersKey(partition: string, account: string): PolicyStatement {
  return {
    Sid: "AccountAdministersTheKey",
    Effect: "Allow",
    Principal: { AWS: `arn:${partition}:iam::${account}:root` },
    Action: KMS_ADMIN_ACTIONS,
    Resource: "*",
  };
}

/**
 * The key policy of a bucket key, scoped to its users: the account administers it (never uses it), and only the
 * workload roles may use it, only through S3 in the key's region, only from this account. Replaces KMS's default
 * policy, which lets any IAM principal of the account the key's policy grants use it.
 */
export function bucketKeyPolicy(kmsKeyArn: string, userRoleArns: string[]): PolicyDocument {
  if (!KMS_KEY_ARN.test(kmsKeyArn)) throw new pulumi.RunError(`kmsKeyArn "${kmsKeyArn}" is not a KMS key ARN`);
  const [, partition, , , account] = kmsKeyArn.split(":");
  return {
    Version: "2012-10-17",
    Statement: [
      accountAdministersKey(partition, account),
      {
        Sid: "WorkloadsUseItThroughS3",
        Effect: "Allow",
        Principal: { AWS: userRoleArns },
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: "*",
        Condition: { StringEquals: { "kms:ViaService": s3ServiceOf(kmsKeyArn), "kms:CallerAccount": account } },
      },
    ],
  };
}
