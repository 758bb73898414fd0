// Q9 (HARD at query time): the query-frontend splits a query by time and shards it, then runs up to the tenant's
// max_query_parallelism of those sub-queries at once, each one a request queued in the query-scheduler (or in the
// frontend's own queue without a scheduler). A tenant's queue holds at most max_outstanding_requests_per_tenant
// requests; one more is refused with 429 "too many outstanding requests". A queue smaller than one query's
// parallelism therefore refuses the sub-queries of every split or sharded query, with no other load.
// - Loki v3.7.6: pkg/querier/queryrange/limits.go limitedRoundTripper (a semaphore of WeightedParallelism: the tenant's
//   max_query_parallelism, default 32, for non-TSDB periods and tsdb_max_query_parallelism, default 128, for TSDB
//   periods; pkg/validation/limits.go); pkg/queue/queue.go ErrTooManyRequests "too many outstanding requests";
//   query_scheduler.max_outstanding_requests_per_tenant (default 32000, pkg/scheduler/scheduler.go),
//   frontend.max_outstanding_per_tenant (default 2048, pkg/lokifrontend/frontend/v1/frontend.go). The loki chart
//   points the frontend at the query-scheduler in Distributed mode only (loki 18.11.0 values.yaml
//   loki.frontend.scheduler_address, templates/_helpers.tpl loki.querySchedulerAddress). The floor taken is the
//   smaller of the two parallelism limits, what a query over either index type reaches.
// - Mimir: limits.max_query_parallelism (default 14; config descriptor: "Maximum number of split (by time) or partial
//   (by shard) queries that will be scheduled in parallel by the query-frontend for a single input query");
//   query_scheduler.max_outstanding_requests_per_tenant (Mimir default 100; mimir-distributed's mimir.config renders
//   800 when query_scheduler.enabled, data/mimir-distributed-6.0.0-dev.rendered-mimir-config.yaml), else
//   frontend.max_outstanding_per_tenant (default 100); pkg/scheduler/queue ErrTooManyRequests.
import { LokiRelease, lokiReleases } from "../../lib/loki";
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { Maybe, Sourced } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { LimitScope, limitScopes, wholeNumber } from "./common";

/** mimir-distributed 6.0.x mimir.config: query_scheduler.max_outstanding_requests_per_tenant 800 with the scheduler. */
export const MIMIR_CHART_SCHEDULER_QUEUE = 800;
/** Mimir config descriptor defaults: limits.max_query_parallelism 14, frontend.max_outstanding_per_tenant 100. */
export const MIMIR_MAX_QUERY_PARALLELISM = 14;
export const MIMIR_FRONTEND_QUEUE = 100;

interface Queue {
  limit: Sourced<number>;
  component: string;
}

function number(found: Maybe<Sourced<unknown>> | undefined, ctx: RuleContext<object>): Sourced<number> | undefined {
  if (found === undefined) return undefined;
  if (isUnknown(found)) {
    ctx.inconclusive(found);
    return undefined;
  }
  const value = wholeNumber(found.value);
  return value === undefined ? undefined : { value, where: found.where };
}

function lokiQueue(loki: LokiRelease, ctx: RuleContext<object>): Queue | undefined {
  const mode = loki.stringValue("deploymentMode", "Monolithic");
  if (isUnknown(mode)) {
    ctx.inconclusive(mode);
    return undefined;
  }
  const scheduler = mode.value.split("<->").includes("Distributed");
  const limit = number(
    loki.setting(
      scheduler ? "query_scheduler.max_outstanding_requests_per_tenant" : "frontend.max_outstanding_per_tenant",
    ),
    ctx,
  );
  return limit && { limit, component: scheduler ? "Loki's query-scheduler" : "Loki's query-frontend queue" };
}

