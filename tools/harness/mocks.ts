// Realistic Pulumi mocks for running the program in-process (no CLI, no cloud).
//
// Plain mocks echo inputs, so every provider-computed output (ids, ARNs, the EKS endpoint and OIDC issuer,
// auto-names) stays undefined and the `apply` callbacks that depend on it never run
// (project reference offline-pulumi.md). These mocks fill those outputs with values shaped like the real
// ones, deterministically (derived from type and name), so tests and the policy harness see a plausible state.
// Invokes the program does not declare fail loudly, as in pulumi-awsx's tests.
//
// The SDK is loaded only by the helpers that drive the runtime (installMocks, settleMocks, captureRegistrations):
// the check's own process builds mocks for its program processes and never needs the SDK (~0.35 s to load).
import * as crypto from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import type { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { SECRET_SIG as specialSecretSig, SIG_KEY as specialSigKey } from "./wire";

type Props = Record<string, any>;

export interface MockOptions {
  region: string;
  accountId: string;
  project: string;
  stack: string;
  /** Extra invoke handlers by token; every other unknown token still throws. */
  calls?: Record<string, (inputs: Props) => Props>;
}

export interface CreatedResource {
  type: string;
  name: string;
  custom: boolean;
  /** Plain values: secrets unwrapped (their paths are in `secretPaths`). */
  inputs: Props;
  /** Dotted paths of inputs that arrived as secrets, e.g. "kubeconfig" or "values.auth.password". */
  secretPaths: string[];
  id: string | undefined;
  state: Props;
}

export interface RecordingMocks extends pulumi.runtime.Mocks {
  /** Synchronous: the state is computed from the inputs alone. */
  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Props };
  /** Synchronous; throws on invokes it does not know. */
  call(args: pulumi.runtime.MockCallArgs): Props;
  readonly options: MockOptions;
  /** Every resource registered so far, in registration order. */
  readonly created: CreatedResource[];
  /** Every invoke answered so far. */
  readonly calls: pulumi.runtime.MockCallArgs[];
  /** The resource of that type and logical name; throws listing what exists when absent. */
  findCreated(type: string, name: string): CreatedResource;
  findAllCreated(type: string): CreatedResource[];
}

interface Environment {
  region: string;
  accountId: string;
  partition: string;
  dnsSuffix: string;
}

