/** The price table (prices.json): loading, validation and the prices of one region. */
import table from "./prices.json";

export interface Price {
  usd: number;
  unit?: string;
  source: string;
  /** When the figure was published or read, as its source allows. */
  asOf: string;
}

export interface RegionPrices {
  asOf: string;
  eksClusterHour: Price;
  eksExtendedSupportClusterHour: Price;
  ec2Hour: { source: string; asOf: string; usd: Record<string, number> };
  natGatewayHour: Price;
  natGatewayGB: Price;
  publicIpv4Hour: Price;
  ebsGp3GBMonth: Price;
  s3StandardGBMonth: Price;
  s3PutPer1000: Price;
  s3GetPer1000: Price;
  kmsKeyMonth: Price;
  kmsPer10000Requests: Price & { freeRequests: number };
  crossAzGB: Price;
  ampIngestionPer10M: {
    source: string;
    asOf: string;
    tiers: Array<{ upToSamples: number | null; usd: number }>;
    freeSamples: number;
  };
  ampStorageGBMonth: Price & { freeGB: number };
  ampQueryPerBillionSamples: Price & { freeBillion: number };
  cloudWatchLogsIngestionGB: Price & { freeGB: number };
  cloudWatchLogsStorageGBMonth: Price;
}

/** Grafana Cloud Pro list prices: one price list, not per AWS region. */
export interface GrafanaCloudPrices {
  asOf: string;
  platformFeeMonth: Price;
  metricsPer1000Series: Price & { includedSeries: number };
  logsProcessedGB: Price;
  logsWrittenGB: Price & { includedGB: number };
  logsRetentionPer30DaysGB: Price;
}

export interface Size {
  value: number;
  source: string;
}

export interface PriceTable {
  currency: string;
  hoursPerMonth: number;
  regions: Record<string, RegionPrices>;
  regionStandIns: Record<string, { use: string; why: string }>;
  grafanaCloud: GrafanaCloudPrices;
  sizes: Record<
    | "mimirBytesPerSample"
    | "ampBytesPerSample"
    | "lokiCompressionRatio"
    | "lokiChunkTargetBytes"
    | "kafkaBytesPerSample"
    | "ampSamplesProcessedPerQuery"
    | "s3GetsPerQuery"
    | "cloudWatchLogsCompressionRatio",
    Size
  >;
}

export const PRICE_TABLE_FILE = "tools/planning/prices.json";

const PRICE_KEYS = [
  "eksClusterHour",
  "eksExtendedSupportClusterHour",
  "natGatewayHour",
  "natGatewayGB",
  "publicIpv4Hour",
  "ebsGp3GBMonth",
  "s3StandardGBMonth",
  "s3PutPer1000",
  "s3GetPer1000",
  "kmsKeyMonth",
  "kmsPer10000Requests",
  "crossAzGB",
  "ampStorageGBMonth",
  "ampQueryPerBillionSamples",
  "cloudWatchLogsIngestionGB",
  "cloudWatchLogsStorageGBMonth",
] as const;
const GRAFANA_CLOUD_KEYS = [
  "platformFeeMonth",
  "metricsPer1000Series",
  "logsProcessedGB",
  "logsWrittenGB",
  "logsRetentionPer30DaysGB",
] as const;

