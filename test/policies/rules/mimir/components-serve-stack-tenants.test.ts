import { strict as assert } from "assert";
import { mimirComponentsServeStackTenants } from "../../../../policies/rules/mimir/components-serve-stack-tenants";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

/** The fixture with Prometheus writing as tenant "prod", as the program's remote write does for its tenant. */
const writing = () =>
  mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.prometheusSpec.remoteWrite", [
    { url: "http://mimir-gateway.mimir.svc/api/v1/push", headers: { "X-Scope-OrgID": "prod" } },
  ]);
const run = (records = writing()) => runStackPolicy(mimirComponentsServeStackTenants, records);
const config = (path: string, value: unknown, records = writing()) =>
  mutateValues(records, "mimir", `mimir.structuredConfig.${path}`, value);

describe("policy mimir-components-serve-stack-tenants (M23)", () => {
  it("passes the compliant fixture (no tenant lists)", async () => {
    const result = await run(compliantStack());
    assert.deepEqual([...result.violations, ...result.advisories], []);
  });

  it("rejects a compactor that skips the tenant Prometheus writes as", async () => {
    const result = await run(config("compactor.disabled_tenants", "prod"));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /compactor\.disabled_tenants="prod" leaves out tenant\(s\) "prod" \(written by .*remoteWrite\[0\]\.headers\["X-Scope-OrgID"\]=prod\): it never compacts them, applies no retention and writes no bucket index/,
    );
  });

  it("rejects store-gateways enabled for other tenants only, naming the tenants of the runtime overrides too", async () => {
    const records = mutateValues(
      config("store_gateway.enabled_tenants", "team-a"),
      "mimir",
      "runtimeConfig.overrides.team-b",
      {
        max_global_series_per_user: 1000,
      },
    );
    const result = await run(records);
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /"prod" \(written by .*\), "team-b" \(named in runtimeConfig\.overrides\).*consistency check/,
    );
  });

  it("advises on a ruler list, and accepts lists that include every tenant", async () => {
    const ruler = await run(config("ruler.disabled_tenants", "prod"));
    assert.deepEqual(ruler.violations, []);
    assert.match(ruler.advisories[0]?.message ?? "", /recording or alerting rules/);
    const all = await run(config("compactor.enabled_tenants", "prod, team-x"));
    assert.deepEqual(all.violations, []);
  });
});
