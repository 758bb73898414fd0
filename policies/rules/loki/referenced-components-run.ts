// L14 (HARD for reads): every Loki component the chart points the others at runs at least one pod.
// The loki chart 18.11.0 fills Loki's client addresses from its address helpers whatever the replicas (templates/
// _helpers.tpl "loki.indexGatewayAddress", "loki.querySchedulerAddress", "loki.querierAddress", "loki.compactorAddress":
// no replicas condition; values.yaml loki.storage_config.tsdb_shipper.index_gateway_client.server_address,
// loki.frontend.scheduler_address, loki.frontend_worker.scheduler_address, loki.frontend.tail_proxy_url,
// loki.commonConfig.compactor_grpc_address; modelled in policies/lib/loki.ts LOKI_CHART_ADDRESSES). A workload set to
// zero replicas (templates/_workload.tpl line 52 renders `replicas: 0`; the distributed components default to 0) leaves
// the address resolving to no pod:
// - index gateway: queriers and rulers are read-only index clients and query the index through the gateway whenever
//   its address is set (Loki 3.7.6 pkg/storage/store.go shouldUseIndexGatewayClient), so every query over logs the
//   ingesters no longer hold fails;
// - query scheduler: the query frontends enqueue and the queriers' workers pull through it (frontend.scheduler_address,
//   frontend_worker.scheduler_address), so no query runs;
// - querier: nothing executes queries (and the frontend's tail proxy has no target);
// - compactor: no index compaction, no retention (logs outlive limits_config.retention_period) and no delete requests
//   (queriers only log "failed loading deletes for user", pkg/querier/querier.go, and show deleted lines).
// Not judged: the bloom gateway and bloom planner. With no bloom gateway the index gateways keep the unfiltered chunk
// list (pkg/bloomgateway/client.go FilterChunks: "the client should return the full, unfiltered list of chunks instead
// of an error"), and with no planner no bloom is built: slower queries, no failure. Autoscaled workloads
// (autoscaling / kedaAutoscaling, replicas left out) are taken as running.
import { LOKI_CHART_ADDRESSES, LokiChartAddress, lokiReleases } from "../../lib/loki";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

const CONSEQUENCE: Readonly<Record<string, string>> = {
  "loki.indexGatewayAddress":
    "queriers and rulers read the index only through the index gateway (Loki 3.7.6 pkg/storage/store.go shouldUseIndexGatewayClient), so every query over logs the ingesters no longer hold fails",
  "loki.querySchedulerAddress":
    "query frontends enqueue and queriers pull every query through the query scheduler, so no log query runs",
  "loki.querierAddress": "no querier executes queries, so every log query fails",
  "loki.compactorAddress":
    'the index is never compacted, retention (limits_config.retention_period) is never applied and delete requests fail (queriers only log "failed loading deletes for user" and keep showing deleted lines)',
};

const JUDGED: readonly LokiChartAddress[] = LOKI_CHART_ADDRESSES.filter((a) => a.helper in CONSEQUENCE);

export const lokiReferencedComponentsRun = stackRule<object>(
  {
    name: "loki-referenced-components-run",
    rule: "L14",
    description:
      "Every Loki component the loki chart points the others at (index gateway, query scheduler, querier, compactor, or the backend pods standing in for them in SimpleScalable) runs at least one replica: the chart renders the addresses whatever the replicas",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Give the component at least one replica (two for availability), or point Loki elsewhere with loki.structuredConfig (e.g. an empty index_gateway_client.server_address so queriers read the index themselves).",
    url: "https://github.com/grafana-community/helm-charts/blob/loki-18.11.0/charts/loki/templates/_helpers.tpl (loki.indexGatewayAddress, loki.querySchedulerAddress, loki.compactorAddress)",
    tags: ["loki", "query"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      for (const address of JUDGED) {
        const rendered = loki.chartAddress(address);
        if (isUnknown(rendered)) {
          ctx.inconclusive(rendered);
          continue;
        }
        if (!rendered.helper || rendered.workload === "" || rendered.workload === "singleBinary") continue;
        const replicas = loki.workloadReplicas(rendered.workload);
        if (replicas === undefined) continue;
        if (isUnknown(replicas)) {
          ctx.inconclusive(replicas);
          continue;
        }
        if (replicas.value > 0) continue;
        ctx.violation(
          `${replicas.where}: no ${rendered.workload} pod runs, yet ${address.keys.join(" and ")} point at it ` +
            `(${rendered.where}): ${CONSEQUENCE[address.helper]}. Fix: set ${rendered.workload}.replicas to at least 1 ` +
            `(2 for availability), or override ${address.keys[0]} in loki.structuredConfig.`,
          loki.urn,
        );
      }
    }
  },
);
