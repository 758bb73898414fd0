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
// - Port collisions. The API server refuses a Service with two ports of the same port and protocol ("spec.ports[1]:
//   Duplicate value") or the same name (kubernetes pkg/apis/core/validation/validation.go ValidateService): the Helm
//   release fails. Loki's Services carry http-metrics (loki.server.http_listen_port), grpc (grpc_listen_port) and a
//   fixed grpclb 9096 (_service.tpl); Mimir's component Services http-metrics and grpc from
//   mimir.serverHttpListenPort / serverGrpcListenPort (templates/<component>/*-svc.yaml); kube-prometheus-stack 88.5.3's
//   Prometheus Service prometheus.service.port (9090), reloaderWebPort (8080), the thanosIngress grpc port (10901, when
//   enabled) and service.additionalPorts (templates/prometheus/service.yaml), its Alertmanager Service
//   alertmanager.service.port (9093), a fixed reloader-web 8080 and additionalPorts (templates/alertmanager/service.yaml).
// - Inside a Loki or Mimir pod the HTTP server, the gRPC server (dskit server.New: net.Listen on each, failing early
//   when the port is taken) and memberlist (dskit kv/memberlist NewTCPTransport: "failed to start TCP listener"; bind
//   port 7946 by default: Loki chart loki.extraMemberlistConfig.bind_port, Mimir chart mimir.memberlistBindPort) each
//   bind their own port: two of them on one port stop every component at start-up.
import { isLoopbackHost } from "./alloy-listens-where-probed";
import { lokiReleases } from "../../lib/loki";
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { isUnknown } from "../../lib/unknown";
import { chartFullname } from "../../lib/chart-names";
import { CHARTS } from "../../lib/types";

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

interface NamedPort {
  name: string;
  port: number;
  protocol: string;
  where: string;
}

/** Ports a values list such as service.additionalPorts adds (name, port, protocol; TCP by default). */
function extraPorts(node: PropNode): NamedPort[] {
  const raw = node.raw();
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item, i) => {
    const p = (item && typeof item === "object" ? item : {}) as Record<string, unknown>;
    const port = Number(p.port);
    if (!Number.isFinite(port)) return [];
    const name = typeof p.name === "string" ? p.name : "";
    const protocol = typeof p.protocol === "string" && p.protocol !== "" ? p.protocol.toUpperCase() : "TCP";
    return [{ name, port, protocol, where: `${node.where}[${i}] (${name || "unnamed"} ${port}/${protocol})` }];
  });
}

/** Two ports of one Service with the same port/protocol or the same name. */
function checkServicePorts<C extends object>(
  ctx: RuleContext<C>,
  urn: string,
  service: string,
  template: string,
  ports: NamedPort[],
  fix: string,
): void {
  const byPort = new Map<string, NamedPort>();
  const byName = new Map<string, NamedPort>();
  for (const p of ports) {
    const key = `${p.port}/${p.protocol}`;
    const samePort = byPort.get(key);
    if (samePort)
      ctx.violation(
        `${samePort.where} and ${p.where} give ${service} two ${p.protocol} ports ${p.port} (${template}): the API server refuses ` +
          `the Service ("spec.ports: Duplicate value"), so the Helm release fails and nothing in it is installed or updated. Fix: ${fix}`,
        urn,
      );
    else byPort.set(key, p);
    const sameName = p.name ? byName.get(p.name) : undefined;
    if (sameName && !samePort)
      ctx.violation(
        `${sameName.where} and ${p.where} give ${service} two ports named ${p.name} (${template}): the API server refuses the ` +
          `Service ("spec.ports[].name: Duplicate value"), so the Helm release fails. Fix: rename the added port.`,
        urn,
      );
    else if (p.name && !sameName) byName.set(p.name, p);
  }
}

/** Two of a pod's listeners (HTTP, gRPC, memberlist) on one port. */
function checkBinds<C extends object>(
  ctx: RuleContext<C>,
  urn: string,
  product: string,
  listeners: Array<{ what: string; port: number; where: string }>,
  skip: (a: string, b: string) => boolean,
): void {
  for (let i = 0; i < listeners.length; i++)
    for (let j = i + 1; j < listeners.length; j++) {
      const [a, b] = [listeners[i], listeners[j]];
      if (a.port !== b.port || skip(a.what, b.what)) continue;
      ctx.violation(
        `${a.where}=${a.port} (${a.what}) and ${b.where}=${b.port} (${b.what}) make every ${product} process bind port ${a.port} twice: ` +
          `the second listener fails with "address already in use" (dskit server.New / memberlist NewTCPTransport), so every ` +
          `${product} pod exits at start-up and crash-loops. Fix: give the HTTP server, the gRPC server and memberlist three different ports.`,
        urn,
      );
    }
}