function mimirQueue(mimir: MimirRelease, ctx: RuleContext<object>): Queue | undefined {
  const enabledNode = mimir.release.values.at("query_scheduler.enabled");
  const enabled = enabledNode.raw();
  if (isUnknown(enabled)) {
    ctx.inconclusive(enabled);
    return undefined;
  }
  // mimir-distributed values.yaml query_scheduler.enabled: true.
  const scheduler = enabled !== false && enabled !== "false";
  const path = scheduler
    ? "query_scheduler.max_outstanding_requests_per_tenant"
    : "frontend.max_outstanding_per_tenant";
  const configured = mimir.configured(path);
  const limit = number(
    configured ??
      (scheduler
        ? { value: MIMIR_CHART_SCHEDULER_QUEUE, where: `${mimir.label} chart-rendered config ${path}` }
        : { value: MIMIR_FRONTEND_QUEUE, where: `Mimir default ${path}` }),
    ctx,
  );
  return limit && { limit, component: scheduler ? "Mimir's query-scheduler" : "Mimir's query-frontend queue" };
}

/** The parallelism of one query for each scope: the smallest positive of the given limits (0 = off). */
function parallelisms(
  release: LokiRelease | MimirRelease,
  product: string,
  keys: Array<[string, number]>,
  ctx: RuleContext<object>,
): Array<{ who: string; value: Sourced<number> }> {
  const perKey: LimitScope[][] = [];
  for (const [key, fallback] of keys) {
    const scopes = limitScopes(release, key, { value: fallback, where: `${product} default ${key}` });
    if (isUnknown(scopes)) {
      ctx.inconclusive(scopes);
      return [];
    }
    perKey.push(scopes);
  }
  const out: Array<{ who: string; value: Sourced<number> }> = [];
  perKey[0].forEach((scope, i) => {
    if (perKey.every((scopes) => scopes[i].inherited)) return;
    const values = perKey
      .map((scopes) => number(scopes[i].value, ctx))
      .filter((v): v is Sourced<number> => v !== undefined && v.value > 0);
    if (values.length === 0) return;
    out.push({ who: scope.who, value: values.reduce((a, b) => (b.value < a.value ? b : a)) });
  });
  return out;
}

function judge(
  ctx: RuleContext<object>,
  urn: string,
  queue: Queue,
  scopes: Array<{ who: string; value: Sourced<number> }>,
): void {
  const { limit } = queue;
  if (limit.value <= 0) return;
  for (const scope of scopes) {
    if (limit.value >= scope.value.value) continue;
    ctx.violation(
      `${limit.where}=${limit.value} is smaller than one query's parallelism, ${scope.value.where}=${scope.value.value} (${scope.who}): ` +
        `the query-frontend enqueues up to ${scope.value.value} split/sharded sub-queries of a single query at once, and ${queue.component} answers 429 "too many outstanding requests" ` +
        `to the ones beyond ${limit.value}, so ordinary range queries (Grafana panels, rules) fail with no other load. ` +
        `Fix: raise the queue to at least ${scope.value.value} (several times that for concurrent queries) or lower max_query_parallelism.`,
      urn,
    );
  }
}

export const queryQueueHoldsQueryParallelism = stackRule<object>(
  {
    name: "query-queue-holds-query-parallelism",
    rule: "Q9",
    description:
      "Loki's and Mimir's per-tenant query queue (query_scheduler.max_outstanding_requests_per_tenant, or frontend.max_outstanding_per_tenant without a scheduler) must hold one query's max_query_parallelism (defaults and every tenant)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Raise max_outstanding_requests_per_tenant (Loki default 32000, Mimir chart 800) well above max_query_parallelism, or lower the tenants' max_query_parallelism.",
    url: "https://grafana.com/docs/loki/latest/configure/#query_scheduler; https://grafana.com/docs/mimir/latest/references/configuration-parameters/#query_scheduler",
    tags: ["loki", "mimir", "limits", "query"],
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      const queue = lokiQueue(loki, ctx);
      if (!queue) continue;
      judge(
        ctx,
        loki.urn,
        queue,
        parallelisms(
          loki,
          "Loki",
          [
            ["limits_config.max_query_parallelism", 32],
            ["limits_config.tsdb_max_query_parallelism", 128],
          ],
          ctx,
        ),
      );
    }
    for (const mimir of mimirReleases(stack)) {
      const queue = mimirQueue(mimir, ctx);
      if (!queue) continue;
      judge(
        ctx,
        mimir.urn,
        queue,
        parallelisms(mimir, "Mimir", [["limits.max_query_parallelism", MIMIR_MAX_QUERY_PARALLELISM]], ctx),
      );
    }
  },
);