/** Seeded generator of hex, digits and UUIDs: the same resource always gets the same values. */
class Entropy {
  constructor(private readonly seed: string) {}
  hex(length: number, salt = ""): string {
    let out = "";
    for (let round = 0; out.length < length; round++) {
      out += crypto.createHash("sha256").update(`${this.seed}|${salt}|${round}`).digest("hex");
    }
    return out.slice(0, length);
  }
  digits(length: number, salt = ""): string {
    return this.hex(length, `digits${salt}`).replace(/[a-f]/g, (c) => String(c.charCodeAt(0) % 10));
  }
  uuid(salt = ""): string {
    const h = this.hex(32, `uuid${salt}`);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  byte(salt: string): number {
    return parseInt(this.hex(2, salt), 16);
  }
}

interface ResourceContext {
  type: string;
  name: string;
  inputs: Props;
  env: Environment;
  entropy: Entropy;
}

type StateBuilder = (ctx: ResourceContext) => { id: string | undefined; state: Props };

const FIXED_TIMESTAMP = "2025-01-01T00:00:00Z";

/** Pulumi auto-naming: logical name plus a random 7-hex suffix (Pulumi docs, "Resource names / Autonaming"). */
function autoname(ctx: ResourceContext): string {
  return `${ctx.name}-${ctx.entropy.hex(7, "autoname")}`;
}

/** The provider's `namePrefix` variant appends a 26-digit unique id (terraform-plugin-sdk id.PrefixedUniqueId). */
function nameFromInputs(ctx: ResourceContext, nameKey: string, prefixKey: string): string {
  if (typeof ctx.inputs[nameKey] === "string") return ctx.inputs[nameKey];
  if (typeof ctx.inputs[prefixKey] === "string") return `${ctx.inputs[prefixKey]}${ctx.entropy.digits(26, "prefix")}`;
  return autoname(ctx);
}

function regionalArn(ctx: ResourceContext, service: string, resource: string): string {
  return `arn:${ctx.env.partition}:${service}:${ctx.env.region}:${ctx.env.accountId}:${resource}`;
}

function ec2Id(ctx: ResourceContext, prefix: string): string {
  return `${prefix}-${ctx.entropy.hex(17, prefix)}`;
}

/** AWS zone ids look like use1-az1: region code abbreviated, then az<n> (AWS RAM docs, "AZ IDs"). */
export function zoneIdFor(region: string, zoneName: string): string {
  const parts = region.split("-");
  const directions: Record<string, string> = { northeast: "ne", northwest: "nw", southeast: "se", southwest: "sw" };
  const middle = parts
    .slice(1, -1)
    .map((p) => directions[p] ?? p[0])
    .join("");
  const letter = zoneName.slice(region.length) || "a";
  return `${parts[0]}${middle}${parts[parts.length - 1]}-az${letter.charCodeAt(0) - "a".charCodeAt(0) + 1}`;
}

function withDefaults(inputs: Props, defaults: Props): Props {
  const out = { ...inputs };
  for (const [k, v] of Object.entries(defaults)) if (out[k] === undefined) out[k] = v;
  return out;
}

function fakeCertificate(entropy: Entropy): string {
  const body = Buffer.from(entropy.hex(512, "cert"), "hex")
    .toString("base64")
    .replace(/(.{64})/g, "$1\n");
  return Buffer.from(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`).toString("base64");
}

function ec2Simple(prefix: string, arnKind?: string, defaults: Props = {}): StateBuilder {
  return (ctx) => {
    const id = ec2Id(ctx, prefix);
    const state: Props = { ...withDefaults(ctx.inputs, defaults), ownerId: ctx.env.accountId };
    if (arnKind) state.arn = regionalArn(ctx, "ec2", `${arnKind}/${id}`);
    return { id, state };
  };
}

const builders: Record<string, StateBuilder> = {
  // ---- EC2 / VPC
  "aws:ec2/vpc:Vpc": (ctx) => {
    const { state: base } = ec2Simple("vpc", "vpc", {
      enableDnsSupport: true,
      enableDnsHostnames: false,
      instanceTenancy: "default",
    })(ctx);
    const id = ec2Id(ctx, "vpc");
    return {
      id,
      state: {
        ...base,
        mainRouteTableId: ec2Id(ctx, "rtb"),
        defaultRouteTableId: ec2Id(ctx, "rtb"),
        defaultSecurityGroupId: ec2Id(ctx, "sg"),
        defaultNetworkAclId: ec2Id(ctx, "acl"),
        dhcpOptionsId: ec2Id(ctx, "dopt"),
      },
    };
  },
  "aws:ec2/subnet:Subnet": (ctx) => {
    const built = ec2Simple("subnet", "subnet", { mapPublicIpOnLaunch: false })(ctx);
    const az = ctx.inputs.availabilityZone;
    if (typeof az === "string") built.state.availabilityZoneId = zoneIdFor(ctx.env.region, az);
    return built;
  },
  "aws:ec2/internetGateway:InternetGateway": ec2Simple("igw", "internet-gateway"),
  "aws:ec2/eip:Eip": (ctx) => {
    const built = ec2Simple("eipalloc", "elastic-ip", { domain: "vpc" })(ctx);
    const ip = [3, ctx.entropy.byte("ip1"), ctx.entropy.byte("ip2"), ctx.entropy.byte("ip3")].join(".");
    built.state.allocationId = built.id;
    built.state.publicIp = ip;
    built.state.publicDns = `ec2-${ip.replace(/\./g, "-")}.${ctx.env.region}.compute.${ctx.env.dnsSuffix}`;
    return built;
  },
  "aws:ec2/natGateway:NatGateway": (ctx) => {
    const built = ec2Simple("nat", undefined, { connectivityType: "public" })(ctx);
    built.state.networkInterfaceId = ec2Id(ctx, "eni");
    return built;
  },
  "aws:ec2/routeTable:RouteTable": ec2Simple("rtb", "route-table"),
  "aws:ec2/route:Route": (ctx) => ({
    // terraform-provider-aws route id: "r-" + route table id + hash of the destination.
    id: `r-${ctx.inputs.routeTableId ?? ec2Id(ctx, "rtb")}${ctx.entropy.digits(10, "route")}`,
    state: withDefaults(ctx.inputs, { origin: "CreateRoute", state: "active" }),
  }),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": (ctx) => ({
    id: ec2Id(ctx, "rtbassoc"),
    state: { ...ctx.inputs },
  }),
  "aws:ec2/securityGroup:SecurityGroup": ec2Simple("sg", "security-group"),
  "aws:ec2/launchTemplate:LaunchTemplate": (ctx) => {
    const built = ec2Simple("lt", "launch-template")(ctx);
    built.state.latestVersion = 1;
    built.state.defaultVersion = 1;
    built.state.name = nameFromInputs(ctx, "name", "namePrefix");
    return built;
  },

  // ---- EKS
  "aws:eks/cluster:Cluster": (ctx) => {
    const name = nameFromInputs(ctx, "name", "namePrefix");
    // The endpoint host and the OIDC issuer id share one 32-hex upper-case id on real clusters.
    const clusterHex = ctx.entropy.hex(32, "cluster").toUpperCase();
    const vpcConfig: Props = ctx.inputs.vpcConfig ?? {};
    // EKS CreateCluster defaults: public endpoint on (0.0.0.0/0), private endpoint off.
    const publicAccess = vpcConfig.endpointPublicAccess ?? true;
    return {
      id: name,
      state: {
        ...withDefaults(ctx.inputs, {
          version: "1.33",
          // EKS UpgradePolicy API: the default support type is EXTENDED.
          upgradePolicy: { supportType: "EXTENDED" },
        }),
        name,
        arn: regionalArn(ctx, "eks", `cluster/${name}`),
        clusterId: ctx.entropy.uuid("clusterId"),
        createdAt: FIXED_TIMESTAMP,
        status: "ACTIVE",
        platformVersion: "eks.1",
        endpoint: `https://${clusterHex}.gr7.${ctx.env.region}.eks.${ctx.env.dnsSuffix}`,
        certificateAuthority: { data: fakeCertificate(ctx.entropy) },
        identities: [
          { oidcs: [{ issuer: `https://oidc.eks.${ctx.env.region}.${ctx.env.dnsSuffix}/id/${clusterHex}` }] },
        ],
        vpcConfig: {
          ...vpcConfig,
          endpointPublicAccess: publicAccess,
          endpointPrivateAccess: vpcConfig.endpointPrivateAccess ?? false,
          publicAccessCidrs: vpcConfig.publicAccessCidrs ?? (publicAccess ? ["0.0.0.0/0"] : []),
          clusterSecurityGroupId: ec2Id(ctx, "sg"),
          vpcId: vpcConfig.vpcId ?? ec2Id(ctx, "vpc"),
        },
        kubernetesNetworkConfig: {
          ipFamily: "ipv4",
          serviceIpv4Cidr: "172.20.0.0/16",
          ...(ctx.inputs.kubernetesNetworkConfig ?? {}),
        },
      },
    };
  },
  "aws:eks/nodeGroup:NodeGroup": (ctx) => {
    const cluster = ctx.inputs.clusterName;
    const nodeGroupName = nameFromInputs(ctx, "nodeGroupName", "nodeGroupNamePrefix");
    const uuid = ctx.entropy.uuid("nodegroup");
    // EKS CreateNodegroup defaults: ON_DEMAND, t3.medium, 20 GiB disk when no launch template.
    const defaults: Props = {
      capacityType: "ON_DEMAND",
      instanceTypes: ["t3.medium"],
      amiType: "AL2023_x86_64_STANDARD",
    };
    if (!ctx.inputs.launchTemplate) defaults.diskSize = 20;
    return {
      id: `${cluster}:${nodeGroupName}`,
      state: {
        ...withDefaults(ctx.inputs, defaults),
        nodeGroupName,
        arn: regionalArn(ctx, "eks", `nodegroup/${cluster}/${nodeGroupName}/${uuid}`),
        status: "ACTIVE",
        resources: [{ autoscalingGroups: [{ name: `eks-${nodeGroupName}-${uuid}` }], remoteAccessSecurityGroupId: "" }],
      },
    };
  },
  "aws:eks/addon:Addon": (ctx) => {
    const cluster = ctx.inputs.clusterName;
    const addon = ctx.inputs.addonName;
    return {
      id: `${cluster}:${addon}`,
      state: {
        ...withDefaults(ctx.inputs, { addonVersion: "v1.0.0-eksbuild.1" }),
        arn: regionalArn(ctx, "eks", `addon/${cluster}/${addon}/${ctx.entropy.uuid("addon")}`),
        createdAt: FIXED_TIMESTAMP,
        modifiedAt: FIXED_TIMESTAMP,
      },
    };
  },
  "aws:eks/accessEntry:AccessEntry": (ctx) => {
    const cluster = ctx.inputs.clusterName;
    const principal: string = ctx.inputs.principalArn ?? "";
    const [, , , , principalAccount = ctx.env.accountId, resource = ""] = principal.split(":");
    const [kind = "role", ...path] = resource.split("/");
    return {
      id: `${cluster}:${principal}`,
      state: {
        ...withDefaults(ctx.inputs, { type: "STANDARD", userName: principal, kubernetesGroups: [] }),
        accessEntryArn: regionalArn(
          ctx,
          "eks",
          `access-entry/${cluster}/${kind}/${principalAccount}/${path.pop() ?? ""}/${ctx.entropy.uuid("entry")}`,
        ),
        createdAt: FIXED_TIMESTAMP,
        modifiedAt: FIXED_TIMESTAMP,
      },
    };
  },
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": (ctx) => ({
    id: `${ctx.inputs.clusterName}#${ctx.inputs.principalArn}#${ctx.inputs.policyArn}`,
    state: { ...ctx.inputs, associatedAt: FIXED_TIMESTAMP, modifiedAt: FIXED_TIMESTAMP },
  }),
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": (ctx) => {
    const associationId = `a-${ctx.entropy.hex(17, "assoc")}`;
    return {
      id: `${ctx.inputs.clusterName},${associationId}`,
      state: {
        ...ctx.inputs,
        associationId,
        associationArn: regionalArn(ctx, "eks", `podidentityassociation/${ctx.inputs.clusterName}/${associationId}`),
      },
    };
  },

  // ---- IAM (global: ARNs carry no region)
  "aws:iam/role:Role": (ctx) => {
    const name = nameFromInputs(ctx, "name", "namePrefix");
    const path = ctx.inputs.path ?? "/";
    return {
      id: name,
      state: {
        ...withDefaults(ctx.inputs, { path, maxSessionDuration: 3600 }),
        name,
        arn: `arn:${ctx.env.partition}:iam::${ctx.env.accountId}:role${path}${name}`,
        uniqueId: `AROA${ctx.entropy.hex(17, "unique").toUpperCase()}`,
        createDate: FIXED_TIMESTAMP,
      },
    };
  },
  "aws:iam/policy:Policy": (ctx) => {
    const name = nameFromInputs(ctx, "name", "namePrefix");
    const path = ctx.inputs.path ?? "/";
    const arn = `arn:${ctx.env.partition}:iam::${ctx.env.accountId}:policy${path}${name}`;
    return {
      id: arn,
      state: {
        ...withDefaults(ctx.inputs, { path }),
        name,
        arn,
        policyId: `ANPA${ctx.entropy.hex(17, "pid").toUpperCase()}`,
        attachmentCount: 0,
      },
    };
  },
  "aws:iam/rolePolicy:RolePolicy": (ctx) => {
    const name = nameFromInputs(ctx, "name", "namePrefix");
    return { id: `${ctx.inputs.role}:${name}`, state: { ...ctx.inputs, name } };
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (ctx) => ({
    id: `${ctx.inputs.role}-${ctx.entropy.digits(26, "attachment")}`,
    state: { ...ctx.inputs },
  }),
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (ctx) => {
    const url: unknown = ctx.inputs.url;
    // During preview the issuer of a cluster being created is unknown, and so are the provider's ARN and id.
    if (typeof url !== "string") return { id: undefined, state: { ...ctx.inputs } };
    const arn = `arn:${ctx.env.partition}:iam::${ctx.env.accountId}:oidc-provider/${url.replace(/^https:\/\//, "")}`;
    // Without a thumbprint list IAM retrieves the top intermediate CA thumbprint itself (provider docs).
    return {
      id: arn,
      state: { ...withDefaults(ctx.inputs, { thumbprintLists: [ctx.entropy.hex(40, "thumb")] }), arn },
    };
  },

  // ---- KMS
  "aws:kms/key:Key": (ctx) => {
    const keyId = ctx.entropy.uuid("key");
    const rotation = ctx.inputs.enableKeyRotation ?? false;
    const rootPolicy = JSON.stringify({
      Version: "2012-10-17",
      Id: "key-default-1",
      Statement: [
        {
          Sid: "Enable IAM User Permissions",
          Effect: "Allow",
          Principal: { AWS: `arn:${ctx.env.partition}:iam::${ctx.env.accountId}:root` },
          Action: "kms:*",
          Resource: "*",
        },
      ],
    });
    return {
      id: keyId,
      state: {
        // KMS CreateKey defaults; rotation period 365 days when rotation is on (KMS docs, "Rotating keys").
        ...withDefaults(ctx.inputs, {
          keyUsage: "ENCRYPT_DECRYPT",
          customerMasterKeySpec: "SYMMETRIC_DEFAULT",
          isEnabled: true,
          multiRegion: false,
          enableKeyRotation: rotation,
          policy: rootPolicy,
        }),
        rotationPeriodInDays: rotation ? (ctx.inputs.rotationPeriodInDays ?? 365) : undefined,
        keyId,
        arn: regionalArn(ctx, "kms", `key/${keyId}`),
      },
    };
  },
  "aws:kms/alias:Alias": (ctx) => {
    const name =
      typeof ctx.inputs.name === "string"
        ? ctx.inputs.name
        : typeof ctx.inputs.namePrefix === "string"
          ? `${ctx.inputs.namePrefix}${ctx.entropy.digits(26, "prefix")}`
          : `alias/${autoname(ctx)}`;
    // During preview the key id of a key being created is unknown: then so is the alias's target ARN.
    const target: unknown = ctx.inputs.targetKeyId;
    return {
      id: name,
      state: {
        ...ctx.inputs,
        name,
        arn: regionalArn(ctx, "kms", name),
        ...(typeof target === "string"
          ? { targetKeyArn: target.startsWith("arn:") ? target : regionalArn(ctx, "kms", `key/${target}`) }
          : {}),
      },
    };
  },

  // ---- S3 (bucket ARNs carry neither region nor account)
  "aws:s3/bucket:Bucket": s3Bucket,
  "aws:s3/bucketV2:BucketV2": s3Bucket,

  // ---- CloudWatch Logs
  "aws:cloudwatch/logGroup:LogGroup": (ctx) => {
    const name = nameFromInputs(ctx, "name", "namePrefix");
    return {
      id: name,
      state: {
        ...withDefaults(ctx.inputs, { retentionInDays: 0 }),
        name,
        arn: regionalArn(ctx, "logs", `log-group:${name}`),
      },
    };
  },

  // ---- Kubernetes
  "kubernetes:helm.sh/v3:Release": (ctx) => {
    const name = typeof ctx.inputs.name === "string" ? ctx.inputs.name : autoname(ctx);
    const namespace = ctx.inputs.namespace ?? "default";
    return {
      id: `${namespace}/${name}`,
      state: {
        ...ctx.inputs,
        name,
        namespace,
        status: {
          name,
          namespace,
          chart: ctx.inputs.chart,
          version: ctx.inputs.version,
          appVersion: ctx.inputs.version,
          revision: 1,
          status: "deployed",
        },
      },
    };
  },

  // ---- random (values shaped by the inputs; deterministic so tests are repeatable)
  "random:index/randomPassword:RandomPassword": (ctx) => randomText(ctx, true),
  "random:index/randomString:RandomString": (ctx) => randomText(ctx, false),
  "random:index/randomId:RandomId": (ctx) => {
    const bytes = Buffer.from(ctx.entropy.hex(2 * (ctx.inputs.byteLength ?? 8), "randomId"), "hex");
    const b64Url = bytes.toString("base64url");
    return {
      id: b64Url,
      state: {
        ...ctx.inputs,
        hex: bytes.toString("hex"),
        b64Url,
        b64Std: bytes.toString("base64"),
        dec: BigInt(`0x${bytes.toString("hex")}`).toString(),
      },
    };
  },
  "random:index/randomUuid:RandomUuid": (ctx) => {
    const result = ctx.entropy.uuid("randomUuid");
    return { id: result, state: { ...ctx.inputs, result } };
  },
  "random:index/randomInteger:RandomInteger": (ctx) => {
    const min = ctx.inputs.min ?? 0;
    const max = ctx.inputs.max ?? min;
    const result = min + (parseInt(ctx.entropy.hex(8, "int"), 16) % (max - min + 1));
    return { id: String(result), state: { ...ctx.inputs, result } };
  },
  "random:index/randomPet:RandomPet": (ctx) => {
    const words = [
      "brave",
      "calm",
      "eager",
      "fancy",
      "gentle",
      "happy",
      "jolly",
      "lively",
      "otter",
      "panda",
      "koala",
      "lynx",
    ];
    const count = ctx.inputs.length ?? 2;
    const picked = Array.from({ length: count }, (_, i) => words[ctx.entropy.byte(`pet${i}`) % words.length]);
    const id = [ctx.inputs.prefix, ...picked].filter(Boolean).join(ctx.inputs.separator ?? "-");
    return { id, state: { ...ctx.inputs } };
  },
};

