// U5 (HARD): a loki StatefulSet with updateStrategy OnDelete rolls out only through the rollout-operator.
// - loki chart 18.11.0 templates/_workload.tpl renders `<component>.strategy` as the StatefulSet's `updateStrategy`
//   (`{{- with $component.strategy }} updateStrategy:`); the `ingester.updateStrategy` key in values.yaml is read by
//   no template. With `type: OnDelete` "the StatefulSet controller will not automatically update the Pods in a
//   StatefulSet. Users must manually delete Pods to cause the controller to create new Pods" (Kubernetes docs,
//   StatefulSets, "Update strategies").
// - The only thing that deletes them for the user is the rollout-operator (grafana/rollout-operator README "How updates
//   work": it acts on StatefulSets labelled `rollout-group` with OnDelete), a subchart enabled by
//   `rollout_operator.enabled` (default false, values.yaml; Chart.yaml dependency condition), and the chart puts the
//   `rollout-group` label only on the zone-aware ingester StatefulSets (_workload.tpl `{{- if $rolloutZoneName }}
//   rollout-group: ...ingester`; ingester.zoneAwareReplication.enabled default true, values.yaml).
import { LOKI_CHART_DEFAULTS, lokiReleases } from "../../lib/loki";
import { stackRule } from "../../lib/policy";
import { known } from "../../lib/unknown";

/**
 * The chart's StatefulSet components (values.yaml `kind: StatefulSet` defaults), the deployment modes that render them
 * and the replicas they run with when the values do not say (values.yaml; the single binary always runs one at least).
 */
const STATEFUL_COMPONENTS: ReadonlyArray<{ key: string; modes: string[]; replicas: number }> = [
  { key: "singleBinary", modes: ["SingleBinary", "Monolithic"], replicas: 1 },
  { key: "write", modes: ["SimpleScalable"], replicas: LOKI_CHART_DEFAULTS.writeReplicas },
  { key: "backend", modes: ["SimpleScalable"], replicas: 3 },
  { key: "ingester", modes: ["Distributed"], replicas: 0 },
  { key: "indexGateway", modes: ["Distributed"], replicas: 0 },
  { key: "compactor", modes: ["Distributed"], replicas: 0 },
  { key: "patternIngester", modes: ["Distributed"], replicas: 0 },
  { key: "ruler", modes: ["Distributed"], replicas: 0 },
  { key: "bloomGateway", modes: ["Distributed"], replicas: 0 },
  { key: "bloomPlanner", modes: ["Distributed"], replicas: 0 },
];

export const lokiOnDeleteStatefulSetsHaveOperator = stackRule<object>(
  {
    name: "loki-ondelete-statefulsets-have-operator",
    rule: "U5",
    description:
      "Loki StatefulSets with strategy OnDelete need the rollout-operator (zone-aware ingesters only); otherwise their pods are never updated",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Remove the `<component>.strategy` override (chart default RollingUpdate), or for zone-aware ingesters enable rollout_operator.enabled so the operator rolls the zones.",
    url: "https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#update-strategies; https://github.com/grafana/rollout-operator#how-updates-work",
    tags: ["loki", "rollout"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      const values = loki.values;
      const mode = known(values.at("deploymentMode").string()) ?? LOKI_CHART_DEFAULTS.deploymentMode;
      const modes = mode.split("<->");
      const operator = known(values.at("rollout_operator.enabled").boolean()) ?? false;
      const operatorNode = values.at("rollout_operator.enabled");
      const operatorText = operatorNode.isPresent
        ? `${operatorNode.where}=${operator}`
        : "rollout_operator.enabled is unset";
      for (const component of STATEFUL_COMPONENTS) {
        if (!component.modes.some((m) => modes.includes(m))) continue;
        const section = values.get(component.key);
        const type = known(section.at("strategy.type").string());
        if (type !== "OnDelete") continue;
        const kind = known(section.get("kind").string()) ?? "StatefulSet";
        if (kind !== "StatefulSet") continue;
        const replicas = known(section.get("replicas").number()) ?? component.replicas;
        const autoscaled = known(section.at("autoscaling.enabled").boolean()) === true;
        if (replicas <= 0 && !autoscaled && component.key !== "singleBinary") continue;
        const zoneAware =
          component.key === "ingester" && (known(section.at("zoneAwareReplication.enabled").boolean()) ?? true);
        if (zoneAware && operator) continue;
        const why = zoneAware
          ? `${operatorText} (the chart default is false), so nothing deletes the zone StatefulSets' pods`
          : `the chart labels only zone-aware ingester StatefulSets for the rollout-operator, so nothing deletes ${component.key}'s pods`;
        ctx.violation(
          `${section.at("strategy.type").where}=OnDelete (${loki.label}, deploymentMode ${mode}): the chart renders it as the ${component.key} ` +
            `StatefulSet's updateStrategy, and with OnDelete the StatefulSet controller never replaces a pod; ${why}. Every chart upgrade, ` +
            `image bump or config change then updates the StatefulSet but never reaches its pods, which keep running the old version and config ` +
            `until someone deletes each by hand. Fix: remove ${component.key}.strategy (chart default RollingUpdate)` +
            (component.key === "ingester"
              ? ", or keep zone-aware replication and set rollout_operator.enabled: true."
              : "."),
          loki.urn,
        );
      }
    }
  },
);
