// W9: every Secret a chart's pods mount or read by name must exist in the release namespace, and every key they
// read must be a key of that Secret.
// - Names. Kubernetes does not start a pod whose secret volume names a missing Secret (the kubelet waits for the
//   volume: "MountVolume.SetUp failed ... secret not found"), nor a container whose env secretKeyRef / envFrom
//   secretRef names one unless it is `optional: true` (CreateContainerConfigError) (Kubernetes docs, "Secrets": "If
//   the Secret does not exist ... the Pod will not start"; EnvVarSource / EnvFromSource `optional`).
//   The stack creates its Secrets itself (kubernetes:core/v1:Secret), and the Strimzi User Operator creates one named
//   after each KafkaUser in its namespace (Strimzi docs, "Configuring Kafka users": "the User Operator creates a Secret
//   with the same name as the KafkaUser"). A Secret created outside the stack is legitimate, so a name the stack does
//   not declare is refused only when it looks like a mistake: a near miss of a Secret the stack declares in that
//   namespace (edit distance <= 2, or one name contains the other), or while a Secret the stack declares there is
//   referenced by nothing (the reference replaced the program's own). Otherwise it is only an advisory reminder.
// - Keys. A SecretKeySelector {name, key} on a Secret the stack declares is refused when the Secret's declared keys
//   (data / stringData, policies/lib/secret-keys.ts; shared with W10) lack the key. Contents the pack cannot list (a
//   first preview's unknown Output, a Secret declared without data/stringData) are not judged. What resolves them:
//   - env `valueFrom.secretKeyRef` anywhere in a release's values or a Strimzi CR's container templates (Strimzi api
//     ContainerEnvVarSource.secretKeyRef): the kubelet does not start the container ("couldn't find key <key> in
//     Secret", CreateContainerConfigError) unless `optional: true` (Kubernetes API EnvVarSource / SecretKeySelector).
//   - prometheus-operator v0.93 (kube-prometheus-stack 88.5.3, chart templates/prometheus/prometheus.yaml passes
//     prometheusSpec.remoteWrite / remoteRead / apiserverConfig / alertingEndpoints / scrapeClasses through; with no
//     alertingEndpoints the chart's own endpoint carries alertmanager.alertmanagerSpec.tlsConfig): before it writes the
//     Prometheus configuration, Operator.createOrUpdateConfigurationSecret (pkg/prometheus/server/operator.go) loads
//     every SecretKeySelector of these HTTP client configs through StoreBuilder.GetSecretKey (pkg/assets/store.go:
//     `key %q in secret %q not found`, no `optional` honoured): basicAuth username/password, authorization.credentials,
//     oauth2 clientId.secret / clientSecret, tlsConfig ca.secret / cert.secret / keySecret (pkg/assets/tls.go
//     addTLSAssets), sigv4 accessKey/secretKey, azureAd.oauth.clientSecret, proxyConnectHeader (pkg/prometheus/store.go,
//     addAlertmanagerEndpointsToStore, AddScrapeClassesToStore). The error ends the sync ("creating config failed"):
//     no configuration and no StatefulSet is generated, so a new Prometheus never runs and an existing one keeps its
//     last configuration with no later change applied. additionalScrapeConfigsSecret / additionalAlertRelabelConfigsSecret
//     / additionalAlertManagerConfigsSecret {name, key} go through pkg/k8s/secrets.go LoadSecretRef (`key %v could not
//     be found in secret %v`; `optional` honoured, only the AlertManager one passes it through the chart) with the
//     same result. thanos.objectStorageConfig.existingSecret becomes the thanos-sidecar's env OBJSTORE_CONFIG
//     secretKeyRef (pkg/prometheus/server/statefulset.go): CreateContainerConfigError.
//   - Grafana (grafana chart 12.11.1 templates/_pod.tpl): admin.existingSecret is read through env secretKeyRefs with
//     admin.userKey (default admin-user) unless env GF_SECURITY_ADMIN_USER / __FILE or
//     GF_SECURITY_DISABLE_INITIAL_ADMIN_CREATION is set, and admin.passwordKey (default admin-password) unless
//     GF_SECURITY_ADMIN_PASSWORD / __FILE or the same DISABLE is set: CreateContainerConfigError.
//   - Gateway basic auth: the Loki (loki 18.11.0 templates/_helpers.tpl loki.nginxFile) and Mimir (mimir-distributed
//     values.yaml gateway.nginx.basicAuth.existingSecret: "Must contain '.htpasswd' key") gateways mount the Secret at
//     /etc/nginx/secrets and nginx reads `auth_basic_user_file /etc/nginx/secrets/.htpasswd` per request; a missing
//     file answers 403 (nginx ngx_http_auth_basic_module: NGX_ENOENT -> NGX_HTTP_FORBIDDEN) to every request. Judged
//     only with the chart's own nginx config file.
//   - Strimzi KafkaUser scram-sha-512 `authentication.password.valueFrom.secretKeyRef`: the User Operator refuses the
//     user ("Secret <name> does not contain the key <key> with requested user password.", user-operator
//     KafkaUserModel.maybeGeneratePassword), so it never becomes Ready and its credentials are never created.
//   Secrets the User Operator makes hold `password`, `sasl.jaas.config` (scram-sha-512) or `ca.crt`, `user.crt`,
//   `user.key` and, with PKCS12 stores, `user.p12`, `user.password` (tls) (KafkaUserModel.generateSecret).
// - Namespaces. A pod reads Secrets only from its own namespace (Kubernetes docs, "Secrets": "A Secret can only be
//   referenced by Pods in that same namespace"; secretKeyRef / secretRef / secret volumes carry no namespace). The
//   charts let a namespaceOverride move their objects out of the release namespace: loki 18.11.0 and alloy 1.11.1
//   (`namespaceOverride`, _helpers.tpl loki.namespace / alloy.namespace), kube-prometheus-stack 88.5.3
//   (`namespaceOverride` for its own objects, _helpers.tpl kube-prometheus-stack.namespace) and each of its subcharts
//   under its own key (grafana 12.11.1 _helpers.tpl grafana.namespace `grafana.namespaceOverride`; kube-state-metrics
//   8.4.0, prometheus-node-exporter 4.56.1, prometheus-windows-exporter 0.12.8 _helpers.tpl `namespaceOverride`). A
//   reference resolves in the namespace its pods run in; one a namespaceOverride moved away from the namespace where the
//   stack declares that Secret is refused (the pod does not start). A namespaceOverride naming a namespace the stack does not declare (no
//   kubernetes:core/v1:Namespace; Helm creates at most the release namespace, so applying the release's objects there
//   fails with `namespaces "<name>" not found`) is an advisory, like any object the stack expects to exist already.
import { RuleContext, stackRule } from "../../lib/policy";
import { declaredKeys, DeclaredKeys } from "../../lib/secret-keys";
import { HelmRelease, StackView } from "../../lib/stack";
import { CHARTS, TYPES } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";

