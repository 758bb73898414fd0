import type * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../../settings";
import { chartFullname } from "../../settings/names";
import * as upstream from "../../settings/upstream";

/** Mimir expands ${VAR} in its config file when started with -config.expand-env=true (Mimir docs, "Configuration parameters"). */
export const expandEnv = (variable: string): string => `\${${variable}}`;

/** Mimir's default gRPC listen port (server.grpc_listen_port, config descriptor), which the chart's services expose as `grpc`. */
export const MIMIR_GRPC_PORT = 9095;

/** Regional S3 endpoint (AWS general reference, "Amazon S3 endpoints"); China regions use amazonaws.com.cn. */
export function s3Endpoint(region: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new Error(`region "${region}" is not an AWS region name (expected e.g. eu-west-1)`);
  }
  return region.startsWith("cn-") ? `s3.${region}.amazonaws.com.cn` : `s3.${region}.amazonaws.com`;
}

/** What the chart names its resources before "-<component>" (settings/names.ts chartFullname). */
export function mimirFullname(release: string): string {
  return chartFullname(release, "mimir");
}

export interface ConfigInputs {
  region: string;
  buckets: { blocks: pulumi.Input<string>; ruler: pulumi.Input<string>; alertmanager: pulumi.Input<string> };
  kafka: { address: string; topic: string; sasl?: { username: string; passwordEnvVar: string } };
}

/**
 * Deduplication of the Prometheus HA pair (settings.prometheus.replicas > 1): the distributor keeps one replica's
 * samples per tenant and cluster label, and switches after ha_tracker_failover_timeout (30s default) without it.
 * Mimir 3.0 keeps the tracker's state in memberlist, its default store since 3.0 (CHANGELOG 3.0.0, "Use memberlist by
 * default for the HA tracker", #12998; memberlist stable since 2.17, #11861); the chart already joins every Mimir pod
 * to the gossip ring, so no Consul or etcd is needed. The labels are the ones prometheus-operator sets (upstream.ts).
 */
function haTracker(settings: Settings): Record<string, unknown> {
  if (settings.prometheus.replicas < 2) return {};
  return { ha_tracker: { enable_ha_tracker: true, kvstore: { store: "memberlist" } } };
}

function haLimits(settings: Settings): Record<string, unknown> {
  if (settings.prometheus.replicas < 2) return {};
  // Series without both labels (Alloy's, say) are accepted as before and never deduplicated (Mimir HA docs).
  return {
    accept_ha_samples: true,
    ha_cluster_label: upstream.prometheus.clusterExternalLabel,
    ha_replica_label: upstream.prometheus.replicaExternalLabel,
  };
}

/** mimir.structuredConfig: merged by the chart over its generated config (values.yaml, mimir.structuredConfig). */
export function buildStructuredConfig(settings: Settings, inputs: ConfigInputs): Record<string, unknown> {
  const m = settings.mimir;
  const t = settings.retention.mimir;
  const fullname = mimirFullname(settings.releases.mimir);
  const kafka: Record<string, unknown> = {
    address: inputs.kafka.address,
    topic: inputs.kafka.topic,
    // The topic is a KafkaTopic with the partitions, RF and limits Mimir needs; Mimir must not create its own.
    auto_create_topic_enabled: false,
    producer_max_record_size_bytes: m.producerMaxRecordSizeBytes,
    // The buffer the distributor's memory limit was sized for (settings/derive/sizing.ts, K11).
    producer_max_buffered_bytes: m.sizing.distributor.producerMaxBufferedBytes,
  };
  if (inputs.kafka.sasl) {
    // Mimir 3.0: setting both enables SASL/PLAIN (ingest_storage.kafka.sasl_username/sasl_password, config descriptor).
    kafka.sasl_username = inputs.kafka.sasl.username;
    kafka.sasl_password = expandEnv(inputs.kafka.sasl.passwordEnvVar);
  }
  return {
    common: {
      // IRSA: no keys here; the S3 client takes the web identity token the EKS pod identity webhook mounts.
      storage: { backend: "s3", s3: { endpoint: s3Endpoint(inputs.region), region: inputs.region } },
    },
    // M4: ruler and alertmanager state in their own buckets, never the blocks bucket.
    blocks_storage: {
      s3: { bucket_name: inputs.buckets.blocks },
      tsdb: { retention_period: t.tsdbRetentionPeriod },
      bucket_store: {
        sync_interval: t.bucketStoreSyncInterval,
        ignore_deletion_mark_delay: t.ignoreDeletionMarkDelay,
        ignore_deletion_mark_while_querying_delay: t.ignoreDeletionMarkWhileQueryingDelay,
        // B5: in-process caches sized to the store-gateway's memory limit (settings/derive/sizing.ts storeGatewayCaches);
        // the backend stays Mimir's (inmemory) unless the chart's index-cache switches it to memcached.
        index_cache: { inmemory: { max_size_bytes: m.sizing.storeGateway.indexCacheBytes } },
        series_hash_cache_max_size_bytes: m.sizing.storeGateway.seriesHashCacheBytes,
      },
    },
    ruler_storage: { s3: { bucket_name: inputs.buckets.ruler } },
    alertmanager_storage: { s3: { bucket_name: inputs.buckets.alertmanager } },
    compactor: {
      deletion_delay: t.deletionDelay,
      cleanup_interval: t.cleanupInterval,
      block_ranges: [...t.blockRanges],
    },
    querier: { query_store_after: t.queryStoreAfter },
    limits: { ...m.limits, query_ingesters_within: t.queryIngestersWithin, ...haLimits(settings) },
    distributor: { remote_timeout: m.remoteTimeout, ...haTracker(settings) },
    ingest_storage: { enabled: true, kafka },
    // One config file for every component: queriers and rulers read the same store-gateway RF (M7).
    store_gateway: { sharding_ring: { replication_factor: m.storeGatewayReplicationFactor } },
    // Ingest storage requires ruler remote evaluation (Mimir jsonnet ingest-storage.libsonnet asserts it): rules are
    // evaluated through the query-frontend, which enforces the read consistency the ruler asks for.
    ruler: {
      query_frontend: {
        address: `dns:///${fullname}-query-frontend.${settings.namespaces.mimir}.svc:${MIMIR_GRPC_PORT}`,
      },
    },
  };
}
