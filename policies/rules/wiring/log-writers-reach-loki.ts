// W2: Alloy's loki.write endpoints inside the cluster must reach Loki's gateway, on its push path, as the tenant of
// the credential they send.
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";
import { alloyClient, alloyEndpoints, serviceUrl } from "./endpoints";
import { checkReach, Route } from "./reach";

/**
 * - loki chart templates/_helpers.tpl "loki.nginxFile": `location = /loki/api/v1/push` (and the legacy
 *   `= /api/prom/push`) proxy to the distributors; `^~ /loki/api/v1/` goes to the query frontend, which has no push.
 * - loki.write retries only 429, 5xx and connection errors ("Only retry 429s, 500s and connection-level errors",
 *   the Loki push client's sendBatch, clients/pkg/promtail/client/client.go, which Alloy's loki.write inherits);
 *   after max_backoff_retries the batch is dropped (Alloy reference, loki.write endpoint).
 */
const PUSH: Route = {
  store: "Loki",
  paths: ["/loki/api/v1/push"],
  path: "/loki/api/v1/push",
  routes: "routes only `location = /loki/api/v1/push` to the distributors",
  lost: "every push fails and loki.write retries until max_backoff_retries, then drops the batch: log lines are lost",
  refused: "loki.write does not retry a 4xx other than 429: every batch is dropped",
};

export const logWritersReachLoki = stackRule<object>(
  {
    name: "log-writers-reach-loki",
    rule: "W2",
    description:
      "Every in-cluster Alloy loki.write endpoint must be Loki's gateway Service with path /loki/api/v1/push, its tenant_id the tenant of its credential",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Point loki.write at http://<loki release>-gateway.<loki namespace>.svc/loki/api/v1/push (settings.loki.pushUrl), not at a Loki component, " +
      "and set tenant_id to the basic-auth user (each gateway user is its tenant).",
    url: "https://grafana.com/docs/alloy/latest/reference/components/loki/loki.write/ (endpoint url, tenant_id, basic_auth)",
    tags: ["loki", "alloy", "wiring"],
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.alloy)) {
      const content = release.values.at("alloy.configMap.content");
      const text = content.string();
      if (isUnknown(text)) {
        ctx.inconclusive(text);
        continue;
      }
      for (const endpoint of alloyEndpoints(text ?? "", "loki.write")) {
        if (!endpoint.url || !("literal" in endpoint.url)) continue;
        const url = serviceUrl(endpoint.url.literal);
        if (!url) continue;
        checkReach(ctx, stack, alloyClient(stack, release, content.where, endpoint, url), PUSH);
      }
    }
  },
);
