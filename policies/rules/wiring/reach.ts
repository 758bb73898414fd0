// Whether one client URL reaches a store's gateway: the Service, its port and scheme, the path the gateway routes,
// and the tenant the gateway lets its credential act as. Shared by W1-W3.
import { Maybe, Sourced } from "../../lib/node";
import { RuleContext } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import { TENANT_MISMATCH_MESSAGE } from "../../lib/tenant-binding";
import { isUnknown } from "../../lib/unknown";
import { ServiceUrl, Store, StoreGateway, storeGateways, TENANT_HEADER } from "./endpoints";

const NETWORK_POLICY_TYPE = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
// The namespace name label Kubernetes sets on every namespace (Kubernetes docs, "Well-Known Labels").
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export interface Client {
  /** Where the URL is set, e.g. `kube-prometheus-stack release "kps" values.prometheus.prometheusSpec.remoteWrite[0].url`. */
  readonly where: string;
  readonly urn: string;
  readonly url: ServiceUrl;
  /** The namespace the client's pods run in. */
  readonly namespace: string;
  /** The X-Scope-OrgID it sends (undefined: none); `null` when it is an expression the pack cannot read. */
  readonly tenant: Maybe<Sourced<string>> | undefined | null;
  /** The basic-auth user it sends (undefined: none known). */
  readonly user: Maybe<Sourced<string>> | undefined;
}

export interface Route {
  readonly store: Store;
  /** Paths (URL paths) the gateway routes for this client. */
  readonly paths: readonly string[];
  /** The path to write in a fix. */
  readonly path: string;
  /** What the gateway does with the path, e.g. "routes only `location = /api/v1/push` to the distributors". */
  readonly routes: string;
  /** What happens when requests never arrive (connection errors: the client retries, then drops). */
  readonly lost: string;
  /** What happens to a request the gateway answers with 4xx. */
  readonly refused: string;
}

/** Whether a NetworkPolicy lets pods of `namespace` in (ignoring pod labels, so an admitted namespace is never called blocked). */
function admits(stack: StackView, policyName: string, policyNamespace: string, namespace: string): boolean {
  const policy = stack
    .ofType(NETWORK_POLICY_TYPE)
    .find(
      (p) =>
        p.props.get("metadata", "name").raw() === policyName &&
        p.props.get("metadata", "namespace").raw() === policyNamespace,
    );
  const ingress = policy?.props.get("spec", "ingress").raw();
  if (!Array.isArray(ingress)) return false;
  return ingress.some((rule: { from?: unknown }) => {
    if (!Array.isArray(rule?.from)) return true; // no `from`: every source (Kubernetes NetworkPolicy API)
    return rule.from.some((peer: { namespaceSelector?: { matchLabels?: Record<string, string> } } | undefined) => {
      if (!peer?.namespaceSelector) return policyNamespace === namespace && !("ipBlock" in (peer ?? {}));
      const labels = peer.namespaceSelector.matchLabels;
      return !labels || Object.keys(labels).length === 0 || labels[NAMESPACE_NAME_LABEL] === namespace;
    });
  });
}

/** NetworkPolicies in a namespace that select its components other than the gateway (components/shared/network-policies.ts). */
function fences(stack: StackView, namespace: string): string[] {
  return stack
    .ofType(NETWORK_POLICY_TYPE)
    .filter((p) => p.props.get("metadata", "namespace").raw() === namespace)
    .filter((p) => p.props.get("spec", "podSelector", "matchLabels", "app.kubernetes.io/component").raw() !== "gateway")
    .map((p) => String(p.props.get("metadata", "name").raw()));
}

function wrongService(stack: StackView, client: Client, route: Route, gateways: StoreGateway[]): string {
  const url = client.url;
  const sibling = gateways.find((g) => g.namespace === url.namespace && url.service.startsWith(g.componentPrefix));
  if (sibling && route.store === "Mimir" && url.service === `${sibling.componentPrefix}nginx`) {
    // mimir-distributed 6.0.0 CHANGELOG "Remove deprecated nginx top-level values section" (the nginx Deployment and
    // its `<fullname>-nginx` Service, deprecated in 4.0.0 for the unified gateway: chart docs "Migrate to the unified
    // gateway deployment"). The stored CHANGELOG copies the pack's authors could read predate 6.0 and still announce
    // the removal for 7.0.0, so the 6.0.0 entry is taken from the task brief: not verified here.
    return (
      `names Service ${url.service}, which mimir-distributed 6.x no longer renders (chart 6.0.0 removed the deprecated top-level nginx section; ` +
      `the gateway Service ${sibling.host} replaced it): the name does not resolve, so ${route.lost}`
    );
  }
  if (sibling) {
    const fenced = fences(stack, url.namespace)
      .filter((name) => !admits(stack, name, url.namespace, client.namespace))
      .sort();
    return (
      `names ${url.service}.${url.namespace}.svc, a ${route.store} component behind the gateway: requests skip the gateway's basic auth and ` +
      `tenant binding (any X-Scope-OrgID is trusted)` +
      (fenced.length > 0
        ? `, and NetworkPolicy ${fenced.join(", ")} in namespace ${url.namespace} admits no pod of namespace ${client.namespace} to the ` +
          `components (only the gateway takes other namespaces' traffic, S9), so the connections are dropped: ${route.lost}`
        : "")
    );
  }
  return `names ${url.service}.${url.namespace}.svc, which is no Service the stack renders for ${route.store}: the name does not resolve, so ${route.lost}`;
}

