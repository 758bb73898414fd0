// K27: the Kafka quotas of the user Mimir authenticates as must admit Mimir's traffic.
// - Strimzi KafkaUser spec.quotas.producerByteRate / consumerByteRate: "the maximum bytes per-second that each client
//   group can publish to / fetch from a broker before the clients in the group are throttled. Defined on a per-broker
//   basis" (Strimzi API reference, KafkaUserQuotas). A throttled client gets its responses delayed by throttle_time_ms
//   (Kafka docs, "Quotas"): the brokers together admit at most rate x brokers bytes/s (leaders spread evenly, the best
//   case).
// - Kafka spec.kafka.quotas sets the same rates for every client (type kafka: Kafka's default user quota, which a
//   KafkaUser's own quota replaces; type strimzi: Strimzi's quotas plugin, per broker for all clients, not for its
//   excludedPrincipals) (Strimzi 1.2.0 Kafka CRD, spec.kafka.quotas).
// - Producer side: the distributors write the whole workload (samples/s x ASSUMED_KAFKA_BYTES_PER_SAMPLE); throttled,
//   their buffers fill (ingest_storage.kafka.producer_max_buffered_bytes) and Mimir refuses pushes, which the senders
//   drop after their retries (blocked writes, then data loss).
// - Consumer side: every ingester zone reads every record (one ingester per partition per zone, Mimir ingest-storage
//   architecture), all as the same user: zones x the write rate. Throttled, the ingesters fall further behind each
//   hour, queries miss recent samples, and records Kafka deletes at retention before they are read are lost.
// - Connection quota: the broker's max.connections.per.ip counts every connection from one address on every listener
//   and closes the one over the limit (apache/kafka core SocketServer ConnectionQuotas.inc: count >= max ->
//   TooManyConnectionsException; default Integer.MAX_VALUE, SocketServerConfigs). Mimir's Kafka clients are franz-go:
//   a kgo client keeps a separate connection per broker for each request class (pkg/kgo/broker.go loadConnection:
//   cxnProduce for Produce, cxnFetch for Fetch, cxnGroup for JoinGroup/SyncGroup, cxnSlow for requests with a timeout,
//   cxnNormal for the rest, metadata included), and sends metadata requests to every discovered broker in turn
//   (pkg/kgo/client.go Client.broker). A distributor (and a ruler, which runs one) has ingest_storage.kafka.write_clients
//   producer clients (Mimir default 1, policies/lib/mimir.ts) writing to every partition, so each holds cxnNormal and
//   cxnProduce on every broker that leads one: at least 2 x write_clients connections per broker from one pod IP.
import { ExternalKafkaRuleConfig } from "../../lib/config";
import { strimziBelongsTo } from "../../lib/kafka";
import { kafkaWriteBytesPerSecond, ASSUMED_KAFKA_BYTES_PER_SAMPLE } from "../../lib/kafka/sizing";
import { numberNode } from "../../lib/kafka/clusters";
import { RuleContext, stackRule } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import { isUnknown } from "../../lib/unknown";
import { formatFigure } from "../capacity/analysis";
import { readWorkload, workloadSchema } from "../capacity/workload";
import { landscape } from "./common";

