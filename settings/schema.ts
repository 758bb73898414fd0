import { z } from "zod";
import { DURATION_HINT, DURATION_PATTERN, parseDuration } from "./durations";
import * as upstream from "./upstream";
import { INSTANCE_FAMILIES, INSTANCE_SHAPES, INSTANCE_SIZES } from "../policies/rules/capacity/figures";

/**
 * The configuration contract: one strict schema, unknown keys rejected. Every key is optional here because
 * the profile supplies defaults; `resolveConfig` validates the merged result against `stackConfigSchema`.
 */

const duration = z
  .string()
  .regex(DURATION_PATTERN, { message: `expected ${DURATION_HINT}` })
  .refine((text) => !DURATION_PATTERN.test(text) || parseDuration(text) <= upstream.go.maxDurationMs, {
    message:
      "longer than Go's longest duration (2562047h, about 292 years), which Mimir, Loki and Prometheus refuse at start-up",
  });

const ipv4Cidr = z.string().regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/, {
  message: "expected an IPv4 CIDR such as 10.0.0.0/16",
});

// AWS names (IAM ARNs, EC2 ids) follow the formats in the IAM and EC2 API references.
const roleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, {
  message: "expected an IAM role ARN such as arn:aws:iam::123456789012:role/platform-admins",
});
const azName = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, { message: "expected an availability zone such as eu-west-1a" });
const vpcId = z.string().regex(/^vpc-[0-9a-f]{8,17}$/, { message: "expected a VPC id such as vpc-0abc1234def567890" });
const subnetId = z
  .string()
  .regex(/^subnet-[0-9a-f]{8,17}$/, { message: "expected a subnet id such as subnet-0abc1234def567890" });
/** The instance types the capacity model and the price table can size (policies/rules/capacity/figures.ts). */
const instanceType = z.string().refine((type) => type in INSTANCE_SHAPES, {
  message:
    `expected an instance type the capacity model sizes: one of the families ${Object.keys(INSTANCE_FAMILIES).join(", ")} ` +
    `at size ${Object.keys(INSTANCE_SIZES).join(", ")} (e.g. m6i.xlarge), or t3.medium`,
});

const positiveInt = z.number().int().min(1);
const count = z.number().int().min(0);

/**
 * Tenant ids are Mimir/Loki org ids and S3 key prefixes: Mimir allows at most 150 characters from
 * [a-zA-Z0-9!-_.*'()] and forbids "." and ".." (Mimir docs, about-tenant-ids); we also forbid "/" implicitly.
 */
