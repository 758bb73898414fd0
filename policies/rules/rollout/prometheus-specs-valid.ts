// U7: the Prometheus and Alertmanager resources kube-prometheus-stack 88.5.3 renders from values must pass the checks
// prometheus-operator v0.93 (the chart's appVersion v0.93.1; sources read at tag v0.93.0) applies before it writes
// anything, and the configuration the operator writes must be one Prometheus and Alertmanager load.
//
// prometheus-operator pkg/prometheus/server/operator.go sync: each step returns its error and ends the reconciliation
// (createOrUpdateConfigurationSecret -> "creating config failed: ...", makeStatefulSet -> "making statefulset
// failed: ...", createOrUpdateWebConfigSecret -> "synchronizing web config secret failed: ..."), before the StatefulSet
// is created or updated. So a new Prometheus never gets its pods (nothing scraped, nothing remote-written, no alert
// evaluated) and a running one keeps its previous config and StatefulSet and takes no later change. The same holds for
// Alertmanager (pkg/alertmanager/operator.go sync: "provision alertmanager configuration: ...", "failed to generate
// statefulset: ...").
//
// Inventory (values path -> the check):
// - prometheusSpec.remoteWrite[] + additionalRemoteWrite[] (the chart lists them in that order, templates/prometheus/
//   prometheus.yaml): at most one of basicAuth, oauth2, authorization, sigv4, azureAd; azureAd exactly one of
//   managedIdentity, oauth, sdk, workloadIdentity, UUID client/tenant ids (pkg/prometheus/operator.go
//   validateRemoteWriteSpec); proxy settings (pkg/apis/monitoring/v1/types.go ProxyConfig.Validate); authorization
//   (Authorization.Validate, run by pkg/assets/store.go AddAuthorizationCredentials when credentials are set); sigv4
//   keys in pairs (AddSigV4).
// - remoteRead[] + additionalRemoteRead[]: authorization and proxy as above (pkg/prometheus/store.go
//   AddRemoteReadsToStore); the operator does not check auth exclusivity there and writes every method into the config,
//   which Prometheus then refuses (below).
// - remoteWrite/remoteRead bearerToken / bearerTokenFile (deprecated) next to another method: the operator writes both
//   (pkg/prometheus/promcfg.go GenerateRemoteWriteConfig / generateRemoteReadConfig); Prometheus refuses the file
//   (prometheus/common config/http_config.go HTTPClientConfig.Validate), so a new pod exits at start-up and a running
//   one rejects every reload.
// - alertingEndpoints[]: at most one of bearerTokenFile, basicAuth, authorization, sigv4 (pkg/prometheus/server/
//   operator.go validateAlertmanagerEndpoints); authorization type (SafeAuthorization.Validate); sigv4 key pairs.
// - additionalArgs (Prometheus and Alertmanager): no flag the operator sets itself (pkg/operator/argument.go BuildArgs /
//   ArgumentsIntersection, a "no-" prefix counting as the same flag).
// - web.tlsConfig (Prometheus and Alertmanager): certificate and key each set once (pkg/apis/monitoring/v1/types.go
//   WebTLSConfig.Validate, called by pkg/webconfig/config.go New).
// - retention, retentionSize, remoteWrite/remoteRead url: the CRD's patterns (types.go Duration, ByteSize, URL); the API
//   server refuses the Prometheus object, so the Helm release fails.
// - alertmanager.config (merged over the chart default): what Alertmanager v0.33 config.Load (vendored by the operator,
//   go.mod) and the operator's checkAlertmanagerConfigRootRoute (pkg/alertmanager/amcfg.go alertmanagerConfigFromBytes)
//   refuse about the routing tree and receivers.
// - scrapeTimeout against scrapeInterval: the operator refuses to generate the configuration when the timeout is greater
//   (pkg/prometheus/promcfg.go GenerateServerConfiguration / GenerateAgentConfiguration ->
//   CompareScrapeTimeoutToScrapeInterval, "scrapeTimeout %q greater than scrapeInterval %q"), the interval defaulting to
//   the CRD's 30s (pkg/apis/monitoring/v1/prometheus_types.go ScrapeInterval +kubebuilder:default:="30s"); the chart
//   renders each only when set (templates/prometheus/prometheus.yaml).
// - scrapeInterval, scrapeTimeout, evaluationInterval (not rendered in agent mode), ruleQueryOffset: the CRD's Duration
//   pattern (API refusal, as retention).
// - kubelet.serviceMonitor.scrapeTimeout against each endpoint the chart renders into the kubelet ServiceMonitor
//   (templates/exporters/kubelet/servicemonitor.yaml: kubelet and probes at `interval`, else Prometheus' scrapeInterval;
//   cAdvisor at `interval` else cAdvisorInterval, default 10s; resource at `interval` else resourceInterval, default
//   10s): the operator rejects the whole ServiceMonitor (pkg/prometheus/resource_selector.go checkServiceMonitor ->
//   validateScrapeIntervalAndTimeout; "skipping object", an InvalidConfiguration event), so no kubelet/cAdvisor series
//   is scraped, silently.
// Not inventoried because nothing stops: queueConfig / metadataConfig values (the operator copies them unchecked and
// Prometheus has no range check), shards and replicas (no operator check beyond the CRD's int32).
import { parseDurationMs } from "../../lib/duration";
import { PropNode } from "../../lib/node";
import { isPlainObject } from "../../lib/plain";
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { containsUnknownSentinel } from "../../lib/unknown";

