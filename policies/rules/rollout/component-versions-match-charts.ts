// U3 (HARD): an image tag override must run the Mimir / Loki release the pinned chart renders its configuration for.
// Also (older releases only; a newer patch or minor is benign here): Alloy, kube-prometheus-stack's Prometheus,
// Alertmanager and operator, and the Strimzi operator and its Kafka images, against the release the pinned chart ships.
import { blocks, stripComments } from "../../lib/alloy";
import { lokiReleases, LOKI_WORKLOADS } from "../../lib/loki";
import { MIMIR_CONFIG_SECTIONS, MIMIR_REMOTE_RULER_SECTIONS, mimirReleases } from "../../lib/mimir";
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { known } from "../../lib/unknown";
import { chartApp } from "./chart-versions";

/**
 * mimir-distributed sections that run the Mimir binary with the chart's config file, each with its own `image` that
 * takes precedence over the global `image` (values.yaml: "Allows to override the container image of the <component>
 * component. When set it takes precedence over what is defined in global image"; _helpers.tpl mimir.imageReference
 * merges the component's image over the global one).
 */
const MIMIR_COMPONENTS = [...MIMIR_CONFIG_SECTIONS, ...MIMIR_REMOTE_RULER_SECTIONS];

/**
 * loki sections whose pods run Loki from templates/_pod.tpl: the image is `<component>.image.tag`, else
 * `loki.image.tag`, else the chart's appVersion (`loki.image` helper: coalesce $component.tag $default.tag $defaultVersion).
 */
const LOKI_COMPONENTS = Object.values(LOKI_WORKLOADS).flat();

/** `3.0.1`, `v3.0.1`, `3.0`, `3.1.0-rc.1` -> [3, 0]; undefined for anything else (weekly `r350-...` builds, `latest`, digests). */
function tagMajorMinor(tag: string): [number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(tag.trim());
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

interface Subject {
  release: HelmRelease;
  chart: typeof CHARTS.mimir | typeof CHARTS.loki;
  product: "Mimir" | "Loki";
  /** Tag nodes that replace the chart's appVersion, with the pods they reach. */
  tags: Array<{ node: PropNode; reaches: string }>;
  strictParse: string;
}

function checkSubject(ctx: RuleContext<object>, subject: Subject): void {
  const { release, product } = subject;
  const set = subject.tags
    .map((t) => ({ ...t, tag: known(t.node.string()) }))
    .filter((t): t is typeof t & { tag: string } => t.tag !== undefined && t.tag !== "");
  if (set.length === 0) return;
  const app = chartApp(subject.chart, release.chartVersion);
  if (app === undefined) {
    ctx.advisory(
      `${set.map((t) => `${t.node.where}=${t.tag}`).join(", ")} cannot be checked against ${release.label}'s chart version ` +
        `${release.chartVersion ?? "(unknown)"}: the pack does not know which ${product} release that chart renders its config for ` +
        `(policies/rules/rollout/chart-versions.ts). Check the chart's appVersion by hand.`,
      release.resource.urn,
    );
    return;
  }
  const [appMajor, appMinor] = app.app.split(".").map(Number);
  for (const { node, tag, reaches } of set) {
    const parsed = tagMajorMinor(tag);
    if (parsed === undefined) {
      ctx.advisory(
        `${node.where}=${tag} is not a <major>.<minor>.<patch> release tag, so the pack cannot tell whether it is ${product} ${app.app}, ` +
          `the release ${release.label} (chart ${release.chartVersion}) renders its config for. Fix: pin a ${app.app}.x tag, or remove it to run the chart's appVersion.`,
        release.resource.urn,
      );
      continue;
    }
    const [major, minor] = parsed;
    if (major === appMajor && minor === appMinor) continue;
    const newer = major > appMajor || (major === appMajor && minor > appMinor);
    const common =
      `${node.where}=${tag} runs ${product} ${major}.${minor} in ${reaches}, but ${release.label} is chart ${release.chartVersion}, ` +
      `which renders its config and flags for ${product} ${app.app} (${app.source}).`;
    if (newer && major === appMajor) {
      // INFERRED: a newer minor of the same major reads the older config unless a key it renders was removed after its
      // deprecation period; start-up is not certain to fail, so this stays advisory.
      ctx.advisory(
        `INFERRED: ${common} A newer minor usually reads an older config, but keys deprecated in ${app.app} may be gone and the chart ` +
          `does not render what ${major}.${minor} needs; ${subject.strictParse} Fix: move to the chart release made for ${product} ${major}.${minor}, ` +
          `or pin a ${app.app}.x tag.`,
        release.resource.urn,
      );
      continue;
    }
    ctx.violation(
      `${common} ${subject.strictParse} ${newer ? "A newer major" : "An older"} release does not know keys the chart and these values render ` +
        `(or renamed them), so its pods refuse to start with "field ... not found in type ..." and the rollout stops at the first pod ` +
        `it replaces. Fix: remove the tag override to run the chart's ${product} ${app.app}, pin a ${app.app}.x tag, or change the chart ` +
        `version together with the tag.`,
      release.resource.urn,
    );
  }
}

/** `v1.15.0`, `1.15`, `v3.14.0-distroless`, `v1.15.0@sha256:...` -> [1, 15, 0]; undefined otherwise. */
function tagVersion(tag: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+@].*)?$/.exec(tag.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

const older = (a: readonly number[], b: readonly number[]): boolean => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
};

