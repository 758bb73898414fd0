// The Mimir and Loki charts' nginx gateways: where each chart turns the gateway and its basic auth on, where it takes
// nginx snippets and the whole nginx.conf, and its defaults. One table for every rule that reads a gateway.
import type { HelmRelease } from "./stack";
import type { Maybe } from "./node";
import { CHARTS } from "./types";

export interface GatewayValues {
  chart: (typeof CHARTS)[keyof typeof CHARTS];
  /** Values path of the gateway switch (chart default true). */
  enabled: string;
  /** Values path of the basic-auth switch (chart default false). */
  basicAuth: string;
  /** Values path of the nginx config block: httpSnippet, serverSnippet, file (and locationSnippet where given). */
  nginxConfig: string;
  /** The per-location snippet key, where the chart has one. */
  locationSnippet?: string;
  /** The chart's default `file`, where it is a plain template call (setting it to this changes nothing). */
  defaultFile?: string;
}

/**
 * - mimir-distributed 6.0.x values.yaml: gateway.enabled true; gateway.nginx.basicAuth.enabled false;
 *   gateway.nginx.config.httpSnippet (http block), serverSnippet (end of the server block), file (the whole
 *   nginx.conf template); no per-location snippet.
 * - loki 18.11.0 values.yaml: gateway.enabled true; gateway.basicAuth.enabled false; gateway.nginxConfig.httpSnippet,
 *   serverSnippet, locationSnippet (every location; by default `proxy_set_header X-Scope-OrgID $remote_user;` when
 *   loki.tenants is set), file (default `{{- include "loki.nginxFile" . -}}`).
 */
export const GATEWAYS: readonly GatewayValues[] = [
  {
    chart: CHARTS.mimir,
    enabled: "gateway.enabled",
    basicAuth: "gateway.nginx.basicAuth.enabled",
    nginxConfig: "gateway.nginx.config",
  },
  {
    chart: CHARTS.loki,
    enabled: "gateway.enabled",
    basicAuth: "gateway.basicAuth.enabled",
    nginxConfig: "gateway.nginxConfig",
    locationSnippet: "locationSnippet",
    defaultFile: '{{- include "loki.nginxFile" . -}}',
  },
];

/** Whether a release's gateway runs and asks for basic auth, chart defaults applied. */
export function gatewaySwitches(
  release: HelmRelease,
  gateway: GatewayValues,
): { enabled: Maybe<boolean>; basicAuth: Maybe<boolean> } {
  return {
    enabled: release.values.at(gateway.enabled).boolean() ?? true,
    basicAuth: release.values.at(gateway.basicAuth).boolean() ?? false,
  };
}
