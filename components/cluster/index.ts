import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { irsaTrustPolicy, issuerHostPath, STS_AUDIENCE } from "../identity/policies";
import { ADDON_CONFIGURATION, addonsIn } from "./addons";
import { CLUSTER_AUTOSCALER_SERVICE_ACCOUNT, clusterAutoscalerPolicy, clusterAutoscalerValues } from "./autoscaler";
import { CHARTS, pinnedRelease } from "../shared/charts";
import {
  CLUSTER_ROLE_POLICIES,
  EBS_CSI_POLICY,
  EBS_CSI_SERVICE_ACCOUNT,
  NODE_ROLE_POLICIES,
  CNI_POLICY,
  CNI_SERVICE_ACCOUNT,
  accessEntryResourceName,
  awsManagedPolicyArn,
  clusterAdminAccessPolicyArn,
  clusterViewAccessPolicyArn,
  clusterEncryptionPolicy,
  logGroupKeyPolicy,
  secretsKeyPolicy,
  serviceTrustPolicy,
} from "./iam";
import { buildKubeconfig } from "./kubeconfig";
import {
  DEFAULT_NODE_DISK_GIB,
  NodeGroupSpec,
  amiTypeFor,
  nodeGroupLabels,
  nodeLaunchTemplateName,
  validateNodeGroupSpec,
} from "./nodes";
import {
  deployerAccessEntryConflict,
  endpointAccess,
  validateAdminRoleArns,
  validateViewerRoleArns,
  validateClusterName,
  validateKubernetesVersion,
  validateZoneCount,
} from "./validation";

export { buildKubeconfig } from "./kubeconfig";
export type { KubeconfigInput } from "./kubeconfig";
/** Node labels whose value differs between the per-AZ node groups. */
function labelsDifferingPerGroup(): string[] {
  const [first, second] = [nodeGroupLabels(0), nodeGroupLabels(1)];
  return Object.keys(first).filter((key) => first[key] !== second[key]);
}

export { amiTypeFor, isArmInstanceType, nodeGroupLabels, validateNodeGroupSpec, NODE_POOL_LABEL } from "./nodes";
export type { NodeGroupSpec } from "./nodes";
export {
  deployerAccessEntryConflict,
  endpointAccess,
  validateAdminRoleArns,
  validateClusterName,
  validateKubernetesVersion,
  validateViewerRoleArns,
} from "./validation";
export { ADDONS, addonsIn } from "./addons";
export {
  clusterAdminAccessPolicyArn,
  clusterEncryptionPolicy,
  clusterViewAccessPolicyArn,
  serviceTrustPolicy,
  accessEntryResourceName,
} from "./iam";

/** Control-plane log types (EKS user guide, "Send control plane logs to CloudWatch Logs"). */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
export const DEFAULT_STORAGE_CLASS = "gp3";

export interface ClusterArgs {
  name: string;
  kubernetesVersion: string;
  vpcId: pulumi.Input<string>;
  zones: { availabilityZone: pulumi.Input<string>; privateSubnetId: pulumi.Input<string> }[];
  /** Empty: public endpoint off. */
  endpointPublicAccessCidrs: string[];
  privateEndpoint: boolean;
  /** Access entries with AmazonEKSClusterAdminPolicy, cluster scope. Not the deployer: it gets admin at creation. */
  adminRoleArns: string[];
  /** Access entries with AmazonEKSViewPolicy, cluster scope: read-only (pull-request previews). */
  viewerRoleArns?: string[];
  /** Applied per zone: one managed node group per AZ, because EBS volumes are zonal. */
  nodeGroup: NodeGroupSpec;
  /** What nodes need before they boot, beyond their subnet: the private subnets' egress routes (image pulls). */
  nodeDependsOn?: pulumi.Resource[];
  tags: Record<string, string>;
  /** CloudWatch retention of control-plane logs; EKS's own log group would keep them forever. Default 30. */
  logRetentionDays?: number;
  /** Protect what holds data (the KMS keys, the control-plane log group) from deletion or replacement by `pulumi up`. */
  protect?: boolean;
}

