// A prod stack in which every policy passes: the compliant fixture each policy test mutates one field of.
import { ResourceRecord } from "./harness";

export const T = {
  release: "kubernetes:helm.sh/v3:Release",
  kafka: "kubernetes:kafka.strimzi.io/v1:Kafka",
  nodePool: "kubernetes:kafka.strimzi.io/v1:KafkaNodePool",
  topic: "kubernetes:kafka.strimzi.io/v1:KafkaTopic",
  user: "kubernetes:kafka.strimzi.io/v1:KafkaUser",
  bucket: "aws:s3/bucket:Bucket",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  eksCluster: "aws:eks/cluster:Cluster",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  subnet: "aws:ec2/subnet:Subnet",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
} as const;

const PROFILE = { "observability/profile": "prod" };

/** The gateways' tenant binding as nginx text: a credential's user must be the tenant its request names. */
export const TENANT_BINDING = {
  httpSnippet:
    'map "$http_x_scope_orgid:$remote_user" $tenant_credential_mismatch {\n  default 1;\n  "~:$" 0;\n  "~^([^:]+):\\1$" 0;\n}',
  serverSnippet:
    'if ($tenant_credential_mismatch) { return 403 "X-Scope-OrgID must name the tenant of the basic-auth credential\\n"; }',
};
const ZONES = [
  { name: "zone-a", az: "us-east-1a", subnet: "subnet-0a" },
  { name: "zone-b", az: "us-east-1b", subnet: "subnet-0b" },
  { name: "zone-c", az: "us-east-1c", subnet: "subnet-0c" },
];

export const BUCKETS = {
  mimirBlocks: "obs-prod-mimir-blocks",
  mimirRuler: "obs-prod-mimir-ruler",
  mimirAlertmanager: "obs-prod-mimir-alertmanager",
  lokiChunks: "obs-prod-loki-chunks",
  lokiRuler: "obs-prod-loki-ruler",
} as const;

export function tlsOnlyPolicy(bucketName: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
}

function bucketRecords(role: keyof typeof BUCKETS, lifecycleRules?: unknown[]): ResourceRecord[] {
  const name = BUCKETS[role];
  const bucket = `${role}-bucket`;
  const linked = (suffix: string, type: string, props: Record<string, unknown>): ResourceRecord => ({
    type,
    name: `${role}-${suffix}`,
    props: { bucket: name, ...props },
    dependencies: [bucket],
    propertyDependencies: { bucket: [bucket] },
  });
  const records: ResourceRecord[] = [
    {
      type: T.bucket,
      name: bucket,
      props: { bucket: name, tags: { ...PROFILE, "observability/bucket-role": role } },
      protect: true,
    },
    linked("public-access-block", T.publicAccessBlock, {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    linked("encryption", T.encryption, {
      rules: [
        {
          applyServerSideEncryptionByDefault: {
            sseAlgorithm: "aws:kms",
            kmsMasterKeyId: "arn:aws:kms:us-east-1:111122223333:key/obs",
          },
          bucketKeyEnabled: true,
        },
      ],
    }),
    linked("policy", T.bucketPolicy, { policy: tlsOnlyPolicy(name) }),
  ];
  if (lifecycleRules) records.push(linked("lifecycle", T.lifecycle, { rules: lifecycleRules }));
  return records;
}

/** A KafkaNodePool of the "kafka" cluster: 3 replicas of one role on one persistent volume (record name kafka-pool-<name>). */
function nodePoolRecord(name: string, role: "controller" | "broker", size: string): ResourceRecord {
  return {
    type: T.nodePool,
    name: `kafka-pool-${name}`,
    props: {
      apiVersion: "kafka.strimzi.io/v1",
      kind: "KafkaNodePool",
      metadata: { name, namespace: "kafka", labels: { "strimzi.io/cluster": "kafka" } },
      spec: {
        replicas: 3,
        roles: [role],
        storage: { type: "jbod", volumes: [{ id: 0, type: "persistent-claim", size, kraftMetadata: "shared" }] },
        // One per AZ: a required zone spread, as the program sets (components/kafka/spec.ts).
        template: {
          pod: {
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: { matchLabels: { "strimzi.io/pool-name": name } },
              },
            ],
          },
        },
      },
    },
  };
}

