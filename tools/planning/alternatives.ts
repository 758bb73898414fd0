/**
 * The same workload priced on the managed alternatives: Amazon Managed Service for Prometheus (ingestion, storage,
 * queries; metrics only) and Grafana Cloud (active series and log GB), each line with its price's source.
 */
import type { Workload } from "../../policies/rules/capacity/workload";
import { PRICES, PriceTable, RegionPrices } from "./price-table";
import { CostLine } from "./cost";

export interface AlternativeEstimate {
  name: string;
  /** What it covers of the stack: "metrics" or "metrics and logs". */
  covers: string;
  lines: CostLine[];
  monthlyUsd: number;
  /** monthlyUsd / the stack's monthly estimate. */
  ratioToStack: number;
}

const GB = 1e9;
const FOREVER_DAYS = 365;

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

export function ampEstimate(workload: Workload, retentionDays: number | undefined, prices: RegionPrices, stackMonthlyUsd: number, table: PriceTable = PRICES): AlternativeEstimate {
  const seconds = table.hoursPerMonth * 3600;
  const samples = workload.samplesPerSecond * seconds;
  const days = retentionDays ?? FOREVER_DAYS;
  const bytes = table.sizes.ampBytesPerSample;
  const storedGB = (workload.samplesPerSecond * days * 86_400 * bytes.value) / GB;
  const perQuery = table.sizes.ampSamplesProcessedPerQuery;
  const queryBillions = (workload.queriesPerSecond * seconds * perQuery.value) / 1e9;
  const ingestion = ampIngestionUsd(samples, prices.ampIngestionPer10M);
  const lines: CostLine[] = [
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
      basis: `the stack's metrics retention (${days}d) x ${bytes.value} B/sample (${bytes.source}); ${prices.ampStorageGBMonth.freeGB} GB free`,
      source: prices.ampStorageGBMonth.source,
    },
    {
      item: "AMP queries",
      quantity: queryBillions,
      unit: "billion samples processed",
      unitUsd: prices.ampQueryPerBillionSamples.usd,
      monthlyUsd: Math.max(0, queryBillions - prices.ampQueryPerBillionSamples.freeBillion) * prices.ampQueryPerBillionSamples.usd,
      basis: `${workload.queriesPerSecond} queries/s x ${perQuery.value.toLocaleString("en-US")} samples each (${perQuery.source}); ${prices.ampQueryPerBillionSamples.freeBillion}B free`,
      source: prices.ampQueryPerBillionSamples.source,
    },
  ];
  const monthlyUsd = lines.reduce((sum, l) => sum + l.monthlyUsd, 0);
  return { name: "Amazon Managed Service for Prometheus", covers: "metrics only (logs and Grafana not included; Managed Grafana adds $9 per editor and $5 per viewer a month)", lines, monthlyUsd, ratioToStack: monthlyUsd / stackMonthlyUsd };
}

export function grafanaCloudEstimate(workload: Workload, prices: RegionPrices, stackMonthlyUsd: number, table: PriceTable = PRICES): AlternativeEstimate {
  const logGB = workload.logsGBPerDay * (table.hoursPerMonth / 24);
  const lines: CostLine[] = [
    {
      item: "Grafana Cloud metrics",
      quantity: workload.activeSeries / 1000,
      unit: "1,000 active series",
      unitUsd: prices.grafanaCloudMetricsPer1000Series.usd,
      monthlyUsd: (workload.activeSeries / 1000) * prices.grafanaCloudMetricsPer1000Series.usd,
      basis: `${workload.activeSeries.toLocaleString("en-US")} active series`,
      source: prices.grafanaCloudMetricsPer1000Series.source,
    },
    {
      item: "Grafana Cloud logs",
      quantity: logGB,
      unit: "GB ingested",
      unitUsd: prices.grafanaCloudLogsGB.usd,
      monthlyUsd: logGB * prices.grafanaCloudLogsGB.usd,
      basis: `${workload.logsGBPerDay} GB/day x ${(table.hoursPerMonth / 24).toFixed(1)} days (30 days retention included)`,
      source: prices.grafanaCloudLogsGB.source,
    },
  ];
  const monthlyUsd = lines.reduce((sum, l) => sum + l.monthlyUsd, 0);
  return { name: "Grafana Cloud", covers: "metrics and logs (list prices; retention beyond 30 days of logs not included)", lines, monthlyUsd, ratioToStack: monthlyUsd / stackMonthlyUsd };
}
