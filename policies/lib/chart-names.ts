// Names the charts give their objects, as their _helpers.tpl templates compute them.
import { Maybe } from "./node";
import { HelmRelease } from "./stack";
import { isUnknown } from "./unknown";

/** Helm's `trunc 63 | trimSuffix "-"`. */
export const trunc63 = (name: string): string => name.slice(0, 63).replace(/-$/, "");

/**
 * The chart's fullname: fullnameOverride, else the release name when it contains the chart's name, else
 * `<release>-<name>` (mimir-distributed templates/_helpers.tpl "mimir.fullname" with mimir.infixName "mimir"; loki
 * templates/_helpers.tpl "loki.fullname"; the same rule settings/names.ts chartFullname applies).
 */
export function chartFullname(release: HelmRelease, chartName: string): Maybe<string> {
  const override = release.values.at("fullnameOverride").string();
  if (isUnknown(override)) return override;
  if (override) return trunc63(override);
  const nameOverride = release.values.at("nameOverride").string();
  if (isUnknown(nameOverride)) return nameOverride;
  const name = nameOverride || chartName;
  return trunc63(release.releaseName.includes(name) ? release.releaseName : `${release.releaseName}-${name}`);
}

/**
 * kube-prometheus-stack's fullname (88.5.3 templates/_helpers.tpl "kube-prometheus-stack.fullname"): fullnameOverride,
 * else the release name when it contains the chart name (or nameOverride), else `<release>-<name>`, truncated to 26.
 */
export function kubePrometheusStackFullname(release: HelmRelease): Maybe<string> {
  const trunc26 = (name: string) => name.slice(0, 26).replace(/-$/, "");
  const override = release.values.at("fullnameOverride").string();
  if (isUnknown(override)) return override;
  if (override) return trunc26(override);
  const nameOverride = release.values.at("nameOverride").string();
  if (isUnknown(nameOverride)) return nameOverride;
  const name = nameOverride || "kube-prometheus-stack";
  return trunc26(release.releaseName.includes(name) ? release.releaseName : `${release.releaseName}-${name}`);
}
