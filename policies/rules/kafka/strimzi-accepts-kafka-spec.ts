// K28 (HARD, Kafka never reconciles): the Kafka CR (with its KafkaNodePools) must pass the checks the Strimzi 1.2.0
// Cluster Operator makes while it builds the cluster's model. Each throws InvalidResourceException /
// InvalidConfigurationException (or IllegalArgumentException), which ends the reconciliation: the Kafka goes NotReady
// with that message, a new cluster never gets its brokers or controllers and a running one takes no later change, so
// its topics and users never become ready, the program's wait for the Kafka to be Ready times out and Mimir has no
// Kafka to write to. Inventory of the refusals reachable from the stack's values (strimzi-kafka-operator 1.2.0,
// cluster-operator/src/main/java/io/strimzi/operator/cluster/model/...):
// - Cruise Control (`spec.cruiseControl` present, even `{}`): KafkaCluster.fromCrd -> CruiseControlMetricsReporter.fromCrd
//   -> validateCruiseControl, with numberOfBrokers = the broker nodes of the Kafka's KafkaNodePools:
//   - fewer than two brokers: "Cruise Control cannot be deployed with a Kafka cluster which has only one broker. It
//     requires at least two Kafka brokers."
//   - the metrics topic's replication factor (spec.kafka.config cruise.control.metrics.topic.replication.factor, else
//     default.replication.factor, else 1) above the brokers: "Cruise Control metrics reporter replication factor (N)
//     cannot be higher than number of brokers (M)."
//   - its min ISR (cruise.control.metrics.topic.min.insync.replicas, default 1) above that replication factor
//     (IllegalArgumentException "The Cruise Control metric topic minISR was set to a value ...").
//   - a non-integer value of those options (intConfigOption: "should be an integer but was set to ...").
// - Reserved config providers: KafkaBrokerConfigurationBuilder.getConfigProviderAliases splits the user's
//   spec.kafka.config `config.providers` on "," and refuses strimzienv and strimzisecrets (every node) and strimzifile
//   and strimzidir (broker nodes): "config.provider <alias> not permitted as it reserved for Strimzi" (Strimzi
//   appends its own providers to the user's list, so user aliases of other names are fine).
// - default.replication.factor above the brokers: KafkaCluster.fromCrd validateIntConfigProperty ("Kafka configuration
//   option 'default.replication.factor' should be set to M or less because this cluster has only M Kafka broker(s).").
//   The same check on offsets.topic.replication.factor / transaction.state.log.* is K6's, not repeated here.
// - spec.kafka.quotas type strimzi with both minAvailableBytesPerVolume and minAvailableRatioPerVolume:
//   KafkaCluster.validateConfigurationOfQuotasPlugin ("... they are mutually exclusive."); the CRD only says so in
//   its description (040-Crd-kafka.yaml has no CEL rule for it).
// Left to other rules: listeners (K listeners-valid), broker options (broker-config-valid), the Kafka version, custom
// CA Secrets (K24), ConfigMaps the CR reads (K30).
import { StrimziCluster } from "../../lib/kafka/clusters";
import { PropNode, Sourced } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { landscape } from "./common";

/** KafkaBrokerConfigurationBuilder.getConfigProviderAliases: the aliases Strimzi reserves (file/dir on brokers). */
export const STRIMZI_CONFIG_PROVIDERS = ["strimzienv", "strimzisecrets", "strimzifile", "strimzidir"];

const STOPS =
  "the Kafka goes NotReady and no reconciliation of it completes: a new cluster never gets its brokers and controllers, a running one " +
  "takes no later change, its topics and users never become ready and Mimir has no Kafka to write to";

type Int = { value: number; where: string } | { error: string } | undefined;

/** An integer option of spec.kafka.config as Strimzi's Integer.parseInt reads it. */
function intOption(config: PropNode, key: string): Int | "unknown" {
  const node = config.get(key);
  if (node.isUnknown) return "unknown";
  const raw = node.raw();
  if (raw === undefined || raw === null) return undefined;
  const text = String(raw);
  if (!/^[+-]?\d+$/.test(text)) return { error: `${node.where}=${JSON.stringify(raw)}` };
  return { value: Number(text), where: node.where };
}

