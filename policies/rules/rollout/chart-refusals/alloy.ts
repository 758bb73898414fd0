// The alloy chart 1.11.1's render-time refusals (grafana/alloy tag helm-chart/1.11.1, operations/helm/charts/alloy).
import { CHARTS } from "../../../lib/types";
import { ChartValues, coalesce, dig, empty, failsRequired, truthy } from "./helm";
import { one, RefusalPredicate } from "./types";

const TAG = "alloy chart 1.11.1";

/** The chart defaults the refusals read (operations/helm/charts/alloy/values.yaml at tag helm-chart/1.11.1). */
export const ALLOY_REFUSAL_DEFAULTS = {
  controller: {
    type: "daemonset",
    podDisruptionBudget: { enabled: false, minAvailable: null, maxUnavailable: null },
    autoscaling: {
      enabled: false,
      targetCPUUtilizationPercentage: 0,
      targetMemoryUtilizationPercentage: 80,
      horizontal: {
        enabled: false,
        externalHPA: false,
        targetCPUUtilizationPercentage: 0,
        targetMemoryUtilizationPercentage: 80,
      },
    },
  },
  alloy: { resources: {} },
  configReloader: { resources: { requests: { cpu: "10m", memory: "50Mi" } } },
} as const;

function pdbRendered(v: ChartValues) {
  const enabled = v.get("controller.podDisruptionBudget.enabled");
  return { on: truthy(enabled.value), enabled, type: v.get("controller.type") };
}

