import type { Settings } from "../../settings";
import type { Values } from "../shared/values";


// The chart mounts gateway.basicAuth.existingSecret at /etc/nginx/secrets; nginx reads `.htpasswd` there (loki values.yaml, templates/gateway/deployment.yaml).
import { PASSWORD_KEY } from "../shared/gateway-credentials";
export { HTPASSWD_KEY, htpasswdLine, PASSWORD_KEY, USERNAME_KEY } from "../shared/gateway-credentials";

/** The canary's environment variable for the gateway password, expanded by the kubelet in its `-pass=$(...)` argument. */
export const CANARY_PASSWORD_ENV = "LOKI_GATEWAY_PASSWORD";

/** Where the gateway and its in-namespace clients find the credentials. */
export interface LokiGatewayAuthRef {
  username: string;
  /** Secret in Loki's namespace with the gateway's `.htpasswd`. */
  htpasswdSecretName: string;
  /** Secret in Loki's namespace with `username` and `password`. */
  credentialsSecretName: string;
}

/**
 * One basic-auth user for every in-cluster client (Alloy, Grafana, the chart's canary), named after the release it
 * unlocks. Tenants are still chosen per request with X-Scope-OrgID: the chart only rewrites that header from the
 * user name when loki.tenants is set (values.yaml gateway.nginxConfig.locationSnippet), which we leave empty.
 */
export function gatewayUsername(settings: Settings): string {
  return settings.releases.loki;
}

/** Our own Secret names, distinct from the `<fullname>-gateway` Secret the chart renders when it builds the htpasswd itself. */
export function gatewaySecretNames(settings: Settings): { htpasswd: string; credentials: string } {
  return { htpasswd: `${settings.releases.loki}-gateway-htpasswd`, credentials: `${settings.releases.loki}-gateway-credentials` };
}

/**
 * The chart values that turn on the gateway's basic auth and let the chart's own canary through it.
 *
 * - gateway.basicAuth: with existingSecret set the chart renders no Secret of its own, so its htpasswd template and
 *   the `required` username/password it reads are never evaluated (templates/gateway/secret.yaml); both stay unset
 *   and the plain password never enters the values.
 * - lokiCanary: it pushes and queries through the gateway (templates/loki-canary/daemonset.yaml: `-addr` is the
 *   gateway host) with `-user`/`-tenant-id` = lokiCanary.tenant.name and `-pass` = lokiCanary.tenant.password. The
 *   password is a `$(VAR)` reference the kubelet expands from an env var filled from the credentials Secret
 *   (Kubernetes docs, "Define a command and arguments": `$(VAR_NAME)` in args); extraArgs come after the chart's
 *   arguments, and loki-canary parses them with Go's `flag` package, where the last `-user` wins. The canary keeps
 *   its tenant (chart default "self-monitoring").
 */
export function gatewayAuthValues(auth: LokiGatewayAuthRef): { gateway: Values; lokiCanary: Values } {
  return {
    gateway: { basicAuth: { enabled: true, existingSecret: auth.htpasswdSecretName } },
    lokiCanary: {
      tenant: { password: `$(${CANARY_PASSWORD_ENV})` },
      extraArgs: [`-user=${auth.username}`],
      extraEnv: [{ name: CANARY_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: auth.credentialsSecretName, key: PASSWORD_KEY } } }],
    },
  };
}