const PROM_STOPS =
  "prometheus-operator stops reconciling the Prometheus resource there (pkg/prometheus/server/operator.go sync): a new " +
  "Prometheus never gets its StatefulSet, so nothing is scraped, remote-written or alerted on, and a running one keeps its " +
  "old configuration and takes no later change";
const PROM_REFUSES_CONFIG =
  "Prometheus refuses that configuration file (prometheus/common config/http_config.go HTTPClientConfig.Validate): new " +
  "Prometheus pods exit at start-up and running ones reject every reload";
const AM_STOPS =
  "prometheus-operator stops reconciling the Alertmanager resource there (pkg/alertmanager/operator.go sync): a new " +
  "Alertmanager never gets its pods, so no alert is routed or sent, and a running one keeps its old configuration";
const API_REFUSES =
  "the API server refuses the Prometheus object (CRD monitoring.coreos.com/v1 validation), so the kube-prometheus-stack " +
  "release fails and no later value change reaches Prometheus";

/** pkg/apis/monitoring/v1/types.go: Duration, ByteSize and URL kubebuilder patterns. */
const DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
const BYTE_SIZE = /(^0|([0-9]*[.])?[0-9]+((K|M|G|T|E|P)i?)?B)$/;
const URL_PATTERN = /^(http|https):\/\/.+$/;

type Obj = Record<string, unknown>;
type Report = (message: string) => void;

const obj = (value: unknown): Obj | undefined => (isPlainObject(value) ? value : undefined);
/** Go's non-nil pointer: the field is present in the rendered YAML with a value (null renders as absent). */
const set = (o: Obj, key: string): boolean => o[key] !== undefined && o[key] !== null;
const text = (value: unknown): string => (typeof value === "string" ? value : "");
const q = (value: unknown): string => JSON.stringify(value);

/** google/uuid Parse forms: 36-char, urn:uuid: prefixed, braced, or 32 hex digits. */
function isUuid(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const h = "[0-9a-fA-F]";
  const dashed = `${h}{8}-${h}{4}-${h}{4}-${h}{4}-${h}{12}`;
  return new RegExp(`^(${dashed}|urn:uuid:${dashed}|\\{${dashed}\\}|${h}{32})$`).test(value);
}

/** ProxyConfig.Validate (pkg/apis/monitoring/v1/types.go), in its order. */
function proxyError(o: Obj): string | undefined {
  const fromEnv = o.proxyFromEnvironment === true;
  const url = text(o.proxyUrl) !== "";
  const noProxy = text(o.noProxy) !== "";
  const connectHeader = obj(o.proxyConnectHeader);
  if (connectHeader && Object.keys(connectHeader).length > 0 && !fromEnv && !url)
    return "if proxyConnectHeader is configured, proxyUrl or proxyFromEnvironment must also be configured";
  if (fromEnv && url) return "if proxyFromEnvironment is configured, proxyUrl must not be configured";
  if (fromEnv && noProxy) return "if proxyFromEnvironment is configured, noProxy must not be configured";
  if (!url && noProxy) return "if noProxy is configured, proxyUrl must also be configured";
  return undefined;
}

