// W1: Prometheus and Alloy remote-write into the cluster must reach Mimir's gateway, on its push path, as the tenant
// of the credential they send.
import { stackRule } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { isUnknown, Unknown } from "../../lib/unknown";
import { alloyClient, alloyEndpoints, remoteWriteUser, serviceUrl, TENANT_HEADER } from "./endpoints";
import { checkReach, Client, Route } from "./reach";

/**
 * - mimir-distributed gateway nginx config (values gateway.nginx.config.file): `location = /api/v1/push` proxies to the
 *   distributors (exact match, so no trailing slash or other prefix); nothing else takes remote-write requests.
 * - Prometheus Remote-Write 1.0 specification, "Retries & Backoff": senders retry 5xx and connection errors and MUST NOT
 *   retry 4xx other than 429; Alloy's prometheus.remote_write runs Prometheus's queue manager (Alloy reference).
 */
const PUSH: Route = {
  store: "Mimir",
  paths: ["/api/v1/push"],
  path: "/api/v1/push",
  routes: "routes only `location = /api/v1/push` to the distributors",
  lost: "every remote-write request fails and the sender retries until the samples drop out of its WAL: metrics are lost",
  refused: "the sender does not retry a 4xx (remote-write spec): every sample is dropped",
};

function prometheusClients(stack: StackView, clients: Client[], unknown: (u: Unknown) => void): void {
  for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) {
    // prometheus.prometheusSpec.remoteWrite, and additionalRemoteWrite appended to it (kube-prometheus-stack values.yaml).
    for (const key of ["remoteWrite", "additionalRemoteWrite"]) {
      const entries = release.values.at(`prometheus.prometheusSpec.${key}`).items();
      if (isUnknown(entries)) {
        unknown(entries);
        continue;
      }
      for (const entry of entries ?? []) {
        const urlNode = entry.get("url");
        const text = urlNode.string();
        if (isUnknown(text)) {
          unknown(text);
          continue;
        }
        const url = text === undefined ? undefined : serviceUrl(text);
        if (!url) continue;
        // RemoteWriteSpec.headers is a map; HTTP header names are case-insensitive (RFC 9110 5.1).
        const headers = entry.get("headers").entries();
        const tenantNode = isUnknown(headers)
          ? undefined
          : headers?.find(([name]) => name.toLowerCase() === TENANT_HEADER.toLowerCase())?.[1];
        const tenantText = tenantNode?.string();
        clients.push({
          where: urlNode.where,
          urn: release.resource.urn,
          url,
          namespace: release.namespace,
          tenant: isUnknown(headers)
            ? headers
            : isUnknown(tenantText)
              ? tenantText
              : tenantNode && tenantText !== undefined
                ? { value: tenantText, where: tenantNode.where }
                : undefined,
          user: remoteWriteUser(stack, release, entry),
        });
      }
    }
  }
}

function alloyClients(stack: StackView, clients: Client[], unknown: (u: Unknown) => void): void {
  for (const release of stack.helmReleases(CHARTS.alloy)) {
    const content = release.values.at("alloy.configMap.content");
    const text = content.string();
    if (isUnknown(text)) {
      unknown(text);
      continue;
    }
    for (const endpoint of alloyEndpoints(text ?? "", "prometheus.remote_write")) {
      if (!endpoint.url || !("literal" in endpoint.url)) continue;
      const url = serviceUrl(endpoint.url.literal);
      if (!url) continue;
      clients.push(alloyClient(stack, release, content.where, endpoint, url));
    }
  }
}

export const remoteWriteReachesMimir = stackRule<object>(
  {
    name: "remote-write-reaches-mimir",
    rule: "W1",
    description:
      "Every in-cluster Prometheus remoteWrite and Alloy prometheus.remote_write URL must be Mimir's gateway Service with path /api/v1/push, sending the tenant of its credential",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Point remote write at http://<mimir release>-gateway.<mimir namespace>.svc/api/v1/push (settings.mimir.pushUrl), not at a -nginx Service or a " +
      "Mimir component, and send X-Scope-OrgID equal to the basic-auth user (each gateway user is its tenant).",
    url: "https://grafana.com/docs/mimir/latest/manage/secure/authentication-and-authorization/ (remote write through the authenticating proxy)",
    tags: ["mimir", "prometheus", "alloy", "wiring"],
  },
  (stack, ctx) => {
    const clients: Client[] = [];
    const unknown = (u: Unknown) => ctx.inconclusive(u);
    prometheusClients(stack, clients, unknown);
    alloyClients(stack, clients, unknown);
    for (const client of clients) checkReach(ctx, stack, client, PUSH);
  },
);