function s3Bucket(ctx: ResourceContext): { id: string; state: Props } {
  const bucket = nameFromInputs(ctx, "bucket", "bucketPrefix").toLowerCase();
  return {
    id: bucket,
    state: {
      ...withDefaults(ctx.inputs, { forceDestroy: false, objectLockEnabled: false }),
      bucket,
      arn: `arn:${ctx.env.partition}:s3:::${bucket}`,
      bucketDomainName: `${bucket}.s3.${ctx.env.dnsSuffix}`,
      bucketRegionalDomainName: `${bucket}.s3.${ctx.env.region}.${ctx.env.dnsSuffix}`,
    },
  };
}

function randomText(ctx: ResourceContext, password: boolean): { id: string; state: Props } {
  const length: number = ctx.inputs.length ?? 16;
  const sets: { enabled: boolean; min: number; chars: string }[] = [
    { enabled: ctx.inputs.upper ?? true, min: ctx.inputs.minUpper ?? 0, chars: "ABCDEFGHIJKLMNOPQRSTUVWXYZ" },
    { enabled: ctx.inputs.lower ?? true, min: ctx.inputs.minLower ?? 0, chars: "abcdefghijklmnopqrstuvwxyz" },
    { enabled: ctx.inputs.numeric ?? ctx.inputs.number ?? true, min: ctx.inputs.minNumeric ?? 0, chars: "0123456789" },
    // random provider default special set (registry docs for random_password `override_special`).
    {
      enabled: ctx.inputs.special ?? true,
      min: ctx.inputs.minSpecial ?? 0,
      chars: ctx.inputs.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?",
    },
  ];
  const enabled = sets.filter((s) => s.enabled && s.chars.length > 0);
  const pool = enabled.map((s) => s.chars).join("") || "abcdefghijklmnopqrstuvwxyz";
  const chars: string[] = [];
  for (const set of enabled)
    for (let i = 0; i < set.min; i++) chars.push(set.chars[ctx.entropy.byte(`min${set.chars}${i}`) % set.chars.length]);
  for (let i = chars.length; i < length; i++) chars.push(pool[ctx.entropy.byte(`pool${i}`) % pool.length]);
  const result = chars.slice(0, Math.max(length, chars.length)).join("");
  const state: Props = { ...ctx.inputs, result };
  if (password) state.bcryptHash = `$2a$10$${ctx.entropy.hex(53, "bcrypt")}`;
  return { id: password ? "none" : result, state };
}

