// The application version each pinned chart renders its configuration for, by chart version.
import { CHARTS } from "../../lib/types";

export interface ChartApp {
  /** Chart versions this entry covers. */
  readonly chart: RegExp;
  /** The application's <major>.<minor> the chart's templates and defaults are written for. */
  readonly app: string;
  readonly source: string;
}

export const CHART_APP_VERSIONS: Readonly<Partial<Record<(typeof CHARTS)[keyof typeof CHARTS], ChartApp[]>>> = {
  [CHARTS.mimir]: [
    {
      chart: /^6\.0\./,
      app: "3.0",
      source:
        "mimir-distributed 6.0.x runs Mimir 3.0 (chart CHANGELOG; values image.tag comment `# tag: 3.0.0`, charts.md)",
    },
    {
      chart: /^6\.1\./,
      app: "3.1",
      source:
        "mimir-distributed 6.1 runs Mimir 3.1 (as rule M9 reads it, policies/rules/mimir/ingest-storage-config-valid.ts; " +
        "INFERRED: its Chart.yaml was not read)",
    },
  ],
  [CHARTS.loki]: [
    {
      chart: /^18\.11\./,
      app: "3.7",
      source: "loki 18.11.0 Chart.yaml appVersion 3.7.6 (grafana-community/helm-charts tag loki-18.11.0)",
    },
  ],
};

/** The app version a chart version renders for, when the pack knows it. */
export function chartApp(
  chart: keyof typeof CHART_APP_VERSIONS,
  chartVersion: string | undefined,
): ChartApp | undefined {
  if (chartVersion === undefined) return undefined;
  return CHART_APP_VERSIONS[chart]?.find((entry) => entry.chart.test(chartVersion));
}
