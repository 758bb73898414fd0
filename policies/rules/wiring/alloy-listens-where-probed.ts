// W11: Alloy must listen where the alloy chart (1.11.1) points its readiness probe, Services and cluster peers.
// - The chart starts Alloy with --server.http.listen-addr={{listenAddr}}:{{listenPort}} and, with enableHttpServerPort
//   (default true), renders container port http-metrics and a readiness probe httpGet /-/ready on {{listenPort}}
//   (templates/containers/_agent.yaml); the probe has no host, so the kubelet dials the pod IP. The Service and the
//   clustering Service (<fullname>-cluster) target {{listenPort}} too (templates/service.yaml, cluster_service.yaml).
//   Values come from `alloy`, overridden by the legacy `agent` map (_agent.yaml: mustMergeOverwrite .Values.alloy
//   .Values.agent). Defaults: listenAddr 0.0.0.0, listenPort 12345, enableHttpServerPort true (values.yaml).
// - A loopback listenAddr (127.0.0.1, localhost, ::1) makes Alloy answer only inside its pod: the readiness probe
//   fails, so pods never become Ready and the rollout (Helm's wait) never completes; the Service has no endpoints; and
//   with clustering on, peers dial each other's pod IP on the HTTP port (Alloy cluster traffic rides the HTTP server:
//   internal/alloycli/cmd_run.go passes httpListenAddr as the cluster ListenAddress and advertises an interface address),
//   so the cluster never forms.
// - alloy.extraArgs are appended after the chart's flags; a repeated pflag string flag keeps the last value (spf13/pflag
//   StringVar), so an extra --server.http.listen-addr replaces the chart's, while the probe and Services keep listenPort.
// - A numeric alloy.livenessProbe port other than the listen port fails every check: the kubelet restarts the pod forever.
// - Components the program's config listens with (otelcol.receiver.* endpoint = "host:port") behind alloy.extraPorts:
//   a loopback host makes the Service's extra port lead nowhere, so applications' OTLP pushes fail; a non-loopback
//   receiver port that no extraPorts entry targets has no port on the alloy Service (templates/service.yaml), so pushes
//   to the Service are refused (receivers whose endpoint the config leaves at its default are not seen).
// - Port collisions. templates/service.yaml renders http-metrics (port/targetPort alloy.listenPort, TCP; nodePort
//   service.nodePort, default 31128, when service.type is NodePort) followed by every alloy.extraPorts entry (protocol
//   defaults to TCP); cluster_service.yaml (clustering on) renders clustering.portName (default "http") on listenPort
//   followed by the same extraPorts. The API server refuses a Service with two ports of the same port and protocol
//   ("spec.ports[1]: Duplicate value"), two ports of the same name, or two equal nodePorts of one protocol (kubernetes
//   pkg/apis/core/validation/validation.go ValidateService, validateServicePort), and a pod template whose container
//   has two ports of the same name or two equal hostPorts of one protocol (validateContainerPorts,
//   AccumulateUniqueHostPorts; _agent.yaml renders http-metrics, then extraPorts with their hostPort): the Helm
//   release fails. An otelcol receiver endpoint on listenPort also collides inside the pod: Alloy's HTTP server
//   (internal/service/http/http.go Run: net.Listen on --server.http.listen-addr, os.Exit(1) when that fails) and the
//   receiver both bind it, so whichever starts second fails.
// - Scheme. alloy.listenScheme (default HTTP) becomes the readiness probe's httpGet.scheme as written (_agent.yaml) and
//   the ServiceMonitor's scheme lower-cased (servicemonitor.yaml). The API server accepts only "HTTP" and "HTTPS"
//   (validation.go validateHTTPGetAction, supportedHTTPSchemes). Alloy serves TLS only when its config has a top-level
//   `http { tls { ... } }` block (internal/service/http/http.go Arguments.TLS, Update: tls.NewListener, Alloy 1.18.1
//   = chart appVersion); otherwise plain HTTP. HTTPS against plain HTTP fails the TLS handshake, HTTP against TLS gets
//   Go's 400 "Client sent an HTTP request to an HTTPS server" (net/http server.go): either way the probe fails, pods
//   never become Ready and the DaemonSet rollout stalls. With TLS on, clustering peers still dial plain h2c unless
//   --cluster.enable-tls is passed (internal/service/cluster/cluster.go: AllowHTTP, plain DialTLSContext unless
//   EnableTLS; the chart never passes it), so the cluster never forms.
import { PropNode } from "../../lib/node";
import { isPlainObject } from "../../lib/plain";
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { containsUnknownSentinel } from "../../lib/unknown";