interface Ref {
  name: string;
  where: string;
  how: string;
  /** The key a SecretKeySelector reads (judged against the Secret's declared keys). */
  key?: string;
  /** What a missing key does, for the key check. */
  missingKey?: string;
  /** The values path that sets the key (undefined: the chart fixes it). */
  keyAt?: string;
  /** Namespace the reference resolves in, when not the release's. */
  namespace?: string;
  /** The namespaceOverride that put it there (`grafana.namespaceOverride="grafana"`), for messages. */
  movedBy?: string;
  /** What a missing Secret does, when not a pod's refusal to start. */
  missingSecret?: string;
}

const ENV_KEY =
  "the kubelet does not start that container (CreateContainerConfigError: couldn't find key in Secret), so the pod never runs";
const OPERATOR_KEY =
  'prometheus-operator refuses to reconcile the Prometheus resource (pkg/assets/store.go GetSecretKey: key "…" in secret "…" not found): it generates no configuration and no StatefulSet, so nothing is scraped or remote-written (an existing Prometheus keeps its last configuration and no later change is applied)';

const OPERATOR_SECRET =
  "prometheus-operator cannot load it (unable to get secret) and does not reconcile the Prometheus resource, so nothing is scraped or remote-written";

/** Levenshtein distance (two-row dynamic programming). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** A declared name the reference looks like a slip of. */
function nearMiss(ref: string, declared: string): boolean {
  if (ref === declared) return false;
  if (editDistance(ref, declared) <= 2) return true;
  const [short, long] = ref.length < declared.length ? [ref, declared] : [declared, ref];
  return short.length >= 6 && long.includes(short);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isUnknown(v);
}

/** A plain (untemplated) non-empty string. */
function plain(v: unknown): v is string {
  return typeof v === "string" && v !== "" && !v.includes("{{");
}

/**
 * Secret references in Kubernetes shapes anywhere in a release's values or a CR's spec (the charts pass `env`,
 * `extraEnv`, `extraEnvFrom`, `extraVolumes` of every component through to the pod spec): env
 * `valueFrom.secretKeyRef` (name and key), envFrom `secretRef.name`, volume `secret.secretName`; `optional: true`
 * ones are skipped.
 */
