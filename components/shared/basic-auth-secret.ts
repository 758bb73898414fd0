import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * Basic-auth credentials for a gateway (Mimir's or Loki's), issued by that component (the password is a secret Output
 * from @pulumi/random). Consumers copy them into a Secret of their own namespace: a pod can only read Secrets of its
 * namespace (Kubernetes docs, "Secrets": a Secret is namespaced and only usable by pods in that namespace).
 */
export interface BasicAuthCredentials {
  username: pulumi.Input<string>;
  password: pulumi.Input<string>;
}

/** Where a workload finds the credentials: a Secret name and its two keys. Helm values only ever carry this. */
export interface BasicAuthSecretRef {
  name: string;
  usernameKey: string;
  passwordKey: string;
}

export interface BasicAuthSecretArgs {
  namespace: pulumi.Input<string>;
  ref: BasicAuthSecretRef;
  credentials: BasicAuthCredentials;
}

/** Writes the credentials into `ref` (the password stays a Pulumi secret in state and in every output). */
export function createBasicAuthSecret(
  logicalName: string,
  args: BasicAuthSecretArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
  return new k8s.core.v1.Secret(
    logicalName,
    {
      metadata: { name: args.ref.name, namespace: args.namespace },
      type: "Opaque",
      stringData: {
        [args.ref.usernameKey]: args.credentials.username,
        [args.ref.passwordKey]: pulumi.secret(args.credentials.password),
      },
    },
    opts,
  );
}