function buildState(ctx: ResourceContext, custom: boolean): { id: string | undefined; state: Props } {
  const builder = builders[ctx.type];
  let result: { id: string | undefined; state: Props };
  if (builder) {
    result = builder(ctx);
  } else if (!custom) {
    result = { id: undefined, state: { ...ctx.inputs } };
  } else if (ctx.type.startsWith("pulumi:providers:")) {
    result = { id: ctx.entropy.uuid("provider"), state: { ...ctx.inputs } };
  } else if (ctx.type.startsWith("aws:s3/bucket") && typeof ctx.inputs.bucket === "string") {
    // Bucket sub-resources (policy, versioning, lifecycle, ...) are identified by their bucket.
    result = { id: ctx.inputs.bucket, state: { ...ctx.inputs } };
  } else if (ctx.type.startsWith("kubernetes:")) {
    result = kubernetesObject(ctx);
  } else {
    result = { id: `${ctx.name}-${ctx.entropy.hex(8, "id")}`, state: { ...ctx.inputs } };
  }
  if (ctx.type.startsWith("aws:") && !ctx.type.startsWith("aws:iam/") && custom) {
    // Every regional resource of @pulumi/aws v7 exposes the region it lives in.
    result.state.region = ctx.inputs.region ?? ctx.env.region;
    result.state.tagsAll = ctx.inputs.tags ?? {};
  } else if (ctx.type.startsWith("aws:iam/") && custom) {
    result.state.tagsAll = ctx.inputs.tags ?? {};
  }
  return result;
}