/** Authorization.Validate, run only when credentials are set (pkg/assets/store.go AddAuthorizationCredentials). */
function authorizationError(o: Obj): string | undefined {
  const auth = obj(o.authorization);
  if (!auth || !set(auth, "credentials")) return undefined;
  if (text(auth.credentialsFile) !== "")
    return 'authorization can not specify both "credentials" and "credentialsFile"';
  if (text(auth.type).trim().toLowerCase() === "basic")
    return 'authorization type cannot be set to "basic", use "basicAuth" instead';
  return undefined;
}

/** pkg/assets/store.go AddSigV4. */
function sigv4Error(o: Obj): string | undefined {
  const sigv4 = obj(o.sigv4);
  if (sigv4 && set(sigv4, "accessKey") !== set(sigv4, "secretKey"))
    return "both accessKey and secretKey should be provided";
  return undefined;
}

/** The deprecated bearer fields next to another method: both reach the config file (HTTPClientConfig.Validate). */
function bearerError(o: Obj): string | undefined {
  const token = text(o.bearerToken) !== "";
  const file = text(o.bearerTokenFile) !== "";
  if (!token && !file) return undefined;
  if (token && file) return "at most one of bearer_token & bearer_token_file must be configured";
  if (set(o, "basicAuth") || set(o, "oauth2"))
    return "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured";
  if (set(o, "authorization")) return "authorization is not compatible with bearer_token & bearer_token_file";
  return undefined;
}

/** validateRemoteWriteSpec's Azure AD checks (pkg/prometheus/operator.go), in its order. */
function azureError(azure: Obj): string | undefined {
  const kinds: Array<[string, string]> = [
    ["managedIdentity", "Azure Managed Identity"],
    ["oauth", "Azure OAuth"],
    ["sdk", "Azure SDK"],
    ["workloadIdentity", "Azure Workload Identity"],
  ];
  const present = kinds.filter(([key]) => set(azure, key));
  if (present.length === 0)
    return "must provide Azure Managed Identity, Azure OAuth, Azure SDK, or Azure Workload Identity in the Azure AD config";
  // The pairs in the order the function tests them.
  const pairs: Array<[number, number]> = [
    [0, 1],
    [1, 2],
    [0, 2],
    [0, 3],
    [1, 3],
    [2, 3],
  ];
  for (const [a, b] of pairs)
    if (set(azure, kinds[a][0]) && set(azure, kinds[b][0]))
      return `cannot provide both ${kinds[a][1]} and ${kinds[b][1]} in the Azure AD config`;
  const oauth = obj(azure.oauth);
  if (oauth && !isUuid(oauth.clientId)) return "the provided Azure OAuth clientId is invalid";
  const wi = obj(azure.workloadIdentity);
  if (wi && !isUuid(wi.clientId)) return "the provided Azure Workload Identity clientId is invalid";
  if (wi && !isUuid(wi.tenantId)) return "the provided Azure Workload Identity tenantId is invalid";
  return undefined;
}

interface Entry {
  where: string;
  spec: Obj;
}

/** The chart renders `<list>` then `additional<List>` into one spec list (templates/prometheus/prometheus.yaml). */
function combined(spec: PropNode, key: string, additional: string): Entry[] | PropNode {
  const entries: Entry[] = [];
  for (const name of [key, additional]) {
    const node = spec.get(name);
    const raw = node.raw();
    if (containsUnknownSentinel(raw) || node.isUnknown) return node;
    if (!Array.isArray(raw)) continue;
    raw.forEach((item, i) => {
      const o = obj(item);
      if (o) entries.push({ where: `${node.where}[${i}]`, spec: o });
    });
  }
  return entries;
}

