// L12 (HARD, silent log loss): a full Alloy batch must fit the size of request Loki's distributor accepts.
// - Alloy's loki.write sends up to `batch_size` bytes of log lines per push (Alloy reference, loki.write endpoint,
//   default 1MiB); the decompressed protobuf body is at least that large (labels and timestamps come on top).
// - Loki's distributor refuses a body that decompresses to more than `distributor.max_decompressed_size` (default
//   5000 MiB) or arrives larger than `distributor.max_recv_msg_size` (default 100 MiB) with 413 Request Entity Too
//   Large (grafana/loki v3.7.6 pkg/distributor/distributor.go RegisterFlags and Validate, http.go pushHandler:
//   push.ParseRequest(..., MaxRecvMsgSize, MaxDecompressedSize, ...) -> http.StatusRequestEntityTooLarge).
// - Alloy retries only 429 and 5xx; a 413 batch is dropped (Alloy loki.write: "Other 4xx responses ... are dropped").
//   So every full batch, e.g. every catch-up after a restart or an outage, is lost while smaller ones pass.
import { formatBytes, parseBase2Bytes } from "../../lib/bytes";
import { show } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { alloyLokiWrites } from "./alloy-batch-within-loki-burst";

export const alloyBatchWithinRequestLimits = stackRule<object>(
  {
    name: "alloy-batch-within-loki-request-limits",
    rule: "L12",
    description:
      "Alloy loki.write batch_size must stay below Loki's distributor.max_decompressed_size and max_recv_msg_size, or full batches are refused with 413 and dropped",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep loki.distributor.max_decompressed_size and max_recv_msg_size at their defaults (5000 MiB, 100 MiB) or above the Alloy batch_size (default 1MiB), or lower batch_size.",
    url: "https://grafana.com/docs/loki/latest/configure/#distributor (max_recv_msg_size, max_decompressed_size)",
    tags: ["loki", "alloy"],
  },
  (stack, ctx) => {
    for (const { alloy, contentNode, endpoint, loki, batchText } of alloyLokiWrites(stack, ctx)) {
      const batch = parseBase2Bytes(batchText);
      if (batch === undefined) continue; // L2 reports an unparseable size
      ctx.known(
        [loki.number("distributor.max_decompressed_size"), loki.number("distributor.max_recv_msg_size")],
        (decompressed, received) => {
          const limits = [decompressed, received].filter((l) => l.value > 0 && batch >= l.value);
          if (limits.length === 0) return;
          ctx.violation(
            `${contentNode.where} ${endpoint.component} endpoint batch_size=${batchText} (${formatBytes(batch)}) >= ${limits.map((l) => show(l)).join(" and ")} of ${loki.label}: ` +
              `a full batch of log lines is a request the distributor refuses with 413 Request Entity Too Large, which Alloy does not retry: ` +
              `every full batch (each catch-up after a restart or an outage) is dropped. Fix: raise the limit above the batch or lower batch_size.`,
            alloy.resource.urn,
          );
        },
      );
    }
  },
);