/** Kubernetes objects without metadata.name get the provider's auto-name: name plus 8 random characters. */
function kubernetesObject(ctx: ResourceContext): { id: string; state: Props } {
  const metadata: Props = { ...(ctx.inputs.metadata ?? {}) };
  if (typeof metadata.name !== "string") metadata.name = `${ctx.name}-${ctx.entropy.hex(8, "k8sname")}`;
  metadata.uid = ctx.entropy.uuid("uid");
  const id = metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name;
  return { id, state: { ...ctx.inputs, metadata } };
}

function partitionOf(region: string): { partition: string; dnsSuffix: string } {
  if (region.startsWith("cn-")) return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" };
  if (region.startsWith("us-gov-")) return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com" };
  return { partition: "aws", dnsSuffix: "amazonaws.com" };
}

function validateOptions(opts: MockOptions): void {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(opts.region)) {
    throw new Error(`createMocks: region "${opts.region}" is not an AWS region name (expected e.g. "us-east-1")`);
  }
  if (!/^\d{12}$/.test(opts.accountId)) {
    throw new Error(`createMocks: accountId "${opts.accountId}" must be exactly 12 digits`);
  }
  if (!opts.project || !opts.stack) {
    throw new Error(`createMocks: project and stack must be non-empty (got "${opts.project}", "${opts.stack}")`);
  }
}

