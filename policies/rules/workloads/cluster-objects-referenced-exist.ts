// P5 (HARD, the component never starts): every StorageClass and PriorityClass the stack's pod specs name must exist.
// - A PersistentVolumeClaim naming a StorageClass that does not exist is never provisioned: the PV controller finds no
//   class and no provisioner, the claim stays Pending, and so does every pod of the StatefulSet that mounts it
//   (Kubernetes docs, "Persistent Volumes", Binding: "Claims will remain unbound indefinitely if a matching volume does
//   not exist"; "Storage Classes": a PVC gets volumes of the class it names). A claim with storageClassName "" asks for
//   no class: it binds only to a pre-created PersistentVolume without a class, never to a provisioned one (same page,
//   "Class": `storageClassName: ""` "is effectively disabling dynamic provisioning"); the stack creates no such volume,
//   so that is reported as advisory (an operator may create one by hand).
// - A pod naming a PriorityClass that does not exist is refused at admission: the Priority admission plugin answers
//   `no PriorityClass with name <name> was found` (kubernetes plugin/pkg/admission/priority/admission.go, admitPod /
//   resolvePriorityClass), so the Deployment, StatefulSet or DaemonSet creates no pod at all. Only
//   system-cluster-critical and system-node-critical exist on every cluster (kubernetes pkg/apis/scheduling
//   SystemPriorityClasses, created by the API server at bootstrap).
// - What exists: the stack's kubernetes:storage.k8s.io/*:StorageClass and kubernetes:scheduling.k8s.io/*:PriorityClass
//   resources (the program creates the default `gp3` class, components/cluster/index.ts storageClass()), objects of
//   those kinds in a release's extraObjects / extraManifests, the built-in priority classes, and the `gp2` class EKS
//   applies to every new cluster (EKS user guide, Kubernetes 1.30 release notes: "Starting with 1.30, Amazon EKS no
//   longer includes the default annotation on the gp2 StorageClass resource applied to newly created clusters. This has
//   no impact if you are referencing this storage class by name"; the program pins 1.35, settings/profiles.ts, never
//   deletes gp2; its provisioner kubernetes.io/aws-ebs is served by the EBS CSI driver the program installs through CSI
//   migration). The aws-ebs-csi-driver add-on creates `ebs-csi-default-sc` only when its configurationValues set
//   defaultStorageClass.enabled (EKS user guide, same note; the program does not). Judged only when the stack creates
//   the EKS cluster (a cluster made elsewhere may hold other classes).
//
// Where the stack names them (each chart's template decides what a value means):
//   StorageClass
//   - mimir-distributed 6.0.x `<component>.persistentVolume.storageClass`, overridden per zone by
//     `<component>.zoneAwareReplication.zones[].storageClass` (templates/ingester/ingester-statefulset.yaml and the
//     store-gateway / alertmanager / compactor StatefulSets: `$storageClass := default .storageClass
//     $rolloutZone.storageClass`; empty omits storageClassName, "-" renders ""), while persistentVolume.enabled (default
//     true for those four).
//   - loki 18.11.0 `<component>.persistence.storageClass`, `.persistence.claims[].storageClass` and
//     `<component>.zoneAwareReplication.zone<X>.persistence.storageClass` (templates/_workload.tpl volumeClaimTemplates:
//     the zone's class over the claim's, the component's class only for a `data` claim the claims list lacks;
//     `with`, "-" renders ""), `type: ephemeral` (templates/_pod.tpl ephemeral volumeClaimTemplate) and the memcached
//     caches' `persistence.storageClass` (templates/memcached/_memcached-statefulset.tpl), while the component's
//     persistence.enabled or volumeClaimsEnabled is true (values.yaml defaults: singleBinary enabled, write and backend
//     volumeClaimsEnabled; the others off; ingester, compactor, bloomGateway, bloomPlanner and patternIngester carry a
//     default `data` claim without a class).
//   - kube-prometheus-stack 88.5.3: prometheusSpec.storageSpec, alertmanagerSpec.storage, thanosRulerSpec.storage, passed
//     to prometheus-operator, which uses `emptyDir` first, then `ephemeral`, and only then `volumeClaimTemplate`
//     (prometheus-operator v0.93.0 pkg/prometheus/server/statefulset.go makeStatefulSet `switch`); the claim's
//     storageClassName is Kubernetes' own field (verbatim). The grafana subchart 12.11.1 `persistence.storageClassName`
//     while persistence.enabled (default false; templates/pvc.yaml, statefulset.yaml: `with`, no "-" convention).
//   - alloy 1.11.1 `controller.volumeClaimTemplates[].spec.storageClassName` (verbatim, StatefulSet controller only).
//   - Strimzi 1.2.0 KafkaNodePool (and a v1beta2 Kafka's spec.kafka) `storage.class` of persistent-claim storage and of
//     each jbod volume: copied to the claim as is (cluster-operator PersistentVolumeClaimUtils
//     `.withStorageClassName(storage.getStorageClass())`).
//   PriorityClass: every `priorityClassName` of a release's rendered sections (each chart renders it into the pod spec
//   when non-empty: mimir `if .Values.<component>.priorityClassName`, loki, kube-prometheus-stack, alloy, strimzi
//   operator chart) and of Strimzi `template.pod.priorityClassName` (Kafka CR and KafkaNodePool).
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease, StackResource, StackView } from "../../lib/stack";
import { CHARTS, TYPES } from "../../lib/types";
import { known, Unknown } from "../../lib/unknown";
import { eachChecked } from "../memory/limits";
import { renderedSection, visitPodFields } from "./pod-values";

