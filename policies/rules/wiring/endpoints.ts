// Where the stack's writers (Prometheus, Alloy) and readers (Grafana) send their requests, and the gateway Services
// of Mimir and Loki those requests must reach: shared by the wiring rules (W1-W4).
import { GATEWAYS, gatewaySwitches, GatewayValues } from "../../lib/gateways";
import { Maybe, PropNode, Sourced } from "../../lib/node";
import { HelmRelease, StackView } from "../../lib/stack";
import { LOKI_TENANT_FROM_USER_SNIPPET, tenantBindingGap } from "../../lib/tenant-binding";
import { CHARTS, TYPES } from "../../lib/types";
import { isUnknown, Unknown } from "../../lib/unknown";
import { blocks, stripComments } from "../../lib/alloy";
import type { Client } from "./reach";
import { chartFullname } from "../../lib/chart-names";

/** The tenant header of Mimir and Loki (Mimir docs "About authentication and authorization"; Loki docs "Multi-tenancy"). */
export const TENANT_HEADER = "X-Scope-OrgID";

// ---- URLs -------------------------------------------------------------------------------------------------------

/** An in-cluster Service URL, `<scheme>://<service>.<namespace>.svc[.cluster.local][:port]<path>`. */
export interface ServiceUrl {
  readonly text: string;
  readonly scheme: string;
  readonly service: string;
  readonly namespace: string;
  /** The port, or the scheme's default (80 for http, 443 for https: WHATWG URL). */
  readonly port: number;
  /** `/` when the URL has no path. */
  readonly path: string;
}