export const ALLOY_REFUSALS: RefusalPredicate[] = [
  {
    id: "alloy.external-hpa-and-horizontal",
    chart: CHARTS.alloy,
    source: `${TAG} templates/_validations.tpl line 10 (alloy.validations.externalHPA, included by templates/validations.yaml)`,
    check: (v) => {
      const hpa = v.get("controller.autoscaling.horizontal.enabled");
      const external = v.get("controller.autoscaling.horizontal.externalHPA");
      return one(
        truthy(hpa.value) && truthy(external.value)
          ? {
              trigger: `${hpa.shown} and ${external.shown}`,
              chartMessage:
                "controller.autoscaling.horizontal.enabled and controller.autoscaling.horizontal.externalHPA are mutually exclusive. ...",
              fix: "keep one of controller.autoscaling.horizontal.enabled and externalHPA",
            }
          : undefined,
      );
    },
  },
  {
    id: "alloy.top-level-statefulset-auto-delete-pvc",
    chart: CHARTS.alloy,
    source: `${TAG} templates/controllers/statefulset.yaml line 3`,
    check: (v) => {
      const type = v.get("controller.type");
      const misplaced = v.get("enableStatefulSetAutoDeletePVC");
      return one(
        type.value === "statefulset" && truthy(misplaced.value)
          ? {
              trigger: `${misplaced.shown} with ${type.shown}`,
              chartMessage: "Value 'enableStatefulSetAutoDeletePVC' should be nested inside 'controller' options.",
              fix: "move it to controller.enableStatefulSetAutoDeletePVC",
            }
          : undefined,
      );
    },
  },
  {
    id: "alloy.hpa-needs-requests",
    chart: CHARTS.alloy,
    source: `${TAG} templates/hpa.yaml lines 8-17`,
    check: (v) => {
      const type = v.get("controller.type");
      const horizontal = v.get("controller.autoscaling.horizontal.enabled");
      const legacy = v.get("controller.autoscaling.enabled");
      const external = v.get("controller.autoscaling.horizontal.externalHPA");
      if (!(type.value === "deployment" || type.value === "statefulset")) return [];
      if (!(truthy(horizontal.value) || truthy(legacy.value)) || truthy(external.value)) return [];
      const prefix = truthy(horizontal.value) ? "controller.autoscaling.horizontal" : "controller.autoscaling";
      // `$values := mustMergeOverwrite .Values.alloy (or .Values.agent dict)` (line 1): the legacy `agent` wins.
      const alloy = coalesce(v.get("agent").value ?? {}, v.get("alloy").value);
      const reloader = v.get("configReloader").value;
      const checks: Array<[string, string, Array<[unknown, string]>]> = [
        [
          "targetMemoryUtilizationPercentage",
          "memory",
          [
            [
              dig(alloy, ["resources", "requests"], undefined),
              ".Values.alloy.resources.requests is required when using autoscaling.",
            ],
            [
              dig(alloy, ["resources", "requests", "memory"], undefined),
              ".Values.alloy.resources.requests.memory is required when using autoscaling based on memory utilization.",
            ],
            [
              dig(reloader, ["resources", "requests"], undefined),
              ".Values.configReloader.resources.requests is required when using autoscaling.",
            ],
            [
              dig(reloader, ["resources", "requests", "memory"], undefined),
              ".Values.configReloader.resources.requests.memory is required when using autoscaling based on memory utilization.",
            ],
          ],
        ],
        [
          "targetCPUUtilizationPercentage",
          "cpu",
          [
            [
              dig(alloy, ["resources", "requests"], undefined),
              ".Values.alloy.resources.requests is required when using autoscaling.",
            ],
            [
              dig(alloy, ["resources", "requests", "cpu"], undefined),
              ".Values.alloy.resources.requests.cpu is required when using autoscaling based on cpu utilization.",
            ],
            [
              dig(reloader, ["resources", "requests"], undefined),
              ".Values.configReloader.resources.requests is required when using autoscaling.",
            ],
            [
              dig(reloader, ["resources", "requests", "cpu"], undefined),
              ".Values.configReloader.resources.requests.cpu is required when using autoscaling based on cpu utilization.",
            ],
          ],
        ],
      ];
      for (const [target, resource, requireds] of checks) {
        const targetRead = v.get(`${prefix}.${target}`);
        if (empty(targetRead.value)) continue;
        const missing = requireds.find(([value]) => failsRequired(value));
        if (missing)
          return [
            {
              trigger: `${truthy(horizontal.value) ? horizontal.shown : legacy.shown} with ${type.shown} and ${targetRead.shown}, but no ${resource} request`,
              chartMessage: missing[1],
              fix: `set alloy.resources.requests.${resource} and configReloader.resources.requests.${resource}, or ${prefix}.${target}: 0`,
            },
          ];
      }
      return [];
    },
  },
  {
    id: "alloy.pdb-on-daemonset",
    chart: CHARTS.alloy,
    source: `${TAG} templates/pdb.yaml line 3`,
    check: (v) => {
      const pdb = pdbRendered(v);
      return one(
        pdb.on && pdb.type.value === "daemonset"
          ? {
              trigger: `${pdb.enabled.shown} with ${pdb.type.shown}`,
              chartMessage:
                "PDBs (Pod Disruption Budgets) are not intended for DaemonSets. Please use a different controller type.",
              fix: "set controller.podDisruptionBudget.enabled: false (a DaemonSet's pods are not evicted by drains)",
            }
          : undefined,
      );
    },
  },
  {
    id: "alloy.pdb-min-and-max",
    chart: CHARTS.alloy,
    source: `${TAG} templates/pdb.yaml lines 7 and 11`,
    check: (v) => {
      const pdb = pdbRendered(v);
      if (!pdb.on || pdb.type.value === "daemonset") return [];
      const min = v.get("controller.podDisruptionBudget.minAvailable");
      const max = v.get("controller.podDisruptionBudget.maxUnavailable");
      if (truthy(min.value) && truthy(max.value))
        return [
          {
            trigger: `${min.shown} and ${max.shown}`,
            chartMessage: "Only one of minAvailable or maxUnavailable should be defined for PodDisruptionBudget",
            fix: "keep one of controller.podDisruptionBudget.minAvailable and maxUnavailable",
          },
        ];
      if (!truthy(min.value) && !truthy(max.value))
        return [
          {
            trigger: `${pdb.enabled.shown} with ${min.shown} and ${max.shown}`,
            chartMessage: "Either minAvailable or maxUnavailable must be defined for PodDisruptionBudget",
            fix: "set controller.podDisruptionBudget.maxUnavailable (or minAvailable; 0 counts as unset)",
          },
        ];
      return [];
    },
  },
];
