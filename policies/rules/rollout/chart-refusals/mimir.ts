// The mimir-distributed chart's render-time refusals, from templates/validate.yaml as the search index stores it at
// grafana/mimir commit 4fa848c4fcbcd56163b5dcb92becd618421902d7 and templates/_helpers.tpl at commit
// 01064b3a31821d6fc7bfe49809eafdca4918c42a (the most recent versions it yields; the tag mimir-distributed-6.0.6 is
// not reachable here, see policies/lib/charts/chart-refusals.json). Line numbers are at those commits.
import { MIMIR_CHART_DEFAULTS, MIMIR_MIN_ZONE_AWARE_ZONES } from "../../../lib/mimir";
import { isPlainObject } from "../../../lib/plain";
import { CHARTS } from "../../../lib/types";
import { Read, truthy } from "./helm";
import { RefusalFinding, RefusalPredicate, one } from "./types";

const TAG = "mimir-distributed templates/validate.yaml (grafana/mimir 4fa848c)";
const HELPERS = "mimir-distributed templates/_helpers.tpl (grafana/mimir 01064b3a)";

/** The zone-aware components: values section and the component name the chart's templates pass to its helpers. */
const ZONE_AWARE_COMPONENTS: ReadonlyArray<{ section: string; component: string }> = [
  { section: "ingester", component: "ingester" },
  { section: "store_gateway", component: "store-gateway" },
  { section: "alertmanager", component: "alertmanager" },
];
const defaultZones = () => MIMIR_CHART_DEFAULTS.zones.map((name) => ({ name }));

/**
 * The chart defaults the refusals read: operations/helm/charts/mimir-distributed/values.yaml at 5.7.0 (grafana/mimir
 * commit 5c776e4, the version the index stores), none of these keys changed by the 5.8.0-6.0.6 CHANGELOG.
 */
export const MIMIR_REFUSAL_DEFAULTS = {
  configStorageType: "ConfigMap",
  rbac: { type: "psp", podSecurityContext: { fsGroup: 10001, runAsGroup: 10001, runAsUser: 10001 } },
  rollout_operator: { podSecurityContext: { fsGroup: 10001, runAsGroup: 10001, runAsUser: 10001 } },
  ingress: { enabled: false },
  metaMonitoring: { serviceMonitor: { enabled: false }, grafanaAgent: { enabled: false } },
  fullnameOverride: null,
  ingester: {
    statefulSet: { enabled: true },
    zoneAwareReplication: {
      enabled: true,
      zones: defaultZones(),
      migration: {
        enabled: false,
        writePath: false,
        readPath: false,
        excludeDefaultZone: false,
        scaleDownDefaultZone: false,
        replicas: 0,
      },
    },
  },
  store_gateway: {
    zoneAwareReplication: { enabled: true, zones: defaultZones(), migration: { enabled: false, readPath: false } },
  },
  alertmanager: {
    enabled: true,
    statefulSet: { enabled: true },
    zoneAwareReplication: { enabled: false, zones: defaultZones(), migration: { enabled: false, writePath: false } },
  },
  gateway: {
    ingress: { enabled: false },
    autoscaling: { enabled: false, targetCPUUtilizationPercentage: 70, targetMemoryUtilizationPercentage: 70 },
  },
} as const;

const MIGRATION_DOC = "Please consult the Migrating from single zone with Helm document.";

/** validate.yaml's zone-aware migration steps per component, each needing every step before it. */
const MIGRATION_STEPS: Record<string, string[]> = {
  ingester: ["enabled", "writePath", "readPath", "excludeDefaultZone", "scaleDownDefaultZone"],
  store_gateway: ["enabled", "readPath"],
  alertmanager: ["enabled", "writePath"],
};

