import type { Settings } from "../../settings";
import type { Values } from "../shared/values";
import { PASSWORD_KEY } from "../shared/gateway-credentials";
import {
  LOKI_TENANT_FROM_USER_SNIPPET,
  TENANT_BINDING_HTTP_SNIPPET,
  TENANT_BINDING_SERVER_SNIPPET,
} from "../../policies/lib/tenant-binding";

// The chart mounts gateway.basicAuth.existingSecret at /etc/nginx/secrets; nginx reads `.htpasswd` there (loki values.yaml, templates/gateway/deployment.yaml).
export { HTPASSWD_KEY, htpasswdLine, PASSWORD_KEY, USERNAME_KEY } from "../shared/gateway-credentials";

/** The canary's environment variable for the gateway password, expanded by the kubelet in its `-pass=$(...)` argument. */
export const CANARY_PASSWORD_ENV = "LOKI_GATEWAY_PASSWORD";

import { LOKI_CANARY_TENANT } from "../../settings/names";
export { LOKI_CANARY_TENANT };

/** Where the gateway and the canary find their credentials. */
export interface LokiGatewayAuthRef {
  /** Secret in Loki's namespace with the gateway's `.htpasswd`. */
  htpasswdSecretName: string;
  /** Secret in Loki's namespace with the canary user's `username` and `password`. */
  canarySecretName: string;
}

/** One gateway user per tenant, named after it, and the canary's own tenant: a credential acts only as its tenant. */
export function gatewayUsers(settings: Settings): string[] {
  return [...new Set([...settings.tenants, LOKI_CANARY_TENANT])];
}

/** Our own Secret names, distinct from the `<fullname>-gateway` Secret the chart renders when it builds the htpasswd itself. */
export function gatewaySecretNames(settings: Settings): { htpasswd: string; canary: string } {
  return {
    htpasswd: `${settings.releases.loki}-gateway-htpasswd`,
    canary: `${settings.releases.loki}-canary-credentials`,
  };
}

/**
 * The chart values that turn on the gateway's basic auth, bind each credential to its tenant, and let the chart's
 * own canary through it.
 *
 * - gateway.basicAuth: with existingSecret set the chart renders no Secret of its own, so its htpasswd template and
 *   the `required` username/password it reads are never evaluated (templates/gateway/secret.yaml); both stay unset
 *   and the plain password never enters the values.
 * - gateway.nginxConfig: httpSnippet goes into the http block, serverSnippet into the server block and
 *   locationSnippet into every location (templates/gateway/_helpers.tpl, loki.nginxFile). The chart's template sets
 *   no X-Scope-OrgID of its own: the client's header would pass through unchecked. The binding refuses a header
 *   that names another tenant, and the location snippet sends the credential's user as the header upstream
 *   (policies/lib/tenant-binding.ts).
 * - lokiCanary: it pushes and queries through the gateway (templates/loki-canary/daemonset.yaml: `-addr` is the
 *   gateway host) with `-user` and `-tenant-id` both lokiCanary.tenant.name and `-pass` lokiCanary.tenant.password.
 *   The password is a `$(VAR)` reference the kubelet expands from an env var filled from the canary's Secret
 *   (Kubernetes docs, "Define a command and arguments": `$(VAR_NAME)` in args).
 */
export function gatewayAuthValues(auth: LokiGatewayAuthRef): { gateway: Values; lokiCanary: Values } {
  return {
    gateway: {
      basicAuth: { enabled: true, existingSecret: auth.htpasswdSecretName },
      nginxConfig: {
        httpSnippet: TENANT_BINDING_HTTP_SNIPPET,
        serverSnippet: TENANT_BINDING_SERVER_SNIPPET,
        locationSnippet: LOKI_TENANT_FROM_USER_SNIPPET,
      },
    },
    lokiCanary: {
      tenant: { name: LOKI_CANARY_TENANT, password: `$(${CANARY_PASSWORD_ENV})` },
      extraEnv: [
        { name: CANARY_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: auth.canarySecretName, key: PASSWORD_KEY } } },
      ],
    },
  };
}