function checkRemoteWrite(entries: Entry[], report: Report): void {
  entries.forEach(({ where, spec }, index) => {
    const fix =
      "Fix: keep exactly one authentication method on each remote-write entry (the stack's own Mimir entry uses basicAuth).";
    const methods = ["basicAuth", "oauth2", "authorization", "sigv4", "azureAd"].filter((key) => set(spec, key));
    if (methods.length > 1) {
      // The operator lists the fields in Go map order, so their order in the message varies.
      report(
        `${where} sets ${methods.join(" and ")} together: prometheus-operator refuses it with 'remoteWrite[${index}]: ${methods
          .map((m) => `"${m}"`)
          .join(
            " and ",
          )} can't be set at the same time, at most one of them must be defined' (pkg/prometheus/operator.go ` +
          `validateRemoteWriteSpec; the field order varies), and ${PROM_STOPS}. ${fix}`,
      );
      return;
    }
    const azure = obj(spec.azureAd);
    const checks: Array<[string | undefined, string]> = [
      [azure ? azureError(azure) : undefined, "validateRemoteWriteSpec"],
      [proxyError(spec), "ProxyConfig.Validate"],
      [authorizationError(spec), "Authorization.Validate"],
      [sigv4Error(spec), "assets StoreBuilder.AddSigV4"],
    ];
    const found = checks.find(([error]) => error !== undefined);
    if (found) {
      report(
        `${where}: prometheus-operator refuses this remote-write entry with 'creating config failed: remoteWrite[${index}]: ${found[0]}' ` +
          `(${found[1]}), and ${PROM_STOPS}. Fix: correct the entry as the message says.`,
      );
      return;
    }
    const bearer = bearerError(spec);
    if (bearer)
      report(
        `${where} sets the deprecated bearerToken/bearerTokenFile next to another authentication method: the operator writes both into ` +
          `remote_write (promcfg.go GenerateRemoteWriteConfig) and ${PROM_REFUSES_CONFIG} ('${bearer}'). ${fix}`,
      );
  });
}

function checkRemoteRead(entries: Entry[], report: Report): void {
  entries.forEach(({ where, spec }, index) => {
    const error = authorizationError(spec) ?? proxyError(spec);
    if (error) {
      report(
        `${where}: prometheus-operator refuses this remote-read entry with 'creating config failed: remoteRead[${index}]: ${error}' ` +
          `(pkg/prometheus/store.go AddRemoteReadsToStore), and ${PROM_STOPS}. Fix: correct the entry as the message says.`,
      );
      return;
    }
    // The operator does not check exclusivity for remote read and writes every method (promcfg.go generateRemoteReadConfig).
    const methods = ["basicAuth", "oauth2", "authorization"].filter((key) => set(spec, key));
    const common =
      methods.length > 1
        ? "at most one of basic_auth, oauth2 & authorization must be configured"
        : (bearerError(spec) ?? undefined);
    if (common)
      report(
        `${where} sets ${methods.length > 1 ? methods.join(" and ") : "the deprecated bearerToken/bearerTokenFile next to another method"}: ` +
          `the operator writes all of them into remote_read and ${PROM_REFUSES_CONFIG} ('${common}'). Fix: keep one authentication method.`,
      );
  });
}

function checkAlertingEndpoints(spec: PropNode, report: Report, ctx: RuleContext<object>): void {
  const node = spec.get("alertingEndpoints");
  const raw = node.raw();
  if (containsUnknownSentinel(raw) || node.isUnknown) return ctx.inconclusive(node.unknown());
  if (!Array.isArray(raw)) return;
  raw.forEach((item, i) => {
    const am = obj(item);
    if (!am) return;
    const where = `${node.where}[${i}]`;
    const methods = [
      ...(text(am.bearerTokenFile) !== "" ? ["bearerTokenFile"] : []),
      ...["basicAuth", "authorization", "sigv4"].filter((key) => set(am, key)),
    ];
    let error: string | undefined;
    if (methods.length > 1)
      error = `${methods.map((m) => `"${m}"`).join(" and ")} can't be set at the same time, at most one of them must be defined`;
    else {
      const auth = obj(am.authorization);
      if (auth && set(auth, "credentials") && text(auth.type).trim().toLowerCase() === "basic")
        error = `'authorization' type cannot be set to "basic", use "basicAuth" instead`;
      else error = sigv4Error(am);
    }
    if (error)
      report(
        `${where}: prometheus-operator refuses it with 'creating config failed: alertmanager ${i}: ${error}' (pkg/prometheus/server/` +
          `operator.go validateAlertmanagerEndpoints / addAlertmanagerEndpointsToStore), and ${PROM_STOPS}. Fix: keep one ` +
          `authentication method on the endpoint and correct it as the message says.`,
      );
  });
}

