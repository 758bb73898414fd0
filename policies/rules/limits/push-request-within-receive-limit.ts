// Q1 (HARD at write time): a push larger than what the receiving side reads is refused as a whole, every time.
// - Mimir: the distributor reads at most distributor.max_recv_msg_size bytes of a remote-write request (compressed
//   and uncompressed; grafana/mimir pkg/distributor/push.go Handler -> util.ParseProtoReader, error
//   err-mimir-distributor-max-write-message-size "the incoming push request has been rejected because its message size
//   ... is larger than the allowed limit"), answered 400 (push.go `handler`: parse errors become
//   http.StatusBadRequest). Prometheus and Alloy drop a batch on a 4xx other than 429: the samples are lost.
// - Loki: the distributor reads at most distributor.max_recv_msg_size bytes of the compressed body (grafana/loki
//   v3.7.6 pkg/loghttp/push/push.go parsePushRequestBody: "compressed message size %d exceeds limit %d"); the loki
//   chart's gateway nginx refuses bodies above gateway.nginxConfig.clientMaxBodySize (default 4M; loki chart 18.11.0
//   values.yaml, templates/_helpers.tpl `client_max_body_size`) with 413. Alloy loki.write drops the batch on any 4xx
//   but 429 (Alloy reference loki.write, retry_on_http_429).
// - Loki distributor -> ingesters: the distributor forwards each ingester its streams of the push as one gRPC message
//   (grafana/loki v3.7.6 pkg/distributor/distributor.go sendStreamsErr -> logproto PusherClient.Push), so a batch of
//   one stream travels whole. grpc-go refuses a message above the client's ingester_client.grpc_client_config
//   max_send_msg_size ("trying to send message larger than max", rpc_util/stream.go, the compressed payload) and the
//   ingesters' server.grpc_server_max_recv_msg_size ("received message larger than max" / "after decompression larger
//   than max", rpc_util.go recvAndDecompress) with ResourceExhausted; the distributor answers 5xx, loki.write retries
//   the same batch until its retries run out and drops it (dskit grpcclient / dskit server defaults; the loki chart
//   sets the server's to 104857600). max_recv_msg_size of the client and max_send_msg_size of the server size the
//   push response and query results, not the push: not judged here.
import { formatBytes, parseBase2Bytes } from "../../lib/bytes";
import { lokiReleases } from "../../lib/loki";
import { mimirReleases } from "../../lib/mimir";
import { PropNode, show, Sourced } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { isUnknown } from "../../lib/unknown";
import { lokiBatchSenders, remoteWriteSenders, wholeNumber } from "./common";

/** distributor.max_recv_msg_size default 100 MiB in Mimir (config descriptor, -distributor.max-recv-msg-size) and Loki (pkg/distributor/distributor.go `100<<20`). */
export const MAX_RECV_MSG_SIZE_DEFAULT = 104_857_600;

/**
 * INFERRED lower bound of one remote-write sample's bytes in a request: every series carries `__name__` plus the labels
 * prometheus-operator's ServiceMonitor relabelling gives every target (job, instance, namespace, service, pod,
 * container, endpoint; pkg/prometheus/promcfg.go) and the external label `prometheus`: the label names alone are 65
 * bytes, each label adds at least 6 bytes of protobuf framing and the sample 11 more. Half of that, 64 bytes, leaves
 * room for series with fewer labels (Alloy's own): a request of N samples is at least N x 64 bytes uncompressed.
 */
export const MIN_REMOTE_WRITE_BYTES_PER_SAMPLE = 64;

/** nginx size syntax (ngx_parse_size): a number with an optional k/K or m/M or g/G suffix, 1024-based; 0 = no limit. */
export function nginxSizeBytes(text: unknown): number | undefined {
  const match = /^\s*(\d+)\s*([kKmMgG]?)\s*$/.exec(String(text));
  if (!match) return undefined;
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2].toLowerCase() as "" | "k" | "m" | "g"];
  return Number(match[1]) * unit;
}

function recvLimit(found: Sourced<unknown> | undefined, product: string): Sourced<number> | undefined {
  if (found === undefined)
    return {
      value: MAX_RECV_MSG_SIZE_DEFAULT,
      where: `${product} default distributor.max_recv_msg_size`,
      text: String(MAX_RECV_MSG_SIZE_DEFAULT),
    };
  const value = wholeNumber(found.value);
  return value === undefined ? undefined : { value, where: found.where, text: String(found.value) };
}

/** The gateway's client_max_body_size as the chart renders it: the value, or the chart default. */
function gatewayBodyLimit(release: HelmRelease, path: string, chartDefault: string): Sourced<number> | undefined {
  const node: PropNode = release.values.at(path);
  const raw = node.raw();
  if (isUnknown(raw)) return undefined;
  const text = raw === undefined ? chartDefault : raw;
  const value = nginxSizeBytes(text);
  if (value === undefined || value === 0) return undefined;
  return {
    value,
    where: raw === undefined ? `${release.label} chart default ${path}` : node.where,
    text: String(text),
  };
}