const mbps = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB/s`;

export const kafkaQuotasAdmitMimir = stackRule<ExternalKafkaRuleConfig & { workload?: unknown }>(
  {
    name: "kafka-quotas-admit-mimir",
    rule: "K27",
    description:
      "The producer and consumer byte-rate quotas of Mimir's KafkaUser, per broker, must admit Mimir's write rate (distributors) and every ingester zone's reads; the brokers' max.connections.per.ip must admit the connections one distributor pod's franz-go clients hold to a broker",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Remove spec.quotas from Mimir's KafkaUser, or raise producerByteRate to at least the write rate / brokers and consumerByteRate to at least zones x the write rate / brokers; remove max.connections.per.ip or keep it well above 2 x ingest_storage.kafka.write_clients.",
    url: "https://strimzi.io/docs/operators/latest/configuring.html#type-KafkaUserQuotas-reference ; https://kafka.apache.org/documentation/#design_quotas",
    tags: ["kafka", "mimir", "capacity"],
    configSchema: { properties: { workload: workloadSchema } },
  },
  (stack, ctx) => {
    checkConnectionsPerIp(stack, ctx);
    const declared = readWorkload(stack, ctx.config.workload);
    if (!declared) return;
    const write = kafkaWriteBytesPerSecond(declared.workload.samplesPerSecond);
    const basis = `${declared.where}.samplesPerSecond=${formatFigure(declared.workload.samplesPerSecond)} x ${ASSUMED_KAFKA_BYTES_PER_SAMPLE} B (ASSUMPTION, policies/lib/kafka/sizing.ts) = ${mbps(write)}`;
    for (const path of landscape(stack, ctx).paths) {
      if (path.cluster?.kind !== "strimzi") continue;
      const username = path.mimir.string("ingest_storage.kafka.sasl_username");
      if (isUnknown(username)) return ctx.inconclusive(username);
      if (!username.value) continue;
      const user = stack
        .strimzi("KafkaUser")
        .find((u) => u.name === username.value && strimziBelongsTo(u, path.cluster!));
      const brokers = path.cluster.brokers();
      const layout = path.mimir.podsPerZone("ingester");
      if (!user || brokers === undefined || isUnknown(brokers) || isUnknown(layout)) continue;
      const sides = [
        {
          key: "producerByteRate",
          need: write,
          who: `the distributors' writes (${basis})`,
          harm: "the distributors' producer buffers fill and Mimir refuses pushes, which the senders drop after their retries",
        },
        {
          key: "consumerByteRate",
          need: write * layout.value.zones,
          who: `${layout.value.zones} ingester zone(s) each reading every record (${basis} each)`,
          harm: "the ingesters fall behind for good: queries miss recent samples, and records Kafka deletes at retention before they are read are lost",
        },
      ];
      const kafka = stack.strimzi("Kafka").find((k) => k.resource.urn === path.cluster!.urn);
      const cluster = kafka?.spec.get("kafka", "quotas");
      const excluded = cluster?.get("excludedPrincipals").raw();
      const exempt = Array.isArray(excluded) && excluded.includes(`User:${username.value}`);
      for (const side of sides) {
        const own = numberNode(user.spec.get("quotas", side.key));
        const rate = own ?? (cluster && !exempt ? numberNode(cluster.get(side.key)) : undefined);
        if (rate === undefined || isUnknown(rate)) continue;
        const allowed = rate.value * brokers.value;
        if (allowed >= side.need) continue;
        ctx.violation(
          `KafkaUser "${user.name}" (Mimir's ${username.where}) is limited by ${rate.where}=${rate.value} bytes/s per broker x ${brokers.value} broker(s) ` +
            `= ${mbps(allowed)} at most, below ${mbps(side.need)} for ${side.who}: Kafka throttles the user, so ${side.harm}. ` +
            `Fix: remove that ${side.key} or raise it to at least ${Math.ceil(side.need / brokers.value)}.`,
          user.resource.urn,
        );
      }
    }
  },
);

/** franz-go: a producing client holds its metadata (cxnNormal) and produce (cxnProduce) connections to a broker. */
const CONNECTIONS_PER_PRODUCER_CLIENT = 2;

/** max.connections.per.ip below the connections one Mimir distributor pod opens to a broker (see the header). */
function checkConnectionsPerIp(stack: StackView, ctx: RuleContext<ExternalKafkaRuleConfig>): void {
  const seen = new Set<string>();
  for (const path of landscape(stack, ctx).paths) {
    if (path.cluster?.kind !== "strimzi" || seen.has(path.cluster.urn)) continue;
    seen.add(path.cluster.urn);
    const kafka = stack.strimzi("Kafka").find((k) => k.resource.urn === path.cluster!.urn);
    const node = kafka?.spec.get("kafka", "config", "max.connections.per.ip");
    if (!node?.isPresent) continue; // Kafka default Integer.MAX_VALUE
    const limit = numberNode(node);
    const clients = path.mimir.number("ingest_storage.kafka.write_clients");
    if (limit === undefined) continue;
    if (isUnknown(limit)) return ctx.inconclusive(limit);
    if (isUnknown(clients)) return ctx.inconclusive(clients);
    const writeClients = clients.value;
    const need = CONNECTIONS_PER_PRODUCER_CLIENT * writeClients;
    // 0 is K13's finding (it needs max.connections.per.ip.overrides); an override for an address raises or lowers
    // that address only, and pod IPs are not stable enough to be listed.
    if (limit.value === 0 || limit.value >= need) continue;
    ctx.violation(
      `${limit.where}=${limit.value} is below the ${need} connections each Mimir distributor pod opens to every broker ` +
        `(${clients.where}=${writeClients} franz-go producer client(s) x ${CONNECTIONS_PER_PRODUCER_CLIENT}: one for metadata, ` +
        `one for Produce; ingesters likewise hold metadata and Fetch connections): the broker closes every connection from an ` +
        `address beyond the limit (TooManyConnectionsException), so produce requests fail, Mimir refuses pushes and the ` +
        `senders drop samples after their retries. Fix: remove max.connections.per.ip (Kafka's default is unlimited) or ` +
        `raise it well above ${need} (franz-go can open up to 5 connections per broker per client, plus the seed).`,
      path.cluster.urn,
    );
  }
}
