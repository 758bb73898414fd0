import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Buckets, BucketSpec, BUCKET_KEYS, BUCKET_OWNERS } from "./components/buckets";
import { StackAlerts } from "./components/alerts";
import { Alloy } from "./components/alloy";
import { Cluster, DEFAULT_STORAGE_CLASS } from "./components/cluster";
import { Identity } from "./components/identity";
import { Kafka } from "./components/kafka";
import { gatewayUsers as lokiGatewayUsers, Loki } from "./components/loki";
import { gatewayUsers as mimirGatewayUsers, Mimir } from "./components/mimir";
import { Network } from "./components/network";
import { KubePrometheusStack, PrometheusOperatorCrds } from "./components/prometheus";
import { accessLogBucketName, bucketName, clusterName, deriveSettings, StackConfig } from "./settings";
import { availabilityZonesIssue, configRunError, readRegion, readStackConfig } from "./settings/stackConfig";

/**
 * The program, as a table of contents: config in, settings derived once, platform, then the telemetry stack.
 * Async so that account id and availability zones are plain strings (known during preview and in tests).
 */
export = async () => {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const config = readStackConfig(project);
  const region = readRegion();
  const settings = deriveSettings(config);
  const name = clusterName(project, stack);
  // The policy pack reads the environment from this tag (policies/README.md).
  const tags = { "observability/stack": stack, "observability/profile": config.profile, "managed-by": "pulumi" };

  const [caller, availabilityZones] = await Promise.all([
    aws.getCallerIdentity({}),
    resolveAvailabilityZones(config, region),
  ]);

  const network = new Network("network", {
    clusterName: name,
    vpcCidr: config.network.vpcCidr,
    availabilityZones,
    natGateways: config.network.natGateways,
    existing: config.network.existingVpcId
      ? { vpcId: config.network.existingVpcId, privateSubnetIds: config.network.existingPrivateSubnetIds ?? [] }
      : undefined,
    s3EndpointRegion: region,
    tags,
  });

  const cluster = new Cluster("cluster", {
    name,
    kubernetesVersion: config.cluster.kubernetesVersion,
    vpcId: network.vpcId,
    zones: availabilityZones.map((availabilityZone, i) => ({
      availabilityZone,
      privateSubnetId: network.privateSubnetIds[i],
    })),
    endpointPublicAccessCidrs: config.cluster.endpointPublicAccessCidrs,
    privateEndpoint: config.cluster.privateEndpoint,
    adminRoleArns: config.cluster.adminRoleArns,
    viewerRoleArns: config.cluster.viewerRoleArns,
    nodeGroup: config.cluster.nodeGroups,
    nodeDependsOn: network.egressReady,
    protect: settings.durability.protectStatefulResources,
    tags,
  });

  const bucketSpecs: BucketSpec[] = BUCKET_KEYS.map((key) => ({
    key,
    owner: BUCKET_OWNERS[key],
    name: bucketName(stack, key, caller.accountId, region),
    expiration: settings.lifecycle[key],
  }));
  // The partition is the caller ARN's second field ("arn:aws:iam::..."): known in every preview.
  const partition = caller.arn.split(":")[1];
  const buckets = new Buckets("buckets", {
    buckets: bucketSpecs,
    partition,
    accountId: caller.accountId,
    accessLogs: {
      name: accessLogBucketName(stack, caller.accountId, region),
      expirationDays: settings.durability.accessLogRetentionDays,
    },
    forceDestroy: settings.durability.forceDestroyBuckets,
    protect: settings.durability.protectStatefulResources,
    tags,
  });

  const identity = new Identity("identity", {
    oidcProviderArn: cluster.oidcProviderArn,
    oidcIssuer: cluster.oidcIssuer,
    workloads: (["mimir", "loki"] as const).map((key) => ({
      key,
      namespace: settings.namespaces[key],
      serviceAccount: settings.serviceAccounts[key],
      bucketArns: settings.bucketOwners[key].map((b) => buckets.arns[b]),
      kmsKeyArn: buckets.kmsKeyArns[key],
    })),
    tags,
  });

  // ---- The telemetry stack. Each release waits only for what it needs, so independent ones deploy in parallel.
  // Stateful releases wait for nodes and EBS volumes; stateless ones for nodes only; CRD-only releases for neither.
  const k8s = { provider: cluster.provider, dependsOn: cluster.workloadDependencies };
  const stateless = { provider: cluster.provider, dependsOn: cluster.nodesReady };
  const overrides = config.overrides;
  const storageClassName = DEFAULT_STORAGE_CLASS;

  const crds = new PrometheusOperatorCrds("prometheus-crds", { settings, provider: cluster.provider });

  const kafka = new Kafka("kafka", {
    settings,
    availabilityZones,
    storageClassName,
    overrides: { strimzi: overrides.strimzi, kafkaCluster: overrides.kafkaCluster, kafkaTopic: overrides.kafkaTopic },
    ...stateless,
    storageDependsOn: cluster.storageReady,
  });

  const mimir = new Mimir("mimir", {
    settings,
    region,
    availabilityZones,
    // Bucket names are known in every preview; Mimir waits for the hardened buckets through dependsOn.
    buckets: {
      blocks: buckets.names.mimirBlocks,
      ruler: buckets.names.mimirRuler,
      alertmanager: buckets.names.mimirAlertmanager,
    },
    roleArn: identity.roleArns.mimir,
    storageClassName,
    kafka: kafka.connection,
    monitoringCrds: crds.release,
    overrides: overrides.mimir,
    ...k8s,
    dependsOn: [...k8s.dependsOn, buckets],
  });

  const loki = new Loki("loki", {
    settings,
    region,
    availabilityZones,
    buckets: { chunks: buckets.names.lokiChunks, ruler: buckets.names.lokiRuler },
    roleArn: identity.roleArns.loki,
    crdsRelease: crds.release,
    storageClassName,
    overrides: overrides.loki,
    ...k8s,
    dependsOn: [...k8s.dependsOn, buckets],
  });
  const gatewayPasswords = { mimir: mimir.gatewayAuth.passwords, loki: loki.gatewayAuth.passwords };
  // In-cluster writers act as the stack's own tenant; each gateway user is a tenant id (policies/lib/tenant-binding.ts).
  const ownTenant = (store: keyof typeof gatewayPasswords) => ({
    username: settings.defaultTenant,
    password: gatewayPasswords[store][settings.defaultTenant],
  });

  const prometheusStack = new KubePrometheusStack("kube-prometheus-stack", {
    settings,
    crds,
    gatewayPasswords,
    storageClassName,
    overrides: overrides.kubePrometheusStack,
    ...k8s,
  });

  new Alloy("alloy", {
    settings,
    mimirAuth: ownTenant("mimir"),
    lokiAuth: ownTenant("loki"),
    crdsRelease: crds.release,
    overrides: overrides.alloy,
    ...stateless,
  });
  new StackAlerts("stack-alerts", { settings, provider: cluster.provider, crds });

  return {
    clusterName: cluster.name,
    kubeconfig: pulumi.secret(cluster.kubeconfig),
    region,
    availabilityZones,
    bucketNames: buckets.names,
    roleArns: identity.roleArns,
    mimirPushUrl: mimir.pushUrl,
    mimirQueryUrl: mimir.queryUrl,
    lokiPushUrl: settings.loki.pushUrl,
    // Each gateway's users (tenant ids, public) and each tenant's passwords for its own clients (secret).
    gatewayUsers: { mimir: mimirGatewayUsers(settings), loki: lokiGatewayUsers(settings) },
    tenantCredentials: tenantCredentials(settings.tenants, gatewayPasswords),
    grafanaAdminPassword: prometheusStack.grafanaAdminPassword,
    // The sizing inputs, for operators and for the policy pack's capacity rules (read from the stack's outputs).
    workload: config.workload,
  };
};

