/**
 * The same workload and retention priced on the managed alternatives, as their price pages bill them:
 * - Amazon Managed Service for Prometheus for the metrics plus Amazon CloudWatch Logs for the logs (the AWS-managed
 *   counterpart of the whole stack), against the target this stack must meet;
 * - Grafana Cloud Pro (platform fee, billable series, logs).
 * Every line names its price's source; quantities name their formula.
 */
import { type Workload } from "../../policies/model";
import { GrafanaCloudPrices, PRICES, PriceTable, RegionPrices } from "./price-table";
import { CostLine } from "./cost";

export interface AlternativeEstimate {
  name: string;
  /** What it covers of the stack. */
  covers: string;
  lines: CostLine[];
  monthlyUsd: number;
  /** monthlyUsd / the stack's monthly estimate. */
  ratioToStack: number;
  /** The stack's monthly estimate / monthlyUsd: the share of this alternative the stack costs. */
  stackShare: number;
  /** The share the stack must stay at or below, where the project sets one. */
  targetShare?: number;
}

const GB = 1e9;
const FOREVER_DAYS = 365;

/**
 * The stack must cost at most a quarter of AMP + CloudWatch Logs for the same workload and retention: the margin
 * that makes running it worth a platform team's time (project target, issue "An honest cost model").
 */
export const TARGET_SHARE_OF_AMP_AND_CLOUDWATCH = 0.25;

/** AMP ingestion: $ per 10M samples in tiers over the month's samples, after the free tier. */
export function ampIngestionUsd(samples: number, pricing: RegionPrices["ampIngestionPer10M"]): number {
  let remaining = Math.max(0, samples - pricing.freeSamples);
  let floor = 0;
  let usd = 0;
  for (const tier of pricing.tiers) {
    const width = tier.upToSamples === null ? remaining : Math.max(0, Math.min(remaining, tier.upToSamples - floor));
    usd += (width / 1e7) * tier.usd;
    remaining -= width;
    if (tier.upToSamples !== null) floor = tier.upToSamples;
    if (remaining <= 0) break;
  }
  return usd;
}

function estimate(
  name: string,
  covers: string,
  lines: CostLine[],
  stackMonthlyUsd: number,
  targetShare?: number,
): AlternativeEstimate {
  const monthlyUsd = lines.reduce((sum, l) => sum + l.monthlyUsd, 0);
  return {
    name,
    covers,
    lines,
    monthlyUsd,
    ratioToStack: monthlyUsd / stackMonthlyUsd,
    stackShare: stackMonthlyUsd / monthlyUsd,
    ...(targetShare ? { targetShare } : {}),
  };
}

function ampLines(workload: Workload, metricsDays: number, prices: RegionPrices, table: PriceTable): CostLine[] {
  const seconds = table.hoursPerMonth * 3600;
  const samples = workload.samplesPerSecond * seconds;
  const bytes = table.sizes.ampBytesPerSample;
  const storedGB = (workload.samplesPerSecond * metricsDays * 86_400 * bytes.value) / GB;
  const perQuery = table.sizes.ampSamplesProcessedPerQuery;
  const queryBillions = (workload.queriesPerSecond * seconds * perQuery.value) / 1e9;
  const ingestion = ampIngestionUsd(samples, prices.ampIngestionPer10M);
  return [
    {
      item: "AMP ingestion",
      quantity: samples / 1e7,
      unit: "10M samples",
      unitUsd: samples > 0 ? ingestion / (samples / 1e7) : 0,
      monthlyUsd: ingestion,
      basis: `${workload.samplesPerSecond.toLocaleString("en-US")} samples/s x ${table.hoursPerMonth} h; tiers ${prices.ampIngestionPer10M.tiers.map((t) => `$${t.usd}`).join(" / ")} per 10M after ${prices.ampIngestionPer10M.freeSamples.toLocaleString("en-US")} free`,
      source: prices.ampIngestionPer10M.source,
    },
    {
      item: "AMP storage",
      quantity: storedGB,
      unit: "GB-month",
      unitUsd: prices.ampStorageGBMonth.usd,
      monthlyUsd: Math.max(0, storedGB - prices.ampStorageGBMonth.freeGB) * prices.ampStorageGBMonth.usd,
      basis: `the stack's metrics retention (${metricsDays}d) x ${bytes.value} B/sample (${bytes.source}); ${prices.ampStorageGBMonth.freeGB} GB free`,
      source: prices.ampStorageGBMonth.source,
    },
    {
      item: "AMP queries",
      quantity: queryBillions,
      unit: "billion samples processed",
      unitUsd: prices.ampQueryPerBillionSamples.usd,
      monthlyUsd:
        Math.max(0, queryBillions - prices.ampQueryPerBillionSamples.freeBillion) *
        prices.ampQueryPerBillionSamples.usd,
      basis: `${workload.queriesPerSecond} queries/s x ${perQuery.value.toLocaleString("en-US")} samples each (${perQuery.source}); ${prices.ampQueryPerBillionSamples.freeBillion}B free`,
      source: prices.ampQueryPerBillionSamples.source,
    },
  ];
}

