// W3: Grafana's Mimir and Loki datasources inside the cluster must read through the stores' gateways, on the path
// each gateway serves the query API under, as the tenant of the credential they send.
import { mimirReleases } from "../../lib/mimir";
import { Maybe, Sourced } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import {
  datasourceTenant,
  datasourceUser,
  grafanaDatasources,
  isExpanded,
  serviceUrl,
  storeGateways,
} from "./endpoints";
import { checkReach, Route } from "./reach";

const LOST =
  "every query of the datasource fails: its dashboards, Explore and Grafana alert rules get errors instead of data";

/**
 * Mimir docs "Visualize metric data": the datasource URL is the proxy in front of Mimir plus `/prometheus`
 * (`http://<release>-nginx.<namespace>.svc/prometheus` in those docs, the 6.x chart names the Service `-gateway`);
 * the chart gateway's nginx serves the query API only under `location /prometheus`, and Grafana appends
 * `/api/v1/...` to the datasource URL (Grafana docs, Prometheus data source "Prometheus server URL").
 */
const MIMIR_READ: Route = {
  store: "Mimir",
  paths: ["/prometheus", "/prometheus/"],
  path: "/prometheus",
  routes:
    "serves the Prometheus API only under `location /prometheus` (Grafana appends /api/v1/... to the datasource URL)",
  lost: LOST,
  refused: LOST,
};

/**
 * The route for a Mimir whose `api.prometheus_http_prefix` is not the default: the chart's gateway follows it
 * (mimir-distributed _helpers.tpl `mimir.prometheusHttpPrefix` reads the calculated config's
 * api.prometheus_http_prefix, and the nginx config serves `location {{ prefix }}`), Mimir's API serves it there.
 */
function mimirRead(prefix: Sourced<string>): Route {
  const path = `/${prefix.value.replace(/^\/+|\/+$/g, "")}`;
  if (path === MIMIR_READ.path) return MIMIR_READ;
  return {
    ...MIMIR_READ,
    paths: [path, `${path}/`],
    path,
    routes: `serves the Prometheus API only under \`location ${path}\` (${prefix.where}=${prefix.value}; Grafana appends /api/v1/... to the datasource URL)`,
  };
}

/**
 * Grafana's Loki datasource appends `/loki/api/v1/...` to its URL (Grafana docs, Loki data source "URL"); the loki
 * chart gateway serves them at `^~ /loki/api/v1/` (templates/_helpers.tpl "loki.nginxFile"), so the URL has no path.
 */
const LOKI_READ: Route = {
  store: "Loki",
  paths: ["/"],
  path: "",
  routes: "serves the query API at /loki/api/v1/..., which Grafana appends to the datasource URL (no path of its own)",
  lost: LOST,
  refused: LOST,
};

/** A value Grafana expands from its environment ($VAR) or Helm templates: the pack cannot read it. */
function readable(value: Maybe<Sourced<string>> | undefined): Maybe<Sourced<string>> | undefined | null {
  if (value === undefined || isUnknown(value)) return value;
  return isExpanded(value.value) ? null : value;
}

export const datasourcesReachStores = stackRule<object>(
  {
    name: "datasources-reach-stores",
    rule: "W3",
    description:
      "Grafana datasources on Mimir (type prometheus) must use Mimir's gateway Service with path /prometheus, those of type loki Loki's gateway Service, each sending the tenant of its credential",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      "Set Mimir datasources' url to http://<mimir release>-gateway.<mimir namespace>.svc/prometheus (settings.mimir.queryUrl) and Loki datasources' url to " +
      "http://<loki release>-gateway.<loki namespace>.svc (settings.loki.queryUrl); send X-Scope-OrgID equal to basicAuthUser.",
    url: "https://grafana.com/docs/mimir/latest/visualize/ (the datasource URL is the proxy in front of Mimir plus /prometheus)",
    tags: ["grafana", "mimir", "loki", "wiring"],
  },
  (stack, ctx) => {
    const mimirNamespaces = new Set(storeGateways(stack, "Mimir").map((g) => g.namespace));
    const mimirs = mimirReleases(stack);
    const { datasources, unknowns } = grafanaDatasources(stack);
    unknowns.forEach((u) => ctx.inconclusive(u));
    for (const { node, release } of datasources) {
      const type = node.get("type").string();
      const urlNode = node.get("url");
      const text = urlNode.string();
      const flavour = node.get("jsonData", "prometheusType").string();
      if (isUnknown(type) || isUnknown(text) || isUnknown(flavour)) {
        [type, text, flavour].forEach((v) => isUnknown(v) && ctx.inconclusive(v));
        continue;
      }
      if (text === undefined || isExpanded(text)) continue;
      const url = serviceUrl(text);
      if (!url) continue;
      // A prometheus datasource reads Mimir when it points into a Mimir release's namespace or says so
      // (jsonData.prometheusType "Mimir", Grafana docs, Prometheus data source "Performance"); the chart's own
      // datasource for the local Prometheus is neither.
      const mimir = mimirs.find((m) => m.release.namespace === url.namespace);
      const prefix = mimir?.string("api.prometheus_http_prefix");
      if (prefix && isUnknown(prefix)) {
        ctx.inconclusive(prefix);
        continue;
      }
      const route =
        type === "loki"
          ? LOKI_READ
          : type === "prometheus" && (mimirNamespaces.has(url.namespace) || flavour === "Mimir")
            ? prefix
              ? mimirRead(prefix)
              : MIMIR_READ
            : undefined;
      if (!route) continue;
      const user = readable(datasourceUser(node));
      checkReach(
        ctx,
        stack,
        {
          where: urlNode.where,
          urn: release.resource.urn,
          url,
          namespace: release.namespace,
          tenant: readable(datasourceTenant(node)),
          user: user === null ? undefined : user,
        },
        route,
      );
    }
  },
);
