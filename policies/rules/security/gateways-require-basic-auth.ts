// Mimir's and Loki's gateways take the tenant from X-Scope-OrgID: without basic auth any pod in the cluster can
// write to (or read) any tenant.
import { describeEnvironment } from "../../lib/environment";
import { environmentScopedRule, EnvironmentScopedConfig } from "../../lib/scoped-rule";
import { gatewaySwitches, GATEWAYS } from "../../lib/gateways";

type Config = EnvironmentScopedConfig;

export const gatewaysRequireBasicAuth = environmentScopedRule<Config>(
  {
    name: "gateways-require-basic-auth",
    rule: "S8",
    description:
      "In staging and prod the Mimir and Loki gateways must require basic auth: the tenant is only a request header",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep gateway.nginx.basicAuth.enabled (mimir-distributed) and gateway.basicAuth.enabled (loki) true with an existingSecret holding the htpasswd; clients read the password from a Secret.",
    url: "https://grafana.com/docs/mimir/latest/manage/secure/authentication-and-authorization/ (Mimir and Loki trust X-Scope-OrgID; authentication is the gateway's job)",
    tags: ["security", "mimir", "loki"],
    judgedPerResource: true,
  },
  ["staging", "prod"],
  (stack, ctx, env) => {
    for (const spec of GATEWAYS) {
      for (const release of stack.helmReleases(spec.chart)) {
        const { enabled, basicAuth: auth } = gatewaySwitches(release, spec);
        const authNode = release.values.at(spec.basicAuth);
        const shown = (on: boolean) => `values.${spec.basicAuth}=${on}${authNode.isPresent ? "" : " (chart default)"}`;
        ctx.known([enabled, auth], (gatewayOn, authOn) => {
          if (!gatewayOn || authOn) return;
          ctx.violation(
            `${release.label} ${shown(authOn)} with values.${spec.enabled}=${gatewayOn} in ` +
              `${describeEnvironment(env)}: the gateway accepts any request and takes the tenant from its X-Scope-OrgID header, so any pod ` +
              `in the cluster can write to or read every tenant. Fix: set values.${spec.basicAuth}=true with an existingSecret htpasswd, and give clients the password from a Secret.`,
            release.resource.urn,
          );
        });
      }
    }
  },
);