type Kind = "StorageClass" | "PriorityClass";

/** One place a pod spec or claim names a cluster object. `name` "" is a claim asking for no class. */
interface Reference {
  kind: Kind;
  name: string;
  where: string;
  what: string;
  urn: string;
}

const KIND_TYPE: Record<Kind, RegExp> = {
  StorageClass: /^kubernetes:storage\.k8s\.io\/v[^:]+:StorageClass$/,
  PriorityClass: /^kubernetes:scheduling\.k8s\.io\/v[^:]+:PriorityClass$/,
};

/** Objects every cluster of the stack has without the stack declaring them (see the header). */
const BUILT_IN: Record<Kind, ReadonlySet<string>> = {
  StorageClass: new Set(["gp2"]),
  PriorityClass: new Set(["system-cluster-critical", "system-node-critical"]),
};

const EBS_CSI_ADDON_TYPE = "aws:eks/addon:Addon";
const PERSISTENT_VOLUME_TYPE = /^kubernetes:core\/v1:PersistentVolume$/;

/**
 * The names of one kind the stack declares; `unknown` when one is unknown during preview, `unread` when one cannot be
 * read at all (auto-named by Pulumi, or written as a template string): then an unmatched name is not judged.
 */
interface Declared {
  names: Set<string>;
  unknown?: Unknown;
  unread: boolean;
}

function declared(resources: ReadonlyArray<StackResource>, releases: HelmRelease[], kind: Kind): Declared {
  const result: Declared = { names: new Set(BUILT_IN[kind]), unread: false };
  const add = (name: PropNode) => {
    if (name.isUnknown) {
      result.unknown ??= name.unknown();
      return;
    }
    const text = name.raw();
    if (typeof text === "string" && text !== "") result.names.add(text);
    else result.unread = true;
  };
  for (const r of resources) if (KIND_TYPE[kind].test(r.type)) add(r.props.at("metadata.name"));
  // Objects a chart renders from its extra-manifest list (mimir / loki extraObjects, kube-prometheus-stack
  // extraManifests, alloy extraObjects).
  for (const release of releases) {
    for (const key of ["extraObjects", "extraManifests"]) {
      const list = release.values.get(key);
      if (list.isUnknown) {
        result.unknown ??= list.unknown();
        continue;
      }
      const raw = list.raw();
      if (!Array.isArray(raw)) continue;
      raw.forEach((item, i) => {
        if (typeof item === "string") {
          if (new RegExp(`kind:\\s*${kind}\\b`).test(item)) result.unread = true; // a template: name not read
        } else if (item && typeof item === "object" && (item as { kind?: unknown }).kind === kind) {
          add(list.get(i).at("metadata.name"));
        }
      });
    }
  }
  // The EBS CSI add-on's own default class (aws-ebs-csi-driver add-on configuration defaultStorageClass.enabled).
  if (kind === "StorageClass") {
    for (const addon of resources.filter((r) => r.type === EBS_CSI_ADDON_TYPE)) {
      const name = addon.props.get("addonName");
      const values = addon.props.get("configurationValues");
      if (name.isUnknown || values.isUnknown) continue;
      if (name.raw() !== "aws-ebs-csi-driver" || typeof values.raw() !== "string") continue;
      try {
        const parsed = JSON.parse(values.raw() as string) as { defaultStorageClass?: { enabled?: unknown } };
        if (parsed?.defaultStorageClass?.enabled === true) result.names.add("ebs-csi-default-sc");
      } catch {
        // not JSON (the add-on accepts YAML too): whether it creates its class is not read
        result.unread = true;
      }
    }
  }
  return result;
}