/** A release a chart ships by default, for the image tags that replace it. */
interface Shipped {
  product: string;
  /** <major>.<minor> the chart ships. */
  app: [number, number];
  source: string;
}

/**
 * Alloy blocks and components the pack knows were added after an older Alloy release: an older Alloy refuses a config
 * that uses them ("unrecognized block name", grafana/alloy syntax/vm/struct_decoder.go) and exits ("error during the
 * initial load" / "could not perform the initial load successfully", internal/alloycli/cmd_run.go).
 */
const ALLOY_FEATURES: ReadonlyArray<{
  what: string;
  since: [number, number, number];
  source: string;
  uses: (config: string) => boolean;
}> = [
  {
    what: "a `clustering` block in loki.source.kubernetes_events",
    since: [1, 16, 0],
    source: "grafana/alloy CHANGELOG 1.16.0, #6027",
    uses: (config) =>
      blocks(config, /\bloki\.source\.kubernetes_events\s+"([^"]*)"\s*\{/).some((b) =>
        /\bclustering\s*\{/.test(b.body),
      ),
  },
];

// The releases the pinned charts ship (chart values.yaml / Chart.yaml as read in /tmp/charts and
// shared/reference/data): alloy 1.11.1 appVersion v1.18.1 (image.tag null -> appVersion); kube-prometheus-stack 88.5.3
// prometheusSpec.image.tag v3.14.0-distroless, alertmanagerSpec.image.tag v0.34.0, prometheusOperator.image.tag "" ->
// appVersion v0.93.1; strimzi-kafka-operator 1.2.0 defaultImageTag 1.2.0 (operator, topic/user operator, kafka-init
// image tags and the Kafka images' tagPrefix default to it).
const ALLOY: Shipped = { product: "Alloy", app: [1, 18], source: "alloy chart 1.11.1 Chart.yaml appVersion v1.18.1" };
const KPS_IMAGES: ReadonlyArray<{ path: string; shipped: Shipped; enabled: string }> = [
  {
    path: "prometheus.prometheusSpec.image.tag",
    enabled: "prometheus.enabled",
    shipped: {
      product: "Prometheus",
      app: [3, 14],
      source: "kube-prometheus-stack 88.5.3 values prometheusSpec.image.tag v3.14.0",
    },
  },
  {
    path: "alertmanager.alertmanagerSpec.image.tag",
    enabled: "alertmanager.enabled",
    shipped: {
      product: "Alertmanager",
      app: [0, 34],
      source: "kube-prometheus-stack 88.5.3 values alertmanagerSpec.image.tag v0.34.0",
    },
  },
  {
    path: "prometheusOperator.image.tag",
    enabled: "prometheusOperator.enabled",
    shipped: {
      product: "prometheus-operator",
      app: [0, 93],
      source: "kube-prometheus-stack 88.5.3 Chart.yaml appVersion v0.93.1",
    },
  },
];
const STRIMZI: Shipped = {
  product: "Strimzi",
  app: [1, 2],
  source: "strimzi-kafka-operator 1.2.0 values defaultImageTag 1.2.0",
};
/** The first Strimzi release serving kafka.strimzi.io/v1. */
const STRIMZI_V1_API_SINCE: [number, number, number] = [0, 49, 0];
const STRIMZI_TAGS = [
  "defaultImageTag",
  "image.tag",
  "topicOperator.image.tag",
  "userOperator.image.tag",
  "kafkaInit.image.tag",
  "kafka.image.tagPrefix",
];