function checkCruiseControl(
  ctx: RuleContext<object>,
  cluster: StrimziCluster,
  brokers: Sourced<number>,
  report: (m: string) => void,
): void {
  const kafka = cluster.kafka;
  const cc = kafka.spec.get("cruiseControl");
  if (cc.isUnknown) return ctx.inconclusive(cc.unknown());
  if (!cc.isPresent) return;
  const id = `Kafka ${kafka.namespace ?? "default"}/${kafka.name}`;
  if (brokers.value < 2) {
    report(
      `${cc.where} turns Cruise Control on, but the cluster has ${brokers.value} broker(s) (${brokers.where}): Strimzi refuses the ` +
        `resource ("${id} has invalid configuration. Cruise Control cannot be deployed with a Kafka cluster which has only one broker. ` +
        `It requires at least two Kafka brokers.", CruiseControlMetricsReporter.validateCruiseControl), so ${STOPS}. ` +
        `Fix: remove spec.cruiseControl, or run at least two brokers (KafkaNodePool replicas with role broker).`,
    );
    return;
  }
  const config = kafka.spec.get("kafka", "config");
  const rfOpt = intOption(config, "cruise.control.metrics.topic.replication.factor");
  const drf = intOption(config, "default.replication.factor");
  const isrOpt = intOption(config, "cruise.control.metrics.topic.min.insync.replicas");
  if (rfOpt === "unknown" || drf === "unknown" || isrOpt === "unknown") return ctx.inconclusive(config.unknown());
  for (const opt of [rfOpt, isrOpt]) {
    if (opt && "error" in opt)
      report(
        `${opt.error} is not an integer while ${cc.where} turns Cruise Control on: Strimzi refuses the resource ("Cruise Control ` +
          `configuration option ... should be an integer", CruiseControlMetricsReporter.intConfigOption), so ${STOPS}. Fix: write a whole number.`,
      );
  }
  if ((rfOpt && "error" in rfOpt) || (isrOpt && "error" in isrOpt) || (drf && "error" in drf)) return;
  const rf = rfOpt ?? drf ?? { value: 1, where: "Kafka's default.replication.factor default 1" };
  // default.replication.factor above the brokers is refused first (validateIntConfigProperty), reported by the caller.
  if (rf.value > brokers.value) {
    if (rf !== rfOpt) return;
    report(
      `${rf.where}=${rf.value} makes the Cruise Control metrics topic's replication factor ${rf.value}, above the ${brokers.value} brokers of ` +
        `${kafka.label} (${brokers.where}), while ${cc.where} turns Cruise Control on: Strimzi refuses the resource ("${id} has invalid ` +
        `configuration. Cruise Control metrics reporter replication factor (${rf.value}) cannot be higher than number of brokers ` +
        `(${brokers.value}).", validateCruiseControl), so ${STOPS}. Fix: set spec.kafka.config cruise.control.metrics.topic.replication.factor ` +
        `to at most ${brokers.value}, or add brokers.`,
    );
    return;
  }
  const isr = isrOpt ?? { value: 1, where: "cruise.control.metrics.topic.min.insync.replicas default 1" };
  if (isr.value > rf.value)
    report(
      `${isr.where}=${isr.value} is above the Cruise Control metrics topic's replication factor ${rf.value} (${rf.where}): Strimzi refuses ` +
        `the resource ("The Cruise Control metric topic minISR was set to a value (${isr.value}) which is higher than the number of replicas ` +
        `for that topic (${rf.value}).", validateCruiseControl), so ${STOPS}. Fix: keep the min ISR at or below the replication factor.`,
    );
}

