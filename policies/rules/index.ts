// Every policy of the pack, in the order the engine reports them.
import { Policies } from "@pulumi/policy";
import { capacityHeadroom } from "./capacity/capacity-headroom";
import { podsFitZoneNodeGroups } from "./capacity/pods-fit-node-groups";
import { workloadWithinSizedCapacity } from "./capacity/workload-within-capacity";
import { tenantLimitsWithinCapacity } from "./capacity/tenant-limits-within-capacity";
import { tenantLimitsHoldStackTraffic } from "./capacity/tenant-limits-hold-stack-traffic";
import { tenantShardHoldsTenantSeries } from "./capacity/tenant-shard-holds-tenant-series";
import { volumesWithinEbsLimit } from "./capacity/volumes-within-ebs-limit";
import { zoneLossSurvived } from "./capacity/zone-loss-survived";
import { subnetsHoldNodeAddresses } from "./capacity/subnets-hold-node-addresses";
import { remoteWriteQueueKeepsUp } from "./limits/remote-write-queue-keeps-up";
import { kubernetesVersionSupported } from "./rollout/kubernetes-version-supported";
import { memcachedFitsContainer } from "./memory/memcached-fits-container";
import { cachesFitContainer } from "./memory/caches-fit-container";
import { goMemoryLimitWithinContainer } from "./memory/go-memory-limit-within-container";
import { kafkaHeapFitsContainer } from "./memory/kafka-heap-fits-container";
import { prometheusMemoryHoldsSeries } from "./memory/prometheus-memory-holds-series";
import { memoryVolumesFitContainer } from "./memory/memory-volumes-fit-container";
import { grafanaMemoryMeetsMinimum } from "./memory/grafana-memory-meets-minimum";
import { mimirDistributorMemoryFitsProducerBuffer } from "./kafka/distributor-memory-fits-producer-buffer";
import { kafkaBrokerConfigValid } from "./kafka/broker-config-valid";
import { kafkaConfigNotForbidden } from "./kafka/config-not-forbidden";
import { kafkaInternalTopicsReplicationWithinBrokers } from "./kafka/internal-topics-replication-within-brokers";
import { mimirKafkaTargetExists } from "./kafka/kafka-target-exists";
import { mimirKafkaUserAuthorized } from "./kafka/mimir-user-authorized";
import { kafkaTopicConfigValid } from "./kafka/topic-config-valid";
import { kafkaQuotasAdmitMimir } from "./kafka/quotas-admit-mimir";
import { strimziPodsMeetNamespaceSecurity } from "./kafka/strimzi-pods-meet-namespace-security";
import { kafkaOperatorsReconcileTopicAndUser } from "./kafka/operators-reconcile-topic-and-user";
import { kafkaKraftControllerQuorum } from "./kafka/kraft-controller-quorum";
import { kafkaMessageSizeFitsMimirBatch } from "./kafka/message-size-fits-mimir-batch";
import { kafkaMinInsyncWithinReplication } from "./kafka/min-insync-within-replication";
import { kafkaPartitionsCoverIngesters } from "./kafka/partitions-cover-ingesters";
import { kafkaReplicaFetchSizeMatchesMessages } from "./kafka/replica-fetch-size-matches-messages";
import { kafkaRetentionCoversReplayWindow } from "./kafka/retention-covers-replay-window";
import { kafkaSegmentSizeFitsMessages } from "./kafka/segment-size-fits-messages";
import { kafkaSocketRequestFitsMessages } from "./kafka/socket-request-fits-messages";
import { kafkaTopicReplicationWithinBrokers } from "./kafka/topic-replication-within-brokers";
import { kafkaTopicKeepsEveryRecord } from "./kafka/topic-keeps-every-record";
import { kafkaUncleanLeaderElectionOff } from "./kafka/unclean-leader-election-off";
import { customCaSecretsDeclared } from "./kafka/custom-ca-secrets-declared";
import { strimziFeatureGatesValid } from "./kafka/strimzi-feature-gates-valid";
import { strimziAcceptsKafkaSpec } from "./kafka/strimzi-accepts-kafka-spec";
import { caRenewalWithinValidity } from "./kafka/ca-renewal-within-validity";
import { strimziConfigMapsDeclared } from "./kafka/strimzi-config-maps-declared";
import { kafkaRetentionBytesCoversReplayWindow } from "./kafka/retention-bytes-covers-replay-window";
import { kafkaRetentionFitsBrokerDisk } from "./kafka/retention-fits-broker-disk";
import { kafkaListenersValid } from "./kafka/listeners-valid";
import { alloyBatchWithinLokiBurst } from "./loki/alloy-batch-within-loki-burst";
import { alloyBatchWithinRequestLimits } from "./loki/alloy-batch-within-request-limits";
import { lokiAdmitsContainerLogLines } from "./loki/admits-container-log-lines";
import { lokiBurstHoldsALine } from "./loki/burst-holds-a-line";
import { lokiReplicationWithinIngesters } from "./loki/replication-within-ingesters";
import { lokiSchemaPeriodsValid } from "./loki/schema-periods-valid";
import { lokiStoresInObjectStorage } from "./loki/stores-in-object-storage";
import { lokiQueriersReadIngestersAndStore } from "./loki/queriers-read-ingesters-and-store";
import { lokiIngesterStateDurable } from "./loki/ingester-state-durable";
import { alloyReadsHostLogs } from "./loki/alloy-reads-host-logs";
import { containerRequestsWithinLimits } from "./workloads/container-requests-within-limits";
import { alloyPerNodeConfigRunsAsDaemonset } from "./workloads/alloy-per-node-config-runs-as-daemonset";
import { nodeSelectorsMatchNodeGroups } from "./workloads/node-selectors-match-node-groups";
import { clusterObjectsReferencedExist } from "./workloads/cluster-objects-referenced-exist";
import { volumeClaimsProvisionable } from "./workloads/volume-claims-provisionable";
import { hardAntiAffinityFitsTopology } from "./workloads/hard-anti-affinity-fits-topology";
import { hostNetworkPodsResolveServices } from "./workloads/host-network-pods-resolve-services";
import { mimirIngesterStateDurable } from "./mimir/ingester-state-durable";
import { lokiObjectStorageClassReadable } from "./loki/object-storage-class-readable";
import { lokiWalReplayFitsMemory } from "./loki/wal-replay-fits-memory";
import { lokiConfigValid } from "./loki/config-valid";
import { lokiReferencedComponentsRun } from "./loki/referenced-components-run";
import { mimirBlocksRetentionCoversQueryStoreAfter } from "./mimir/blocks-retention-covers-query-store-after";
import { mimirCompactorBlockRangesDivisible } from "./mimir/compactor-block-ranges-divisible";
import { mimirBurstHoldsRemoteWriteRequest } from "./mimir/burst-holds-remote-write-request";
import { mimirDeduplicatesPrometheusPair } from "./mimir/deduplicates-prometheus-pair";
import { mimirDeletionMarkDelaysOrdered } from "./mimir/deletion-mark-delays-ordered";
import { mimirDeletionDelayOutlastsReaders } from "./mimir/deletion-delay-outlasts-readers";
import { mimirComponentsServeStackTenants } from "./mimir/components-serve-stack-tenants";
import { mimirIngestStorageConfigValid } from "./mimir/ingest-storage-config-valid";
import { mimirQueryIngestersWithinExceedsStoreAfter } from "./mimir/query-ingesters-within-exceeds-store-after";
import { mimirRulerEvaluatesRemotely } from "./mimir/ruler-evaluates-remotely";
import { mimirStorageLocationsDistinct } from "./mimir/storage-locations-distinct";
import { mimirStoreGatewayReplicationWithinReplicas } from "./mimir/store-gateway-replication-within-replicas";
import { mimirZonesCoverReplication } from "./mimir/zones-cover-replication";
import { mimirConfigValid } from "./mimir/config-valid";
import { mimirBlocksShippedToStorage } from "./mimir/blocks-shipped-to-storage";
import { mimirBucketIndexStalenessCoversUpdates } from "./mimir/bucket-index-staleness-covers-updates";
import { mimirObjectStorageClassReadable } from "./mimir/object-storage-class-readable";
import { mimirConfigEnvDefined } from "./mimir/config-env-defined";
import { mimirCompactorRuns } from "./mimir/compactor-runs";
import { ringsSharedAcrossPods } from "./mimir/rings-shared-across-pods";
import { mimirStoresInSharedObjectStorage } from "./mimir/stores-in-shared-object-storage";
import { mimirStoreGatewaySeesRecentBlocks } from "./mimir/store-gateway-sees-recent-blocks";
import { lokiBucketLifecycleOutlivesRetention } from "./retention/loki-bucket-lifecycle-outlives-retention";
import { lokiIndexPeriod24h } from "./retention/loki-index-period-24h";
import { lokiRejectOldSamplesWithinRetention } from "./retention/loki-reject-old-samples-within-retention";
import { lokiRetentionHasDeleteRequestStore } from "./retention/loki-retention-has-delete-request-store";
import { metricsRetentionCoversPrometheus } from "./retention/metrics-retention-covers-prometheus";
import { mimirBucketLifecycleOutlivesRetention } from "./retention/mimir-bucket-lifecycle-outlives-retention";
import { prometheusRetentionSizeWithinVolume } from "./retention/prometheus-retention-size-within-volume";
import { eksPublicEndpointRestricted } from "./security/eks-public-endpoint-restricted";
import { gatewaysBindTenants } from "./security/gateways-bind-tenants";
import { gatewaysRequireBasicAuth } from "./security/gateways-require-basic-auth";
import { kafkaClientsAuthenticate } from "./security/kafka-clients-authenticate";
import { noPlaintextPasswords } from "./security/no-plaintext-passwords";
import { networkPoliciesFenceComponents } from "./security/network-policies-fence-components";
import { noStaticAwsKeys } from "./security/no-static-aws-keys";
import { statefulResourcesProtected } from "./security/stateful-resources-protected";
import { statefulVolumesRetained } from "./security/stateful-volumes-retained";
import { s3BucketEncrypted } from "./security/s3-bucket-encrypted";
import { s3BucketPrivate } from "./security/s3-bucket-private";
import { s3BucketTlsOnly } from "./security/s3-bucket-tls-only";
import { storageClientsUseTls } from "./security/storage-clients-use-tls";
import { workloadIdentityMatchesRole } from "./identity/workload-identity-matches-role";
import { storageBucketsGrantedToWorkload } from "./identity/storage-buckets-granted-to-workload";
import { storageRegionMatchesBuckets } from "./identity/storage-region-matches-buckets";
import { kubernetesApiAccessKept } from "./identity/kubernetes-api-access-kept";
import { remoteWriteReachesMimir } from "./wiring/remote-write-reaches-mimir";
import { logWritersReachLoki } from "./wiring/log-writers-reach-loki";
import { datasourcesReachStores } from "./wiring/datasources-reach-stores";
import { tenancyStaysEnabled } from "./wiring/tenancy-stays-enabled";
import { kafkaSaslMatchesListener } from "./wiring/kafka-sasl-matches-listener";
import { kafkaListenerAdmitsMimir } from "./wiring/kafka-listener-admits-mimir";
import { ringsJoinMemberlistService } from "./wiring/rings-join-memberlist-service";
import { listenPortsMatchChartServices } from "./wiring/listen-ports-match-chart-services";
import { alloyListensWhereProbed } from "./wiring/alloy-listens-where-probed";
import { grpcCompressorsRegistered } from "./wiring/grpc-compressors-registered";
import { grafanaProvisionsStackDatasources } from "./wiring/grafana-provisions-stack-datasources";
import { grpcTlsMatchesServers } from "./wiring/grpc-tls-matches-servers";
import { strimziOperatorsWatchKafkaNamespace } from "./wiring/strimzi-operators-watch-kafka-namespace";
import { secretReferencesDeclared } from "./wiring/secret-references-declared";
import { alloyLokiConfigEnvDefined } from "./wiring/alloy-loki-config-env-defined";
import { prometheusSelectsStackMonitors } from "./wiring/prometheus-selects-stack-monitors";
import { scrapeIntervalsFitRuleWindows } from "./wiring/scrape-intervals-fit-rule-windows";
import { stackAlertsReachAlertmanager } from "./wiring/stack-alerts-reach-alertmanager";
import { kafkaTopicAcceptsMimirTimestamps } from "./kafka/topic-accepts-mimir-timestamps";
import { kafkaSegmentRollNotTooFrequent } from "./kafka/segment-roll-not-too-frequent";
import { kafkaCommittedOffsetsOutliveReplayWindow } from "./kafka/committed-offsets-outlive-replay-window";
import { pushRequestWithinReceiveLimit } from "./limits/push-request-within-receive-limit";
import { queryResultWithinGrpcLimits } from "./limits/query-result-within-grpc-limits";
import { seriesLabelsWithinLimits } from "./limits/series-labels-within-limits";
import { queryLookbackCoversRetention } from "./limits/query-lookback-covers-retention";
import { instanceLimitsHoldWorkload } from "./limits/instance-limits-hold-workload";
import { mimirAcceptsNativeHistograms } from "./limits/mimir-accepts-native-histograms";
import { mimirPastGraceCoversResend } from "./limits/mimir-past-grace-covers-resend";
import { remoteWriteKeepsSamplesThroughOutages } from "./limits/remote-write-keeps-samples-through-outages";
import { lokiEntriesLimitHoldsGrafanaLines } from "./limits/loki-entries-limit-holds-grafana-lines";
import { queryQueueHoldsQueryParallelism } from "./limits/query-queue-holds-query-parallelism";
import { disruptionBudgetsAllowEviction } from "./rollout/disruption-budgets-allow-eviction";
import { disruptionBudgetsKeepRedundancy } from "./rollout/disruption-budgets-keep-redundancy";
import { mimirZoneAwareRolloutsHaveOperator } from "./rollout/mimir-zone-aware-rollouts-have-operator";
import { lokiOnDeleteStatefulSetsHaveOperator } from "./rollout/loki-ondelete-statefulsets-have-operator";
import { componentVersionsMatchCharts } from "./rollout/component-versions-match-charts";
import { kafkaVersionSupportedByStrimzi } from "./rollout/kafka-version-supported-by-strimzi";
import { prometheusSpecsValid } from "./rollout/prometheus-specs-valid";
import { chartTemplatesRender } from "./rollout/chart-templates-render";
import { prometheusOperatorFlagsValid } from "./rollout/prometheus-operator-flags-valid";
import { singleAttachVolumeDeploymentsRollOut } from "./rollout/single-attach-volume-deployments-roll-out";
import { kubeletMonitorFindsTargets } from "./wiring/kubelet-monitor-finds-targets";
import { stackAlertInputsScraped } from "./wiring/stack-alert-inputs-scraped";
import { gatewayResolverResolves } from "./wiring/gateway-resolver-resolves";
import { gatewayNginxVariablesDefined } from "./wiring/gateway-nginx-variables-defined";
import { alloyEgressAdmitsItsDestinations } from "./wiring/alloy-egress-admits-its-destinations";
import { alloyPodVolumesExist } from "./workloads/alloy-pod-volumes-exist";
import { chartKindsInstalled } from "./rollout/chart-kinds-installed";

