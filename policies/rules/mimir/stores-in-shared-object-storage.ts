// M14 (HARD, data unreadable): every Mimir component must read and write the same object store.
// - A `filesystem` backend keeps blocks in a directory of each pod: ingesters upload blocks to their own disk, where
//   store-gateways and the compactor never see them. Mimir docs, configure/configure-object-storage-backend.md: the
//   supported backends are S3, GCS, Azure and Swift, "and for non-production testing purposes, you can use a
//   file-system emulated filesystem object storage implementation"; grafana/mimir#1724 (maintainer): the filesystem
//   backend "is primarily targeted for testing, when you only run 1 instance of Mimir". The same holds for the ruler's
//   rule groups and the Alertmanager state.
// - The section's own backend wins over common.storage (Mimir docs, configure/about-configurations.md, "Common
//   configurations": a specific configuration takes precedence over the common one); with the chart's MinIO on
//   (minio.enabled, default true in mimir-distributed 6.0.x) the chart writes `<section>.backend: s3` itself
//   (shared/reference/data/mimir-distributed-6.0.0-dev.rendered-mimir-config.yaml).
// - CLI flags override the config file (Mimir docs, about-configurations.md: "CLI flags take precedence over
//   corresponding values in a configuration file"), and the chart passes `<component>.extraArgs` as `-key=value` to
//   that component only (mimir-distributed templates/ingester/ingester-statefulset.yaml, `range .Values.ingester.extraArgs`).
//   A storage flag set on some components and not on the others splits writers from readers.
import { MIMIR_CHART_DEFAULTS, MimirRelease, mimirReleases } from "../../lib/mimir";
import { Maybe, PropNode, show, Sourced } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

type Section = "blocks_storage" | "ruler_storage" | "alertmanager_storage";

interface SectionInfo {
  section: Section;
  flag: string;
  what: string;
  effect: string;
  /** mimir-distributed sections whose pods use this storage. */
  components: string[];
}

/** Components that write or read TSDB blocks: ingesters write them, the others read them (the ruler evaluating locally). */
const BLOCKS_COMPONENTS = ["ingester", "store_gateway", "querier", "compactor", "ruler"];

const SECTIONS: SectionInfo[] = [
  {
    section: "blocks_storage",
    flag: "blocks-storage",
    what: "TSDB blocks",
    effect:
      "each ingester uploads its blocks to a directory on its own pod, where store-gateways, queriers and the compactor never see them: queries older than query_store_after return nothing, blocks are never compacted, and they are lost with the ingester's volume",
    components: BLOCKS_COMPONENTS,
  },
  {
    section: "ruler_storage",
    flag: "ruler-storage",
    what: "rule groups",
    effect:
      "rule groups saved through the ruler API land on the disk of the one ruler pod that received them: the other rulers never load them, and a rescheduled pod loses them",
    components: ["ruler"],
  },
  {
    section: "alertmanager_storage",
    flag: "alertmanager-storage",
    what: "Alertmanager configurations and state",
    effect:
      "tenant Alertmanager configurations and silences stay on the disk of the Alertmanager pod that received them: the other replicas never load them",
    components: ["alertmanager"],
  },
];

const OBJECT_STORE = "s3";

/** Where a section's backend comes from: its own key, the chart's MinIO config, common.storage, then Mimir's default. */
function backendOf(mimir: MimirRelease, section: Section): Maybe<Sourced<string>> {
  const own = mimir.structuredNode(`${section}.backend`);
  const ownValue = own.string();
  if (isUnknown(ownValue)) return ownValue;
  if (ownValue) return { value: ownValue, where: own.where };
  const minio = mimir.values.at("minio.enabled").boolean();
  if (isUnknown(minio)) return minio;
  if (minio ?? MIMIR_CHART_DEFAULTS.minioEnabled) {
    return { value: "s3", where: `${mimir.label} chart-generated config ${section}.backend (minio.enabled)` };
  }
  const common = mimir.structuredNode("common.storage.backend");
  const commonValue = common.string();
  if (isUnknown(commonValue)) return commonValue;
  if (commonValue) return { value: commonValue, where: common.where };
  return { value: "filesystem", where: `Mimir default ${section}.backend` };
}

/** A component's pods run unless `<component>.enabled` is false (the chart's per-component switch). */
function deployed(mimir: MimirRelease, component: string): boolean {
  const enabled = mimir.values.at(`${component}.enabled`).raw();
  return !(enabled === false || enabled === "false");
}

/** The Mimir components compared for a flag: readers and writers of what the flag configures. */
function componentsFor(mimir: MimirRelease, flag: string): string[] {
  const blocks = [...BLOCKS_COMPONENTS];
  // The ruler's dedicated query path (ruler.remoteEvaluationDedicatedQueryPath) runs its own queriers.
  const dedicated = mimir.values.at("ruler.remoteEvaluationDedicatedQueryPath").raw();
  if (dedicated === true || dedicated === "true") blocks.push("ruler_querier");
  const all = flag.startsWith("common.storage.") ? [...blocks, "alertmanager"] : blocks;
  return all.filter((c) => deployed(mimir, c));
}

