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
// - The sidecar must find that ConfigMap: kube-prometheus-stack renders it as kind ConfigMap
//   `<kube-prometheus-stack.fullname>-grafana-datasource` (fullname truncated to 26 characters, templates/_helpers.tpl)
//   in kube-prometheus-stack-grafana.namespace (grafana.namespaceOverride, else the release namespace), labelled
//   grafana.sidecar.datasources.label: labelValue. The grafana 12.11.1 subchart (grafana-community/helm-charts tag
//   grafana-12.11.1, templates/_pod.tpl lines 215 and 868 sc-datasources) passes the k8s-sidecar RESOURCE from
//   sidecar.datasources.resource (values.yaml "search in configmap, secret or both", default both), RESOURCE_NAME from
//   resourceName (default "") and NAMESPACE from searchNamespace (default null: the pod's own namespace,
//   grafana.namespace = the same namespaceOverride or the release namespace). k8s-sidecar (kiwigrid/k8s-sidecar
//   README, Configuration Environment Variables): RESOURCE "configmap", "secret" or "both"; RESOURCE_NAME a comma
//   separated list of names, optionally `type/name` or `namespace/type/name`; NAMESPACE a comma separated list, or ALL.
//   So resource: secret, a resourceName list without the ConfigMap, or a searchNamespace without its namespace leaves
//   Grafana without the stack's datasources. The label and labelValue are read from the same values keys by both
//   charts, so they cannot disagree.
// - When the stack provisions datasources, each tenant its own senders write as must keep a datasource of its store
//   sending that tenant's header, or that tenant's metrics or logs cannot be read in the stack's Grafana (a list
//   override replaces the program's).
import { Maybe } from "../../lib/node";
import { isUnknown } from "../../lib/unknown";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { HelmRelease } from "../../lib/stack";
import { kubePrometheusStackFullname } from "../../lib/chart-names";
import { datasourceTenant, grafanaDatasources, logTenants, metricTenants } from "./endpoints";

const truthy = (raw: unknown, fallback: boolean) =>
  raw === undefined || raw === null ? fallback : raw === true || raw === "true";

interface SidecarMiss {
  readonly setting: string;
  readonly configMap: string;
  readonly fix: string;
}

/** Why the grafana subchart's datasources sidecar does not see kube-prometheus-stack's datasource ConfigMap. */
function sidecarMisses(release: HelmRelease): Maybe<SidecarMiss[]> {
  const values = release.values;
  const releaseNamespace = release.namespace;
  const grafana = values.get("grafana");
  const sidecar = grafana.get("sidecar", "datasources");
  const resource = sidecar.get("resource").string();
  const resourceName = sidecar.get("resourceName").string();
  const search = sidecar.get("searchNamespace");
  const override = grafana.get("namespaceOverride").string();
  const fullname = kubePrometheusStackFullname(release);
  for (const v of [resource, resourceName, override, fullname]) if (isUnknown(v)) return v;
  if (search.isUnknown) return search.unknown();
  const namespace = (override as string | undefined) || releaseNamespace;
  const name = `${fullname as string}-grafana-datasource`;
  const configMap = `"${name}" (namespace ${namespace})`;
  const out: SidecarMiss[] = [];
  // grafana 12.11.1 values.yaml sidecar.datasources.resource: both.
  const kind = (resource as string | undefined) ?? "both";
  if (kind !== "both" && kind !== "configmap")
    out.push({
      setting: `${sidecar.where}.resource=${kind} (the sidecar's RESOURCE: it watches ${kind === "secret" ? "Secrets only" : `"${kind}", not ConfigMaps`})`,
      configMap,
      fix: `set ${sidecar.where}.resource to both (the chart default) or configmap; Grafana's datasource passwords already come from the Secret through grafana.envValueFrom`,
    });
  // RESOURCE_NAME items: name, type/name or namespace/type/name (k8s-sidecar README).
  const names = ((resourceName as string | undefined) ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n !== "");
  const named = names.some((item) => {
    const parts = item.split("/");
    const [ns, type, n] =
      parts.length === 3 ? parts : parts.length === 2 ? [undefined, ...parts] : [undefined, undefined, parts[0]];
    return n === name && (type === undefined || type === "configmap") && (ns === undefined || ns === namespace);
  });
  if (names.length > 0 && !named)
    out.push({
      setting: `${sidecar.where}.resourceName=${JSON.stringify(resourceName)} (the sidecar's RESOURCE_NAME: it checks only those objects)`,
      configMap,
      fix: `add configmap/${name} to ${sidecar.where}.resourceName, or leave it empty`,
    });
  // searchNamespace: a list joined with "," (_pod.tpl), or ALL; unset is the pod's own namespace, the ConfigMap's.
  const raw = search.raw();
  const searched =
    raw === undefined || raw === null || raw === "" ? undefined : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  const list = searched?.flatMap((n) => n.split(",").map((x) => x.trim()));
  if (list && !list.includes("ALL") && !list.includes(namespace))
    out.push({
      setting: `${search.where}=${JSON.stringify(raw)} (the sidecar's NAMESPACE: it searches only there)`,
      configMap,
      fix: `add ${namespace} to ${search.where} (or ALL), or leave it unset so the sidecar searches its own namespace`,
    });
  return out;
}

export const grafanaProvisionsStackDatasources = stackRule<object>(
  {
    name: "grafana-provisions-stack-datasources",
    rule: "W17",
    description:
      "Grafana must load the stack's datasources: one default datasource at most, the datasources sidecar on and watching the ConfigMap they are delivered in (resource, resourceName, searchNamespace), and a Mimir and a Loki datasource for each tenant the stack writes as",
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
      const sidecarOn = truthy(sidecar.get("enabled").raw(), true);
      const rendered = sidecarOn || truthy(values.at("grafana.forceDeployDatasources").raw(), false);
      const additional = values.at("grafana.additionalDataSources").items();
      const carried = !isUnknown(additional) && (additional ?? []).length > 0;
      if (!rendered && carried)
        ctx.violation(
          `${release.label}: ${sidecar.where}.enabled=false, so the chart renders no datasource ConfigMap and Grafana's sidecar loads none: ` +
            `the ${(additional ?? []).length} datasources of grafana.additionalDataSources (the stack's Mimir and Loki) never reach Grafana and ` +
            `nothing the stack stores can be read there. Fix: keep grafana.sidecar.datasources.enabled: true.`,
          release.resource.urn,
        );
      // With the sidecar off and forceDeployDatasources, the ConfigMap is for another Grafana: not judged here.
      if (sidecarOn && carried) {
        const missed = sidecarMisses(release);
        if (isUnknown(missed)) return ctx.inconclusive(missed);
        for (const miss of missed)
          ctx.violation(
            `${miss.setting}, but kube-prometheus-stack delivers the stack's datasources (grafana.additionalDataSources: ` +
              `${(additional ?? []).length}, the Mimir and Loki ones) as the ConfigMap ${miss.configMap} ` +
              `(templates/grafana/configmaps-datasources.yaml): the datasources sidecar never loads it, Grafana starts without the Mimir and ` +
              `Loki datasources, and nothing the stack stores can be read there. Fix: ${miss.fix}.`,
            release.resource.urn,
          );
      }
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
