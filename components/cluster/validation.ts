// Validation of the cluster's resolved arguments; each error names the argument, its value and what is allowed.
import * as pulumi from "@pulumi/pulumi";
import { eks } from "../../settings/upstream";
import { parseIpv4Cidr } from "../network/cidr";

/** EKS CreateCluster: alphanumerics, hyphens and underscores, starting with an alphanumeric, at most 100 characters. */
export function validateClusterName(name: string): void {
  if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(name)) {
    throw new pulumi.RunError(
      `name "${name}" is not a valid EKS cluster name: letters, digits, '-' and '_', starting with a letter or digit, at most 100 characters`,
    );
  }
}

/** "1.NN", at least 1.30 (settings/upstream.ts eks.minKubernetesMinor: gp2 is no longer EKS's default StorageClass). */
export const MIN_KUBERNETES_MINOR = eks.minKubernetesMinor;

export function validateKubernetesVersion(version: string): void {
  const match = /^1\.(\d{2})$/.exec(version);
  if (!match)
    throw new pulumi.RunError(
      `kubernetesVersion "${version}" must look like "1.33" (major.minor, as EKS names versions)`,
    );
  if (Number(match[1]) < MIN_KUBERNETES_MINOR) {
    throw new pulumi.RunError(
      `kubernetesVersion "${version}" is older than 1.${MIN_KUBERNETES_MINOR}: EKS marks gp2 as the default StorageClass there, ` +
        `which would compete with the gp3 default this cluster installs`,
    );
  }
}

export interface EndpointAccess {
  endpointPublicAccess: boolean;
  endpointPrivateAccess: boolean;
  publicAccessCidrs?: string[];
}

/**
 * Maps the endpoint arguments to the EKS vpcConfig fields. With the private endpoint off, nodes reach the API
 * server through the public endpoint from their NAT addresses; the EKS user guide ("Cluster API server endpoint")
 * says to either enable the private endpoint or include those addresses in the CIDRs. Their NAT addresses are not
 * known here, so a restricted public endpoint requires the private endpoint.
 */
export function endpointAccess(publicAccessCidrs: string[], privateEndpoint: boolean): EndpointAccess {
  publicAccessCidrs.forEach((cidr, i) => parseIpv4Cidr(cidr, `endpointPublicAccessCidrs[${i}]`));
  if (new Set(publicAccessCidrs).size !== publicAccessCidrs.length) {
    throw new pulumi.RunError(`endpointPublicAccessCidrs lists a CIDR twice: ${publicAccessCidrs.join(", ")}`);
  }
  if (publicAccessCidrs.length === 0 && !privateEndpoint) {
    throw new pulumi.RunError(
      `endpointPublicAccessCidrs is empty and privateEndpoint is false: the API server would be reachable from nowhere; ` +
        `enable privateEndpoint or list the CIDRs allowed to reach the public endpoint`,
    );
  }
  const restricted = publicAccessCidrs.length > 0 && !publicAccessCidrs.includes("0.0.0.0/0");
  if (restricted && !privateEndpoint) {
    throw new pulumi.RunError(
      `endpointPublicAccessCidrs [${publicAccessCidrs.join(", ")}] restricts the public endpoint while privateEndpoint is false: ` +
        `nodes could not reach the API server from their NAT addresses and would never join; set privateEndpoint to true`,
    );
  }
  if (publicAccessCidrs.length === 0) return { endpointPublicAccess: false, endpointPrivateAccess: privateEndpoint };
  return {
    endpointPublicAccess: true,
    endpointPrivateAccess: privateEndpoint,
    publicAccessCidrs: [...publicAccessCidrs],
  };
}

/** IAM role or user ARNs; access entries do not take STS session ARNs (EKS user guide, "Create access entries"). */
export function validateAdminRoleArns(arns: string[], key = "adminRoleArns"): void {
  for (const [i, arn] of arns.entries()) {
    if (/^arn:aws[a-z-]*:sts::\d{12}:assumed-role\//.test(arn)) {
      throw new pulumi.RunError(
        `${key}[${i}] "${arn}" is an STS session ARN; give the role itself, arn:aws:iam::<account>:role/<name>`,
      );
    }
    if (!/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/.test(arn)) {
      throw new pulumi.RunError(
        `${key}[${i}] "${arn}" is not an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)`,
      );
    }
  }
  const duplicate = arns.find((a, i) => arns.indexOf(a) !== i);
  if (duplicate)
    throw new pulumi.RunError(`${key} lists "${duplicate}" twice; EKS allows one access entry per principal`);
}

/** Read-only principals: the same ARN rules, and none may also be an administrator (one access entry each). */
export function validateViewerRoleArns(viewerArns: string[], adminArns: string[]): void {
  validateAdminRoleArns(viewerArns, "viewerRoleArns");
  const both = viewerArns.find((arn) => adminArns.includes(arn));
  if (both)
    throw new pulumi.RunError(
      `viewerRoleArns and adminRoleArns both list "${both}"; EKS allows one access entry per principal`,
    );
}

/** EKS needs subnets in at least two Availability Zones (EKS user guide, "VPC and subnet requirements"). */
export function validateZoneCount(count: number): void {
  if (count < 2)
    throw new pulumi.RunError(`zones has ${count} entries; EKS needs private subnets in at least 2 Availability Zones`);
}

function principalIdentity(arn: string): { account: string; kind: "role" | "user"; name: string } | undefined {
  const session = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  if (session) return { account: session[1], kind: "role", name: session[2] };
  const iam = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (iam) return { account: iam[1], kind: iam[2] as "role" | "user", name: iam[3] };
  return undefined;
}

/**
 * The deploying identity gets its own cluster-admin access entry from the stack (components/cluster/index.ts);
 * declaring another one for the same principal fails with ResourceInUseException (EKS API reference,
 * CreateAccessEntry). Session ARNs drop the role path, so principals are compared by account, kind and name.
 */
export function deployerAccessEntryConflict(deployerArn: string, adminArn: string): string | undefined {
  const caller = principalIdentity(deployerArn);
  const admin = principalIdentity(adminArn);
  if (!caller || !admin) return undefined;
  if (caller.account !== admin.account || caller.kind !== admin.kind || caller.name !== admin.name) return undefined;
  return (
    `cluster.adminRoleArns or cluster.viewerRoleArns contains "${adminArn}", the identity deploying this cluster ("${deployerArn}"): the stack already ` +
    `gives the deployer its own admin access entry, and a second entry for it fails with ResourceInUseException; remove it from the list`
  );
}