/** alloy chart 1.11.1 values.yaml defaults. */
const DEFAULTS = { listenAddr: "0.0.0.0", listenPort: 12345, enableHttpServerPort: true } as const;

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (isPlainObject(value) ? value : {});

export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .replace(/^\[|\]$/g, "")
    .toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** "host:port" / "[v6]:port" -> [host, port]; undefined when it has no numeric port. */
function splitHostPort(address: string): [string, number] | undefined {
  const m = /^(.*):(\d+)$/.exec(address.trim());
  return m ? [m[1], Number(m[2])] : undefined;
}

/** The last --server.http.listen-addr among extraArgs ("--flag=value" or "--flag value"). */
function listenAddrOverride(extraArgs: unknown): string | undefined {
  if (!Array.isArray(extraArgs)) return undefined;
  let found: string | undefined;
  extraArgs.forEach((arg, i) => {
    if (typeof arg !== "string") return;
    const m = /^--?server\.http\.listen-addr(?:=(.*))?$/.exec(arg.trim());
    if (!m) return;
    found = m[1] ?? (typeof extraArgs[i + 1] === "string" ? (extraArgs[i + 1] as string) : found);
  });
  return found;
}

/** `endpoint = "host:port"` inside each otelcol.receiver.* block of an Alloy config (brace-matched). */
export function receiverEndpoints(content: string): Array<{ component: string; endpoint: string }> {
  const found: Array<{ component: string; endpoint: string }> = [];
  const start = /(otelcol\.receiver\.[a-z_]+\s+"[^"]*")\s*\{/g;
  let match: RegExpExecArray | null;
  while ((match = start.exec(content)) !== null) {
    let depth = 1;
    let i = start.lastIndex;
    for (; i < content.length && depth > 0; i++) {
      if (content[i] === "{") depth++;
      else if (content[i] === "}") depth--;
    }
    const body = content.slice(start.lastIndex, i);
    for (const e of body.matchAll(/\bendpoint\s*=\s*"([^"]+)"/g)) found.push({ component: match[1], endpoint: e[1] });
  }
  return found;
}