export class Cluster extends pulumi.ComponentResource {
  public readonly name: pulumi.Output<string>;
  public readonly endpoint: pulumi.Output<string>;
  /** Base64 PEM of the cluster CA. */
  public readonly certificateAuthority: pulumi.Output<string>;
  /** Secret. Uses `aws eks get-token`; holds no credential. */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly oidcProviderArn: pulumi.Output<string>;
  /** Issuer without https://, as IAM condition keys spell it. */
  public readonly oidcIssuer: pulumi.Output<string>;
  public readonly provider: k8s.Provider;
  /** Index-aligned with zones. */
  public readonly nodeGroups: aws.eks.NodeGroup[];
  /** What any pod needs: node groups and cluster DNS. */
  public readonly nodesReady: pulumi.Resource[];
  /** What a pod with an EBS volume needs on top: the EBS CSI driver and the default StorageClass. */
  public readonly storageReady: pulumi.Resource[];
  /** Both: what a stateful Helm release waits for. */
  public readonly workloadDependencies: pulumi.Resource[];
  public readonly vpcId: pulumi.Output<string>;
  public readonly nodeRoleArn: pulumi.Output<string>;
  public readonly clusterSecurityGroupId: pulumi.Output<string>;

  private readonly scope: Scope;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:cluster:Cluster", name, {}, opts);
    validateClusterName(args.name);
    validateKubernetesVersion(args.kubernetesVersion);
    validateZoneCount(args.zones.length);
    validateNodeGroupSpec(args.nodeGroup);
    validateAdminRoleArns(args.adminRoleArns);
    validateViewerRoleArns(args.viewerRoleArns ?? [], args.adminRoleArns);
    this.scope = scopeOf(this, name, args);

