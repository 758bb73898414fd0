// Q13 (HARD at query time): Mimir's query results travel between components as single gRPC messages; a receiving
// limit below what the other side sends refuses every larger result with ResourceExhausted.
// - Querier -> query-frontend: the querier returns each (split, sharded) query's result to the query-frontend that
//   asked for it with one unary FrontendForQuerier.QueryResult call (grafana/mimir pkg/querier/worker/
//   scheduler_processor.go runQueryRequest -> reply; a result of maxMessageSize or more, the frontend-client send
//   limit, is answered 413 "response larger than the max message size" instead). The query-frontend receives it on its
//   gRPC server, whose limit is server.grpc_server_max_recv_msg_size (dskit server.Config; Mimir raises its default to
//   100 MiB: pkg/mimir/mimir.go registerServerFlagsWithChangedDefaultValues, config descriptor 104857600).
//   mimir-distributed sets the querier's frontend_worker.grpc_client_config.max_send_msg_size to 419430400 ("400MiB",
//   values.yaml mimir.config; rendered config in data/mimir-distributed-6.0.0-dev.rendered-mimir-config.yaml).
// - Query-frontend -> ruler (remote rule evaluation, ruler.query_frontend.address set): the ruler's gRPC client
//   receives each rule's query result through httpgrpc (pkg/ruler/remotequerier.go), limited by
//   ruler.query_frontend.grpc_client_config.max_recv_msg_size (default 100 MiB), sent under the query-frontend's
//   server.grpc_server_max_send_msg_size (default 100 MiB).
// The floor is INFERRED: the smaller of the sending side's limit and Mimir's own 100 MiB default. Upstream's stock
// pairing (400 MiB sent, 100 MiB received) already refuses results between the two, so only a receiving limit below
// what stock Mimir receives is judged. Store-gateway -> querier and ingester -> querier results are streamed in
// batches of series (StoreGateway.Series, Ingester.QueryStream), far below these limits, and are not judged.
import { formatBytes } from "../../lib/bytes";
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import MIMIR_FLAGS from "../../lib/mimir-flags.json";
import { RuleContext, stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { wholeNumber } from "./common";

/** Mimir's default for every gRPC message limit involved (config descriptor: 104857600). */
export const MIMIR_GRPC_MSG_DEFAULT = 104_857_600;
/** mimir-distributed values.yaml mimir.config frontend_worker.grpc_client_config.max_send_msg_size (# 400MiB). */
const CHART_FRONTEND_WORKER_SEND = 419_430_400;

const FLAG_OF_KEY = new Map(Object.entries(MIMIR_FLAGS as Record<string, string>).map(([flag, key]) => [key, flag]));

interface Limit {
  value: number;
  where: string;
}

/**
 * The limit one component runs with: its `<section>.extraArgs` flag, else `global.extraArgs`, else
 * mimir.structuredConfig, else the chart's config or Mimir's default. The chart passes a section's extraArgs to that
 * component only (templates/<component>/*.yaml `range .Values.<section>.extraArgs`), so a server.* flag set for the
 * ingesters does not change the query-frontend's.
 */
function limitOf(
  ctx: RuleContext<object>,
  mimir: MimirRelease,
  section: string,
  path: string,
  fallback: Limit,
): Limit | undefined {
  const flag = FLAG_OF_KEY.get(path);
  const candidates = [
    ...(flag
      ? [section, "global"]
          .map((s) => mimir.values.at(`${s}.extraArgs`))
          .flatMap((a) => [a.get(flag), a.get(`-${flag}`)])
      : []),
    mimir.structuredNode(path),
  ];
  for (const node of candidates) {
    if (node.isUnknown) {
      ctx.inconclusive(node.unknown());
      return undefined;
    }
    if (!node.isPresent) continue;
    const value = wholeNumber(node.raw());
    return value === undefined ? undefined : { value, where: node.where };
  }
  return fallback;
}

const show = (l: Limit) => `${l.where}=${formatBytes(l.value)}`;

export const queryResultWithinGrpcLimits = stackRule<object>(
  {
    name: "mimir-query-result-within-grpc-limits",
    rule: "Q13",
    description:
      "Mimir's gRPC receive limits on the query path (the query-frontend's server.grpc_server_max_recv_msg_size for querier results, the ruler's query-frontend client max_recv_msg_size for remote evaluation) must hold what the other side may send, at least up to Mimir's 100 MiB default",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Leave server.grpc_server_max_recv_msg_size and ruler.query_frontend.grpc_client_config.max_recv_msg_size at Mimir's 104857600 (or raise them toward the senders' limits); to bound query sizes use the query limits (max_fetched_series_per_query, max_fetched_chunk_bytes_per_query), not the transport.",
    url: "https://github.com/grafana/mimir/blob/main/pkg/querier/worker/scheduler_processor.go (QueryResult to the query-frontend); dskit server.Config grpc_server_max_recv_msg_size",
    tags: ["mimir", "limits", "query"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const frontendEnabled = mimir.values.at("query_frontend.enabled").boolean();
      if (isUnknown(frontendEnabled)) {
        ctx.inconclusive(frontendEnabled);
        continue;
      }
      if (frontendEnabled === false) continue;
      const defaultOf = (key: string): Limit => ({ value: MIMIR_GRPC_MSG_DEFAULT, where: `Mimir default ${key}` });

      // Querier -> query-frontend.
      const sent = limitOf(ctx, mimir, "querier", "frontend_worker.grpc_client_config.max_send_msg_size", {
        value: CHART_FRONTEND_WORKER_SEND,
        where: `${mimir.label} chart-generated config frontend_worker.grpc_client_config.max_send_msg_size`,
      });
      const received = limitOf(
        ctx,
        mimir,
        "query_frontend",
        "server.grpc_server_max_recv_msg_size",
        defaultOf("server.grpc_server_max_recv_msg_size"),
      );
      if (sent && received && received.value > 0) {
        const floor = Math.min(sent.value, MIMIR_GRPC_MSG_DEFAULT);
        if (received.value < floor)
          ctx.violation(
            `${show(received)} is the query-frontend's gRPC receive limit, below what the queriers send back (${show(sent)}; ` +
              `Mimir's own default receive limit is ${formatBytes(MIMIR_GRPC_MSG_DEFAULT)}): each querier returns a query's (split or sharded) ` +
              `result to the query-frontend as one QueryResult message, and every result above ${formatBytes(received.value)} is refused ` +
              `with ResourceExhausted ("grpc: received message larger than max"), so that query fails: dashboards and API reads over many ` +
              `series or long ranges return errors and the stored metrics they need are unreadable. Fix: remove the setting (Mimir's ` +
              `default is ${MIMIR_GRPC_MSG_DEFAULT}) or raise it to at least ${floor} on the query-frontends; it applies to every component ` +
              `when set in structuredConfig, so bound query sizes with the query limits instead.`,
            mimir.urn,
          );
      }

      // Query-frontend -> ruler (remote evaluation only).
      const address = mimir.setting("ruler.query_frontend.address");
      if (isUnknown(address)) {
        ctx.inconclusive(address);
        continue;
      }
      if (address === undefined || String(address.value ?? "") === "") continue;
      const ruler = mimir.values.at("ruler.enabled").boolean();
      if (isUnknown(ruler) || ruler === false) continue;
      const frontendSends = limitOf(
        ctx,
        mimir,
        "query_frontend",
        "server.grpc_server_max_send_msg_size",
        defaultOf("server.grpc_server_max_send_msg_size"),
      );
      const rulerReceives = limitOf(
        ctx,
        mimir,
        "ruler",
        "ruler.query_frontend.grpc_client_config.max_recv_msg_size",
        defaultOf("ruler.query_frontend.grpc_client_config.max_recv_msg_size"),
      );
      if (frontendSends && rulerReceives && rulerReceives.value > 0) {
        const floor = Math.min(frontendSends.value, MIMIR_GRPC_MSG_DEFAULT);
        if (rulerReceives.value < floor)
          ctx.violation(
            `${show(rulerReceives)} is the ruler's receive limit for query results from the query-frontend (remote rule evaluation, ` +
              `${address.where}), below what the query-frontend sends (${show(frontendSends)}): every rule whose query result is larger ` +
              `fails with ResourceExhausted, so its recording rule writes nothing and its alert cannot fire. Fix: remove the setting ` +
              `(default ${MIMIR_GRPC_MSG_DEFAULT}) or raise it to at least ${floor}.`,
            mimir.urn,
          );
      }
    }
  },
);
