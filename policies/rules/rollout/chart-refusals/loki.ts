// The loki chart 18.11.0's render-time refusals (grafana-community/helm-charts tag loki-18.11.0, charts/loki), as
// predicates over a release's values. Line numbers are at that tag; policies/lib/charts/chart-refusals.json lists
// every refusal and which predicate models it.
import { LOKI_CHART_DEFAULTS, LOKI_VALIDATE_TARGETS, LOKI_WORKLOAD_DEFAULT_REPLICAS } from "../../../lib/loki";
import { CHARTS } from "../../../lib/types";
import { ChartValues, dig, empty, failsRequired, int, Read, truthy } from "./helm";
import { one, RefusalPredicate } from "./types";

const TAG = "loki chart 18.11.0";
const VALIDATE = `${TAG} templates/validate.yaml`;

/** The chart defaults the refusals read (charts/loki/values.yaml at tag loki-18.11.0). */
export const LOKI_REFUSAL_DEFAULTS = {
  deploymentMode: LOKI_CHART_DEFAULTS.deploymentMode,
  lokiCanary: { enabled: true },
  test: { enabled: true },
  minio: { enabled: false },
  ignoreMinioDeprecation: false,
  ruler: { enabled: true, replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.ruler, kind: "StatefulSet" },
  loki: {
    useTestSchema: false,
    schemaConfig: {},
    structuredConfig: {},
    // values.yaml loki.commonConfig: path_prefix, replication_factor: 3, compactor_grpc_address (so `if` is true).
    commonConfig: { replication_factor: 3 },
    storage: { type: "s3", use_thanos_objstore: false },
    // values.yaml loki.storage_config holds boltdb_shipper, tsdb_shipper, bloom_shipper and hedging, no `aws`.
    storage_config: {},
    rulerConfig: {},
  },
  monitoring: {
    dashboards: {
      enabled: false,
      grafanaOperator: { enabled: false, folder: "General", folderUID: null, folderRef: null },
    },
  },
  // Component kinds and persistence (values.yaml per component); replicas from lib/loki.ts, the one copy.
  singleBinary: {
    replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.singleBinary,
    kind: "StatefulSet",
    persistence: { enabled: true },
  },
  write: {
    replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.write,
    kind: "StatefulSet",
    persistence: { volumeClaimsEnabled: true },
  },
  read: { replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.read, kind: "Deployment" },
  backend: {
    replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.backend,
    kind: "StatefulSet",
    persistence: { enabled: false, volumeClaimsEnabled: true },
  },
  ingester: { replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.ingester, kind: "StatefulSet" },
  distributor: { replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.distributor, kind: "Deployment" },
  querier: { replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.querier, kind: "Deployment" },
  queryFrontend: { replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.queryFrontend, kind: "Deployment" },
  queryScheduler: { replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.queryScheduler, kind: "Deployment" },
  indexGateway: { replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.indexGateway, kind: "StatefulSet" },
  compactor: { replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.compactor, kind: "StatefulSet", persistence: { type: "pvc" } },
  bloomGateway: { replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.bloomGateway, kind: "StatefulSet" },
  bloomPlanner: { replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.bloomPlanner, kind: "StatefulSet" },
  bloomBuilder: {
    replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.bloomBuilder,
    kind: "Deployment",
    persistence: { enabled: false, type: "ephemeral" },
  },
  patternIngester: { replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.patternIngester, kind: "StatefulSet" },
  overridesExporter: { replicas: LOKI_WORKLOAD_DEFAULT_REPLICAS.overridesExporter, kind: "Deployment" },
} as const;

// validate.yaml lines 15-16 $atLeastOneScalableReplica / $atLeastOneDistributedReplica.
const SCALABLE: string[] = [...LOKI_VALIDATE_TARGETS.scalable];
const DISTRIBUTED: string[] = [...LOKI_VALIDATE_TARGETS.distributed];
const OBJECT_STORES = ["s3", "gcs", "azure", "swift", "alibabacloud", "cos", "bos"];

/** The replicas reads validate.yaml makes (lines 13-16): `int` of each, so unset is the default and null is 0. */
function replicasAbove0(v: ChartValues, keys: string[]): Array<Read & { key: string }> {
  return keys.map((key) => ({ key, ...v.get(`${key}.replicas`) })).filter((read) => int(read.value) > 0);
}

