// W14 (silent loss): the stack's alert rules, evaluated by its Prometheus, must reach an Alertmanager.
// - kube-prometheus-stack 88.5.3 templates/prometheus/prometheus.yaml renders spec.alerting.alertmanagers only
//   `if and (not .Values.prometheus.agentMode) (not .Values.prometheus.prometheusSpec.disableAlerting) (or
//   .Values.prometheus.prometheusSpec.alertingEndpoints .Values.alertmanager.enabled)`: alertingEndpoints as written,
//   else the chart's own Alertmanager (<fullname>-alertmanager). prometheusSpec.additionalAlertManagerConfigs(Secret)
//   adds raw alertmanager_configs outside that condition (same file, `if not .Values.prometheus.agentMode`).
// - Without any Alertmanager, Prometheus still evaluates the rules and marks alerts firing, but sends them nowhere
//   (Prometheus docs, "Alerting overview": Prometheus sends alerts to an Alertmanager, which notifies): every alert of
//   the stack is dropped without an error.
// - Not judged: where the Alertmanager routes them. The program sets no alertmanager.config, so the chart's default
//   (values.yaml alertmanager.config: every route to the "null" receiver) applies by design until the operators give it
//   receivers; that is the program's choice, not a conflict.
// Level: like C4 (zone-loss-survived), mandatory in staging and prod, advisory elsewhere (dev may run without paging).
import { enforcedEnvironmentsSchema, Environment, environmentOverrideSchema } from "../../lib/config";
import { describeEnvironment, ruleApplies, stackEnvironment } from "../../lib/environment";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { known } from "../../lib/unknown";
import { flag, stackObjects } from "./stack-monitoring";

interface Config {
  environment?: Environment;
  environments: Environment[];
}

export const stackAlertsReachAlertmanager = stackRule<Config>(
  {
    name: "stack-alerts-reach-alertmanager",
    rule: "W14",
    description:
      "In staging and prod the stack's Prometheus must send the alerts of the stack's PrometheusRules to an Alertmanager: alertmanager.enabled or prometheusSpec.alertingEndpoints / additionalAlertManagerConfigs, and disableAlerting off (advisory elsewhere)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep alertmanager.enabled (the chart's Alertmanager) or point prometheus.prometheusSpec.alertingEndpoints at an external Alertmanager, and leave prometheus.prometheusSpec.disableAlerting false.",
    url: "https://prometheus.io/docs/alerting/latest/overview/ (Prometheus sends alerts to an Alertmanager); kube-prometheus-stack templates/prometheus/prometheus.yaml (alerting.alertmanagers)",
    tags: ["prometheus", "alerting", "wiring"],
    configSchema: {
      properties: {
        environment: environmentOverrideSchema,
        environments: enforcedEnvironmentsSchema(["staging", "prod"]),
      },
    },
  },
  (stack, ctx) => {
    const rules = stackObjects(stack).filter((o) => o.kind === "PrometheusRule");
    if (rules.length === 0) return;
    const env = stackEnvironment(stack, ctx.config.environment);
    const enforced = ruleApplies(env, ctx.config.environments);
    for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      const v = release.values;
      // Agent mode evaluates no rules at all: W13 reports it.
      if (!flag(v, "prometheus.enabled", true) || flag(v, "prometheus.agentMode", false)) continue;
      const specPath = "prometheus.prometheusSpec";
      const additional =
        (known(v.at(`${specPath}.additionalAlertManagerConfigs`).items()) ?? []).length > 0 ||
        v.at(`${specPath}.additionalAlertManagerConfigsSecret`).isPresent;
      if (additional) continue;
      const disable = v.at(`${specPath}.disableAlerting`);
      const endpoints = known(v.at(`${specPath}.alertingEndpoints`).items()) ?? [];
      const amNode = v.at("alertmanager.enabled");
      const amEnabled = flag(v, "alertmanager.enabled", true);
      let cause: string | undefined;
      if (flag(v, `${specPath}.disableAlerting`, false))
        cause = `${disable.where}=true leaves spec.alerting out of the Prometheus resource`;
      else if (endpoints.length === 0 && !amEnabled)
        cause =
          `${amNode.where}=false with no ${v.at(`${specPath}.alertingEndpoints`).where} (chart default []) renders no ` +
          `spec.alerting.alertmanagers`;
      if (!cause) continue;
      const message =
        `${release.label}: ${cause} (kube-prometheus-stack templates/prometheus/prometheus.yaml), so Prometheus sends no alert anywhere, ` +
        `yet it evaluates the stack's alert rules: every alert, the stack's own failure alerts included, ` +
        `is silently dropped (Prometheus docs, "Alerting overview"). Environment: ${describeEnvironment(env)}. ` +
        `Fix: keep alertmanager.enabled true, or set prometheus.prometheusSpec.alertingEndpoints to an external Alertmanager, and leave disableAlerting false. ` +
        `Rules: ${rules.map((r) => r.label).join("; ")}.`;
      if (enforced) ctx.violation(message, release.resource.urn);
      else
        ctx.advisory(
          `${message} Advisory in ${describeEnvironment(env)}; staging and prod must deliver alerts.`,
          release.resource.urn,
        );
    }
  },
);