function isSecretValue(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Props)[specialSigKey] === specialSecretSig;
}

/** Mocks receive secret inputs wrapped in Pulumi's secret envelope; this returns the plain value and where secrets were. */
export function revealSecrets(
  value: unknown,
  path = "",
  secretPaths: string[] = [],
): { value: any; secretPaths: string[] } {
  if (isSecretValue(value)) {
    secretPaths.push(path);
    return { value: revealSecrets(value.value, path, secretPaths).value, secretPaths };
  }
  if (Array.isArray(value)) {
    return {
      value: value.map((v, i) => revealSecrets(v, path ? `${path}[${i}]` : `[${i}]`, secretPaths).value),
      secretPaths,
    };
  }
  if (typeof value === "object" && value !== null) {
    const out: Props = {};
    for (const [k, v] of Object.entries(value)) out[k] = revealSecrets(v, path ? `${path}.${k}` : k, secretPaths).value;
    return { value: out, secretPaths };
  }
  return { value, secretPaths };
}

export function createMocks(opts: MockOptions): RecordingMocks {
  validateOptions(opts);
  const env: Environment = { region: opts.region, accountId: opts.accountId, ...partitionOf(opts.region) };
  const created: CreatedResource[] = [];
  const calls: pulumi.runtime.MockCallArgs[] = [];
  const seen = new Map<string, number>();

  const invokes: Record<string, (inputs: Props) => Props> = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": (inputs) => {
      const region = inputs.region ?? env.region;
      const exclude: string[] = inputs.excludeNames ?? [];
      const names = ["a", "b", "c"].map((l) => `${region}${l}`).filter((n) => !exclude.includes(n));
      return {
        id: region,
        region,
        names,
        zoneIds: names.map((n) => zoneIdFor(region, n)),
        groupNames: names.map(() => region),
        state: inputs.state,
      };
    },
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
      id: env.accountId,
      accountId: env.accountId,
      arn: `arn:${env.partition}:iam::${env.accountId}:user/pulumi-mock`,
      userId: `AIDA${new Entropy(env.accountId).hex(17, "user").toUpperCase()}`,
    }),
    // "For non-role ARNs, this data source simply passes the ARN through in issuer_arn"; an assumed-role session
    // resolves to its role (provider docs, aws.iam.getSessionContext). The mock's roles have no path.
    "aws:iam/getSessionContext:getSessionContext": (inputs) => {
      const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(inputs.arn);
      if (!session)
        return {
          id: inputs.arn,
          arn: inputs.arn,
          issuerArn: inputs.arn,
          issuerId: "",
          issuerName: "",
          sessionName: "",
        };
      const [, partition, account, role, sessionName] = session;
      return {
        id: inputs.arn,
        arn: inputs.arn,
        issuerArn: `arn:${partition}:iam::${account}:role/${role}`,
        issuerId: `AROA${account}`,
        issuerName: role,
        sessionName,
      };
    },
    "aws:index/getPartition:getPartition": () => ({
      id: env.partition,
      partition: env.partition,
      dnsSuffix: env.dnsSuffix,
      reverseDnsPrefix: env.dnsSuffix.split(".").reverse().join("."),
    }),
    "aws:index/getRegion:getRegion": (inputs) => {
      const region = inputs.region ?? inputs.name ?? env.region;
      return {
        id: region,
        name: region,
        region,
        endpoint: `ec2.${region}.${env.dnsSuffix}`,
        description: `Mock region ${region}`,
      };
    },
    ...(opts.calls ?? {}),
  };

  const mocks: RecordingMocks = {
    options: opts,
    created,
    calls,
    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Props } {
      const key = `${args.type}::${args.name}`;
      const occurrence = seen.get(key) ?? 0;
      seen.set(key, occurrence + 1);
      const custom = args.custom ?? true;
      const revealed = revealSecrets(args.inputs ?? {});
      const ctx: ResourceContext = {
        type: args.type,
        name: args.name,
        inputs: revealed.value,
        env,
        entropy: new Entropy(`${opts.project}/${opts.stack}/${key}#${occurrence}`),
      };
      const { id, state } = buildState(ctx, custom);
      created.push({
        type: args.type,
        name: args.name,
        custom,
        inputs: ctx.inputs,
        secretPaths: revealed.secretPaths,
        id,
        state,
      });
      // Secret inputs stay secret in the state the program reads back, as the engine keeps them: an echoed
      // top-level input that held a secret anywhere is returned in its original (wrapped) form.
      const rawInputs: Props = args.inputs ?? {};
      for (const key of new Set(revealed.secretPaths.map((p) => p.split(/[.[]/)[0]))) {
        if (key === "") continue;
        if (JSON.stringify(state[key]) === JSON.stringify(ctx.inputs[key])) state[key] = rawInputs[key];
      }
      return { id: args.id || id, state };
    },
    call(args: pulumi.runtime.MockCallArgs): Props {
      const handler = invokes[args.token];
      if (!handler) {
        const message =
          `unmocked invoke "${args.token}" with inputs ${JSON.stringify(args.inputs)}; ` +
          `tools/harness/mocks.ts answers only: ${Object.keys(invokes).join(", ")}. ` +
          `Add a realistic handler there (or pass options.calls) instead of letting the program read nothing.`;
        // The SDK rethrows an invoke failure as `new Error(err.details)` (gRPC style), so carry the message there too.
        throw Object.assign(new Error(message), { details: message });
      }
      calls.push(args);
      return handler(args.inputs ?? {});
    },
    findCreated(type: string, name: string): CreatedResource {
      const found = created.filter((r) => r.type === type && r.name === name);
      if (found.length === 0) {
        const sameType = created.filter((r) => r.type === type).map((r) => r.name);
        throw new Error(`no ${type} named "${name}" was created; ${type} names created: [${sameType.join(", ")}]`);
      }
      if (found.length > 1) throw new Error(`${found.length} resources ${type} named "${name}" were created`);
      return found[0];
    },
    findAllCreated(type: string): CreatedResource[] {
      return created.filter((r) => r.type === type);
    },
  };
  return mocks;
}