/** A known string value, or undefined when absent or null. */
function text(node: PropNode): string | undefined {
  const value = known(node.string());
  return value === undefined ? undefined : value;
}

function flag(node: PropNode, fallback: boolean): boolean {
  const value = known(node.boolean());
  return value === undefined ? fallback : value;
}

/**
 * One volume claim a chart or custom resource renders, for P8: its class (undefined: the default class, "": none) and
 * its access modes as written (absent: the chart's or operator's ReadWriteOnce default).
 */
export interface ClaimRef {
  storageClass: string | undefined;
  classWhere: string;
  modes: PropNode | undefined;
  /** The claim's volumeMode where the values pass it verbatim (prometheus-operator, Alloy). */
  volumeMode: PropNode | undefined;
  what: string;
  urn: string;
}

/** Collects the references of one owner (a release or custom resource). */
export class Collector {
  readonly refs: Reference[] = [];
  readonly claims: ClaimRef[] = [];
  constructor(
    private readonly urn: string,
    private readonly what: string,
  ) {}

  /** A Kubernetes claim's storageClassName as written: absent/null the default class, "" no class. */
  verbatim(node: PropNode, what = this.what): void {
    const name = text(node);
    if (name !== undefined) this.refs.push({ kind: "StorageClass", name, where: node.where, what, urn: this.urn });
  }

  /** A chart's storageClass value (mimir, loki): empty the default class, "-" no class. */
  chartClass(name: string | undefined, where: string, what = this.what): void {
    if (!name) return;
    this.refs.push({ kind: "StorageClass", name: name === "-" ? "" : name, where, what, urn: this.urn });
  }

  /** A rendered claim: `storageClass` as the claim will carry it (undefined default, "" none). */
  claim(
    storageClass: string | undefined,
    classWhere: string,
    modes: PropNode | undefined,
    what = this.what,
    volumeMode?: PropNode,
  ): void {
    this.claims.push({ storageClass, classWhere, modes, volumeMode, what, urn: this.urn });
  }

  /** A pod spec's priorityClassName; `path` from the values or spec root names the pods. */
  priority(node: PropNode, path: string[]): void {
    const name = text(node);
    const pods = path.length > 1 ? `the ${path[0]} pods of ${this.what}` : this.what;
    if (name) this.refs.push({ kind: "PriorityClass", name, where: node.where, what: pods, urn: this.urn });
  }
}

/** prometheus-operator's storage spec: emptyDir first, then ephemeral, then volumeClaimTemplate (statefulset.go). */
function operatorStorage(storage: PropNode, c: Collector, what: string): void {
  if (storage.get("emptyDir").isPresent) return;
  const ephemeral = storage.get("ephemeral");
  const template = ephemeral.isPresent ? ephemeral.get("volumeClaimTemplate") : storage.get("volumeClaimTemplate");
  const spec = template.get("spec");
  c.verbatim(spec.get("storageClassName"), what);
  // Without a template the operator mounts an emptyDir; an empty accessModes becomes ReadWriteOnce (statefulset.go).
  if (template.isPresent)
    c.claim(
      text(spec.get("storageClassName")),
      spec.get("storageClassName").where,
      spec.get("accessModes"),
      what,
      spec.get("volumeMode"),
    );
}

function kubePrometheusStack(release: HelmRelease, c: Collector): void {
  const v = release.values;
  if (flag(v.at("prometheus.enabled"), true))
    operatorStorage(v.at("prometheus.prometheusSpec.storageSpec"), c, "the Prometheus StatefulSet");
  if (flag(v.at("alertmanager.enabled"), true))
    operatorStorage(v.at("alertmanager.alertmanagerSpec.storage"), c, "the Alertmanager StatefulSet");
  if (flag(v.at("thanosRuler.enabled"), false))
    operatorStorage(v.at("thanosRuler.thanosRulerSpec.storage"), c, "the Thanos Ruler StatefulSet");
  // grafana 12.11.1: a PVC (or volumeClaimTemplate) only with persistence.enabled; `with` drops an empty class.
  if (flag(v.at("grafana.enabled"), true) && flag(v.at("grafana.persistence.enabled"), false)) {
    const node = v.at("grafana.persistence.storageClassName");
    const name = text(node);
    if (name) c.verbatim(node, "the Grafana pod");
    c.claim(name || undefined, node.where, v.at("grafana.persistence.accessModes"), "the Grafana pod");
  }
}

