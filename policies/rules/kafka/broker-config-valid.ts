// K13 (HARD at start-up or admission): Kafka's own cross-field checks on broker settings a Strimzi user can set
// (core KafkaConfig.validateValues: the broker exits with "requirement failed: ..."), and Kafka 4's 1 MiB floor on
// log.segment.bytes (KIP-1030; Strimzi's config model refuses the Kafka resource first, naming the key).
import { kafkaLandscape } from "../../lib/kafka";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";

/** Kafka 4.0+ minimum segment size (KIP-1030: "Value must be at least 1048576"). */
const MIN_SEGMENT_BYTES = 1_048_576;

export const kafkaBrokerConfigValid = stackRule<object>(
  {
    name: "kafka-broker-config-valid",
    rule: "K13",
    description:
      "Kafka broker settings must pass Kafka's own start-up checks: replica fetch wait within the socket and lag timeouts, queued request bytes above the socket request size, segments of at least 1 MiB",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep replica.fetch.wait.max.ms <= replica.socket.timeout.ms and replica.lag.time.max.ms, queued.max.request.bytes -1 or >= socket.request.max.bytes, and log.segment.bytes >= 1048576.",
    url: "https://github.com/apache/kafka/blob/trunk/core/src/main/scala/kafka/server/KafkaConfig.scala (validateValues); KIP-1030",
    tags: ["kafka"],
  },
  (stack, ctx) => {
    for (const cluster of kafkaLandscape(stack).clusters.filter((c) => c.kind === "strimzi")) {
      const at = (name: string) => cluster.brokerSetting(name);
      const [w, st, l, q, sr, sg] = [
        "replica.fetch.wait.max.ms",
        "replica.socket.timeout.ms",
        "replica.lag.time.max.ms",
        "queued.max.request.bytes",
        "socket.request.max.bytes",
        "log.segment.bytes",
      ].map(at);
      if (!w || !st || !l || !q || !sr || !sg) continue;
      ctx.known([w, st, l, q, sr, sg], (wait, socketTimeout, lag, queued, socketRequest, segment) => {
        const fail = (text: string, fix: string) =>
          ctx.violation(
            `${text}: the brokers of ${cluster.label} refuse to start ("requirement failed"). Fix: ${fix}.`,
            cluster.urn,
          );
        if (wait.value > socketTimeout.value) {
          fail(
            `${show(wait)} > ${show(socketTimeout)} ("replica.socket.timeout.ms should always be at least replica.fetch.wait.max.ms")`,
            "lower replica.fetch.wait.max.ms or raise replica.socket.timeout.ms",
          );
        }
        if (wait.value > lag.value) {
          fail(
            `${show(wait)} > ${show(lag)} ("replica.fetch.wait.max.ms should always be less than or equal to replica.lag.time.max.ms")`,
            "lower replica.fetch.wait.max.ms",
          );
        }
        if (queued.value > 0 && queued.value < socketRequest.value) {
          fail(
            `${show(queued)} < ${show(socketRequest)} ("queued.max.request.bytes must be larger or equal to socket.request.max.bytes")`,
            "raise queued.max.request.bytes or set it to -1",
          );
        }
        if (segment.value < MIN_SEGMENT_BYTES) {
          ctx.violation(
            `${show(segment)} < 1048576: Kafka 4 requires segments of at least 1 MiB (KIP-1030) and Strimzi refuses the Kafka resource, so no broker is reconciled. Fix: set log.segment.bytes to at least 1048576.`,
            cluster.urn,
          );
        }
      });
    }
  },
);