/** createMocks + setMocks (not a preview, so every mocked output is known). */
export async function installMocks(opts: MockOptions): Promise<RecordingMocks> {
  const mocks = createMocks(opts);
  const { setMocks } = require("@pulumi/pulumi/runtime/mocks") as typeof import("@pulumi/pulumi/runtime/mocks");
  await setMocks(mocks, opts.project, opts.stack, false);
  return mocks;
}

/**
 * Waits until every pending registration and RPC of the mocked runtime has finished. Call it at the end of a
 * test file: mocks are process-global, and a registration still in flight when the next file installs its own
 * mocks would reach a monitor that does not know the resource.
 */
export async function settleMocks(): Promise<void> {
  // `waitForRPCs` is marked @internal in @pulumi/pulumi (runtime/settings) and absent from its typings.
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  await settings.waitForRPCs();
}

/** The resolved value of an output (mocks are not in preview, so the value is always known). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise<T>((resolve) => output.apply((v) => resolve(v)));
}

export interface RegistrationRequest {
  type: string;
  name: string;
  urn: string;
  parent: string;
  custom: boolean;
  provider: string;
  /** URNs the resource waits for (dependsOn plus the resources behind its input outputs). */
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** Properties whose changes the engine ignores (the ignoreChanges option). */
  ignoreChanges: string[];
}