/** mimir-distributed 6.0.x components whose values.yaml turns persistentVolume on (their StatefulSets). */
const MIMIR_VOLUME_COMPONENTS = new Set(["ingester", "store_gateway", "compactor", "alertmanager"]);

function mimir(release: HelmRelease, c: Collector): void {
  for (const [component, section] of known(release.values.entries()) ?? []) {
    const volume = section.get("persistentVolume");
    if (!(MIMIR_VOLUME_COMPONENTS.has(component) || volume.isPresent) || !renderedSection(release, [component]))
      continue;
    if (!flag(section.get("enabled"), true) || !flag(volume.get("enabled"), true)) continue;
    if (known(section.get("replicas").number()) === 0) continue;
    const own = text(volume.get("storageClass"));
    const what = `the ${component} StatefulSet`;
    const zoneAware = section.get("zoneAwareReplication");
    const zones = flag(zoneAware.get("enabled"), component !== "compactor")
      ? (known(zoneAware.get("zones").items()) ?? [])
      : [];
    let ownUsed = zones.length === 0;
    const modes = volume.get("accessModes");
    const chartClaim = (name: string | undefined, where: string) =>
      c.claim(name === "-" ? "" : name || undefined, where, modes, what);
    for (const zone of zones) {
      const zoneClass = text(zone.get("storageClass"));
      if (zoneClass) {
        c.chartClass(zoneClass, zone.get("storageClass").where, what);
        chartClaim(zoneClass, zone.get("storageClass").where);
      } else ownUsed = true;
    }
    if (ownUsed) {
      c.chartClass(own, volume.get("storageClass").where, what);
      chartClaim(own, volume.get("storageClass").where);
    }
  }
}

/** loki 18.11.0 sections whose values.yaml `claims` list holds a `data` claim (its class null). */
const LOKI_DEFAULT_DATA_CLAIM = new Set(["ingester", "compactor", "bloomGateway", "bloomPlanner", "patternIngester"]);
/** loki 18.11.0 values.yaml persistence defaults other than off, and a type other than pvc. */
const LOKI_PERSISTENCE_ON: Record<string, "enabled" | "volumeClaimsEnabled"> = {
  singleBinary: "enabled",
  write: "volumeClaimsEnabled",
  backend: "volumeClaimsEnabled",
};
const LOKI_DEFAULT_TYPE: Record<string, string> = { bloomBuilder: "ephemeral" };