/** Alloy config text with comments and string contents blanked, so braces inside them do not count. */
function stripAlloy(content: string): string {
  let out = "";
  for (let i = 0; i < content.length; i++) {
    const c = content[i];
    if (c === "/" && content[i + 1] === "/") {
      while (i < content.length && content[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && content[i + 1] === "*") {
      const end = content.indexOf("*/", i + 2);
      i = end < 0 ? content.length : end + 1;
      out += " ";
    } else if (c === '"' || c === "`") {
      let j = i + 1;
      while (j < content.length && content[j] !== c) j += c === '"' && content[j] === "\\" ? 2 : 1;
      out += c + c;
      i = j;
    } else out += c;
  }
  return out;
}

/** Whether the config's top-level `http` block (Alloy's HTTP server settings) has a `tls` block. */
export function httpServerTls(content: string): boolean {
  const text = stripAlloy(content);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{") depth++;
    else if (c === "}") depth--;
    else if (depth === 0 && /[a-z]/.test(c) && !/[\w.]/.test(text[i - 1] ?? "")) {
      const m = /^http\s*\{/.exec(text.slice(i));
      if (!m) continue;
      let d = 1;
      let j = i + m[0].length;
      for (; j < text.length && d > 0; j++) d += text[j] === "{" ? 1 : text[j] === "}" ? -1 : 0;
      if (/(^|[^\w.])tls\s*\{/.test(text.slice(i + m[0].length, j))) return true;
      i = j - 1;
    }
  }
  return false;
}

const WILDCARD = new Set(["", "0.0.0.0", "::", "[::]"]);

interface ServicePort {
  name: string;
  port: number;
  protocol: string;
  nodePort?: number;
  where: string;
}

/** Pairs of entries sharing a key (first occurrence, later one). */
function duplicates<T>(items: T[], key: (item: T) => string | undefined): Array<[T, T]> {
  const seen = new Map<string, T>();
  const found: Array<[T, T]> = [];
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const first = seen.get(k);
    if (first !== undefined) found.push([first, item]);
    else seen.set(k, item);
  }
  return found;
}

function checkPortCollisions(
  ctx: RuleContext<object>,
  release: HelmRelease,
  pick: (key: string) => [unknown, string],
  listenPort: number,
  bind: [string, number],
  probed: boolean,
  clustered: boolean,
): void {
  const urn = release.resource.urn;
  const [listenHost, bindPort] = bind;
  const service = obj(release.values.get("service").raw());
  const serviceEnabled = service.enabled !== false;
  const nodePortType = service.type === "NodePort";
  const [extraPortsRaw, extraWhere] = pick("extraPorts");
  const [clusteringRaw, clusteringWhere] = pick("clustering");
  const [, portWhere] = pick("listenPort");
  const extras = (Array.isArray(extraPortsRaw) ? extraPortsRaw : []).map((raw, i) => {
    const p = obj(raw);
    return {
      name: typeof p.name === "string" ? p.name : undefined,
      port: Number(p.port),
      targetPort: Number(p.targetPort),
      hostPort: p.hostPort === undefined || p.hostPort === null ? undefined : Number(p.hostPort),
      nodePort: p.nodePort === undefined || p.nodePort === null ? undefined : Number(p.nodePort),
      protocol: typeof p.protocol === "string" && p.protocol !== "" ? p.protocol : "TCP",
      where: `${extraWhere}[${i}]`,
    };
  });
  const extraServicePorts = (withNodePort: boolean): ServicePort[] =>
    extras
      .filter((e) => Number.isFinite(e.port))
      .map((e) => ({
        name: e.name ?? "",
        port: e.port,
        protocol: e.protocol,
        nodePort: withNodePort ? e.nodePort : undefined,
        where: `${e.where} (name ${e.name ?? "-"}, port ${e.port}/${e.protocol})`,
      }));
  const serviceNodePort = Number(service.nodePort ?? 31128); // values.yaml service.nodePort
  const services: Array<{ service: string; template: string; first: string; ports: ServicePort[] }> = [];
  if (serviceEnabled)
    services.push({
      service: clustered
        ? "the alloy Service (and, with clustering on, the <fullname>-cluster Service)"
        : "the alloy Service",
      template: clustered ? "templates/service.yaml, cluster_service.yaml" : "templates/service.yaml",
      first: "http-metrics",
      ports: [
        {
          name: "http-metrics",
          port: listenPort,
          protocol: "TCP",
          nodePort: nodePortType ? serviceNodePort : undefined,
          where: `http-metrics (${portWhere}=${listenPort}${nodePortType ? `, nodePort service.nodePort=${serviceNodePort}` : ""})`,
        },
        ...extraServicePorts(nodePortType),
      ],
    });
  if (clustered) {
    const portName = typeof obj(clusteringRaw).portName === "string" ? String(obj(clusteringRaw).portName) : "http";
    services.push({
      service: "the <fullname>-cluster Service",
      template: "templates/cluster_service.yaml",
      first: "clustering.portName",
      ports: [
        {
          name: portName,
          port: listenPort,
          protocol: "TCP",
          where: `${portName} (${clusteringWhere}.portName, on ${portWhere}=${listenPort})`,
        },
        ...extraServicePorts(false),
      ],
    });
  }
  const refused = "the API server refuses it, so the Helm release fails and Alloy is neither installed nor updated";
  const reported = new Set<string>();
  const report = (key: string, message: string) => {
    if (reported.has(key)) return;
    reported.add(key);
    ctx.violation(message, urn);
  };
  for (const svc of services) {
    for (const [a, b] of duplicates(svc.ports, (p) => `${p.port}/${p.protocol.toUpperCase()}`))
      report(
        `port ${b.where}`,
        `${release.label}: ${a.where} and ${b.where} give ${svc.service} two ${b.protocol} ports ${b.port} (alloy chart ${svc.template}: ` +
          `${svc.first} on alloy.listenPort, then every alloy.extraPorts entry); ${refused} ("spec.ports: Duplicate value")` +
          `. Fix: give every port its own number: keep alloy.listenPort (default 12345) apart from every alloy.extraPorts port.`,
      );
    for (const [a, b] of duplicates(svc.ports, (p) => (p.name === "" ? undefined : p.name)))
      report(
        `name ${b.name}`,
        `${release.label}: ${a.where} and ${b.where} give ${svc.service} two ports named ${b.name} (alloy chart ${svc.template}); ` +
          `${refused} ("spec.ports[].name: Duplicate value"). Fix: rename the extraPorts entry (http-metrics and clustering.portName are taken).`,
      );
    for (const [a, b] of duplicates(svc.ports, (p) =>
      p.nodePort === undefined || !Number.isFinite(p.nodePort)
        ? undefined
        : `${p.nodePort}/${p.protocol.toUpperCase()}`,
    ))
      report(
        `nodePort ${b.nodePort}`,
        `${release.label}: ${a.where} and ${b.where} ask ${svc.service} (service.type NodePort) for the same nodePort ${b.nodePort}; ` +
          `${refused} ("spec.ports[].nodePort: Duplicate value"). Fix: give each port its own nodePort.`,
      );
  }
  // Container ports (templates/containers/_agent.yaml): http-metrics when enableHttpServerPort, then extraPorts.
  const containerNames = [...(probed ? [{ name: "http-metrics", where: "http-metrics" }] : []), ...extras];
  for (const [a, b] of duplicates(containerNames, (p) => p.name))
    report(
      `name ${b.name}`,
      `${release.label}: ${a.where} and ${b.where} give the Alloy container two ports named ${b.name} ` +
        `(alloy chart templates/containers/_agent.yaml); the API server refuses the pod template, so the Helm release fails. ` +
        `Fix: rename the extraPorts entry.`,
    );
  for (const [a, b] of duplicates(extras, (p) =>
    p.hostPort === undefined || !Number.isFinite(p.hostPort) ? undefined : `${p.hostPort}/${p.protocol.toUpperCase()}`,
  ))
    report(
      `hostPort ${b.hostPort}`,
      `${release.label}: ${a.where} and ${b.where} both ask for hostPort ${b.hostPort}/${b.protocol} on the Alloy container; ` +
        `the API server refuses the pod template (AccumulateUniqueHostPorts), so the Helm release fails. Fix: one hostPort per port.`,
    );
  // In the pod: a receiver on the HTTP server's port.
  const [configMap] = pick("configMap");
  const content = obj(configMap).create !== false ? obj(configMap).content : undefined;
  if (typeof content !== "string") return;
  const listenHostNorm = listenHost.trim().toLowerCase();
  for (const { component, endpoint } of receiverEndpoints(content)) {
    const hp = splitHostPort(endpoint);
    if (!hp || hp[1] !== bindPort) continue;
    const host = hp[0].trim().toLowerCase();
    if (!(WILDCARD.has(host) || WILDCARD.has(listenHostNorm) || host === listenHostNorm)) continue;
    report(
      `bind ${component} ${endpoint}`,
      `${release.label}: values.alloy.configMap.content ${component} listens on ${endpoint}, the port Alloy's own HTTP server ` +
        `binds (${portWhere}=${listenPort}${bindPort !== listenPort ? `, moved to ${bindPort} by extraArgs` : ""}, --server.http.listen-addr in templates/containers/_agent.yaml): both bind :${bindPort}, so ` +
        `whichever starts second fails: if the HTTP server loses, Alloy exits at start-up and the pods crash-loop; if the ` +
        `receiver loses, it stays unhealthy and every OTLP push to it is lost. Fix: keep alloy.listenPort ` +
        `(default 12345) off the receivers' ports.`,
    );
  }
}

function checkScheme(
  ctx: RuleContext<object>,
  release: HelmRelease,
  pick: (key: string) => [unknown, string],
  probed: boolean,
  clustered: boolean,
): void {
  const urn = release.resource.urn;
  const [schemeRaw, schemeWhere] = pick("listenScheme");
  const scheme = schemeRaw === undefined ? "HTTP" : String(schemeRaw);
  const serviceMonitor = obj(release.values.get("serviceMonitor").raw()).enabled === true;
  if (probed && scheme !== "HTTP" && scheme !== "HTTPS") {
    ctx.violation(
      `${release.label} ${schemeWhere}=${JSON.stringify(scheme)} becomes the readiness probe's httpGet.scheme as written ` +
        `(alloy chart templates/containers/_agent.yaml), and the API server accepts only "HTTP" or "HTTPS" ` +
        `("readinessProbe.httpGet.scheme: Unsupported value"): the DaemonSet is refused and the Helm release fails. ` +
        `Fix: write HTTP (the default) or HTTPS in upper case.`,
      urn,
    );
    return;
  }
  const [configMap] = pick("configMap");
  const content = obj(configMap).create !== false ? obj(configMap).content : undefined;
  if (typeof content !== "string") return; // an existing ConfigMap: its http block is not visible here
  const tls = httpServerTls(content);
  const https = scheme.toUpperCase() === "HTTPS";
  if (https === tls) {
    const [extraArgs] = pick("extraArgs");
    const clusterTls =
      Array.isArray(extraArgs) &&
      extraArgs.some((a) => typeof a === "string" && /^--?cluster\.enable-tls(=true)?$/.test(a.trim()));
    if (tls && clustered && !clusterTls)
      ctx.violation(
        `${release.label} values.alloy.configMap.content serves Alloy's HTTP server over TLS (http { tls { ... } }) with clustering ` +
          `on, but peers dial each other in plain HTTP/2 unless --cluster.enable-tls is passed (Alloy internal/service/cluster/cluster.go; ` +
          `the chart does not pass it): the cluster never forms, so work shared through clustering is not split as intended. ` +
          `Fix: add --cluster.enable-tls (with --cluster.tls-ca-path and friends) to alloy.extraArgs, or drop the tls block.`,
        urn,
      );
    return;
  }
  const served = tls
    ? "HTTPS (its config has an http { tls { ... } } block)"
    : "plain HTTP (its config has no http { tls { ... } } block)";
  const consequence = probed
    ? `the readiness probe (httpGet /-/ready, scheme ${scheme}) fails on every pod, so pods never become Ready and the DaemonSet rollout ` +
      `(and Helm's wait) never completes` +
      (serviceMonitor ? "; the ServiceMonitor scrapes with the same wrong scheme, so Alloy's own metrics are lost" : "")
    : "the ServiceMonitor scrapes with the wrong scheme, so Alloy's own metrics are lost";
  const message =
    `${release.label} ${schemeWhere}=${scheme} tells the chart to probe${serviceMonitor ? " and scrape" : ""} Alloy over ${scheme} ` +
    `(alloy chart templates/containers/_agent.yaml readinessProbe, servicemonitor.yaml), but Alloy serves ${served} ` +
    `(Alloy internal/service/http/http.go): ${consequence}. Fix: ` +
    (tls
      ? "set alloy.listenScheme to HTTPS."
      : "add an http { tls { cert_file = ..., key_file = ... } } block to the config (and mount the certificate), or set alloy.listenScheme back to HTTP.");
  if (probed) ctx.violation(message, urn);
  else if (serviceMonitor) ctx.advisory(message, urn);
}

function checkRelease(ctx: RuleContext<object>, release: HelmRelease): void {
  const values = release.values;
  const nodes: PropNode[] = [values.get("alloy"), values.get("agent")];
  for (const node of nodes) {
    if (node.isUnknown || containsUnknownSentinel(node.raw())) {
      ctx.inconclusive(node.unknown());
      return;
    }
  }
  const alloy = obj(values.get("alloy").raw());
  const agent = obj(values.get("agent").raw());
  // Which map a key comes from (agent wins), for the message.
  const pick = (key: string): [unknown, string] =>
    agent[key] !== undefined && agent[key] !== null
      ? [agent[key], `values.agent.${key}`]
      : alloy[key] !== undefined && alloy[key] !== null
        ? [alloy[key], `values.alloy.${key}`]
        : [undefined, `chart default alloy.${key}`];
  const [addrRaw, addrWhere] = pick("listenAddr");
  const [portRaw, portWhere] = pick("listenPort");
  const [httpPortRaw] = pick("enableHttpServerPort");
  const [clusteringRaw] = pick("clustering");
  const [extraArgs, extraWhere] = pick("extraArgs");
  const [liveness, livenessWhere] = pick("livenessProbe");
  const [extraPorts, extraPortsWhere] = pick("extraPorts");
  const [configMap] = pick("configMap");

  const chartAddr = typeof addrRaw === "string" ? addrRaw : DEFAULTS.listenAddr;
  const chartPort = Number(portRaw ?? DEFAULTS.listenPort);
  const probed = httpPortRaw !== false; // enableHttpServerPort renders the readiness probe
  const clustered = obj(clusteringRaw).enabled === true;
  const override = listenAddrOverride(extraArgs);
  const parsed = override !== undefined ? splitHostPort(override) : undefined;
  const [host, port, where] =
    parsed !== undefined
      ? [parsed[0], parsed[1], `${release.label} ${extraWhere} --server.http.listen-addr=${override}`]
      : [chartAddr, chartPort, `${release.label} ${addrWhere}=${chartAddr} (with ${portWhere}=${chartPort})`];

  const reachers = [
    ...(probed ? [`the readiness probe (httpGet /-/ready on the pod IP, port ${chartPort})`] : []),
    ...(clustered ? ["clustering peers (dialing each pod's IP on the HTTP port)"] : []),
    `the Service and ServiceMonitor (targetPort ${chartPort})`,
  ];
  const consequence =
    (probed
      ? "pods never become Ready, so the rollout never completes and the Service has no endpoints"
      : "nothing outside the pod reaches the HTTP server") +
    (clustered
      ? "; the cluster never forms, so work the config shares through clustering (loki.source.kubernetes_events) is not split as intended"
      : "");
  const report = (message: string) =>
    probed || clustered ? ctx.violation(message, release.resource.urn) : ctx.advisory(message, release.resource.urn);

  if (isLoopbackHost(host)) {
    report(
      `${where} makes Alloy listen on loopback only, but ${reachers.join(", ")} connect from outside the pod ` +
        `(alloy chart templates/containers/_agent.yaml, service.yaml, cluster_service.yaml): ${consequence}. ` +
        `Fix: set alloy.listenAddr to 0.0.0.0 (the chart default)${override !== undefined ? " and drop the extra --server.http.listen-addr" : ""}.`,
    );
  } else if (parsed !== undefined && port !== chartPort) {
    report(
      `${where} moves Alloy's HTTP server to port ${port}, but the chart still points ${reachers.join(", ")} at ${portWhere}=${chartPort}, ` +
        `where nothing listens: ${consequence}. Fix: remove the flag from extraArgs and set alloy.listenPort (and alloy.listenAddr) instead.`,
    );
  }

  const live = obj(liveness);
  for (const kind of ["httpGet", "tcpSocket"]) {
    const probePort = obj(live[kind]).port;
    if (typeof probePort === "number" && probePort !== port) {
      ctx.violation(
        `${release.label} ${livenessWhere}.${kind}.port=${probePort}, but Alloy listens on ${port} (${where}): every liveness check fails ` +
          `and the kubelet restarts each Alloy pod forever. Fix: use port ${port} (or the named port http-metrics).`,
        release.resource.urn,
      );
    }
  }

  const exposed = new Map<number, string>();
  if (Array.isArray(extraPorts))
    for (const p of extraPorts) {
      const target = Number(obj(p).targetPort);
      if (Number.isFinite(target)) exposed.set(target, String(obj(p).name ?? target));
    }
  const content = obj(configMap).content;
  if (typeof content === "string" && exposed.size > 0)
    for (const { component, endpoint } of receiverEndpoints(content)) {
      const hp = splitHostPort(endpoint);
      if (!hp || !isLoopbackHost(hp[0]) || !exposed.has(hp[1])) continue;
      ctx.violation(
        `${release.label} values.alloy.configMap.content: ${component} listens on ${endpoint}, loopback only, while ${extraPortsWhere} ` +
          `exposes port ${hp[1]} (${exposed.get(hp[1])}) on the Service: nothing outside the pod reaches the receiver, so every ` +
          `application pushing through the Service fails and its data is lost. Fix: listen on 0.0.0.0:${hp[1]}.`,
        release.resource.urn,
      );
    }

  // A receiver listening beyond its pod must have its port on the alloy Service (templates/service.yaml: http-metrics
  // on listenPort, then `range $values.extraPorts` with targetPort). alloy.extraPorts is a list, so an override
  // replaces the program's entries (components/shared/values.ts mergeOverrides, arrayMerge replaceArrays): a receiver
  // the config still runs then has no Service port, and senders that push to the Service get connection refused.
  const service = obj(values.get("service").raw());
  if (typeof content === "string" && service.enabled !== false) {
    const targets = new Set<number>([chartPort, ...exposed.keys()]);
    if (Array.isArray(extraPorts))
      for (const p of extraPorts) {
        const named = Number(obj(p).port);
        if (obj(p).targetPort === undefined && Number.isFinite(named)) targets.add(named);
      }
    for (const { component, endpoint } of receiverEndpoints(content)) {
      const hp = splitHostPort(endpoint);
      if (!hp || isLoopbackHost(hp[0]) || targets.has(hp[1])) continue;
      const listed = [...exposed].map(([t, name]) => `${name} ${t}`).join(", ") || "none";
      ctx.violation(
        `${release.label} values.alloy.configMap.content: ${component} listens on ${endpoint}, but no ${extraPortsWhere} entry targets port ${hp[1]} ` +
          `(extra ports: ${listed}), so the alloy Service (alloy chart templates/service.yaml: listenPort, then every extraPorts entry) has no port for it: ` +
          `senders that push to the Service get connection refused and their data is lost. An override of alloy.extraPorts replaces the whole list. ` +
          `Fix: list every receiver port in alloy.extraPorts (with the program's otlp-grpc 4317 and otlp-http 4318), or drop the receiver.`,
        release.resource.urn,
      );
    }
  }

  checkPortCollisions(ctx, release, pick, chartPort, [host, port], probed, clustered);
  checkScheme(ctx, release, pick, probed, clustered);
}

export const alloyListensWhereProbed = stackRule<object>(
  {
    name: "alloy-listens-where-probed",
    rule: "W11",
    description:
      "Alloy's HTTP server (and receivers behind extraPorts) must listen where the alloy chart's readiness probe, Services and cluster peers connect: not on loopback, not on a port other than alloy.listenPort, not on a port an extra port or receiver also takes; the chart's Services and container get no duplicate port, name or nodePort; the probe scheme (alloy.listenScheme) matches whether the config serves TLS",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep alloy.listenAddr at 0.0.0.0, change the port only through alloy.listenPort (not extraArgs), point a custom livenessProbe at that port, let receivers exposed through extraPorts listen on 0.0.0.0, give every extraPorts entry its own port and name (not listenPort, http-metrics or clustering.portName), and set alloy.listenScheme to HTTPS exactly when the config has an http { tls { ... } } block.",
    url: "https://github.com/grafana/alloy/blob/helm-chart/1.11.1/operations/helm/charts/alloy/templates/containers/_agent.yaml",
    tags: ["alloy", "wiring", "rollout"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.alloy)) checkRelease(ctx, release);
  },
);