export interface RegistrationLog {
  readonly requests: RegistrationRequest[];
  find(type: string, name: string): RegistrationRequest;
  /** True when `dependent` waits (directly) for `dependency`. */
  dependsOn(dependent: RegistrationRequest, dependency: RegistrationRequest): boolean;
  restore(): void;
}

/**
 * Plain mocks never see parents or dependencies. This patches MockMonitor.registerResource to keep the whole
 * request (project reference offline-pulumi.md). Install in before(), restore in after().
 */
export function captureRegistrations(): RegistrationLog {
  const requests: RegistrationRequest[] = [];
  const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as typeof import("@pulumi/pulumi/runtime/mocks");
  const { getProject, getStack } = require("@pulumi/pulumi/metadata") as typeof import("@pulumi/pulumi/metadata");
  const original = MockMonitor.prototype.registerResource;
  MockMonitor.prototype.registerResource = function (
    this: MockMonitor,
    req: any,
    callback: (err: any, res: any) => void,
  ) {
    const parent: string = req.getParent();
    const type: string = req.getType();
    const name: string = req.getName();
    // Same URN rule as MockMonitor.newUrn: the parent's type is prefixed to the child's.
    const qualifiedType = parent ? `${parent.split("::")[2].split("$").pop()}$${type}` : type;
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
      propertyDependencies[key] = deps.getUrnsList();
    });
    requests.push({
      type,
      name,
      urn: `urn:pulumi:${getStack()}::${getProject()}::${qualifiedType}::${name}`,
      parent,
      custom: req.getCustom(),
      provider: req.getProvider(),
      dependencies: req.getDependenciesList(),
      propertyDependencies,
      ignoreChanges: req.getIgnorechangesList(),
    });
    return original.call(this, req, callback);
  };
  return {
    requests,
    find(type: string, name: string): RegistrationRequest {
      const found = requests.find((r) => r.type === type && r.name === name);
      if (!found) throw new Error(`no registration of ${type} named "${name}"`);
      return found;
    },
    dependsOn(dependent: RegistrationRequest, dependency: RegistrationRequest): boolean {
      return dependent.dependencies.includes(dependency.urn);
    },
    restore(): void {
      MockMonitor.prototype.registerResource = original;
    },
  };
}
