// M30 (HARD, acknowledged samples lost): what a Mimir ingester holds before it ships a block must survive its pod.
// - An ingester keeps the samples it appended in its TSDB head, its WAL and the blocks it cut but has not uploaded,
//   under blocks_storage.tsdb.dir (/data/tsdb in the chart's mimir.config); it cuts and uploads a block every two hours
//   (block range 2h, ship_interval 1m) and keeps the local copy for blocks_storage.tsdb.retention_period (Mimir default 13h, lib/mimir.ts
//   MIMIR_DEFAULTS). "To recover its in-memory state after a crash or restart, the ingester maintains both a
//   write-ahead log (WAL) and a write-behind log (WBL)" (Mimir docs, references/architecture/components/ingester).
// - mimir-distributed mounts /data from a PersistentVolumeClaim template only with ingester.persistentVolume.enabled
//   (default true, values.yaml); with false the `storage` volume is `emptyDir: {}` (templates/ingester
//   ingester-statefulset: `{{- if not .Values.ingester.persistentVolume.enabled }} - name: storage emptyDir: {}`, as
//   read in an earlier chart release; the 6.0.x values keep the same key and default, data/mimir-distributed-6.0.x
//   .values-excerpts.yaml). An emptyDir is deleted whenever the pod is deleted: every StatefulSet rollout, eviction,
//   drain and node loss (Kubernetes docs, Volumes: "When a Pod is removed from a node for any reason, the data in the
//   emptyDir is deleted permanently").
// - With ingest storage (the chart's default) the ingester commits the offset it consumed every
//   consumer_group_offset_commit_interval (1s; grafana/mimir pkg/storage/ingest/reader.go partitionCommitter) and a
//   restarted ingester resumes from that committed offset (consume_from_position_at_startup last-offset, reader.go
//   getStartOffset): the records before it are not replayed, so a head lost with its disk is not rebuilt from Kafka.
//   Without ingest storage the WAL is the only copy besides the other replicas. A zone-by-zone rollout deletes every
//   zone's disk in turn within a block period, so the samples no zone shipped yet are lost for good.
// Store-gateways and the compactor are not judged: their disks hold only what they re-download from the bucket
// (index headers, blocks being compacted), so an emptyDir there costs start-up time, not data.
import { mimirReleases } from "../../lib/mimir";
import { stackRule } from "../../lib/policy";

/** Where the chart mounts the ingester's `storage` volume and where its mimir.config puts the TSDB (values mimir.config). */
const CHART_DATA_DIR = "/data";

export const mimirIngesterStateDurable = stackRule<object>(
  {
    name: "mimir-ingester-state-durable",
    rule: "M30",
    description:
      "Mimir ingesters must keep their TSDB (head, WAL, unshipped blocks) on a persistent volume (ingester.persistentVolume.enabled)",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Remove ingester.persistentVolume.enabled: false (the chart default is true) so each ingester keeps its TSDB on a PersistentVolumeClaim, sized for the TSDB retention.",
    url: "https://grafana.com/docs/mimir/latest/references/architecture/components/ingester/ (WAL); mimir-distributed values ingester.persistentVolume",
    tags: ["mimir", "durability"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const values = mimir.release.values;
      const enabled = values.at("ingester.enabled").boolean();
      const persistent = values.at("ingester.persistentVolume.enabled").boolean();
      const replicas = mimir.replicas("ingester");
      const tsdbDir = mimir.setting("blocks_storage.tsdb.dir");
      const ingest = mimir.setting("ingest_storage.enabled");
      ctx.known(
        [enabled, persistent, replicas, tsdbDir ?? undefined, ingest ?? undefined],
        (on, pv, count, dir, ingestStorage) => {
          if (on === false || count.value === 0) return;
          const dirText = dir ? String(dir.value) : `${CHART_DATA_DIR}/tsdb`;
          if (!dirText.startsWith(`${CHART_DATA_DIR}/`) && dirText !== CHART_DATA_DIR) {
            // A TSDB moved onto a volume the values add (ingester.extraVolumeMounts) cannot be judged here; an absolute
            // directory outside /data and every extra mount is on no persistent volume: the chart mounts the ingester's
            // claim only at /data (its mimir.config puts the TSDB at /data/tsdb); a relative one is not judged.
            const mounts = values.at("ingester.extraVolumeMounts").raw();
            const extra = Array.isArray(mounts)
              ? mounts
                  .filter((m) => m && typeof m.mountPath === "string")
                  .map((m) => String(m.mountPath).replace(/\/+$/, ""))
              : [];
            if (!dirText.startsWith("/") || extra.some((m) => dirText === m || dirText.startsWith(`${m}/`))) return;
            ctx.violation(
              `${dir ? dir.where : "blocks_storage.tsdb.dir"}=${dirText}: the ingesters' TSDB (head, WAL and blocks not yet uploaded) is outside ${CHART_DATA_DIR}, ` +
                `the only path mimir-distributed mounts from the ingester's PersistentVolumeClaim, so it lives in the container's own file system or an emptyDir ` +
                `and is deleted with the pod at every rollout, eviction, drain or node loss: the samples no ingester had shipped are lost for good. ` +
                `Fix: keep blocks_storage.tsdb.dir under ${CHART_DATA_DIR} (the chart's ${CHART_DATA_DIR}/tsdb) or remove the override.`,
              mimir.release.resource.urn,
            );
            return;
          }
          if (pv !== false) return;
          const kafka =
            ingestStorage && (ingestStorage.value === true || ingestStorage.value === "true")
              ? `With ingest storage (${ingestStorage.where}=true) the ingester has already committed its Kafka offset for those records, so a ` +
                `restarted ingester resumes after them and never replays what its deleted disk held. `
              : `Without ingest storage the WAL on that volume is what a restarted ingester rebuilds its head from. `;
          ctx.violation(
            `${values.at("ingester.persistentVolume.enabled").where}=false: the ${count.value} ingesters keep their TSDB (${dirText}: head, WAL and ` +
              `blocks not yet uploaded, up to the last two hours and more) on an emptyDir, deleted with the pod at every rollout, eviction, drain or node loss. ` +
              kafka +
              `A zone-by-zone rollout wipes every zone's copy in turn, so the samples no ingester had shipped are lost for good. ` +
              `Fix: remove ingester.persistentVolume.enabled: false (chart default true) and size ingester.persistentVolume.size for the TSDB retention.`,
            mimir.release.resource.urn,
          );
        },
      );
    }
  },
);