    const identity = this.controlPlaneIdentity();
    const secretsKey = this.secretsKey(identity);
    const controlPlaneLogs = this.controlPlaneLogs();
    const controlPlane = this.controlPlane(identity, secretsKey, controlPlaneLogs);
    const deployerAdmin = this.accessEntries(controlPlane.cluster);
    const earlyAddons = this.addonsBeforeNodes(controlPlane);
    const nodes = this.nodes(controlPlane.cluster, earlyAddons);
    this.nodeGroups = nodes.groups;
    const lateAddons = this.addonsAfterNodes(controlPlane);
    this.kubeconfig = kubeconfigOf(controlPlane.cluster);
    // Every Kubernetes call runs as the deployer: its cluster-admin association must exist first.
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig },
      { parent: this, dependsOn: [deployerAdmin] },
    );
    const storageClass = this.storageClass(lateAddons.ebsCsi);
    this.clusterAutoscaler(controlPlane);

    this.name = controlPlane.cluster.name;
    this.endpoint = controlPlane.cluster.endpoint;
    this.certificateAuthority = controlPlane.cluster.certificateAuthority.data;
    this.oidcProviderArn = controlPlane.oidcProvider.arn;
    this.oidcIssuer = controlPlane.issuerUrl.apply(issuerHostPath);
    this.nodesReady = [...this.nodeGroups, ...lateAddons.others];
    this.storageReady = [lateAddons.ebsCsi, storageClass];
    this.workloadDependencies = [...this.nodesReady, ...this.storageReady];
    this.vpcId = pulumi.output(args.vpcId);
    this.nodeRoleArn = nodes.role.arn;
    this.clusterSecurityGroupId = controlPlane.cluster.vpcConfig.clusterSecurityGroupId;
    this.registerOutputs({
      name: this.name,
      endpoint: this.endpoint,
      kubeconfig: this.kubeconfig,
      oidcProviderArn: this.oidcProviderArn,
      oidcIssuer: this.oidcIssuer,
      nodeRoleArn: this.nodeRoleArn,
    });
  }

  /** The control plane's IAM role with its managed policies (the encryption policy joins in secretsKey). */
  private controlPlaneIdentity(): { role: aws.iam.Role; policies: pulumi.Resource[] } {
    const { name, args, child, managed, servicePrincipal } = this.scope;
    const role = new aws.iam.Role(
      `${name}-cluster`,
      {
        description: `EKS control plane role of ${args.name}`,
        assumeRolePolicy: servicePrincipal("eks"),
        tags: args.tags,
      },
      child,
    );
    const policies: pulumi.Resource[] = CLUSTER_ROLE_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-cluster-${policy}`,
          { role: role.name, policyArn: managed(policy) },
          child,
        ),
    );
    return { role, policies };
  }

  /** Envelope encryption of Kubernetes secrets: a key only the cluster role uses, and the role's right to use it. */
  private secretsKey(identity: { role: aws.iam.Role; policies: pulumi.Resource[] }): aws.kms.Key {
    const { name, args, child, partition, caller } = this.scope;
    const secretsKey = new aws.kms.Key(
      `${name}-secrets`,
      {
        description: `Envelope encryption of Kubernetes secrets in EKS cluster ${args.name}`,
        policy: pulumi
          .all([partition.partition, caller.accountId, identity.role.arn])
          .apply(([p, account, clusterRoleArn]) =>
            JSON.stringify(secretsKeyPolicy({ partition: p, account, clusterRoleArn })),
          ),
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: args.tags,
      },
      { ...child, protect: args.protect ?? false },
    );
    new aws.kms.Alias(
      `${name}-secrets`,
      { name: `alias/eks/${args.name}-secrets`, targetKeyId: secretsKey.keyId },
      child,
    );
    identity.policies.push(
      new aws.iam.RolePolicy(
        `${name}-cluster-encryption`,
        {
          role: identity.role.name,
          policy: secretsKey.arn.apply((arn) => JSON.stringify(clusterEncryptionPolicy(arn))),
        },
        child,
      ),
    );
    return secretsKey;
  }

  /**
   * EKS writes to /aws/eks/<name>/cluster; creating it first sets a retention instead of "never expire", and its
   * own customer-managed key, usable by CloudWatch Logs for this log group only.
   */
  private controlPlaneLogs(): aws.cloudwatch.LogGroup {
    const { name, args, child, partition, caller, region } = this.scope;
    const logGroupName = `/aws/eks/${args.name}/cluster`;
    const logsKey = new aws.kms.Key(
      `${name}-control-plane-logs`,
      {
        description: `Encrypts the control-plane log group of EKS cluster ${args.name}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi
          .all([partition.partition, region, caller.accountId])
          .apply(([p, r, account]) =>
            JSON.stringify(logGroupKeyPolicy({ partition: p, region: r, account, logGroupName })),
          ),
        tags: args.tags,
      },
      { ...child, protect: args.protect ?? false },
    );
    return new aws.cloudwatch.LogGroup(
      `${name}-control-plane`,
      {
        name: logGroupName,
        retentionInDays: args.logRetentionDays ?? 30,
        kmsKeyId: logsKey.arn,
        tags: args.tags,
      },
      { ...child, protect: args.protect ?? false },
    );
  }

  /** The EKS cluster and its OIDC provider (for IRSA). */
  private controlPlane(
    identity: { role: aws.iam.Role; policies: pulumi.Resource[] },
    secretsKey: aws.kms.Key,
    controlPlaneLogs: aws.cloudwatch.LogGroup,
  ): ControlPlane {
    const { name, args, child } = this.scope;
    const cluster = new aws.eks.Cluster(
      name,
      {
        name: args.name,
        version: args.kubernetesVersion,
        roleArn: identity.role.arn,
        // No hidden creator admin: the deploying identity's access is an explicit access entry below, visible, and
        // revoked when another identity deploys. The flag is set once at creation and cannot be changed through the EKS
        // API (EKS API reference, CreateAccessConfigRequest; terraform-aws-eks docs/security/cluster-access.md).
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
        // Every networking add-on is managed below as an EKS add-on; nothing self-managed to adopt later.
        bootstrapSelfManagedAddons: false,
        enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
        encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
        vpcConfig: {
          subnetIds: args.zones.map((z) => z.privateSubnetId),
          ...endpointAccess(args.endpointPublicAccessCidrs, args.privateEndpoint),
        },
        // EKS defaults to EXTENDED, billed 6x per cluster-hour once standard support ends (prices-and-durations.md).
        upgradePolicy: { supportType: "STANDARD" },
        tags: args.tags,
      },
      {
        parent: this,
        // The role's permissions must exist before the cluster and outlive it (provider docs, aws.eks.Cluster).
        dependsOn: [...identity.policies, controlPlaneLogs],
        // A cluster created with the creator bootstrap keeps it: the provider would replace the cluster to change it
        // (create-only in EKS). README "Upgrading: the deployer's access entry" adopts its entry instead.
        ignoreChanges: ["accessConfig.bootstrapClusterCreatorAdminPermissions"],
      },
    );
    const issuerUrl = cluster.identities.apply((ids) => ids[0].oidcs[0].issuer);
    // Without a thumbprint IAM fetches the top intermediate CA thumbprint itself, and for EKS issuers validates
    // against its trusted root CAs anyway (provider docs, aws.iam.OpenIdConnectProvider thumbprintLists).
    const oidcProvider = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc`,
      { url: issuerUrl, clientIdLists: [STS_AUDIENCE], tags: args.tags },
      child,
    );
    return { cluster, issuerUrl, oidcProvider };
  }

  /** The deploying identity, then administrators and read-only principals. Returns the deployer's admin association. */
  private accessEntries(cluster: aws.eks.Cluster): aws.eks.AccessPolicyAssociation {
    const { name, args, child, partition, caller } = this.scope;
    // An assumed-role session resolves to its role, path included (provider docs, aws.iam.getSessionContext): access
    // entries take IAM principals, not sessions (EKS docs, "Create access entries").
    const deployerArn = aws.iam.getSessionContextOutput({ arn: caller.arn }, child).issuerArn;
    const deployerEntry = new aws.eks.AccessEntry(
      `${name}-deployer`,
      { clusterName: cluster.name, principalArn: deployerArn, type: "STANDARD", tags: args.tags },
      child,
    );
    const deployerAdmin = new aws.eks.AccessPolicyAssociation(
      `${name}-deployer`,
      {
        clusterName: cluster.name,
        principalArn: deployerArn,
        policyArn: partition.partition.apply(clusterAdminAccessPolicyArn),
        accessScope: { type: "cluster" },
      },
      { parent: this, dependsOn: [deployerEntry] },
    );

    const principals = [
      ...args.adminRoleArns.map((principalArn) => ({
        principalArn,
        access: "admin" as const,
        policy: clusterAdminAccessPolicyArn,
      })),
      ...(args.viewerRoleArns ?? []).map((principalArn) => ({
        principalArn,
        access: "viewer" as const,
        policy: clusterViewAccessPolicyArn,
      })),
    ];
    for (const { principalArn, access, policy } of principals) {
      const resourceName = accessEntryResourceName(name, principalArn, access);
      const entry = new aws.eks.AccessEntry(
        resourceName,
        {
          clusterName: cluster.name,
          principalArn: deployerArn.apply((callerArn) => {
            const conflict = deployerAccessEntryConflict(callerArn, principalArn);
            if (conflict) throw new pulumi.ResourceError(conflict, this);
            return principalArn;
          }),
          type: "STANDARD",
          tags: args.tags,
        },
        child,
      );
      new aws.eks.AccessPolicyAssociation(
        resourceName,
        {
          clusterName: cluster.name,
          principalArn,
          policyArn: partition.partition.apply(policy),
          accessScope: { type: "cluster" },
        },
        { parent: this, dependsOn: [entry] },
      );
    }
    return deployerAdmin;
  }

  private addon(
    cluster: aws.eks.Cluster,
    addonName: string,
    extra: Partial<aws.eks.AddonArgs>,
    dependsOn: pulumi.Resource[],
  ): aws.eks.Addon {
    const { name, args } = this.scope;
    return new aws.eks.Addon(
      `${name}-${addonName}`,
      {
        clusterName: cluster.name,
        addonName,
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
        tags: args.tags,
        ...(ADDON_CONFIGURATION[addonName]
          ? { configurationValues: JSON.stringify(ADDON_CONFIGURATION[addonName]) }
          : {}),
        ...extra,
      },
      { parent: this, dependsOn },
    );
  }

  /** An IAM role a Kubernetes service account assumes through the cluster's OIDC provider (IRSA). */
  private irsaRole(
    controlPlane: ControlPlane,
    roleName: string,
    description: string,
    subject: { namespace: string; serviceAccount: string },
  ): aws.iam.Role {
    const { name, args, child } = this.scope;
    return new aws.iam.Role(
      `${name}-${roleName}`,
      {
        description,
        assumeRolePolicy: pulumi
          .all([controlPlane.oidcProvider.arn, controlPlane.issuerUrl])
          .apply(([oidcProviderArn, oidcIssuer]) =>
            JSON.stringify(irsaTrustPolicy({ oidcProviderArn, oidcIssuer, ...subject })),
          ),
        tags: args.tags,
      },
      child,
    );
  }

  /** Add-ons that nodes need to become Ready; the VPC CNI's AWS permissions through IRSA, not the node role (iam.ts). */
  private addonsBeforeNodes(controlPlane: ControlPlane): aws.eks.Addon[] {
    const { name, args, child, managed } = this.scope;
    const cniRole = this.irsaRole(
      controlPlane,
      "vpc-cni",
      `IRSA role of the VPC CNI (aws-node) in ${args.name}`,
      CNI_SERVICE_ACCOUNT,
    );
    const cniPolicy = new aws.iam.RolePolicyAttachment(
      `${name}-vpc-cni`,
      { role: cniRole.name, policyArn: managed(CNI_POLICY) },
      child,
    );
    return addonsIn("beforeNodes").map((a) =>
      a.name === "vpc-cni"
        ? this.addon(controlPlane.cluster, a.name, { serviceAccountRoleArn: cniRole.arn }, [cniPolicy])
        : this.addon(controlPlane.cluster, a.name, {}, []),
    );
  }

  /** One managed node group per zone, in that zone's private subnet, with the node role and launch template. */
  private nodes(
    cluster: aws.eks.Cluster,
    earlyAddons: aws.eks.Addon[],
  ): { role: aws.iam.Role; groups: aws.eks.NodeGroup[] } {
    const { name, args, child, managed, servicePrincipal } = this.scope;
    const role = new aws.iam.Role(
      `${name}-node`,
      {
        description: `EKS worker node role of ${args.name}`,
        assumeRolePolicy: servicePrincipal("ec2"),
        tags: args.tags,
      },
      child,
    );
    const rolePolicies = NODE_ROLE_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-node-${policy}`,
          { role: role.name, policyArn: managed(policy) },
          child,
        ),
    );

    // IMDSv2 only, one hop: a pod off the host network cannot reach the node's instance metadata, so neither its
    // credentials (EKS best practices, "Restrict access to the instance profile assigned to the worker node"; EC2
    // user guide, "Configure the instance metadata options"). Every AWS permission a pod needs comes through IRSA.
    // With a launch template the root volume is set here, not as the node group's diskSize (EKS user guide,
    // "Customize managed nodes with launch templates"); /dev/xvda is the AL2023 EKS AMIs' root device.
    const launchTemplateName = nodeLaunchTemplateName(args.name);
    const launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-nodes`,
      {
        name: launchTemplateName,
        description: `Nodes of ${args.name}: IMDSv2 required with hop limit 1, encrypted gp3 root volume`,
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: {
              volumeSize: args.nodeGroup.diskSizeGiB ?? DEFAULT_NODE_DISK_GIB,
              volumeType: "gp3",
              encrypted: "true",
              deleteOnTermination: "true",
            },
          },
        ],
        tagSpecifications: [
          { resourceType: "instance", tags: args.tags },
          { resourceType: "volume", tags: args.tags },
        ],
        tags: args.tags,
      },
      child,
    );

    const groups = args.zones.map(
      (zone, i) =>
        new aws.eks.NodeGroup(
          `${name}-zone-${i}`,
          {
            clusterName: cluster.name,
            nodeRoleArn: role.arn,
            subnetIds: [zone.privateSubnetId],
            instanceTypes: args.nodeGroup.instanceTypes,
            amiType: amiTypeFor(args.nodeGroup.instanceTypes),
            capacityType: "ON_DEMAND",
            // By its (known) name, so previews see which template a group uses; the version follows each change.
            launchTemplate: { name: launchTemplateName, version: launchTemplate.latestVersion.apply(String) },
            scalingConfig: {
              minSize: args.nodeGroup.minSize,
              maxSize: args.nodeGroup.maxSize,
              desiredSize: args.nodeGroup.desiredSize,
            },
            // Stateful workloads (Kafka, ingesters) tolerate one node of a zone at a time being replaced.
            updateConfig: { maxUnavailable: 1 },
            labels: nodeGroupLabels(i),
            tags: args.tags,
          },
          {
            parent: this,
            dependsOn: [launchTemplate, ...earlyAddons, ...rolePolicies, ...(args.nodeDependsOn ?? [])],
          },
        ),
    );
    return { role, groups };
  }

  /** Add-ons that need running nodes: the EBS CSI driver (with its IRSA role) apart, as storage waits for it. */
  private addonsAfterNodes(controlPlane: ControlPlane): { ebsCsi: aws.eks.Addon; others: aws.eks.Addon[] } {
    const { name, args, child, managed } = this.scope;
    const ebsCsiRole = this.irsaRole(
      controlPlane,
      "ebs-csi",
      `IRSA role of the EBS CSI controller in ${args.name}`,
      EBS_CSI_SERVICE_ACCOUNT,
    );
    const ebsCsiPolicy = new aws.iam.RolePolicyAttachment(
      `${name}-ebs-csi`,
      { role: ebsCsiRole.name, policyArn: managed(EBS_CSI_POLICY) },
      child,
    );
    const addons = addonsIn("afterNodes").map((a) =>
      a.name === "aws-ebs-csi-driver"
        ? this.addon(controlPlane.cluster, a.name, { serviceAccountRoleArn: ebsCsiRole.arn }, [
            ...this.nodeGroups,
            ebsCsiPolicy,
          ])
        : this.addon(controlPlane.cluster, a.name, {}, [...this.nodeGroups]),
    );
    const ebsCsi = addons[addonsIn("afterNodes").findIndex((a) => a.name === "aws-ebs-csi-driver")];
    return { ebsCsi, others: addons.filter((a) => a !== ebsCsi) };
  }

  /**
   * The default StorageClass. EBS CSI parameters: type, encrypted, csi.storage.k8s.io/fstype (aws-ebs-csi-driver
   * docs/parameters.md). WaitForFirstConsumer creates each volume in the zone its pod was scheduled to.
   */
  private storageClass(ebsCsi: aws.eks.Addon): k8s.storage.v1.StorageClass {
    return new k8s.storage.v1.StorageClass(
      `${this.scope.name}-${DEFAULT_STORAGE_CLASS}`,
      {
        metadata: {
          name: DEFAULT_STORAGE_CLASS,
          annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
        },
        provisioner: "ebs.csi.aws.com",
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        reclaimPolicy: "Delete",
        parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" },
      },
      { parent: this, provider: this.provider, dependsOn: [ebsCsi] },
    );
  }

  /** Node autoscaling between each group's minSize and maxSize (autoscaler.ts). */
  private clusterAutoscaler(controlPlane: ControlPlane): void {
    const { name, args, child, region } = this.scope;
    const role = this.irsaRole(
      controlPlane,
      "cluster-autoscaler",
      `IRSA role of the Cluster Autoscaler in ${args.name}`,
      CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-cluster-autoscaler`,
      {
        role: role.id,
        policy: controlPlane.cluster.name.apply((clusterName) => JSON.stringify(clusterAutoscalerPolicy(clusterName))),
      },
      child,
    );
    new k8s.helm.v3.Release(
      `${name}-cluster-autoscaler`,
      pinnedRelease(
        CHARTS.clusterAutoscaler,
        "cluster-autoscaler",
        CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.namespace,
        clusterAutoscalerValues({
          clusterName: controlPlane.cluster.name,
          region,
          roleArn: role.arn,
          kubernetesVersion: args.kubernetesVersion,
          perGroupLabels: labelsDifferingPerGroup(),
        }),
      ),
      { parent: this, provider: this.provider, dependsOn: [...this.nodeGroups, policy] },
    );
  }
}

