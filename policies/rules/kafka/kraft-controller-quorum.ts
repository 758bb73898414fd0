// K10 (SOFT): a KRaft quorum needs a majority alive; an odd count of 3 or 5 tolerates 1 or 2 failures.
import {
  enforcedEnvironmentsSchema,
  Environment,
  environmentOverrideSchema,
  externalKafkaSchema,
  ExternalKafkaRuleConfig,
} from "../../lib/config";
import { describeEnvironment, ruleApplies, stackEnvironment } from "../../lib/environment";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { landscape } from "./common";

interface Config extends ExternalKafkaRuleConfig {
  environment?: Environment;
  highAvailabilityEnvironments: Environment[];
}

export const kafkaKraftControllerQuorum = stackRule<Config>(
  {
    name: "kafka-kraft-controller-quorum",
    rule: "K10",
    description: "KRaft controllers should be an odd number, 3 or 5 where high availability is required",
    enforcementLevel: "advisory",
    severity: "medium",
    remediationSteps:
      "Run 3 (or 5) controllers (KafkaNodePool with role controller) so the metadata quorum survives the loss of 1 (or 2).",
    url: "https://kafka.apache.org/documentation/#kraft_voter (conflict-rules.md K10)",
    tags: ["kafka"],
    configSchema: {
      properties: {
        environment: environmentOverrideSchema,
        highAvailabilityEnvironments: enforcedEnvironmentsSchema(["staging", "prod"]),
        externalKafka: externalKafkaSchema,
      },
    },
  },
  (stack, ctx) => {
    const env = stackEnvironment(stack, ctx.config.environment);
    const needsHa = ruleApplies(env, ctx.config.highAvailabilityEnvironments);
    for (const cluster of landscape(stack, ctx).clusters) {
      const controllers = cluster.controllers();
      if (controllers === undefined) continue; // external and not declared: nothing to advise on
      ctx.known([controllers], (count) => {
        if (count.value > 0 && count.value % 2 === 0) {
          ctx.violation(
            `${show(count)} KRaft controllers on ${cluster.label}: an even quorum tolerates no more failures than one controller fewer ` +
              `(a majority of ${count.value / 2 + 1} must be alive). Fix: run ${count.value - 1} or ${count.value + 1} controllers.`,
            cluster.urn,
          );
        } else if (needsHa && count.value !== 3 && count.value !== 5) {
          ctx.violation(
            `${show(count)} KRaft controllers on ${cluster.label} in ${describeEnvironment(env)}: ` +
              `${count.value < 3 ? "losing one controller stops all metadata changes (topic creation, leader elections)" : "more than 5 voters slows every metadata commit"}. ` +
              `Fix: run 3 or 5 controllers${cluster.kind === "builtin" ? " (the chart's built-in Kafka is a single-node demo; use a Strimzi Kafka)" : ""}.`,
            cluster.urn,
          );
        }
      });
    }
  },
);