export const strimziAcceptsKafkaSpec = stackRule<object>(
  {
    name: "strimzi-accepts-kafka-spec",
    rule: "K28",
    description:
      "The Kafka CR passes the checks Strimzi 1.2.0 makes while building the cluster: Cruise Control only with two or more brokers and a metrics topic replication factor within the brokers (min ISR within it), no reserved config provider alias (strimzienv, strimzisecrets, strimzifile, strimzidir) in config.providers, default.replication.factor within the brokers, and not both minAvailable quota limits",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Turn Cruise Control on only with at least two brokers (and its metrics topic replication factor within them); leave Strimzi's config providers out of config.providers (they are always configured: use ${strimzienv:VAR} directly); keep default.replication.factor at or below the brokers; set only one of minAvailableBytesPerVolume and minAvailableRatioPerVolume.",
    url: "https://github.com/strimzi/strimzi-kafka-operator/blob/1.2.0/cluster-operator/src/main/java/io/strimzi/operator/cluster/model/KafkaCluster.java (fromCrd)",
    tags: ["kafka", "strimzi"],
  },
  (stack, ctx) => {
    for (const cluster of landscape(stack, ctx).clusters) {
      if (!(cluster instanceof StrimziCluster)) continue;
      const kafka = cluster.kafka;
      const report = (message: string) => ctx.violation(message, kafka.resource.urn);

      // Reserved config providers.
      const providers = kafka.spec.get("kafka", "config", "config.providers");
      if (providers.isUnknown) ctx.inconclusive(providers.unknown());
      else if (providers.isPresent) {
        const reserved = String(providers.raw())
          .split(",")
          .filter((alias) => STRIMZI_CONFIG_PROVIDERS.includes(alias));
        if (reserved.length > 0)
          report(
            `${providers.where}=${JSON.stringify(providers.raw())} names ${reserved.join(", ")}, which Strimzi reserves for itself: it ` +
              `refuses the configuration of every node ("config.provider ${reserved[0]} not permitted as it reserved for Strimzi. Not ` +
              `permitted aliases: [${STRIMZI_CONFIG_PROVIDERS.join(", ")}]", KafkaBrokerConfigurationBuilder.getConfigProviderAliases), so ${STOPS}. ` +
              `Fix: remove ${reserved.join(", ")} from config.providers (and its config.providers.${reserved[0]}.* keys): Strimzi always ` +
              `configures it, so \${${reserved[0]}:...} references work without it.`,
          );
      }

      // Quotas plugin limits.
      const quotas = kafka.spec.get("kafka", "quotas");
      const bytes = quotas.get("minAvailableBytesPerVolume");
      const ratio = quotas.get("minAvailableRatioPerVolume");
      if (
        quotas.get("type").raw() === "strimzi" &&
        bytes.isPresent &&
        ratio.isPresent &&
        !bytes.isUnknown &&
        !ratio.isUnknown
      )
        report(
          `${bytes.where} and ${ratio.where} are both set: Strimzi refuses the resource ("You cannot configure both ` +
            '`minAvailableBytesPerVolume` and `minAvailableRatioPerVolume`, they are mutually exclusive.", ' +
            `KafkaCluster.validateConfigurationOfQuotasPlugin), so ${STOPS}. Fix: keep one of them.`,
        );

      const brokers = cluster.brokers();
      if (isUnknown(brokers)) {
        ctx.inconclusive(brokers);
        continue;
      }
      // No broker pool at all is refused earlier (NodePoolUtils) and is not this rule's finding.
      if (brokers.value === 0) continue;
      // default.replication.factor within the brokers.
      const drf = intOption(kafka.spec.get("kafka", "config"), "default.replication.factor");
      if (drf && drf !== "unknown" && "value" in drf && drf.value > brokers.value)
        report(
          `${drf.where}=${drf.value} is above the ${brokers.value} broker(s) of ${kafka.label} (${brokers.where}): Strimzi refuses the ` +
            `resource ("Kafka configuration option 'default.replication.factor' should be set to ${brokers.value}${brokers.value > 1 ? " or less" : ""} ` +
            `because this cluster has only ${brokers.value} Kafka broker(s).", KafkaCluster.validateIntConfigProperty), so ${STOPS}. ` +
            `Fix: lower it to at most ${brokers.value}, or add brokers.`,
        );
      checkCruiseControl(ctx, cluster, brokers, report);
    }
  },
);
