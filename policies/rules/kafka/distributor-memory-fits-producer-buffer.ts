// K11 (HARD, the seed incident): the distributor's memory limit must hold Mimir's Kafka producer buffer plus its working set.
// The ruler runs a distributor in process (Mimir pkg/mimir/modules.go: `Ruler: {DistributorService, ...}`) and pushes
// rule results through it, with the same Kafka writer and producer buffer, so its memory limit must hold the same.
import { formatBytes, parseQuantityBytes } from "../../lib/bytes";
import { mimirReleases } from "../../lib/mimir";
import { PolicyInputError, show } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

interface Config {
  distributorWorkingSet: string;
}

/** Mimir components that write through an in-process distributor, with how messages name them. */
const COMPONENTS = [
  { key: "distributor", who: "the distributor" },
  { key: "ruler", who: "the ruler's in-process distributor" },
] as const;

export const mimirDistributorMemoryFitsProducerBuffer = stackRule<Config>(
  {
    name: "mimir-distributor-memory-fits-producer-buffer",
    rule: "K11",
    description:
      "The Mimir distributor (and ruler, which runs one in process) memory limit must exceed producer_max_buffered_bytes x write_clients plus the distributor's working set",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Either lower mimir.structuredConfig.ingest_storage.kafka.producer_max_buffered_bytes (default 1 GiB) or raise distributor.resources.limits.memory (and ruler.resources.limits.memory) " +
      "to at least the buffer plus the working set (policy config distributorWorkingSet, default 512Mi).",
    url: "https://grafana.com/docs/mimir/latest/references/configuration-parameters/#kafka (producer_max_buffered_bytes; conflict-rules.md K11)",
    tags: ["mimir", "kafka", "capacity"],
    judgedPerResource: true,
    configSchema: {
      properties: {
        distributorWorkingSet: {
          type: "string",
          default: "512Mi",
          description:
            "Memory the distributor needs besides the producer buffer, as a Kubernetes quantity (default: the chart's 512Mi distributor request).",
        },
      },
    },
  },
  (stack, ctx) => {
    const workingSet = parseQuantityBytes(ctx.config.distributorWorkingSet);
    if (workingSet === undefined) {
      throw new PolicyInputError(
        `policy config distributorWorkingSet=${JSON.stringify(ctx.config.distributorWorkingSet)} is not a Kubernetes quantity such as 512Mi or 1G.`,
      );
    }
    for (const mimir of mimirReleases(stack)) {
      for (const component of COMPONENTS) {
        // The ruler renders unless ruler.enabled is false (mimir-distributed values, default true).
        if (component.key === "ruler") {
          const enabled = mimir.release.values.at("ruler.enabled").boolean();
          if (isUnknown(enabled)) {
            ctx.inconclusive(enabled);
            continue;
          }
          if (enabled === false) continue;
        }
        const limitNode = mimir.release.values.at(`${component.key}.resources.limits.memory`);
        const limitText = limitNode.string();
        if (limitText === undefined) continue; // no limit: nothing to be OOM-killed against
        ctx.known(
          [
            mimir.boolean("ingest_storage.enabled"),
            limitText,
            mimir.number("ingest_storage.kafka.producer_max_buffered_bytes"),
            mimir.number("ingest_storage.kafka.write_clients"),
          ],
          (ingest, limitValue, buffered, clients) => {
            if (!ingest.value) return;
            const limit = parseQuantityBytes(limitValue);
            if (limit === undefined)
              throw new PolicyInputError(
                `${limitNode.where}=${JSON.stringify(limitValue)} is not a Kubernetes quantity (e.g. 2Gi).`,
                mimir.urn,
              );
            const who = component.who;
            // 0 disables the limit (Mimir configuration reference: "0 to disable the limit"); the buffer then grows
            // with every record Kafka has not acknowledged, without bound.
            if (buffered.value === 0) {
              ctx.violation(
                `${show(buffered)} means no limit: under Kafka back-pressure ${who} buffers without bound until it passes ` +
                  `${limitNode.where}=${limitValue} and is OOM-killed, failing every write it holds. Fix: set producer_max_buffered_bytes to at most ` +
                  `${formatBytes(Math.max(Math.floor((limit - workingSet) / clients.value), 0))} (the limit less the working set).`,
                mimir.urn,
              );
              return;
            }
            const buffers = buffered.value * clients.value;
            const needed = buffers + workingSet;
            if (limit >= needed) return;
            ctx.violation(
              `${limitNode.where}=${limitValue} (${formatBytes(limit)}) < ${show(buffered)} x ${show(clients)} + working set ` +
                `${ctx.config.distributorWorkingSet} (policy config distributorWorkingSet; the default is INFERRED from the chart's distributor request) = ` +
                `${formatBytes(needed)}: under Kafka back-pressure the producer buffer fills and ${who} is OOM-killed, failing every write it holds. ` +
                `Fix: lower producer_max_buffered_bytes to at most ${formatBytes(Math.max(Math.floor((limit - workingSet) / clients.value), 0))}, ` +
                `or raise ${component.key}.resources.limits.memory to at least ${formatBytes(needed)}.`,
              mimir.urn,
            );
          },
        );
      }
    }
  },
);
