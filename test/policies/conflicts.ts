/**
 * Conflicting configurations written as stack config (mostly through `overrides`, the way conflicts enter), each
 * with the policy that must reject it. `base` is the shipped stack file the config is layered on.
 */
export interface Conflict {
  title: string;
  base: "dev" | "staging" | "prod";
  config: Record<string, unknown>;
  policy: string;
  level: "mandatory" | "advisory";
  message?: RegExp;
  /** The policy judges outputs no first preview knows (program-integration.e2e.test.ts UNKNOWABLE_IN_FIRST_PREVIEW). */
  notInFirstPreview?: true;
}

const mimir = (structuredConfig: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({
  overrides: { mimir: { mimir: { structuredConfig }, ...rest } },
});
const loki = (values: Record<string, unknown>) => ({ overrides: { loki: values } });
/** The program's one Loki schema period (components/loki/values.ts), with `changes` over it. */
const period = (changes: Record<string, unknown> = {}) => ({
  from: "2024-04-01",
  store: "tsdb",
  object_store: "s3",
  schema: "v13",
  index: { prefix: "index_", period: "24h" },
  ...changes,
});
const schemaPeriods = (...configs: Array<Record<string, unknown>>) => loki({ loki: { schemaConfig: { configs } } });
/** Prometheus' one remote write, as the program renders it (components/prometheus/values.ts), with `changes` over it. */
/** Mimir's Kafka listener, as the program renders it (components/kafka), with `changes` over it. */
const mimirListener = (changes: Record<string, unknown>) => ({
  name: "saslplain",
  port: 9093,
  type: "internal",
  tls: false,
  authentication: {
    type: "custom",
    sasl: true,
    listenerConfig: {
      "sasl.enabled.mechanisms": "PLAIN",
      "plain.sasl.jaas.config":
        'org.apache.kafka.common.security.plain.PlainLoginModule required user_mimir="${strimzienv:MIMIR_KAFKA_SASL_PASSWORD}";',
    },
  },
  networkPolicyPeers: [
    {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "mimir" } },
      podSelector: { matchLabels: { "app.kubernetes.io/instance": "mimir", "app.kubernetes.io/name": "mimir" } },
    },
  ],
  ...changes,
});
const remoteWrite = (changes: Record<string, unknown>) => ({
  overrides: {
    kubePrometheusStack: {
      prometheus: {
        prometheusSpec: {
          remoteWrite: [
            {
              name: "mimir",
              url: "http://mimir-gateway.mimir.svc/api/v1/push",
              headers: { "X-Scope-OrgID": "platform" },
              basicAuth: {
                username: { name: "mimir-remote-write-auth", key: "username" },
                password: { name: "mimir-remote-write-auth", key: "password" },
              },
              ...changes,
            },
          ],
        },
      },
    },
  },
});