function portNode(
  node: PropNode,
  fallback: number,
  fallbackWhere: string,
): { port: number; where: string } | "unknown" {
  const value = node.number();
  if (isUnknown(value)) return "unknown";
  return value === undefined ? { port: fallback, where: fallbackWhere } : { port: value, where: node.where };
}

function checkLokiCollisions<C extends object>(
  ctx: RuleContext<C>,
  release: HelmRelease,
  urn: string,
  label: string,
): void {
  const v = release.values;
  const httpChart = portNode(
    v.at("loki.server.http_listen_port"),
    3100,
    `${label} chart default loki.server.http_listen_port`,
  );
  const grpcChart = portNode(
    v.at("loki.server.grpc_listen_port"),
    9095,
    `${label} chart default loki.server.grpc_listen_port`,
  );
  const httpSet = portNode(v.at("loki.structuredConfig.server.http_listen_port"), NaN, "");
  const grpcSet = portNode(v.at("loki.structuredConfig.server.grpc_listen_port"), NaN, "");
  // loki values.yaml loki.config: memberlistConfig when set, else extraMemberlistConfig (bind_port 7946); dskit default 7946.
  const custom = v.at("loki.memberlistConfig");
  const memberlistSource =
    custom.isPresent && Object.keys((custom.raw() as object) ?? {}).length > 0
      ? custom
      : v.at("loki.extraMemberlistConfig");
  const structuredBind = v.at("loki.structuredConfig.memberlist.bind_port");
  const bind = structuredBind.isPresent
    ? portNode(structuredBind, 7946, "")
    : portNode(memberlistSource.get("bind_port"), 7946, `${label} chart default loki.extraMemberlistConfig.bind_port`);
  const all = [httpChart, grpcChart, httpSet, grpcSet, bind];
  if (all.some((x) => x === "unknown") || custom.isUnknown) {
    ctx.inconclusive(v.at("loki").unknown());
    return;
  }
  const [hc, gc, hs, gs, mb] = all as Array<{ port: number; where: string }>;
  checkServicePorts(
    ctx,
    urn,
    `every Loki component Service (and its -headless twin)`,
    "loki templates/_service.tpl: http-metrics, grpc and a fixed grpclb 9096",
    [
      { name: "http-metrics", port: hc.port, protocol: "TCP", where: `${hc.where}=${hc.port}` },
      { name: "grpc", port: gc.port, protocol: "TCP", where: `${gc.where}=${gc.port}` },
      { name: "grpclb", port: 9096, protocol: "TCP", where: "the chart's fixed grpclb port 9096" },
    ],
    "keep loki.server.http_listen_port and grpc_listen_port different from each other and from 9096.",
  );
  const http = Number.isFinite(hs.port) ? hs : hc;
  const grpc = Number.isFinite(gs.port) ? gs : gc;
  checkBinds(
    ctx,
    urn,
    "Loki",
    [
      { what: "HTTP server", ...http },
      { what: "gRPC server", ...grpc },
      { what: "memberlist", ...mb },
    ],
    // Reported above as a Service collision when both come from loki.server.
    (a, b) => a === "HTTP server" && b === "gRPC server" && http === hc && grpc === gc,
  );
}

function checkMimirCollisions<C extends object>(ctx: RuleContext<C>, mimir: MimirRelease): void {
  const v = mimir.release.values;
  const http = portNode(
    v.at("mimir.structuredConfig.server.http_listen_port"),
    8080,
    `${mimir.label} chart default (mimir.serverHttpListenPort)`,
  );
  const grpc = portNode(
    v.at("mimir.structuredConfig.server.grpc_listen_port"),
    9095,
    `${mimir.label} chart default (mimir.serverGrpcListenPort)`,
  );
  const bind = portNode(
    v.at("mimir.structuredConfig.memberlist.bind_port"),
    7946,
    `${mimir.label} chart default (mimir.memberlistBindPort)`,
  );
  if (http === "unknown" || grpc === "unknown" || bind === "unknown") {
    ctx.inconclusive(v.at("mimir.structuredConfig").unknown());
    return;
  }
  checkServicePorts(
    ctx,
    mimir.urn,
    "every Mimir component Service",
    "mimir-distributed templates/<component>/*-svc.yaml: http-metrics and grpc",
    [
      { name: "http-metrics", port: http.port, protocol: "TCP", where: `${http.where}=${http.port}` },
      { name: "grpc", port: grpc.port, protocol: "TCP", where: `${grpc.where}=${grpc.port}` },
    ],
    "keep mimir.structuredConfig.server.http_listen_port and grpc_listen_port different.",
  );
  checkBinds(
    ctx,
    mimir.urn,
    "Mimir",
    [
      { what: "HTTP server", ...http },
      { what: "gRPC server", ...grpc },
      { what: "memberlist", ...bind },
    ],
    (a, b) => a === "HTTP server" && b === "gRPC server",
  );
}

