// U7: the flags prometheus-operator sets itself, which additionalArgs may not set.
import { Obj, obj, set, text } from "./common";

/** A "vX.Y.Z[-suffix]" tag or version as [major, minor]; undefined when it is not one. */
function majorMinor(value: unknown): [number, number] | undefined {
  const m = typeof value === "string" ? /^v?(\d+)\.(\d+)/.exec(value.trim()) : null;
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
const atLeast = (v: [number, number], major: number, minor: number) =>
  v[0] > major || (v[0] === major && v[1] >= minor);

/**
 * The flags the operator sets on the Prometheus container for what the chart renders (pkg/prometheus/promcfg.go
 * BuildCommonPrometheusArgs, pkg/prometheus/server/statefulset.go buildServerArgs and makeStatefulSetSpec). The chart
 * always renders externalUrl and walCompression (templates/prometheus/prometheus.yaml); its image is v3.14.0
 * (values.yaml), which takes retention from the config file (flags only before 3.11.0).
 */
export function prometheusManagedArgs(spec: Obj): string[] {
  const version = majorMinor(spec.version) ?? majorMinor(obj(spec.image)?.tag) ?? [3, 14];
  const args = ["config.file", "web.external-url", "web.route-prefix", "storage.tsdb.path", "web.config.file"];
  if (version[0] === 2) args.push("web.console.templates", "web.console.libraries");
  if (spec.reloadStrategy !== "ProcessSignal") args.push("web.enable-lifecycle");
  args.push(spec.walCompression === false ? "no-storage.tsdb.wal-compression" : "storage.tsdb.wal-compression");
  if (!atLeast(version, 3, 11)) {
    args.push("storage.tsdb.retention.time");
    if (text(spec.retentionSize) !== "") args.push("storage.tsdb.retention.size");
  }
  const web = obj(spec.web);
  if (web && set(web, "pageTitle")) args.push("web.page-title");
  if (web && set(web, "maxConnections")) args.push("web.max-connections");
  if (spec.enableRemoteWriteReceiver === true) {
    args.push("web.enable-remote-write-receiver");
    if (Array.isArray(spec.remoteWriteReceiverMessageVersions) && spec.remoteWriteReceiverMessageVersions.length > 0)
      args.push("web.remote-write-receiver.accepted-protobuf-messages");
  }
  if (spec.enableOTLPReceiver === true || (spec.enableOTLPReceiver === undefined && set(spec, "otlp")))
    args.push(version[0] >= 3 ? "web.enable-otlp-receiver" : "enable-feature");
  if (Array.isArray(spec.enableFeatures) && spec.enableFeatures.length > 0) args.push("enable-feature");
  if (text(spec.logLevel) !== "" && spec.logLevel !== "info") args.push("log.level");
  if (text(spec.logFormat) !== "" && spec.logFormat !== "logfmt") args.push("log.format");
  if (spec.listenLocal === true) args.push("web.listen-address");
  if (spec.enableAdminAPI === true) args.push("web.enable-admin-api");
  const query = obj(spec.query);
  if (query) {
    if (set(query, "lookbackDelta")) args.push("query.lookback-delta");
    if (typeof query.maxSamples === "number" && query.maxSamples > 0) args.push("query.max-samples");
    if (typeof query.maxConcurrency === "number" && query.maxConcurrency > 0) args.push("query.max-concurrency");
    if (set(query, "timeout")) args.push("query.timeout");
  }
  return args;
}

/**
 * The flags the operator sets on the Alertmanager container (pkg/alertmanager/statefulset.go makeStatefulSetSpec). The
 * chart always renders externalUrl, logLevel, logFormat and retention (templates/alertmanager/alertmanager.yaml); its
 * image is v0.34.0 (values.yaml).
 */
export function alertmanagerManagedArgs(spec: Obj, enableFeatures: unknown): string[] {
  const version = majorMinor(spec.version) ?? majorMinor(obj(spec.image)?.tag) ?? [0, 34];
  const args = [
    "config.file",
    "storage.path",
    "data.retention",
    "web.listen-address",
    "web.external-url",
    "web.route-prefix",
  ];
  const replicas = typeof spec.replicas === "number" ? spec.replicas : 1;
  // With one replica and no forced cluster mode the operator's flag is literally named "cluster.listen-address=".
  args.push(
    replicas === 1 && spec.forceEnableClusterMode !== true ? "cluster.listen-address=" : "cluster.listen-address",
  );
  if (atLeast(version, 0, 22)) args.push("web.config.file");
  if (atLeast(version, 0, 26)) args.push("cluster.label");
  if (atLeast(version, 0, 30)) args.push("cluster.peer-name");
  if (atLeast(version, 0, 27) && Array.isArray(enableFeatures) && enableFeatures.length > 0)
    args.push("enable-feature");
  if (text(spec.logLevel) !== "" && spec.logLevel !== "info") args.push("log.level");
  if (text(spec.logFormat) !== "" && spec.logFormat !== "logfmt") args.push("log.format");
  for (const [key, flag] of [
    ["clusterAdvertiseAddress", "cluster.advertise-address"],
    ["clusterGossipInterval", "cluster.gossip-interval"],
    ["clusterPushpullInterval", "cluster.pushpull-interval"],
    ["clusterPeerTimeout", "cluster.peer-timeout"],
  ])
    if (text(spec[key]) !== "") args.push(flag);
  const web = obj(spec.web);
  if (web && set(web, "getConcurrency")) args.push("web.get-concurrency");
  if (web && set(web, "timeout")) args.push("web.timeout");
  return args;
}

/** pkg/operator/argument.go ArgumentsIntersection: a name, or its "no-" negation, among the operator's. */
export function collisions(managed: string[], additional: unknown): string[] {
  if (!Array.isArray(additional)) return [];
  const mine = new Set(managed);
  const hits: string[] = [];
  for (const item of additional) {
    const name = text(obj(item)?.name);
    if (name === "") continue;
    if (mine.has(name)) hits.push(name);
    else {
      const negated = name.startsWith("no-") ? name.slice(3) : `no-${name}`;
      if (mine.has(negated)) hits.push(negated);
    }
  }
  return hits;
}