interface ControlPlane {
  cluster: aws.eks.Cluster;
  /** The OIDC issuer URL, https:// included. */
  issuerUrl: pulumi.Output<string>;
  oidcProvider: aws.iam.OpenIdConnectProvider;
}

/** What every step shares: the component's name and args, its children's parent, the account's partition lookups. */
interface Scope {
  name: string;
  args: ClusterArgs;
  child: { parent: pulumi.Resource };
  partition: pulumi.Output<aws.GetPartitionResult>;
  caller: pulumi.Output<aws.GetCallerIdentityResult>;
  region: pulumi.Output<string>;
  managed: (policy: string) => pulumi.Output<string>;
  servicePrincipal: (service: string) => pulumi.Output<string>;
}

function scopeOf(parent: pulumi.Resource, name: string, args: ClusterArgs): Scope {
  const child = { parent };
  const partition = aws.getPartitionOutput({}, child);
  return {
    name,
    args,
    child,
    partition,
    caller: aws.getCallerIdentityOutput({}, child),
    region: aws.getRegionOutput({}, child).region,
    managed: (policy) => partition.partition.apply((p) => awsManagedPolicyArn(p, policy)),
    servicePrincipal: (service) =>
      partition.dnsSuffix.apply((suffix) => JSON.stringify(serviceTrustPolicy(`${service}.${suffix}`))),
  };
}

function kubeconfigOf(cluster: aws.eks.Cluster): pulumi.Output<string> {
  return pulumi.secret(
    pulumi
      .all([cluster.name, cluster.endpoint, cluster.certificateAuthority, cluster.region])
      .apply(([clusterName, endpoint, ca, region]) =>
        buildKubeconfig({ clusterName, endpoint, certificateAuthorityData: ca.data, region }),
      ),
  );
}