function lokiSection(component: string, section: PropNode, c: Collector): void {
  const persistence = section.get("persistence");
  if (!persistence.isPresent) return;
  const on =
    flag(persistence.get("enabled"), LOKI_PERSISTENCE_ON[component] === "enabled") ||
    flag(persistence.get("volumeClaimsEnabled"), LOKI_PERSISTENCE_ON[component] === "volumeClaimsEnabled");
  if (!on) return;
  const what = `the ${component} pods`;
  const own = text(persistence.get("storageClass"));
  const type = text(persistence.get("type")) ?? LOKI_DEFAULT_TYPE[component] ?? "pvc";
  const chartClaim = (name: string | undefined, where: string, modes: PropNode | undefined) =>
    c.claim(name === "-" ? "" : name || undefined, where, modes, what);
  if (type === "ephemeral") {
    // templates/_pod.tpl: `if not (kindIs "invalid" ...)`; an empty value renders an empty field (the default class).
    c.chartClass(own, persistence.get("storageClass").where, what);
    chartClaim(own, persistence.get("storageClass").where, persistence.get("accessModes"));
    return;
  }
  if (type !== "pvc") return;
  const zoneClasses: Array<{ name: string; where: string }> = [];
  for (const [key, zone] of known(section.get("zoneAwareReplication").entries()) ?? []) {
    if (!/^zone[A-Z]$/.test(key)) continue;
    const node = zone.at("persistence.storageClass");
    const name = text(node);
    if (name) zoneClasses.push({ name, where: node.where });
  }
  const zoneAware = flag(section.at("zoneAwareReplication.enabled"), component === "ingester");
  const claimsNode = persistence.get("claims");
  const claims = known(claimsNode.items());
  const claimList = claims ?? (LOKI_DEFAULT_DATA_CLAIM.has(component) ? [] : undefined);
  // templates/_workload.tpl: a claims[] entry renders its own accessModes; the component's `data` claim
  // persistence.accessModes (`with`: none renders none, and Kubernetes then refuses the claim without modes; values.yaml
  // sets [ReadWriteOnce] for every component).
  const classFor = (name: string | undefined, where: string, modes: PropNode | undefined) => {
    if (zoneAware && zoneClasses.length > 0) {
      for (const z of zoneClasses) {
        c.chartClass(z.name, z.where, what);
        chartClaim(z.name, z.where, modes);
      }
      return;
    }
    c.chartClass(name, where, what);
    chartClaim(name, where, modes);
  };
  let dataClaim = claims === undefined && LOKI_DEFAULT_DATA_CLAIM.has(component);
  if (dataClaim) classFor(undefined, "", undefined);
  for (const claim of claimList ?? []) {
    if (text(claim.get("name")) === "data") dataClaim = true;
    classFor(text(claim.get("storageClass")), claim.get("storageClass").where, claim.get("accessModes"));
  }
  if (!dataClaim) classFor(own, persistence.get("storageClass").where, persistence.get("accessModes"));
}

function loki(release: HelmRelease, c: Collector): void {
  for (const [component, section] of known(release.values.entries()) ?? []) {
    const raw = known(section.raw());
    if (!raw || typeof raw !== "object" || Array.isArray(raw) || !renderedSection(release, [component])) continue;
    if (!flag(section.get("enabled"), true) || known(section.get("replicas").number()) === 0) continue;
    if (component === "chunksCache" || component === "resultsCache") {
      // templates/memcached/_memcached-statefulset.tpl: `if .persistence.enabled` (default false), `with` the class.
      for (const cache of [section, section.get("l2")]) {
        if (!cache.isPresent || !flag(cache.at("persistence.enabled"), false)) continue;
        if (cache !== section && !flag(cache.get("enabled"), false)) continue;
        c.chartClass(text(cache.at("persistence.storageClass")), cache.at("persistence.storageClass").where);
      }
      continue;
    }
    lokiSection(component, section, c);
  }
}

function alloy(release: HelmRelease, c: Collector): void {
  if (text(release.values.at("controller.type")) !== "statefulset") return;
  for (const claim of known(release.values.at("controller.volumeClaimTemplates").items()) ?? []) {
    c.verbatim(claim.at("spec.storageClassName"), "the Alloy StatefulSet");
    const spec = claim.get("spec");
    c.claim(
      text(spec.get("storageClassName")),
      spec.get("storageClassName").where,
      spec.get("accessModes"),
      "the Alloy StatefulSet",
      spec.get("volumeMode"),
    );
  }
}

/** Strimzi storage: persistent-claim, or jbod of volumes (PersistentVolumeClaimUtils). */
function strimziStorage(storage: PropNode, c: Collector): void {
  const type = text(storage.get("type"));
  if (type === "persistent-claim") c.verbatim(storage.get("class"));
  if (type === "jbod")
    for (const volume of known(storage.get("volumes").items()) ?? [])
      if (text(volume.get("type")) === "persistent-claim") c.verbatim(volume.get("class"));
}

/** The claims (and class references) of one release, by chart. */
function releaseClaims(release: HelmRelease, c: Collector): void {
  if (release.chart === CHARTS.kubePrometheusStack) kubePrometheusStack(release, c);
  if (release.chart === CHARTS.mimir) mimir(release, c);
  if (release.chart === CHARTS.loki) loki(release, c);
  if (release.chart === CHARTS.alloy) alloy(release, c);
}

/**
 * Every volume claim the stack's charts render (P8). Strimzi's are left out: cluster-operator 1.2.0
 * PersistentVolumeClaimUtils writes `.withAccessModes("ReadWriteOnce")` whatever the storage spec says.
 */