// Kubernetes DNS for Services: `<service>.<namespace>.svc.<cluster-domain>` (Kubernetes docs, "DNS for Services and
// Pods"); the stack's clients use the `.svc` and `.svc.cluster.local` forms (settings/names.ts gatewayUrl).
const SERVICE_HOST =
  /^([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc(?:\.cluster\.local)?\.?$/;

/** The URL when it points at a Service inside the cluster; undefined for other hosts and for text that is no URL. */
export function serviceUrl(text: string): ServiceUrl | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const host = SERVICE_HOST.exec(url.hostname.toLowerCase());
  if (!host) return undefined;
  const scheme = url.protocol.replace(/:$/, "");
  const port = url.port !== "" ? Number(url.port) : scheme === "https" ? 443 : 80;
  return { text, scheme, service: host[1], namespace: host[2], port, path: url.pathname || "/" };
}

// ---- Gateways ---------------------------------------------------------------------------------------------------

/** How a gateway ties a request's X-Scope-OrgID to its basic-auth user (policies/lib/tenant-binding.ts). */
export type Binding =
  /** http/server snippets: a header naming another tenant than the user (or no header) gets 403. */
  | "refuses"
  /** Loki locationSnippet: the header Loki sees is replaced by the user, whatever the client sent. */
  | "rewrites"
  /** No binding the pack can show (none, or a replaced nginx file): the header passes as sent. */
  | "none";

export type Store = "Mimir" | "Loki";

export interface StoreGateway {
  readonly store: Store;
  readonly release: HelmRelease;
  readonly spec: GatewayValues;
  /** The gateway Service's name and namespace. */
  readonly service: string;
  readonly namespace: string;
  /** `<service>.<namespace>.svc` */
  readonly host: string;
  /** The Service's ports. */
  readonly ports: Maybe<number[]>;
  /** The gateway speaks TLS (Loki gateway.nginxConfig.ssl); Mimir's chart gateway listens without TLS. */
  readonly tls: Maybe<boolean>;
  /** The release's other Services start with this (`<fullname>-`). */
  readonly componentPrefix: string;
  readonly enabled: Maybe<boolean>;
  readonly basicAuth: Maybe<boolean>;
  readonly binding: Maybe<Binding>;
}

function bindingOf(release: HelmRelease, spec: GatewayValues): Maybe<Binding> {
  const snippet = (key: string): Maybe<string> | undefined => release.values.at(`${spec.nginxConfig}.${key}`).string();
  const file = snippet("file");
  const http = snippet("httpSnippet");
  const server = snippet("serverSnippet");
  const location = spec.locationSnippet ? snippet(spec.locationSnippet) : undefined;
  const tenants = release.values.at("loki.tenants").items();
  for (const value of [file, http, server, location, tenants]) if (isUnknown(value)) return value;
  // A replaced nginx.conf cannot be read for a binding (gateways-bind-tenants, S11, refuses it in staging and prod).
  if (file !== undefined && file !== spec.defaultFile) return "none";
  if (tenantBindingGap({ http: http as string | undefined, server: server as string | undefined }) === undefined)
    return "refuses";
  // The loki chart's default locationSnippet rewrites the header when loki.tenants is set (loki values.yaml).
  const effective =
    (location as string | undefined) ??
    (spec.locationSnippet && ((tenants as PropNode[] | undefined)?.length ?? 0) > 0
      ? LOKI_TENANT_FROM_USER_SNIPPET
      : undefined);
  if (spec.locationSnippet && effective !== undefined && tenantBindingGap({ location: effective }) === undefined)
    return "rewrites";
  return "none";
}

function servicePorts(release: HelmRelease, store: Store): Maybe<number[]> {
  // Port 80: mimir-distributed values gateway.service.port (templates/gateway/gateway-svc.yaml renders it, plus
  // gateway.service.legacyPort when set; templates/_helpers.tpl "mimir.gatewayUrl" builds
  // http://<gateway service>.<namespace>.svc:<gateway.service.port>); loki 18.11.0 values gateway.service.port 80.
  const port = release.values.at("gateway.service.port").number();
  if (isUnknown(port)) return port;
  const ports = [port ?? 80];
  if (store === "Mimir") {
    const legacy = release.values.at("gateway.service.legacyPort").number();
    if (isUnknown(legacy)) return legacy;
    if (legacy !== undefined) ports.push(legacy);
  }
  return ports;
}

/** The Mimir and Loki gateways the stack's releases render. */
export function storeGateways(stack: StackView, store?: Store): StoreGateway[] {
  const found: StoreGateway[] = [];
  for (const spec of GATEWAYS) {
    const kind: Store = spec.chart === CHARTS.mimir ? "Mimir" : "Loki";
    if (store && kind !== store) continue;
    for (const release of stack.helmReleases(spec.chart)) {
      const base = chartFullname(release, kind === "Mimir" ? "mimir" : "loki");
      if (isUnknown(base)) continue;
      // mimir-distributed templates/gateway/_helpers.tpl "mimir.gateway.service.name": gateway.service.nameOverride,
      // else mimir.resourceName with component "gateway"; loki _helpers.tpl "loki.gatewayFullname" (settings/names.ts).
      const override = kind === "Mimir" ? release.values.at("gateway.service.nameOverride").string() : undefined;
      const service = typeof override === "string" && override !== "" ? override : `${base}-gateway`;
      const { enabled, basicAuth } = gatewaySwitches(release, spec);
      // loki values gateway.nginxConfig.ssl (default false) appends `ssl` to the listen directive (_helpers.tpl loki.nginxFile).
      const ssl = kind === "Loki" ? (release.values.at("gateway.nginxConfig.ssl").boolean() ?? false) : false;
      found.push({
        store: kind,
        release,
        spec,
        service,
        namespace: release.namespace,
        host: `${service}.${release.namespace}.svc`,
        ports: servicePorts(release, kind),
        tls: ssl,
        componentPrefix: `${base}-`,
        enabled,
        basicAuth,
        binding: bindingOf(release, spec),
      });
    }
  }
  return found;
}

// ---- Credentials ------------------------------------------------------------------------------------------------

/** One key of a Secret the stack declares (stringData, else base64 data); undefined when the stack has no such key. */
export function secretValue(
  stack: StackView,
  namespace: string,
  name: string,
  key: string,
): Maybe<Sourced<string>> | undefined {
  for (const secret of stack.ofType(TYPES.kubernetesSecret)) {
    const metadata = secret.props.get("metadata");
    if (metadata.get("name").raw() !== name) continue;
    const ns = metadata.get("namespace").raw();
    if ((typeof ns === "string" && ns !== "" ? ns : "default") !== namespace) continue;
    const where = `Secret "${name}" (namespace ${namespace})`;
    const text = secret.props.get("stringData", key);
    if (text.isUnknown) return text.unknown();
    const value = text.string();
    if (isUnknown(value)) return value;
    if (value !== undefined) return { value, where: `${where} stringData.${key}` };
    const data = secret.props.get("data", key);
    if (data.isUnknown) return data.unknown();
    const encoded = data.string();
    if (isUnknown(encoded)) return encoded;
    // Secret data values are base64 (Kubernetes API, Secret.data).
    if (encoded !== undefined)
      return { value: Buffer.from(encoded, "base64").toString("utf8"), where: `${where} data.${key}` };
  }
  return undefined;
}

/** The basic-auth user a prometheus-operator RemoteWriteSpec sends: basicAuth.username is a SecretKeySelector. */
export function remoteWriteUser(
  stack: StackView,
  release: HelmRelease,
  entry: PropNode,
): Maybe<Sourced<string>> | undefined {
  const selector = entry.get("basicAuth", "username");
  const name = selector.get("name").string();
  const key = selector.get("key").string();
  if (isUnknown(name)) return name;
  if (isUnknown(key)) return key;
  if (!name || !key) return undefined;
  // prometheus-operator API reference, BasicAuth: the Secret is read from the Prometheus object's namespace.
  return secretValue(stack, release.namespace, name, key);
}

/**
 * A variable of the Alloy container's environment: alloy.extraEnv (value or valueFrom.secretKeyRef), else the
 * alloy.envFrom Secrets (Kubernetes: `env` wins over `envFrom`, and among envFrom sources the last one wins).
 */
export function alloyEnv(stack: StackView, release: HelmRelease, variable: string): Maybe<Sourced<string>> | undefined {
  const env = release.values.at("alloy.extraEnv").items();
  if (isUnknown(env)) return env;
  for (const entry of env ?? []) {
    if (entry.get("name").raw() !== variable) continue;
    const literal = entry.get("value").string();
    if (isUnknown(literal)) return literal;
    if (literal !== undefined) return { value: literal, where: entry.get("value").where };
    const ref = entry.get("valueFrom", "secretKeyRef");
    const name = ref.get("name").string();
    const key = ref.get("key").string();
    if (isUnknown(name)) return name;
    if (isUnknown(key)) return key;
    return name && key ? secretValue(stack, release.namespace, name, key) : undefined;
  }
  const sources = release.values.at("alloy.envFrom").items();
  if (isUnknown(sources)) return sources;
  for (const source of [...(sources ?? [])].reverse()) {
    const name = source.get("secretRef", "name").string();
    if (isUnknown(name)) return name;
    if (!name) continue;
    const found = secretValue(stack, release.namespace, name, variable);
    if (found !== undefined) return found;
  }
  return undefined;
}

// ---- Alloy configuration ----------------------------------------------------------------------------------------
// Alloy syntax (Alloy reference, "Syntax"): `component "label" { endpoint { url = "..." basic_auth { ... } } }`,
// comments `//` and `/* */`. policies/lib/alloy.ts reads url, batch size and queue settings; these rules also need
// each endpoint's tenant and basic-auth user, read the same way.

/** The block's own attributes: nested blocks and object literals removed. */
function topLevel(body: string): string {
  let flat = body;
  for (let previous = ""; previous !== flat;) {
    previous = flat;
    flat = flat.replace(/\{[^{}]*\}/g, "");
  }
  return flat;
}

/** A literal string attribute; `expression` when set to something else (sys.env(...), a reference). */
type Attribute = { literal: string } | { env: string } | { expression: string } | undefined;

function attribute(body: string, name: string): Attribute {
  const match = new RegExp(`(?:^|[\\s;,])${name}\\s*=\\s*([^\\n]+)`).exec(topLevel(body));
  if (!match) return undefined;
  const value = match[1].trim().replace(/,$/, "").trim();
  const literal = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  if (literal) return { literal: JSON.parse(`"${literal[1]}"`) as string };
  // sys.env("NAME") (env("NAME") before Alloy 1.x): Alloy standard library.
  const env = /^(?:sys\.)?env\(\s*"([^"]+)"\s*\)$/.exec(value);
  if (env) return { env: env[1] };
  return { expression: value };
}