/** Checks the shape a hand-edited table must keep; the message names the key, the value and what is allowed. */
export function validatePriceTable(candidate: unknown): PriceTable {
  const fail = (path: string, value: unknown, allowed: string): never => {
    throw new Error(`${PRICE_TABLE_FILE}: ${path} = ${JSON.stringify(value)}; expected ${allowed}`);
  };
  const t = candidate as PriceTable;
  if (typeof t?.hoursPerMonth !== "number" || t.hoursPerMonth <= 0)
    fail("hoursPerMonth", t?.hoursPerMonth, "a positive number (730)");
  if (!t.regions || typeof t.regions !== "object") fail("regions", t.regions, "an object keyed by AWS region");
  for (const [region, prices] of Object.entries(t.regions)) {
    if (typeof prices.asOf !== "string") fail(`regions.${region}.asOf`, prices.asOf, "when the block was assembled");
    for (const key of PRICE_KEYS) {
      const price = prices[key];
      if (typeof price?.usd !== "number" || price.usd < 0)
        fail(`regions.${region}.${key}.usd`, price?.usd, "a price >= 0 in USD");
      if (typeof price.source !== "string" || price.source === "")
        fail(`regions.${region}.${key}.source`, price.source, "where the price was read");
      if (typeof price.asOf !== "string" || price.asOf === "")
        fail(`regions.${region}.${key}.asOf`, price.asOf, "when the price was published or read");
    }
    for (const key of ["ec2Hour", "ampIngestionPer10M"] as const) {
      if (typeof prices[key]?.asOf !== "string")
        fail(`regions.${region}.${key}.asOf`, prices[key]?.asOf, "when the prices were published or read");
    }
    for (const [type, usd] of Object.entries(prices.ec2Hour?.usd ?? {})) {
      if (typeof usd !== "number" || usd <= 0)
        fail(`regions.${region}.ec2Hour.usd.${type}`, usd, "an hourly price > 0");
    }
    const tiers = prices.ampIngestionPer10M?.tiers ?? [];
    if (tiers.length === 0 || tiers[tiers.length - 1].upToSamples !== null) {
      fail(
        `regions.${region}.ampIngestionPer10M.tiers`,
        tiers,
        "ascending tiers ending with one whose upToSamples is null",
      );
    }
  }
  for (const key of GRAFANA_CLOUD_KEYS) {
    const price = t.grafanaCloud?.[key];
    if (typeof price?.usd !== "number" || price.usd < 0)
      fail(`grafanaCloud.${key}.usd`, price?.usd, "a price >= 0 in USD");
    if (typeof price.source !== "string" || price.source === "")
      fail(`grafanaCloud.${key}.source`, price.source, "where the price was read");
    if (typeof price.asOf !== "string" || price.asOf === "")
      fail(`grafanaCloud.${key}.asOf`, price.asOf, "when the price was published or read");
  }
  for (const [region, standIn] of Object.entries(t.regionStandIns ?? {})) {
    if (!t.regions[standIn.use])
      fail(`regionStandIns.${region}.use`, standIn.use, `one of ${Object.keys(t.regions).join(", ")}`);
  }
  for (const [key, size] of Object.entries(t.sizes ?? {})) {
    if (typeof size.value !== "number" || size.value <= 0) fail(`sizes.${key}.value`, size.value, "a positive number");
  }
  return t;
}

export const PRICES: PriceTable = validatePriceTable(table);

export interface ResolvedPrices {
  /** The region asked for. */
  region: string;
  /** The region whose figures are used (a stand-in when the table has none for `region`). */
  pricedAs: string;
  standInReason?: string;
  asOf: string;
  prices: RegionPrices;
}

export function pricesFor(region: string, priceTable: PriceTable = PRICES): ResolvedPrices {
  const own = priceTable.regions[region];
  if (own) return { region, pricedAs: region, asOf: own.asOf, prices: own };
  const standIn = priceTable.regionStandIns[region];
  if (standIn) {
    const prices = priceTable.regions[standIn.use];
    return { region, pricedAs: standIn.use, standInReason: standIn.why, asOf: prices.asOf, prices };
  }
  // Any other region the program accepted (the AWS provider's Region enum): priced as the cheapest listed region,
  // marked, never a crash. us-east-1's list prices are the lowest of the commercial regions (AWS price lists), so a
  // stand-in estimate is low, never high.
  const fallback = priceTable.regions[DEFAULT_STAND_IN] ? DEFAULT_STAND_IN : Object.keys(priceTable.regions)[0];
  const prices = priceTable.regions[fallback];
  return {
    region,
    pricedAs: fallback,
    standInReason:
      `${PRICE_TABLE_FILE} has no checked prices for ${region}; priced with ${fallback}'s list prices, usually the lowest, so the ` +
      `estimate is low. Add a regions.${region} block to replace the stand-in.`,
    asOf: prices.asOf,
    prices,
  };
}

/** The region a region without prices is priced as. */
export const DEFAULT_STAND_IN = "us-east-1";