export const MIMIR_REFUSALS: RefusalPredicate[] = [
  {
    id: "mimir.top-level-config",
    chart: CHARTS.mimir,
    source: `${TAG} line 5`,
    check: (v) => {
      const config = v.get("config");
      return one(
        truthy(config.value)
          ? {
              trigger: config.shown,
              chartMessage:
                "Top level 'config' is not allowed. In 'mimir.config', provide the configuration as a string ...",
              fix: "move the settings to mimir.structuredConfig",
            }
          : undefined,
      );
    },
  },
  {
    id: "mimir.top-level-pdb",
    chart: CHARTS.mimir,
    source: `${TAG} line 9`,
    check: (v) => {
      const pdb = v.get("podDisruptionBudget");
      return one(
        truthy(pdb.value)
          ? {
              trigger: pdb.shown,
              chartMessage: "Top level 'podDisruptionBudget' is removed in favour of per component podDisruptionBudget",
              fix: "set <component>.podDisruptionBudget instead (e.g. ingester.podDisruptionBudget)",
            }
          : undefined,
      );
    },
  },
  {
    id: "mimir.config-storage-type",
    chart: CHARTS.mimir,
    source: `${TAG} line 29`,
    check: (v) => {
      const type = v.get("configStorageType");
      return one(
        type.value !== "Secret" && type.value !== "ConfigMap"
          ? {
              trigger: type.shown,
              chartMessage: "The setting 'configStorageType' should be one of 'Secret' or 'ConfigMap'.",
              fix: "set configStorageType to Secret or ConfigMap (case matters)",
            }
          : undefined,
      );
    },
  },
  {
    id: "mimir.meta-monitoring-agent-without-servicemonitor",
    chart: CHARTS.mimir,
    source: `${TAG} line 49`,
    check: (v) => {
      const servmon = v.get("metaMonitoring.serviceMonitor.enabled");
      const agent = v.get("metaMonitoring.grafanaAgent.enabled");
      if (truthy(servmon.value) || !truthy(agent.value)) return [];
      const url = v.get("metaMonitoring.grafanaAgent.metrics.remote.url");
      const extra = v.get("metaMonitoring.grafanaAgent.metrics.additionalRemoteWriteConfigs");
      const first = Array.isArray(extra.value) ? extra.value[0] : undefined;
      const extraUrl = truthy(extra.value) && isPlainObject(first) && truthy(first.url);
      if (!truthy(url.value) && !extraUrl) return [];
      return [
        {
          trigger: `${agent.shown} with ${truthy(url.value) ? url.shown : extra.shown} but ${servmon.shown}`,
          chartMessage:
            "metaMonitoring.grafanaAgent.remote.url is set, but metaMonitoring.serviceMonitor is disabled; ...",
          fix: "set metaMonitoring.serviceMonitor.enabled: true, or remove the grafanaAgent remote-write configuration",
        },
      ];
    },
  },
  {
    id: "mimir.renamed-memcached",
    chart: CHARTS.mimir,
    source: `${TAG} lines 125, 131, 137 and 143`,
    check: (v) =>
      (
        [
          ["memcached", "chunks-cache"],
          ["memcached-metadata", "metadata-cache"],
          ["memcached-queries", "index-cache"],
          ["memcached-results", "results-cache"],
        ] as const
      ).flatMap(([old, renamed]) => {
        const enabled = v.get(`${old}.enabled`);
        if (!truthy(v.get(old).value) || !truthy(enabled.value)) return [];
        return [
          {
            trigger: enabled.shown,
            chartMessage: `${old}.enabled has been renamed to ${renamed}.enabled`,
            fix: `move the ${old} section to ${renamed}`,
          },
        ];
      }),
  },
  {
    id: "mimir.ingester-statefulset-disabled",
    chart: CHARTS.mimir,
    source: `${TAG} line 148`,
    check: (v) => {
      const sts = v.get("ingester.statefulSet.enabled");
      return one(
        !truthy(sts.value)
          ? {
              trigger: sts.shown,
              chartMessage:
                "You have set ingester.statefulSet.enabled=false. Ingesters are stateful, kubernetes Deployment workloads are no longer supported. ...",
              fix: "remove ingester.statefulSet.enabled (ingesters run only as StatefulSets)",
            }
          : undefined,
      );
    },
  },
  {
    id: "mimir.zone-aware-migration-steps",
    chart: CHARTS.mimir,
    source: `${TAG} lines 157-170 (ingester), 187-197 (store_gateway), 213-223 (alertmanager)`,
    check: (v) =>
      Object.entries(MIGRATION_STEPS).flatMap(([component, steps]): RefusalFinding[] => {
        const base = `${component}.zoneAwareReplication`;
        const zoneAware = v.get(`${base}.enabled`);
        const migration = (step: string): Read => v.get(`${base}.migration.${step}`);
        const enabled = migration("enabled");
        // Helm stops at the first refusal: report the first the template reaches for this component.
        if (truthy(enabled.value) && !truthy(zoneAware.value))
          return [
            {
              trigger: `${enabled.shown} with ${zoneAware.shown}`,
              chartMessage: `You have set ${base}.migration.enabled=true, but ${base}.enabled=false. ${MIGRATION_DOC}`,
              fix: `set ${base}.enabled: true during the migration, or ${base}.migration.enabled: false`,
            },
          ];
        if (component === "ingester") {
          const replicas = migration("replicas");
          if (truthy(replicas.value) && !truthy(enabled.value))
            return [
              {
                trigger: `${replicas.shown} with ${enabled.shown}`,
                chartMessage: `You have set ${base}.migration.replicas, but ${base}.migration.enabled=false. ${MIGRATION_DOC}`,
                fix: `remove ${base}.migration.replicas, or set ${base}.migration.enabled: true`,
              },
            ];
        }
        // `range $i, $item := rest $steps` / `range $j, $mustHave := slice $steps 0 $i`: $i indexes `rest`, so each step
        // is checked against the steps before its predecessor (not the predecessor itself).
        for (let i = 0; i < steps.length - 1; i++) {
          const item = steps[i + 1];
          for (const mustHave of steps.slice(0, i)) {
            const later = migration(item);
            const earlier = migration(mustHave);
            if (truthy(later.value) && !truthy(earlier.value))
              return [
                {
                  trigger: `${later.shown} with ${earlier.shown}`,
                  chartMessage: `You have set ${base}.migration.${item}=true, but ${base}.migration.${mustHave}=false. ${MIGRATION_DOC}`,
                  fix: `enable the migration steps in order (${steps.join(", ")})`,
                },
              ];
          }
        }
        return [];
      }),
  },
  {
    id: "mimir.alertmanager-zone-aware-without-statefulset",
    chart: CHARTS.mimir,
    source: `${TAG} line 205`,
    check: (v) => {
      const zoneAware = v.get("alertmanager.zoneAwareReplication.enabled");
      const sts = v.get("alertmanager.statefulSet.enabled");
      return one(
        truthy(zoneAware.value) && !truthy(sts.value)
          ? {
              trigger: `${zoneAware.shown} with ${sts.shown}`,
              chartMessage:
                "You have set alertmanager.zoneAwareReplication.enabled=true, but alertmanager.statefulSet.enabled=false. This is not a supported configuration.",
              fix: "keep alertmanager.statefulSet.enabled: true, or turn alertmanager.zoneAwareReplication off",
            }
          : undefined,
      );
    },
  },
  {
    id: "mimir.gateway-autoscaling-requests",
    chart: CHARTS.mimir,
    source: `${TAG} lines 241 and 244`,
    check: (v) => {
      const on = v.get("gateway.autoscaling.enabled");
      if (!truthy(on.value)) return [];
      for (const [target, resource] of [
        ["targetCPUUtilizationPercentage", "cpu"],
        ["targetMemoryUtilizationPercentage", "memory"],
      ] as const) {
        const goal = v.get(`gateway.autoscaling.${target}`);
        const request = v.get(`gateway.resources.requests.${resource}`);
        if (truthy(goal.value) && !truthy(request.value))
          return [
            {
              trigger: `${on.shown} with ${goal.shown} and ${request.shown}`,
              chartMessage: `You have enabled gateway.autoscaling.${target}, you must also set gateway.resources.requests.${resource}.`,
              fix: `set gateway.resources.requests.${resource}, or gateway.autoscaling.${target}: null`,
            },
          ];
      }
      return [];
    },
  },
  {
    id: "mimir.scc-pod-security-context",
    chart: CHARTS.mimir,
    source: `${TAG} lines 251 and 259`,
    check: (v) => {
      const type = v.get("rbac.type");
      if (type.value !== "scc") return [];
      for (const section of ["rbac.podSecurityContext", "rollout_operator.podSecurityContext"]) {
        const context = v.get(section);
        // `with` skips an empty map; `hasKey` is true for a key set to null only if it stays in the merged map, and
        // Helm's coalescing deletes a key the values set to null (chart-refusals/helm.ts).
        if (!isPlainObject(context.value)) continue;
        const keys = ["fsGroup", "runAsGroup", "runAsUser"].filter((k) => k in (context.value as object));
        if (keys.length > 0)
          return [
            {
              trigger: `${type.shown} with ${keys.map((k) => v.get(`${section}.${k}`).shown).join(", ")}`,
              chartMessage: `You have selected rbac.type=scc, you must set the values fsGroup, runAsGroup, runAsUser to null in ${section}`,
              fix: `set ${keys.map((k) => `${section}.${k}`).join(", ")} to null (OpenShift assigns them)`,
            },
          ];
      }
      return [];
    },
  },
  {
    id: "mimir.ingress-and-gateway-ingress",
    chart: CHARTS.mimir,
    source: `${TAG} line 265`,
    check: (v) => {
      const ingress = v.get("ingress.enabled");
      const gateway = v.get("gateway.ingress.enabled");
      return one(
        truthy(ingress.value) && truthy(gateway.value)
          ? {
              trigger: `${ingress.shown} and ${gateway.shown}`,
              chartMessage:
                "You have selected both ingress.enabled and gateway.ingress.enabled, you must select either ingress or gateway but not both",
              fix: "keep gateway.ingress.enabled (the gateway carries the stack's basic auth) and set ingress.enabled: false",
            }
          : undefined,
      );
    },
  },
  {
    id: "mimir.zone-aware-min-zones",
    chart: CHARTS.mimir,
    // `mimir.zoneAwareReplicationMap`: `if $componentSection.zoneAwareReplication.enabled` then `len ...zones` below 3
    // fails; the ingester, store-gateway and alertmanager templates call it whenever they render.
    source: `${HELPERS} line 595`,
    check: (v) =>
      ZONE_AWARE_COMPONENTS.flatMap(({ section }): RefusalFinding[] => {
        if (section === "alertmanager" && !truthy(v.get("alertmanager.enabled").value)) return [];
        const zoneAware = v.get(`${section}.zoneAwareReplication.enabled`);
        if (!truthy(zoneAware.value)) return [];
        const zones = v.get(`${section}.zoneAwareReplication.zones`);
        const count = Array.isArray(zones.value) ? zones.value.length : 0;
        if (count >= MIMIR_MIN_ZONE_AWARE_ZONES) return [];
        return [
          {
            trigger: `${zoneAware.shown} with ${count} zone${count === 1 ? "" : "s"} (${zones.shown})`,
            chartMessage: "When zone-awareness is enabled, you must have at least 3 zones defined.",
            fix: `list at least ${MIMIR_MIN_ZONE_AWARE_ZONES} zones in ${section}.zoneAwareReplication.zones, or set ${section}.zoneAwareReplication.enabled: false`,
          },
        ];
      }),
  },
  {
    id: "mimir.resource-name-length",
    chart: CHARTS.mimir,
    // `mimir.resourceName`: "<fullname>-<component>-<zone>" longer than 253 characters fails. The release name is not
    // in the values, so the fullname is taken at its shortest: fullnameOverride when set (truncated to 63), else
    // "mimir" (a release name containing "mimir" is the fullname): a finding is certain, a longer release may still fail.
    source: `${HELPERS} line 225`,
    check: (v) => {
      const override = v.get("fullnameOverride");
      const fullname = truthy(override.value) ? String(override.value).slice(0, 63).replace(/-+$/, "") : "mimir";
      return ZONE_AWARE_COMPONENTS.flatMap(({ section, component }): RefusalFinding[] => {
        if (!truthy(v.get(`${section}.zoneAwareReplication.enabled`).value)) return [];
        const zones = v.get(`${section}.zoneAwareReplication.zones`);
        if (!Array.isArray(zones.value)) return [];
        return zones.value.flatMap((zone): RefusalFinding[] => {
          const name = isPlainObject(zone) && typeof zone.name === "string" ? zone.name : "";
          const resource = `${fullname}-${component}-${name}`;
          if (name === "" || resource.length <= 253) return [];
          return [
            {
              trigger: `${zones.shown}: zone "${name.slice(0, 40)}..." (${name.length} characters) makes ${resource.length}+ character resource names`,
              chartMessage: `Resource name (${resource.slice(0, 60)}...) exceeds kubernetes limit of 253 character. ...`,
              fix: `shorten the zone names of ${section}.zoneAwareReplication.zones (e.g. "a" instead of "zone-a")`,
            },
          ];
        });
      });
    },
  },
];