/** WebTLSConfig.Validate (pkg/apis/monitoring/v1/types.go), in its order. */
function webTlsError(tls: Obj): string | undefined {
  const som = (value: unknown) => {
    const o = obj(value);
    return {
      any: !!o && (set(o, "secret") || set(o, "configMap")),
      both: !!o && set(o, "secret") && set(o, "configMap"),
    };
  };
  const clientCA = som(tls.clientCA);
  const cert = som(tls.cert);
  const keySecret = obj(tls.keySecret);
  const hasKeySecret = !!keySecret && (text(keySecret.name) !== "" || text(keySecret.key) !== "");
  if (clientCA.any) {
    if (text(tls.clientCAFile) !== "") return "cannot specify both clientCAFile and clientCA";
    if (clientCA.both) return "invalid client CA: cannot specify both Secret and ConfigMap";
  }
  if (cert.any) {
    if (text(tls.certFile) !== "") return "cannot specify both cert and certFile";
    if (cert.both) return "invalid TLS certificate: cannot specify both Secret and ConfigMap";
  }
  if (text(tls.keyFile) !== "" && hasKeySecret) return "cannot specify both keyFile and keySecret";
  if (text(tls.keyFile) === "" && !hasKeySecret) return "TLS private key must be defined";
  if (text(tls.certFile) === "" && !cert.any) return "TLS certificate must be defined";
  return undefined;
}

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
function prometheusManagedArgs(spec: Obj): string[] {
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
function alertmanagerManagedArgs(spec: Obj, enableFeatures: unknown): string[] {
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
function collisions(managed: string[], additional: unknown): string[] {
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

/** Helm's coalescing of user values over chart defaults: maps merge, null deletes, anything else replaces. */
function coalesce(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Obj = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else out[key] = coalesce(base[key], value);
  }
  return out;
}

/** kube-prometheus-stack 88.5.3 values.yaml alertmanager.config (the routing part). */
const CHART_ALERTMANAGER_CONFIG: Obj = {
  route: { receiver: "null", routes: [{ receiver: "null", matchers: ['alertname = "Watchdog"'] }] },
  receivers: [{ name: "null" }],
};

/** Alertmanager config.Load (config/config.go, v0.33.1) and the operator's root-route checks, routing part only. */
function alertmanagerConfigError(config: Obj): string | undefined {
  const receivers = Array.isArray(config.receivers) ? config.receivers : [];
  const names = new Set<string>();
  for (const receiver of receivers) {
    const name = text(obj(receiver)?.name);
    if (name === "") return "missing name in receiver";
    if (names.has(name)) return `notification config name ${q(name)} is not unique`;
    names.add(name);
  }
  const route = obj(config.route);
  if (!route) return "no route provided in config";
  if (route.continue === true) return "cannot have continue in root route";
  if (text(route.receiver) === "") return "root route must specify a default receiver";
  const nonEmpty = (v: unknown) =>
    (Array.isArray(v) && v.length > 0) ||
    (isPlainObject(v) && Object.keys(v).length > 0) ||
    (typeof v === "string" && v !== "");
  if (["match", "match_re", "matchers"].some((key) => nonEmpty(route[key])))
    return "root route must not have any matchers";
  if (Array.isArray(route.mute_time_intervals) && route.mute_time_intervals.length > 0)
    return "root route must not have any mute time intervals";
  if (Array.isArray(route.active_time_intervals) && route.active_time_intervals.length > 0)
    return "root route must not have any active time intervals";
  const intervals = new Set<string>();
  for (const key of ["mute_time_intervals", "time_intervals"])
    for (const ti of Array.isArray(config[key]) ? (config[key] as unknown[]) : []) intervals.add(text(obj(ti)?.name));
  const walk = (r: Obj): string | undefined => {
    if (text(r.receiver) !== "" && !names.has(text(r.receiver)))
      return `undefined receiver ${q(r.receiver)} used in route`;
    for (const key of ["mute_time_intervals", "active_time_intervals"])
      for (const ti of Array.isArray(r[key]) ? (r[key] as unknown[]) : [])
        if (!intervals.has(text(ti))) return `undefined time interval ${q(ti)} used in route`;
    for (const child of Array.isArray(r.routes) ? r.routes : []) {
      const error = obj(child) ? walk(child as Obj) : undefined;
      if (error) return error;
    }
    return undefined;
  };
  return walk(route);
}

function checkPrometheus(release: HelmRelease, report: Report, ctx: RuleContext<object>): void {
  const values = release.values;
  if (values.at("prometheus.enabled").raw() === false) return;
  const specNode = values.at("prometheus.prometheusSpec");
  const agent = values.at("prometheus.agentMode").raw() === true;
  const spec = obj(specNode.raw()) ?? {};

  const writes = combined(specNode, "remoteWrite", "additionalRemoteWrite");
  if (writes instanceof PropNode) ctx.inconclusive(writes.unknown());
  else {
    checkRemoteWrite(writes, report);
    for (const { where, spec: rw } of writes)
      if (typeof rw.url === "string" && !URL_PATTERN.test(rw.url))
        report(
          `${where}.url=${q(rw.url)} does not match the CRD's URL pattern ^(http|https)://.+$: ${API_REFUSES}. Fix: give an http(s):// URL.`,
        );
  }
  if (!agent) {
    const reads = combined(specNode, "remoteRead", "additionalRemoteRead");
    if (reads instanceof PropNode) ctx.inconclusive(reads.unknown());
    else checkRemoteRead(reads, report);
    const alerting = spec.disableAlerting !== true;
    if (alerting) checkAlertingEndpoints(specNode, report, ctx);
  }

  if (containsUnknownSentinel(spec)) {
    ctx.inconclusive(specNode.unknown());
    return;
  }
  const hits = collisions(prometheusManagedArgs(spec), spec.additionalArgs);
  if (hits.length > 0)
    report(
      `${specNode.where}.additionalArgs sets ${hits.join(", ")}, which prometheus-operator sets itself: it refuses the StatefulSet with ` +
        `'making statefulset failed: can't set arguments which are already managed by the operator: ${hits.join(",")}' ` +
        `(pkg/operator/argument.go BuildArgs), and ${PROM_STOPS}. Fix: use the spec field that drives the flag ` +
        `(e.g. retention, enableFeatures, logLevel, query, web, externalUrl) instead of additionalArgs.`,
    );
  const tls = obj(obj(spec.web)?.tlsConfig);
  const tlsError = tls ? webTlsError(tls) : undefined;
  if (tlsError)
    report(
      `${specNode.where}.web.tlsConfig: prometheus-operator refuses it with 'synchronizing web config secret failed: failed to initialize ` +
        `web config: ${tlsError}' (pkg/webconfig/config.go New / WebTLSConfig.Validate), and ${PROM_STOPS}. Fix: set exactly one ` +
        `certificate (cert or certFile) and one key (keySecret or keyFile).`,
    );
  if (typeof spec.retention === "string" && !DURATION.test(spec.retention))
    report(
      `${specNode.where}.retention=${q(spec.retention)} is not a prometheus-operator Duration (pattern ${DURATION.source}, e.g. 15d or ` +
        `36h): ${API_REFUSES}. Fix: write it as whole units such as 10d or 240h.`,
    );
  if (typeof spec.retentionSize === "string" && spec.retentionSize !== "" && !BYTE_SIZE.test(spec.retentionSize))
    report(
      `${specNode.where}.retentionSize=${q(spec.retentionSize)} is not a prometheus-operator ByteSize (pattern ${BYTE_SIZE.source}, e.g. ` +
        `50GiB): ${API_REFUSES}. Fix: end it in B (50GiB or 50GB, not 50Gi).`,
    );
  checkScrapeIntervals(release, spec, specNode.where, agent, report, ctx);
}

/** The CRD default of Prometheus.spec.scrapeInterval (prometheus_types.go +kubebuilder:default:="30s"). */
const DEFAULT_SCRAPE_INTERVAL = "30s";
/** kube-prometheus-stack 88.5.3 values.yaml kubelet.serviceMonitor defaults the checks below read. */
const KUBELET_DEFAULTS: Obj = {
  kubelet: true,
  probes: true,
  cAdvisor: true,
  resource: false,
  interval: "",
  cAdvisorInterval: "10s",
  resourceInterval: "10s",
  scrapeTimeout: "",
};

/** A Duration field the chart renders only when truthy; its text when set, undefined otherwise. */
const rendered = (value: unknown): string | undefined =>
  value === undefined || value === null || value === "" || value === false ? undefined : String(value);

function checkScrapeIntervals(
  release: HelmRelease,
  spec: Obj,
  where: string,
  agent: boolean,
  report: Report,
  ctx: RuleContext<object>,
): void {
  const fields: Array<[string, boolean]> = [
    ["scrapeInterval", true],
    ["scrapeTimeout", true],
    ["evaluationInterval", !agent],
    ["ruleQueryOffset", !agent],
  ];
  const bad = new Set<string>();
  for (const [key, renders] of fields) {
    const value = rendered(spec[key]);
    if (!renders || value === undefined || DURATION.test(value)) continue;
    bad.add(key);
    report(
      `${where}.${key}=${q(spec[key])} is not a prometheus-operator Duration (pattern ${DURATION.source}, e.g. 30s or 1m30s): ` +
        `${API_REFUSES}. Fix: write it as whole units such as 30s, 1m or 1m30s.`,
    );
  }
  if (bad.has("scrapeInterval") || bad.has("scrapeTimeout")) return;
  const interval = rendered(spec.scrapeInterval) ?? DEFAULT_SCRAPE_INTERVAL;
  const timeout = rendered(spec.scrapeTimeout);
  const intervalMs = parseDurationMs(interval, "prometheus");
  if (timeout !== undefined && intervalMs !== undefined) {
    const timeoutMs = parseDurationMs(timeout, "prometheus");
    if (timeoutMs !== undefined && timeoutMs > intervalMs)
      report(
        `${where}.scrapeTimeout=${q(timeout)} is greater than scrapeInterval ${q(interval)}${rendered(spec.scrapeInterval) ? "" : " (the CRD default)"}: ` +
          `prometheus-operator refuses to generate the configuration ('creating config failed: generating config failed: scrapeTimeout ` +
          `"${timeout}" greater than scrapeInterval "${interval}"', pkg/prometheus/promcfg.go CompareScrapeTimeoutToScrapeInterval), and ` +
          `${PROM_STOPS}. Fix: keep prometheus.prometheusSpec.scrapeTimeout at or below scrapeInterval (raise scrapeInterval or lower the timeout).`,
      );
  }
  if (intervalMs === undefined) return;

  // The kubelet ServiceMonitor (templates/exporters/kubelet/servicemonitor.yaml).
  const values = release.values;
  const gates = [
    values.at("kubelet.enabled"),
    values.at("kubelet.serviceMonitor"),
    values.at("kubernetesServiceMonitors.enabled"),
  ];
  const raws = gates.map((g) => g.raw());
  if (raws.some((r) => containsUnknownSentinel(r)) || gates.some((g) => g.isUnknown))
    return ctx.inconclusive(gates[1].unknown());
  if (raws[0] === false || raws[2] === false) return;
  const sm: Obj = { enabled: true, ...KUBELET_DEFAULTS, ...(obj(raws[1]) ?? {}) };
  const smTimeout = rendered(sm.scrapeTimeout);
  if (!sm.enabled || smTimeout === undefined) return;
  const smTimeoutMs = parseDurationMs(smTimeout, "prometheus");
  if (smTimeoutMs === undefined) return;
  const own = rendered(sm.interval);
  const endpoints: Array<[string, boolean, string | undefined]> = [
    ["kubelet", sm.kubelet === true, own],
    ["cAdvisor", sm.cAdvisor === true, own ?? rendered(sm.cAdvisorInterval)],
    ["probes", sm.probes === true, own],
    ["resource", sm.resource === true, own ?? rendered(sm.resourceInterval)],
  ];
  const short: string[] = [];
  for (const [name, on, endpointInterval] of endpoints) {
    if (!on) continue;
    // resource_selector.go validateScrapeIntervalAndTimeout: an empty endpoint interval takes Prometheus' scrapeInterval.
    const effective = endpointInterval ?? interval;
    const ms = parseDurationMs(effective, "prometheus");
    if (ms !== undefined && smTimeoutMs > ms) short.push(`${name} (interval ${effective})`);
  }
  if (short.length > 0)
    report(
      `kubelet.serviceMonitor.scrapeTimeout=${q(smTimeout)} is greater than the interval of the kubelet ServiceMonitor's ${short.join(", ")} ` +
        `endpoint${short.length > 1 ? "s" : ""}: prometheus-operator rejects the whole ServiceMonitor ('scrapeTimeout "${smTimeout}" greater than ` +
        `scrapeInterval', pkg/prometheus/resource_selector.go checkServiceMonitor, logged as "skipping object"), so no kubelet, cAdvisor ` +
        `or probe series is scraped (silent loss of node and container metrics). Fix: lower kubelet.serviceMonitor.scrapeTimeout to at most ` +
        `the shortest interval (cAdvisorInterval and resourceInterval default to 10s) or raise those intervals.`,
    );
}

function checkAlertmanager(release: HelmRelease, report: Report, ctx: RuleContext<object>): void {
  const values = release.values;
  const amNode = values.at("alertmanager");
  const am = amNode.raw();
  if (containsUnknownSentinel(am) || amNode.isUnknown) return ctx.inconclusive(amNode.unknown());
  const a = obj(am) ?? {};
  if (a.enabled === false) return;
  const spec = obj(a.alertmanagerSpec) ?? {};
  const hits = collisions(alertmanagerManagedArgs(spec, a.enableFeatures), spec.additionalArgs);
  if (hits.length > 0)
    report(
      `${amNode.where}.alertmanagerSpec.additionalArgs sets ${hits.join(", ")}, which prometheus-operator sets itself: it refuses the ` +
        `StatefulSet with 'failed to generate statefulset: can't set arguments which are already managed by the operator: ${hits.join(",")}' ` +
        `(pkg/operator/argument.go BuildArgs), and ${AM_STOPS}. Fix: use the alertmanagerSpec field that drives the flag instead.`,
    );
  const tls = obj(obj(spec.web)?.tlsConfig);
  const tlsError = tls ? webTlsError(tls) : undefined;
  if (tlsError)
    report(
      `${amNode.where}.alertmanagerSpec.web.tlsConfig: prometheus-operator refuses it with 'failed to synchronize the web config secret: ... ` +
        `${tlsError}' (WebTLSConfig.Validate), and ${AM_STOPS}. Fix: set exactly one certificate and one key.`,
    );
  // The chart's Secret holds alertmanager.config only when it writes the Secret from a map the pack can read
  // (templates/alertmanager/secret.yaml); configSecret / alertmanagerConfiguration make the operator read elsewhere.
  if (
    a.useExistingSecret === true ||
    a.tplConfig === true ||
    text(spec.configSecret) !== "" ||
    set(spec, "alertmanagerConfiguration")
  )
    return;
  if (set(a, "config") && !isPlainObject(a.config)) return;
  const config = obj(coalesce(CHART_ALERTMANAGER_CONFIG, a.config));
  const error = config ? alertmanagerConfigError(config) : undefined;
  if (error)
    report(
      `${amNode.where}.config (merged over the chart's default) is refused by Alertmanager's config loader, which prometheus-operator runs ` +
        `first: 'provision alertmanager configuration: failed to initialize from secret: ${error}' (pkg/alertmanager/amcfg.go ` +
        `alertmanagerConfigFromBytes / Alertmanager config/config.go), and ${AM_STOPS}. Fix: make every route name a receiver listed ` +
        `under alertmanager.config.receivers (lists replace the chart's, so list 'null' too if a route still uses it), and give the root ` +
        `route a receiver and no matchers.`,
    );
}

export const prometheusSpecsValid = stackRule<object>(
  {
    name: "prometheus-specs-valid",
    rule: "U7",
    description:
      "The Prometheus and Alertmanager resources kube-prometheus-stack renders must pass prometheus-operator's checks (one auth method per remote-write/read and alerting endpoint, no additionalArgs the operator sets, complete web TLS, CRD formats, scrapeTimeout within scrapeInterval and the kubelet ServiceMonitor intervals) and Alertmanager's config loader",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep one authentication method per remoteWrite/remoteRead/alertingEndpoints entry, drive flags through spec fields rather than additionalArgs, give web.tlsConfig one certificate and one key, write retention as 10d / retentionSize as 50GiB, keep scrapeTimeout (and kubelet.serviceMonitor.scrapeTimeout) at or below the scrape intervals (default 30s; cAdvisor and resource 10s), and keep every Alertmanager route's receiver defined.",
    url: "https://github.com/prometheus-operator/prometheus-operator/blob/v0.93.0/pkg/prometheus/operator.go (validateRemoteWriteSpec); pkg/prometheus/server/operator.go (sync); pkg/operator/argument.go (BuildArgs)",
    tags: ["prometheus", "alertmanager", "rollout"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      const report = (message: string) => ctx.violation(message, release.resource.urn);
      checkPrometheus(release, report, ctx);
      checkAlertmanager(release, report, ctx);
    }
  },
);
