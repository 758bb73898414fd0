// What an ingester, a Kafka broker or Loki's single binary has not yet shipped to S3 lives only on its volume: a
// StatefulSet or node pool that is removed or scaled down must leave its PersistentVolumeClaims behind. Kubernetes
// keeps them unless the StatefulSet's persistentVolumeClaimRetentionPolicy says Delete (Kubernetes docs,
// "StatefulSets: PersistentVolumeClaim retention", default Retain); Strimzi deletes a volume's claim with its node
// when deleteClaim is true (Strimzi KafkaNodePool storage reference).
import { describeEnvironment } from "../../lib/environment";
import { environmentScopedRule, EnvironmentScopedConfig } from "../../lib/scoped-rule";
import { CHARTS } from "../../lib/types";

type Config = EnvironmentScopedConfig;

/**
 * The charts' switches for a StatefulSet's PVC retention policy, per component that holds data no one else has yet:
 * mimir-distributed 6.0.x `<component>.persistentVolume.enableRetentionPolicy` with `whenDeleted`/`whenScaled`
 * (policy rendered only when enabled); loki 18.11.0 `<component>.persistence.enableStatefulSetAutoDeletePVC` with
 * `whenDeleted`/`whenScaled` (both default Delete once enabled).
 */
const RELEASES = [
  {
    chart: CHARTS.mimir,
    switch: "persistentVolume.enableRetentionPolicy",
    base: "persistentVolume",
    components: { ingester: "unshipped TSDB blocks and the WAL", alertmanager: "silences and the notification log" },
  },
  {
    chart: CHARTS.loki,
    switch: "persistence.enableStatefulSetAutoDeletePVC",
    base: "persistence",
    components: {
      ingester: "the WAL and unflushed chunks",
      singleBinary: "the WAL and unflushed chunks",
      write: "the WAL and unflushed chunks",
    },
  },
] as const;

export const statefulVolumesRetained = environmentScopedRule<Config>(
  {
    name: "stateful-volumes-retained",
    rule: "S12",
    description:
      "In staging and prod the volumes of ingesters, Alertmanagers, Loki's writers and Kafka brokers outlive their StatefulSet or node pool: no Delete retention policy, no deleteClaim",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep enableRetentionPolicy / enableStatefulSetAutoDeletePVC off, or their whenDeleted and whenScaled at Retain; keep deleteClaim: false on every KafkaNodePool volume.",
    url: "https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#persistentvolumeclaim-retention",
    tags: ["durability", "mimir", "loki", "kafka"],
    judgedPerResource: true,
  },
  ["staging", "prod"],
  (stack, ctx, env) => {
    for (const spec of RELEASES) {
      for (const release of stack.helmReleases(spec.chart)) {
        for (const [component, holds] of Object.entries(spec.components)) {
          const on = release.values.at(`${component}.${spec.switch}`).boolean();
          const whenDeleted = release.values.at(`${component}.${spec.base}.whenDeleted`).string();
          const whenScaled = release.values.at(`${component}.${spec.base}.whenScaled`).string();
          ctx.known([on ?? false, whenDeleted ?? "Delete", whenScaled ?? "Delete"], (enabled, deleted, scaled) => {
            if (!enabled) return;
            const deleting = [
              deleted === "Delete" ? "whenDeleted" : "",
              scaled === "Delete" ? "whenScaled" : "",
            ].filter(Boolean);
            if (deleting.length === 0) return;
            ctx.violation(
              `${release.label} values.${component}.${spec.switch}=true with ${deleting.map((k) => `${k}=Delete`).join(" and ")} ` +
                `${deleting.length === 1 && !release.values.at(`${component}.${spec.base}.${deleting[0]}`).isPresent ? "(chart default) " : ""}` +
                `in ${describeEnvironment(env)}: removing or scaling down the ${component} StatefulSet deletes its volumes and ${holds} with them. ` +
                `Fix: set ${component}.${spec.base}.whenDeleted and whenScaled to Retain, or leave the switch off (Kubernetes then retains them).`,
              release.resource.urn,
            );
          });
        }
      }
    }
    for (const pool of stack.strimzi("KafkaNodePool")) {
      const storage = pool.resource.props.at("spec.storage");
      const volumes = storage.at("type").string() === "jbod" ? (storage.at("volumes").items() ?? []) : [storage];
      ctx.known([volumes], (list) => {
        for (const [i, volume] of list.entries()) {
          ctx.known([volume.at("deleteClaim").boolean() ?? false], (deleteClaim) => {
            if (!deleteClaim) return;
            ctx.violation(
              `KafkaNodePool "${pool.resource.name}" spec.storage${storage.at("type").string() === "jbod" ? `.volumes[${i}]` : ""}.deleteClaim=true in ${describeEnvironment(env)}: ` +
                "scaling the pool down or removing it deletes the brokers' volumes, and the partition replicas on them. Fix: set deleteClaim: false.",
              pool.resource.urn,
            );
          });
        }
      });
    }
  },
);
