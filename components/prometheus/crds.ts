import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../../settings";
import { CHARTS, pinnedRelease } from "../shared/charts";
import { componentNamespace } from "../shared/namespace";
import { POD_SECURITY } from "../shared/pod-security";

export interface PrometheusOperatorCrdsArgs {
  settings: Settings;
  provider: k8s.Provider;
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * The monitoring namespace and the prometheus-operator CRDs (ServiceMonitor, PrometheusRule, ...) in their own
 * release, installed before anything that creates those kinds. Depend on `release` (not on this component) to wait
 * for the CRDs only: Mimir's and Loki's ServiceMonitors, the stack's alerts and the stack itself do.
 */
export class PrometheusOperatorCrds extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: PrometheusOperatorCrdsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:prometheus:PrometheusOperatorCrds", name, {}, opts);
    const { settings, provider } = args;
    const childOpts = { parent: this, provider };

    // The namespace's name goes to consumers as the string given here, not as its output (namespace.ts).
    const monitoring = componentNamespace(
      `${name}-namespace`,
      settings.namespaces.monitoring,
      POD_SECURITY.monitoring,
      { ...childOpts, dependsOn: args.dependsOn },
    );
    this.namespace = monitoring.resource;

    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      // The chart's CRDs are templates (charts/crds/templates), so Helm upgrades them with the chart version.
      pinnedRelease(CHARTS.prometheusOperatorCrds, settings.releases.prometheusCrds, monitoring.name, {}),
      monitoring.inNamespace,
    );

    this.registerOutputs({ namespace: this.namespace.metadata.name, release: this.release.name });
  }
}
