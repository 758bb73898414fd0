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
// - remoteWrite/remoteRead names and additionalScrapeConfigs job names (prometheus-specs/config-names.ts): the operator
//   copies them unchecked; Prometheus' config loader (config/config.go Config.UnmarshalYAML) refuses a repeated
//   remote_write or remote_read name, a repeated or missing job_name, and remote/write.go two identical unnamed
//   remote-write entries, so Prometheus crash-loops.
// Not inventoried because nothing stops: queueConfig / metadataConfig values (the operator copies them unchecked and
// Prometheus has no range check), shards and replicas (no operator check beyond the CRD's int32).
// The checks live in prometheus-specs/ (endpoint-auth, web-tls, managed-args, alertmanager-config, scrape-intervals).
import { PropNode } from "../../lib/node";
import { isPlainObject } from "../../lib/plain";
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { containsUnknownSentinel } from "../../lib/unknown";
import {
  CHART_ALERTMANAGER_CONFIG,
  alertmanagerConfigError,
  alertmanagerReceiverError,
  coalesce,
} from "./prometheus-specs/alertmanager-config";
import {
  AM_STOPS,
  API_REFUSES,
  BYTE_SIZE,
  DURATION,
  PROM_STOPS,
  Report,
  URL_PATTERN,
  obj,
  q,
  set,
  text,
} from "./prometheus-specs/common";
import { checkRemoteReadNames, checkRemoteWriteNames, checkScrapeJobNames } from "./prometheus-specs/config-names";
import { checkAlertingEndpoints, checkRemoteRead, checkRemoteWrite, combined } from "./prometheus-specs/endpoint-auth";
import { alertmanagerManagedArgs, collisions, prometheusManagedArgs } from "./prometheus-specs/managed-args";
import { checkScrapeIntervals } from "./prometheus-specs/scrape-intervals";
import { webTlsError } from "./prometheus-specs/web-tls";
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
    checkRemoteWriteNames(writes, report);
    for (const { where, spec: rw } of writes)
      if (typeof rw.url === "string" && !URL_PATTERN.test(rw.url))
        report(
          `${where}.url=${q(rw.url)} does not match the CRD's URL pattern ^(http|https)://.+$: ${API_REFUSES}. Fix: give an http(s):// URL.`,
        );
  }
  if (!agent) {
    const reads = combined(specNode, "remoteRead", "additionalRemoteRead");
    if (reads instanceof PropNode) ctx.inconclusive(reads.unknown());
    else {
      checkRemoteRead(reads, report);
      checkRemoteReadNames(reads, report);
    }
    const alerting = spec.disableAlerting !== true;
    if (alerting) checkAlertingEndpoints(specNode, report, ctx);
  }

  if (containsUnknownSentinel(spec)) {
    ctx.inconclusive(specNode.unknown());
    return;
  }
  checkScrapeJobNames(spec.additionalScrapeConfigs, `${specNode.where}.additionalScrapeConfigs`, report);
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
  const receiverError = config && !error ? alertmanagerReceiverError(config) : undefined;
  if (receiverError)
    report(
      `${amNode.where}.config (merged over the chart's default) is refused by Alertmanager's config loader, which prometheus-operator runs ` +
        `first: 'provision alertmanager configuration: failed to initialize from secret: ${receiverError}' (Alertmanager config/config.go ` +
        `Config.UnmarshalYAML), and ${AM_STOPS}. Fix: give the notifier its own endpoint or key (api_url, api_key, smarthost/from, url, ` +
        `routing_key, or the *_file variant) or set the matching alertmanager.config.global setting.`,
    );
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
      "The Prometheus and Alertmanager resources kube-prometheus-stack renders must pass prometheus-operator's checks (one auth method per remote-write/read and alerting endpoint, no additionalArgs the operator sets, complete web TLS, CRD formats, scrapeTimeout within scrapeInterval and the kubelet ServiceMonitor intervals), Prometheus' config loader (unique remoteWrite/remoteRead names and additionalScrapeConfigs job names) and Alertmanager's config loader",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep one authentication method per remoteWrite/remoteRead/alertingEndpoints entry, drive flags through spec fields rather than additionalArgs, give web.tlsConfig one certificate and one key, write retention as 10d / retentionSize as 50GiB, keep scrapeTimeout (and kubelet.serviceMonitor.scrapeTimeout) at or below the scrape intervals (default 30s; cAdvisor and resource 10s), and give every remoteWrite / remoteRead entry and additional scrape job its own name, and keep every Alertmanager route's receiver defined.",
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
