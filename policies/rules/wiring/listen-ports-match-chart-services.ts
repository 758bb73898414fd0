// W7: the ports Mimir and Loki listen on must be the ports the charts' Services, probes and in-config addresses use.
// - loki 18.11.0 renders every container port (http-metrics, grpc), hence every Service targetPort and the readiness
//   probe (`port: http-metrics`), and the addresses it writes into the config (gateway upstreams, query-scheduler,
//   compactor, index-gateway) from values loki.server.http_listen_port / grpc_listen_port (3100 / 9095)
//   (templates/_pod.tpl ports; _service.tpl; _helpers.tpl loki.querySchedulerAddress, loki.compactorAddress,
//   loki.indexGatewayAddress; values.yaml loki.readinessProbe). loki.structuredConfig is merged over the rendered
//   config afterwards, so a server port set there makes Loki listen where nothing points: with a different HTTP port
//   the readiness probe fails (pods never Ready, the gateway has no endpoints, every push and query fails); with a
//   different gRPC port the Services' grpc port leads nowhere (queriers cannot reach the scheduler or index gateways,
//   queries fail). Setting loki.server.* instead moves everything together.
// - mimir-distributed 6.0.x reads structuredConfig.server.http_listen_port / grpc_listen_port itself
//   (templates/_helpers.tpl mimir.serverHttpListenPort / mimir.serverGrpcListenPort, default 8080 / 9095) for container
//   ports, Service ports and the addresses it generates, so changing them there is consistent. What the chart does
//   not regenerate are addresses written out in structuredConfig, such as the program's
//   ruler.query_frontend.address (dns:///<fullname>-query-frontend.<ns>.svc:9095): an address naming one of the
//   release's component Services must use the port the Service now exposes.
// - Addresses (both charts): server.http_listen_address / grpc_listen_address (dskit server.Config; empty, the default,
//   listens on every interface) on loopback make the component answer only inside its pod: the readiness probe
//   (httpGet on the pod IP) fails and no other component reaches its gRPC port. Loki takes them from loki.server or
//   loki.structuredConfig.server (values.yaml loki.config renders loki.server); Mimir from mimir.structuredConfig.server.
//   INFERRED for Mimir's probe: mimir-distributed's readiness probes are httpGet /ready on http-metrics (not re-read here).
import { isLoopbackHost } from "./alloy-listens-where-probed";
import { lokiReleases } from "../../lib/loki";
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { isUnknown } from "../../lib/unknown";
import { chartFullname } from "../../lib/chart-names";

/** loki values.yaml loki.server defaults; Mimir config descriptor server.* defaults (the chart helpers' fallbacks). */
const LOKI_PORTS = { http_listen_port: 3100, grpc_listen_port: 9095 } as const;
const MIMIR_PORTS = { http_listen_port: 8080, grpc_listen_port: 9095 } as const;

/** Mimir components whose Services expose http-metrics and grpc (mimir-distributed templates/<component>/*-svc.yaml). */
const MIMIR_COMPONENTS =
  "distributor|ingester|querier|query-frontend|query-scheduler|ruler|ruler-querier|ruler-query-frontend|ruler-query-scheduler|store-gateway|compactor|alertmanager|overrides-exporter";

const CONSEQUENCES: Readonly<Record<string, string>> = {
  "ruler.query_frontend.address":
    "the ruler cannot reach the query-frontend for remote rule evaluation, so no recording rule or alert is evaluated",
  "frontend_worker.scheduler_address": "queriers cannot reach the query-scheduler, so every query fails",
  "frontend.scheduler_address": "the query-frontend cannot enqueue queries, so every query fails",
  "frontend_worker.frontend_address": "queriers cannot reach the query-frontend, so every query fails",
};

function portOf(node: PropNode, fallback: number): number | undefined | "unknown" {
  const value = node.number();
  if (isUnknown(value)) return "unknown";
  return value ?? fallback;
}

function checkLoki<C extends object>(ctx: RuleContext<C>, release: HelmRelease, urn: string, label: string): void {
  for (const [key, fallback] of Object.entries(LOKI_PORTS)) {
    const structured = release.values.at(`loki.structuredConfig.server.${key}`);
    if (!structured.isPresent) continue;
    const listen = portOf(structured, fallback);
    const chart = portOf(release.values.at(`loki.server.${key}`), fallback);
    if (listen === "unknown" || chart === "unknown") {
      ctx.inconclusive(structured.unknown());
      continue;
    }
    if (listen === chart) continue;
    const chartWhere = release.values.at(`loki.server.${key}`).isPresent
      ? `${label} values.loki.server.${key}=${chart}`
      : `${label} chart default loki.server.${key}=${chart}`;
    const consequence =
      key === "http_listen_port"
        ? `the readiness probe (port http-metrics) and every Service and gateway upstream still target ${chart}, where nothing listens: ` +
          `pods never become Ready, the gateway has no endpoints and every push and query fails`
        : `every Service's grpc port and the addresses the chart writes (query-scheduler, compactor, index-gateway) still target ${chart}, ` +
          `where nothing listens: queriers cannot reach the scheduler or index gateways and queries fail`;
    ctx.violation(
      `${structured.where}=${listen} makes Loki listen on ${listen}, but the chart renders container ports, Services and probes from ` +
        `${chartWhere} (loki templates/_pod.tpl, _service.tpl): ${consequence}. Fix: set loki.server.${key} instead ` +
        `(the chart then moves everything together) and remove the structuredConfig key.`,
      urn,
    );
  }
}

