// How a Mimir or Loki nginx gateway binds a request's tenant to its basic-auth credential. Both products take the
// tenant from the X-Scope-OrgID header and trust it (Mimir docs, "About authentication and authorization"; Loki docs,
// "Manage authentication"): the gateway is the only place where a credential can be tied to one tenant. The stack
// gives each tenant its own gateway user, named after the tenant, and the gateway refuses a request whose header
// names another tenant. The program writes these snippets into the charts' values; the pack checks them.

/** The nginx variable the binding map sets: "1" when the header names a tenant other than the credential's user. */
export const TENANT_MISMATCH_VARIABLE = "$tenant_credential_mismatch";

/** What a refused request gets back: 403 and a body that says why. */
export const TENANT_MISMATCH_MESSAGE = "X-Scope-OrgID must name the tenant of the basic-auth credential";

/**
 * For the http block. The map key joins the header and the basic-auth user with ':', which neither a tenant id
 * (Mimir docs, about-tenant-ids: no ':') nor an htpasswd user name can contain, so "^([^:]+):\1$" matches only when
 * both sides are the same non-empty string. A request without credentials (empty user, key ends in ':') is let on
 * to auth_basic, which answers 401 and the client's challenge flow still works. A multi-tenant query header
 * ("a|b", tenant federation) never equals one user name, so a credential reaches exactly one tenant.
 * nginx resolves $remote_user from the Authorization header whenever it is read (ngx_http_variables.c,
 * ngx_http_variable_remote_user), so the map works in the rewrite phase, before auth_basic checks the password.
 */
export const TENANT_BINDING_HTTP_SNIPPET = [
  `map "$http_x_scope_orgid:$remote_user" ${TENANT_MISMATCH_VARIABLE} {`,
  "  default 1;",
  '  "~:$" 0;',
  '  "~^([^:]+):\\1$" 0;',
  "}",
].join("\n");

/**
 * For the server block: refuse the mismatch before any location proxies it. A server-level `if` with `return` runs
 * in the server rewrite phase, before location matching (nginx docs, ngx_http_rewrite_module).
 */
export const TENANT_BINDING_SERVER_SNIPPET = `if (${TENANT_MISMATCH_VARIABLE}) { return 403 "${TENANT_MISMATCH_MESSAGE}\\n"; }`;

/**
 * Loki's own binding, the chart's default locationSnippet when loki.tenants is set (loki values.yaml,
 * gateway.nginxConfig.locationSnippet): the upstream request's header is the credential's user, whatever the client
 * sent. With it Loki never sees a second X-Scope-OrgID header a client may add.
 */
export const LOKI_TENANT_FROM_USER_SNIPPET = "proxy_set_header X-Scope-OrgID $remote_user;";

/** Why a gateway's snippets do not bind tenants to credentials, or undefined when they do. */
export function tenantBindingGap(snippets: { http?: string; server?: string; location?: string }): string | undefined {
  const variable = TENANT_MISMATCH_VARIABLE.replace("$", "\\$");
  const map = new RegExp(`map\\s+"\\$http_x_scope_orgid:\\$remote_user"\\s+${variable}\\s*\\{[^}]*default\\s+1;`);
  const refusal = new RegExp(`if\\s*\\(\\s*${variable}\\s*\\)\\s*\\{\\s*return\\s+403\\b`);
  const fromUser = /proxy_set_header\s+X-Scope-OrgID\s+\$remote_user\s*;/i;
  if (snippets.location !== undefined && fromUser.test(snippets.location)) return undefined;
  if (!map.test(snippets.http ?? ""))
    return `the http snippet has no map of "$http_x_scope_orgid:$remote_user" to ${TENANT_MISMATCH_VARIABLE}`;
  if (!refusal.test(snippets.server ?? ""))
    return `the server snippet does not return 403 when ${TENANT_MISMATCH_VARIABLE} is set`;
  return undefined;
}
