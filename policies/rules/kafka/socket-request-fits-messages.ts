// K3 (HARD): the broker's socket.request.max.bytes must admit a produce request carrying the largest message.
import { externalKafkaSchema, ExternalKafkaRuleConfig } from "../../lib/config";
import { effectiveTopicSetting } from "../../lib/kafka";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { brokerFix, landscape, reportUnverifiable, topicUrn, undeclared, writersText } from "./common";

export const kafkaSocketRequestFitsMessages = stackRule<ExternalKafkaRuleConfig>(
  {
    name: "kafka-socket-request-fits-messages",
    rule: "K3",
    description: "Kafka socket.request.max.bytes must be at least the effective max message size",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise socket.request.max.bytes on the brokers (default 100 MiB) above the effective max message size, or lower max.message.bytes.",
    url: "https://kafka.apache.org/documentation/#brokerconfigs_socket.request.max.bytes (conflict-rules.md K3)",
    tags: ["kafka"],
    configSchema: { properties: { externalKafka: externalKafkaSchema } },
  },
  (stack, ctx) => {
    for (const topic of landscape(stack, ctx).topics) {
      const socket = topic.cluster.brokerSetting("socket.request.max.bytes");
      const maxMessage = effectiveTopicSetting(topic, "max.message.bytes");
      if (socket === undefined || maxMessage === undefined) {
        const missing = undeclared([
          [socket, "brokerConfig socket.request.max.bytes"],
          [maxMessage, "max.message.bytes (or brokerConfig message.max.bytes)"],
        ]);
        reportUnverifiable(ctx, topic.cluster, topicUrn(topic), missing, "K3 (socket request size)");
        continue;
      }
      ctx.known([socket, maxMessage], (sock, max) => {
        if (sock.value >= max.value) return;
        ctx.violation(
          `${show(sock)} < max message size of ${topic.label} ${show(max)}${writersText(topic)}: a request over the socket limit makes ` +
            `the broker close the connection without an answer (franz-go then suggests SASL is missing, a red herring) and the write fails. ` +
            `Fix: ${brokerFix(topic.cluster, "socket.request.max.bytes", `at least ${max.value}`)}.`,
          topic.cluster.urn,
        );
      });
    }
  },
);
