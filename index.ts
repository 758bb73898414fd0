import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Buckets, BucketSpec, BUCKET_KEYS, BUCKET_OWNERS } from "./components/buckets";
import { Cluster } from "./components/cluster";
import { Identity } from "./components/identity";
import { Network } from "./components/network";
import { bucketName, clusterName, deriveSettings, StackConfig } from "./settings";
import { readRegion, readStackConfig } from "./settings/stackConfig";

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

  const [caller, availabilityZones] = await Promise.all([aws.getCallerIdentity({}), resolveAvailabilityZones(config, region)]);

  const network = new Network("network", {
    clusterName: name,
    vpcCidr: config.network.vpcCidr,
    availabilityZones,
    natGateways: config.network.natGateways,
    existing: config.network.existingVpcId
      ? { vpcId: config.network.existingVpcId, privateSubnetIds: config.network.existingPrivateSubnetIds ?? [] }
      : undefined,
    tags,
  });

  const cluster = new Cluster("cluster", {
    name,
    kubernetesVersion: config.cluster.kubernetesVersion,
    vpcId: network.vpcId,
    zones: availabilityZones.map((availabilityZone, i) => ({ availabilityZone, privateSubnetId: network.privateSubnetIds[i] })),
    endpointPublicAccessCidrs: config.cluster.endpointPublicAccessCidrs,
    privateEndpoint: config.cluster.privateEndpoint,
    adminRoleArns: config.cluster.adminRoleArns,
    nodeGroup: config.cluster.nodeGroups,
    tags,
  });

  const bucketSpecs: BucketSpec[] = BUCKET_KEYS.map((key) => ({
    key,
    owner: BUCKET_OWNERS[key],
    name: bucketName(stack, key, caller.accountId, region),
    expiration: settings.lifecycle[key],
  }));
  // dev buckets may be destroyed with their data; elsewhere `pulumi destroy` stops at a non-empty bucket.
  const buckets = new Buckets("buckets", { buckets: bucketSpecs, forceDestroy: config.profile === "dev", tags });

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

  return {
    clusterName: cluster.name,
    kubeconfig: pulumi.secret(cluster.kubeconfig),
    region,
    availabilityZones,
    bucketNames: buckets.names,
    roleArns: identity.roleArns,
  };
};

/** Explicit zones as given; a count takes the region's first default (non opt-in) zones. */
async function resolveAvailabilityZones(config: StackConfig, region: string): Promise<string[]> {
  const wanted = config.network.availabilityZones;
  if (Array.isArray(wanted)) {
    const foreign = wanted.filter((az) => !az.startsWith(region));
    if (foreign.length > 0) {
      throw new pulumi.RunError(
        `Invalid configuration:\n  - ${pulumi.getProject()}:network.availabilityZones = ${JSON.stringify(wanted)}: ${foreign.join(", ")} not in aws:region ${region}`,
      );
    }
    return wanted;
  }
  const zones = await aws.getAvailabilityZones({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] });
  if (zones.names.length < wanted) {
    throw new pulumi.RunError(
      `Invalid configuration:\n  - ${pulumi.getProject()}:network.availabilityZones = ${wanted}: ${region} offers only ${zones.names.length} default zones (${zones.names.join(", ")})`,
    );
  }
  return zones.names.slice(0, wanted);
}
