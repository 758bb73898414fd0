import type * as pulumi from "@pulumi/pulumi";

/**
 * Every chart the stack installs, pinned in one place (versions read from the charts' sources, see README
 * "Charts"). Bump a version here, then re-run `npm run check` and read the values diff.
 */
export interface ChartPin {
  chart: string;
  version: string;
  repo: string;
}

export const CHARTS = {
  // strimzi-kafka-operator 1.2.0: serves only kafka.strimzi.io/v1, KRaft only (Strimzi 1.2.0 CRDs).
  strimzi: { chart: "strimzi-kafka-operator", version: "1.2.0", repo: "https://strimzi.io/charts/" },
  // mimir-distributed 6.0.x: Mimir 3.0, Kafka ingest storage by default (mimir-distributed CHANGELOG).
  mimir: { chart: "mimir-distributed", version: "6.0.6", repo: "https://grafana.github.io/helm-charts" },
  // loki moved to grafana-community on 2026-03-16; 18.11.0 ships Loki 3.7.6 (charts.md).
  loki: { chart: "loki", version: "18.11.0", repo: "https://grafana-community.github.io/helm-charts" },
  // kube-prometheus-stack 88.5.3 ships prometheus-operator v0.93.1 (chart Chart.yaml).
  kubePrometheusStack: {
    chart: "kube-prometheus-stack",
    version: "88.5.3",
    repo: "https://prometheus-community.github.io/helm-charts",
  },
  // prometheus-operator-crds 31.0.1 ships the CRDs of operator v0.93.1, the operator kube-prometheus-stack 88.5.3 runs
  // (prometheus-community/helm-charts charts/prometheus-operator-crds/Chart.yaml appVersion, PR #7180).
  prometheusOperatorCrds: {
    chart: "prometheus-operator-crds",
    version: "31.0.1",
    repo: "https://prometheus-community.github.io/helm-charts",
  },
  // cluster-autoscaler 9.59.0 (kubernetes/autoscaler tag cluster-autoscaler-chart-9.59.0, appVersion 1.35.0); the image
  // tag is set to the cluster's minor (components/cluster/autoscaler.ts).
  clusterAutoscaler: {
    chart: "cluster-autoscaler",
    version: "9.59.0",
    repo: "https://kubernetes.github.io/autoscaler",
  },
  // alloy 1.11.1 ships Alloy 1.18.1 (charts.md).
  alloy: { chart: "alloy", version: "1.11.1", repo: "https://grafana.github.io/helm-charts" },
} as const satisfies Record<string, ChartPin>;

/** Helm waits this long for a release's workloads to become ready (Helm's default is 5 min, too short for StatefulSets with volumes). */
export const RELEASE_TIMEOUT_SECONDS = 900;

/**
 * The part of every release's arguments that comes from the pin: chart, version, repository, release name,
 * namespace, values and the wait timeout. Callers add what differs (atomic, skipCrds, ...).
 */
export function pinnedRelease(
  pin: ChartPin,
  releaseName: string,
  namespace: pulumi.Input<string>,
  values: pulumi.Input<Record<string, unknown>>,
) {
  return {
    name: releaseName,
    namespace,
    chart: pin.chart,
    version: pin.version,
    repositoryOpts: { repo: pin.repo },
    values,
    timeout: RELEASE_TIMEOUT_SECONDS,
  };
}