/** Every string under a config node with its dotted path (list items included). */
function strings(raw: unknown, path: string[] = [], found: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof raw === "string") found.push([path.join("."), raw]);
  else if (Array.isArray(raw)) raw.forEach((item) => strings(item, path, found));
  else if (raw && typeof raw === "object")
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) strings(value, [...path, key], found);
  return found;
}

function checkMimir<C extends object>(ctx: RuleContext<C>, mimir: MimirRelease): void {
  const base = chartFullname(mimir.release, "mimir");
  if (isUnknown(base) || !base) return;
  const values = mimir.release.values;
  const http = portOf(values.at("mimir.structuredConfig.server.http_listen_port"), MIMIR_PORTS.http_listen_port);
  const grpc = portOf(values.at("mimir.structuredConfig.server.grpc_listen_port"), MIMIR_PORTS.grpc_listen_port);
  const structured = values.at("mimir.structuredConfig");
  const raw = structured.raw();
  if (http === "unknown" || grpc === "unknown" || isUnknown(raw)) {
    ctx.inconclusive(isUnknown(raw) ? raw : structured.unknown());
    return;
  }
  const namespace = mimir.release.namespace;
  const host = new RegExp(
    `^(dns:///|dns\\+|http://|https://)?(${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(?:${MIMIR_COMPONENTS})(?:-zone-[a-z0-9-]+)?(?:-headless)?)` +
      `(?:\\.${namespace}(?:\\.svc(?:\\.[a-z0-9.-]+)?)?)?:(\\d+)(?:/.*)?$`,
  );
  const httpWhere = values.at("mimir.structuredConfig.server.http_listen_port").isPresent
    ? `values.mimir.structuredConfig.server.http_listen_port=${http}`
    : `Mimir default server.http_listen_port=${http}`;
  const grpcWhere = values.at("mimir.structuredConfig.server.grpc_listen_port").isPresent
    ? `values.mimir.structuredConfig.server.grpc_listen_port=${grpc}`
    : `Mimir default server.grpc_listen_port=${grpc}`;
  for (const [path, text] of strings(raw)) {
    if (path.startsWith("memberlist.")) continue; // W6
    const match = host.exec(text.trim());
    if (!match) continue;
    const [, scheme, service, portText] = match;
    const port = Number(portText);
    // dns:/// is a gRPC target (dskit grpcclient); http(s):// an HTTP URL; a bare host:port may be either.
    const expected = scheme === "dns:///" ? [grpc] : scheme?.startsWith("http") ? [http] : [grpc, http];
    if (expected.includes(port)) continue;
    const consequence = CONSEQUENCES[path] ?? "that component cannot connect to it";
    ctx.violation(
      `${mimir.label} values.mimir.structuredConfig.${path}=${text} dials Service ${service} on port ${port}, but the chart renders its ` +
        `ports from ${httpWhere} (http-metrics) and ${grpcWhere} (grpc) (mimir-distributed templates/_helpers.tpl ` +
        `mimir.serverHttpListenPort / mimir.serverGrpcListenPort): nothing listens on ${port}, so ${consequence}. ` +
        `Fix: use port ${expected[0]} in ${path}.`,
      mimir.urn,
    );
  }
}

/** A loopback server.http_listen_address / grpc_listen_address under any of the given config roots. */
function checkAddresses<C extends object>(
  ctx: RuleContext<C>,
  values: PropNode,
  roots: string[],
  urn: string,
  product: string,
): void {
  for (const key of ["http_listen_address", "grpc_listen_address"]) {
    for (const root of roots) {
      const node = values.at(`${root}.server.${key}`);
      const address = node.string();
      if (isUnknown(address)) {
        ctx.inconclusive(address);
        continue;
      }
      if (address === undefined || !isLoopbackHost(address)) continue;
      const consequence =
        key === "http_listen_address"
          ? "the readiness probe (httpGet on the pod IP, port http-metrics) fails, so pods never become Ready, the rollout never completes and Services have no endpoints"
          : "no other pod reaches its gRPC port, so writes and queries between components fail";
      ctx.violation(
        `${node.where}=${address} makes ${product} listen on loopback only: ${consequence}. Fix: remove it (the default listens on every interface) or set 0.0.0.0.`,
        urn,
      );
    }
  }
}

export const listenPortsMatchChartServices = stackRule<object>(
  {
    name: "listen-ports-match-chart-services",
    rule: "W7",
    description:
      "Mimir and Loki must listen on the ports and addresses the charts' Services, probes and generated addresses use: Loki server ports set in loki.server (not only structuredConfig), Mimir addresses naming the release's Services on its server ports, no loopback listen address",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Loki: set loki.server.http_listen_port / grpc_listen_port (the chart follows them) instead of loki.structuredConfig.server.*. Mimir: keep the port of every address in mimir.structuredConfig equal to server.grpc_listen_port (gRPC) or server.http_listen_port (HTTP).",
    url: "https://github.com/grafana-community/helm-charts/tree/loki-18.11.0/charts/loki/templates (_pod.tpl, _service.tpl, _helpers.tpl); https://github.com/grafana/mimir/blob/main/operations/helm/charts/mimir-distributed/templates/_helpers.tpl (mimir.serverHttpListenPort, mimir.serverGrpcListenPort)",
    tags: ["mimir", "loki", "wiring"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      checkLoki(ctx, loki.release, loki.urn, loki.label);
      checkAddresses(ctx, loki.release.values, ["loki", "loki.structuredConfig"], loki.urn, "Loki");
    }
    for (const mimir of mimirReleases(stack)) {
      checkMimir(ctx, mimir);
      checkAddresses(ctx, mimir.release.values, ["mimir.structuredConfig"], mimir.urn, "Mimir");
    }
  },
);
