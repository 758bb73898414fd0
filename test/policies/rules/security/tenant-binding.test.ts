import { strict as assert } from "assert";
import { gatewaysBindTenants } from "../../../../policies/rules/security/gateways-bind-tenants";
import { tenantBindingGap } from "../../../../policies/lib/tenant-binding";
import { compliantStack, mutateValues, retag, TENANT_BINDING } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

describe("policy gateways-bind-tenants (S11)", () => {
  it("accepts the compliant stack: both gateways refuse a header that names another tenant", async () => {
    assert.deepEqual((await runStackPolicy(gatewaysBindTenants, compliantStack())).violations, []);
  });

  it("rejects Mimir's gateway without the binding: one credential could act as every tenant", async () => {
    // Both snippets gone: with the serverSnippet still reading $tenant_credential_mismatch nginx would refuse the
    // config instead, which gateway-nginx-variables-defined (W20) reports.
    const run = await runStackPolicy(
      gatewaysBindTenants,
      mutateValues(
        mutateValues(compliantStack(), "mimir", "gateway.nginx.config.httpSnippet", undefined),
        "mimir",
        "gateway.nginx.config.serverSnippet",
        undefined,
      ),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^mimir-distributed release "mimir" in prod .*: the http snippet has no map of "\$http_x_scope_orgid:\$remote_user" to \$tenant_credential_mismatch\. Any holder of one tenant's gateway credential can then read and write every other tenant/,
    );
    assert.match(run.violations[0].message, /Fix: set values\.gateway\.nginx\.config\.httpSnippet/);
  });

  it("rejects a map that is never acted on (no 403 in the server block)", async () => {
    const run = await runStackPolicy(
      gatewaysBindTenants,
      mutateValues(compliantStack(), "mimir", "gateway.nginx.config.serverSnippet", "client_max_body_size 10M;"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /the server snippet does not return 403 when \$tenant_credential_mismatch is set/,
    );
  });

  it("rejects a replaced nginx config file, whose binding cannot be shown", async () => {
    const run = await runStackPolicy(
      gatewaysBindTenants,
      mutateValues(
        compliantStack(),
        "mimir",
        "gateway.nginx.config.file",
        "events {}\nhttp { server { listen 8080; } }\n",
      ),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /replaces the chart's nginx config \(values\.gateway\.nginx\.config\.file is set\)/,
    );
  });

  it("accepts Loki bound by its own locationSnippet alone, the chart's default with loki.tenants, and the default file", async () => {
    const locationOnly = mutateValues(
      mutateValues(compliantStack(), "loki", "gateway.nginxConfig.httpSnippet", undefined),
      "loki",
      "gateway.nginxConfig.serverSnippet",
      undefined,
    );
    assert.deepEqual((await runStackPolicy(gatewaysBindTenants, locationOnly)).violations, []);
    const chartDefault = mutateValues(
      mutateValues(
        mutateValues(locationOnly, "loki", "gateway.nginxConfig.locationSnippet", undefined),
        "loki",
        "loki.tenants",
        [{ name: "team-a", passwordHash: "$2y$..." }],
      ),
      "loki",
      "gateway.nginxConfig.file",
      '{{- include "loki.nginxFile" . -}}',
    );
    assert.deepEqual((await runStackPolicy(gatewaysBindTenants, chartDefault)).violations, []);
  });

  it("rejects Loki with neither binding: its chart sets no X-Scope-OrgID, the client's passes through", async () => {
    let records = mutateValues(compliantStack(), "loki", "gateway.nginxConfig", undefined);
    const run = await runStackPolicy(gatewaysBindTenants, records);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /^loki release "loki" in prod .*: the http snippet has no map/);
    records = mutateValues(
      compliantStack(),
      "loki",
      "gateway.nginxConfig.locationSnippet",
      "proxy_set_header X-Scope-OrgID $http_x_scope_orgid;",
    );
    records = mutateValues(records, "loki", "gateway.nginxConfig.serverSnippet", "");
    assert.equal((await runStackPolicy(gatewaysBindTenants, records)).violations.length, 1);
  });

  it("leaves gateways without basic auth to S8, and dev alone", async () => {
    const open = mutateValues(
      mutateValues(compliantStack(), "mimir", "gateway.nginx.basicAuth.enabled", false),
      "mimir",
      "gateway.nginx.config",
      undefined,
    );
    assert.deepEqual((await runStackPolicy(gatewaysBindTenants, open)).violations, []);
    const dev = retag(mutateValues(compliantStack(), "mimir", "gateway.nginx.config", undefined), "dev");
    assert.deepEqual((await runStackPolicy(gatewaysBindTenants, dev)).violations, []);
  });
});

describe("tenantBindingGap", () => {
  it("finds the binding however the snippets are spaced, and names what is missing", () => {
    assert.equal(
      tenantBindingGap({ http: TENANT_BINDING.httpSnippet, server: TENANT_BINDING.serverSnippet }),
      undefined,
    );
    const spaced = {
      http: 'map  "$http_x_scope_orgid:$remote_user"   $tenant_credential_mismatch\n{\n    default 1;\n    "~:$" 0;\n}',
      server: "if ( $tenant_credential_mismatch ) {\n  return 403;\n}",
    };
    assert.equal(tenantBindingGap(spaced), undefined);
    assert.match(tenantBindingGap({ server: TENANT_BINDING.serverSnippet }) ?? "", /http snippet has no map/);
    // A map whose default lets every request through binds nothing.
    assert.match(
      tenantBindingGap({
        http: TENANT_BINDING.httpSnippet.replace("default 1", "default 0"),
        server: TENANT_BINDING.serverSnippet,
      }) ?? "",
      /no map/,
    );
    assert.equal(tenantBindingGap({ location: "proxy_set_header X-Scope-OrgID $remote_user;" }), undefined);
  });
});
