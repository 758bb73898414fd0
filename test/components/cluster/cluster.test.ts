import * as assert from "node:assert/strict";
import {
  CreatedResource,
  RecordingMocks,
  RegistrationLog,
  captureRegistrations,
  installMocks,
  settleMocks,
  valueOf,
} from "../../../tools/harness/mocks";

const ZONES = [
  { availabilityZone: "eu-central-1a", privateSubnetId: "subnet-0aaaaaaaaaaaaaaaa" },
  { availabilityZone: "eu-central-1b", privateSubnetId: "subnet-0bbbbbbbbbbbbbbbb" },
  { availabilityZone: "eu-central-1c", privateSubnetId: "subnet-0cccccccccccccccc" },
];
const ADMINS = ["arn:aws:iam::123456789012:role/PlatformAdmin", "arn:aws:iam::123456789012:role/sre/OnCall"];
const VIEWER = "arn:aws:iam::123456789012:role/pr-preview";
const ADDON = "aws:eks/addon:Addon";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";

describe("Cluster component", () => {
  let mocks: RecordingMocks;
  let registrations: RegistrationLog;
  let clusterModule: typeof import("../../../components/cluster");
  let outputs: {
    name: string;
    endpoint: string;
    certificateAuthority: string;
    kubeconfig: string;
    kubeconfigIsSecret: boolean;
    oidcProviderArn: string;
    oidcIssuer: string;
    nodeGroupIds: string[];
    dependencyUrns: string[];
  };

  const baseArgs = () => ({
    name: "obs-test",
    kubernetesVersion: "1.33",
    vpcId: "vpc-0123456789abcdef0",
    zones: ZONES,
    endpointPublicAccessCidrs: ["203.0.113.0/24"],
    privateEndpoint: true,
    adminRoleArns: ADMINS,
    viewerRoleArns: [VIEWER],
    nodeGroup: { instanceTypes: ["m7g.xlarge"], minSize: 1, maxSize: 4, desiredSize: 2, diskSizeGiB: 80 },
    tags: { team: "observability" },
  });

  before(async () => {
    mocks = await installMocks({
      region: "eu-central-1",
      accountId: "123456789012",
      project: "observability-stack",
      stack: "cluster",
    });
    registrations = captureRegistrations();
    clusterModule = await import("../../../components/cluster");
    const pulumi = await import("@pulumi/pulumi");
    const cluster = new clusterModule.Cluster("obs", baseArgs());
    outputs = {
      name: await valueOf(cluster.name),
      endpoint: await valueOf(cluster.endpoint),
      certificateAuthority: await valueOf(cluster.certificateAuthority),
      kubeconfig: await valueOf(cluster.kubeconfig),
      kubeconfigIsSecret: await pulumi.isSecret(cluster.kubeconfig),
      oidcProviderArn: await valueOf(cluster.oidcProviderArn),
      oidcIssuer: await valueOf(cluster.oidcIssuer),
      nodeGroupIds: await Promise.all(cluster.nodeGroups.map((n) => valueOf(n.id))),
      dependencyUrns: await Promise.all(cluster.workloadDependencies.map((d) => valueOf(d.urn))),
    };
    await settleMocks();
  });

  after(async () => {
    await settleMocks();
    registrations.restore();
  });

  const eks = (): CreatedResource => mocks.findCreated("aws:eks/cluster:Cluster", "obs");
  const addonNamed = (addon: string) => registrations.find(ADDON, `obs-${addon}`);
  const nodeGroupRegistrations = () => [0, 1, 2].map((i) => registrations.find(NODE_GROUP, `obs-zone-${i}`));

  it("creates the EKS cluster with API authentication, all control-plane logs and STANDARD support", () => {
    const { inputs } = eks();
    assert.equal(inputs.name, "obs-test");
    assert.equal(inputs.version, "1.33");
    // No hidden creator admin: the deployer's access is an explicit entry (next test).
    assert.deepEqual(inputs.accessConfig, {
      authenticationMode: "API",
      bootstrapClusterCreatorAdminPermissions: false,
    });
    // A cluster created with the bootstrap keeps it rather than being replaced (the flag is create-only in EKS).
    assert.ok(
      registrations
        .find("aws:eks/cluster:Cluster", "obs")
        .ignoreChanges.includes("accessConfig.bootstrapClusterCreatorAdminPermissions"),
    );
    assert.deepEqual(inputs.enabledClusterLogTypes, [
      "api",
      "audit",
      "authenticator",
      "controllerManager",
      "scheduler",
    ]);
    assert.deepEqual(inputs.upgradePolicy, { supportType: "STANDARD" });
    assert.equal(inputs.bootstrapSelfManagedAddons, false);
    assert.equal(inputs.roleArn, mocks.findCreated("aws:iam/role:Role", "obs-cluster").state.arn);
  });

  it("encrypts secrets with a rotating KMS key the cluster role may use", () => {
    const key = mocks.findCreated("aws:kms/key:Key", "obs-secrets");
    assert.equal(key.inputs.enableKeyRotation, true);
    assert.deepEqual(eks().inputs.encryptionConfig, { provider: { keyArn: key.state.arn }, resources: ["secrets"] });
    const policy = JSON.parse(
      mocks.findCreated("aws:iam/rolePolicy:RolePolicy", "obs-cluster-encryption").inputs.policy,
    );
    assert.deepEqual(policy.Statement[0].Resource, [key.state.arn]);
  });

  it("scopes the secrets key to its users: the cluster role uses it, the account administers it and grants only for AWS services", () => {
    const statements = JSON.parse(mocks.findCreated("aws:kms/key:Key", "obs-secrets").inputs.policy).Statement;
    const clusterRole = mocks.findCreated("aws:iam/role:Role", "obs-cluster").state.arn;
    const users = statements.filter((s: any) => s.Action.some((a: string) => /crypt|GenerateDataKey/.test(a)));
    assert.deepEqual(
      users.map((s: any) => s.Principal.AWS),
      [clusterRole],
      "only the cluster role encrypts and decrypts",
    );
    assert.ok(
      !statements.some((s: any) => [s.Action].flat().includes("kms:*")),
      "never the default kms:* for the account",
    );
    const grants = statements.find((s: any) => s.Action.includes("kms:CreateGrant"));
    assert.equal(grants.Principal.AWS, "arn:aws:iam::123456789012:root");
    assert.deepEqual(grants.Condition, { Bool: { "kms:GrantIsForAWSResource": "true" } });
  });

  it("places the control plane in the private subnets with the requested endpoint access", () => {
    assert.deepEqual(eks().inputs.vpcConfig, {
      subnetIds: ZONES.map((z) => z.privateSubnetId),
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ["203.0.113.0/24"],
    });
  });

  it("waits for the cluster role's permissions and the log group before creating the cluster", () => {
    const cluster = registrations.find("aws:eks/cluster:Cluster", "obs");
    assert.ok(
      registrations.dependsOn(
        cluster,
        registrations.find("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "obs-cluster-AmazonEKSClusterPolicy"),
      ),
    );
    assert.ok(
      registrations.dependsOn(cluster, registrations.find("aws:iam/rolePolicy:RolePolicy", "obs-cluster-encryption")),
    );
    const logs = mocks.findCreated("aws:cloudwatch/logGroup:LogGroup", "obs-control-plane");
    assert.equal(logs.inputs.name, "/aws/eks/obs-test/cluster");
    assert.ok(
      registrations.dependsOn(cluster, registrations.find("aws:cloudwatch/logGroup:LogGroup", "obs-control-plane")),
    );
  });

  it("encrypts the control-plane log group with its own key, usable by CloudWatch Logs for that log group only", () => {
    const logs = mocks.findCreated("aws:cloudwatch/logGroup:LogGroup", "obs-control-plane");
    const key = mocks.findCreated("aws:kms/key:Key", "obs-control-plane-logs");
    assert.equal(logs.inputs.kmsKeyId, key.state.arn);
    const statements = JSON.parse(key.inputs.policy).Statement;
    const service = statements.find((s: { Principal: { Service?: string } }) => s.Principal.Service);
    assert.equal(service.Principal.Service, "logs.eu-central-1.amazonaws.com");
    assert.deepEqual(service.Condition, {
      ArnEquals: {
        "kms:EncryptionContext:aws:logs:arn":
          "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/eks/obs-test/cluster",
      },
    });
    const account = statements.find(
      (s: { Principal: { AWS?: string } }) => s.Principal.AWS === "arn:aws:iam::123456789012:root",
    );
    assert.ok(!account.Action.some((a: string) => /crypt|GenerateDataKey|^kms:\*$/.test(a)), account.Action.join(", "));
  });

  it("runs one managed node group per zone, each in that zone's private subnet only", () => {
    const nodeRole = mocks.findCreated("aws:iam/role:Role", "obs-node");
    ZONES.forEach((zone, i) => {
      const group = mocks.findCreated(NODE_GROUP, `obs-zone-${i}`);
      assert.deepEqual(group.inputs.subnetIds, [zone.privateSubnetId]);
      assert.equal(group.inputs.clusterName, "obs-test");
      assert.equal(group.inputs.nodeRoleArn, nodeRole.state.arn);
      assert.deepEqual(group.inputs.scalingConfig, { minSize: 1, maxSize: 4, desiredSize: 2 });
      assert.deepEqual(group.inputs.instanceTypes, ["m7g.xlarge"]);
      assert.equal(group.inputs.amiType, "AL2023_ARM_64_STANDARD");
      // The root disk is the launch template's (EKS refuses diskSize together with a launch template).
      assert.equal(group.inputs.diskSize, undefined);
      assert.deepEqual(group.inputs.launchTemplate, { name: "obs-test-nodes", version: "1" });
      assert.equal(group.inputs.labels["observability/zone-index"], String(i));
      assert.equal(outputs.nodeGroupIds[i], group.id);
    });
    assert.equal(mocks.findAllCreated(NODE_GROUP).length, 3);
  });

  it("launches nodes with IMDSv2 required and a hop limit of 1, on an encrypted gp3 root volume of the spec's size", () => {
    const template = mocks.findCreated("aws:ec2/launchTemplate:LaunchTemplate", "obs-nodes");
    assert.equal(template.inputs.name, "obs-test-nodes");
    assert.deepEqual(template.inputs.metadataOptions, {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
    });
    assert.deepEqual(template.inputs.blockDeviceMappings, [
      {
        deviceName: "/dev/xvda",
        ebs: { volumeSize: 80, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
      },
    ]);
    for (const group of mocks.findAllCreated(NODE_GROUP)) {
      assert.ok(
        registrations.dependsOn(
          registrations.find(NODE_GROUP, group.name),
          registrations.find("aws:ec2/launchTemplate:LaunchTemplate", "obs-nodes"),
        ),
      );
    }
  });

  it("gives nodes exactly the worker and ECR read-only policies: the CNI's rights are not reachable through IMDS", () => {
    const nodeRole = mocks.findCreated("aws:iam/role:Role", "obs-node");
    assert.deepEqual(JSON.parse(nodeRole.inputs.assumeRolePolicy).Statement[0].Principal, {
      Service: "ec2.amazonaws.com",
    });
    const attached = mocks
      .findAllCreated("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.inputs.role === nodeRole.state.name)
      .map((a) => a.inputs.policyArn)
      .sort();
    assert.deepEqual(attached, [
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
      "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    ]);
  });

  it("gives the VPC CNI its policy through IRSA: a role only kube-system/aws-node can assume", () => {
    const cni = mocks.findAllCreated(ADDON).find((a) => a.inputs.addonName === "vpc-cni")!;
    const role = mocks.findCreated("aws:iam/role:Role", "obs-vpc-cni");
    assert.equal(cni.inputs.serviceAccountRoleArn, role.state.arn);
    const condition = JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Condition.StringEquals;
    assert.ok(
      Object.values(condition).includes("system:serviceaccount:kube-system:aws-node"),
      JSON.stringify(condition),
    );
    const attached = mocks
      .findAllCreated("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.inputs.role === role.state.name);
    assert.deepEqual(
      attached.map((a) => a.inputs.policyArn),
      ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"],
    );
  });

  it("installs the five add-ons on this cluster", () => {
    const names = mocks
      .findAllCreated(ADDON)
      .map((a) => a.inputs.addonName)
      .sort();
    assert.deepEqual(names, ["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
    for (const addon of mocks.findAllCreated(ADDON)) assert.equal(addon.inputs.clusterName, "obs-test");
  });

  it("turns on NetworkPolicy enforcement in the VPC CNI (Strimzi fences Kafka's listener with one)", () => {
    const cni = mocks.findAllCreated(ADDON).find((a) => a.inputs.addonName === "vpc-cni")!;
    assert.deepEqual(JSON.parse(cni.inputs.configurationValues), { enableNetworkPolicy: "true" });
  });

  it("creates vpc-cni (and the other DaemonSet add-ons) before every node group", () => {
    for (const group of nodeGroupRegistrations()) {
      for (const addon of ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"]) {
        assert.ok(registrations.dependsOn(group, addonNamed(addon)), `${group.name} does not wait for ${addon}`);
      }
    }
  });

  it("creates coredns and the EBS CSI driver only after every node group", () => {
    for (const addon of ["coredns", "aws-ebs-csi-driver"]) {
      for (const group of nodeGroupRegistrations()) {
        assert.ok(registrations.dependsOn(addonNamed(addon), group), `${addon} does not wait for ${group.name}`);
        assert.ok(
          !registrations.dependsOn(group, addonNamed(addon)),
          `${group.name} waits for ${addon}: a deadlock on a real cluster`,
        );
      }
    }
    assert.ok(!registrations.dependsOn(addonNamed("vpc-cni"), nodeGroupRegistrations()[0]));
  });

  it("gives the EBS CSI driver an IRSA role trusted only by kube-system:ebs-csi-controller-sa", () => {
    const role = mocks.findCreated("aws:iam/role:Role", "obs-ebs-csi");
    const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement[0];
    assert.equal(trust.Principal.Federated, outputs.oidcProviderArn);
    assert.deepEqual(trust.Condition.StringEquals, {
      [`${outputs.oidcIssuer}:sub`]: "system:serviceaccount:kube-system:ebs-csi-controller-sa",
      [`${outputs.oidcIssuer}:aud`]: "sts.amazonaws.com",
    });
    const addon = mocks.findAllCreated(ADDON).find((a) => a.inputs.addonName === "aws-ebs-csi-driver")!;
    assert.equal(addon.inputs.serviceAccountRoleArn, role.state.arn);
    const attachment = mocks.findCreated("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "obs-ebs-csi");
    assert.equal(attachment.inputs.policyArn, "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy");
    assert.equal(attachment.inputs.role, role.state.name);
    assert.ok(
      registrations.dependsOn(
        addonNamed("aws-ebs-csi-driver"),
        registrations.find("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "obs-ebs-csi"),
      ),
    );
  });

  it("registers the cluster's issuer as an OIDC provider for STS and exposes it without scheme", () => {
    const provider = mocks.findCreated("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "obs-oidc");
    const issuer = eks().state.identities[0].oidcs[0].issuer;
    assert.equal(provider.inputs.url, issuer);
    assert.deepEqual(provider.inputs.clientIdLists, ["sts.amazonaws.com"]);
    assert.equal(outputs.oidcIssuer, issuer.replace("https://", ""));
    assert.ok(outputs.oidcProviderArn.endsWith(`:oidc-provider/${outputs.oidcIssuer}`));
  });

  it("grants the deploying identity cluster admin through its own explicit access entry, before any Kubernetes call", () => {
    const deployer = "arn:aws:iam::123456789012:user/pulumi-mock";
    const entry = mocks.findCreated("aws:eks/accessEntry:AccessEntry", "obs-deployer");
    assert.equal(entry.inputs.principalArn, deployer);
    assert.equal(entry.inputs.type, "STANDARD");
    const association = mocks.findCreated("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "obs-deployer");
    assert.equal(association.inputs.principalArn, deployer);
    assert.equal(association.inputs.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
    assert.deepEqual(association.inputs.accessScope, { type: "cluster" });
    const provider = registrations.find("pulumi:providers:kubernetes", "obs-k8s");
    assert.ok(
      registrations.dependsOn(
        provider,
        registrations.find("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "obs-deployer"),
      ),
    );
  });

  it("grants each admin role cluster-wide AmazonEKSClusterAdminPolicy through an access entry", () => {
    for (const principalArn of ADMINS) {
      const entries = mocks
        .findAllCreated("aws:eks/accessEntry:AccessEntry")
        .filter((e) => e.inputs.principalArn === principalArn);
      assert.equal(entries.length, 1, principalArn);
      const associations = mocks
        .findAllCreated("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
        .filter((a) => a.inputs.principalArn === principalArn);
      assert.equal(associations.length, 1, principalArn);
      assert.equal(
        associations[0].inputs.policyArn,
        "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
      );
      assert.deepEqual(associations[0].inputs.accessScope, { type: "cluster" });
      const association = registrations.find(
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        associations[0].name,
      );
      assert.ok(
        registrations.dependsOn(association, registrations.find("aws:eks/accessEntry:AccessEntry", entries[0].name)),
      );
    }
  });

  it("grants each viewer role cluster-wide read-only AmazonEKSViewPolicy, never admin", () => {
    const entries = mocks
      .findAllCreated("aws:eks/accessEntry:AccessEntry")
      .filter((e) => e.inputs.principalArn === VIEWER);
    assert.equal(entries.length, 1);
    const associations = mocks
      .findAllCreated("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
      .filter((a) => a.inputs.principalArn === VIEWER);
    assert.deepEqual(
      associations.map((a) => a.inputs.policyArn),
      ["arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"],
    );
    assert.deepEqual(associations[0].inputs.accessScope, { type: "cluster" });
  });

  it("builds a secret kubeconfig for this cluster that authenticates with aws eks get-token", () => {
    assert.equal(outputs.kubeconfigIsSecret, true);
    const config = JSON.parse(outputs.kubeconfig);
    assert.equal(config.clusters[0].cluster.server, outputs.endpoint);
    assert.equal(config.clusters[0].cluster["certificate-authority-data"], outputs.certificateAuthority);
    assert.deepEqual(config.users[0].user.exec.args, [
      "eks",
      "get-token",
      "--cluster-name",
      "obs-test",
      "--output",
      "json",
      "--region",
      "eu-central-1",
    ]);
    const provider = mocks.findCreated("pulumi:providers:kubernetes", "obs-k8s");
    assert.equal(provider.inputs.kubeconfig, outputs.kubeconfig);
    assert.deepEqual(provider.secretPaths, ["kubeconfig"]);
  });

  it("installs an encrypted gp3 default StorageClass through the cluster's provider, after the EBS CSI driver", () => {
    const storageClass = mocks.findCreated("kubernetes:storage.k8s.io/v1:StorageClass", "obs-gp3");
    assert.equal(storageClass.inputs.provisioner, "ebs.csi.aws.com");
    assert.equal(storageClass.inputs.volumeBindingMode, "WaitForFirstConsumer");
    assert.equal(storageClass.inputs.allowVolumeExpansion, true);
    assert.equal(storageClass.inputs.parameters.type, "gp3");
    assert.equal(storageClass.inputs.parameters.encrypted, "true");
    assert.equal(storageClass.inputs.metadata.annotations["storageclass.kubernetes.io/is-default-class"], "true");
    const registration = registrations.find("kubernetes:storage.k8s.io/v1:StorageClass", "obs-gp3");
    assert.match(registration.provider, /pulumi:providers:kubernetes::obs-k8s::/);
    assert.ok(registrations.dependsOn(registration, addonNamed("aws-ebs-csi-driver")));
  });

  it("lists node groups, coredns, the EBS CSI driver and the StorageClass as workload dependencies", () => {
    const expected = [
      ...nodeGroupRegistrations(),
      addonNamed("coredns"),
      addonNamed("aws-ebs-csi-driver"),
      registrations.find("kubernetes:storage.k8s.io/v1:StorageClass", "obs-gp3"),
    ].map((r) => r.urn);
    assert.deepEqual([...outputs.dependencyUrns].sort(), expected.sort());
  });

  it("rejects impossible arguments before creating a cluster", () => {
    const before = mocks.findAllCreated("aws:eks/cluster:Cluster").length;
    assert.throws(
      () => new clusterModule.Cluster("bad1", { ...baseArgs(), name: "bad1", kubernetesVersion: "1.28" }),
      /older than 1\.30/,
    );
    assert.throws(
      () =>
        new clusterModule.Cluster("bad2", {
          ...baseArgs(),
          name: "bad2",
          endpointPublicAccessCidrs: [],
          privateEndpoint: false,
        }),
      /reachable from nowhere/,
    );
    assert.throws(
      () =>
        new clusterModule.Cluster("bad3", {
          ...baseArgs(),
          name: "bad3",
          nodeGroup: { ...baseArgs().nodeGroup, desiredSize: 9 },
        }),
      /minSize <= desiredSize <= maxSize/,
    );
    assert.throws(
      () => new clusterModule.Cluster("bad4", { ...baseArgs(), name: "bad4", zones: ZONES.slice(0, 1) }),
      /at least 2/,
    );
    assert.equal(mocks.findAllCreated("aws:eks/cluster:Cluster").length, before);
  });
});
