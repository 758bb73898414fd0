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
