// Q5 (SILENT DROP): with limits.native_histograms_ingestion_enabled false, Mimir ignores native histogram samples
// "without an error" (config descriptor and pkg/util/validation/limits.go, -ingester.native-histograms-ingestion-enabled):
// the sender sees success while every native histogram it ships is discarded.
// The stack ships native histograms when kube-prometheus-stack's Prometheus scrapes them (prometheusSpec
// scrapeNativeHistograms, Prometheus >= 3.8, prometheus-operator promcfg.go `scrape_native_histograms`; or
// enableFeatures native-histograms, which Prometheus 3.8 still honours and 3.9+ ignores: Prometheus 3.9.0 CHANGELOG
// "Make the native-histogram feature flag a no-op") or sends them (remoteWrite[].sendNativeHistograms, Alloy
// prometheus.remote_write send_native_histograms). Any of these states the intent to keep native histograms.
// Only an explicit false is judged: the default changed across Mimir versions (false in the April 2025 config
// descriptor, true in current limits.go) and the pack does not claim Mimir 3.0.4's.
import { mimirReleases } from "../../lib/mimir";
import { show, Sourced } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";
import { limitScopes, remoteWriteSenders } from "./common";

export const mimirAcceptsNativeHistograms = stackRule<object>(
  {
    name: "mimir-accepts-native-histograms",
    rule: "Q5",
    description:
      "Mimir's limits.native_histograms_ingestion_enabled (defaults and every tenant) must not be false while the stack's Prometheus or Alloy scrapes or sends native histograms",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Set limits.native_histograms_ingestion_enabled to true (or remove the false, and the tenant override), or stop scraping/sending native histograms.",
    url: "https://grafana.com/docs/mimir/latest/configure/configure-native-histograms-ingestion/",
    tags: ["mimir", "prometheus", "alloy", "limits"],
  },
  (stack, ctx) => {
    const mimir = mimirReleases(stack)[0];
    if (!mimir) return;
    const intents: string[] = [];
    for (const prometheus of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      const spec = prometheus.values.at("prometheus.prometheusSpec");
      const scrape = spec.get("scrapeNativeHistograms");
      if (scrape.raw() === true || scrape.raw() === "true") intents.push(`${scrape.where}=true`);
      const features = spec.get("enableFeatures").items();
      if (isUnknown(features)) return ctx.inconclusive(features);
      for (const feature of features ?? [])
        if (feature.raw() === "native-histograms")
          intents.push(
            `${spec.get("enableFeatures").where} native-histograms (a no-op from Prometheus 3.9: scrapeNativeHistograms is the setting)`,
          );
    }
    for (const sender of remoteWriteSenders(stack, ctx))
      if (sender.sendsNativeHistograms) intents.push(`${sender.label} sends native histograms`);
    if (intents.length === 0) return;
    const scopes = limitScopes(mimir, "limits.native_histograms_ingestion_enabled");
    if (isUnknown(scopes)) return ctx.inconclusive(scopes);
    for (const scope of scopes) {
      if (scope.inherited) continue;
      if (scope.value === undefined) continue;
      if (isUnknown(scope.value)) return ctx.inconclusive(scope.value);
      const value = scope.value.value;
      if (value !== false && value !== "false") continue;
      ctx.violation(
        `${show(scope.value as Sourced<unknown>)} (${scope.who}) while ${intents.join("; ")}: Mimir ignores every native histogram sample without an error, ` +
          `so the sender sees success and those histograms are silently lost. Fix: set native_histograms_ingestion_enabled to true, or stop scraping native histograms.`,
        mimir.urn,
      );
    }
  },
);
