// B6 (HARD): data that grows with retention or traffic must not sit on a memory-backed volume (tmpfs) larger than the
// container's memory limit leaves room for.
//
// An emptyDir with `medium: Memory` is a tmpfs; the files written to it are memory charged to the container that
// writes them and count against its memory limit (Kubernetes docs, "Volumes", emptyDir: "files you write count against
// your container's memory limit"); with a `sizeLimit` the tmpfs is that big and a write past it fails with ENOSPC
// (Kubernetes "Volumes": the size of a memory-backed emptyDir is the sizeLimit when set). Data that only grows up to
// what retention keeps therefore gets the container OOM-killed once it reaches the limit, and the tmpfs outlives the
// container restart (an emptyDir lives as long as the pod), so the restarted container starts already full.
//
// Inventory of the chart settings that render a memory-backed volume for data that grows:
//   - kube-prometheus-stack 88.5.3 `prometheus.prometheusSpec.storageSpec.emptyDir.medium: Memory`: prometheus-operator
//     v0.93.0 mounts the emptyDir as the TSDB volume in place of any volumeClaimTemplate (pkg/prometheus/server/
//     statefulset.go makeStatefulSet, `case storageSpec.EmptyDir != nil` before the claim template). The TSDB keeps its
//     blocks for `retention` (chart default 10d; the operator's own default 24h applies only with neither retention nor
//     retentionSize: pkg/prometheus/common.go RetentionTimeOrDefault) or until `retentionSize`, whichever is hit first,
//     and each sample costs 1-2 bytes on disk (Prometheus docs, "Storage", operational aspects: "needed_disk_space =
//     retention_time_seconds * ingested_samples_per_second * bytes_per_sample", "an average of only 1-2 bytes per
//     sample"). Counted here: min(retention x samplesPerSecond / shards x 1 byte, retentionSize) on the tmpfs (a lower
//     bound: the WAL and the compaction space come on top), plus the head block in the heap at B4's figure
//     (activeSeries / shards x 4 KiB, policies/lib/prometheus.ts). Each Prometheus of an HA pair scrapes all series.
//   - loki 18.11.0 `<component>.persistence.inMemory: true`, or `dataVolumeParameters.emptyDir.medium: Memory`, while
//     neither persistence.enabled nor volumeClaimsEnabled is on (templates/_pod.tpl: only then is the `data` volume at
//     /var/loki an emptyDir, `medium: Memory` with sizeLimit = persistence.size for inMemory; with a PVC the switch has
//     no effect). For the sections running the ingester (singleBinary, write, ingester; see loki-wal-replay-fits-memory)
//     /var/loki holds the WAL, whose segments are deleted only once a checkpoint is written (Loki 3.7.6
//     pkg/ingester/checkpoint.go, segmentWAL.Truncate after the checkpoint; ingester.checkpoint-duration default 5m,
//     pkg/ingester/wal.go), so it holds at least the raw log bytes one ingester receives in one checkpoint interval
//     (logsGBPerDay x replication factor / ingesters; INFERRED lower bound: the WAL records each pushed entry as is),
//     besides a checkpoint of every unflushed chunk the ingester also holds in its heap. That lower bound at or above
//     the limit is a violation; below it, an advisory (the heap and the tmpfs hold the same chunks, so the limit must
//     hold them twice).
// Not judged: memory-backed volumes the values add by hand (extraVolumes, Strimzi template.pod.volumes) hold data the
// pack cannot size; Strimzi's own /tmp tmpfs (tmpDirSizeLimit, 5Mi) and Alertmanager's silences do not grow with
// traffic; Loki's index-gateway, compactor and backend caches are not modelled by the pack.
import { parseQuantityBytes } from "../../lib/bytes";
import { DAY_MS, parseDurationMs } from "../../lib/duration";
import { LOKI_CHART_DEFAULTS, LokiRelease, lokiReleases } from "../../lib/loki";
import { PolicyInputError, PropNode } from "../../lib/node";
import { PROMETHEUS_BYTES_PER_SERIES } from "../../lib/prometheus";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { known } from "../../lib/unknown";
import { formatFigure } from "../capacity/analysis";
import { booleanAt } from "../capacity/values";
import { readWorkload, Workload, workloadSchema } from "../capacity/workload";
import { byteSizeBytes } from "../retention/prometheus-retention-size-within-volume";
import { eachChecked, MemoryLimit, memoryLimit, showLimit } from "./limits";

