// K6 (HARD): Kafka's internal topics (__consumer_offsets, __transaction_state) need enough brokers to exist.
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { KafkaCluster } from "../../lib/kafka";
import { show } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { brokerFix, landscape, reportUnverifiable, undeclared } from "./common";

const OFFSETS_CONSEQUENCE =
  "the __consumer_offsets topic is never created, group coordinator requests fail with COORDINATOR_NOT_AVAILABLE and Mimir ingesters " +
  "fail to start (failed to fetch last committed offset)";
const TRANSACTIONS_CONSEQUENCE =
  "the __transaction_state topic is never created and transactional or idempotent producers cannot initialise";

function checkCluster(ctx: RuleContext<ExternalKafkaRuleConfig>, cluster: KafkaCluster): void {
  const brokers = cluster.brokers();
  const offsets = cluster.brokerSetting("offsets.topic.replication.factor");
  const transactions = cluster.brokerSetting("transaction.state.log.replication.factor");
  const transactionsMinIsr = cluster.brokerSetting("transaction.state.log.min.isr");
  if (
    brokers === undefined ||
    offsets === undefined ||
    transactions === undefined ||
    transactionsMinIsr === undefined
  ) {
    const missing = undeclared([
      [brokers, "brokers"],
      [offsets, "brokerConfig offsets.topic.replication.factor"],
      [transactions, "brokerConfig transaction.state.log.replication.factor"],
      [transactionsMinIsr, "brokerConfig transaction.state.log.min.isr"],
    ]);
    reportUnverifiable(ctx, cluster, cluster.urn, missing, "K6 (internal topics replication)");
    return;
  }
  ctx.known([brokers, offsets, transactions, transactionsMinIsr], (brokerCount, offsetsRf, transactionsRf, minIsr) => {
    const fix = (property: string, target: string) =>
      `Fix: ${brokerFix(cluster, property, target)} (a single-broker Kafka needs offsets and transaction RF and min ISR all at 1).`;
    if (offsetsRf.value > brokerCount.value) {
      ctx.violation(
        `${show(offsetsRf)} > ${brokerCount.value} brokers (${show(brokerCount)}): ${OFFSETS_CONSEQUENCE}. ${fix("offsets.topic.replication.factor", `at most ${brokerCount.value}`)}`,
        cluster.urn,
      );
    }
    if (transactionsRf.value > brokerCount.value) {
      ctx.violation(
        `${show(transactionsRf)} > ${brokerCount.value} brokers (${show(brokerCount)}): ${TRANSACTIONS_CONSEQUENCE}. ${fix("transaction.state.log.replication.factor", `at most ${brokerCount.value}`)}`,
        cluster.urn,
      );
    }
    if (minIsr.value > Math.min(transactionsRf.value, brokerCount.value)) {
      ctx.violation(
        `${show(minIsr)} > ${show(transactionsRf)} (or ${brokerCount.value} brokers): writes to __transaction_state can never reach the minimum in-sync replicas and ${TRANSACTIONS_CONSEQUENCE.replace("the __transaction_state topic is never created and ", "")}. ` +
          fix("transaction.state.log.min.isr", `at most ${Math.min(transactionsRf.value, brokerCount.value)}`),
        cluster.urn,
      );
    }
  });
}

export const kafkaInternalTopicsReplicationWithinBrokers = stackRule<ExternalKafkaRuleConfig>(
  {
    name: "kafka-internal-topics-replication-within-brokers",
    rule: "K6",
    description:
      "Kafka offsets.topic.replication.factor and transaction.state.log.replication.factor must not exceed the brokers, and transaction.state.log.min.isr not the transaction RF",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Set offsets.topic.replication.factor and transaction.state.log.replication.factor to at most the number of brokers (defaults are 3) and transaction.state.log.min.isr to at most that RF, or add brokers.",
    url: "https://kafka.apache.org/documentation/#brokerconfigs_offsets.topic.replication.factor (conflict-rules.md K6)",
    tags: ["kafka", "mimir"],
    configSchema: { properties: { externalKafka: externalKafkaSchema } },
  },
  (stack, ctx) => {
    landscape(stack, ctx).clusters.forEach((cluster) => checkCluster(ctx, cluster));
  },
);
