// Q4 (HARD at write time): Mimir's per-instance limits refuse whatever a single ingester or distributor receives
// beyond them, for every tenant at once (config descriptor: ingester.instance_limits.max_series "Requests to create
// additional series will be rejected", max_ingestion_rate "Additional push requests will be rejected", max_tenants
// "Requests from additional tenants will be rejected"; distributor.instance_limits.max_ingestion_rate likewise; all
// default 0 = unlimited).
// With ingest storage every zone's ingesters together hold every series and consume every sample (one ingester per
// partition and zone), so at least one ingester of a zone holds activeSeries / ingesters-per-zone series and takes
// samplesPerSecond / ingesters-per-zone samples/s (pigeonhole: no assumption about the spread). Without partition
// shuffle sharding (limits.ingestion_partitions_tenant_shard_size 0, the default) every writing tenant reaches every
// ingester. The distributors share the pushes: at least one receives samplesPerSecond / distributors.
// The ingesters' max_inflight_push_requests(_bytes) do not apply: with ingest storage ingesters read Kafka, they take
// no pushes.
import { mimirReleases } from "../../lib/mimir";
import { show, Sourced } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import { isUnknown } from "../../lib/unknown";
import { formatFigure } from "../capacity/analysis";
import { readWorkload, Workload, workloadSchema } from "../capacity/workload";
import { remoteWriteSenders, wholeNumber } from "./common";

interface Config {
  workload?: Workload;
}

function limit(found: ReturnType<ReturnType<typeof mimirReleases>[number]["setting"]>): Sourced<number> | undefined {
  if (found === undefined || isUnknown(found)) return undefined;
  const value = wholeNumber(found.value);
  return value === undefined || value <= 0 ? undefined : { value, where: found.where };
}

/** Tenants that write to Mimir: the X-Scope-OrgID of every Prometheus and Alloy remote write. */
function writingTenants(stack: StackView, ctx: RuleContext<object>): string[] {
  return [...new Set(remoteWriteSenders(stack, ctx).flatMap((s) => (s.tenant ? [s.tenant] : [])))];
}

export const instanceLimitsHoldWorkload = stackRule<Config>(
  {
    name: "mimir-instance-limits-hold-workload",
    rule: "Q4",
    description:
      "Mimir's ingester.instance_limits (max_series, max_ingestion_rate, max_tenants) and distributor.instance_limits.max_ingestion_rate must hold each instance's share of the stack's workload and writing tenants",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Raise the instance limit above the share named in the message (or set 0 = unlimited), or add ingesters / distributors so each one's share falls below it.",
    url: "https://grafana.com/docs/mimir/latest/references/configuration-parameters/ (ingester.instance_limits, distributor.instance_limits)",
    tags: ["mimir", "capacity", "limits"],
    configSchema: { properties: { workload: workloadSchema } },
  },
  (stack, ctx) => {
    const mimir = mimirReleases(stack)[0];
    if (!mimir) return;
    const settings = {
      series: mimir.setting("ingester.instance_limits.max_series"),
      ingesterRate: mimir.setting("ingester.instance_limits.max_ingestion_rate"),
      tenants: mimir.setting("ingester.instance_limits.max_tenants"),
      distributorRate: mimir.setting("distributor.instance_limits.max_ingestion_rate"),
    };
    for (const found of Object.values(settings)) if (isUnknown(found)) return ctx.inconclusive(found);
    const series = limit(settings.series);
    const ingesterRate = limit(settings.ingesterRate);
    const tenants = limit(settings.tenants);
    const distributorRate = limit(settings.distributorRate);
    if (!series && !ingesterRate && !tenants && !distributorRate) return;

    const refuse = (what: Sourced<number>, share: number, shareText: string, refused: string, fix: string) => {
      if (what.value >= share) return;
      ctx.violation(`${show(what)} < ${shareText}: ${refused} Fix: ${fix}`, mimir.urn);
    };

    if (tenants) {
      const shard = mimir.setting("limits.ingestion_partitions_tenant_shard_size");
      const sharded = shard !== undefined && !isUnknown(shard) && (wholeNumber(shard.value) ?? 0) > 0;
      const writers = writingTenants(stack, ctx as RuleContext<object>);
      if (!sharded && writers.length > 0)
        refuse(
          tenants,
          writers.length,
          `the ${writers.length} tenants this stack writes (${writers.join(", ")}), each of which reaches every ingester without partition shuffle sharding`,
          "every ingester refuses the writes of the tenants past its limit: their samples are lost.",
          `raise max_tenants to at least ${writers.length} or 0 (unlimited).`,
        );
    }

    const sourced = readWorkload(stack, ctx.config.workload);
    if (!sourced) return;
    const w = sourced.workload;
    const ingesters = mimir.podsPerZone("ingester");
    if (isUnknown(ingesters)) return ctx.inconclusive(ingesters);
    const perZone = Math.max(1, ingesters.value.perZone);
    if (series) {
      const share = w.activeSeries / perZone;
      refuse(
        series,
        share,
        `${formatFigure(share)} series, what at least one ingester of each zone holds (${sourced.where}.activeSeries=${formatFigure(w.activeSeries)} over ${ingesters.where})`,
        "that ingester refuses every new series past its limit, for all tenants: writes fail and samples are lost.",
        `raise max_series to at least ${Math.ceil(share)} (or 0), or add ingesters.`,
      );
    }
    if (ingesterRate) {
      const share = w.samplesPerSecond / perZone;
      refuse(
        ingesterRate,
        share,
        `${formatFigure(share)} samples/s, what at least one ingester of each zone consumes (${sourced.where}.samplesPerSecond=${formatFigure(w.samplesPerSecond)} over ${ingesters.where})`,
        "that ingester refuses the excess for all tenants and falls behind its Kafka partition for good.",
        `raise max_ingestion_rate to at least ${Math.ceil(share)} (or 0), or add ingesters.`,
      );
    }
    if (distributorRate) {
      const replicas = mimir.replicas("distributor");
      if (isUnknown(replicas)) return ctx.inconclusive(replicas);
      const share = w.samplesPerSecond / Math.max(1, replicas.value);
      refuse(
        distributorRate,
        share,
        `${formatFigure(share)} samples/s, what at least one distributor receives (${sourced.where}.samplesPerSecond=${formatFigure(w.samplesPerSecond)} over ${show(replicas)})`,
        "that distributor refuses the excess pushes; the senders retry and fall further behind until their WAL is cut: samples are lost.",
        `raise max_ingestion_rate to at least ${Math.ceil(share)} (or 0), or add distributors.`,
      );
    }
  },
);
