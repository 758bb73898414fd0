// U7: names Prometheus' config loader requires to be unique in the configuration prometheus-operator writes.
// prometheus-operator v0.93.0 pkg/prometheus/promcfg.go copies them without checking: generateRemoteWriteConfig
// writes `name: spec.Name` when set, generateRemoteReadConfig likewise, and appendAdditionalScrapeConfigs appends the
// chart's additionalScrapeConfigs (kube-prometheus-stack 88.5.3 templates/prometheus/additionalScrapeConfigs.yaml,
// the list under Secret key additional-scrape-configs.yaml) as they are. Prometheus (v3.14.0, the chart's image;
// config/config.go Config.UnmarshalYAML) then refuses the file:
// - two remote_write entries with the same non-empty name: "found multiple remote write configs with job name %q";
// - two remote_read entries with the same non-empty name: "found multiple remote read configs with job name %q";
// - two scrape configs with the same job_name: "found multiple scrape configs with job name %q", and a scrape config
//   without one: "job_name is empty" (ScrapeConfig.UnmarshalYAML);
// and, for two unnamed remote_write entries that are the same config (same hash), storage/remote/write.go
// WriteStorage.ApplyConfig: "duplicate remote write configs are not allowed, found duplicate for URL: %s".
// A Prometheus that cannot load its configuration exits at start-up ("Error loading config") and the config-reloader
// keeps the running one on the old file: new pods crash-loop, so nothing is scraped or remote-written.
import { isPlainObject } from "../../../lib/plain";
import { Entry } from "./endpoint-auth";
import { q, Report, text } from "./common";

export const PROM_LOAD_FAILS =
  "Prometheus refuses the configuration prometheus-operator writes (config/config.go Config.UnmarshalYAML): its pods exit at " +
  "start-up and crash-loop (a running one rejects the reload and keeps its old configuration), so nothing is scraped or remote-written to Mimir";

/** Entries sharing a non-empty `name`, reported once per name. */
function duplicateNames(entries: Entry[], kind: "write" | "read", report: Report): void {
  const seen = new Map<string, string>();
  for (const { where, spec } of entries) {
    const name = text(spec.name);
    if (name === "") continue;
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, where);
      continue;
    }
    report(
      `${where}.name=${q(name)} repeats ${first}.name: Prometheus refuses 'found multiple remote ${kind} configs with job name ${q(name)}', and ` +
        `${PROM_LOAD_FAILS}. Fix: give each remote${kind === "write" ? "Write" : "Read"} entry its own name (e.g. ${q(`${name}-2`)}).`,
    );
  }
}

export function checkRemoteWriteNames(entries: Entry[], report: Report): void {
  duplicateNames(entries, "write", report);
  const unnamed = new Map<string, string>();
  for (const { where, spec } of entries) {
    if (text(spec.name) !== "") continue;
    const key = JSON.stringify(spec);
    const first = unnamed.get(key);
    if (first === undefined) unnamed.set(key, where);
    else
      report(
        `${where} is the same unnamed remote-write entry as ${first}: Prometheus refuses 'duplicate remote write configs are not allowed, found ` +
          `duplicate for URL: ${text(spec.url)}' (storage/remote/write.go ApplyConfig), and ${PROM_LOAD_FAILS}. Fix: remove the copy.`,
      );
  }
}

export function checkRemoteReadNames(entries: Entry[], report: Report): void {
  duplicateNames(entries, "read", report);
}

/** additionalScrapeConfigs given as a list (a string is templated by the chart and not parsed here). */
export function checkScrapeJobNames(scrapeConfigs: unknown, where: string, report: Report): void {
  if (!Array.isArray(scrapeConfigs)) return;
  const seen = new Map<string, number>();
  scrapeConfigs.forEach((job, i) => {
    if (!isPlainObject(job)) return;
    const name = text(job.job_name);
    if (name === "") {
      report(
        `${where}[${i}] has no job_name: Prometheus refuses 'job_name is empty' (config/config.go ScrapeConfig.UnmarshalYAML), and ${PROM_LOAD_FAILS}. ` +
          `Fix: give the scrape config a job_name.`,
      );
      return;
    }
    const first = seen.get(name);
    if (first === undefined) seen.set(name, i);
    else
      report(
        `${where}[${i}].job_name=${q(name)} repeats ${where}[${first}].job_name: Prometheus refuses 'found multiple scrape configs with job ` +
          `name ${q(name)}', and ${PROM_LOAD_FAILS}. Fix: give each additional scrape config its own job_name.`,
      );
  });
}