/** The lower of Prometheus' documented 1-2 bytes per sample on disk (Prometheus docs, "Storage"). */
const PROMETHEUS_DISK_BYTES_PER_SAMPLE = 1;
/** kube-prometheus-stack 88.5.3 values.yaml prometheus.prometheusSpec.retention. */
const KPS_DEFAULT_RETENTION = "10d";
/** Loki 3.7.6 pkg/ingester/wal.go: ingester.checkpoint-duration default. */
const LOKI_CHECKPOINT_DEFAULT = "5m";

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** `medium: Memory` of an emptyDir node (the API's value is case-sensitive: "Memory"). */
function memoryMedium(emptyDir: PropNode): boolean {
  return known(emptyDir.get("medium").string()) === "Memory";
}

/** A Kubernetes quantity or undefined when absent. */
function quantity(node: PropNode): number | undefined {
  const raw = known(node.raw());
  if (raw === undefined || raw === null || raw === "") return undefined;
  const bytes = typeof raw === "string" || typeof raw === "number" ? parseQuantityBytes(raw) : undefined;
  if (bytes === undefined)
    throw new PolicyInputError(`${node.where}=${JSON.stringify(raw)} is not a quantity such as 10Gi.`, node.owner.urn);
  return bytes;
}

const FIX_PROMETHEUS =
  "Fix: remove storageSpec.emptyDir (the program's volumeClaimTemplate then gives the TSDB an EBS volume), or keep " +
  "the tmpfs only with a retentionSize that fits the memory limit beside the head block.";

function judgePrometheus(
  values: PropNode,
  sourced: { workload: Workload; where: string },
  report: (message: string) => void,
): void {
  if (!booleanAt(values.at("prometheus.enabled"), true)) return;
  const spec = values.at("prometheus.prometheusSpec");
  const emptyDir = spec.at("storageSpec.emptyDir");
  if (!emptyDir.isPresent || !memoryMedium(emptyDir)) return;
  const medium = `${emptyDir.get("medium").where}=Memory`;
  const shards = Math.max(known(spec.get("shards").number()) ?? 1, 1);
  // Retention: the values', else the chart's default; retentionSize alone means no time limit (operator.go).
  const retentionNode = spec.get("retention");
  const sizeNode = spec.get("retentionSize");
  const retentionText = known(retentionNode.string()) || undefined;
  const sizeText = known(sizeNode.string()) || undefined;
  const retentionMs =
    retentionText !== undefined
      ? parseDurationMs(retentionText, "prometheus")
      : retentionNode.isPresent || sizeText === undefined
        ? parseDurationMs(KPS_DEFAULT_RETENTION, "prometheus")
        : undefined;
  if (retentionText !== undefined && retentionMs === undefined) return; // malformed: prometheus-specs-valid's to report
  const retentionWhere =
    retentionText !== undefined
      ? `${retentionNode.where}=${retentionText}`
      : `chart default retention ${KPS_DEFAULT_RETENTION}`;
  const sizeBytes = sizeText !== undefined ? byteSizeBytes(sizeText) : undefined;
  const perShardRate = sourced.workload.samplesPerSecond / shards;
  const byTime =
    retentionMs !== undefined ? ((perShardRate * retentionMs) / 1000) * PROMETHEUS_DISK_BYTES_PER_SAMPLE : Infinity;
  const data = Math.min(byTime, sizeBytes ?? Infinity);
  if (!Number.isFinite(data)) return;
  const dataWhy =
    data === byTime
      ? `${retentionWhere} x ${sourced.where}.samplesPerSecond=${formatFigure(sourced.workload.samplesPerSecond)}${shards > 1 ? ` / ${shards} shards` : ""} x ${PROMETHEUS_DISK_BYTES_PER_SAMPLE} byte per sample (the low end of Prometheus' documented 1-2) = ${gib(data)} of blocks`
      : `${sizeNode.where}=${sizeText}: ${gib(data)} of blocks before Prometheus deletes any`;
  const sizeLimit = quantity(emptyDir.get("sizeLimit"));
  if (sizeLimit !== undefined && sizeLimit < data) {
    report(
      `${medium} with ${emptyDir.get("sizeLimit").where}=${gib(sizeLimit)}: the TSDB on this tmpfs reaches ${dataWhy}; ` +
        `past the sizeLimit every write fails (ENOSPC), so head compaction and the WAL stop and scraped samples are lost. ${FIX_PROMETHEUS}`,
    );
    return;
  }
  const limit = memoryLimit(spec.get("resources"));
  if (limit === undefined) return;
  const head = Math.ceil(sourced.workload.activeSeries / shards) * PROMETHEUS_BYTES_PER_SERIES;
  if (limit.bytes >= head + data) return;
  report(
    `${medium} puts the TSDB on a tmpfs counted against ${showLimit(limit)}: it reaches ${dataWhy}, on top of the head block ` +
      `(${formatFigure(sourced.workload.activeSeries)} active series${shards > 1 ? ` / ${shards}` : ""} x ${PROMETHEUS_BYTES_PER_SERIES} bytes = ${gib(head)}), ` +
      `${gib(head + data)} in all, so Prometheus is OOM-killed as its blocks accumulate and, the tmpfs surviving the restart, again right after it ` +
      `(no scraping, no remote write). ${FIX_PROMETHEUS}`,
  );
}

/** The sections that run the ingester in each deployment mode, with their persistence defaults (loki 18.11.0 values). */
const LOKI_INGESTER_SECTIONS: ReadonlyArray<{
  section: string;
  modes: string[];
  enabled: boolean;
  volumeClaimsEnabled: boolean;
  replicas: number;
}> = [
  {
    section: "singleBinary",
    modes: ["Monolithic", "SingleBinary"],
    enabled: true,
    volumeClaimsEnabled: false,
    replicas: 1,
  },
  {
    section: "write",
    modes: ["SimpleScalable"],
    enabled: false,
    volumeClaimsEnabled: true,
    replicas: LOKI_CHART_DEFAULTS.writeReplicas,
  },
  { section: "ingester", modes: ["Distributed"], enabled: false, volumeClaimsEnabled: false, replicas: 0 },
];

function judgeLoki(
  loki: LokiRelease,
  sourced: { workload: Workload; where: string } | undefined,
  report: (message: string, hard: boolean) => void,
): void {
  const modeValue = known(loki.values.at("deploymentMode").string()) || LOKI_CHART_DEFAULTS.deploymentMode;
  const modes = modeValue.split("<->");
  for (const holder of LOKI_INGESTER_SECTIONS.filter((h) => h.modes.some((m) => modes.includes(m)))) {
    const section = loki.values.get(holder.section);
    const persistence = section.get("persistence");
    if (
      booleanAt(persistence.get("enabled"), holder.enabled) ||
      booleanAt(persistence.get("volumeClaimsEnabled"), holder.volumeClaimsEnabled)
    )
      continue;
    const inMemory = booleanAt(persistence.get("inMemory"), false);
    const emptyDir = persistence.at("dataVolumeParameters.emptyDir");
    if (!inMemory && !(emptyDir.isPresent && memoryMedium(emptyDir))) continue;
    const switchText = inMemory
      ? `${persistence.get("inMemory").where}=true`
      : `${emptyDir.get("medium").where}=Memory`;
    const replicas = known(section.get("replicas").number()) ?? holder.replicas;
    if (replicas === 0) continue;
    const limit: MemoryLimit | undefined = memoryLimit(section.get("resources"));
    if (limit === undefined) continue;
    const sizeLimitNode = inMemory ? persistence.get("size") : emptyDir.get("sizeLimit");
    const onTmpfs = `${switchText} (with ${persistence.get("enabled").where} not true) makes ${holder.section}'s /var/loki, where the ingester keeps its WAL, a tmpfs counted against ${showLimit(limit)}`;
    const fix = `Fix: set ${holder.section}.persistence.enabled: true with a claim on the gp3 class (and drop the in-memory switch), so the WAL lives on an EBS volume.`;
    let floor: number | undefined;
    let floorWhy = "";
    if (sourced) {
      const rf = known(loki.replicationFactor());
      const checkpoint = loki.setting("ingester.wal.checkpoint_duration");
      const checkpointText =
        checkpoint === undefined ? LOKI_CHECKPOINT_DEFAULT : String(known(checkpoint).value ?? LOKI_CHECKPOINT_DEFAULT);
      const checkpointMs = parseDurationMs(checkpointText, "go");
      if (checkpointMs !== undefined) {
        const perIngester =
          (((sourced.workload.logsGBPerDay * 1e9) / (DAY_MS / 1000)) * Math.min(rf.value, replicas)) / replicas;
        floor = (perIngester * checkpointMs) / 1000;
        floorWhy =
          `${sourced.where}.logsGBPerDay=${formatFigure(sourced.workload.logsGBPerDay)} x ${rf.where}=${rf.value} / ${replicas} ingesters = ` +
          `${(perIngester / 1e6).toFixed(2)} MB/s per ingester, kept in WAL segments for a checkpoint interval of ${checkpointText}` +
          `${checkpoint === undefined ? " (Loki default)" : ""}: at least ${gib(floor)}`;
      }
    }
    const sizeLimit = quantity(sizeLimitNode);
    if (floor !== undefined && sizeLimit !== undefined && sizeLimit < floor) {
      report(
        `${onTmpfs}, and ${sizeLimitNode.where}=${gib(sizeLimit)} caps that tmpfs below the WAL it must hold (${floorWhy}): WAL writes fail (ENOSPC) and ` +
          `lines acknowledged since the last checkpoint are lost when the ingester restarts. ${fix}`,
        true,
      );
      continue;
    }
    if (floor !== undefined && floor >= limit.bytes) {
      report(
        `${onTmpfs}: the WAL alone reaches ${floorWhy}, at or above the limit, before the ingester's heap is counted: the ingester is OOM-killed ` +
          `under normal traffic and, the tmpfs surviving the restart, again while it replays it. ${fix}`,
        true,
      );
      continue;
    }
    report(
      `${onTmpfs}: its WAL holds a checkpoint of every unflushed chunk the ingester also keeps in its heap, plus the raw lines of the last checkpoint interval` +
        `${floor !== undefined ? ` (${floorWhy})` : ""}, so the limit must hold that data twice; as traffic grows the ingester is OOM-killed, and the restart ` +
        `replays the WAL from the same tmpfs into the same limit. ${fix}`,
      false,
    );
  }
}

export const memoryVolumesFitContainer = stackRule<{ workload?: Workload }>(
  {
    name: "memory-volumes-fit-container",
    rule: "B6",
    description:
      "Data that grows with retention or traffic (the Prometheus TSDB, Loki's ingester WAL) is not put on a memory-backed emptyDir (medium: Memory) beyond what the container's memory limit and the volume's sizeLimit hold",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep the TSDB and the WAL on their EBS volumes: remove prometheusSpec.storageSpec.emptyDir, and leave Loki's persistence.enabled on without inMemory; " +
      "a tmpfs is only safe for data whose size is bounded well below the memory limit.",
    url: "https://kubernetes.io/docs/concepts/storage/volumes/#emptydir; https://prometheus.io/docs/prometheus/latest/storage/#operational-aspects; https://grafana.com/docs/loki/latest/operations/storage/wal/",
    tags: ["memory", "prometheus", "loki"],
    configSchema: { properties: { workload: workloadSchema } },
  },
  (stack, ctx) => {
    const sourced = readWorkload(stack, ctx.config.workload);
    if (sourced)
      for (const release of stack.helmReleases(CHARTS.kubePrometheusStack))
        eachChecked(ctx, () =>
          judgePrometheus(release.values, sourced, (message) => ctx.violation(message, release.resource.urn)),
        );
    for (const loki of lokiReleases(stack))
      eachChecked(ctx, () =>
        judgeLoki(loki, sourced, (message, hard) =>
          hard ? ctx.violation(message, loki.urn) : ctx.advisory(message, loki.urn),
        ),
      );
  },
);
