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
    throw new Error(
      `gateway username "${username}" must be non-empty and contain no ':' (htpasswd separates user and hash with ':')`,
    );
  }
  if (!/^\$2[aby]\$\d{2}\$/.test(bcryptHash)) {
    throw new Error("the gateway password hash is not a bcrypt hash ($2a$/$2b$/$2y$): nginx would reject every login");
  }
  return `${username}:${bcryptHash}\n`;
}

/** A gateway's users, one per tenant: each user is named after the tenant it may act as (policies/lib/tenant-binding.ts). */
export interface TenantGatewayCredentials {
  /** `.htpasswd` for the gateway's nginx, one line per user. */
  htpasswd: k8s.core.v1.Secret;
  /** Each user's generated password (a secret Output), by user name, which is the tenant id. */
  passwords: Record<string, pulumi.Output<string>>;
}

/**
 * A generated password per gateway user, and one htpasswd Secret listing them all. Users are tenant ids: the
 * gateway refuses a request whose X-Scope-OrgID names another tenant than its credential's user, so a password is
 * good for exactly one tenant. Passwords are named by tenant, so adding or reordering tenants keeps the others'.
 */
export function tenantGatewayCredentials(
  name: string,
  args: { namespace: pulumi.Input<string>; users: readonly string[]; htpasswdSecretName: string },
  opts: pulumi.CustomResourceOptions,
): TenantGatewayCredentials {
  const users = [...new Set(args.users)];
  const generated = users.map(
    (user) =>
      new random.RandomPassword(
        `${name}-gateway-password-${user}`,
        { length: 32, special: false },
        { parent: opts.parent },
      ),
  );
  const lines = pulumi
    .all(generated.map((p) => p.bcryptHash))
    .apply((hashes) => hashes.map((hash, i) => htpasswdLine(users[i], hash)).join(""));
  const htpasswd = new k8s.core.v1.Secret(
    `${name}-gateway-htpasswd`,
    {
      metadata: { name: args.htpasswdSecretName, namespace: args.namespace },
      type: "Opaque",
      stringData: { [HTPASSWD_KEY]: pulumi.secret(lines) },
    },
    opts,
  );
  const passwords = Object.fromEntries(users.map((user, i) => [user, pulumi.secret(generated[i].result)]));
  return { htpasswd, passwords };
}
