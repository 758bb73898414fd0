// U7: Alertmanager's config loader, routing part, over the chart's default config.
import { isPlainObject } from "../../../lib/plain";
import { Obj, obj, q, text } from "./common";

/** Helm's coalescing of user values over chart defaults: maps merge, null deletes, anything else replaces. */
export function coalesce(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Obj = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else out[key] = coalesce(base[key], value);
  }
  return out;
}

/** kube-prometheus-stack 88.5.3 values.yaml alertmanager.config (the routing part). */
export const CHART_ALERTMANAGER_CONFIG: Obj = {
  route: { receiver: "null", routes: [{ receiver: "null", matchers: ['alertname = "Watchdog"'] }] },
  receivers: [{ name: "null" }],
};

/** Alertmanager config.Load (config/config.go, v0.33.1) and the operator's root-route checks, routing part only. */
export function alertmanagerConfigError(config: Obj): string | undefined {
  const receivers = Array.isArray(config.receivers) ? config.receivers : [];
  const names = new Set<string>();
  for (const receiver of receivers) {
    const name = text(obj(receiver)?.name);
    if (name === "") return "missing name in receiver";
    if (names.has(name)) return `notification config name ${q(name)} is not unique`;
    names.add(name);
  }
  const route = obj(config.route);
  if (!route) return "no route provided in config";
  if (route.continue === true) return "cannot have continue in root route";
  if (text(route.receiver) === "") return "root route must specify a default receiver";
  const nonEmpty = (v: unknown) =>
    (Array.isArray(v) && v.length > 0) ||
    (isPlainObject(v) && Object.keys(v).length > 0) ||
    (typeof v === "string" && v !== "");
  if (["match", "match_re", "matchers"].some((key) => nonEmpty(route[key])))
    return "root route must not have any matchers";
  if (Array.isArray(route.mute_time_intervals) && route.mute_time_intervals.length > 0)
    return "root route must not have any mute time intervals";
  if (Array.isArray(route.active_time_intervals) && route.active_time_intervals.length > 0)
    return "root route must not have any active time intervals";
  const intervals = new Set<string>();
  for (const key of ["mute_time_intervals", "time_intervals"])
    for (const ti of Array.isArray(config[key]) ? (config[key] as unknown[]) : []) intervals.add(text(obj(ti)?.name));
  const walk = (r: Obj): string | undefined => {
    if (text(r.receiver) !== "" && !names.has(text(r.receiver)))
      return `undefined receiver ${q(r.receiver)} used in route`;
    for (const key of ["mute_time_intervals", "active_time_intervals"])
      for (const ti of Array.isArray(r[key]) ? (r[key] as unknown[]) : [])
        if (!intervals.has(text(ti))) return `undefined time interval ${q(ti)} used in route`;
    for (const child of Array.isArray(r.routes) ? r.routes : []) {
      const error = obj(child) ? walk(child as Obj) : undefined;
      if (error) return error;
    }
    return undefined;
  };
  return walk(route);
}

/**
 * Alertmanager config.Load, receivers part (prometheus/alertmanager config/config.go Config.UnmarshalYAML: a
 * notifier without its own endpoint or key takes the global one, and fails when there is none; the notifier's own
 * UnmarshalYAML refuses a webhook without url and a PagerDuty config without a key). The messages are v0.27's
 * (`either inline or in a file` since the *_file globals, v0.25); older releases say the same without that tail.
 */
export function alertmanagerReceiverError(config: Obj): string | undefined {
  const global = obj(config.global) ?? {};
  const has = (o: Obj, ...keys: string[]) => keys.some((k) => o[k] !== undefined && o[k] !== null && o[k] !== "");
  const list = (o: Obj, key: string): Obj[] =>
    Array.isArray(o[key]) ? (o[key] as unknown[]).map((x) => obj(x) ?? {}) : [];
  for (const receiver of Array.isArray(config.receivers) ? config.receivers : []) {
    const r = obj(receiver);
    if (!r) continue;
    const where = `receiver ${q(r.name)}: `;
    for (const c of list(r, "slack_configs"))
      if (!has(c, "api_url", "api_url_file") && !has(global, "slack_api_url", "slack_api_url_file"))
        return `${where}no global Slack API URL set either inline or in a file`;
    for (const c of list(r, "opsgenie_configs"))
      if (!has(c, "api_key", "api_key_file") && !has(global, "opsgenie_api_key", "opsgenie_api_key_file"))
        return `${where}no global OpsGenie API Key set either inline or in a file`;
    for (const c of list(r, "victorops_configs"))
      if (!has(c, "api_key", "api_key_file") && !has(global, "victorops_api_key", "victorops_api_key_file"))
        return `${where}no global VictorOps API Key set`;
    for (const c of list(r, "email_configs")) {
      if (!has(c, "smarthost") && !has(global, "smtp_smarthost")) return `${where}no global SMTP smarthost set`;
      if (!has(c, "from") && !has(global, "smtp_from")) return `${where}no global SMTP from set`;
    }
    for (const c of list(r, "wechat_configs")) {
      if (!has(c, "api_secret") && !has(global, "wechat_api_secret")) return `${where}no global Wechat ApiSecret set`;
      if (!has(c, "corp_id") && !has(global, "wechat_api_corp_id")) return `${where}no global Wechat CorpID set`;
    }
    for (const c of list(r, "webhook_configs"))
      if (!has(c, "url", "url_file")) return `${where}one of url or url_file must be configured`;
    for (const c of list(r, "pagerduty_configs"))
      if (!has(c, "routing_key", "routing_key_file", "service_key", "service_key_file"))
        return `${where}missing service or routing key in PagerDuty config`;
  }
  return undefined;
}
