import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../../settings";
import { BasicAuthCredentials, BasicAuthSecretRef, createBasicAuthSecret } from "../shared/basic-auth-secret";
import { CHARTS, pinnedRelease } from "../shared/charts";
import { mergeOverrides, Values } from "../shared/values";
import { LOKI_ENV, MIMIR_ENV } from "./config";
import { buildAlloyValues } from "./values";
import { componentNamespace } from "../shared/namespace";
import { POD_SECURITY } from "../shared/pod-security";

export * from "./config";
export * from "./values";

/** Keys are the environment variable names the config reads (alloy.envFrom turns each key into a variable). */
export const ALLOY_MIMIR_AUTH_SECRET: BasicAuthSecretRef = {
  name: "alloy-mimir-auth",
  usernameKey: MIMIR_ENV.username,
  passwordKey: MIMIR_ENV.password,
};

export const ALLOY_LOKI_AUTH_SECRET: BasicAuthSecretRef = {
  name: "alloy-loki-auth",
  usernameKey: LOKI_ENV.username,
  passwordKey: LOKI_ENV.password,
};

export interface AlloyArgs {
  settings: Settings;
  provider: k8s.Provider;
  /** The stack tenant's credential for Mimir's gateway; copied into a Secret in the alloy namespace. */
  mimirAuth: BasicAuthCredentials;
  /** The stack tenant's credential for Loki's gateway; copied into a Secret in the alloy namespace. */
  lokiAuth: BasicAuthCredentials;
  /** The prometheus-operator CRDs release: the chart creates a ServiceMonitor. */
  crdsRelease: pulumi.Resource;
  /** overrides.alloy, deep-merged over the built values last. */
  overrides?: Values;
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Alloy as a DaemonSet: node pod logs, cluster events and OTLP into Loki and Mimir. */
export class Alloy extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  readonly release: k8s.helm.v3.Release;
  readonly values: Values;

  constructor(name: string, args: AlloyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:alloy:Alloy", name, {}, opts);
    const { settings, provider } = args;
    const childOpts = { parent: this, provider };

    // The namespace's name goes to consumers as the string given here, not as its output (namespace.ts).
    const {
      resource,
      name: namespace,
      inNamespace,
    } = componentNamespace(`${name}-namespace`, settings.namespaces.alloy, POD_SECURITY.alloy, childOpts);
    this.namespace = resource;
    const mimirSecret = createBasicAuthSecret(
      `${name}-mimir-auth`,
      { namespace, ref: ALLOY_MIMIR_AUTH_SECRET, credentials: args.mimirAuth },
      inNamespace,
    );
    const lokiSecret = createBasicAuthSecret(
      `${name}-loki-auth`,
      { namespace, ref: ALLOY_LOKI_AUTH_SECRET, credentials: args.lokiAuth },
      inNamespace,
    );

    this.values = mergeOverrides(
      buildAlloyValues(settings, {
        mimirAuthSecretName: ALLOY_MIMIR_AUTH_SECRET.name,
        lokiAuthSecretName: ALLOY_LOKI_AUTH_SECRET.name,
      }),
      args.overrides,
    );

    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      pinnedRelease(CHARTS.alloy, settings.releases.alloy, namespace, this.values),
      // No dependency on Loki or Mimir: Alloy retries its writes until they answer, so all three install in parallel.
      {
        ...childOpts,
        dependsOn: [this.namespace, args.crdsRelease, mimirSecret, lokiSecret, ...(args.dependsOn ?? [])],
      },
    );

    this.registerOutputs({ namespace: this.namespace.metadata.name, release: this.release.name });
  }
}