/** Tags older than what the chart ships: advisory (INFERRED) unless `mandatory` explains a certain failure. */
function checkOlder(
  ctx: RuleContext<object>,
  release: HelmRelease,
  node: PropNode,
  shipped: Shipped,
  consequence: (tag: [number, number, number]) => string | undefined,
): void {
  const raw = known(node.string());
  if (raw === undefined || raw === "") return;
  const tag = tagVersion(raw);
  if (tag === undefined || !older(tag, shipped.app)) return;
  const head =
    `${node.where}=${raw} runs ${shipped.product} ${tag[0]}.${tag[1]}, older than the ${shipped.app.join(".")} ${release.label} ` +
    `(chart ${release.chartVersion ?? "?"}) ships (${shipped.source}).`;
  const certain = consequence(tag);
  if (certain !== undefined) {
    ctx.violation(`${head} ${certain}`, release.resource.urn);
    return;
  }
  ctx.advisory(
    `INFERRED: ${head} The chart's templates and these values are written for ${shipped.app.join(".")}; settings added since ` +
      `${tag[0]}.${tag[1]} are refused or silently ignored by the older release. Fix: remove the tag override, or pin a ` +
      `${shipped.app.join(".")}.x (or newer) tag.`,
    release.resource.urn,
  );
}

export const componentVersionsMatchCharts = stackRule<object>(
  {
    name: "component-versions-match-charts",
    rule: "U3",
    description:
      "A Mimir or Loki image tag override must be the <major>.<minor> the pinned chart renders its configuration for; Alloy, Prometheus, Alertmanager, prometheus-operator and Strimzi tags not older than what the chart ships",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Remove image.tag / <component>.image.tag (Mimir) and loki.image.tag / <component>.image.tag (Loki) to run the chart's " +
      "appVersion, or pin a patch release of the same <major>.<minor>; to move to another release, change the chart version with it. " +
      "For Alloy, kube-prometheus-stack and Strimzi, remove the tag override or pin a release no older than the one the chart ships.",
    url: "https://grafana.com/docs/helm-charts/mimir-distributed/latest/ (values image.tag; grafana/mimir cmd/mimir/main.go LoadConfig: yaml.UnmarshalStrict)",
    tags: ["mimir", "loki", "alloy", "prometheus", "kafka", "rollout"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const values = mimir.release.values;
      checkSubject(ctx, {
        release: mimir.release,
        chart: CHARTS.mimir,
        product: "Mimir",
        tags: [
          { node: values.at("image.tag"), reaches: "every Mimir component without its own image.tag" },
          ...MIMIR_COMPONENTS.filter((c) => known(values.at(`${c}.enabled`).boolean()) !== false).map((c) => ({
            node: values.at(`${c}.image.tag`),
            reaches: `the ${c} pods`,
          })),
        ],
        // grafana/mimir cmd/mimir/main.go LoadConfig: yaml.UnmarshalStrict, "Error parsing config file".
        strictParse: "Mimir parses its config file strictly (cmd/mimir/main.go LoadConfig, yaml.UnmarshalStrict).",
      });
    }
    for (const loki of lokiReleases(stack)) {
      const values = loki.release.values;
      checkSubject(ctx, {
        release: loki.release,
        chart: CHARTS.loki,
        product: "Loki",
        tags: [
          { node: values.at("loki.image.tag"), reaches: "every Loki component without its own image.tag" },
          ...LOKI_COMPONENTS.filter((c) => known(values.at(`${c}.replicas`).number()) !== 0).map((c) => ({
            node: values.at(`${c}.image.tag`),
            reaches: `the ${c} pods`,
          })),
        ],
        // grafana/loki pkg/util/cfg/files.go: the config file is read with yaml.UnmarshalStrict (dYAMLStrict).
        strictParse: "Loki parses its config file strictly (pkg/util/cfg/files.go, yaml.UnmarshalStrict).",
      });
    }
    for (const release of stack.helmReleases(CHARTS.alloy)) {
      const content = known(release.values.at("alloy.configMap.content").string());
      const config = content ? stripComments(content) : "";
      checkOlder(ctx, release, release.values.at("image.tag"), ALLOY, (tag) => {
        const missing = ALLOY_FEATURES.filter((f) => f.uses(config) && older(tag, f.since));
        if (missing.length === 0) return undefined;
        return (
          `Its config (values.alloy.configMap.content) uses ${missing.map((f) => `${f.what} (added in Alloy ${f.since.join(".")}, ${f.source})`).join(", ")}: ` +
          `Alloy ${tag[0]}.${tag[1]} refuses it ("unrecognized block name", syntax/vm) and exits at start-up ("error during the initial load", ` +
          `internal/alloycli/cmd_run.go), so every Alloy pod crash-loops and no log or metric is collected. Fix: remove image.tag to run the chart's ` +
          `${ALLOY.app.join(".")}, or pin ${missing.reduce((a, f) => (older(a, f.since) ? f.since : a), missing[0].since).join(".")} or newer.`
        );
      });
    }
    for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      for (const image of KPS_IMAGES) {
        if (known(release.values.at(image.enabled).boolean()) === false) continue;
        checkOlder(ctx, release, release.values.at(image.path), image.shipped, () => undefined);
      }
    }
    // The kafka.strimzi.io/v1 API arrived in Strimzi 0.49.0 (strimzi.io blog 2025-11-21 "What's new in Strimzi
    // 0.49.0": "introduces new v1 API version to Strimzi CRDs"); an older operator watches v1beta2 only, so it
    // never reconciles the stack's v1 resources: no Kafka, no topic, no user.
    const v1 = ["Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser"].flatMap((kind) =>
      stack.strimzi(kind as Parameters<typeof stack.strimzi>[0]).filter((r) => r.resource.type.includes("/v1:")),
    );
    for (const release of stack.helmReleases(CHARTS.strimzi)) {
      for (const path of STRIMZI_TAGS)
        checkOlder(ctx, release, release.values.at(path), STRIMZI, (tag) =>
          v1.length > 0 && older(tag, STRIMZI_V1_API_SINCE)
            ? `The stack declares its ${v1.map((r) => r.label).join(", ")} as kafka.strimzi.io/v1, an API Strimzi serves from ` +
              `${STRIMZI_V1_API_SINCE.join(".")} (Strimzi 0.49.0 release): Strimzi ${tag[0]}.${tag[1]} does not reconcile them, so no Kafka, ` +
              `topic or user is ever created and every Mimir write fails. Fix: remove the tag override to run ${STRIMZI.app.join(".")}, or pin ` +
              `${STRIMZI_V1_API_SINCE.join(".")} or newer.`
            : undefined,
        );
    }
  },
);
