// The cluster-autoscaler chart 9.59.0's render-time refusals (kubernetes/autoscaler tag
// cluster-autoscaler-chart-9.59.0, cluster-autoscaler/charts/cluster-autoscaler).
import { isPlainObject } from "../../../lib/plain";
import { CHARTS } from "../../../lib/types";
import { failsRequired, truthy } from "./helm";
import { RefusalPredicate } from "./types";

const TAG = "cluster-autoscaler chart 9.59.0";

/** The chart defaults the refusals read (values.yaml at that tag). */
export const CLUSTER_AUTOSCALER_REFUSAL_DEFAULTS = {
  autoDiscovery: { clusterName: null, namespace: null, labels: [] },
  autoscalingGroups: [],
  podDisruptionBudget: { maxUnavailable: 1 },
  extraEnvConfigMaps: {},
  extraEnvSecrets: {},
  extraVolumeSecrets: {},
} as const;

export const CLUSTER_AUTOSCALER_REFUSALS: RefusalPredicate[] = [
  {
    id: "cluster-autoscaler.pdb-min-and-max",
    chart: CHARTS.clusterAutoscaler,
    source: `${TAG} templates/pdb.yaml line 3`,
    check: (v) => {
      const pdb = v.get("podDisruptionBudget");
      const min = v.get("podDisruptionBudget.minAvailable");
      const max = v.get("podDisruptionBudget.maxUnavailable");
      if (!(truthy(pdb.value) && truthy(min.value) && truthy(max.value))) return [];
      return [
        {
          trigger: `${min.shown} and ${max.shown}`,
          chartMessage:
            "Only one of podDisruptionBudget.minAvailable or podDisruptionBudget.maxUnavailable should be set.",
          fix: "keep one: with minAvailable set podDisruptionBudget.maxUnavailable: null (the chart defaults it to 1)",
        },
      ];
    },
  },
  {
    id: "cluster-autoscaler.extra-env-and-volume-keys",
    chart: CHARTS.clusterAutoscaler,
    source: `${TAG} templates/deployment.yaml lines 270, 277 and 316 (rendered with autoDiscovery.clusterName, namespace or labels, or autoscalingGroups; line 1)`,
    check: (v) => {
      const rendered = [
        "autoDiscovery.clusterName",
        "autoDiscovery.namespace",
        "autoDiscovery.labels",
        "autoscalingGroups",
      ].some((p) => truthy(v.get(p).value));
      if (!rendered) return [];
      const out = [];
      for (const [map, field, message] of [
        ["extraEnvConfigMaps", "key", "Must specify key!"],
        ["extraEnvSecrets", "key", "Must specify key!"],
        ["extraVolumeSecrets", "mountPath", "Must specify mountPath!"],
      ] as const) {
        const entries = v.get(map);
        if (!isPlainObject(entries.value)) continue;
        for (const [name, entry] of Object.entries(entries.value)) {
          if (!failsRequired(isPlainObject(entry) ? entry[field] : undefined)) continue;
          out.push({
            trigger: `${v.get(`${map}.${name}`).shown} has no ${field}`,
            chartMessage: message,
            fix: `set ${map}.${name}.${field}`,
          });
        }
      }
      return out;
    },
  },
];
