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
//   a loopback host makes the Service's extra port lead nowhere, so applications' OTLP pushes fail.
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
}

export const alloyListensWhereProbed = stackRule<object>(
  {
    name: "alloy-listens-where-probed",
    rule: "W11",
    description:
      "Alloy's HTTP server (and receivers behind extraPorts) must listen where the alloy chart's readiness probe, Services and cluster peers connect: not on loopback, not on a port other than alloy.listenPort",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep alloy.listenAddr at 0.0.0.0, change the port only through alloy.listenPort (not extraArgs), point a custom livenessProbe at that port, and let receivers exposed through extraPorts listen on 0.0.0.0.",
    url: "https://github.com/grafana/alloy/blob/helm-chart/1.11.1/operations/helm/charts/alloy/templates/containers/_agent.yaml",
    tags: ["alloy", "wiring", "rollout"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.alloy)) checkRelease(ctx, release);
  },
);
