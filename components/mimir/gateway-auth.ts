import type { Settings } from "../../settings";
import { TENANT_BINDING_HTTP_SNIPPET, TENANT_BINDING_SERVER_SNIPPET } from "../../policies/lib/tenant-binding";

export { HTPASSWD_KEY, htpasswdLine, PASSWORD_KEY, USERNAME_KEY } from "../shared/gateway-credentials";

/** One gateway user per tenant, named after it: the gateway only lets a credential act as its own tenant. */
export function gatewayUsers(settings: Settings): string[] {
  return [...settings.tenants];
}

/**
 * gateway.nginx: basic auth from our htpasswd Secret, and the tenant binding (policies/lib/tenant-binding.ts). The
 * chart's nginx.conf template places config.httpSnippet in its http block and config.serverSnippet in its server
 * block, and sends X-Scope-OrgID upstream as the client's header (map to $ensured_x_scope_orgid), which the binding
 * has checked against the credential (mimir-distributed 6.0.x values.yaml, gateway.nginx.config.file).
 */
export function gatewayNginxValues(htpasswdSecretName: unknown): Record<string, unknown> {
  return {
    basicAuth: { enabled: true, existingSecret: htpasswdSecretName },
    config: { httpSnippet: TENANT_BINDING_HTTP_SNIPPET, serverSnippet: TENANT_BINDING_SERVER_SNIPPET },
  };
}