/** Reports every way the client's requests miss the store's gateway or are refused by it. */
export function checkReach<C extends object>(
  ctx: RuleContext<C>,
  stack: StackView,
  client: Client,
  route: Route,
): void {
  const gateways = storeGateways(stack, route.store);
  if (gateways.length === 0) return;
  const url = client.url;
  const shown = `${client.where}=${url.text}`;
  const gateway = gateways.find((g) => g.service === url.service && g.namespace === url.namespace);
  if (!gateway) {
    const expected = gateways[0];
    ctx.violation(
      `${shown} ${wrongService(stack, client, route, gateways)}. The ${route.store} gateway Service is ${expected.host} ` +
        `("<fullname>-gateway" of ${expected.release.label}). Fix: set it to http://${expected.host}${route.path}.`,
      client.urn,
    );
    return;
  }
  ctx.known([gateway.enabled, gateway.ports, gateway.tls], (enabled, ports, tls) => {
    const fix = `Fix: set it to ${tls ? "https" : "http"}://${gateway.host}${route.path}.`;
    if (!enabled) {
      ctx.violation(
        `${shown} names the gateway Service, but ${gateway.release.label} values.${gateway.spec.enabled}=false renders no gateway: the name does not resolve, ` +
          `so ${route.lost}. Fix: set values.${gateway.spec.enabled}=true (the gateway also carries the basic auth and tenant binding).`,
        client.urn,
      );
      return;
    }
    if (!ports.includes(url.port)) {
      ctx.violation(
        `${shown} uses port ${url.port}, but Service ${gateway.host} listens on ${ports.join(", ")} (${gateway.release.label} values.gateway.service.port, ` +
          `chart default 80): the connection is refused, so ${route.lost}. ${fix}`,
        client.urn,
      );
    }
    const scheme = tls ? "https" : "http";
    if (url.scheme !== scheme) {
      ctx.violation(
        `${shown} uses ${url.scheme}, but the ${route.store} gateway's nginx listens ${tls ? "with" : "without"} TLS: the handshake fails, so ${route.lost}. ${fix}`,
        client.urn,
      );
    }
    if (!route.paths.includes(url.path)) {
      ctx.violation(
        `${shown} has path ${url.path}, but the ${route.store} gateway ${route.routes}: nginx answers 404 and ${route.refused}. ${fix}`,
        client.urn,
      );
    }
  });
  checkTenant(ctx, client, route, gateway);
}

function checkTenant<C extends object>(ctx: RuleContext<C>, client: Client, route: Route, gateway: StoreGateway): void {
  const { tenant, user } = client;
  if (tenant === null || user === undefined) return;
  // A credential Secret is unknown in a new stack's first preview, always: @pulumi/kubernetes wraps a Secret's whole
  // stringData in one secret Output (pulumi.secret(args.stringData)), unknown while the generated password is. The
  // tenant check then waits for the preview of an existing stack or the update's AnalyzeStack instead of reporting a
  // "can't run during preview" advisory on every new stack; the URL checks above still run.
  if (isUnknown(user)) return;
  if (isUnknown(tenant)) return ctx.inconclusive(tenant);
  ctx.known([gateway.basicAuth, gateway.binding, user], (basicAuth, binding, sent) => {
    if (!basicAuth || binding === "none") return; // no credential checked, or a binding the pack cannot show (S8, S11)
    const header = tenant?.value;
    if (header === sent.value) return;
    const headerText = tenant
      ? `${tenant.where}=${tenant.value} (${TENANT_HEADER} to ${client.url.text})`
      : `${client.where}=${client.url.text} sends no ${TENANT_HEADER}`;
    const gatewayText = `the gateway of ${gateway.release.label}`;
    const fix = `Fix: send ${TENANT_HEADER}: ${sent.value} with this credential, or the credential of tenant ${header ?? "<tenant>"} (each gateway user is its tenant).`;
    if (binding === "refuses") {
      ctx.violation(
        `${headerText} with the basic-auth user ${sent.where}=${sent.value}: ${gatewayText} binds each credential to ` +
          `the tenant it is named after and answers 403 ("${TENANT_MISMATCH_MESSAGE}", policies/lib/tenant-binding.ts), so ${route.refused}. ${fix}`,
        client.urn,
      );
    } else if (tenant) {
      ctx.violation(
        `${headerText} with the basic-auth user ${sent.where}=${sent.value}: ${gatewayText} replaces the header with ` +
          `the user (locationSnippet \`proxy_set_header X-Scope-OrgID $remote_user;\`), so the data lands in tenant ${sent.value}, not ${tenant.value}: ` +
          `tenant ${tenant.value}'s limits, retention and datasources never see it. ${fix}`,
        client.urn,
      );
    }
  });
}
