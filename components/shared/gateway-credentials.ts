import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** The charts' nginx gateways read `.htpasswd` from their basicAuth.existingSecret (mimir-distributed and loki values.yaml). */
export const HTPASSWD_KEY = ".htpasswd";
/** Keys of a kubernetes.io/basic-auth Secret (Kubernetes docs, "Secrets": basic authentication Secret). */
export const USERNAME_KEY = "username";
export const PASSWORD_KEY = "password";

/**
 * An htpasswd line with a bcrypt hash. The charts' own defaults do the same (Sprig `htpasswd` emits bcrypt), and
 * their nginx images (nginx-unprivileged alpine) check `$2a$`/`$2b$` hashes through musl's crypt(3). The plain
 * password never enters the charts' values or the rendered manifests.
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

export interface GatewayCredentials {
  password: random.RandomPassword;
  /** `.htpasswd` for the gateway's nginx. */
  htpasswd: k8s.core.v1.Secret;
  /** `username` and `password` for in-namespace clients. */
  credentials: k8s.core.v1.Secret;
}

/**
 * A generated password for a gateway's single basic-auth user, as an htpasswd Secret for the gateway and a
 * basic-auth Secret for clients. Children are created under `opts.parent` with names prefixed by `name`.
 */
export function gatewayCredentials(
  name: string,
  args: { namespace: pulumi.Input<string>; username: string; htpasswdSecretName: string; credentialsSecretName: string },
  opts: pulumi.CustomResourceOptions,
): GatewayCredentials {
  const password = new random.RandomPassword(`${name}-gateway-password`, { length: 32, special: false }, { parent: opts.parent });
  const htpasswd = new k8s.core.v1.Secret(`${name}-gateway-htpasswd`, {
    metadata: { name: args.htpasswdSecretName, namespace: args.namespace },
    type: "Opaque",
    stringData: { [HTPASSWD_KEY]: password.bcryptHash.apply((hash) => htpasswdLine(args.username, hash)) },
  }, opts);
  const credentials = new k8s.core.v1.Secret(`${name}-gateway-credentials`, {
    metadata: { name: args.credentialsSecretName, namespace: args.namespace },
    type: "kubernetes.io/basic-auth",
    stringData: { [USERNAME_KEY]: args.username, [PASSWORD_KEY]: password.result },
  }, opts);
  return { password, htpasswd, credentials };
}
