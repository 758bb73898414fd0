// U3 (HARD): an image tag override must run the Mimir / Loki release the pinned chart renders its configuration for.
import { lokiReleases } from "../../lib/loki";
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
const LOKI_COMPONENTS = [
  "singleBinary",
  "write",
  "read",
  "backend",
  "ingester",
  "distributor",
  "querier",
  "queryFrontend",
  "queryScheduler",
  "indexGateway",
  "compactor",
  "ruler",
  "bloomGateway",
  "bloomPlanner",
  "bloomBuilder",
  "patternIngester",
  "overridesExporter",
] as const;

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

export const componentVersionsMatchCharts = stackRule<object>(
  {
    name: "component-versions-match-charts",
    rule: "U3",
    description:
      "A Mimir or Loki image tag override must be the <major>.<minor> the pinned chart renders its configuration for",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Remove image.tag / <component>.image.tag (Mimir) and loki.image.tag / <component>.image.tag (Loki) to run the chart's " +
      "appVersion, or pin a patch release of the same <major>.<minor>; to move to another release, change the chart version with it.",
    url: "https://grafana.com/docs/helm-charts/mimir-distributed/latest/ (values image.tag; grafana/mimir cmd/mimir/main.go LoadConfig: yaml.UnmarshalStrict)",
    tags: ["mimir", "loki", "rollout"],
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
  },
);
