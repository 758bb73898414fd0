// The workload the stack must carry. Resources do not hold it, so the pack reads it from the policy config
// (`workload`, which the check command fills from the stack config) or else from the stack output `workload`
// that the program exports: the engine sends the root pulumi:pulumi:Stack resource to AnalyzeStack with its
// outputs as properties (pkg/resource/deploy/step_generator.go AnalyzeResources ranges over every registered
// resource, the root stack included; @pulumi/policy server.js passes them all to validateStack).
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { PolicyInputError, PropNode } from "../../lib/node";
import { StackView } from "../../lib/stack";
import { known } from "../../lib/unknown";
import { CHARTS } from "../../lib/types";
import { formatDuration } from "../../lib/duration";
import { flag } from "../wiring/stack-monitoring";
import { globalScrapeInterval } from "../wiring/scrape-intervals-fit-rule-windows";

export interface Workload {
  activeSeries: number;
  samplesPerSecond: number;
  logsGBPerDay: number;
  queriesPerSecond: number;
}

export const WORKLOAD_KEYS: ReadonlyArray<keyof Workload> = [
  "activeSeries",
  "samplesPerSecond",
  "logsGBPerDay",
  "queriesPerSecond",
];

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
/** Name of the stack output holding the workload (the program's config key `workload`). */
export const WORKLOAD_OUTPUT = "workload";

export const workloadSchema: PolicyConfigJSONSchema = {
  type: "object",
  description: "The workload the stack must carry; default: the stack output `workload`.",
  properties: Object.fromEntries(WORKLOAD_KEYS.map((key) => [key, { type: "number", exclusiveMinimum: 0 }])),
  required: [...WORKLOAD_KEYS],
  additionalProperties: false,
};

export interface SourcedWorkload {
  workload: Workload;
  where: string;
}

function parse(node: PropNode, where: string, urn?: string): Workload {
  const raw = known(node.raw());
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new PolicyInputError(
      `${where}=${JSON.stringify(raw)} is not an object with ${WORKLOAD_KEYS.join(", ")}.`,
      urn,
    );
  }
  const result: Partial<Workload> = {};
  for (const key of WORKLOAD_KEYS) {
    const field = node.get(key);
    let value: number | undefined;
    try {
      value = known(field.number());
    } catch (error) {
      if (!(error instanceof PolicyInputError)) throw error;
    }
    if (value === undefined || !Number.isFinite(value) || value <= 0) {
      throw new PolicyInputError(`${where}.${key}=${JSON.stringify(field.raw())} is not a positive number.`, urn);
    }
    result[key] = value;
  }
  return result as Workload;
}

/** The workload from the policy config, else from the root stack's `workload` output; undefined when neither says. */
export function readWorkload(stack: StackView, configured: unknown): SourcedWorkload | undefined {
  if (configured !== undefined) {
    const node = PropNode.root({ label: "policy config", urn: "", proxiedProps: configured }, configured);
    return { workload: parse(node, "policy config workload"), where: "policy config workload" };
  }
  const root = stack.ofType(ROOT_STACK_TYPE)[0];
  if (!root) return undefined;
  const output = root.props.get(WORKLOAD_OUTPUT);
  known(output.raw());
  if (!output.isPresent) return undefined;
  const where = `stack output ${WORKLOAD_OUTPUT}`;
  return { workload: parse(output, where, root.urn), where };
}

/** As analysis.ts formatFigure prints figures (kept here: analysis.ts imports this module). */
const formatFigure = (value: number) => (value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(1));

/** The samples/s the stack's metric senders write, with how it was derived. */
export interface SamplesRate {
  value: number;
  what: string;
}

/**
 * The samples/s the stack's Prometheus actually sends: the declared samplesPerSecond assumes one scrape of every
 * active series each activeSeries / samplesPerSecond seconds (15s for the shipped profiles, settings/profiles.ts);
 * Prometheus scrapes every series once per scrape interval (prometheusSpec.scrapeInterval, CRD default 30s; see
 * wiring/scrape-intervals-fit-rule-windows.ts), so a shorter interval sends activeSeries / interval samples/s. The
 * larger of the two is the rate the tenant limits and the write path must carry. Per-monitor intervals, which apply
 * to a subset of the series, are not modelled.
 */
export function effectiveSamplesPerSecond(stack: StackView, sourced: SourcedWorkload): SamplesRate {
  const { workload, where } = sourced;
  const declared: SamplesRate = {
    value: workload.samplesPerSecond,
    what: `${where}.samplesPerSecond=${formatFigure(workload.samplesPerSecond)} samples/s`,
  };
  let best = declared;
  for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) {
    if (!flag(release.values, "prometheus.enabled", true)) continue;
    const interval = globalScrapeInterval(release);
    if (!interval || interval.ms <= 0) continue;
    const rate = workload.activeSeries / (interval.ms / 1000);
    if (rate <= best.value) continue;
    const assumed = formatDuration(Math.round(workload.activeSeries / workload.samplesPerSecond) * 1000);
    best = {
      value: rate,
      what:
        `${where}.activeSeries=${formatFigure(workload.activeSeries)} series scraped every ${formatDuration(interval.ms)} (${interval.where}) = ` +
        `${formatFigure(Math.ceil(rate))} samples/s, above ${where}.samplesPerSecond=${formatFigure(workload.samplesPerSecond)} (which assumes one scrape every ${assumed})`,
    };
  }
  return best;
}