/** Explicit zones as given; a count takes the region's first default (non opt-in) zones. */
async function resolveAvailabilityZones(config: StackConfig, region: string): Promise<string[]> {
  const wanted = config.network.availabilityZones;
  if (Array.isArray(wanted)) {
    const foreign = availabilityZonesIssue(wanted, region);
    if (foreign) throw configRunError(pulumi.getProject(), foreign);
    // Every zone EC2 offers the account in the region, whatever its state (a named zone that does not exist can never
    // get a subnet; settings/stackConfig.ts availabilityZonesIssue).
    const offered = await aws.getAvailabilityZones({});
    const missing = availabilityZonesIssue(wanted, region, offered.names);
    if (missing) throw configRunError(pulumi.getProject(), missing);
    return wanted;
  }
  const zones = await aws.getAvailabilityZones({
    state: "available",
    filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
  });
  if (zones.names.length < wanted) {
    throw configRunError(pulumi.getProject(), {
      key: "network.availabilityZones",
      value: wanted,
      problem: `${region} offers only ${zones.names.length} default zones (${zones.names.join(", ")})`,
    });
  }
  return zones.names.slice(0, wanted);
}

/** `{ <tenant>: { username, mimirPassword, lokiPassword } }`: the user name is the tenant id, the passwords secret. */
function tenantCredentials(
  tenants: readonly string[],
  passwords: Record<"mimir" | "loki", Record<string, pulumi.Output<string>>>,
) {
  return Object.fromEntries(
    tenants.map((tenant) => [
      tenant,
      {
        username: tenant,
        mimirPassword: pulumi.secret(passwords.mimir[tenant]),
        lokiPassword: pulumi.secret(passwords.loki[tenant]),
      },
    ]),
  );
}