/** A literal header of the endpoint's `headers = { "X-Scope-OrgID" = "..." }` (header names are case-insensitive). */
function headerAttribute(body: string, header: string): Attribute {
  const headers = /(?:^|[\s;])headers\s*=\s*\{([^}]*)\}/.exec(body);
  if (!headers) return undefined;
  const match = new RegExp(`"${header}"\\s*=\\s*([^,\\n]+)`, "i").exec(headers[1]);
  if (!match) return undefined;
  const value = match[1].trim();
  const literal = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  return literal ? { literal: JSON.parse(`"${literal[1]}"`) as string } : { expression: value };
}

export interface AlloyEndpoint {
  /** `prometheus.remote_write "mimir"` or `loki.write "default"` */
  readonly component: string;
  readonly url: Attribute;
  /** X-Scope-OrgID as sent: loki.write `tenant_id` (sent as that header, loki.write docs), else the headers map. */
  readonly tenant: Attribute;
  /** Where the tenant is set, for messages. */
  readonly tenantKey: string;
  /** basic_auth username. */
  readonly username: Attribute;
  readonly hasBasicAuth: boolean;
}

/** The endpoints of every `prometheus.remote_write` or `loki.write` component (Alloy reference). */
export function alloyEndpoints(
  configText: string,
  component: "prometheus.remote_write" | "loki.write",
): AlloyEndpoint[] {
  const text = stripComments(configText);
  const header = new RegExp(`\\b${component.replace(".", "\\.")}\\s+"([^"]*)"\\s*\\{`);
  return blocks(text, header).flatMap(({ label, body }) =>
    blocks(body, /\bendpoint\s*()\{/).map((endpoint) => {
      const auth = blocks(endpoint.body, /\bbasic_auth\s*()\{/)[0];
      const tenantId = component === "loki.write" ? attribute(endpoint.body, "tenant_id") : undefined;
      return {
        component: `${component} "${label}"`,
        url: attribute(endpoint.body, "url"),
        tenant: tenantId ?? headerAttribute(endpoint.body, TENANT_HEADER),
        tenantKey: tenantId ? "tenant_id" : `headers["${TENANT_HEADER}"]`,
        username: auth ? attribute(auth.body, "username") : undefined,
        hasBasicAuth: auth !== undefined,
      };
    }),
  );
}

/** The basic-auth user an Alloy endpoint sends: a literal, or an environment variable of the Alloy pods. */
export function alloyUser(
  stack: StackView,
  release: HelmRelease,
  username: Attribute,
  where: string,
): Maybe<Sourced<string>> | undefined {
  if (username === undefined || "expression" in username) return undefined;
  if ("literal" in username) return { value: username.literal, where: `${where} basic_auth.username` };
  return alloyEnv(stack, release, username.env);
}

/** An Alloy endpoint as a gateway client: where its URL is set, the tenant header it sends, the user it logs in as. */
export function alloyClient(
  stack: StackView,
  release: HelmRelease,
  contentWhere: string,
  endpoint: AlloyEndpoint,
  url: ServiceUrl,
): Client {
  const where = `${contentWhere} ${endpoint.component} endpoint`;
  return {
    where: `${where} url`,
    urn: release.resource.urn,
    url,
    namespace: release.namespace,
    tenant:
      endpoint.tenant === undefined
        ? undefined
        : "literal" in endpoint.tenant
          ? { value: endpoint.tenant.literal, where: `${where} ${endpoint.tenantKey}` }
          : null,
    user: alloyUser(stack, release, endpoint.username, where),
  };
}

// ---- Grafana datasources ----------------------------------------------------------------------------------------

export interface Datasource {
  readonly node: PropNode;
  readonly release: HelmRelease;
}

/**
 * Datasources the kube-prometheus-stack releases provision: grafana.additionalDataSources (kube-prometheus-stack
 * values.yaml) and the grafana subchart's grafana.datasources."<file>".datasources (grafana values.yaml).
 */
export function grafanaDatasources(stack: StackView): { datasources: Datasource[]; unknowns: Unknown[] } {
  const datasources: Datasource[] = [];
  const unknowns: Unknown[] = [];
  for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) {
    const additional = release.values.at("grafana.additionalDataSources").items();
    if (isUnknown(additional)) unknowns.push(additional);
    else for (const node of additional ?? []) datasources.push({ node, release });
    const files = release.values.at("grafana.datasources").entries();
    if (isUnknown(files)) unknowns.push(files);
    else
      for (const [, file] of files ?? []) {
        const items = file.get("datasources").items();
        if (isUnknown(items)) unknowns.push(items);
        else for (const node of items ?? []) datasources.push({ node, release });
      }
  }
  return { datasources, unknowns };
}

/**
 * The X-Scope-OrgID a datasource sends: Grafana's custom headers are jsonData.httpHeaderName<N> with
 * secureJsonData.httpHeaderValue<N> (Grafana docs, provisioning "Custom HTTP headers for data sources").
 */
export function datasourceTenant(node: PropNode): Maybe<Sourced<string>> | undefined {
  for (let n = 1; n <= 50; n++) {
    const name = node.get("jsonData", `httpHeaderName${n}`);
    const raw = name.string();
    if (isUnknown(raw)) return raw;
    if (raw === undefined) continue;
    if (raw.toLowerCase() !== TENANT_HEADER.toLowerCase()) continue;
    const value = node.get("secureJsonData", `httpHeaderValue${n}`);
    const text = value.string();
    if (isUnknown(text)) return text;
    return text === undefined ? undefined : { value: text, where: value.where };
  }
  return undefined;
}

/** The basic-auth user a datasource logs in with (basicAuth true and basicAuthUser). */
export function datasourceUser(node: PropNode): Maybe<Sourced<string>> | undefined {
  const on = node.get("basicAuth").boolean();
  if (isUnknown(on)) return on;
  if (!on) return undefined;
  const user = node.get("basicAuthUser");
  const text = user.string();
  if (isUnknown(text)) return text;
  return text === undefined ? undefined : { value: text, where: user.where };
}

/** Values Grafana or Alloy expand at run time (`$VAR`, `${VAR}`): the pack cannot read them. */
export function isExpanded(text: string): boolean {
  return text.includes("$") || text.includes("{{");
}

/**
 * The tenants a signal's senders write as, each with the senders (where they are configured) writing as it;
 * undefined when one of them is not a literal (then nothing is judged).
 */
export type SenderTenants = Map<string, string[]> | undefined;

function addSender(tenants: Map<string, string[]>, tenant: string, sender: string): void {
  tenants.set(tenant, [...(tenants.get(tenant) ?? []), sender]);
}

export function metricTenants(stack: StackView, ctx: { inconclusive(u: Unknown): void }): SenderTenants {
  const tenants = new Map<string, string[]>();
  for (const prometheus of stack.helmReleases(CHARTS.kubePrometheusStack)) {
    const writes = prometheus.values.at("prometheus.prometheusSpec.remoteWrite").items();
    if (isUnknown(writes)) return void ctx.inconclusive(writes);
    for (const write of writes ?? []) {
      const header = write.get("headers", TENANT_HEADER);
      const tenant = header.raw();
      if (isUnknown(tenant)) return void ctx.inconclusive(tenant);
      if (typeof tenant !== "string") return undefined;
      addSender(tenants, tenant, `${header.where}=${tenant}`);
    }
  }
  for (const alloy of stack.helmReleases(CHARTS.alloy)) {
    const content = alloy.values.at("alloy.configMap.content");
    const text = content.string();
    if (isUnknown(text)) return void ctx.inconclusive(text);
    for (const endpoint of alloyEndpoints(text ?? "", "prometheus.remote_write")) {
      if (!endpoint.tenant || !("literal" in endpoint.tenant)) return undefined;
      const tenant = endpoint.tenant.literal;
      addSender(tenants, tenant, `${content.where} ${endpoint.component} ${endpoint.tenantKey}=${tenant}`);
    }
  }
  return tenants;
}

export function logTenants(stack: StackView, ctx: { inconclusive(u: Unknown): void }): SenderTenants {
  const tenants = new Map<string, string[]>();
  for (const alloy of stack.helmReleases(CHARTS.alloy)) {
    const content = alloy.values.at("alloy.configMap.content");
    const text = content.string();
    if (isUnknown(text)) return void ctx.inconclusive(text);
    for (const endpoint of alloyEndpoints(text ?? "", "loki.write")) {
      if (!endpoint.tenant || !("literal" in endpoint.tenant)) return undefined;
      const tenant = endpoint.tenant.literal;
      addSender(tenants, tenant, `${content.where} ${endpoint.component} ${endpoint.tenantKey}=${tenant}`);
    }
  }
  return tenants;
}