export const policies: Policies = [
  // Kafka <-> Mimir ingest storage
  mimirKafkaTargetExists,
  mimirKafkaUserAuthorized,
  kafkaOperatorsReconcileTopicAndUser,
  kafkaTopicConfigValid,
  kafkaQuotasAdmitMimir,
  strimziPodsMeetNamespaceSecurity,
  kafkaMessageSizeFitsMimirBatch,
  kafkaSegmentSizeFitsMessages,
  kafkaSocketRequestFitsMessages,
  kafkaReplicaFetchSizeMatchesMessages,
  kafkaTopicReplicationWithinBrokers,
  kafkaInternalTopicsReplicationWithinBrokers,
  kafkaMinInsyncWithinReplication,
  kafkaPartitionsCoverIngesters,
  kafkaRetentionCoversReplayWindow,
  kafkaKraftControllerQuorum,
  mimirDistributorMemoryFitsProducerBuffer,
  kafkaConfigNotForbidden,
  kafkaBrokerConfigValid,
  kafkaTopicKeepsEveryRecord,
  kafkaUncleanLeaderElectionOff,
  customCaSecretsDeclared,
  strimziFeatureGatesValid,
  strimziAcceptsKafkaSpec,
  caRenewalWithinValidity,
  strimziConfigMapsDeclared,
  kafkaRetentionBytesCoversReplayWindow,
  kafkaRetentionFitsBrokerDisk,
  kafkaListenersValid,
  kafkaTopicAcceptsMimirTimestamps,
  kafkaSegmentRollNotTooFrequent,
  kafkaCommittedOffsetsOutliveReplayWindow,
  // Mimir startup and replication
  mimirQueryIngestersWithinExceedsStoreAfter,
  mimirDeletionMarkDelaysOrdered,
  mimirDeletionDelayOutlastsReaders,
  mimirComponentsServeStackTenants,
  mimirCompactorBlockRangesDivisible,
  mimirStorageLocationsDistinct,
  mimirBlocksRetentionCoversQueryStoreAfter,
  mimirStoreGatewayReplicationWithinReplicas,
  mimirZonesCoverReplication,
  mimirIngestStorageConfigValid,
  mimirBurstHoldsRemoteWriteRequest,
  mimirRulerEvaluatesRemotely,
  mimirDeduplicatesPrometheusPair,
  mimirConfigValid,
  mimirBlocksShippedToStorage,
  mimirBucketIndexStalenessCoversUpdates,
  mimirObjectStorageClassReadable,
  mimirConfigEnvDefined,
  mimirCompactorRuns,
  ringsSharedAcrossPods,
  mimirStoresInSharedObjectStorage,
  mimirStoreGatewaySeesRecentBlocks,
  // Retention chain
  metricsRetentionCoversPrometheus,
  prometheusRetentionSizeWithinVolume,
  mimirBucketLifecycleOutlivesRetention,
  lokiBucketLifecycleOutlivesRetention,
  lokiRetentionHasDeleteRequestStore,
  lokiIndexPeriod24h,
  lokiRejectOldSamplesWithinRetention,
  // Loki and Alloy
  lokiReplicationWithinIngesters,
  alloyBatchWithinLokiBurst,
  alloyBatchWithinRequestLimits,
  lokiBurstHoldsALine,
  lokiAdmitsContainerLogLines,
  lokiSchemaPeriodsValid,
  lokiStoresInObjectStorage,
  lokiQueriersReadIngestersAndStore,
  lokiReferencedComponentsRun,
  lokiIngesterStateDurable,
  alloyReadsHostLogs,
  containerRequestsWithinLimits,
  alloyPerNodeConfigRunsAsDaemonset,
  nodeSelectorsMatchNodeGroups,
  clusterObjectsReferencedExist,
  volumeClaimsProvisionable,
  alloyPodVolumesExist,
  hardAntiAffinityFitsTopology,
  hostNetworkPodsResolveServices,
  mimirIngesterStateDurable,
  lokiObjectStorageClassReadable,
  lokiWalReplayFitsMemory,
  lokiConfigValid,
  // Security
  s3BucketPrivate,
  s3BucketEncrypted,
  s3BucketTlsOnly,
  storageClientsUseTls,
  noStaticAwsKeys,
  noPlaintextPasswords,
  kafkaClientsAuthenticate,
  eksPublicEndpointRestricted,
  gatewaysRequireBasicAuth,
  gatewaysBindTenants,
  networkPoliciesFenceComponents,
  statefulResourcesProtected,
  statefulVolumesRetained,
  workloadIdentityMatchesRole,
  storageBucketsGrantedToWorkload,
  storageRegionMatchesBuckets,
  kubernetesApiAccessKept,
  // Upgrades, rollouts and drains
  disruptionBudgetsAllowEviction,
  disruptionBudgetsKeepRedundancy,
  mimirZoneAwareRolloutsHaveOperator,
  lokiOnDeleteStatefulSetsHaveOperator,
  componentVersionsMatchCharts,
  kafkaVersionSupportedByStrimzi,
  kubernetesVersionSupported,
  prometheusSpecsValid,
  chartTemplatesRender,
  prometheusOperatorFlagsValid,
  singleAttachVolumeDeploymentsRollOut,
  chartKindsInstalled,
  // Buffers and memory against container limits
  memcachedFitsContainer,
  goMemoryLimitWithinContainer,
  kafkaHeapFitsContainer,
  prometheusMemoryHoldsSeries,
  memoryVolumesFitContainer,
  cachesFitContainer,
  grafanaMemoryMeetsMinimum,
  // Capacity
  workloadWithinSizedCapacity,
  podsFitZoneNodeGroups,
  capacityHeadroom,
  zoneLossSurvived,
  subnetsHoldNodeAddresses,
  tenantLimitsWithinCapacity,
  tenantLimitsHoldStackTraffic,
  tenantShardHoldsTenantSeries,
  volumesWithinEbsLimit,
  // Wiring: writers and readers reach the stores' gateways as their tenants
  remoteWriteReachesMimir,
  logWritersReachLoki,
  datasourcesReachStores,
  tenancyStaysEnabled,
  kafkaSaslMatchesListener,
  kafkaListenerAdmitsMimir,
  ringsJoinMemberlistService,
  listenPortsMatchChartServices,
  alloyListensWhereProbed,
  grpcCompressorsRegistered,
  grafanaProvisionsStackDatasources,
  grpcTlsMatchesServers,
  strimziOperatorsWatchKafkaNamespace,
  secretReferencesDeclared,
  alloyLokiConfigEnvDefined,
  prometheusSelectsStackMonitors,
  kubeletMonitorFindsTargets,
  gatewayResolverResolves,
  gatewayNginxVariablesDefined,
  alloyEgressAdmitsItsDestinations,
  scrapeIntervalsFitRuleWindows,
  stackAlertInputsScraped,
  stackAlertsReachAlertmanager,
  pushRequestWithinReceiveLimit,
  queryResultWithinGrpcLimits,
  seriesLabelsWithinLimits,
  queryLookbackCoversRetention,
  instanceLimitsHoldWorkload,
  mimirAcceptsNativeHistograms,
  mimirPastGraceCoversResend,
  remoteWriteKeepsSamplesThroughOutages,
  remoteWriteQueueKeepsUp,
  lokiEntriesLimitHoldsGrafanaLines,
  queryQueueHoldsQueryParallelism,
];
