// Basic auth alone lets any credential act as any tenant: Mimir and Loki take the tenant from X-Scope-OrgID, which the
// client chooses. Only the gateway can tie a credential to one tenant (policies/lib/tenant-binding.ts).
import { describeEnvironment } from "../../lib/environment";
import { environmentScopedRule, EnvironmentScopedConfig } from "../../lib/scoped-rule";
import type { Maybe } from "../../lib/node";
import { LOKI_TENANT_FROM_USER_SNIPPET, TENANT_MISMATCH_VARIABLE, tenantBindingGap } from "../../lib/tenant-binding";
import { gatewaySwitches, GATEWAYS } from "../../lib/gateways";
import { definedVariables, usedVariables } from "../../lib/nginx";

/** Whether a server or location snippet reads $tenant_credential_mismatch while the http snippet defines no such variable. */
function readsUndefinedMismatch(http: Maybe<string> | undefined, others: Array<Maybe<string> | undefined>): boolean {
  const name = TENANT_MISMATCH_VARIABLE.slice(1);
  if (definedVariables(typeof http === "string" ? http : "").has(name)) return false;
  return others.some((t) => typeof t === "string" && usedVariables(t).has(name));
}

type Config = EnvironmentScopedConfig;

export const gatewaysBindTenants = environmentScopedRule<Config>(
  {
    name: "gateways-bind-tenants",
    rule: "S11",
    description:
      "In staging and prod the Mimir and Loki gateways must bind each basic-auth credential to one tenant: a request's X-Scope-OrgID must name its credential's user",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep the stack's gateway snippets (httpSnippet with the $tenant_credential_mismatch map, serverSnippet returning 403 on it; for Loki also locationSnippet " +
      "`proxy_set_header X-Scope-OrgID $remote_user;`), name each gateway user after its tenant, and do not replace the chart's nginx config file.",
    url: "https://grafana.com/docs/loki/latest/operations/authentication/ (the gateway, not Mimir or Loki, ties a credential to a tenant)",
    tags: ["security", "mimir", "loki"],
    judgedPerResource: true,
  },
  ["staging", "prod"],
  (stack, ctx, env) => {
    for (const spec of GATEWAYS) {
      for (const release of stack.helmReleases(spec.chart)) {
        const values = release.values;
        const snippet = (key: string): Maybe<string> | undefined => values.at(`${spec.nginxConfig}.${key}`).string();
        const { enabled, basicAuth } = gatewaySwitches(release, spec);
        const checked = [
          enabled,
          basicAuth,
          snippet("file"),
          snippet("httpSnippet"),
          snippet("serverSnippet"),
          spec.locationSnippet ? snippet(spec.locationSnippet) : undefined,
          values.at("loki.tenants").items(),
        ] as const;
        ctx.known(checked, (gatewayOn, authOn, file, http, server, location, tenants) => {
          // Without basic auth there is no credential to bind: gateways-require-basic-auth (S8) reports that.
          if (!gatewayOn || !authOn) return;
          const where = `${release.label} in ${describeEnvironment(env)}`;
          if (file !== undefined && file !== spec.defaultFile) {
            ctx.violation(
              `${where} replaces the chart's nginx config (values.${spec.nginxConfig}.file is set), so the tenant binding cannot be shown: ` +
                `whether a credential may act as another tenant depends on that file. Fix: remove values.${spec.nginxConfig}.file and add what it changed ` +
                `through the snippets, or exempt this stack from the policy after reviewing the file.`,
              release.resource.urn,
            );
            return;
          }
          // The Loki chart's default locationSnippet binds the tenant when loki.tenants is set.
          const chartLocation =
            spec.locationSnippet && location === undefined && (tenants?.length ?? 0) > 0
              ? LOKI_TENANT_FROM_USER_SNIPPET
              : undefined;
          const gap = tenantBindingGap({ http, server, location: location ?? chartLocation });
          if (!gap) return;
          // A snippet that still reads the variable no snippet defines is not a binding gap but a configuration nginx
          // refuses to load ([emerg] unknown "tenant_credential_mismatch" variable, ngx_http_variables.c
          // ngx_http_variables_init_vars): gateway-nginx-variables-defined (W20) reports that crash, with this fix.
          if (readsUndefinedMismatch(http, [server, location])) return;
          ctx.violation(
            `${where}: ${gap}. Any holder of one tenant's gateway credential can then read and write every other tenant by sending its ` +
              `X-Scope-OrgID header (Mimir and Loki trust that header). Fix: set values.${spec.nginxConfig}.httpSnippet to the map of "$http_x_scope_orgid:$remote_user" to ` +
              `$tenant_credential_mismatch and serverSnippet to \`if ($tenant_credential_mismatch) { return 403 ...; }\` (policies/lib/tenant-binding.ts), ` +
              `and name each gateway user after its tenant.`,
            release.resource.urn,
          );
        });
      }
    }
  },
);
