// W4: with multi-tenancy off, Mimir and Loki put every request in one fixed tenant, whatever X-Scope-OrgID says; a
// stack that names other tenants then silently loses their limits, retention, lifecycles and datasources.
import { lokiReleases } from "../../lib/loki";
import { mimirReleases } from "../../lib/mimir";
import { PropNode, show, Sourced } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";
import {
  alloyEndpoints,
  datasourceTenant,
  grafanaDatasources,
  isExpanded,
  serviceUrl,
  TENANT_HEADER,
} from "./endpoints";

/**
 * Mimir: `multitenancy_enabled` (default true, flag -auth.multitenancy-enabled) off makes the auth middleware inject
 * `no_auth_tenant` (default "anonymous", -auth.no-auth-tenant) into every request, ignoring X-Scope-OrgID
 * (grafana/mimir pkg/util/noauth/no_auth.go SetupAuthMiddleware; Mimir config descriptor).
 */
const MIMIR_NO_AUTH_TENANT = "anonymous";
/**
 * Loki: `auth_enabled: false` injects the tenant "fake" into every request (grafana/loki pkg/util/fakeauth/fake_auth.go
 * fakeHTTPAuthMiddleware); the loki chart renders `auth_enabled: {{ .Values.loki.auth_enabled }}`, default true
 * (loki 18.11.0 values.yaml), and loki.structuredConfig is merged over it.
 */
const LOKI_NO_AUTH_TENANT = "fake";

type Named = Map<string, string>;

function name(tenants: Named, tenant: string | undefined, where: string): void {
  if (tenant && !isExpanded(tenant) && !tenants.has(tenant)) tenants.set(tenant, where);
}

function overrideTenants<C extends object>(ctx: RuleContext<C>, node: PropNode, tenants: Named): void {
  const entries = node.entries();
  if (isUnknown(entries)) return ctx.inconclusive(entries);
  for (const [tenant, override] of entries ?? []) name(tenants, tenant, override.where);
}

/** Tenants the stack's writers and readers send to the store in `namespace` (their in-cluster URLs point there). */
function clientTenants<C extends object>(
  ctx: RuleContext<C>,
  stack: StackView,
  namespace: string,
  store: "Mimir" | "Loki",
  tenants: Named,
): void {
  const into = (url: string | undefined) => url !== undefined && serviceUrl(url)?.namespace === namespace;
  if (store === "Mimir") {
    for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      for (const key of ["remoteWrite", "additionalRemoteWrite"]) {
        const entries = release.values.at(`prometheus.prometheusSpec.${key}`).items();
        if (isUnknown(entries)) {
          ctx.inconclusive(entries);
          continue;
        }
        for (const entry of entries ?? []) {
          const url = entry.get("url").string();
          const headers = entry.get("headers").entries();
          if (isUnknown(url) || isUnknown(headers) || !into(url)) continue;
          for (const [header, value] of headers ?? []) {
            const text = value.string();
            if (header.toLowerCase() === TENANT_HEADER.toLowerCase() && typeof text === "string")
              name(tenants, text, value.where);
          }
        }
      }
    }
  }
  for (const release of stack.helmReleases(CHARTS.alloy)) {
    const content = release.values.at("alloy.configMap.content");
    const text = content.string();
    if (isUnknown(text)) {
      ctx.inconclusive(text);
      continue;
    }
    const component = store === "Mimir" ? "prometheus.remote_write" : "loki.write";
    for (const endpoint of alloyEndpoints(text ?? "", component)) {
      if (
        endpoint.url &&
        "literal" in endpoint.url &&
        into(endpoint.url.literal) &&
        endpoint.tenant &&
        "literal" in endpoint.tenant
      )
        name(tenants, endpoint.tenant.literal, `${content.where} ${endpoint.component} endpoint ${endpoint.tenantKey}`);
    }
  }
  const { datasources, unknowns } = grafanaDatasources(stack);
  unknowns.forEach((u) => ctx.inconclusive(u));
  for (const { node } of datasources) {
    const type = node.get("type").raw();
    const url = node.get("url").string();
    if (type !== (store === "Mimir" ? "prometheus" : "loki") || isUnknown(url) || !into(url)) continue;
    const tenant = datasourceTenant(node);
    if (tenant && !isUnknown(tenant)) name(tenants, tenant.value, tenant.where);
  }
}

function describe(tenants: Named): string {
  return [...tenants].map(([tenant, where]) => `${tenant} (${where})`).join(", ");
}