function walk(value: unknown, path: string, refs: Ref[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${path}[${i}]`, refs));
    return;
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (isObject(child) && child.optional !== true) {
      if (key === "secretKeyRef" && typeof child.name === "string")
        refs.push({
          name: child.name,
          where: `${here}.name`,
          how: "env secretKeyRef (CreateContainerConfigError)",
          ...(plain(child.key) ? { key: child.key, keyAt: `${here}.key`, missingKey: ENV_KEY } : {}),
        });
      if (key === "secretRef" && typeof child.name === "string")
        refs.push({ name: child.name, where: `${here}.name`, how: "envFrom secretRef (CreateContainerConfigError)" });
      if (key === "secret" && typeof child.secretName === "string")
        refs.push({ name: child.secretName, where: `${here}.secretName`, how: "secret volume (pod never starts)" });
    }
    walk(child, here, refs);
  }
}

function at(values: unknown, path: string[]): unknown {
  let node: unknown = values;
  for (const key of path) node = isObject(node) ? node[key] : undefined;
  return node;
}

function enabled(values: unknown, path: string[], fallback: boolean): boolean {
  const node = at(values, path);
  return typeof node === "boolean" ? node : fallback;
}

function str(values: unknown, path: string[]): string | undefined {
  const node = at(values, path);
  return typeof node === "string" && node !== "" ? node : undefined;
}

/** A SecretKeySelector {name, key} at `where`, or nothing. */
function selector(node: unknown, where: string, how: string, missingKey: string, namespace?: string): Ref[] {
  if (!isObject(node) || !plain(node.name) || !plain(node.key)) return [];
  return [
    {
      name: node.name,
      key: node.key,
      where: `${where}.name`,
      keyAt: `${where}.key`,
      how,
      missingKey,
      namespace,
      missingSecret: how.startsWith("prometheus-operator") ? OPERATOR_SECRET : undefined,
    },
  ];
}

/** prometheus-operator SecretKeySelectors of a TLSConfig / SafeTLSConfig (pkg/assets/tls.go addTLSAssets). */
function tlsSelectors(tls: unknown, where: string, how: string, namespace?: string): Ref[] {
  if (!isObject(tls)) return [];
  return [
    ...selector(at(tls, ["ca", "secret"]), `${where}.ca.secret`, how, OPERATOR_KEY, namespace),
    ...selector(at(tls, ["cert", "secret"]), `${where}.cert.secret`, how, OPERATOR_KEY, namespace),
    ...selector(tls.keySecret, `${where}.keySecret`, how, OPERATOR_KEY, namespace),
  ];
}

/** ProxyConfig.proxyConnectHeader: header -> SecretKeySelectors (pkg/assets/store.go AddProxyConfig). */
function proxySelectors(cfg: Record<string, unknown>, where: string, how: string, namespace?: string): Ref[] {
  const headers = cfg.proxyConnectHeader;
  if (!isObject(headers)) return [];
  return Object.entries(headers).flatMap(([header, list]) =>
    Array.isArray(list)
      ? list.flatMap((sel, i) =>
          selector(sel, `${where}.proxyConnectHeader.${header}[${i}]`, how, OPERATOR_KEY, namespace),
        )
      : [],
  );
}

/**
 * SecretKeySelectors prometheus-operator loads from one HTTP client config (RemoteWriteSpec, RemoteReadSpec,
 * APIServerConfig, AlertmanagerEndpoints; pkg/apis/monitoring/v1 field names).
 */
function clientSelectors(cfg: unknown, where: string, namespace?: string): Ref[] {
  if (!isObject(cfg)) return [];
  const how = "prometheus-operator SecretKeySelector";
  const oauth2 = isObject(cfg.oauth2) ? cfg.oauth2 : undefined;
  return [
    ...selector(at(cfg, ["basicAuth", "username"]), `${where}.basicAuth.username`, how, OPERATOR_KEY, namespace),
    ...selector(at(cfg, ["basicAuth", "password"]), `${where}.basicAuth.password`, how, OPERATOR_KEY, namespace),
    ...selector(
      at(cfg, ["authorization", "credentials"]),
      `${where}.authorization.credentials`,
      how,
      OPERATOR_KEY,
      namespace,
    ),
    ...(oauth2
      ? [
          ...selector(
            at(oauth2, ["clientId", "secret"]),
            `${where}.oauth2.clientId.secret`,
            how,
            OPERATOR_KEY,
            namespace,
          ),
          ...selector(oauth2.clientSecret, `${where}.oauth2.clientSecret`, how, OPERATOR_KEY, namespace),
          ...tlsSelectors(oauth2.tlsConfig, `${where}.oauth2.tlsConfig`, how, namespace),
          ...proxySelectors(oauth2, `${where}.oauth2`, how, namespace),
        ]
      : []),
    ...tlsSelectors(cfg.tlsConfig, `${where}.tlsConfig`, how, namespace),
    ...selector(at(cfg, ["sigv4", "accessKey"]), `${where}.sigv4.accessKey`, how, OPERATOR_KEY, namespace),
    ...selector(at(cfg, ["sigv4", "secretKey"]), `${where}.sigv4.secretKey`, how, OPERATOR_KEY, namespace),
    ...selector(
      at(cfg, ["azureAd", "oauth", "clientSecret"]),
      `${where}.azureAd.oauth.clientSecret`,
      how,
      OPERATOR_KEY,
      namespace,
    ),
    ...proxySelectors(cfg, where, how, namespace),
  ];
}

function list(values: unknown, path: string[]): unknown[] {
  const node = at(values, path);
  return Array.isArray(node) ? node : [];
}

/** The Prometheus resource's SecretKeySelectors as kube-prometheus-stack renders them (templates/prometheus/prometheus.yaml). */
function prometheusRefs(values: unknown): Ref[] {
  if (!enabled(values, ["prometheus", "enabled"], true)) return [];
  // kube-prometheus-stack _helpers.tpl "kube-prometheus-stack.namespace": namespaceOverride, else the release's.
  const namespace = str(values, ["namespaceOverride"]);
  const agent = enabled(values, ["prometheus", "agentMode"], false);
  const spec = ["prometheus", "prometheusSpec"];
  const base = "prometheus.prometheusSpec";
  const refs: Ref[] = [];
  list(values, [...spec, "remoteWrite"]).forEach((rw, i) =>
    refs.push(...clientSelectors(rw, `${base}.remoteWrite[${i}]`, namespace)),
  );
  refs.push(...clientSelectors(at(values, [...spec, "apiserverConfig"]), `${base}.apiserverConfig`, namespace));
  list(values, [...spec, "scrapeClasses"]).forEach((sc, i) =>
    refs.push(
      ...tlsSelectors(
        at(sc, ["tlsConfig"]),
        `${base}.scrapeClasses[${i}].tlsConfig`,
        "prometheus-operator SecretKeySelector",
        namespace,
      ),
    ),
  );
  const loaded = (key: string, optionalHonoured: boolean) => {
    const sel = at(values, [...spec, key]);
    if (!isObject(sel)) return;
    if (key === "additionalScrapeConfigsSecret" && sel.enabled !== true) return; // rendered only when enabled
    if (optionalHonoured && sel.optional === true) return;
    refs.push(
      ...selector(
        sel,
        `${base}.${key}`,
        "prometheus-operator Secret reference",
        "prometheus-operator fails to reconcile the Prometheus resource (pkg/k8s/secrets.go LoadSecretRef: key could not be found in secret): no configuration and no StatefulSet is generated, so nothing is scraped or remote-written (an existing Prometheus keeps its last configuration)",
        namespace,
      ),
    );
  };
  loaded("additionalScrapeConfigsSecret", false);
  if (!agent) {
    list(values, [...spec, "remoteRead"]).forEach((rr, i) =>
      refs.push(...clientSelectors(rr, `${base}.remoteRead[${i}]`, namespace)),
    );
    if (!enabled(values, [...spec, "disableAlerting"], false)) {
      const endpoints = list(values, [...spec, "alertingEndpoints"]);
      endpoints.forEach((am, i) => refs.push(...clientSelectors(am, `${base}.alertingEndpoints[${i}]`, namespace)));
      if (endpoints.length === 0 && enabled(values, ["alertmanager", "enabled"], true))
        refs.push(
          ...tlsSelectors(
            at(values, ["alertmanager", "alertmanagerSpec", "tlsConfig"]),
            "alertmanager.alertmanagerSpec.tlsConfig",
            "prometheus-operator SecretKeySelector (the Prometheus alerting endpoint)",
            namespace,
          ),
        );
    }
    loaded("additionalAlertManagerConfigsSecret", true);
    loaded("additionalAlertRelabelConfigsSecret", false);
    refs.push(
      ...selector(
        at(values, [...spec, "thanos", "objectStorageConfig", "existingSecret"]),
        `${base}.thanos.objectStorageConfig.existingSecret`,
        "thanos-sidecar env secretKeyRef",
        "the kubelet does not start the thanos-sidecar container (CreateContainerConfigError), so the Prometheus pods never become ready",
        namespace,
      ),
    );
  }
  return refs;
}

/** Whether the nginx config file is the chart's own (which reads /etc/nginx/secrets/.htpasswd). */
function chartNginxFile(file: unknown, helper: string): boolean {
  return typeof file !== "string" || file.includes(helper) || file.includes("/etc/nginx/secrets/.htpasswd");
}

/** Secret names the charts mount or read by their own keys. */
function chartRefs(release: HelmRelease, values: unknown): Ref[] {
  const refs: Ref[] = [];
  const mount = "gateway basic-auth secret volume (the gateway pods never start)";
  const htpasswd =
    "the gateway pods start but nginx finds no /etc/nginx/secrets/.htpasswd and answers 403 to every request (ngx_http_auth_basic_module), so every write is refused (not retried: dropped) and every query fails";
  if (release.chart === CHARTS.loki) {
    // loki 18.11.0 templates/gateway/_helpers.tpl: the gateway's auth secret is `gateway.basicAuth.existingSecret`
    // (default the chart's own, rendered by templates/gateway/secret.yaml only without existingSecret), mounted
    // as a secret volume by the gateway deployment when gateway.basicAuth.enabled (default false).
    const name = str(values, ["gateway", "basicAuth", "existingSecret"]);
    if (
      name &&
      enabled(values, ["gateway", "enabled"], true) &&
      enabled(values, ["gateway", "basicAuth", "enabled"], false)
    ) {
      const own = chartNginxFile(at(values, ["gateway", "nginxConfig", "file"]), "loki.nginxFile");
      refs.push({
        name,
        where: "gateway.basicAuth.existingSecret",
        how: mount,
        ...(own && plain(name) ? { key: ".htpasswd", missingKey: htpasswd } : {}),
      });
    }
  }
  if (release.chart === CHARTS.mimir) {
    // mimir-distributed values.yaml: gateway.nginx.basicAuth.existingSecret "Name of an existing basic auth secret to
    // use instead of gateway.nginx.basicAuth.htpasswd. Must contain '.htpasswd' key", mounted at /etc/nginx/secrets.
    const name = str(values, ["gateway", "nginx", "basicAuth", "existingSecret"]);
    if (name && enabled(values, ["gateway", "nginx", "basicAuth", "enabled"], false)) {
      const own = chartNginxFile(at(values, ["gateway", "nginx", "config", "file"]), "nginxFile");
      refs.push({
        name,
        where: "gateway.nginx.basicAuth.existingSecret",
        how: mount,
        ...(own && plain(name) ? { key: ".htpasswd", missingKey: htpasswd } : {}),
      });
    }
  }
  if (release.chart === CHARTS.kubePrometheusStack) {
    // grafana chart 12.11.1 templates/_pod.tpl: admin.existingSecret is read by env secretKeyRefs (admin.userKey /
    // admin.passwordKey, defaults admin-user / admin-password) in the grafana container and its sidecars.
    const name = str(values, ["grafana", "admin", "existingSecret"]);
    if (name && enabled(values, ["grafana", "enabled"], true)) {
      const how = "Grafana admin env secretKeyRef (CreateContainerConfigError)";
      const env = (v: string) => at(values, ["grafana", "env", v]);
      const disabled = Boolean(env("GF_SECURITY_DISABLE_INITIAL_ADMIN_CREATION"));
      const effect =
        "the kubelet does not start the grafana container (CreateContainerConfigError), so Grafana never runs";
      const userKey = str(values, ["grafana", "admin", "userKey"]) ?? "admin-user";
      const passwordKey = str(values, ["grafana", "admin", "passwordKey"]) ?? "admin-password";
      const readsUser = !disabled && !env("GF_SECURITY_ADMIN_USER") && !env("GF_SECURITY_ADMIN_USER__FILE");
      const readsPassword = !disabled && !env("GF_SECURITY_ADMIN_PASSWORD") && !env("GF_SECURITY_ADMIN_PASSWORD__FILE");
      const where = "grafana.admin.existingSecret";
      refs.push({ name, where, how });
      if (plain(name) && readsUser)
        refs.push({ name, where, how, key: userKey, missingKey: effect, keyAt: "grafana.admin.userKey" });
      if (plain(name) && readsPassword)
        refs.push({ name, where, how, key: passwordKey, missingKey: effect, keyAt: "grafana.admin.passwordKey" });
    }
    refs.push(...prometheusRefs(values));
  }
  return refs;
}

/** A namespaceOverride: where it applies (a values path prefix, "" for the whole release) and whether it renders. */
interface NamespaceOverride {
  /** Values paths under this prefix run in the override's namespace ("" for every path). */
  prefix: string;
  /** The values path of the override. */
  at: string;
  namespace: string;
  /** The subchart (or chart) renders at all. */
  renders: boolean;
}

/** kube-prometheus-stack 88.5.3 Chart.yaml: each subchart's key and dependency condition (with its default). */
const KPS_SUBCHARTS: ReadonlyArray<readonly [string, string[], boolean]> = [
  ["grafana", ["grafana", "enabled"], true],
  ["kube-state-metrics", ["kubeStateMetrics", "enabled"], true],
  ["prometheus-node-exporter", ["nodeExporter", "enabled"], true],
  ["prometheus-windows-exporter", ["windowsMonitoring", "enabled"], false],
];

/** The namespaceOverrides a release's values set (see the file comment), most specific first. */
function namespaceOverrides(release: HelmRelease, values: unknown): NamespaceOverride[] {
  const out: NamespaceOverride[] = [];
  if (release.chart === CHARTS.kubePrometheusStack)
    for (const [key, condition, fallback] of KPS_SUBCHARTS) {
      const ns = str(values, [key, "namespaceOverride"]);
      if (ns)
        out.push({
          prefix: `${key}.`,
          at: `${key}.namespaceOverride`,
          namespace: ns,
          renders: enabled(values, condition, fallback),
        });
    }
  if (([CHARTS.kubePrometheusStack, CHARTS.loki, CHARTS.alloy] as string[]).includes(release.chart)) {
    const ns = str(values, ["namespaceOverride"]);
    if (ns) out.push({ prefix: "", at: "namespaceOverride", namespace: ns, renders: true });
  }
  return out;
}

/** Resolves each reference in the namespace of the pods that read it (the override over its path, if any). */
function placeRefs(release: HelmRelease, values: unknown, refs: Ref[]): void {
  const overrides = namespaceOverrides(release, values);
  for (const ref of refs) {
    const override = overrides.find((o) => ref.where.startsWith(o.prefix));
    // A subchart's paths are its own: kube-prometheus-stack's namespaceOverride does not move them.
    const subchart = KPS_SUBCHARTS.some(([key]) => ref.where.startsWith(`${key}.`));
    if (!override || (override.prefix === "" && subchart && release.chart === CHARTS.kubePrometheusStack)) continue;
    ref.namespace = override.namespace;
    ref.movedBy = `values.${override.at}="${override.namespace}"`;
  }
}

/** Namespaces that exist in every cluster (Kubernetes docs, "Namespaces": initial namespaces). */
const BUILTIN_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

/** Advises about a namespaceOverride into a namespace the stack does not declare. */
function judgeOverrideNamespaces(
  ctx: RuleContext<object>,
  release: HelmRelease,
  values: unknown,
  namespaces: Set<string>,
): void {
  // Only a stack that declares its namespaces (the program does) says which exist.
  if (namespaces.size === 0) return;
  for (const o of namespaceOverrides(release, values)) {
    if (!o.renders || namespaces.has(o.namespace) || BUILTIN_NAMESPACES.has(o.namespace)) continue;
    ctx.advisory(
      `${release.label} values.${o.at}="${o.namespace}" moves ${o.prefix ? `the ${o.prefix.slice(0, -1)} subchart's objects` : "the chart's objects"} ` +
        `into namespace ${o.namespace}, which the stack does not create (it declares ${[...namespaces].sort().join(", ")}; Helm creates at most the ` +
        `release namespace ${release.namespace}): unless it exists before the release, applying them fails (namespaces "${o.namespace}" not found) ` +
        `and the release cannot install or upgrade. Fix: remove the override, or create that namespace (and the Secrets its pods read) in the program.`,
      release.resource.urn,
    );
  }
}

/** Whether any resource but the Secret itself holds its name as a string value (a reference to it). */
function referenced(stack: StackView, secretUrn: string, name: string): boolean {
  const holds = (v: unknown): boolean => {
    if (v === name) return true;
    if (Array.isArray(v)) return v.some(holds);
    if (isObject(v)) return Object.values(v).some(holds);
    return false;
  };
  return stack.resources.some((r) => r.urn !== secretUrn && holds(r.props.raw()));
}

/** Keys of a Secret the stack declares, or of the one the User Operator makes for a KafkaUser (KafkaUserModel.generateSecret). */
function secretKeys(stack: StackView, namespace: string, name: string): DeclaredKeys {
  const keys = declaredKeys(stack, TYPES.kubernetesSecret, namespace, name, { emptyIsUnknown: true });
  if (keys !== undefined) return keys;
  const user = stack.strimzi("KafkaUser").find((u) => u.namespace === namespace && u.name === name);
  if (!user) return undefined;
  const type = user.spec.get("authentication", "type").raw();
  if (type === "scram-sha-512") return new Set(["password", "sasl.jaas.config"]);
  if (type === "tls") return new Set(["ca.crt", "user.crt", "user.key", "user.p12", "user.password"]);
  return "unknown";
}

/** A declared key the reference likely meant: the selector's own field name (basicAuth.password -> "password"), else one close key. */
function suggestKey(ref: Ref, keys: Set<string>): string | undefined {
  const field = /\.(\w+)\.name$/.exec(ref.where)?.[1];
  if (field && keys.has(field)) return field;
  const key = ref.key!.toLowerCase();
  const close = [...keys].filter((k) => {
    const low = k.toLowerCase();
    return editDistance(key, low) <= 2 || (key.length >= 3 && (low.includes(key) || key.includes(low)));
  });
  return close.length === 1 ? close[0] : undefined;
}

/** Refuses each SecretKeySelector whose key the declared Secret lacks. */
function judgeKeys(
  stack: StackView,
  ctx: RuleContext<object>,
  /** The owner, e.g. `kube-prometheus-stack release "kps"`. */
  label: string,
  /** Prefix of its paths in messages: "values." for a release, "" for a CR. */
  paths: string,
  urn: string,
  namespace: string,
  refs: Ref[],
): void {
  const seen = new Set<string>();
  for (const ref of refs) {
    if (ref.key === undefined || !plain(ref.name)) continue;
    const ns = ref.namespace ?? namespace;
    const id = `${ref.where}|${ref.keyAt ?? ""}|${ref.key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const keys = secretKeys(stack, ns, ref.name);
    if (!(keys instanceof Set) || keys.has(ref.key)) continue;
    const suggestion = suggestKey(ref, keys);
    // A selector reads as `values.x={name: "n", key: "k"}`; a key set elsewhere (or by the chart) is named apart.
    const base = ref.where.replace(/\.name$/, "");
    const reference =
      ref.keyAt === `${base}.key`
        ? `${paths}${base}={name: "${ref.name}", key: "${ref.key}"}`
        : `${paths}${ref.where}="${ref.name}" with ` +
          (ref.keyAt ? `${paths}${ref.keyAt}="${ref.key}"` : `the key "${ref.key}" the chart reads`);
    const listed = [...keys].sort().join(", ") || "none";
    ctx.violation(
      `${label} ${reference} (${ref.how}): the Secret "${ref.name}" the stack ` +
        `declares in namespace ${ns} has no key "${ref.key}" (its keys: ${listed}), so ${ref.missingKey}. Fix: ` +
        (suggestion ? `use key "${suggestion}"` : `name one of its keys`) +
        `, or add "${ref.key}" to that Secret's stringData.`,
      urn,
    );
  }
}

/** Refuses names that look like slips of the namespace's declared Secrets; advises about the others. */
function judgeNames(
  stack: StackView,
  ctx: RuleContext<object>,
  release: HelmRelease,
  declared: Map<string, Map<string, string | undefined>>,
  refs: Ref[],
): void {
  const seen = new Set<string>();
  for (const ref of refs) {
    const ns = ref.namespace ?? release.namespace;
    const inNs = declared.get(ns) ?? new Map<string, string | undefined>();
    if (inNs.has(ref.name) || seen.has(`${ref.where}=${ref.name}`)) continue;
    seen.add(`${ref.where}=${ref.name}`);
    // A reference a namespaceOverride moved away from the Secret the stack declares for it (in the release namespace).
    const elsewhere = ref.movedBy
      ? [...declared.entries()].filter(([n, names]) => n !== ns && names.has(ref.name)).map(([n]) => n)
      : [];
    if (elsewhere.length > 0) {
      ctx.violation(
        `${release.label} values.${ref.where}="${ref.name}" (${ref.how}) is read by pods in namespace ${ns}` +
          ` (${ref.movedBy}), but the stack declares the Secret "${ref.name}" only in namespace ` +
          `${elsewhere.join(", ")}: a pod can reference only Secrets of its own namespace, so ` +
          `${ref.missingSecret ?? "the kubelet does not start it (CreateContainerConfigError / secret volume not found) and the component never runs"}. ` +
          `Fix: remove ${ref.movedBy!.replace(/=.*/, "")}, or create the Secret in namespace ${ns} too.`,
        release.resource.urn,
      );
      continue;
    }
    const near = [...inNs.keys()].filter((n) => nearMiss(ref.name, n));
    const orphans = [...inNs.entries()]
      .filter(([n, urn]) => urn !== undefined && !referenced(stack, urn, n))
      .map(([n]) => n);
    const at = `${release.label} values.${ref.where}="${ref.name}"`;
    if (near.length > 0 || orphans.length > 0) {
      const why =
        near.length > 0
          ? `it looks like a slip of the Secret the stack declares there, "${near.join('", "')}"`
          : `while the stack's own Secret "${orphans.join('", "')}" there is referenced by nothing, so the override replaced the program's name`;
      const effect =
        ref.missingSecret ??
        `Kubernetes does not start a pod whose required secret volume or env/envFrom Secret is missing, so these pods stay ` +
          `ContainerCreating / CreateContainerConfigError and the component never runs`;
      ctx.violation(
        `${at} (${ref.how}) names no Secret the stack declares in namespace ${ns}; ${why}. ${effect}. ` +
          `Fix: use "${near[0] ?? orphans[0]}" (or remove the override so the program's own Secret is used).`,
        release.resource.urn,
      );
    } else {
      ctx.advisory(
        `${at} (${ref.how}) is not a Secret this stack declares in namespace ${ns}: make sure it exists ` +
          `there before the release, or ${ref.missingSecret ? "prometheus-operator will not reconcile the Prometheus resource" : "its pods will not start"}.`,
        release.resource.urn,
      );
    }
  }
}

const USER_KEY =
  'the Strimzi User Operator refuses the KafkaUser ("Secret … does not contain the key … with requested user password", KafkaUserModel.maybeGeneratePassword): it never becomes Ready and its SCRAM credentials are never created, so the client cannot authenticate';

export const secretReferencesDeclared = stackRule<object>(
  {
    name: "secret-references-declared",
    rule: "W9",
    description:
      "Secrets the charts mount or read by name (gateway basicAuth existingSecret, env secretKeyRef, envFrom secretRef, secret volumes, prometheus-operator SecretKeySelectors) are Secrets the stack declares in the namespace the pods run in (release namespace or namespaceOverride), and the keys they read are keys of those Secrets",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Point the reference at the Secret the stack creates in the release namespace (or remove the override so the program's own name is used), and at a key that Secret declares (data / stringData); a Secret created outside the stack must exist before the release.",
    url: "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets",
    tags: ["wiring", "secrets"],
  },
  (stack, ctx: RuleContext<object>) => {
    // Declared Secrets per namespace: kubernetes:core/v1:Secret resources and Strimzi KafkaUser-made ones.
    const declared = new Map<string, Map<string, string | undefined>>();
    const add = (ns: string, name: string, urn: string | undefined) => {
      if (!declared.has(ns)) declared.set(ns, new Map());
      declared.get(ns)!.set(name, urn);
    };
    for (const secret of stack.ofType(TYPES.kubernetesSecret)) {
      const meta = secret.props.get("metadata");
      const name = meta.get("name").isUnknown ? undefined : meta.get("name").raw();
      const ns = meta.get("namespace").isUnknown ? undefined : meta.get("namespace").raw();
      if (typeof name !== "string") continue;
      add(typeof ns === "string" && ns ? ns : "default", name, secret.urn);
    }
    for (const user of stack.strimzi("KafkaUser")) if (user.namespace) add(user.namespace, user.name, undefined);
    // The namespaces the stack creates (kubernetes:core/v1:Namespace metadata.name).
    const namespaces = new Set<string>();
    for (const ns of stack.ofType("kubernetes:core/v1:Namespace")) {
      const name = ns.props.get("metadata", "name");
      if (!name.isUnknown && typeof name.raw() === "string") namespaces.add(name.raw() as string);
    }

    for (const release of stack.helmReleases()) {
      const values = release.values.raw();
      if (isUnknown(values)) continue;
      const refs = chartRefs(release, values);
      walk(values, "", refs);
      placeRefs(release, values, refs);
      judgeOverrideNamespaces(ctx, release, values, namespaces);
      judgeNames(stack, ctx, release, declared, refs);
      judgeKeys(stack, ctx, release.label, "values.", release.resource.urn, release.namespace, refs);
    }

    // Strimzi CRs: container env templates (Kafka, KafkaNodePool) and a KafkaUser's requested SCRAM password.
    for (const kind of ["Kafka", "KafkaNodePool", "KafkaUser"] as const) {
      for (const cr of stack.strimzi(kind)) {
        const spec = cr.spec.raw();
        if (!cr.namespace || isUnknown(spec)) continue;
        const refs: Ref[] = [];
        walk(spec, "spec", refs);
        for (const ref of refs)
          if (kind === "KafkaUser" && ref.where.startsWith("spec.authentication.password.")) {
            ref.how = "KafkaUser requested password";
            ref.missingKey = USER_KEY;
          }
        judgeKeys(stack, ctx, cr.label, "", cr.resource.urn, cr.namespace, refs);
      }
    }
  },
);
