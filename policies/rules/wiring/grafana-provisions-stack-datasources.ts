// W17: Grafana must load the stack's datasources.
// - At most one datasource per organization may be the default: Grafana refuses the whole provisioning otherwise
//   ("Datasource provisioning error: datasource.yaml config is invalid. Only one datasource per organization can be
//   marked as default", grafana pkg/services/provisioning/datasources/config_reader.go validateDefaultUniqueness,
//   across every provisioning file) and the pod crash-loops. kube-prometheus-stack 88.5.3 provisions its own
//   Prometheus datasource as the default unless grafana.sidecar.datasources.defaultDatasourceEnabled or
//   isDefaultDatasource is false (values.yaml: both true; templates/grafana/configmaps-datasources.yaml).
// - grafana.additionalDataSources reach Grafana only through that ConfigMap, which the chart renders only when
//   grafana.sidecar.datasources.enabled (default true) or grafana.forceDeployDatasources, and which the grafana
//   subchart's sidecar loads only when its datasources sidecar is on (same key).
// - When the stack provisions datasources, each tenant its own senders write as must keep a datasource of its store
//   sending that tenant's header, or that tenant's metrics or logs cannot be read in the stack's Grafana (a list
//   override replaces the program's).
import { isUnknown } from "../../lib/unknown";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { datasourceTenant, grafanaDatasources, logTenants, metricTenants } from "./endpoints";

const truthy = (raw: unknown, fallback: boolean) =>
  raw === undefined || raw === null ? fallback : raw === true || raw === "true";

export const grafanaProvisionsStackDatasources = stackRule<object>(
  {
    name: "grafana-provisions-stack-datasources",
    rule: "W17",
    description:
      "Grafana must load the stack's datasources: one default datasource at most, the datasources sidecar on, and a Mimir and a Loki datasource for each tenant the stack writes as",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Mark at most one datasource isDefault (keep grafana.sidecar.datasources.isDefaultDatasource false next to the stack's Mimir datasource), keep grafana.sidecar.datasources.enabled, and when overriding grafana.additionalDataSources keep the stack's Mimir and Loki datasources.",
    url: "https://grafana.com/docs/grafana/latest/administration/provisioning/#data-sources ; grafana pkg/services/provisioning/datasources/config_reader.go",
    tags: ["grafana", "wiring"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    const { datasources, unknowns } = grafanaDatasources(stack);
    if (unknowns.length > 0) return ctx.inconclusive(unknowns[0]);
    for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      const values = release.values;
      if (!truthy(values.at("grafana.enabled").raw(), true)) continue;
      const sidecar = values.at("grafana.sidecar.datasources");
      if ([sidecar.raw()].some(isUnknown)) return ctx.inconclusive(sidecar.unknown());
      const own = datasources.filter((d) => d.release.resource.urn === release.resource.urn);
      const defaults = own
        .filter((d) => truthy(d.node.get("isDefault").raw(), false))
        .map((d) => `${d.node.where}.isDefault`);
      if (
        truthy(sidecar.get("defaultDatasourceEnabled").raw(), true) &&
        truthy(sidecar.get("isDefaultDatasource").raw(), true)
      )
        defaults.unshift(
          `the chart's Prometheus datasource (${sidecar.where}.defaultDatasourceEnabled and isDefaultDatasource, chart default true)`,
        );
      if (defaults.length > 1)
        ctx.violation(
          `${release.label}: ${defaults.length} Grafana datasources are the default (${defaults.join("; ")}): Grafana refuses the provisioning ` +
            `("Only one datasource per organization can be marked as default") and its pod crash-loops. ` +
            `Fix: leave one isDefault (set ${sidecar.where}.isDefaultDatasource: false to keep the stack's Mimir datasource the default).`,
          release.resource.urn,
        );
      const rendered =
        truthy(sidecar.get("enabled").raw(), true) || truthy(values.at("grafana.forceDeployDatasources").raw(), false);
      const additional = values.at("grafana.additionalDataSources").items();
      if (!rendered && !isUnknown(additional) && (additional ?? []).length > 0)
        ctx.violation(
          `${release.label}: ${sidecar.where}.enabled=false, so the chart renders no datasource ConfigMap and Grafana's sidecar loads none: ` +
            `the ${(additional ?? []).length} datasources of grafana.additionalDataSources (the stack's Mimir and Loki) never reach Grafana and ` +
            `nothing the stack stores can be read there. Fix: keep grafana.sidecar.datasources.enabled: true.`,
          release.resource.urn,
        );
      // A Grafana given no datasources of its own (an external one reads the stores) is not judged for coverage.
      if (own.length === 0) continue;
      for (const [store, type, tenants] of [
        ["Mimir", "prometheus", metricTenants(stack, ctx)],
        ["Loki", "loki", logTenants(stack, ctx)],
      ] as const) {
        for (const [tenant, senders] of tenants ?? []) {
          const reads = own.some((d) => {
            const t = datasourceTenant(d.node);
            return d.node.get("type").raw() === type && t !== undefined && !isUnknown(t) && t.value === tenant;
          });
          if (!reads)
            ctx.violation(
              `${release.label}: no Grafana datasource of type ${type} sends X-Scope-OrgID ${JSON.stringify(tenant)}, the tenant ${senders.join(", ")} ` +
                `write${senders.length > 1 ? "" : "s"} as: its ${store} data cannot be read in the stack's Grafana (an override of ` +
                `grafana.additionalDataSources replaces the program's list). Fix: keep the stack's "${store} (${tenant})" datasource in the list.`,
              release.resource.urn,
            );
        }
      }
    }
  },
);