function checkMimir(stack: Parameters<typeof mimirReleases>[0], ctx: RuleContext<object>): void {
  const mimir = mimirReleases(stack)[0];
  if (!mimir) return;
  const found = mimir.setting("distributor.max_recv_msg_size");
  if (isUnknown(found)) return ctx.inconclusive(found);
  const limit = recvLimit(found, "Mimir");
  // mimir-distributed 6.0.x values.yaml gateway.nginx.config.clientMaxBodySize: 540M.
  const gateway = gatewayBodyLimit(mimir.release, "gateway.nginx.config.clientMaxBodySize", "540M");
  for (const sender of remoteWriteSenders(stack, ctx)) {
    const floor = sender.perSend * MIN_REMOTE_WRITE_BYTES_PER_SAMPLE;
    for (const [bound, where, reader] of [
      [limit, "Mimir's distributor", "400 (err-mimir-distributor-max-write-message-size)"],
      [gateway, "the Mimir gateway's nginx", "413 Request Entity Too Large"],
    ] as const) {
      if (!bound || bound.value <= 0 || bound.value >= floor) continue;
      ctx.violation(
        `${show(bound)} (${formatBytes(bound.value)}) is smaller than one remote-write request of ${sender.label}: ` +
          `${sender.perSendWhere} samples of at least ${MIN_REMOTE_WRITE_BYTES_PER_SAMPLE} bytes each are ${formatBytes(floor)} or more (INFERRED floor). ` +
          `${where} answers ${reader} to every full request and the sender drops it (a 4xx other than 429 is not retried): metrics are lost. ` +
          `Fix: raise it to at least ${floor} bytes (Mimir's default is ${MAX_RECV_MSG_SIZE_DEFAULT}) or lower max_samples_per_send.`,
        mimir.urn,
      );
    }
  }
}

function checkLoki(stack: Parameters<typeof lokiReleases>[0], ctx: RuleContext<object>): void {
  const loki = lokiReleases(stack)[0];
  if (!loki) return;
  const found = loki.setting("distributor.max_recv_msg_size");
  if (isUnknown(found)) return ctx.inconclusive(found);
  const limit = recvLimit(found, "Loki");
  const gateway = gatewayBodyLimit(loki.release, "gateway.nginxConfig.clientMaxBodySize", "4M");
  const grpc: Array<[Sourced<number> | undefined, string]> = [];
  for (const [path, side] of [
    ["ingester_client.grpc_client_config.max_send_msg_size", "The distributor's gRPC client to the ingesters"],
    ["server.grpc_server_max_recv_msg_size", "The ingesters' gRPC server"],
  ] as const) {
    const found = loki.setting(path);
    if (isUnknown(found)) return ctx.inconclusive(found);
    const value = found === undefined ? undefined : wholeNumber(found.value);
    if (found !== undefined && value !== undefined)
      grpc.push([{ value, where: found.where, text: String(found.value) }, side]);
  }
  for (const sender of lokiBatchSenders(stack, ctx)) {
    const batch = parseBase2Bytes(sender.batchText);
    if (batch === undefined) continue; // L2 reports an unparseable batch_size.
    for (const [bound, where, reader] of [
      [limit, "Loki's distributor", "an error (compressed message size exceeds limit)"],
      [gateway, "the Loki gateway's nginx", "413 Request Entity Too Large"],
    ] as const) {
      if (!bound || bound.value <= 0 || bound.value >= batch) continue;
      ctx.violation(
        `${show(bound)} (${formatBytes(bound.value)}) is smaller than a full batch of ${sender.label} (${sender.batchWhere}, ${formatBytes(batch)} of log lines; ` +
          `snappy does not shrink incompressible lines, so a compressed push can reach the batch size: INFERRED). ` +
          `${where} answers ${reader} and loki.write drops the batch (only 429 and 5xx are retried): logs are lost. ` +
          `Fix: raise it to at least ${batch} bytes (Loki's default is ${MAX_RECV_MSG_SIZE_DEFAULT}) or lower batch_size.`,
        loki.urn,
      );
    }
    for (const [bound, side] of grpc) {
      if (!bound || bound.value <= 0 || bound.value >= batch) continue;
      ctx.violation(
        `${show(bound)} (${formatBytes(bound.value)}) is smaller than a full batch of ${sender.label} (${sender.batchWhere}, ${formatBytes(batch)} of log lines), ` +
          `which the distributor forwards to each ingester as one gRPC message (a stream's entries travel together; INFERRED that a push can reach the batch size). ` +
          `${side} refuses it with ResourceExhausted ("message larger than max"), the distributor answers 5xx, and loki.write retries the same batch until its retries run out and drops it: log ingestion stops. ` +
          `Fix: raise it to at least ${batch} bytes (default 104857600) or lower batch_size.`,
        loki.urn,
      );
    }
  }
}

export const pushRequestWithinReceiveLimit = stackRule<object>(
  {
    name: "push-request-within-receive-limit",
    rule: "Q1",
    description:
      "Mimir's and Loki's distributor.max_recv_msg_size, their gateways' client_max_body_size and Loki's distributor-to-ingester gRPC message limits must hold a whole push of this stack's senders (Prometheus/Alloy remote write, Alloy loki.write batch)",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Raise distributor.max_recv_msg_size (default 104857600) or the gateway's clientMaxBodySize above the sender's largest push, or make the senders' batches smaller (max_samples_per_send, batch_size).",
    url: "https://grafana.com/docs/mimir/latest/manage/mimir-runbooks/#err-mimir-distributor-max-write-message-size; grafana/loki pkg/loghttp/push/push.go parsePushRequestBody",
    tags: ["mimir", "loki", "prometheus", "alloy", "limits"],
  },
  (stack, ctx) => {
    checkMimir(stack, ctx);
    checkLoki(stack, ctx);
  },
);