export const CONFLICTS: Conflict[] = [
  // ---- Kafka vs Mimir
  {
    title: "Strimzi operator extraEnvs replaced, dropping the restricted Pod Security Provider",
    base: "prod",
    config: {
      overrides: { strimzi: { extraEnvs: [{ name: "STRIMZI_FULL_RECONCILIATION_INTERVAL_MS", value: "60000" }] } },
    },
    policy: "strimzi-pods-meet-namespace-security",
    level: "mandatory",
    message:
      /enforces pod-security\.kubernetes\.io\/enforce=restricted, but .* has no STRIMZI_POD_SECURITY_PROVIDER_CLASS/,
  },
  {
    title: "Strimzi operator pinned to 0.45, which does not serve the stack's v1 resources",
    base: "prod",
    config: { overrides: { strimzi: { image: { tag: "0.45.0" } } } },
    policy: "component-versions-match-charts",
    level: "mandatory",
    message: /as kafka\.strimzi\.io\/v1, an API Strimzi serves from 0\.49\.0/,
  },
  {
    title: "Mimir ingesters of the three zones share one consumer group per partition",
    base: "prod",
    config: mimir({ ingest_storage: { kafka: { consumer_group: "mimir-<partition>" } } }),
    policy: "mimir-ingest-storage-config-valid",
    level: "mandatory",
    message: /consumer_group="mimir-<partition>" makes the 3 zones' ingesters of each partition/,
  },
  {
    title: "topic max.message.bytes at Kafka's 1 MB default (the seed incident)",
    base: "prod",
    config: { overrides: { kafkaTopic: { config: { "max.message.bytes": 1048588 } } } },
    policy: "kafka-message-size-fits-mimir-batch",
    level: "mandatory",
    message: /KafkaTopic "mimir-ingest".*max\.message\.bytes"\]=1048588 < 16000000.*MESSAGE_TOO_LARGE/,
  },
  {
    title: "one connection per client address on the brokers",
    base: "prod",
    config: { overrides: { kafkaCluster: { kafka: { config: { "max.connections.per.ip": 1 } } } } },
    policy: "kafka-quotas-admit-mimir",
    level: "mandatory",
    message: /max\.connections\.per\.ip"\]=1 is below the 2 connections each Mimir distributor pod opens/,
  },
  {
    title: "Kafka's default producer quota throttles Mimir far below its write rate",
    base: "prod",
    config: { overrides: { kafkaCluster: { kafka: { quotas: { type: "kafka", producerByteRate: 524288 } } } } },
    policy: "kafka-quotas-admit-mimir",
    level: "mandatory",
    message:
      /spec\.kafka\.quotas\.producerByteRate=524288 bytes\/s per broker x 3 broker\(s\) = 1\.57 MB\/s at most, below 6\.67 MB\/s/,
  },
  {
    title: "Kafka authorization removed while Mimir's KafkaUser keeps simple ACLs",
    base: "prod",
    config: { overrides: { kafkaCluster: { kafka: { authorization: null } } } },
    policy: "mimir-kafka-user-authorized",
    level: "mandatory",
    message:
      /KafkaUser "mimir".* carries simple ACLs .*has no spec\.kafka\.authorization: the User Operator refuses the user/,
  },
  {
    title: "Mimir topic asks for tiered storage the brokers do not run",
    base: "prod",
    config: { overrides: { kafkaTopic: { config: { "remote.storage.enable": true } } } },
    policy: "kafka-topic-config-valid",
    level: "mandatory",
    message: /Tiered Storage functionality is disabled in the broker/,
  },
  {
    title: "topic refuses records older than 1 ms",
    base: "prod",
    config: { overrides: { kafkaTopic: { config: { "message.timestamp.before.max.ms": 1 } } } },
    policy: "kafka-topic-accepts-mimir-timestamps",
    level: "mandatory",
    message: /message\.timestamp\.before\.max\.ms"\]=1 \(1ms\).*write_timeout=10s.*InvalidTimestampException/,
  },
  {
    title: "topic rolls a segment every second",
    base: "prod",
    config: { overrides: { kafkaTopic: { config: { "segment.ms": 1000 } } } },
    policy: "kafka-segment-roll-not-too-frequent",
    level: "mandatory",
    message: /segment\.ms"\]=1000 \(1s\).*KIP-1030/,
  },
  {
    title: "committed offsets expire after a minute",
    base: "prod",
    config: { overrides: { kafkaCluster: { kafka: { config: { "offsets.retention.minutes": 1 } } } } },
    policy: "kafka-committed-offsets-outlive-replay-window",
    level: "advisory",
    message: /offsets\.retention\.minutes"\]=1 minutes.*partition from the start/,
  },
  {
    title: "broker cleaner dedupe buffer of 1 MiB for one cleaner thread",
    base: "prod",
    config: { overrides: { kafkaCluster: { kafka: { config: { "log.cleaner.dedupe.buffer.size": 1048576 } } } } },
    policy: "kafka-broker-config-valid",
    level: "mandatory",
    message: /log\.cleaner\.dedupe\.buffer\.size must be at least 1MB per cleaner thread.*refuse to start/,
  },
  {
    title: "follower fetching turned on with the replica selector's short class name",
    base: "prod",
    config: {
      overrides: { kafkaCluster: { kafka: { config: { "replica.selector.class": "RackAwareReplicaSelector" } } } },
    },
    policy: "kafka-broker-config-valid",
    level: "mandatory",
    message: /replica\.selector\.class"\]="RackAwareReplicaSelector" has no package.*exits at start-up/,
  },
  {
    title: "broker message.max.bytes lowered in dev",
    base: "dev",
    config: {
      overrides: {
        kafkaCluster: { kafka: { config: { "message.max.bytes": 1048588 } } },
        kafkaTopic: { config: { "max.message.bytes": null } },
      },
    },
    policy: "kafka-message-size-fits-mimir-batch",
    level: "mandatory",
    message: /Kafka "kafka".*message\.max\.bytes"\]=1048588 < 16000000/,
  },
  {
    title: "mimir-distributed's built-in demo Kafka switched back on",
    base: "dev",
    config: mimir(
      {
        ingest_storage: {
          kafka: { address: "mimir-kafka.mimir.svc.cluster.local.:9092", auto_create_topic_enabled: true },
        },
      },
      { kafka: { enabled: true } },
    ),
    policy: "kafka-message-size-fits-mimir-batch",
    level: "mandatory",
  },
  {
    title: "segment smaller than a batch",
    base: "prod",
    config: { overrides: { kafkaTopic: { config: { "segment.bytes": 8388608 } } } },
    policy: "kafka-segment-size-fits-messages",
    level: "mandatory",
  },
  {
    title: "socket request size below the message size (the 'is SASL missing?' red herring)",
    base: "staging",
    config: { overrides: { kafkaCluster: { kafka: { config: { "socket.request.max.bytes": 1048576 } } } } },
    policy: "kafka-socket-request-fits-messages",
    level: "mandatory",
  },
  {
    title: "replica fetch below message size",
    base: "prod",
    config: { overrides: { kafkaCluster: { kafka: { config: { "replica.fetch.max.bytes": 1048576 } } } } },
    policy: "kafka-replica-fetch-size-matches-messages",
    level: "advisory",
  },
  {
    title: "topic RF above the brokers",
    base: "prod",
    config: { overrides: { kafkaTopic: { replicas: 5 } } },
    policy: "kafka-topic-replication-within-brokers",
    level: "mandatory",
  },
  {
    title: "offsets topic RF 3 on a single broker",
    base: "dev",
    config: { overrides: { kafkaCluster: { kafka: { config: { "offsets.topic.replication.factor": 3 } } } } },
    policy: "kafka-internal-topics-replication-within-brokers",
    level: "mandatory",
  },
  {
    title: "transaction state log RF 3 on a single broker",
    base: "dev",
    config: { overrides: { kafkaCluster: { kafka: { config: { "transaction.state.log.replication.factor": 3 } } } } },
    policy: "kafka-internal-topics-replication-within-brokers",
    level: "mandatory",
  },
  {
    title: "min ISR above the topic RF",
    base: "prod",
    config: { overrides: { kafkaTopic: { config: { "min.insync.replicas": 4 } } } },
    policy: "kafka-min-insync-within-replication",
    level: "mandatory",
  },
  {
    title: "fewer partitions than ingesters per zone",
    base: "prod",
    config: { overrides: { kafkaTopic: { partitions: 1 } } },
    policy: "kafka-partitions-cover-ingesters",
    level: "mandatory",
  },
  {
    title: "ingesters scaled out past the partitions",
    base: "prod",
    config: { overrides: { mimir: { ingester: { replicas: 15 } } } },
    policy: "kafka-partitions-cover-ingesters",
    level: "mandatory",
  },
  {
    title: "Kafka retention shorter than the replay window",
    base: "prod",
    config: { overrides: { kafkaTopic: { config: { "retention.ms": 3600000 } } } },
    policy: "kafka-retention-covers-replay-window",
    level: "mandatory",
  },
  {
    title: "distributor limited to 768Mi with a 512 MiB producer buffer",
    base: "prod",
    config: {
      overrides: {
        mimir: { distributor: { resources: { limits: { memory: "768Mi" }, requests: { memory: "768Mi" } } } },
      },
    },
    policy: "mimir-distributor-memory-fits-producer-buffer",
    level: "mandatory",
  },
  {
    title: "producer buffer back at Mimir's 1 GiB default",
    base: "dev",
    config: mimir({ ingest_storage: { kafka: { producer_max_buffered_bytes: 1073741824 } } }),
    policy: "mimir-distributor-memory-fits-producer-buffer",
    level: "mandatory",
  },
  {
    title: "Mimir topic auto-created with a stray name",
    base: "staging",
    config: mimir({ ingest_storage: { kafka: { topic: "mimir-ingest-v2" } } }),
    policy: "mimir-kafka-target-exists",
    level: "mandatory",
  },
  {
    title: "Mimir's Kafka listener turned type cluster-ip: its port leaves the shared bootstrap Service",
    base: "prod",
    config: {
      overrides: {
        kafkaCluster: {
          kafka: {
            listeners: [mimirListener({ type: "cluster-ip" })],
          },
        },
      },
    },
    policy: "mimir-kafka-target-exists",
    level: "mandatory",
    message: /dials port 9093 on the shared Service kafka-kafka-bootstrap, but .*type=cluster-ip/,
  },
  {
    title: "Kafka listener admitting every pod of the cluster in prod",
    base: "prod",
    config: {
      overrides: {
        kafkaCluster: { kafka: { listeners: [{ name: "saslplain", port: 9093, type: "internal", tls: false }] } },
      },
    },
    policy: "network-policies-fence-components",
    level: "mandatory",
    message: /listener "saslplain" .*admits every pod of the cluster/,
  },
  {
    title: "Kafka listener without authentication in prod",
    base: "prod",
    config: {
      overrides: {
        kafkaCluster: { kafka: { listeners: [{ name: "saslplain", port: 9093, type: "internal", tls: false }] } },
      },
    },
    policy: "kafka-clients-authenticate",
    level: "mandatory",
  },
  // ---- Mimir startup rules and replication
  {
    title: "query_store_after beyond query_ingesters_within",
    base: "prod",
    config: mimir({ querier: { query_store_after: "24h" } }),
    policy: "mimir-query-ingesters-within-exceeds-store-after",
    level: "mandatory",
  },
  {
    title: "deletion-mark delays in the wrong order",
    base: "prod",
    config: mimir({ blocks_storage: { bucket_store: { ignore_deletion_mark_while_querying_delay: "2h" } } }),
    policy: "mimir-deletion-mark-delays-ordered",
    level: "mandatory",
  },
  {
    title: "block ranges not divisible",
    base: "staging",
    config: mimir({ compactor: { block_ranges: ["2h", "5h", "24h"] } }),
    policy: "mimir-compactor-block-ranges-divisible",
    level: "mandatory",
  },
  {
    title: "ruler storage in the blocks bucket",
    base: "dev",
    config: mimir({ ruler_storage: { s3: { bucket_name: "dev-mimir-blocks-123456789012-eu-west-1" } } }),
    policy: "mimir-storage-locations-distinct",
    level: "mandatory",
  },
  {
    title: "TSDB retention below query_store_after",
    base: "prod",
    config: mimir({ blocks_storage: { tsdb: { retention_period: "6h" } } }),
    policy: "mimir-blocks-retention-covers-query-store-after",
    level: "mandatory",
  },
  {
    title: "idle-TSDB timeout 1h below query_store_after: a quiet tenant's recent data is read from neither path",
    base: "prod",
    config: mimir({ blocks_storage: { tsdb: { close_idle_tsdb_timeout: "1h" } } }),
    policy: "mimir-blocks-retention-covers-query-store-after",
    level: "mandatory",
    message: /close_idle_tsdb_timeout=1h < .*query_store_after=12h: .*partial results/,
  },
  {
    title: "store-gateway RF 3 on one store-gateway",
    base: "dev",
    config: mimir({ store_gateway: { sharding_ring: { replication_factor: 3 } } }),
    policy: "mimir-store-gateway-replication-within-replicas",
    level: "mandatory",
  },
  // ---- Retention chain and lifecycle
  {
    title: "Prometheus keeps more than Mimir",
    base: "prod",
    config: { overrides: { kubePrometheusStack: { prometheus: { prometheusSpec: { retention: "120d" } } } } },
    policy: "metrics-retention-covers-prometheus",
    level: "advisory",
  },
  {
    title: "blocks bucket expires before Mimir's retention",
    base: "prod",
    config: { overrides: { bucketLifecycleDays: { mimirBlocks: 30 } } },
    policy: "mimir-bucket-lifecycle-outlives-retention",
    level: "mandatory",
  },
  {
    title: "Mimir retention raised past the bucket lifecycle",
    base: "prod",
    config: mimir({ limits: { compactor_blocks_retention_period: "400d" } }),
    policy: "mimir-bucket-lifecycle-outlives-retention",
    level: "mandatory",
  },
  {
    title: "chunks bucket expires before Loki's retention",
    base: "prod",
    config: { overrides: { bucketLifecycleDays: { lokiChunks: 10 } } },
    policy: "loki-bucket-lifecycle-outlives-retention",
    level: "mandatory",
  },
  {
    title: "Loki retention raised past the bucket lifecycle",
    base: "staging",
    config: loki({ loki: { limits_config: { retention_period: "90d" } } }),
    policy: "loki-bucket-lifecycle-outlives-retention",
    level: "mandatory",
  },
  {
    title: "Loki retention without its delete-request store",
    base: "prod",
    config: loki({ loki: { compactor: { delete_request_store: null } } }),
    policy: "loki-retention-has-delete-request-store",
    level: "mandatory",
  },
  {
    title: "weekly Loki index period",
    base: "dev",
    config: schemaPeriods(period({ index: { prefix: "index_", period: "168h" } })),
    policy: "loki-index-period-24h",
    level: "mandatory",
  },
  {
    title: "Loki accepts samples older than it keeps",
    base: "prod",
    config: loki({ loki: { limits_config: { reject_old_samples_max_age: "60d" } } }),
    policy: "loki-reject-old-samples-within-retention",
    level: "advisory",
  },
  {
    title: "producer record size above what Mimir 3.0 accepts at start-up",
    base: "prod",
    config: mimir({ ingest_storage: { kafka: { producer_max_record_size_bytes: 16000000 } } }),
    policy: "mimir-ingest-storage-config-valid",
    level: "mandatory",
  },
  {
    title: "tenant burst below one remote-write request",
    base: "prod",
    config: mimir({ limits: { ingestion_burst_size: 1000 } }),
    policy: "mimir-burst-holds-remote-write-request",
    level: "mandatory",
  },
  {
    title: "Prometheus size-based retention above its volume",
    base: "prod",
    config: { overrides: { kubePrometheusStack: { prometheus: { prometheusSpec: { retentionSize: "2000GiB" } } } } },
    policy: "prometheus-retention-size-within-volume",
    level: "mandatory",
  },
  // ---- Loki and Alloy
  {
    title: "Loki lines longer than the tenant burst",
    base: "staging",
    config: loki({ loki: { limits_config: { max_line_size: "16MB" } } }),
    policy: "loki-burst-holds-a-line",
    level: "mandatory",
  },
  {
    title: "Loki per-stream burst below the longest line",
    base: "prod",
    config: loki({ loki: { limits_config: { per_stream_rate_limit: "50KB", per_stream_rate_limit_burst: "100KB" } } }),
    policy: "loki-burst-holds-a-line",
    level: "mandatory",
    message: /per_stream_rate_limit_burst 102400 bytes .*< max_line_size 262144 bytes/,
  },
  {
    title: "Mimir limits the stack's tenant to 5 push requests a second",
    base: "prod",
    config: {
      overrides: { mimir: { runtimeConfig: { overrides: { platform: { request_rate: 5, request_burst_size: 5 } } } } },
    },
    policy: "tenant-limits-hold-stack-traffic",
    level: "mandatory",
    message: /request_rate=5 for tenant "platform".*at least 67 push requests\/s/,
  },
  {
    title: "the chart's Prometheus datasource made default again beside the stack's Mimir datasource",
    base: "prod",
    config: {
      overrides: { kubePrometheusStack: { grafana: { sidecar: { datasources: { isDefaultDatasource: true } } } } },
    },
    policy: "grafana-provisions-stack-datasources",
    level: "mandatory",
    message: /2 Grafana datasources are the default .*Only one datasource per organization/,
  },
  {
    title: "Grafana's datasources sidecar watching Secrets only: the stack's datasource ConfigMap is never loaded",
    base: "prod",
    config: { overrides: { kubePrometheusStack: { grafana: { sidecar: { datasources: { resource: "secret" } } } } } },
    policy: "grafana-provisions-stack-datasources",
    level: "mandatory",
    message:
      /grafana\.sidecar\.datasources\.resource=secret \(the sidecar's RESOURCE: it watches Secrets only\).*as the ConfigMap .*-grafana-datasource.*Grafana starts without the Mimir and Loki datasources/,
  },
  {
    title: "Loki drops every log line over 100 bytes",
    base: "prod",
    config: loki({ loki: { limits_config: { max_line_size: "100B" } } }),
    policy: "loki-admits-container-log-lines",
    level: "mandatory",
    message: /max_line_size 100 bytes .*< 16384 bytes.*line too long/,
  },
  {
    title: "Loki's distributors push to the ingesters with lz4, a compressor Loki does not register",
    base: "prod",
    config: loki({ loki: { ingester_client: { grpc_client_config: { grpc_compression: "lz4" } } } }),
    policy: "grpc-compressors-registered",
    level: "mandatory",
    message: /ingester_client\.grpc_client_config\.grpc_compression="lz4": Loki registers no gRPC compressor/,
  },
  {
    title: "Mimir's queriers dial the store-gateways over TLS while they serve plaintext gRPC",
    base: "prod",
    config: mimir({ querier: { store_gateway_client: { tls_enabled: true } } }),
    policy: "grpc-tls-matches-servers",
    level: "mandatory",
    message: /querier\.store_gateway_client\.tls_enabled=true: .*serve plaintext gRPC.*fails the TLS handshake/,
  },
  {
    title: "Mimir store-gateway ring on a Consul the stack does not run",
    base: "prod",
    config: mimir({ store_gateway: { sharding_ring: { kvstore: { store: "consul" } } } }),
    policy: "rings-shared-across-pods",
    level: "mandatory",
    message: /store_gateway\.sharding_ring\.kvstore\.store=consul: it dials Consul at "localhost:8500"/,
  },
  {
    title: "Mimir ingester ring heartbeat timeout back to Mimir's 1m under the chart's 2m heartbeat period",
    base: "prod",
    config: mimir({ ingester: { ring: { heartbeat_timeout: "1m" } } }),
    policy: "rings-shared-across-pods",
    level: "mandatory",
    message: /Mimir ingester ring: .*ingester\.ring\.heartbeat_timeout=1m is not longer than .*heartbeat_period=2m/,
  },
  {
    title: "Loki ingester lifecycler heartbeat timeout of 1s under the 5s heartbeat period",
    base: "prod",
    config: loki({ loki: { structuredConfig: { ingester: { lifecycler: { ring: { heartbeat_timeout: "1s" } } } } } }),
    policy: "rings-shared-across-pods",
    level: "mandatory",
    message: /Loki ingester ring: .*heartbeat_timeout=1s is not longer than .*heartbeat_period=5s/,
  },
  {
    title: "Loki chunks written in S3 Glacier",
    base: "prod",
    config: loki({ loki: { structuredConfig: { storage_config: { aws: { storage_class: "GLACIER" } } } } }),
    policy: "loki-object-storage-class-readable",
    level: "mandatory",
    message: /storage_config\.aws\.storage_class=GLACIER: .*InvalidObjectState/,
  },
  {
    title: "Loki WAL replay ceiling above the ingester memory limit",
    base: "prod",
    config: loki({ loki: { ingester: { wal: { replay_memory_ceiling: "32GB" } } } }),
    policy: "loki-wal-replay-fits-memory",
    level: "mandatory",
    message: /replay_memory_ceiling=32GB .* >= .*ingester\.resources\.limits\.memory/,
  },
  {
    title: "Loki ingester memory limit lowered below the program's WAL replay ceiling",
    base: "prod",
    config: loki({ ingester: { resources: { limits: { memory: "3Gi" }, requests: { memory: "2Gi", cpu: "800m" } } } }),
    policy: "loki-wal-replay-fits-memory",
    level: "mandatory",
    message: /replay_memory_ceiling=6144MB .* >= .*ingester\.resources\.limits\.memory=3Gi/,
  },
  {
    title: "Loki tenant deletion_mode spelled with underscores",
    base: "prod",
    config: loki({
      loki: { runtimeConfig: { overrides: { "team-payments": { deletion_mode: "filter_and_delete" } } } },
    }),
    policy: "loki-config-valid",
    level: "mandatory",
    message: /deletion_mode=filter_and_delete: .*invalid override for tenant team-payments: unknown deletion mode/,
  },
  {
    title: "Loki S3 signature version v2 (Loki 3.7 signs only with v4)",
    base: "prod",
    config: loki({ loki: { storage: { s3: { signatureVersion: "v2" } } } }),
    policy: "loki-config-valid",
    level: "mandatory",
    message: /signatureVersion=v2: Loki refuses to start .*invalid S3 Storage config: unsupported signature version/,
  },
  {
    title: "Loki engine results cache bucket below 1m",
    base: "prod",
    config: loki({ loki: { limits_config: { engine_results_cache_time_bucket_interval: "30s" } } }),
    policy: "loki-config-valid",
    level: "mandatory",
    message: /engine_results_cache_time_bucket_interval must be >= 1m, got 30s/,
  },
  {
    title: "Loki retention_stream selector without braces",
    base: "prod",
    config: loki({
      loki: { limits_config: { retention_stream: [{ selector: 'namespace="audit"', priority: 1, period: "168h" }] } },
    }),
    policy: "loki-config-valid",
    level: "mandatory",
    message: /selector=namespace="audit": Loki refuses to start.*invalid labels matchers: parse error/,
  },
  {
    title: "Loki ruler remote write enabled without a client",
    base: "prod",
    config: loki({ loki: { structuredConfig: { ruler: { remote_write: { enabled: true } } } } }),
    policy: "loki-config-valid",
    level: "mandatory",
    message: /invalid ruler remote-write config: remote-write enabled but no clients URL are configured/,
  },
  {
    title: "Loki ingester index_shards 48 (a multiple of 16, not a power of two) with a tsdb schema",
    base: "staging",
    config: loki({ loki: { ingester: { index_shards: 48 } } }),
    policy: "loki-config-valid",
    level: "mandatory",
    message: /index_shards=48: Loki refuses to start .*It must be a power of two, got 48/,
  },
  {
    title: "Loki shard_aggregations with the query-frontend's default json encoding",
    base: "prod",
    config: loki({ loki: { query_range: { shard_aggregations: "quantile_over_time" } } }),
    policy: "loki-config-valid",
    level: "mandatory",
    message:
      /shard_aggregations=quantile_over_time: Loki refuses to start \("shard_aggregation requires frontend\.encoding=protobuf"\)/,
  },
  {
    title: "Loki use_thanos_objstore: the chart renders the thanos S3 block with a null endpoint",
    base: "dev",
    config: loki({ loki: { storage: { use_thanos_objstore: true } } }),
    policy: "loki-config-valid",
    level: "mandatory",
    message: /use_thanos_objstore=true: Loki refuses to start \("no s3 endpoint in config file"\)/,
  },
  {
    title: "Loki bloom gateway enabled in dev's Monolithic mode: the chart renders no bloom gateway address",
    base: "dev",
    config: loki({ loki: { bloom_gateway: { enabled: true } } }),
    policy: "loki-config-valid",
    level: "mandatory",
    message:
      /bloom_gateway\.enabled=true: Loki refuses to start .*invalid bloom_gateway config: addresses requires a list/,
  },
  {
    title: "Loki ingester zones unpinned from the AWS zones in prod",
    base: "prod",
    config: loki({
      ingester: {
        zoneAwareReplication: {
          zoneA: { nodeSelector: null },
          zoneB: { nodeSelector: null },
          zoneC: { nodeSelector: null },
        },
      },
    }),
    policy: "zone-loss-survived",
    level: "mandatory",
  },
  {
    title: "One NAT gateway for the three AZs of prod: losing its AZ cuts the other zones' egress",
    base: "prod",
    config: { network: { natGateways: "single" } },
    policy: "zone-loss-survived",
    level: "mandatory",
    message:
      /Egress \(NAT gateways\): writes stop, reads stop \(the node subnets of .* route 0\.0\.0\.0\/0 through NatGateway .*cannot pull images/,
  },
  {
    title: "A /24 VPC for prod's node groups: /26 private subnets cannot hold the pods' VPC CNI addresses",
    base: "prod",
    config: { network: { vpcCidr: "10.42.0.0/24" } },
    policy: "subnets-hold-node-addresses",
    level: "mandatory",
    message:
      /cidrBlock=10\.42\.0\.0\/26 has 59 usable addresses \(64 less the 5 AWS reserves\) but its nodes hold 180 from their start .* take up to 360 full of pods/,
  },
  {
    title: "Loki RF 3 on one single-binary replica",
    base: "dev",
    config: loki({ loki: { commonConfig: { replication_factor: 3 } } }),
    policy: "loki-replication-within-ingesters",
    level: "mandatory",
  },
  {
    title: "Loki ingesters scaled below the RF",
    base: "prod",
    config: loki({ ingester: { replicas: 2, zoneAwareReplication: { enabled: false } } }),
    policy: "loki-replication-within-ingesters",
    level: "mandatory",
  },
  {
    title: "Loki burst below Alloy's batch",
    base: "staging",
    config: loki({ loki: { limits_config: { ingestion_burst_size_mb: 0.5 } } }),
    policy: "alloy-batch-within-loki-burst",
    level: "advisory",
  },
  {
    title: "Alloy kept to one zone while its config collects only its own node (held-out h18)",
    base: "prod",
    config: { overrides: { alloy: { controller: { nodeSelector: { "topology.kubernetes.io/zone": "eu-west-1a" } } } } },
    policy: "alloy-per-node-config-runs-as-daemonset",
    level: "mandatory",
    message: /the Alloy DaemonSet runs no pod on NodeGroup .* in eu-west-1b .*never have their logs collected/,
  },
  {
    title: "Alloy's ConfigMap turned off without a name: the pods mount one nobody creates (held-out h15)",
    base: "dev",
    config: { overrides: { alloy: { alloy: { configMap: { create: false } } } } },
    policy: "alloy-pod-volumes-exist",
    level: "mandatory",
    message:
      /configMap\.create=false and no alloy\.configMap\.name: the Alloy pods still mount volume "config" .*ContainerCreating/,
  },
  {
    title: "controller.volumes.extra replaced: alloy-data is still mounted (held-out h16)",
    base: "staging",
    config: { overrides: { alloy: { controller: { volumes: { extra: [{ name: "scratch", emptyDir: {} }] } } } } },
    policy: "alloy-pod-volumes-exist",
    level: "mandatory",
    message: /mounts "alloy-data" into the Alloy container, but the pod has no such volume .*rejects the pod template/,
  },
  {
    title: "Alloy egress limited to the two gateways: no DNS, no API server (held-out h17)",
    base: "prod",
    config: {
      overrides: {
        alloy: {
          networkPolicy: {
            enabled: true,
            egress: [
              {
                to: [
                  {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "mimir" } },
                    podSelector: { matchLabels: { "app.kubernetes.io/component": "gateway" } },
                  },
                  {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "loki" } },
                    podSelector: { matchLabels: { "app.kubernetes.io/component": "gateway" } },
                  },
                ],
              },
            ],
          },
        },
      },
    },
    policy: "alloy-egress-admits-its-destinations",
    level: "mandatory",
    message: /admits neither cluster DNS .*nor the Kubernetes API server/,
  },
  // ---- Security
  {
    title: "static S3 keys in Mimir's config",
    base: "prod",
    config: mimir({
      common: {
        storage: {
          s3: { access_key_id: "AKIAIOSFODNN7EXAMPLE", secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
        },
      },
    }),
    policy: "no-static-aws-keys",
    level: "mandatory",
  },
  {
    title: "mimir-distributed's MinIO with its default password",
    base: "dev",
    config: { overrides: { mimir: { minio: { enabled: true } } } },
    policy: "no-plaintext-passwords",
    level: "mandatory",
  },
  {
    title: "Loki gateway opened to every pod",
    base: "prod",
    config: loki({ gateway: { basicAuth: { enabled: false } } }),
    policy: "gateways-require-basic-auth",
    level: "mandatory",
  },
  {
    title: "Grafana admin password in values",
    base: "staging",
    config: { overrides: { kubePrometheusStack: { grafana: { adminPassword: "admin123" } } } },
    policy: "no-plaintext-passwords",
    level: "mandatory",
  },
  {
    title: "Loki gateway snippets replaced: any credential acts as any tenant",
    base: "prod",
    config: loki({ gateway: { nginxConfig: { httpSnippet: "", serverSnippet: "", locationSnippet: "" } } }),
    policy: "gateways-bind-tenants",
    level: "mandatory",
  },
  {
    title: "Mimir ingester volumes deleted with their StatefulSet",
    base: "prod",
    config: mimir({}, { ingester: { persistentVolume: { enableRetentionPolicy: true, whenDeleted: "Delete" } } }),
    policy: "stateful-volumes-retained",
    level: "mandatory",
  },
  // ---- Durability, start-up validation, readability and rollouts (issue 11, red-team findings)
  {
    title: "Mimir gateway resolver named coredns: EKS's DNS Service is kube-dns (held-out h04)",
    base: "staging",
    config: { overrides: { mimir: { global: { dnsService: "coredns" } } } },
    policy: "gateway-resolver-resolves",
    level: "mandatory",
    message:
      /renders `resolver coredns\.kube-system\.svc\.cluster\.local\.;` .*host not found in resolver.*crash-loops/,
  },
  {
    title: "Mimir httpSnippet replaced: the server snippet reads a variable nothing defines (held-out h08)",
    base: "prod",
    config: {
      overrides: {
        mimir: {
          gateway: {
            nginx: { config: { httpSnippet: "limit_req_zone $binary_remote_addr zone=push:10m rate=200r/s;" } },
          },
        },
      },
    },
    policy: "gateway-nginx-variables-defined",
    level: "mandatory",
    message: /reads \$tenant_credential_mismatch.*\[emerg\] unknown "tenant_credential_mismatch" variable.*crash-loops/,
  },
  {
    title: "Mimir distributor KEDA autoscaling without KEDA installed (held-out h12)",
    base: "staging",
    config: {
      overrides: {
        mimir: {
          kedaAutoscaling: { prometheusAddress: "http://kube-prometheus-stack-prometheus.monitoring.svc:9090" },
          distributor: { kedaAutoscaling: { enabled: true, minReplicaCount: 3, maxReplicaCount: 12 } },
        },
      },
    },
    policy: "chart-kinds-installed",
    level: "mandatory",
    message: /distributor\.kedaAutoscaling\.enabled=true: the chart then renders ScaledObject .*no matches for kind/,
  },
  {
    title: "Mimir topic compacted",
    base: "prod",
    config: { overrides: { kafkaTopic: { config: { "cleanup.policy": "compact" } } } },
    policy: "kafka-topic-keeps-every-record",
    level: "mandatory",
    message: /cleanup\.policy"\]=compact compacts the Mimir topic/,
  },
  {
    title: "unclean leader election on the brokers",
    base: "prod",
    config: { overrides: { kafkaCluster: { kafka: { config: { "unclean.leader.election.enable": true } } } } },
    policy: "kafka-unclean-leader-election-off",
    level: "mandatory",
    message: /unclean\.leader\.election\.enable"\]=true on the brokers/,
  },
  {
    title: "topic retention.bytes of 100 MiB per partition",
    base: "prod",
    config: { overrides: { kafkaTopic: { config: { "retention.bytes": 104857600 } } } },
    policy: "kafka-retention-bytes-covers-replay-window",
    level: "mandatory",
    message: /retention\.bytes"\]=104857600 .*holds only/,
  },
  {
    title: "broker log.retention.bytes of 1 GiB",
    base: "prod",
    config: { overrides: { kafkaCluster: { kafka: { config: { "log.retention.bytes": 1073741824 } } } } },
    policy: "kafka-retention-bytes-covers-replay-window",
    level: "mandatory",
    message: /log\.retention\.bytes"\]=1073741824/,
  },
  {
    title: "7 days of Kafka retention on brokers sized for 72h",
    base: "prod",
    config: { overrides: { kafkaTopic: { config: { "retention.ms": 604800000 } } } },
    policy: "kafka-retention-fits-broker-disk",
    level: "mandatory",
    message: /size=2420Gi per broker < 5632\.7 GiB needed/,
  },
  {
    title: "listener named sasl-plain, two listeners on one port",
    base: "prod",
    config: {
      overrides: {
        kafkaCluster: {
          kafka: {
            listeners: [
              { name: "sasl-plain", port: 9093, type: "internal", tls: false },
              { name: "plain", port: 9093, type: "internal", tls: false },
            ],
          },
        },
      },
    },
    policy: "kafka-listeners-valid",
    level: "mandatory",
    message: /name="sasl-plain" does not match/,
  },
  {
    title: "Mimir S3 STS endpoint without a scheme",
    base: "prod",
    config: mimir({ common: { storage: { s3: { sts_endpoint: "sts.eu-west-1.amazonaws.com" } } } }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message:
      /common\.storage\.s3\.sts_endpoint .*=sts\.eu-west-1\.amazonaws\.com: Mimir refuses to start .*sts-endpoint must be a valid url/,
  },
  {
    title: "Mimir WAL segments of 100 MB written in decimal: not a whole number of 32 KiB pages",
    base: "prod",
    config: mimir({ blocks_storage: { tsdb: { wal_segment_size_bytes: 100000000 } } }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message: /wal_segment_size_bytes=100000000: Mimir refuses to start \("failed to open TSDB: invalid segment size"\)/,
  },
  {
    title: "Mimir results cache turned on in Mimir's config only: memcached backend without addresses",
    base: "prod",
    config: mimir({ frontend: { cache_results: true, results_cache: { backend: "memcached" } } }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message:
      /frontend\.results_cache\.backend=memcached: Mimir refuses to start .*query-frontend results cache: no memcached addresses provided.*results-cache\.enabled/,
  },
  {
    title: "Mimir cardinality-based query sharding without a results cache backend: the query-frontends exit",
    base: "prod",
    config: mimir({ frontend: { parallelize_shardable_queries: true, query_sharding_target_series_per_shard: 2500 } }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message:
      /query_sharding_target_series_per_shard=2500: Mimir refuses to start \("unsupported cache backend: "", supported values: \[memcached\]"\); every query-frontend/,
  },
  {
    title: "Mimir store-gateway chunks cache on memcached while the chart's chunks-cache is off: no addresses",
    base: "prod",
    config: mimir({ blocks_storage: { bucket_store: { chunks_cache: { backend: "memcached" } } } }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message:
      /chunks_cache\.backend=memcached: Mimir refuses to start .*invalid TSDB config: chunks-cache configuration: no memcached addresses provided.*chunks-cache\.enabled/,
  },
  {
    title: "TSDB stripe size not a power of 2",
    base: "prod",
    config: mimir({ blocks_storage: { tsdb: { stripe_size: 1000 } } }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message: /stripe_size=1000: Mimir refuses to start.*invalid TSDB stripe size/,
  },
  {
    title: "HA tracker failover timeout below update timeout + jitter + 1s",
    base: "prod",
    config: mimir({ limits: { ha_tracker_failover_timeout: "5s" } }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message: /ha_tracker_failover_timeout=5s: Mimir refuses to start.*HA Tracker failover timeout \(5s\).*\(21s\)/,
  },
  {
    title: "ingesters start from a timestamp that is not set (consume_from_position_at_startup: timestamp alone)",
    base: "prod",
    config: mimir({ ingest_storage: { kafka: { consume_from_position_at_startup: "timestamp" } } }),
    policy: "mimir-ingest-storage-config-valid",
    level: "mandatory",
    message: /consume_from_position_at_startup="timestamp": Mimir refuses to start.*must be a millisecond timestamp/,
  },
  {
    title: "ingestion concurrency on with a zero batch size",
    base: "prod",
    config: mimir({ ingest_storage: { kafka: { ingestion_concurrency_max: 8, ingestion_concurrency_batch_size: 0 } } }),
    policy: "mimir-ingest-storage-config-valid",
    level: "mandatory",
    message: /ingestion_concurrency_batch_size=0: Mimir refuses to start.*must be greater than 0/,
  },
  {
    title: "max consumer lag at start-up 0 while the target stays 2s",
    base: "prod",
    config: mimir({ ingest_storage: { kafka: { max_consumer_lag_at_startup: "0s" } } }),
    policy: "mimir-ingest-storage-config-valid",
    level: "mandatory",
    message: /max_consumer_lag_at_startup="0s": Mimir refuses to start.*either both set to 0/,
  },
  {
    title: "partitions wait for 4 owners while each has one ingester per zone (3)",
    base: "prod",
    config: mimir({ ingester: { partition_ring: { min_partition_owners_count: 4 } } }),
    policy: "mimir-ingest-storage-config-valid",
    level: "mandatory",
    message: /min_partition_owners_count=4 > 3 owners a partition can have.*every push fails/,
  },
  {
    title: "estimated-chunks multiplier between 0 and 1",
    base: "prod",
    config: mimir({ limits: { max_estimated_fetched_chunks_per_query_multiplier: 0.5 } }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message:
      /max_estimated_fetched_chunks_per_query_multiplier=0\.5: Mimir refuses to start.*must be 0 or greater than or equal to 1/,
  },
  {
    title: "ingest storage read consistency Mimir does not know",
    base: "prod",
    config: mimir({ limits: { ingest_storage_read_consistency: "linearizable" } }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message: /ingest_storage_read_consistency=linearizable: Mimir refuses to start.*supported values: strong, eventual/,
  },
  {
    title: "negative store-gateway tenant shard size",
    base: "prod",
    config: mimir({ limits: { store_gateway_tenant_shard_size: -1 } }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message: /store_gateway_tenant_shard_size=-1: Mimir refuses to start.*invalid tenant shard size/,
  },
  {
    title: "unknown querier query engine",
    base: "prod",
    config: mimir({ querier: { query_engine: "mqe" } }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message: /query_engine=mqe: Mimir refuses to start.*unknown PromQL engine 'mqe'/,
  },
  {
    title: "alertmanager zone awareness in Mimir's config while the chart gives its pods no zone",
    base: "prod",
    config: mimir({ alertmanager: { sharding_ring: { zone_awareness_enabled: true } } }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message: /zone_awareness_enabled=true: Mimir refuses to start.*zone awareness enabled but zone is not set/,
  },
  {
    title: "spread-minimizing ingester tokens with the chart's tokens file path",
    base: "prod",
    config: mimir({
      ingester: {
        ring: {
          token_generation_strategy: "spread-minimizing",
          spread_minimizing_zones: ["zone-a", "zone-b", "zone-c"],
        },
      },
    }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message:
      /tokens_file_path=\/data\/tokens: Mimir refuses to start.*strategy requires "tokens-file-path" to be empty/,
  },
  {
    title: "tenant metric_relabel_configs regex written as a glob (not RE2): the runtime config fails to load",
    base: "prod",
    config: {
      overrides: {
        mimir: {
          runtimeConfig: {
            overrides: {
              platform: {
                metric_relabel_configs: [{ source_labels: ["__name__"], regex: "*_bucket", action: "drop" }],
              },
            },
          },
        },
      },
    },
    policy: "mimir-config-valid",
    level: "mandatory",
    message: /failed to load runtime config: load file: error parsing regexp: missing argument to repetition operator/,
  },
  {
    title: "Mimir alertmanager fallbackConfig with a Slack receiver and no Slack API URL",
    base: "staging",
    config: {
      overrides: {
        mimir: {
          alertmanager: {
            fallbackConfig:
              'route:\n  receiver: slack-oncall\nreceivers:\n  - name: slack-oncall\n    slack_configs:\n      - channel: "#alerts"\n',
          },
        },
      },
    },
    policy: "mimir-config-valid",
    level: "mandatory",
    message: /unable to load fallback config .*no global Slack API URL set/,
  },
  {
    title: "querier timeout above the HTTP server write timeout",
    base: "prod",
    config: mimir({ querier: { timeout: "5m" } }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message:
      /querier\.timeout=5m: Mimir refuses to start.*querier timeout \(5m\) must be lower than or equal to HTTP server write timeout \(2m\)/,
  },
  {
    title: "Mimir ruler tenant federation without the global tenant federation",
    base: "prod",
    config: mimir({ ruler: { tenant_federation: { enabled: true } } }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message: /-ruler\.tenant-federation\.enabled=true requires -tenant-federation\.enabled=true.*every ruler pod exits/,
  },
  {
    title: "Mimir component config Mimir refuses (rule store backend)",
    base: "prod",
    config: mimir({ ruler_storage: { backend: "minio" } }),
    policy: "mimir-config-valid",
    level: "mandatory",
    message:
      /ruler_storage\.backend=minio: Mimir refuses to start.*invalid rulestore config: unsupported storage backend/,
  },
  {
    title: "ingesters never ship blocks (ship_interval 0s)",
    base: "prod",
    config: mimir({ blocks_storage: { tsdb: { ship_interval: "0s" } } }),
    policy: "mimir-blocks-shipped-to-storage",
    level: "mandatory",
    message: /ship_interval=0s: ingesters never ship TSDB blocks/,
  },
  {
    title: "bucket index max stale period below the compactor's cleanup interval",
    base: "prod",
    config: mimir({ blocks_storage: { bucket_store: { bucket_index: { max_stale_period: "10m" } } } }),
    policy: "mimir-bucket-index-staleness-covers-updates",
    level: "mandatory",
    message: /max_stale_period=10m <= .*cleanup_interval.*bucket index is too old/,
  },
  {
    title: "Mimir blocks written in S3 Glacier",
    base: "prod",
    config: mimir({ blocks_storage: { s3: { storage_class: "GLACIER" } } }),
    policy: "mimir-object-storage-class-readable",
    level: "mandatory",
    message: /blocks_storage\.s3\.storage_class=GLACIER: .*InvalidObjectState/,
  },
  {
    title: "blocks storage on the filesystem",
    base: "prod",
    config: mimir({ blocks_storage: { backend: "filesystem", filesystem: { dir: "/data/blocks" } } }),
    policy: "mimir-stores-in-shared-object-storage",
    level: "mandatory",
    message: /blocks_storage\.backend=filesystem/,
  },
  {
    title: "ignore_blocks_within above query_ingesters_within",
    base: "prod",
    config: mimir({ blocks_storage: { bucket_store: { ignore_blocks_within: "20h" } } }),
    policy: "mimir-store-gateway-sees-recent-blocks",
    level: "mandatory",
    message: /ignore_blocks_within=20h > .*query_ingesters_within=13h/,
  },
  {
    title: "first Loki schema period in the future",
    base: "prod",
    config: schemaPeriods(period({ from: "2030-01-01" })),
    policy: "loki-schema-periods-valid",
    level: "mandatory",
    message: /from=2030-01-01 is after today/,
  },
  {
    title: "future Loki schema period on v12 while structured metadata is allowed (refused once it is active)",
    base: "prod",
    config: schemaPeriods(period(), period({ from: "2099-01-01", schema: "v12" })),
    policy: "loki-schema-periods-valid",
    level: "mandatory",
    message: /starts 2099-01-01 with schema v12 .*validateSchemaRequirements/,
  },
  {
    title: "Loki on filesystem in distributed mode",
    base: "prod",
    config: loki({ loki: { storage: { type: "filesystem" } } }),
    policy: "loki-stores-in-object-storage",
    level: "mandatory",
    message: /Cannot run scalable targets/,
  },
  {
    title: "Loki ingesters without persistence",
    base: "prod",
    config: loki({ ingester: { persistence: { enabled: false } } }),
    policy: "loki-ingester-state-durable",
    level: "mandatory",
    message: /ingester\.persistence\.enabled=false.*emptyDir/,
  },
  {
    title: "ingester PDB maxUnavailable 0",
    base: "prod",
    config: { overrides: { mimir: { ingester: { podDisruptionBudget: { maxUnavailable: 0 } } } } },
    policy: "disruption-budgets-allow-eviction",
    level: "mandatory",
    message: /ingester\.podDisruptionBudget\.maxUnavailable=0: .*never allows an eviction/,
  },
  {
    title: "Prometheus PDB minAvailable equal to its replicas",
    base: "prod",
    config: {
      overrides: { kubePrometheusStack: { prometheus: { podDisruptionBudget: { enabled: true, minAvailable: 2 } } } },
    },
    policy: "disruption-budgets-allow-eviction",
    level: "mandatory",
  },
  {
    title: "Kafka PDB maxUnavailable 2: two brokers below min ISR, two of three controllers",
    base: "prod",
    config: { overrides: { kafkaCluster: { kafka: { template: { podDisruptionBudget: { maxUnavailable: 2 } } } } } },
    policy: "disruption-budgets-keep-redundancy",
    level: "mandatory",
    message:
      /podDisruptionBudget\.maxUnavailable=2: Strimzi makes one PodDisruptionBudget over all 6 nodes.*NOT_ENOUGH_REPLICAS/,
  },
  {
    title: "Mimir ingesters pinned to amd64 nodes on Graviton node groups",
    base: "prod",
    config: { overrides: { mimir: { ingester: { nodeSelector: { "kubernetes.io/arch": "amd64" } } } } },
    policy: "node-selectors-match-node-groups",
    level: "mandatory",
    message:
      /ingester\.nodeSelector\["kubernetes\.io\/arch"\] \(kubernetes\.io\/arch=amd64: every node group has kubernetes\.io\/arch=arm64\).*Pending/,
  },
  {
    title: "Prometheus volume claim names a StorageClass the stack does not create (PVC Pending)",
    base: "prod",
    config: {
      overrides: {
        kubePrometheusStack: {
          prometheus: {
            prometheusSpec: { storageSpec: { volumeClaimTemplate: { spec: { storageClassName: "gp3-retain" } } } },
          },
        },
      },
    },
    policy: "cluster-objects-referenced-exist",
    level: "mandatory",
    message: /storageClassName=gp3-retain: no StorageClass "gp3-retain" exists .*only gp2, gp3\).*stay Pending/,
  },
  {
    title: "Prometheus volume claims ReadWriteMany on the EBS gp3 class",
    base: "prod",
    config: {
      overrides: {
        kubePrometheusStack: {
          prometheus: {
            prometheusSpec: { storageSpec: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteMany"] } } } },
          },
        },
      },
    },
    policy: "volume-claims-provisionable",
    level: "mandatory",
    message:
      /accessModes=\["ReadWriteMany"\]: the claim of the Prometheus StatefulSet uses StorageClass gp3 .*Volume capabilities not supported/,
  },
  {
    title: "Alloy on the host network keeps the chart's dnsPolicy ClusterFirst",
    base: "prod",
    config: { overrides: { alloy: { controller: { hostNetwork: true } } } },
    policy: "host-network-pods-resolve-services",
    level: "mandatory",
    message: /controller\.hostNetwork=true runs .*dnsPolicy=ClusterFirst: .*cannot resolve/,
  },
  {
    title: "Kafka cluster CA not generated, and no CA Secrets in the stack",
    base: "prod",
    config: { overrides: { kafkaCluster: { clusterCa: { generateCertificateAuthority: false } } } },
    policy: "kafka-custom-ca-secrets-declared",
    level: "mandatory",
    message: /clusterCa\.generateCertificateAuthority=false but the stack declares no Secret kafka-cluster-ca-cert/,
  },
  {
    title: "Strimzi feature gate UseKRaft, removed in 0.42 (the 1.2.0 operator crash-loops)",
    base: "prod",
    config: { overrides: { strimzi: { featureGates: "+UseKRaft" } } },
    policy: "strimzi-feature-gates-valid",
    level: "mandatory",
    message: /Unknown feature gate UseKRaft found in the configuration/,
  },
  {
    title: "Kafka Cruise Control with its metrics topic replicated 5 times on 3 brokers (Strimzi refuses the Kafka)",
    base: "prod",
    config: {
      overrides: {
        kafkaCluster: {
          cruiseControl: {},
          kafka: { config: { "cruise.control.metrics.topic.replication.factor": 5 } },
        },
      },
    },
    policy: "strimzi-accepts-kafka-spec",
    level: "mandatory",
    message: /Cruise Control metrics reporter replication factor \(5\) cannot be higher than number of brokers \(3\)/,
  },
  {
    title: "Kafka clients CA renewal period (400 days) longer than its default 365-day validity: endless rolls",
    base: "staging",
    config: { overrides: { kafkaCluster: { clientsCa: { renewalDays: 400 } } } },
    policy: "kafka-ca-renewal-within-validity",
    level: "mandatory",
    message: /validityDays 365 \(Strimzi default\) is not longer than .*clientsCa\.renewalDays=400/,
  },
  {
    title: "Kafka external logging from a ConfigMap the stack never creates (Strimzi refuses every reconcile)",
    base: "prod",
    config: {
      overrides: {
        kafkaCluster: {
          kafka: {
            logging: {
              type: "external",
              valueFrom: { configMapKeyRef: { name: "kafka-logging", key: "log4j2.properties" } },
            },
          },
        },
      },
    },
    policy: "strimzi-config-maps-declared",
    level: "mandatory",
    message: /logging\.valueFrom\.configMapKeyRef names ConfigMap "kafka-logging", which the stack does not declare/,
  },
  {
    title: "Kafka log.cleaner.min.cleanable.ratio 1.5, outside Kafka's range [0, 1] (Strimzi refuses the Kafka)",
    base: "prod",
    config: { overrides: { kafkaCluster: { kafka: { config: { "log.cleaner.min.cleanable.ratio": 1.5 } } } } },
    policy: "kafka-broker-config-valid",
    level: "mandatory",
    message: /log\.cleaner\.min\.cleanable\.ratio has value 1\.5 which greater than the maximum value 1/,
  },
  {
    title: "Mimir's Prometheus API moved to /prom while Grafana's datasources keep /prometheus",
    base: "prod",
    config: { overrides: { mimir: { mimir: { structuredConfig: { api: { prometheus_http_prefix: "/prom" } } } } } },
    policy: "datasources-reach-stores",
    level: "mandatory",
    message: /has path \/prometheus, but the Mimir gateway serves the Prometheus API only under `location \/prom`/,
  },
  {
    title: "Mimir compactor deletes compacted blocks at once",
    base: "prod",
    config: mimir({ compactor: { deletion_delay: "0s" } }),
    policy: "mimir-deletion-delay-outlasts-readers",
    level: "mandatory",
    message: /compactor\.deletion_delay=0s < .* = 2h: the compactor deletes compacted blocks at once/,
  },
  {
    title: "Prometheus drops queued samples older than 30s",
    base: "staging",
    config: remoteWrite({ queueConfig: { sampleAgeLimit: "30s" } }),
    policy: "remote-write-keeps-samples-through-outages",
    level: "mandatory",
    message: /sampleAgeLimit=30s: Prometheus drops samples older than 30s/,
  },
  {
    title: "Prometheus remote write capped at one shard below prod's samples/s",
    base: "prod",
    config: remoteWrite({
      queueConfig: { batchSendDeadline: "5s", capacity: 10000, maxSamplesPerSend: 2000, maxShards: 1, minShards: 1 },
    }),
    policy: "remote-write-queue-keeps-up",
    level: "mandatory",
    message:
      /maxShards=1 x .*maxSamplesPerSend=2,000 x 5 sends\/s per shard .* = 10,000 samples\/s < .*samplesPerSecond=133,334/,
  },
  {
    title: "Mimir's S3 client on plain HTTP against TLS-only buckets",
    base: "dev",
    config: mimir({ common: { storage: { s3: { insecure: true } } } }),
    policy: "storage-clients-use-tls",
    level: "mandatory",
    message: /common\.storage\.s3\.insecure=true makes Mimir's blocks_storage to Bucket .* speak plain HTTP/,
  },
  {
    title: "Kafka listener peers narrowed to the ingesters: distributors cannot produce",
    base: "prod",
    config: {
      overrides: {
        kafkaCluster: {
          kafka: {
            listeners: [
              mimirListener({
                networkPolicyPeers: [
                  {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "mimir" } },
                    podSelector: {
                      matchLabels: { "app.kubernetes.io/instance": "mimir", "app.kubernetes.io/component": "ingester" },
                    },
                  },
                ],
              }),
            ],
          },
        },
      },
    },
    policy: "kafka-listener-admits-mimir",
    level: "mandatory",
    message: /admits none of mimir-distributed release "mimir"'s distributor pods/,
  },
  {
    title: "Prometheus selects only ServiceMonitors labelled team=platform, which none of the stack's carry",
    base: "prod",
    config: {
      overrides: {
        kubePrometheusStack: {
          prometheus: { prometheusSpec: { serviceMonitorSelector: { matchLabels: { team: "platform" } } } },
        },
      },
    },
    policy: "prometheus-selects-stack-monitors",
    level: "mandatory",
    message:
      /serviceMonitorSelector=\{"matchLabels":\{"team":"platform"\}\}.* does not select \d+ of the stack's \d+ ServiceMonitor\(s\): Prometheus scrapes none of their targets/,
  },
  {
    title: "Operator writes kubelet EndpointSlices only while Prometheus discovers Endpoints: no kubelet targets",
    base: "prod",
    config: {
      overrides: {
        kubePrometheusStack: {
          prometheusOperator: { kubeletEndpointsEnabled: false, kubeletEndpointSliceEnabled: true },
        },
      },
    },
    policy: "kubelet-monitor-finds-targets",
    level: "mandatory",
    message: /kubeletEndpointsEnabled=false with .*kubeletEndpointSliceEnabled=true: .*only as an EndpointSlice/,
  },
  {
    title: "Mimir scraped every 10 minutes: the stack's 5m rate() alerts never see two samples",
    base: "prod",
    config: { overrides: { mimir: { metaMonitoring: { serviceMonitor: { interval: "10m" } } } } },
    policy: "scrape-intervals-fit-rule-windows",
    level: "mandatory",
    message:
      /metaMonitoring\.serviceMonitor\.interval=10m scrapes every 10m, longer than the stack's own rules allow .*never fire/,
  },
  {
    title: "kube-state-metrics disabled: the stack's memory and OOM alerts read kube_* series nobody scrapes",
    base: "prod",
    config: { overrides: { kubePrometheusStack: { kubeStateMetrics: { enabled: false } } } },
    policy: "stack-alert-inputs-scraped",
    level: "advisory",
    message:
      /kubeStateMetrics\.enabled=false: nothing in the stack scrapes kube-state-metrics, yet the stack's own rules read/,
  },
  {
    title: "Alertmanager disabled with no alertingEndpoints: the stack's alerts go nowhere",
    base: "prod",
    config: { overrides: { kubePrometheusStack: { alertmanager: { enabled: false } } } },
    policy: "stack-alerts-reach-alertmanager",
    level: "mandatory",
    message:
      /alertmanager\.enabled=false with no .*alertingEndpoints .*renders no spec\.alerting\.alertmanagers.*silently dropped/,
  },
  {
    title: "Four Prometheus replicas under hard zone anti-affinity in three zones",
    base: "staging",
    config: { overrides: { kubePrometheusStack: { prometheus: { prometheusSpec: { replicas: 4 } } } } },
    policy: "hard-anti-affinity-fits-topology",
    level: "mandatory",
    message: /allows one Prometheus pod per zone, but prometheusSpec\.replicas 4 makes 4 pods and there are 3 zones/,
  },
  {
    title: "Mimir compactor skips the platform tenant the stack writes as",
    base: "prod",
    config: mimir({ compactor: { disabled_tenants: "platform" } }),
    policy: "mimir-components-serve-stack-tenants",
    level: "mandatory",
    message: /compactor\.disabled_tenants="platform" leaves out tenant\(s\) "platform"/,
  },
  {
    title: "Loki queriers read only the store: the newest logs are invisible",
    base: "prod",
    config: loki({ loki: { querier: { query_store_only: true } } }),
    policy: "loki-queriers-read-ingesters-and-store",
    level: "mandatory",
    message: /query_store_only=true: .*never read the ingesters/,
  },
  {
    title: "Loki index gateway scaled to zero in Distributed mode: queriers still read the index through it",
    base: "prod",
    config: loki({ indexGateway: { replicas: 0 } }),
    policy: "loki-referenced-components-run",
    level: "mandatory",
    message:
      /indexGateway\.replicas=0: no indexGateway pod runs, yet storage_config\.tsdb_shipper\.index_gateway_client\.server_address/,
  },
  {
    title: "Alloy hardened to run as uid 473: the root-owned 0640 pod log files are unreadable",
    base: "prod",
    config: {
      overrides: { alloy: { alloy: { securityContext: { runAsUser: 473, runAsGroup: 473, runAsNonRoot: true } } } },
    },
    policy: "alloy-reads-host-logs",
    level: "mandatory",
    message: /as a non-root user \(.*runAsUser=473.*root:root with mode 0640 .*permission denied/,
  },
  {
    title: "Loki refuses requests that decompress above 256 KiB: Alloy's 1MiB batches are dropped",
    base: "staging",
    config: loki({ loki: { distributor: { max_decompressed_size: 262144 } } }),
    policy: "alloy-batch-within-loki-request-limits",
    level: "mandatory",
    message: /batch_size=1MiB .* >= .*max_decompressed_size=262144/,
  },
  {
    title: "The platform tenant may have 100 log streams: fewer than the stack's own pods",
    base: "prod",
    config: loki({ loki: { runtimeConfig: { overrides: { platform: { max_global_streams_per_user: 100 } } } } }),
    policy: "tenant-limits-hold-stack-traffic",
    level: "mandatory",
    message:
      /max_global_streams_per_user=100 for tenant "platform", which receives all of the stack's own logs: at least \d+ streams/,
  },
  {
    title: "Strimzi budget generation off: a drain may take every Kafka node at once",
    base: "prod",
    config: { overrides: { strimzi: { generatePodDisruptionBudget: false } } },
    policy: "disruption-budgets-keep-redundancy",
    level: "mandatory",
    message:
      /generatePodDisruptionBudget=false: Strimzi makes no PodDisruptionBudget for the 6 nodes.*NOT_ENOUGH_REPLICAS/,
  },
  {
    title: "Loki distributor PDB lets both staging distributors go at once",
    base: "staging",
    config: loki({ distributor: { podDisruptionBudget: { maxUnavailable: 2 } } }),
    policy: "disruption-budgets-keep-redundancy",
    level: "advisory",
    message: /distributor\.podDisruptionBudget\.maxUnavailable=2: .*every log push is refused/,
  },
  {
    title: "rollout-operator off with zone-aware StatefulSets",
    base: "prod",
    config: { overrides: { mimir: { rollout_operator: { enabled: false } } } },
    policy: "mimir-zone-aware-rollouts-have-operator",
    level: "mandatory",
  },
  {
    title: "Mimir image from an older release than the chart",
    base: "prod",
    config: { overrides: { mimir: { image: { tag: "2.10.5" } } } },
    policy: "component-versions-match-charts",
    level: "mandatory",
  },
  {
    title: "Alloy older than the kubernetes_events clustering block its config uses",
    base: "prod",
    config: { overrides: { alloy: { image: { tag: "v1.15.0" } } } },
    policy: "component-versions-match-charts",
    level: "mandatory",
    message: /image\.tag=v1\.15\.0 runs Alloy 1\.15.*clustering.*added in Alloy 1\.16\.0/,
  },
  {
    title: "Loki querier memory request above its limit",
    base: "prod",
    config: loki({
      querier: { resources: { limits: { memory: "512Mi" }, requests: { memory: "1024Mi", cpu: "500m" } } },
    }),
    policy: "container-requests-within-limits",
    level: "mandatory",
    message: /values\.querier\.resources: requests\.memory 1024Mi > limits\.memory 512Mi/,
  },
  {
    title: "Alloy as a StatefulSet with the node-local log config",
    base: "prod",
    config: { overrides: { alloy: { controller: { type: "statefulset", replicas: 2 } } } },
    policy: "alloy-per-node-config-runs-as-daemonset",
    level: "mandatory",
    message: /controller\.type=statefulset runs 2 Alloy pod\(s\).*never have their logs collected/,
  },
  {
    title: "Mimir ingesters on an emptyDir",
    base: "prod",
    config: { overrides: { mimir: { ingester: { persistentVolume: { enabled: false } } } } },
    policy: "mimir-ingester-state-durable",
    level: "mandatory",
    message: /ingester\.persistentVolume\.enabled=false: .*emptyDir.*never replays/,
  },
  {
    title: "Kafka version older than the metadata version the program sets",
    base: "prod",
    config: { overrides: { kafkaCluster: { kafka: { version: "4.2.0" } } } },
    policy: "kafka-version-supported-by-strimzi",
    level: "mandatory",
  },
  {
    title: "Prometheus remote write with both basicAuth and authorization (operator refuses the Prometheus resource)",
    base: "prod",
    config: remoteWrite({
      authorization: { type: "Bearer", credentials: { name: "mimir-remote-write-auth", key: "password" } },
    }),
    policy: "prometheus-specs-valid",
    level: "mandatory",
    message: /"basicAuth" and "authorization" can't be set at the same time/,
  },
  {
    title:
      "Prometheus scrapeTimeout 45s above the default 30s scrapeInterval (operator refuses to generate the config)",
    base: "prod",
    config: { overrides: { kubePrometheusStack: { prometheus: { prometheusSpec: { scrapeTimeout: "45s" } } } } },
    policy: "prometheus-specs-valid",
    level: "mandatory",
    message: /scrapeTimeout "45s" greater than scrapeInterval "30s"/,
  },
  {
    title: "kube-prometheus-stack Alertmanager Slack receiver without api_url or a global Slack URL",
    base: "prod",
    config: {
      overrides: {
        kubePrometheusStack: {
          alertmanager: {
            config: {
              route: { receiver: "slack" },
              receivers: [{ name: "null" }, { name: "slack", slack_configs: [{ channel: "#alerts" }] }],
            },
          },
        },
      },
    },
    policy: "prometheus-specs-valid",
    level: "mandatory",
    message: /no global Slack API URL set either inline or in a file/,
  },
  {
    title: "prometheus-operator with kubelet Endpoints and EndpointSlices both off: the operator does not start",
    base: "staging",
    config: {
      overrides: {
        kubePrometheusStack: {
          prometheusOperator: { kubeletEndpointsEnabled: false, kubeletEndpointSliceEnabled: false },
        },
      },
    },
    policy: "prometheus-operator-flags-valid",
    level: "mandatory",
    message: /at least one of endpoints or endpointslice needs to be enabled/,
  },
  {
    title: "prometheus-operator TLS on without the webhook patch Jobs that create its Secret: the pod never starts",
    base: "staging",
    config: {
      overrides: { kubePrometheusStack: { prometheusOperator: { admissionWebhooks: { patch: { enabled: false } } } } },
    },
    policy: "prometheus-operator-flags-valid",
    level: "mandatory",
    message: /admissionWebhooks\.patch\.enabled=false while prometheusOperator\.tls\.enabled is true .*-admission/,
  },
  {
    title: "prometheus-operator on the host network listening on the kubelet's port 10250",
    base: "prod",
    config: {
      overrides: { kubePrometheusStack: { prometheusOperator: { hostNetwork: true, tls: { internalPort: 10250 } } } },
    },
    policy: "prometheus-operator-flags-valid",
    level: "mandatory",
    message:
      /hostNetwork=true runs the operator in the node's network, where it listens on :10250 .*address already in use/,
  },
  {
    title: "Prometheus additionalScrapeConfigs with one job name twice (Prometheus refuses its config)",
    base: "prod",
    config: {
      overrides: {
        kubePrometheusStack: {
          prometheus: {
            prometheusSpec: {
              additionalScrapeConfigs: [
                { job_name: "blackbox", static_configs: [{ targets: ["blackbox-exporter:9115"] }] },
                { job_name: "blackbox", static_configs: [{ targets: ["blackbox-exporter-2:9115"] }] },
              ],
            },
          },
        },
      },
    },
    policy: "prometheus-specs-valid",
    level: "mandatory",
    message: /found multiple scrape configs with job name "blackbox"/,
  },
  {
    title:
      "Grafana persistence on a ReadWriteOncePod claim with the chart's RollingUpdate: every rollout stalls on the volume",
    base: "prod",
    config: {
      overrides: {
        kubePrometheusStack: {
          grafana: { persistence: { enabled: true, size: "10Gi", accessModes: ["ReadWriteOncePod"] } },
        },
      },
    },
    policy: "single-attach-volume-deployments-roll-out",
    level: "mandatory",
    message:
      /values\.grafana\.persistence\.enabled=true \(a ReadWriteOncePod claim.*single-replica Grafana Deployment.*admits no second pod.*release's upgrade fails/,
  },
  {
    title: "Mimir chunks-cache limited to 1Gi with 8 GiB of item memory",
    base: "prod",
    config: {
      overrides: {
        mimir: { "chunks-cache": { enabled: true, allocatedMemory: 8192, resources: { limits: { memory: "1Gi" } } } },
      },
    },
    policy: "memcached-fits-container",
    level: "mandatory",
    message: /\["chunks-cache"\]\.resources\.limits\.memory=1Gi .* < round\(1\.2 x .*=8192\) = 9830Mi/,
  },
  {
    title: "results-cache item size above half its memory",
    base: "prod",
    config: { overrides: { mimir: { "results-cache": { enabled: true, allocatedMemory: 256, maxItemMemory: 200 } } } },
    policy: "memcached-fits-container",
    level: "mandatory",
    message: /Cannot set item size limit higher than 1\/2 of memory max/,
  },
  {
    title: "global GOMEMLIMIT 24GiB in Mimir",
    base: "prod",
    config: { overrides: { mimir: { global: { extraEnv: [{ name: "GOMEMLIMIT", value: "24GiB" }] } } } },
    policy: "go-memory-limit-within-container",
    level: "mandatory",
    message: /global\.extraEnv\[0\]\.value=24GiB .* > .*limits\.memory=/,
  },
  {
    title: "Loki goMemLimitFactor 1.5",
    base: "prod",
    config: loki({ defaults: { goSettings: { goMemLimitFactor: 1.5 } } }),
    policy: "go-memory-limit-within-container",
    level: "mandatory",
    message: /goMemLimitFactor=1\.5 is above 1/,
  },
  {
    title: "Kafka heap 6g over a 4096Mi broker pool",
    base: "prod",
    config: { overrides: { kafkaCluster: { kafka: { jvmOptions: { "-Xms": "6g", "-Xmx": "6g" } } } } },
    policy: "kafka-heap-fits-container",
    level: "mandatory",
    message: /jvmOptions\["-Xmx"\]=6g .* >= KafkaNodePool "broker".*=4096Mi/,
  },
  {
    title: "Prometheus limited to 1Gi",
    base: "prod",
    config: {
      overrides: {
        // The request too: a request above the limit is refused first, by P1 (per resource), and the engine then
        // never calls AnalyzeStack.
        kubePrometheusStack: {
          prometheus: { prometheusSpec: { resources: { requests: { memory: "1Gi" }, limits: { memory: "1Gi" } } } },
        },
      },
    },
    policy: "prometheus-memory-holds-series",
    level: "mandatory",
    message: /limits\.memory=1Gi .* < stack output workload\.activeSeries=.* x 4096/,
  },
  {
    title: "Grafana limited to 64Mi, below its documented 512 MB minimum",
    base: "prod",
    config: {
      overrides: {
        kubePrometheusStack: { grafana: { resources: { requests: { memory: "64Mi" }, limits: { memory: "64Mi" } } } },
      },
    },
    policy: "grafana-memory-meets-minimum",
    level: "advisory",
    message:
      /values\.grafana\.resources\.limits\.memory=64Mi .* is below 512Mi, the memory Grafana documents as its minimum/,
  },
  {
    title: "A 4 GiB in-process series hash cache in store-gateways limited to 2944Mi (OOM as queries fill it)",
    base: "prod",
    config: mimir({ blocks_storage: { bucket_store: { series_hash_cache_max_size_bytes: 4294967296 } } }),
    policy: "caches-fit-container",
    level: "mandatory",
    message:
      /series_hash_cache_max_size_bytes=4294967296 \(series hash cache.*store-gateway, whose memory limit is .*=2944Mi/,
  },
  {
    title: "Prometheus TSDB on a memory-backed emptyDir holding 15 days of blocks (OOM by construction)",
    base: "prod",
    config: {
      overrides: {
        kubePrometheusStack: { prometheus: { prometheusSpec: { storageSpec: { emptyDir: { medium: "Memory" } } } } },
      },
    },
    policy: "memory-volumes-fit-container",
    level: "mandatory",
    message:
      /storageSpec\.emptyDir\.medium=Memory puts the TSDB on a tmpfs counted against .*limits\.memory=.*GiB of blocks.*OOM-killed/,
  },
  {
    title: "Mimir multi-tenancy switched off",
    base: "prod",
    config: mimir({ multitenancy_enabled: false }),
    policy: "tenancy-stays-enabled",
    level: "mandatory",
    message: /multitenancy_enabled=false makes .* tenant "anonymous".*team-payments/,
  },
  {
    title: "Loki auth disabled",
    base: "prod",
    config: loki({ loki: { auth_enabled: false } }),
    policy: "tenancy-stays-enabled",
    level: "mandatory",
    message: /auth_enabled=false .* tenant "fake"/,
  },
  {
    title: "Mimir's Kafka user not in the listener's JAAS",
    base: "prod",
    config: mimir({ ingest_storage: { kafka: { sasl_username: "mimir-ingest" } } }),
    policy: "kafka-sasl-matches-listener",
    level: "mandatory",
    message: /sasl_username=mimir-ingest.*PLAIN users mimir/,
  },
  {
    title: "Mimir join_members names a misspelt gossip Service",
    base: "prod",
    config: mimir({ memberlist: { join_members: ["dns+mimir-gossip-ring-typo.mimir.svc.cluster.local:7946"] } }),
    policy: "rings-join-memberlist-service",
    level: "mandatory",
    message: /names Service "mimir-gossip-ring-typo".*gossips alone/,
  },
  {
    title: "Loki join_members names a misspelt memberlist Service",
    base: "prod",
    config: loki({
      loki: {
        structuredConfig: { memberlist: { join_members: ["loki-memberlist-typo.loki.svc.cluster.local:7946"] } },
      },
    }),
    policy: "rings-join-memberlist-service",
    level: "mandatory",
    message: /names Service "loki-memberlist-typo".*abort_if_cluster_join_fails/,
  },
  {
    title: "Loki HTTP port moved only in structuredConfig",
    base: "prod",
    config: loki({ loki: { structuredConfig: { server: { http_listen_port: 3101 } } } }),
    policy: "listen-ports-match-chart-services",
    level: "mandatory",
    message: /http_listen_port=3101 makes Loki listen on 3101.*pods never become Ready/,
  },
  {
    title: "Mimir gRPC port moved, ruler still dials the query-frontend on 9095",
    base: "prod",
    config: mimir({ server: { grpc_listen_port: 9096 } }),
    policy: "listen-ports-match-chart-services",
    level: "mandatory",
    message:
      /ruler\.query_frontend\.address=dns:\/\/\/mimir-query-frontend\.mimir\.svc:9095.*no recording rule or alert/,
  },
  {
    title: "Alloy listening on 127.0.0.1 while its readiness probe dials the pod IP",
    base: "prod",
    config: { overrides: { alloy: { alloy: { listenAddr: "127.0.0.1" } } } },
    policy: "alloy-listens-where-probed",
    level: "mandatory",
    message: /listenAddr=127\.0\.0\.1 .*loopback only.*pods never become Ready/,
  },
  {
    title: "Alloy listenPort on the OTLP gRPC extra port 4317",
    base: "prod",
    config: { overrides: { alloy: { alloy: { listenPort: 4317 } } } },
    policy: "alloy-listens-where-probed",
    level: "mandatory",
    message:
      /listenPort=4317\) and values\.alloy\.extraPorts\[0\] \(name otlp-grpc, port 4317\/TCP\) give the alloy Service .*Duplicate value/,
  },
  {
    title: "alloy.extraPorts replaced by a Zipkin port: the OTLP receivers lose their Service ports",
    base: "staging",
    config: {
      overrides: {
        alloy: { alloy: { extraPorts: [{ name: "zipkin", port: 9411, targetPort: 9411, protocol: "TCP" }] } },
      },
    },
    policy: "alloy-listens-where-probed",
    level: "mandatory",
    message:
      /listens on 0\.0\.0\.0:4317, but no values\.alloy\.extraPorts entry targets port 4317 .*connection refused/,
  },
  {
    title: "Alloy listenScheme HTTPS while its config serves plain HTTP",
    base: "prod",
    config: { overrides: { alloy: { alloy: { listenScheme: "HTTPS" } } } },
    policy: "alloy-listens-where-probed",
    level: "mandatory",
    message: /listenScheme=HTTPS .*Alloy serves plain HTTP.*pods never become Ready/,
  },
  {
    title: "Topic Operator watches another namespace than the KafkaTopic's",
    base: "prod",
    config: { overrides: { kafkaCluster: { entityOperator: { topicOperator: { watchedNamespace: "default" } } } } },
    policy: "strimzi-operators-watch-kafka-namespace",
    level: "mandatory",
    message: /KafkaTopic "mimir-ingest" \(namespace kafka\).*topicOperator .*watches only default/,
  },
  {
    title: "remote write to the removed nginx Service",
    base: "prod",
    config: remoteWrite({ url: "http://mimir-nginx.mimir.svc/api/v1/push" }),
    policy: "remote-write-reaches-mimir",
    level: "mandatory",
    message: /names Service mimir-nginx/,
  },
  {
    title: "Mimir service account renamed away from the IRSA trust",
    base: "prod",
    config: { overrides: { mimir: { serviceAccount: { name: "mimir-sa" } } } },
    policy: "workload-identity-matches-role",
    level: "mandatory",
    notInFirstPreview: true,
    message:
      /service account "mimir\/mimir-sa".*trusts system:serviceaccount:mimir:mimir: sts:AssumeRoleWithWebIdentity is refused/,
  },
  {
    title: "Mimir service account asks for a token audience the IRSA trust does not admit",
    base: "prod",
    config: { overrides: { mimir: { serviceAccount: { annotations: { "eks.amazonaws.com/audience": "mimir" } } } } },
    policy: "workload-identity-matches-role",
    level: "mandatory",
    notInFirstPreview: true,
    message:
      /project a token for audience "mimir", but .*does not admit mimir.*sts:AssumeRoleWithWebIdentity is refused/,
  },
  {
    title: "Mimir blocks in a bucket outside the stack",
    base: "prod",
    config: mimir({ blocks_storage: { s3: { bucket_name: "acme-mimir-blocks-shared" } } }),
    policy: "storage-buckets-granted-to-workload",
    level: "mandatory",
    notInFirstPreview: true,
    message: /bucket_name=acme-mimir-blocks-shared \(Mimir's blocks_storage\) is not a bucket of this stack/,
  },
  {
    title: "Mimir S3 region and endpoint of another region",
    base: "prod",
    config: mimir({ common: { storage: { s3: { region: "us-east-1", endpoint: "s3.us-east-1.amazonaws.com" } } } }),
    policy: "storage-region-matches-buckets",
    level: "mandatory",
    notInFirstPreview: true,
    message:
      /common\.storage\.s3\.region=us-east-1 signs every request for us-east-1 \(answered 400 AuthorizationHeaderMalformed/,
  },
  {
    title: "Alloy RBAC switched off while its config discovers pods and reads events through the API",
    base: "prod",
    config: { overrides: { alloy: { rbac: { create: false } } } },
    policy: "kubernetes-api-access-kept",
    level: "mandatory",
    message: /values\.rbac\.create=false: .*uses discovery\.kubernetes, loki\.source\.kubernetes_events.*403 Forbidden/,
  },
  {
    title: "one Mimir component's env replaced, dropping the Kafka password variable",
    base: "prod",
    config: { overrides: { mimir: { ingester: { env: [{ name: "GOMEMLIMIT", value: "13GiB" }] } } } },
    policy: "mimir-config-env-defined",
    level: "mandatory",
    message: /values\.ingester\.env \(GOMEMLIMIT\) and values\.global\.extraEnv do not define it/,
  },
  {
    title: "no Mimir compactor",
    base: "prod",
    config: { overrides: { mimir: { compactor: { replicas: 0 } } } },
    policy: "mimir-compactor-runs",
    level: "mandatory",
  },
  {
    title: "Kafka without its topic and user operators",
    base: "prod",
    config: { overrides: { kafkaCluster: { entityOperator: { topicOperator: null, userOperator: null } } } },
    policy: "kafka-operators-reconcile-topic-and-user",
    level: "mandatory",
  },
  // ---- Per-request and per-series limits vs the stack's own senders and readers (Q1-Q6)
  {
    title: "Mimir distributor max_recv_msg_size smaller than a remote-write request",
    base: "prod",
    config: mimir({ distributor: { max_recv_msg_size: 10000 } }),
    policy: "push-request-within-receive-limit",
    level: "mandatory",
    message: /max_recv_msg_size=10000 .* is smaller than one remote-write request of/,
  },
  {
    title: "Loki distributor's gRPC client to the ingesters sends less than one Alloy batch",
    base: "prod",
    config: loki({ loki: { ingester_client: { grpc_client_config: { max_send_msg_size: 4096 } } } }),
    policy: "push-request-within-receive-limit",
    level: "mandatory",
    message: /max_send_msg_size=4096 .*The distributor's gRPC client to the ingesters refuses it/,
  },
  {
    title: "Mimir gRPC receive limit lowered to 4 MiB: the query-frontend refuses larger querier results",
    base: "prod",
    config: mimir({ server: { grpc_server_max_recv_msg_size: 4194304 } }),
    policy: "mimir-query-result-within-grpc-limits",
    level: "mandatory",
    message: /grpc_server_max_recv_msg_size=4Mi .*query-frontend's gRPC receive limit.*ResourceExhausted/,
  },
  {
    title: "Mimir max_label_names_per_series below kube_pod_info's labels",
    base: "prod",
    config: mimir({ limits: { max_label_names_per_series: 4 } }),
    policy: "series-labels-within-limits",
    level: "mandatory",
    message: /max_label_names_per_series=4 \(tenants on the default limits\) < 17/,
  },
  {
    title: "Loki enforced_labels for the platform tenant names a label Alloy never attaches",
    base: "prod",
    config: loki({ loki: { runtimeConfig: { overrides: { platform: { enforced_labels: ["team"] } } } } }),
    policy: "series-labels-within-limits",
    level: "mandatory",
    message:
      /platform\.enforced_labels=\["team"\] \(tenant "platform"\) requires "team" on every stream.*as tenant "platform" is lost/,
  },
  {
    title: "Mimir max_query_lookback shorter than the metrics retention",
    base: "prod",
    config: mimir({ limits: { max_query_lookback: "7d" } }),
    policy: "query-lookback-covers-retention",
    level: "mandatory",
    message: /max_query_lookback=7d < .*compactor_blocks_retention_period=90d/,
  },
  {
    title: "Mimir ingester instance max_series below each ingester's series",
    base: "prod",
    config: mimir({ ingester: { instance_limits: { max_series: 10000 } } }),
    policy: "mimir-instance-limits-hold-workload",
    level: "mandatory",
    message: /max_series=10000 < .* series, what at least one ingester of each zone holds/,
  },
  {
    title: "Prometheus collects native histograms while Mimir ignores them",
    base: "prod",
    config: {
      overrides: {
        kubePrometheusStack: { prometheus: { prometheusSpec: { enableFeatures: ["native-histograms"] } } },
        mimir: { mimir: { structuredConfig: { limits: { native_histograms_ingestion_enabled: false } } } },
      },
    },
    policy: "mimir-accepts-native-histograms",
    level: "mandatory",
    message: /native_histograms_ingestion_enabled=false \(tenants on the default limits\) while/,
  },
  {
    title: "Mimir past_grace_period shorter than Prometheus' re-send window",
    base: "prod",
    config: mimir({ limits: { past_grace_period: "1m" } }),
    policy: "mimir-past-grace-covers-resend",
    level: "mandatory",
    message: /past_grace_period=1m .*Mimir rejects every sample older than 1m/,
  },
  {
    title: "Loki max_entries_limit_per_query below the 1000 lines Grafana's Loki datasources ask for",
    base: "prod",
    config: loki({ loki: { limits_config: { max_entries_limit_per_query: 500 } } }),
    policy: "loki-entries-limit-holds-grafana-lines",
    level: "mandatory",
    message: /max_entries_limit_per_query=500 .* is below the 1000 lines .*max entries limit per query exceeded/,
  },
  {
    title: "Mimir's query-scheduler queues fewer requests per tenant than one query's parallelism",
    base: "prod",
    config: mimir({ query_scheduler: { max_outstanding_requests_per_tenant: 1 } }),
    policy: "query-queue-holds-query-parallelism",
    level: "mandatory",
    message:
      /max_outstanding_requests_per_tenant=1 is smaller than one query's parallelism.*too many outstanding requests/,
  },
  {
    title: "The HA pair's tenant overrides ha_replica_label to a label Prometheus does not send",
    base: "prod",
    config: {
      overrides: { mimir: { runtimeConfig: { overrides: { platform: { ha_replica_label: "__replica__" } } } } },
    },
    policy: "mimir-deduplicates-prometheus-pair",
    level: "mandatory",
    message:
      /for tenant "platform" .*overrides\.platform\.ha_replica_label="__replica__" \(Prometheus sends "prometheus_replica"\)/,
  },
  {
    title: "Prometheus scrapes every 5s: 2M series send 400k samples/s past the tenant's 200k/s ingestion_rate",
    base: "prod",
    config: { overrides: { kubePrometheusStack: { prometheus: { prometheusSpec: { scrapeInterval: "5s" } } } } },
    policy: "tenant-limits-hold-stack-traffic",
    level: "mandatory",
    message:
      /ingestion_rate=200001 for tenant "platform".*activeSeries=2,000,000 series scraped every 5s .* = 400,000 samples\/s/,
  },
  {
    title: "The tenant the stack writes its metrics as may hold fewer series than the declared workload",
    base: "prod",
    config: {
      overrides: { mimir: { runtimeConfig: { overrides: { platform: { max_global_series_per_user: 200000 } } } } },
    },
    policy: "tenant-limits-hold-stack-traffic",
    level: "mandatory",
    message: /max_global_series_per_user=200000 for tenant "platform", which receives all of the stack's own metrics/,
  },
  {
    title: "Every tenant shuffle-sharded to one Kafka partition: one ingester per zone holds all the stack's series",
    base: "prod",
    config: mimir({ limits: { ingestion_partitions_tenant_shard_size: 1 } }),
    policy: "tenant-shard-holds-tenant-series",
    level: "mandatory",
    message:
      /ingestion_partitions_tenant_shard_size=1 puts tenants on the default limits on 1 of the 2 active partitions/,
  },
  {
    title:
      "Grafana moved to its own namespace by grafana.namespaceOverride: its admin and datasource Secrets stay in monitoring",
    base: "prod",
    config: { overrides: { kubePrometheusStack: { grafana: { namespaceOverride: "grafana" } } } },
    policy: "secret-references-declared",
    level: "mandatory",
    message:
      /values\.grafana\.admin\.existingSecret="grafana-admin" .* is read by pods in namespace grafana \(values\.grafana\.namespaceOverride="grafana"\), but the stack declares the Secret "grafana-admin" only in namespace monitoring/,
  },
  {
    title: "Loki gateway basicAuth.existingSecret names a Secret the stack does not create (gateway pods never start)",
    base: "prod",
    config: loki({ gateway: { basicAuth: { existingSecret: "loki-gateway-htpasswd-prod" } } }),
    policy: "secret-references-declared",
    level: "mandatory",
    message:
      /values\.gateway\.basicAuth\.existingSecret="loki-gateway-htpasswd-prod" .*names no Secret the stack declares in namespace loki/,
  },
  {
    title:
      'Prometheus remoteWrite basicAuth password key "pass" while the Secret has username/password (prometheus-operator never reconciles)',
    base: "prod",
    config: remoteWrite({
      url: "http://mimir-gateway.mimir.svc.cluster.local/api/v1/push",
      basicAuth: {
        username: { name: "mimir-remote-write-auth", key: "username" },
        password: { name: "mimir-remote-write-auth", key: "pass" },
      },
    }),
    policy: "secret-references-declared",
    level: "mandatory",
    message:
      /remoteWrite\[0\]\.basicAuth\.password=\{name: "mimir-remote-write-auth", key: "pass"\}.*has no key "pass" \(its keys: password, username\)/,
    notInFirstPreview: true,
  },
  {
    title:
      'alloy.envFrom override keeps only the Mimir Secret: sys.env("LOKI_PASSWORD") is "", every log batch gets 401',
    base: "prod",
    config: { overrides: { alloy: { alloy: { envFrom: [{ secretRef: { name: "alloy-mimir-auth" } }] } } } },
    policy: "alloy-loki-config-env-defined",
    level: "mandatory",
    message: /reads sys\.env\("LOKI_PASSWORD"\) \(password\).*does not define them.*answers 401/,
    notInFirstPreview: true,
  },
  {
    title: "Kafka image of 4.2.1 while version/metadataVersion stay 4.3.1/4.3-IV0 (brokers refused registration)",
    base: "prod",
    config: {
      overrides: { kafkaCluster: { kafka: { image: "registry.example.com/strimzi/kafka:1.2.0-kafka-4.2.1" } } },
    },
    policy: "kafka-version-supported-by-strimzi",
    level: "mandatory",
    message:
      /spec\.kafka\.image=registry\.example\.com\/strimzi\/kafka:1\.2\.0-kafka-4\.2\.1 runs Kafka 4\.2\.1.*cannot run metadata version 4\.3-IV0/,
  },
  {
    title: "Loki ingester WAL on the chart's /tmp emptyDir instead of the /var/loki volume",
    base: "prod",
    config: loki({ loki: { ingester: { wal: { dir: "/tmp/loki-wal" } } } }),
    policy: "loki-ingester-state-durable",
    level: "mandatory",
    message: /values\.loki\.ingester\.wal\.dir=\/tmp\/loki-wal: the ingesters' WAL is outside \/var\/loki/,
  },
  {
    title: "Mimir ingester TSDB directory outside the chart's /data volume",
    base: "prod",
    config: mimir({ blocks_storage: { tsdb: { dir: "/tmp/tsdb" } } }),
    policy: "mimir-ingester-state-durable",
    level: "mandatory",
    message: /blocks_storage\.tsdb\.dir=\/tmp\/tsdb: the ingesters' TSDB .*is outside \/data/,
  },
  {
    title: "Loki ingester StatefulSets OnDelete without the rollout-operator (pods never updated)",
    base: "prod",
    config: loki({ ingester: { strategy: { type: "OnDelete" } } }),
    policy: "loki-ondelete-statefulsets-have-operator",
    level: "mandatory",
    message: /values\.ingester\.strategy\.type=OnDelete .*the StatefulSet controller never replaces a pod/,
  },
  {
    title: "Loki canary disabled while the chart's Helm test (default on) needs it: the release fails to render",
    base: "prod",
    config: loki({ lokiCanary: { enabled: false } }),
    policy: "chart-templates-render",
    level: "mandatory",
    message:
      /values\.lokiCanary\.enabled=false while test\.enabled=true .*"Helm test requires the Loki Canary to be enabled"/,
  },
  {
    title: "Loki read replicas beside the distributed targets in Distributed mode: the release fails to render",
    base: "prod",
    config: loki({ read: { replicas: 2 } }),
    policy: "chart-templates-render",
    level: "mandatory",
    message:
      /values\.read\.replicas=2 \(scalable targets\) and .*"You have more than zero replicas configured for scalable targets/,
  },
  {
    title: "mimir-distributed zone-aware migration replicas without the migration: the release fails to render",
    base: "prod",
    config: { overrides: { mimir: { ingester: { zoneAwareReplication: { migration: { replicas: 3 } } } } } },
    policy: "chart-templates-render",
    level: "mandatory",
    message:
      /values\.ingester\.zoneAwareReplication\.migration\.replicas=3 with .*"You have set ingester\.zoneAwareReplication\.migration\.replicas, but ingester\.zoneAwareReplication\.migration\.enabled=false/,
  },
  {
    title: "mimir-distributed zone-aware ingesters cut to two zones: the release fails to render",
    base: "prod",
    config: {
      overrides: {
        mimir: {
          ingester: {
            zoneAwareReplication: {
              zones: [
                { name: "zone-a", nodeSelector: { "topology.kubernetes.io/zone": "eu-west-1a" }, storageClass: "gp3" },
                { name: "zone-b", nodeSelector: { "topology.kubernetes.io/zone": "eu-west-1b" }, storageClass: "gp3" },
              ],
            },
          },
        },
      },
    },
    policy: "chart-templates-render",
    level: "mandatory",
    message:
      /ingester\.zoneAwareReplication\.enabled=true.* with 2 zones .*_helpers\.tpl .*"When zone-awareness is enabled, you must have at least 3 zones defined\."/,
  },
  {
    title:
      "Grafana datasources sidecar watchServerTimeout with watchMethod SLEEP (grafana subchart): the release fails to render",
    base: "staging",
    config: {
      overrides: {
        kubePrometheusStack: {
          grafana: { sidecar: { datasources: { watchMethod: "SLEEP", watchServerTimeout: 3600 } } },
        },
      },
    },
    policy: "chart-templates-render",
    level: "mandatory",
    message:
      /grafana\.sidecar\.datasources\.watchServerTimeout=3600 with .*watchMethod=SLEEP.*"Cannot use \.Values\.sidecar\.datasources\.watchServerTimeout with \.Values\.sidecar\.datasources\.watchMethod SLEEP"/,
  },
  {
    title: "alloy PodDisruptionBudget on the DaemonSet controller: the release fails to render",
    base: "prod",
    config: { overrides: { alloy: { controller: { podDisruptionBudget: { enabled: true, maxUnavailable: 1 } } } } },
    policy: "chart-templates-render",
    level: "mandatory",
    message:
      /values\.controller\.podDisruptionBudget\.enabled=true with .*values\.controller\.type=daemonset\..*"PDBs \(Pod Disruption Budgets\) are not intended for DaemonSets/,
  },
  {
    title: "Kubernetes 1.30 in prod, past the end of EKS extended support (2026-07-23)",
    base: "prod",
    config: { cluster: { kubernetesVersion: "1.30" } },
    policy: "kubernetes-version-supported",
    level: "mandatory",
    message: /version=1\.30 is past the end of EKS extended support \(2026-07-23; today \d{4}-\d{2}-\d{2}\)/,
  },
];
