// M12 (HARD, silent): Prometheus replicas differ only in their replica external label, so without Mimir's HA
// deduplication every series arrives twice as two series: active series and ingestion count double against the
// tenant's limits, and past max_global_series_per_user Mimir discards samples (Mimir HA deduplication docs: series
// without both labels "are accepted by default and never deduplicated").
import { mimirReleases } from "../../lib/mimir";
import { show } from "../../lib/node";
import { PROMETHEUS_OPERATOR_LABELS } from "../../lib/prometheus";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";

/** The tenant header of a remoteWrite entry (Mimir docs, "About authentication and authorization"). */
const TENANT_HEADER = "X-Scope-OrgID";

export const mimirDeduplicatesPrometheusPair = stackRule<object>(
  {
    name: "mimir-deduplicates-prometheus-pair",
    rule: "M12",
    description:
      "Prometheus replicas remote-writing to Mimir must be deduplicated by Mimir's HA tracker, on the labels prometheus-operator sets",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Set mimir.structuredConfig.distributor.ha_tracker.enable_ha_tracker: true and limits.accept_ha_samples: true, with ha_cluster_label / ha_replica_label " +
      "equal to Prometheus' external label names (prometheus / prometheus_replica unless prometheusSpec names others).",
    url: "https://grafana.com/docs/mimir/latest/configure/configure-high-availability-deduplication/",
    tags: ["mimir", "prometheus"],
  },
  (stack, ctx) => {
    const mimir = mimirReleases(stack)[0];
    if (!mimir) return;
    for (const prometheus of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      const spec = prometheus.values.at("prometheus.prometheusSpec");
      const replicas = spec.get("replicas").raw();
      const writes = spec.get("remoteWrite").items();
      if (isUnknown(replicas) || isUnknown(writes)) continue;
      if (typeof replicas !== "number" || replicas < 2 || (writes ?? []).length === 0) continue;
      const clusterName = spec.get("prometheusExternalLabelName").raw();
      const replicaName = spec.get("replicaExternalLabelName").raw();
      const expected = {
        cluster:
          typeof clusterName === "string" && clusterName !== "" ? clusterName : PROMETHEUS_OPERATOR_LABELS.cluster,
        replica:
          typeof replicaName === "string" && replicaName !== "" ? replicaName : PROMETHEUS_OPERATOR_LABELS.replica,
      };
      ctx.known(
        [
          mimir.boolean("distributor.ha_tracker.enable_ha_tracker"),
          mimir.boolean("limits.accept_ha_samples"),
          mimir.string("limits.ha_cluster_label"),
          mimir.string("limits.ha_replica_label"),
        ],
        (tracker, accept, clusterLabel, replicaLabel) => {
          // A tenant's runtime-config override wins over limits for that tenant (Mimir runtime configuration docs;
          // the distributor reads d.limits.AcceptHASamples(userID) / HAReplicaLabel(userID) per request,
          // pkg/distributor/distributor.go prePushHaDedupeMiddleware), so the pair is judged per tenant it writes as.
          const problemsFor = (tenant: string | undefined): string[] => {
            const override = (key: string) => {
              if (tenant === undefined) return undefined;
              const node = mimir.release.values.get("runtimeConfig").get("overrides").get(tenant).get(key);
              const raw = node.raw();
              if (isUnknown(raw) || raw === undefined || raw === null) return undefined;
              return { raw, where: `${node.where}=${JSON.stringify(raw)}` };
            };
            const found: string[] = [];
            const acceptOwn = override("accept_ha_samples");
            const acceptValue = acceptOwn ? acceptOwn.raw === true || acceptOwn.raw === "true" : accept.value;
            if (!acceptValue) found.push(acceptOwn ? acceptOwn.where : show(accept));
            const clusterOwn = override("ha_cluster_label");
            if ((clusterOwn ? clusterOwn.raw : clusterLabel.value) !== expected.cluster)
              found.push(
                `${clusterOwn ? clusterOwn.where : show(clusterLabel)} (Prometheus sends "${expected.cluster}")`,
              );
            const replicaOwn = override("ha_replica_label");
            if ((replicaOwn ? replicaOwn.raw : replicaLabel.value) !== expected.replica)
              found.push(
                `${replicaOwn ? replicaOwn.where : show(replicaLabel)} (Prometheus sends "${expected.replica}")`,
              );
            return found;
          };
          const tenants = [
            ...new Set(
              (writes ?? []).map((write) => {
                const header = write.get("headers", TENANT_HEADER).raw();
                return typeof header === "string" ? header : undefined;
              }),
            ),
          ];
          const problems: string[] = tracker.value ? [] : [show(tracker)];
          for (const tenant of tenants) {
            for (const problem of problemsFor(tenant))
              problems.push(tenant === undefined ? problem : `for tenant ${JSON.stringify(tenant)} ${problem}`);
          }
          if (problems.length === 0) {
            // Shards of one Prometheus share its cluster label (prometheus-operator sets prometheus=<namespace>/<name>
            // on every shard; each pod's replica label is its own name), so the HA tracker elects one pod of one shard
            // per tenant and drops every other shard's samples (grafana/mimir#5217; prometheus-operator PR #7020).
            const shards = spec.get("shards").raw();
            if (typeof shards === "number" && shards > 1)
              ctx.violation(
                `${prometheus.label} values.prometheus.prometheusSpec.shards=${shards} with ${mimir.label}'s HA tracker on ${expected.cluster}/${expected.replica}: ` +
                  `every shard sends the same ${expected.cluster} label, so Mimir elects one pod of one shard and drops the samples of the other ` +
                  `${shards - 1} shard(s) as duplicates. Fix: run one shard, or give each shard its own cluster label before remote write.`,
                mimir.urn,
              );
            return;
          }
          ctx.violation(
            `${prometheus.label} runs ${replicas} Prometheus replicas writing to ${mimir.label}, but ${problems.join("; ")}: every series arrives once per replica ` +
              `as separate series, doubling active series and ingestion against the tenant's limits until Mimir discards samples. ` +
              `Fix: enable the HA tracker and accept_ha_samples (and remove tenant overrides that turn them off or rename the labels) with ha_cluster_label "${expected.cluster}" and ha_replica_label "${expected.replica}".`,
            mimir.urn,
          );
        },
      );
    }
  },
);
