import type { Settings } from "../../settings";

/** The chart's nginx reads `/etc/nginx/secrets/.htpasswd` from gateway.nginx.basicAuth.existingSecret (values.yaml). */
export const HTPASSWD_KEY = ".htpasswd";
export const USERNAME_KEY = "username";
export const PASSWORD_KEY = "password";

/**
 * One basic-auth user for every in-cluster client (Prometheus, Alloy, Grafana). It is named after the release it
 * unlocks; tenants are still chosen per request with X-Scope-OrgID, which the gateway passes through.
 */
export function gatewayUsername(settings: Settings): string {
  return settings.releases.mimir;
}

/**
 * An htpasswd line with a bcrypt hash. The chart's own default does the same (Sprig `htpasswd` emits bcrypt), and
 * its nginx image (nginxinc/nginx-unprivileged:*-alpine) checks `$2a$`/`$2b$` hashes through musl's crypt(3). The
 * plain password never enters the chart's values or the rendered manifests.
 */
export function htpasswdLine(username: string, bcryptHash: string): string {
  if (username.includes(":") || username.length === 0) {
    throw new Error(`gateway username "${username}" must be non-empty and contain no ':' (htpasswd separates user and hash with ':')`);
  }
  if (!/^\$2[aby]\$\d{2}\$/.test(bcryptHash)) {
    throw new Error("the gateway password hash is not a bcrypt hash ($2a$/$2b$/$2y$): nginx would reject every login");
  }
  return `${username}:${bcryptHash}\n`;
}