/** Mimir's own flag in a component's extraArgs (mimir-distributed renders extraArgs as `-<key>=<value>`; flags win over the file). */
function flagSetting(mimir: ReturnType<typeof mimirReleases>[number], flag: string): Sourced<string> | undefined {
  const values = mimir.release.values.entries();
  if (values === undefined || isUnknown(values)) return undefined;
  for (const [, component] of values) {
    const arg = component.get("extraArgs", flag);
    const text = arg.isUnknown ? undefined : arg.raw();
    if (text !== undefined && text !== null) return { value: String(text), where: arg.where };
  }
  return undefined;
}

export const tenancyStaysEnabled = stackRule<object>(
  {
    name: "tenancy-stays-enabled",
    rule: "W4",
    description:
      "Mimir multitenancy_enabled and Loki auth_enabled must stay true while the stack names tenants other than the single-tenant defaults (anonymous, fake)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Remove mimir.structuredConfig.multitenancy_enabled: false (and -auth.multitenancy-enabled=false extraArgs) and loki.auth_enabled / " +
      "loki.structuredConfig.auth_enabled: false; keep clients sending X-Scope-OrgID through the gateways.",
    url: "https://grafana.com/docs/mimir/latest/references/configuration-parameters/ (multitenancy_enabled, no_auth_tenant)",
    tags: ["mimir", "loki", "tenancy", "wiring"],
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const node = mimir.structuredNode("multitenancy_enabled");
      const structured = node.boolean();
      const tenantNode = mimir.structuredNode("no_auth_tenant");
      const noAuth = tenantNode.string();
      if (isUnknown(structured) || isUnknown(noAuth)) {
        [structured, noAuth].forEach((v) => isUnknown(v) && ctx.inconclusive(v));
        continue;
      }
      const flag = flagSetting(mimir, "auth.multitenancy-enabled");
      const off: Sourced<unknown> | undefined =
        flag && flag.value.toLowerCase() === "false"
          ? flag
          : structured === false
            ? { value: false, where: node.where }
            : undefined;
      if (!off) continue;
      const fallback = flagSetting(mimir, "auth.no-auth-tenant")?.value ?? noAuth ?? MIMIR_NO_AUTH_TENANT;
      const tenants: Named = new Map();
      overrideTenants(ctx, mimir.release.values.at("runtimeConfig.overrides"), tenants);
      clientTenants(ctx, stack, mimir.release.namespace, "Mimir", tenants);
      tenants.delete(fallback);
      if (tenants.size === 0) continue;
      ctx.violation(
        `${show(off)} makes ${mimir.label} store every request under tenant "${fallback}" (no_auth_tenant) and ignore ${TENANT_HEADER}, yet the stack names ` +
          `tenants ${describe(tenants)}: their runtimeConfig.overrides (limits, retention), their bucket lifecycle prefixes and their Grafana datasources no ` +
          `longer apply, and every tenant reads every other tenant's series. Fix: remove multitenancy_enabled: false (Mimir's default is true).`,
        mimir.urn,
      );
    }
    for (const loki of lokiReleases(stack)) {
      const setting = loki.setting("auth_enabled");
      if (isUnknown(setting)) {
        ctx.inconclusive(setting);
        continue;
      }
      const valuesNode = loki.values.at("loki.auth_enabled");
      const found =
        setting ?? (valuesNode.isPresent ? { value: valuesNode.raw(), where: valuesNode.where } : undefined);
      if (isUnknown(found?.value)) continue;
      if (found === undefined || !(found.value === false || found.value === "false")) continue;
      const tenants: Named = new Map();
      const overrides = loki.tenantOverrides();
      if (isUnknown(overrides)) ctx.inconclusive(overrides);
      else for (const [tenant, node] of overrides ?? []) name(tenants, tenant, node.where);
      const declared = loki.values.at("loki.tenants").items();
      if (isUnknown(declared)) ctx.inconclusive(declared);
      else
        for (const entry of declared ?? []) {
          const tenant = entry.get("name").raw();
          if (typeof tenant === "string") name(tenants, tenant, entry.get("name").where);
        }
      clientTenants(ctx, stack, loki.release.namespace, "Loki", tenants);
      tenants.delete(LOKI_NO_AUTH_TENANT);
      if (tenants.size === 0) continue;
      ctx.violation(
        `${show(found)} makes ${loki.label} store every log line under tenant "${LOKI_NO_AUTH_TENANT}" and ignore ${TENANT_HEADER}, yet the stack names ` +
          `tenants ${describe(tenants)}: their loki.runtimeConfig.overrides (limits, retention), their bucket lifecycle prefixes and their Grafana ` +
          `datasources no longer apply, and every tenant reads every other tenant's logs. Fix: set loki.auth_enabled: true (the chart's default).`,
        loki.urn,
      );
    }
  },
);