function checkPrometheusStack<C extends object>(ctx: RuleContext<C>, release: HelmRelease): void {
  const v = release.values;
  const urn = release.resource.urn;
  const label = release.label;
  const num = (node: PropNode, fallback: number): { port: number; where: string } | "unknown" =>
    portNode(node, fallback, `${label} chart default ${node.where.replace(/^.*?values\./, "")}`);
  for (const [component, template] of [
    ["prometheus", "kube-prometheus-stack templates/prometheus/service.yaml"],
    ["alertmanager", "kube-prometheus-stack templates/alertmanager/service.yaml"],
  ] as const) {
    const root = v.get(component);
    if (root.isUnknown) {
      ctx.inconclusive(root.unknown());
      continue;
    }
    if (root.get("enabled").boolean() === false || root.at("service.enabled").boolean() === false) continue;
    const spec = component === "prometheus" ? "prometheusSpec" : "alertmanagerSpec";
    const main = num(root.at("service.port"), component === "prometheus" ? 9090 : 9093);
    const reloader =
      component === "prometheus"
        ? num(root.at("service.reloaderWebPort"), 8080)
        : { port: 8080, where: "the chart's fixed reloader-web port" };
    const thanos =
      component === "prometheus" && root.at("thanosIngress.enabled").boolean() === true
        ? num(root.at("thanosIngress.servicePort"), 10901)
        : undefined;
    if (main === "unknown" || reloader === "unknown" || thanos === "unknown") {
      ctx.inconclusive(root.unknown());
      continue;
    }
    const portName = root.at(`${spec}.portName`).string();
    const ports: NamedPort[] = [
      {
        name: typeof portName === "string" ? portName : "http-web",
        port: main.port,
        protocol: "TCP",
        where: `${main.where}=${main.port}`,
      },
      ...(reloader.port
        ? [
            {
              name: "reloader-web",
              port: reloader.port,
              protocol: "TCP",
              where: `${reloader.where}${reloader.where.startsWith("the chart") ? " " : "="}${reloader.port}`,
            },
          ]
        : []),
      ...(thanos
        ? [{ name: "grpc", port: thanos.port, protocol: "TCP", where: `${thanos.where}=${thanos.port}` }]
        : []),
      ...extraPorts(root.at("service.additionalPorts")),
    ];
    checkServicePorts(
      ctx,
      urn,
      `the ${component === "prometheus" ? "Prometheus" : "Alertmanager"} Service`,
      template,
      ports,
      `give every port of that Service its own number (the config-reloader's reloader-web port is ${component === "prometheus" ? "prometheus.service.reloaderWebPort, 8080 by default" : "fixed at 8080"}).`,
    );
  }
}

export const listenPortsMatchChartServices = stackRule<object>(
  {
    name: "listen-ports-match-chart-services",
    rule: "W7",
    description:
      "Mimir and Loki must listen on the ports and addresses the charts' Services, probes and generated addresses use: Loki server ports set in loki.server (not only structuredConfig), Mimir addresses naming the release's Services on its server ports, no loopback listen address, no two listeners (HTTP, gRPC, memberlist) on one port, and no Service of the Loki, Mimir or kube-prometheus-stack charts with two ports of the same number or name",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Loki: set loki.server.http_listen_port / grpc_listen_port (the chart follows them) instead of loki.structuredConfig.server.*. Mimir: keep the port of every address in mimir.structuredConfig equal to server.grpc_listen_port (gRPC) or server.http_listen_port (HTTP). Give the HTTP server, gRPC server and memberlist distinct ports (Loki: not 9096, the chart's grpclb port); kube-prometheus-stack: keep prometheus.service.port / alertmanager.service.port off the config-reloader's 8080 and additionalPorts off the chart's ports and names.",
    url: "https://github.com/grafana-community/helm-charts/tree/loki-18.11.0/charts/loki/templates (_pod.tpl, _service.tpl, _helpers.tpl); https://github.com/grafana/mimir/blob/main/operations/helm/charts/mimir-distributed/templates/_helpers.tpl (mimir.serverHttpListenPort, mimir.serverGrpcListenPort)",
    tags: ["mimir", "loki", "wiring"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      checkLoki(ctx, loki.release, loki.urn, loki.label);
      checkLokiCollisions(ctx, loki.release, loki.urn, loki.label);
      checkAddresses(ctx, loki.release.values, ["loki", "loki.structuredConfig"], loki.urn, "Loki");
    }
    for (const mimir of mimirReleases(stack)) {
      checkMimir(ctx, mimir);
      checkMimirCollisions(ctx, mimir);
      checkAddresses(ctx, mimir.release.values, ["mimir.structuredConfig"], mimir.urn, "Mimir");
    }
    for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) checkPrometheusStack(ctx, release);
  },
);
