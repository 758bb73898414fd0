// L5 (HARD): Loki run as more than one pod needs object storage; `filesystem` keeps chunks and index on each pod's disk.
// The loki chart 18.11.0 refuses to render such a release (templates/validate.yaml), so `helm upgrade` fails and the
// release update with it:
// - "Cannot run more than 1 Monolithic replica without an object storage backend." (singleBinary.replicas > 1)
// - "Cannot run scalable targets (backend, read, write) or distributed targets without an object storage backend."
//   (singleBinary.replicas 0 and any backend/read/write or distributed component with replicas > 0)
// Object storage is a loki.storage.type among s3, gcs, azure, swift, alibabacloud, cos, bos
// (templates/_helpers.tpl loki.isUsingObjectStorage). Replica defaults: values.yaml (singleBinary 0; backend, read and
// write 3; every distributed component 0).
import { LOKI_CHART_DEFAULTS, LOKI_VALIDATE_TARGETS, LokiRelease, lokiReleases } from "../../lib/loki";
import { Maybe, Sourced } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

const OBJECT_STORAGE_TYPES = ["s3", "gcs", "azure", "swift", "alibabacloud", "cos", "bos"];

// The replicas validate.yaml tests (LOKI_VALIDATE_TARGETS); the scalable targets default to 3 replicas (values.yaml).
const SCALABLE_DEFAULT_REPLICAS = 3;

function replicas(loki: LokiRelease, component: string, fallback: number): Maybe<Sourced<number>> {
  const node = loki.values.at(`${component}.replicas`);
  const value = node.number();
  if (isUnknown(value)) return value;
  return value === undefined
    ? { value: fallback, where: `${loki.label} chart default ${component}.replicas=${fallback}` }
    : { value, where: `${node.where}=${value}` };
}

export const lokiStoresInObjectStorage = stackRule<object>(
  {
    name: "loki-stores-in-object-storage",
    rule: "L5",
    description:
      "Loki must use object storage (loki.storage.type s3) whenever it runs more than one pod (several single binaries, simple-scalable or distributed components)",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Set loki.storage.type: s3 with loki.storage.bucketNames (the stack's Loki buckets); filesystem only works for one single-binary replica.",
    url: "https://github.com/grafana-community/helm-charts (loki chart 18.11.0 templates/validate.yaml); https://grafana.com/docs/loki/latest/get-started/deployment-modes/",
    tags: ["loki", "storage"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const loki of lokiReleases(stack)) {
      const type = loki.stringValue("loki.storage.type", LOKI_CHART_DEFAULTS.storageType);
      if (isUnknown(type)) {
        ctx.inconclusive(type);
        continue;
      }
      if (OBJECT_STORAGE_TYPES.includes(type.value)) continue;
      const counts = [
        replicas(loki, "singleBinary", LOKI_CHART_DEFAULTS.singleBinaryReplicas),
        ...LOKI_VALIDATE_TARGETS.scalable.map((c) => replicas(loki, c, SCALABLE_DEFAULT_REPLICAS)),
        ...LOKI_VALIDATE_TARGETS.distributed.map((c) => replicas(loki, c, 0)),
      ];
      ctx.known(counts, (single, ...others) => {
        const running = others.filter((r) => r.value > 0);
        const storage = `${type.where}=${type.value}`;
        const why =
          "its chunks and index would stay on each pod's own disk, where no other pod reads them (queriers would miss every log line another pod wrote)";
        if (single.value > 1) {
          ctx.violation(
            `${storage} with ${single.where}: the loki chart refuses to render the release ("Cannot run more than 1 Monolithic replica without an object storage backend"), ` +
              `so the Helm release fails and Loki is not updated; ${why}. Fix: set loki.storage.type to s3 with loki.storage.bucketNames, or run one single binary.`,
            loki.urn,
          );
        } else if (single.value === 0 && running.length > 0) {
          ctx.violation(
            `${storage} with ${running.map((r) => r.where).join(", ")}: the loki chart refuses to render the release ("Cannot run scalable targets (backend, read, write) or distributed targets without an object storage backend"), ` +
              `so the Helm release fails and Loki is not updated; ${why}. Fix: set loki.storage.type to s3 with loki.storage.bucketNames (the stack's Loki buckets).`,
            loki.urn,
          );
        }
      });
    }
  },
);