const list = (reads: Read[]) => reads.map((r) => r.shown).join(", ");
const paths = (reads: Array<{ key: string }>) => reads.map((r) => `${r.key}.replicas`).join(", ");

/** `loki.isUsingObjectStorage` (_helpers.tpl line 546): loki.storage.type is one of the object stores. */
function objectStorage(v: ChartValues): { yes: boolean; read: Read } {
  const read = v.get("loki.storage.type");
  return { yes: OBJECT_STORES.includes(String(read.value)), read };
}

const mode = (v: ChartValues) => v.get("deploymentMode");
const modeIs = (v: ChartValues, ...modes: string[]) => modes.includes(String(mode(v).value));
/** _helpers.tpl lines 92-108: the scalable and distributed targets render only with object storage. */
const isScalable = (v: ChartValues) =>
  objectStorage(v).yes &&
  modeIs(
    v,
    "SingleBinary<->SimpleScalable",
    "Monolithic<->SimpleScalable",
    "SimpleScalable",
    "SimpleScalable<->Distributed",
  );
const isDistributed = (v: ChartValues) =>
  objectStorage(v).yes && modeIs(v, "Distributed", "SimpleScalable<->Distributed");

export const LOKI_REFUSALS: RefusalPredicate[] = [
  {
    id: "loki.top-level-config",
    chart: CHARTS.loki,
    source: `${VALIDATE} line 2`,
    check: (v) => {
      const config = v.get("config");
      return one(
        truthy(config.value)
          ? {
              trigger: config.shown,
              chartMessage: "Top level 'config' is not allowed. ...",
              fix: "move the settings under `loki` (or loki.structuredConfig), or the whole file under `loki.config`",
            }
          : undefined,
      );
    },
  },
  {
    id: "loki.canary-required-by-test",
    chart: CHARTS.loki,
    source: `${VALIDATE} line 6`,
    check: (v) => {
      const canary = v.get("lokiCanary.enabled");
      const test = v.get("test.enabled");
      return one(
        !truthy(canary.value) && truthy(test.value)
          ? {
              trigger: `${canary.shown} while ${test.shown}`,
              chartMessage: "Helm test requires the Loki Canary to be enabled",
              fix: "keep lokiCanary.enabled true, or also set test.enabled: false",
            }
          : undefined,
      );
    },
  },
  {
    id: "loki.minio-deprecated",
    chart: CHARTS.loki,
    source: `${VALIDATE} line 10`,
    check: (v) => {
      const minio = v.get("minio.enabled");
      const ignore = v.get("ignoreMinioDeprecation");
      return one(
        truthy(minio.value) && !truthy(ignore.value)
          ? {
              trigger: `${minio.shown} while ${ignore.shown}`,
              chartMessage: "The Loki chart builtin MinIO dependency is deprecated and will be removed 2026-10-31. ...",
              fix: "set minio.enabled: false (the stack stores in S3)",
            }
          : undefined,
      );
    },
  },
  {
    id: "loki.filesystem-monolithic-replicas",
    chart: CHARTS.loki,
    source: `${VALIDATE} line 19`,
    check: (v) => {
      const storage = objectStorage(v);
      const single = v.get("singleBinary.replicas");
      return one(
        !storage.yes && int(single.value) > 1
          ? {
              trigger: `${storage.read.shown} (not an object store) with ${single.shown}`,
              chartMessage: "Cannot run more than 1 Monolithic replica without an object storage backend.",
              fix: 'set loki.storage.type: "s3", or singleBinary.replicas: 1',
            }
          : undefined,
      );
    },
  },
  {
    id: "loki.filesystem-scalable",
    chart: CHARTS.loki,
    source: `${VALIDATE} line 23`,
    check: (v) => {
      const storage = objectStorage(v);
      const single = v.get("singleBinary.replicas");
      const others = [...replicasAbove0(v, SCALABLE), ...replicasAbove0(v, DISTRIBUTED)];
      return one(
        !storage.yes && int(single.value) === 0 && others.length > 0
          ? {
              trigger: `${storage.read.shown} (not an object store) with ${single.shown} and ${list(others)}`,
              chartMessage:
                "Cannot run scalable targets (backend, read, write) or distributed targets without an object storage backend.",
              fix: 'set loki.storage.type: "s3"',
            }
          : undefined,
      );
    },
  },
  {
    id: "loki.scalable-and-distributed-replicas",
    chart: CHARTS.loki,
    source: `${VALIDATE} line 27`,
    check: (v) => {
      const scalable = replicasAbove0(v, SCALABLE);
      const distributed = replicasAbove0(v, DISTRIBUTED);
      const m = mode(v);
      return one(
        scalable.length > 0 && distributed.length > 0 && m.value !== "SimpleScalable<->Distributed"
          ? {
              trigger: `${list(scalable)} (scalable targets) and ${list(distributed)} (distributed targets) while ${m.shown}`,
              chartMessage:
                "You have more than zero replicas configured for scalable targets (backend, read, write) and distributed targets. If this was intentional change the deploymentMode to the transitional 'SimpleScalable<->Distributed' mode",
              fix: modeIs(v, "SimpleScalable")
                ? `set ${paths(distributed)} to 0, or deploymentMode: SimpleScalable<->Distributed while migrating`
                : `set ${paths(scalable)} to 0 (the chart defaults backend, read and write to 3), or deploymentMode: SimpleScalable<->Distributed while migrating`,
            }
          : undefined,
      );
    },
  },
  {
    id: "loki.monolithic-and-distributed-replicas",
    chart: CHARTS.loki,
    source: `${VALIDATE} line 31`,
    check: (v) => {
      const single = v.get("singleBinary.replicas");
      const distributed = replicasAbove0(v, DISTRIBUTED);
      return one(
        int(single.value) > 0 && distributed.length > 0
          ? {
              trigger: `${single.shown} and ${list(distributed)}`,
              chartMessage:
                "You have more than zero replicas configured for both the monolithic and distributed targets, there is no transition mode between these targets please change one or the other to zero or transition to the SimpleScalable mode first.",
              fix: `set singleBinary.replicas: 0 or ${paths(distributed)} to 0 (no transition mode exists between them)`,
            }
          : undefined,
      );
    },
  },
  {
    id: "loki.monolithic-and-scalable-replicas",
    chart: CHARTS.loki,
    source: `${VALIDATE} line 35`,
    check: (v) => {
      const single = v.get("singleBinary.replicas");
      const scalable = replicasAbove0(v, SCALABLE);
      const m = mode(v);
      return one(
        int(single.value) > 0 &&
          scalable.length > 0 &&
          !modeIs(v, "Monolithic<->SimpleScalable", "SingleBinary<->SimpleScalable")
          ? {
              trigger: `${single.shown} and ${list(scalable)} while ${m.shown}`,
              chartMessage:
                "You have more than zero replicas configured for both the monolithic and simple scalable targets. If this was intentional change the deploymentMode to the transitional 'Monolithic<->SimpleScalable' mode",
              fix: `set ${paths(scalable)} to 0 (the chart defaults backend, read and write to 3), or deploymentMode: Monolithic<->SimpleScalable while migrating`,
            }
          : undefined,
      );
    },
  },
  {
    id: "loki.hpa-and-keda",
    chart: CHARTS.loki,
    source: `${TAG} templates/_keda.tpl line 11 (loki.validateAutoscaling, called by templates/validate.yaml lines 38-51)`,
    check: (v) =>
      (
        [
          ["querier", "querier"],
          ["distributor", "distributor"],
          ["ingester", "ingester"],
          ["queryFrontend", "query-frontend"],
          ["bloomBuilder", "bloom-builder"],
          ["bloomGateway", "bloom-gateway"],
          ["bloomPlanner", "bloom-planner"],
          ["patternIngester", "pattern-ingester"],
          ["overridesExporter", "overrides-exporter"],
          ["gateway", "gateway"],
          ["read", "read"],
          ["write", "write"],
          ["backend", "backend"],
          ["singleBinary", "single-binary"],
        ] as const
      ).flatMap(([key, name]) => {
        // `dig ... false .component`: the chart defaults both to false wherever it lists them (values.yaml).
        const section = v.get(key).value;
        const keda = dig(section, ["kedaAutoscaling", "enabled"], false);
        const hpa = dig(section, ["autoscaling", "enabled"], false);
        if (!(truthy(keda) && truthy(hpa))) return [];
        return [
          {
            trigger: `${v.get(`${key}.kedaAutoscaling.enabled`).shown} and ${v.get(`${key}.autoscaling.enabled`).shown}`,
            chartMessage: `Cannot enable both HPA and Keda based autoscaling for ${name} at the same time.`,
            fix: `keep one of ${key}.autoscaling.enabled and ${key}.kedaAutoscaling.enabled`,
          },
        ];
      }),
  },
  {
    id: "loki.test-schema-with-schema",
    chart: CHARTS.loki,
    source: `${VALIDATE} line 54`,
    check: (v) => {
      const schema = v.get("loki.schemaConfig");
      const structured = v.get("loki.structuredConfig.schema_config");
      const test = v.get("loki.useTestSchema");
      const defined = !empty(schema.value) ? schema : !empty(structured.value) ? structured : undefined;
      return one(
        defined && truthy(test.value)
          ? {
              trigger: `${test.shown} while ${defined.shown.replace(/=.*$/, "")} is set`,
              chartMessage:
                "loki.useTestSchema must be false if loki.schemaConfig or loki.structuredConfig.schema_config are defined.",
              fix: "remove loki.useTestSchema (the stack's schema is loki.schemaConfig)",
            }
          : undefined,
      );
    },
  },
  {
    id: "loki.schema-required",
    chart: CHARTS.loki,
    source: `${VALIDATE} line 59`,
    check: (v) => {
      const schema = v.get("loki.schemaConfig");
      const structured = v.get("loki.structuredConfig.schema_config");
      const test = v.get("loki.useTestSchema");
      return one(
        empty(schema.value) && empty(structured.value) && !truthy(test.value)
          ? {
              trigger: `${schema.shown}, ${structured.shown} and ${test.shown}`,
              chartMessage:
                "You must provide a schema_config for Loki, one is not provided as this will be individual for every Loki cluster. ...",
              fix: "keep the program's loki.schemaConfig (an override that replaces it must list the periods)",
            }
          : undefined,
      );
    },
  },
  {
    id: "loki.grafana-operator-folder",
    chart: CHARTS.loki,
    source: `${TAG} templates/monitoring/dashboards/_helpers-dashboards.tpl line 16 (included by each GrafanaDashboard, rendered with monitoring.dashboards.enabled and grafanaOperator.enabled)`,
    check: (v) => {
      const on = v.get("monitoring.dashboards.enabled");
      const operator = v.get("monitoring.dashboards.grafanaOperator.enabled");
      if (!truthy(on.value) || !truthy(operator.value)) return [];
      const dashboards = v.get("monitoring.dashboards").value;
      const DASHBOARDS = [
        "loki-bloom-build",
        "loki-bloom-gateway",
        "loki-chunks",
        "loki-deletion",
        "loki-logs",
        "loki-mixin-recording-rules",
        "loki-operational",
        "loki-reads",
        "loki-reads-resources",
        "loki-retention",
        "loki-thanos-object-storage",
        "loki-writes",
        "loki-writes-resources",
      ];
      if (!DASHBOARDS.some((d) => truthy(dig(dashboards, [d, "enabled"], true)))) return [];
      const set = ["folder", "folderUID", "folderRef"].map((k) => v.get(`monitoring.dashboards.grafanaOperator.${k}`));
      const truthyCount = set.filter((r) => truthy(r.value)).length;
      return one(
        truthyCount !== 1
          ? {
              trigger: `${set.map((r) => r.shown).join(", ")} (${truthyCount} set)`,
              chartMessage:
                "monitoring.dashboards.grafanaOperator: only one of folder, folderUID, or folderRef must be set",
              fix:
                truthyCount === 0
                  ? "set one of folder, folderUID and folderRef"
                  : "keep exactly one of folder, folderUID and folderRef (set the others, folder's default General included, to null)",
            }
          : undefined,
      );
    },
  },
  {
    id: "loki.bucket-chunks-required",
    chart: CHARTS.loki,
    source: `${TAG} templates/_helpers.tpl lines 228 and 242 (loki.commonStorageConfig, rendered under loki.commonConfig by values.yaml loki.config)`,
    check: (v) => {
      if (!truthy(v.get("loki.commonConfig").value)) return [];
      const thanos = v.get("loki.storage.use_thanos_objstore");
      const bucket = v.get("loki.storage.bucketNames.chunks");
      const missing = failsRequired(dig(v.get("loki").value, ["storage", "bucketNames", "chunks"], ""));
      if (!missing) return [];
      let reached = truthy(thanos.value);
      if (!reached && !truthy(v.get("minio.enabled").value) && objectStorage(v).yes) {
        const storageConfig = v.get("loki.storage_config").value;
        reached = !(
          truthy(dig(storageConfig, ["aws", "s3"], "")) || truthy(dig(storageConfig, ["aws", "bucketnames"], ""))
        );
      }
      return one(
        reached
          ? {
              trigger: `${bucket.shown} with ${objectStorage(v).read.shown}${truthy(thanos.value) ? ` and ${thanos.shown}` : ""}`,
              chartMessage: "Please define loki.storage.bucketNames.chunks",
              fix: "keep the program's loki.storage.bucketNames.chunks (the Loki chunks bucket)",
            }
          : undefined,
      );
    },
  },
  {
    id: "loki.bucket-ruler-required",
    chart: CHARTS.loki,
    source: `${TAG} templates/_helpers.tpl lines 263 and 427 (loki.rulerStorageConfig / loki.rulerThanosStorageConfig, rendered by values.yaml loki.config when ruler.enabled)`,
    check: (v) => {
      const ruler = v.get("ruler.enabled");
      if (!truthy(ruler.value)) return [];
      const bucket = v.get("loki.storage.bucketNames.ruler");
      if (!failsRequired(dig(v.get("loki").value, ["storage", "bucketNames", "ruler"], ""))) return [];
      const thanos = truthy(v.get("loki.storage.use_thanos_objstore").value);
      const local = dig(v.get("loki.rulerConfig").value, ["storage", "type"], "") === "local";
      const reached = thanos || (!local && !truthy(v.get("minio.enabled").value) && objectStorage(v).yes);
      return one(
        reached
          ? {
              trigger: `${bucket.shown} with ${ruler.shown} and ${objectStorage(v).read.shown}`,
              chartMessage: "Please define loki.storage.bucketNames.ruler",
              fix: "keep the program's loki.storage.bucketNames.ruler (the Loki ruler bucket)",
            }
          : undefined,
      );
    },
  },
  {
    id: "loki.deployment-pvc-replicas",
    chart: CHARTS.loki,
    source: `${TAG} templates/_workload.tpl line 88 (loki.component.workload; scalable targets render with object storage in a SimpleScalable mode, distributed ones in a Distributed mode, templates/<target>/workload.yaml)`,
    check: (v) => {
      const targets: Array<[string, boolean]> = [
        ...SCALABLE.map((k): [string, boolean] => [k, isScalable(v)]),
        ...[...DISTRIBUTED, "bloomGateway", "bloomPlanner", "bloomBuilder", "patternIngester", "overridesExporter"].map(
          (k): [string, boolean] => [k, isDistributed(v)],
        ),
      ];
      return targets.flatMap(([key, rendered]) => {
        if (!rendered) return [];
        const section = v.get(key).value;
        const pvc =
          (truthy(dig(section, ["persistence", "volumeClaimsEnabled"], false)) ||
            truthy(dig(section, ["persistence", "enabled"], false))) &&
          dig(section, ["persistence", "type"], "pvc") === "pvc";
        const kind = v.get(`${key}.kind`);
        const replicas = v.get(`${key}.replicas`);
        if (!(pvc && kind.value === "Deployment" && int(replicas.value) > 1)) return [];
        return [
          {
            trigger: `${kind.shown} with ${replicas.shown} and ${key}.persistence on (type pvc)`,
            chartMessage:
              "Persistence with PVC is not supported for Deployment with more than 1 replica. Please use StatefulSet or set replicas to 1.",
            fix: `set ${key}.kind: StatefulSet, or turn ${key}.persistence off`,
          },
        ];
      });
    },
  },
];