const tenantId = z
  .string()
  .regex(/^[a-zA-Z0-9!_.*'()-]{1,150}$/, { message: "expected 1-150 characters from a-z A-Z 0-9 ! - _ . * ' ( )" })
  .refine((id) => id !== "." && id !== "..", { message: "'.' and '..' are not valid tenant ids" })
  .refine((id) => id !== "__mimir_cluster", { message: "'__mimir_cluster' is reserved by Mimir" });

export const tenantLimitsSchema = z.strictObject({
  /** Mimir limits.ingestion_rate (samples/s) for this tenant. */
  ingestionRate: positiveInt.optional(),
  /** Mimir limits.ingestion_burst_size (samples). */
  // The same class as Loki's burst below: Mimir's distributor takes a whole remote-write request from the tenant's
  // token bucket (dskit limiter.RateLimiter over golang.org/x/time/rate, whose AllowN is false when n exceeds the
  // burst), so a burst below one request's samples refuses every
  // request with 429, whatever the rate.
  ingestionBurstSize: positiveInt
    .min(upstream.prometheus.maxSamplesPerSend, {
      message: `must be >= ${upstream.prometheus.maxSamplesPerSend} (samples): one Prometheus remote-write request (queueConfig.maxSamplesPerSend) must fit the burst, or Mimir refuses it with 429 forever`,
    })
    .optional(),
  /** Mimir limits.max_global_series_per_user. */
  maxGlobalSeries: positiveInt.optional(),
  /** Mimir compactor_blocks_retention_period for this tenant. */
  metricsRetention: duration.optional(),
  /** Loki retention_period for this tenant. */
  logsRetention: duration.optional(),
  /** Loki ingestion_rate_mb / ingestion_burst_size_mb for this tenant. */
  logsIngestionRateMB: z.number().positive().optional(),
  logsIngestionBurstSizeMB: z
    .number()
    .min(upstream.loki.maxLineSizeBytes / upstream.loki.bytesPerMB, {
      message: `must be >= ${upstream.loki.maxLineSizeBytes / upstream.loki.bytesPerMB} (MB): one log line up to Loki's max_line_size (256KB) must fit the burst, or Loki refuses it with 429 forever`,
    })
    .optional(),
});

const jsonObject = z.record(z.string(), z.unknown());
const LIFECYCLE_HINT = "expected a whole number of days >= 1, or null for no expiration";
const lifecycleDays = z
  .number({ error: LIFECYCLE_HINT })
  .int({ error: LIFECYCLE_HINT })
  .min(1, { error: LIFECYCLE_HINT })
  .nullable();

export const stackConfigSchema = z.strictObject({
  profile: z.enum(["dev", "staging", "prod"]),
  network: z.strictObject({
    vpcCidr: ipv4Cidr,
    availabilityZones: z.union([z.literal(2), z.literal(3), z.array(azName).min(2).max(3)], {
      error: "expected 2, 3, or a list of 2 or 3 availability zone names",
    }),
    natGateways: z.enum(["single", "perZone"]),
    existingVpcId: vpcId.optional(),
    existingPrivateSubnetIds: z.array(subnetId).min(2).max(3).optional(),
  }),
  cluster: z.strictObject({
    kubernetesVersion: z
      .string()
      .regex(/^1\.\d{2}$/, { message: "expected a Kubernetes minor version such as 1.35" })
      .refine(
        (v) =>
          !/^1\.\d{2}$/.test(v) ||
          (Number(v.slice(2)) >= upstream.eks.minKubernetesMinor &&
            Number(v.slice(2)) <= upstream.eks.maxKubernetesMinor),
        {
          message: `must be an EKS version from 1.${upstream.eks.minKubernetesMinor} to 1.${upstream.eks.maxKubernetesMinor}: older ones make gp2 the default StorageClass, newer ones EKS does not offer`,
        },
      ),
    endpointPublicAccessCidrs: z.array(ipv4Cidr),
    /** Largest share of the IPv4 space the public endpoint may open outside dev (one /16 = 2^16 / 2^32 by default). */
    endpointPublicAccessMaxShare: z.number().gt(0).max(1),
    privateEndpoint: z.boolean(),
    adminRoleArns: z.array(roleArn),
    /** Read-only EKS access (AmazonEKSViewPolicy), e.g. the pull-request preview role. */
    viewerRoleArns: z.array(roleArn),
    nodeGroups: z.strictObject({
      instanceTypes: z.array(instanceType).min(1),
      minSize: count,
      maxSize: positiveInt.max(100),
      desiredSize: count,
      diskSizeGiB: z.number().int().min(20).max(16384),
    }),
  }),
  retention: z.strictObject({
    prometheusLocal: duration,
    metrics: duration,
    logs: duration,
    kafka: duration,
  }),
  replication: z.strictObject({
    zones: z.number().int().min(1).max(3),
    kafkaBrokers: positiveInt.max(30),
    kafkaReplicationFactor: positiveInt.max(5),
    kafkaMinInsyncReplicas: positiveInt.max(5),
    lokiReplicationFactor: positiveInt.max(5),
    storeGatewayReplicationFactor: positiveInt.max(3),
  }),
  workload: z.strictObject({
    activeSeries: positiveInt,
    samplesPerSecond: positiveInt,
    logsGBPerDay: z.number().positive(),
    queriesPerSecond: z.number().positive(),
  }),
  // Each data bucket's lifecycle has a housekeeping rule and one expiration rule per tenant (components/buckets).
  tenants: z
    .array(z.strictObject({ id: tenantId, limits: tenantLimitsSchema.optional() }))
    .min(1)
    .max(upstream.s3.maxLifecycleRules - 1, {
      message: `at most ${upstream.s3.maxLifecycleRules - 1} tenants: each gets a lifecycle rule in every data bucket, beside one housekeeping rule, and S3 allows ${upstream.s3.maxLifecycleRules} rules per bucket`,
    }),
  overrides: z.strictObject({
    kubePrometheusStack: jsonObject.optional(),
    mimir: jsonObject.optional(),
    loki: jsonObject.optional(),
    alloy: jsonObject.optional(),
    strimzi: jsonObject.optional(),
    kafkaCluster: jsonObject.optional(),
    kafkaTopic: jsonObject.optional(),
    bucketLifecycleDays: z
      .strictObject({
        mimirBlocks: lifecycleDays.optional(),
        mimirRuler: lifecycleDays.optional(),
        mimirAlertmanager: lifecycleDays.optional(),
        lokiChunks: lifecycleDays.optional(),
        lokiRuler: lifecycleDays.optional(),
      })
      .optional(),
  }),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;
export type Profile = StackConfig["profile"];
export type TenantLimits = z.infer<typeof tenantLimitsSchema>;
export type BucketLifecycleOverrides = NonNullable<StackConfig["overrides"]["bucketLifecycleDays"]>;

/** The top-level keys a stack may set in the project's namespace. */
export const CONFIG_KEYS = Object.keys(stackConfigSchema.shape) as (keyof StackConfig)[];
