// U2 (HARD): mimir-distributed's zone StatefulSets roll only through the rollout-operator.
import { MIMIR_CHART_DEFAULTS, mimirReleases } from "../../lib/mimir";
import { PropNode, show, Sourced } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { known } from "../../lib/unknown";

/**
 * The zone-aware components and their chart defaults (mimir-distributed 6.0.x): ingester and store_gateway
 * zone-aware by default (lib/mimir.ts MIMIR_CHART_DEFAULTS, values excerpt), alertmanager not (charts.md,
 * "`alertmanager.zoneAwareReplication.enabled` (false)", as the pack's pod model reads it).
 */
const ZONE_AWARE_COMPONENTS = [
  {
    key: "ingester",
    zoneAware: MIMIR_CHART_DEFAULTS.ingesterZoneAware,
    replicas: MIMIR_CHART_DEFAULTS.ingesterReplicas,
  },
  {
    key: "store_gateway",
    zoneAware: MIMIR_CHART_DEFAULTS.storeGatewayZoneAware,
    replicas: MIMIR_CHART_DEFAULTS.storeGatewayReplicas,
  },
  { key: "alertmanager", zoneAware: false, replicas: 1 },
] as const;

/** A chart boolean with where it comes from: the values, or the chart default. */
function chartBoolean(node: PropNode, fallback: boolean, label: string): Sourced<boolean> {
  const value = known(node.boolean());
  return value === undefined
    ? { value: fallback, where: `${label} chart default ${node.pathText.replace(/^values\./, "")}` }
    : { value, where: node.where };
}

export const mimirZoneAwareRolloutsHaveOperator = stackRule<object>(
  {
    name: "mimir-zone-aware-rollouts-have-operator",
    rule: "U2",
    description:
      "Mimir's zone-aware ingesters, store-gateways and alertmanagers (OnDelete StatefulSets) need the rollout-operator to roll out",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep rollout_operator.enabled true (the chart default) while any of ingester, store_gateway or alertmanager has " +
      "zoneAwareReplication.enabled; or migrate the component off zone-aware replication first (the chart's migration guide) " +
      "and only then disable the operator.",
    url:
      "https://github.com/grafana/rollout-operator#how-updates-work (mimir-distributed templates/ingester/ingester-statefulset.yaml: " +
      "zone StatefulSets use updateStrategy OnDelete)",
    tags: ["mimir", "rollout"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const values = mimir.release.values;
      const label = mimir.release.label;
      // rollout_operator.enabled: true by default (lib/mimir.ts pod model, values excerpt `rollout_operator.enabled: true`).
      const operator = chartBoolean(values.at("rollout_operator.enabled"), true, label);
      if (operator.value) continue;
      const stuck: string[] = [];
      for (const component of ZONE_AWARE_COMPONENTS) {
        const section = values.get(component.key);
        if (!chartBoolean(section.get("enabled"), true, label).value) continue;
        const replicas = known(section.get("replicas").number()) ?? component.replicas;
        if (replicas <= 0) continue;
        const zoneAware = chartBoolean(section.at("zoneAwareReplication.enabled"), component.zoneAware, label);
        if (zoneAware.value)
          stuck.push(
            show({ ...zoneAware, where: zoneAware.where.replace(`${label} values.`, "").replace(`${label} `, "") }),
          );
      }
      if (stuck.length === 0) continue;
      // The chart renders one StatefulSet per zone with `updateStrategy: type: OnDelete` (ingester-statefulset.yaml
      // `{{- if $zoneName }} type: OnDelete`; the store-gateway and alertmanager templates alike); the rollout-operator
      // deletes their pods zone by zone (grafana/rollout-operator README "How updates work": StatefulSets with the
      // rollout-group label and OnDelete). Without it the StatefulSet controller never replaces an outdated pod.
      ctx.violation(
        `${show(operator)} while ${stuck.join(", ")}: the chart renders these components as one StatefulSet per zone with ` +
          `updateStrategy OnDelete, which only the rollout-operator rolls. Without it every chart upgrade, image bump or config change ` +
          `updates the StatefulSets but never reaches their pods: they keep running the old version and config until someone deletes ` +
          `each pod by hand, zone by zone (the chart's downscale webhooks stop working too). Fix: set rollout_operator.enabled to true ` +
          `(the chart default), or migrate these components off zone-aware replication before disabling it.`,
        mimir.urn,
      );
    }
  },
);