/** A required zone spread, as the program gives stateless components (components/shared/pods.ts zoneSpread). */
const ZONE_SPREAD = {
  topologySpreadConstraints: [
    { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule" },
  ],
};

const ALLOY_CONFIG = `
// Ship pod logs to Loki.
loki.write "default" {
  endpoint {
    url        = "http://loki-gateway.loki.svc/loki/api/v1/push"
    batch_size = "1MiB"
    tenant_id  = "prod"
  }
}
`;

/** The fixture plus the Secrets the program declares for the references its values make (W9 reads them). */
export function withDeclaredSecrets(records: ResourceRecord[] = compliantStack()): ResourceRecord[] {
  const secret = (name: string, namespace: string): ResourceRecord => ({
    type: "kubernetes:core/v1:Secret",
    name: `${namespace}-${name}`,
    props: { metadata: { name, namespace }, type: "Opaque" },
  });
  return [
    ...records,
    secret("mimir-gateway-htpasswd", "mimir"),
    secret("mimir-kafka", "mimir"),
    secret("loki-gateway-htpasswd", "loki"),
    secret("grafana-admin", "monitoring"),
  ];
}

export function compliantStack(): ResourceRecord[] {
  const subnets: ResourceRecord[] = ZONES.map((z) => ({
    type: T.subnet,
    name: `subnet-private-${z.name}`,
    props: { id: z.subnet, availabilityZone: z.az, cidrBlock: "10.0.0.0/19", tags: PROFILE },
  }));
  const zoneValues = ZONES.map((z) => ({ name: z.name, nodeSelector: { "topology.kubernetes.io/zone": z.az } }));
  return [
    ...subnets,
    {
      type: T.eksCluster,
      name: "eks-cluster",
      props: {
        name: "obs-prod",
        vpcConfig: {
          subnetIds: ZONES.map((z) => z.subnet),
          endpointPrivateAccess: true,
          endpointPublicAccess: true,
          publicAccessCidrs: ["203.0.113.0/24"],
        },
        tags: PROFILE,
      },
    },
    {
      type: T.nodeGroup,
      name: "node-group",
      props: {
        subnetIds: ZONES.map((z) => z.subnet),
        instanceTypes: ["m6i.2xlarge"],
        amiType: "AL2023_x86_64_STANDARD",
        capacityType: "ON_DEMAND",
        labels: { "observability/node-pool": "workload" },
        scalingConfig: { desiredSize: 6, minSize: 3, maxSize: 9 },
        tags: PROFILE,
      },
      propertyDependencies: { subnetIds: subnets.map((s) => s.name) },
    },
    ...bucketRecords("mimirBlocks", [
      { id: "expire-prod-tenant-blocks", status: "Enabled", filter: { prefix: "prod/" }, expiration: { days: 400 } },
    ]),
    ...bucketRecords("mimirRuler"),
    ...bucketRecords("mimirAlertmanager"),
    ...bucketRecords("lokiChunks", [
      { id: "expire-prod-tenant-chunks", status: "Enabled", filter: { prefix: "prod/" }, expiration: { days: 45 } },
    ]),
    ...bucketRecords("lokiRuler"),
    {
      type: T.release,
      name: "strimzi-operator",
      props: {
        chart: "strimzi-kafka-operator",
        name: "strimzi",
        namespace: "kafka",
        version: "1.2.0",
        values: { watchNamespaces: [] },
      },
    },
    {
      type: T.kafka,
      name: "kafka-cluster",
      props: {
        apiVersion: "kafka.strimzi.io/v1",
        kind: "Kafka",
        metadata: { name: "kafka", namespace: "kafka" },
        spec: {
          kafka: {
            version: "4.3.1",
            listeners: [
              {
                name: "tls",
                port: 9093,
                type: "internal",
                tls: true,
                authentication: { type: "scram-sha-512" },
                networkPolicyPeers: [
                  {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "mimir" } },
                    podSelector: { matchLabels: MIMIR_PODS },
                  },
                ],
              },
            ],
            authorization: { type: "simple" },
            rack: { type: "topology-label", topologyKey: "topology.kubernetes.io/zone" },
            config: {
              "message.max.bytes": 16777216,
              "replica.fetch.max.bytes": 16777216,
              "socket.request.max.bytes": 104857600,
              "default.replication.factor": 3,
              "min.insync.replicas": 2,
              "offsets.topic.replication.factor": 3,
              "transaction.state.log.replication.factor": 3,
              "transaction.state.log.min.isr": 2,
            },
          },
          entityOperator: { topicOperator: {}, userOperator: {} },
        },
      },
    },
    nodePoolRecord("controllers", "controller", "20Gi"),
    // Sized as the program sizes prod: 24h at 133,334 samples/s x 50 bytes (policies/lib/kafka/sizing.ts), RF 3 on 3 brokers.
    nodePoolRecord("brokers", "broker", "1024Gi"),
    {
      type: T.topic,
      name: "kafka-topic-mimir-ingest",
      props: {
        apiVersion: "kafka.strimzi.io/v1",
        kind: "KafkaTopic",
        metadata: { name: "mimir-ingest", namespace: "kafka", labels: { "strimzi.io/cluster": "kafka" } },
        spec: {
          partitions: 12,
          replicas: 3,
          config: {
            "max.message.bytes": 16777216,
            "min.insync.replicas": 2,
            "retention.ms": 86400000,
            "segment.bytes": 1073741824,
          },
        },
      },
    },
    {
      type: T.user,
      name: "kafka-user-mimir",
      props: {
        apiVersion: "kafka.strimzi.io/v1",
        kind: "KafkaUser",
        metadata: { name: "mimir", namespace: "kafka", labels: { "strimzi.io/cluster": "kafka" } },
        spec: {
          authentication: { type: "scram-sha-512" },
          authorization: {
            type: "simple",
            acls: [{ resource: { type: "topic", name: "mimir-ingest" }, operations: ["Read", "Write", "Describe"] }],
          },
        },
      },
    },
    {
      type: T.release,
      name: "mimir",
      props: {
        chart: "mimir-distributed",
        name: "mimir",
        namespace: "mimir",
        // SCRAM over TLS below needs Mimir 3.1 (chart 6.1); the program pins 6.0.6 (Mimir 3.0: SASL/PLAIN only).
        version: "6.1.0",
        values: {
          gateway: {
            replicas: 2,
            ...ZONE_SPREAD,
            nginx: { basicAuth: { enabled: true, existingSecret: "mimir-gateway-htpasswd" }, config: TENANT_BINDING },
          },
          kafka: { enabled: false },
          minio: { enabled: false },
          global: {
            extraEnv: [
              { name: "KAFKA_SASL_PASSWORD", valueFrom: { secretKeyRef: { name: "mimir-kafka", key: "password" } } },
            ],
          },
          serviceAccount: {
            annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/obs-prod-mimir" },
          },
          mimir: {
            structuredConfig: {
              common: {
                storage: { backend: "s3", s3: { endpoint: "s3.us-east-1.amazonaws.com", region: "us-east-1" } },
              },
              blocks_storage: { s3: { bucket_name: BUCKETS.mimirBlocks } },
              ruler_storage: { s3: { bucket_name: BUCKETS.mimirRuler } },
              alertmanager_storage: { s3: { bucket_name: BUCKETS.mimirAlertmanager } },
              ingest_storage: {
                kafka: {
                  address: "kafka-kafka-bootstrap.kafka.svc:9093",
                  topic: "mimir-ingest",
                  auto_create_topic_enabled: false,
                  tls_enabled: true,
                  sasl_mechanism: "SCRAM-SHA-512",
                  sasl_username: "mimir",
                  sasl_password: "${KAFKA_SASL_PASSWORD}",
                },
              },
              limits: { compactor_blocks_retention_period: "365d", max_global_series_per_user: 50_000 },
              ruler: { query_frontend: { address: "dns:///mimir-query-frontend.mimir.svc:9095" } },
            },
          },
          runtimeConfig: { overrides: {} },
          distributor: {
            replicas: 2,
            resources: { requests: { memory: "1Gi" }, limits: { memory: "2Gi" } },
            ...ZONE_SPREAD,
          },
          querier: { replicas: 2, ...ZONE_SPREAD },
          query_frontend: { replicas: 2, ...ZONE_SPREAD },
          query_scheduler: { replicas: 2, ...ZONE_SPREAD },
          ingester: { replicas: 6, zoneAwareReplication: { enabled: true, zones: zoneValues } },
          store_gateway: { replicas: 3, zoneAwareReplication: { enabled: true, zones: zoneValues } },
        },
      },
    },
    {
      type: T.release,
      name: "loki",
      props: {
        chart: "loki",
        name: "loki",
        namespace: "loki",
        version: "18.11.0",
        values: {
          gateway: {
            replicas: 2,
            ...ZONE_SPREAD,
            basicAuth: { enabled: true, existingSecret: "loki-gateway-htpasswd" },
            nginxConfig: { ...TENANT_BINDING, locationSnippet: "proxy_set_header X-Scope-OrgID $remote_user;" },
          },
          deploymentMode: "Distributed",
          // As the program passes them (components/loki/values.ts SIMPLE_SCALABLE_OFF): the chart defaults backend, read
          // and write to 3 replicas, and refuses to render those with distributed targets (templates/validate.yaml).
          backend: { replicas: 0 },
          read: { replicas: 0 },
          write: { replicas: 0 },
          ingester: {
            replicas: 3,
            persistence: { enabled: true },
            zoneAwareReplication: Object.fromEntries(
              ZONES.map((z, i) => [`zone${"ABC"[i]}`, { nodeSelector: { "topology.kubernetes.io/zone": z.az } }]),
            ),
          },
          distributor: { replicas: 2, ...ZONE_SPREAD },
          querier: { replicas: 2, ...ZONE_SPREAD },
          queryFrontend: { replicas: 2, ...ZONE_SPREAD },
          // The program runs a query scheduler in Distributed mode (components/loki/values.ts); the chart points the
          // frontends and queriers at it (L14).
          queryScheduler: { replicas: 2, ...ZONE_SPREAD },
          compactor: { replicas: 1 },
          indexGateway: { replicas: 2 },
          loki: {
            commonConfig: { replication_factor: 3 },
            storage: {
              type: "s3",
              bucketNames: { chunks: BUCKETS.lokiChunks, ruler: BUCKETS.lokiRuler },
              s3: { region: "us-east-1" },
            },
            schemaConfig: {
              configs: [
                {
                  from: "2024-04-01",
                  store: "tsdb",
                  object_store: "s3",
                  schema: "v13",
                  index: { prefix: "index_", period: "24h" },
                },
              ],
            },
            compactor: { retention_enabled: true, delete_request_store: "s3" },
            limits_config: { retention_period: "30d", ingestion_burst_size_mb: 6 },
          },
          serviceAccount: {
            annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/obs-prod-loki" },
          },
        },
      },
    },
    {
      type: T.release,
      name: "kube-prometheus-stack",
      props: {
        chart: "kube-prometheus-stack",
        name: "kps",
        namespace: "monitoring",
        version: "88.5.3",
        values: {
          prometheus: {
            podDisruptionBudget: { enabled: true, minAvailable: 1 },
            prometheusSpec: {
              retention: "10d",
              replicas: 2,
              podAntiAffinity: "hard",
              podAntiAffinityTopologyKey: "topology.kubernetes.io/zone",
            },
          },
          grafana: { admin: { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" } },
        },
      },
    },
    {
      type: T.release,
      name: "alloy",
      props: {
        chart: "alloy",
        name: "alloy",
        namespace: "monitoring",
        version: "1.11.1",
        values: { alloy: { configMap: { content: ALLOY_CONFIG } } },
      },
    },
    ...fencePolicies("mimir", MIMIR_PODS),
    ...fencePolicies("loki", { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": "loki" }),
  ];
}

const MIMIR_PODS = { "app.kubernetes.io/name": "mimir", "app.kubernetes.io/instance": "mimir" };

/** The release's components admit only its own pods and Prometheus; the gateway admits every pod of the cluster. */
function fencePolicies(namespace: string, pods: Record<string, string>): ResourceRecord[] {
  const policy = (name: string, spec: Record<string, unknown>): ResourceRecord => ({
    type: T.networkPolicy,
    name: `${namespace}-${name}`,
    props: { metadata: { name: `${namespace}-${name}`, namespace }, spec },
  });
  return [
    policy("components", {
      podSelector: {
        matchLabels: pods,
        matchExpressions: [{ key: "app.kubernetes.io/component", operator: "NotIn", values: ["gateway"] }],
      },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: pods } },
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
              podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
            },
          ],
        },
      ],
    }),
    policy("gateway", {
      podSelector: { matchLabels: { ...pods, "app.kubernetes.io/component": "gateway" } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ namespaceSelector: {} }] }],
    }),
  ];
}

