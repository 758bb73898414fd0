import type { Settings } from "../../settings";

export { HTPASSWD_KEY, htpasswdLine, PASSWORD_KEY, USERNAME_KEY } from "../shared/gateway-credentials";

/**
 * One basic-auth user for every in-cluster client (Prometheus, Alloy, Grafana). It is named after the release it
 * unlocks; tenants are still chosen per request with X-Scope-OrgID, which the gateway passes through.
 */
export function gatewayUsername(settings: Settings): string {
  return settings.releases.mimir;
}