function cloudWatchLogsLines(
  workload: Workload,
  logsDays: number,
  prices: RegionPrices,
  table: PriceTable,
): CostLine[] {
  const days = table.hoursPerMonth / 24;
  const ingestedGB = workload.logsGBPerDay * days;
  const ingest = prices.cloudWatchLogsIngestionGB;
  const store = prices.cloudWatchLogsStorageGBMonth;
  const ratio = table.sizes.cloudWatchLogsCompressionRatio;
  // Steady state: the retention window's logs are stored, billed compressed.
  const storedGB = (workload.logsGBPerDay * logsDays) / ratio.value;
  return [
    {
      item: "CloudWatch Logs ingestion",
      quantity: ingestedGB,
      unit: "GB ingested",
      unitUsd: ingest.usd,
      monthlyUsd: Math.max(0, ingestedGB - ingest.freeGB) * ingest.usd,
      basis: `${workload.logsGBPerDay} GB/day x ${days.toFixed(1)} days, Standard log class; ${ingest.freeGB} GB free`,
      source: ingest.source,
    },
    {
      item: "CloudWatch Logs storage",
      quantity: storedGB,
      unit: "GB-month",
      unitUsd: store.usd,
      monthlyUsd: storedGB * store.usd,
      basis: `${workload.logsGBPerDay} GB/day x the stack's logs retention (${logsDays}d) / ${ratio.value} (${ratio.source})`,
      source: store.source,
    },
  ];
}

export function ampAndCloudWatchEstimate(
  workload: Workload,
  retention: { metricsDays?: number; logsDays?: number },
  prices: RegionPrices,
  stackMonthlyUsd: number,
  table: PriceTable = PRICES,
): AlternativeEstimate {
  const lines = [
    ...ampLines(workload, retention.metricsDays ?? FOREVER_DAYS, prices, table),
    ...cloudWatchLogsLines(workload, retention.logsDays ?? FOREVER_DAYS, prices, table),
  ];
  return estimate(
    "Amazon Managed Service for Prometheus + CloudWatch Logs",
    "metrics and logs for the same workload and retention (dashboards not included; Managed Grafana adds $9 per editor and $5 per viewer a month)",
    lines,
    stackMonthlyUsd,
    TARGET_SHARE_OF_AMP_AND_CLOUDWATCH,
  );
}

/**
 * Grafana Cloud Pro bills metrics on the higher of active series and data points per minute, with 1 DPM included
 * per series: billable series = max(active series, DPM) (Grafana Cloud docs, "Understand your metrics usage and
 * costs"). The workload's DPM is its samples per second x 60 (a 15 s scrape makes every series 4 DPM).
 */
export function grafanaCloudBillableSeries(workload: Workload): number {
  return Math.max(workload.activeSeries, workload.samplesPerSecond * 60);
}

export function grafanaCloudEstimate(
  workload: Workload,
  logsDays: number | undefined,
  gc: GrafanaCloudPrices,
  stackMonthlyUsd: number,
  table: PriceTable = PRICES,
): AlternativeEstimate {
  const days = table.hoursPerMonth / 24;
  const logGB = workload.logsGBPerDay * days;
  const billable = grafanaCloudBillableSeries(workload);
  const series = gc.metricsPer1000Series;
  const extraLogPeriods = Math.max(0, Math.ceil((logsDays ?? FOREVER_DAYS) / 30) - 1);
  const lines: CostLine[] = [
    {
      item: "Grafana Cloud platform fee",
      quantity: 1,
      unit: "month",
      unitUsd: gc.platformFeeMonth.usd,
      monthlyUsd: gc.platformFeeMonth.usd,
      basis: "Pro tier",
      source: gc.platformFeeMonth.source,
    },
    {
      item: "Grafana Cloud metrics",
      quantity: billable / 1000,
      unit: "1,000 billable series",
      unitUsd: series.usd,
      monthlyUsd: (Math.max(0, billable - series.includedSeries) / 1000) * series.usd,
      basis:
        `max(${workload.activeSeries.toLocaleString("en-US")} active series, ${(workload.samplesPerSecond * 60).toLocaleString("en-US")} DPM) ` +
        `(1 DPM included per series); ${series.includedSeries.toLocaleString("en-US")} series included; 13 months retention included`,
      source: series.source,
    },
    {
      item: "Grafana Cloud logs",
      quantity: logGB,
      unit: "GB",
      unitUsd: gc.logsProcessedGB.usd + gc.logsWrittenGB.usd,
      monthlyUsd:
        logGB * gc.logsProcessedGB.usd +
        Math.max(0, logGB - gc.logsWrittenGB.includedGB) * gc.logsWrittenGB.usd +
        logGB * extraLogPeriods * gc.logsRetentionPer30DaysGB.usd,
      basis:
        `${workload.logsGBPerDay} GB/day x ${days.toFixed(1)} days: $${gc.logsProcessedGB.usd}/GB processed + $${gc.logsWrittenGB.usd}/GB written after ${gc.logsWrittenGB.includedGB} GB; ` +
        `30 days retention included${extraLogPeriods > 0 ? `, ${extraLogPeriods} more 30-day period(s) at $${gc.logsRetentionPer30DaysGB.usd}/GB` : ""}`,
      source: `${gc.logsWrittenGB.source}`,
    },
  ];
  return estimate("Grafana Cloud (Pro)", "metrics and logs (dashboards included)", lines, stackMonthlyUsd);
}