type Path = Array<string | number>;

/** A copy of the records with one prop of one record set (value undefined deletes it). */
export function mutate(records: ResourceRecord[], name: string, path: Path, value: unknown): ResourceRecord[] {
  const copy = structuredClone(records);
  const record = copy.find((r) => r.name === name);
  if (!record) throw new Error(`fixture: no record ${name}`);
  let target: Record<string | number, unknown> = record.props;
  for (const key of path.slice(0, -1)) {
    if (target[key] === undefined || target[key] === null) target[key] = typeof key === "number" ? [] : {};
    target = target[key] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

/** Shorthand for mutating the values of a Helm release record. */
export function mutateValues(
  records: ResourceRecord[],
  release: string,
  path: string,
  value: unknown,
): ResourceRecord[] {
  return mutate(records, release, ["values", ...path.split(".")], value);
}

export function without(records: ResourceRecord[], ...names: string[]): ResourceRecord[] {
  return structuredClone(records.filter((r) => !names.includes(r.name)));
}

/** The records with every tagged AWS resource's profile tag set to `profile` (the pack reads the environment there). */
export function retag(records: ResourceRecord[], profile: string): ResourceRecord[] {
  return records.map((r) =>
    r.type.startsWith("aws:") && r.props.tags
      ? { ...r, props: { ...r.props, tags: { ...(r.props.tags as object), "observability/profile": profile } } }
      : r,
  );
}

/** The pinned mimir-distributed (6.0.x, Mimir 3.0): the chart the built-in Kafka's env keys and Mimir 3.0's config follow. */
export const MIMIR_30_CHART = "6.0.6";

/** The compliant records with the Mimir release at chart `version` (the fixture's own is 6.1, for SCRAM over TLS). */
export function withMimirChart(records: ResourceRecord[], version = MIMIR_30_CHART): ResourceRecord[] {
  return mutate(records, "mimir", ["version"], version);
}