export function stackVolumeClaims<C extends object>(stack: StackView, ctx: RuleContext<C>): ClaimRef[] {
  const claims: ClaimRef[] = [];
  for (const release of stack.helmReleases()) {
    const c = new Collector(release.resource.urn, release.label);
    eachChecked(ctx, () => releaseClaims(release, c));
    claims.push(...c.claims);
  }
  return claims;
}

const CONSEQUENCE: Record<Kind, (what: string) => string> = {
  StorageClass: (what) =>
    `the PersistentVolumeClaims of ${what} are never provisioned (no class, so no provisioner) and stay Pending, and so do the pods that mount them: ` +
    `the component never starts, and a rollout stalls on its first new pod`,
  PriorityClass: (what) =>
    `the Priority admission plugin refuses every pod of ${what} ("no PriorityClass with name ... was found", kubernetes plugin/pkg/admission/priority), ` +
    `so its Deployment, StatefulSet or DaemonSet creates no pods at all`,
};

export const clusterObjectsReferencedExist = stackRule<object>(
  {
    name: "cluster-objects-referenced-exist",
    rule: "P5",
    description:
      "Every StorageClass the stack's volume claims name and every PriorityClass its pods name exists: declared by the stack, or built into every EKS cluster (gp2, system-cluster-critical, system-node-critical)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Name a class the stack creates (the program's default StorageClass is gp3) or a built-in one, leave the value empty for the default, or declare the class in the stack.",
    url: "https://kubernetes.io/docs/concepts/storage/persistent-volumes/; https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/; https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html (1.30: gp2)",
    tags: ["kubernetes", "rollout"],
  },
  (stack, ctx) => {
    if (stack.ofType(TYPES.eksCluster).length === 0) return; // a cluster made elsewhere: its objects are unknown
    const releases = stack.helmReleases();
    const collectors: Collector[] = [];
    for (const release of releases) {
      const c = new Collector(release.resource.urn, release.label);
      collectors.push(c);
      eachChecked(ctx, () => releaseClaims(release, c));
      eachChecked(ctx, () =>
        visitPodFields(
          release.values,
          new Set(["priorityClassName"]),
          (field, path) => c.priority(field, path),
          (path) => path.length === 1 && !renderedSection(release, path),
          ctx,
        ),
      );
    }
    for (const kind of ["Kafka", "KafkaNodePool"] as const) {
      for (const cr of stack.strimzi(kind)) {
        const c = new Collector(cr.resource.urn, cr.label);
        collectors.push(c);
        eachChecked(ctx, () =>
          strimziStorage(kind === "Kafka" ? cr.spec.at("kafka.storage") : cr.spec.get("storage"), c),
        );
        eachChecked(ctx, () =>
          visitPodFields(
            cr.spec,
            new Set(["priorityClassName"]),
            (field, path) => c.priority(field, path),
            () => false,
            ctx,
          ),
        );
      }
    }
    const have = {
      StorageClass: declared(stack.resources, releases, "StorageClass"),
      PriorityClass: declared(stack.resources, releases, "PriorityClass"),
    };
    const volumes = stack.resources.some((r) => PERSISTENT_VOLUME_TYPE.test(r.type));
    for (const ref of collectors.flatMap((c) => c.refs)) {
      const declaredNames = have[ref.kind];
      if (ref.name === "") {
        if (!volumes)
          ctx.advisory(
            `${ref.where} asks for no StorageClass (storageClassName ""): the claim of ${ref.what} binds only to a pre-created PersistentVolume without a class, ` +
              `and the stack declares none, so it stays Pending until one is created by hand. Fix: leave the value empty (null) for the default class gp3, or name a class.`,
            ref.urn,
          );
        continue;
      }
      if (declaredNames.names.has(ref.name)) continue;
      if (declaredNames.unknown) {
        ctx.inconclusive(declaredNames.unknown);
        continue;
      }
      if (declaredNames.unread) continue;
      const names = [...declaredNames.names].sort().join(", ");
      ctx.violation(
        `${ref.where}=${ref.name}: no ${ref.kind} "${ref.name}" exists (the stack declares, or every EKS cluster has, only ${names}): ` +
          `${CONSEQUENCE[ref.kind](ref.what)}. Fix: name one of ${names}` +
          `${ref.kind === "StorageClass" ? " (or leave the value empty for the default class gp3)" : " (or remove the key)"}, or declare ${ref.kind} "${ref.name}" in the stack.`,
        ref.urn,
      );
    }
  },
);
