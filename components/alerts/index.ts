import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "../../settings";
import type { PrometheusOperatorCrds } from "../prometheus/crds";
import { buildStackAlertGroups, RuleGroup } from "./rules";

export * from "./rules";
export * from "./thresholds";

/**
 * Labels of our PrometheusRule. The stack's Prometheus selects every rule (ruleSelectorNilUsesHelmValues: false in
 * prometheus/values.ts); the release label also satisfies the chart's default selector, release=<release name>
 * (kube-prometheus-stack templates/prometheus/prometheus.yaml), should an override turn that back on.
 */
export function alertRuleLabels(settings: Settings): Record<string, string> {
  return { release: settings.releases.kubePrometheusStack, "app.kubernetes.io/part-of": "observability-stack" };
}

export interface StackAlertsArgs {
  settings: Settings;
  provider: k8s.Provider;
  /** The CRDs release and the monitoring namespace: a PrometheusRule cannot be created before its CRD. */
  crds: PrometheusOperatorCrds;
}

/** PrometheusRules that page on the stack's own failure modes (see rules.ts). */
export class StackAlerts extends pulumi.ComponentResource {
  readonly rule: k8s.apiextensions.CustomResource;
  readonly groups: RuleGroup[];

  constructor(name: string, args: StackAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:alerts:StackAlerts", name, {}, opts);
    const { settings, provider, crds } = args;
    this.groups = buildStackAlertGroups(settings);

    this.rule = new k8s.apiextensions.CustomResource(
      `${name}-rules`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: {
          name: "observability-stack-alerts",
          namespace: settings.namespaces.monitoring,
          labels: alertRuleLabels(settings),
        },
        spec: { groups: this.groups },
      },
      // The namespace by its given name (its output is unknown in a new stack's first preview); crds.release waits for it.
      { parent: this, provider, dependsOn: [crds.release] },
    );

    this.registerOutputs({ rule: this.rule.metadata.name });
  }
}