interface FlagSetting {
  component: string;
  node: PropNode;
  value: string;
}

/** extraArgs of every chart section, keyed by flag name (a leading "-" is dropped: the chart prints "-key=value"). */
function storageFlags(ctx: RuleContext<object>, mimir: MimirRelease): Map<string, FlagSetting[]> {
  const flags = new Map<string, FlagSetting[]>();
  const sections = new Set([...BLOCKS_COMPONENTS, "ruler_querier", "alertmanager"]);
  for (const component of sections) {
    const entries = mimir.values.at(`${component}.extraArgs`).entries();
    if (isUnknown(entries)) {
      ctx.inconclusive(entries);
      continue;
    }
    for (const [key, node] of entries ?? []) {
      const flag = key.replace(/^-+/, "");
      if (!flag.startsWith("blocks-storage.") && !flag.startsWith("common.storage.")) continue;
      const raw = node.raw();
      if (isUnknown(raw)) {
        ctx.inconclusive(raw);
        continue;
      }
      flags.set(flag, [...(flags.get(flag) ?? []), { component, node, value: String(raw) }]);
    }
  }
  return flags;
}

function checkBackends(ctx: RuleContext<object>, mimir: MimirRelease, flags: Map<string, FlagSetting[]>): void {
  for (const info of SECTIONS) {
    if (!info.components.some((c) => deployed(mimir, c))) continue;
    ctx.known([backendOf(mimir, info.section)], (backend) => {
      if (backend.value !== "filesystem") return;
      ctx.violation(
        `${show(backend)}: Mimir keeps ${info.what} on the local filesystem of each pod instead of the shared object store; ${info.effect}. ` +
          `Fix: set ${info.section}.backend (or common.storage.backend) to ${OBJECT_STORE} with its bucket, as the stack's S3 buckets are meant for.`,
        mimir.urn,
      );
    });
  }
  // A backend flag in extraArgs wins over the config file for that component.
  for (const flag of ["blocks-storage.backend", "common.storage.backend"]) {
    for (const setting of flags.get(flag) ?? []) {
      if (setting.value !== "filesystem") continue;
      ctx.violation(
        `${setting.node.where}=filesystem: Mimir reads CLI flags over the config file, so the ${setting.component} keeps TSDB blocks on its own pod's disk, ` +
          `where the other components never see them: data written there is unreadable and lost with the pod. Fix: remove the flag and keep the backend ${OBJECT_STORE} in mimir.structuredConfig.`,
        mimir.urn,
      );
    }
  }
}

function checkFlagConsistency(ctx: RuleContext<object>, mimir: MimirRelease, flags: Map<string, FlagSetting[]>): void {
  for (const [flag, settings] of flags) {
    const components = componentsFor(mimir, flag);
    const byComponent = new Map(settings.map((s) => [s.component, s]));
    const values = new Set(components.map((c) => byComponent.get(c)?.value));
    if (values.size <= 1) continue;
    const set = components.filter((c) => byComponent.has(c));
    const unset = components.filter((c) => !byComponent.has(c));
    const shown = set.map((c) => `${byComponent.get(c)!.node.where}=${byComponent.get(c)!.value}`).join(", ");
    const others = unset.length > 0 ? `, while ${unset.join(", ")} use the config file's value` : "";
    ctx.violation(
      `${shown}${others}: Mimir reads CLI flags over the config file, so the components that write and those that read ` +
        `${flag.startsWith("common.") ? "the object storage" : "TSDB blocks"} disagree on -${flag}: what ingesters write is not where store-gateways, ` +
        `queriers and the compactor look, and queries miss that data (or the compactor never compacts it). ` +
        `Fix: set the value once in mimir.structuredConfig (one config file for every component) and remove the extraArgs, ` +
        `or give every one of ${components.join(", ")} the same -${flag}.`,
      mimir.urn,
    );
  }
}

export const mimirStoresInSharedObjectStorage = stackRule<object>(
  {
    name: "mimir-stores-in-shared-object-storage",
    rule: "M14",
    description:
      "Mimir's blocks, ruler and alertmanager storage must be the shared object store (s3), not filesystem, and storage flags in extraArgs must be the same on every component that reads or writes that storage",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Set common.storage.backend (or blocks_storage/ruler_storage/alertmanager_storage.backend) to s3 in mimir.structuredConfig, and keep storage settings out of per-component extraArgs.",
    url: "https://grafana.com/docs/mimir/latest/configure/configure-object-storage-backend/ (filesystem for non-production testing); https://grafana.com/docs/mimir/latest/configure/about-configurations/ (CLI flags over the config file)",
    tags: ["mimir", "storage"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const flags = storageFlags(ctx, mimir);
      checkBackends(ctx, mimir, flags);
      checkFlagConsistency(ctx, mimir, flags);
    }
  },
);
