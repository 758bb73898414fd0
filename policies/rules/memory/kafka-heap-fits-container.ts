// B3 (HARD): a Kafka node's maximum heap (-Xmx) must be smaller than its container's memory limit.
//
// Strimzi runs each KafkaNodePool's nodes with the pool's `spec.jvmOptions` when it sets one, else the Kafka CR's
// `spec.kafka.jvmOptions`, and likewise `spec.resources` over `spec.kafka.resources` (the whole object, not merged:
// cluster-operator KafkaPool.fromCrd, `pool.getSpec().getJvmOptions() != null ? ... : kafka.getSpec().getKafka()
// .getJvmOptions()`; Strimzi 1.x's kafka.strimzi.io/v1 Kafka has no spec.kafka.resources any more, v1beta2 has).
// Strimzi docs (Configuring Strimzi, "jvmOptions"): the heap "should make the most effective use of a container's
// memory limit (and request) without exceeding it. Heap size and any other memory requirements need to fit within a
// specified memory limit"; -Xmx/-Xms take the java binary's units, "1g or 1G means 1,073,741,824 bytes, and Gi is not
// a valid unit suffix" (the CRD pattern is ^[0-9]+[mMgG]?$; no suffix means bytes). A heap at or above the limit leaves
// nothing for metaspace, thread stacks, direct buffers and the page cache Kafka reads through: the JVM grows its heap
// past the cgroup limit and the kernel OOM-kills the broker or controller.
import { formatBytes } from "../../lib/bytes";
import { PolicyInputError, PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { CustomResource, STRIMZI_CLUSTER_LABEL } from "../../lib/stack";
import { known } from "../../lib/unknown";
import { eachChecked, memoryLimit, showLimit } from "./limits";

/** Bytes of a JVM memory size ("6g", "6144m", "512k", "1073741824"); undefined when malformed. */
export function parseJavaBytes(text: string): number | undefined {
  const match = /^(\d+)([kKmMgGtT]?)$/.exec(text.trim());
  if (!match) return undefined;
  const power = match[2] === "" ? 0 : "kmgt".indexOf(match[2].toLowerCase()) + 1;
  return Number(match[1]) * 1024 ** power;
}

function belongsTo(pool: CustomResource, kafka: CustomResource): boolean {
  return (
    pool.labels[STRIMZI_CLUSTER_LABEL] === kafka.name &&
    (pool.namespace === undefined || kafka.namespace === undefined || pool.namespace === kafka.namespace)
  );
}

/** The pool's own section when it sets one (KafkaPool.fromCrd: present wins as a whole), else the Kafka CR's. */
function effective(pool: CustomResource, kafka: CustomResource | undefined, key: string): PropNode | undefined {
  const own = pool.spec.get(key);
  known(own.raw());
  if (own.isPresent) return own;
  if (!kafka) return undefined;
  const shared = kafka.spec.get("kafka", key);
  known(shared.raw());
  return shared.isPresent ? shared : undefined;
}

export const kafkaHeapFitsContainer = stackRule<object>(
  {
    name: "kafka-heap-fits-container",
    rule: "B3",
    description:
      "Each Strimzi Kafka node pool's -Xmx (pool jvmOptions, else the Kafka CR's) is below the pool's memory limit (pool resources, else the Kafka CR's)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Lower -Xmx in the KafkaNodePool's spec.jvmOptions (or the Kafka CR's spec.kafka.jvmOptions) well below the pool's " +
      "spec.resources.limits.memory, or raise the limit; leave room for metaspace, thread stacks, direct buffers and the page cache.",
    url: "https://strimzi.io/docs/operators/latest/configuring.html#con-common-configuration-jvm-reference",
    tags: ["kafka", "strimzi", "memory"],
  },
  (stack, ctx) => {
    const clusters = stack.strimzi("Kafka");
    for (const pool of stack.strimzi("KafkaNodePool")) {
      eachChecked(ctx, () => {
        const kafka = clusters.find((k) => belongsTo(pool, k));
        const jvm = effective(pool, kafka, "jvmOptions");
        const resources = effective(pool, kafka, "resources");
        if (!jvm || !resources) return;
        const limit = memoryLimit(resources);
        const xmxNode = jvm.get("-Xmx");
        const xmx = known(xmxNode.string());
        if (limit === undefined || xmx === undefined) return;
        const heap = parseJavaBytes(xmx);
        if (heap === undefined)
          throw new PolicyInputError(
            `${xmxNode.where}=${JSON.stringify(xmx)} is not a JVM size such as 2g or 2048m (Strimzi: digits with m, M, g or G, or bytes; Gi is not a JVM unit).`,
            pool.resource.urn,
          );
        if (heap < limit.bytes) return;
        const inherited =
          jvm.owner.urn === pool.resource.urn ? "" : ` (inherited: ${pool.label} sets no spec.jvmOptions)`;
        ctx.violation(
          `${xmxNode.where}=${xmx} (${formatBytes(heap)})${inherited} >= ${showLimit(limit)} of ${pool.label}: the JVM may grow its heap to the whole ` +
            `container limit before any off-heap memory (metaspace, thread stacks, direct buffers, page cache) is counted, so the Kafka nodes of this pool ` +
            `are OOM-killed under load and their partitions go under-replicated or offline. Fix: lower -Xmx (and -Xms) well below the limit ` +
            `(Strimzi's own default heap is a share of the limit), or raise ${resources.pathText}.limits.memory above ${formatBytes(heap)} plus the off-heap memory.`,
          pool.resource.urn,
        );
      });
    }
  },
);
