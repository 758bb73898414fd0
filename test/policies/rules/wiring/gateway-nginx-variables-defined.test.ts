import { strict as assert } from "assert";
import { gatewayNginxVariablesDefined } from "../../../../policies/rules/wiring/gateway-nginx-variables-defined";
import { gatewaysBindTenants } from "../../../../policies/rules/security/gateways-bind-tenants";
import { definedVariables, usedVariables } from "../../../../policies/lib/nginx";
import { compliantStack, mutateValues, TENANT_BINDING } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const RATE_LIMIT = "limit_req_zone $binary_remote_addr zone=push:10m rate=200r/s;";

async function messages(records: ReturnType<typeof compliantStack>): Promise<string[]> {
  return (await runStackPolicy(gatewayNginxVariablesDefined, records)).violations.map((v) => v.message);
}

describe("policy gateway-nginx-variables-defined (W20)", () => {
  it("passes the compliant fixture: the server snippet reads the map the http snippet defines", async () => {
    assert.deepEqual(await messages(compliantStack()), []);
  });

  it("rejects an httpSnippet override that drops the tenant map the serverSnippet reads (held-out h08)", async () => {
    const records = mutateValues(compliantStack(), "mimir", "gateway.nginx.config.httpSnippet", RATE_LIMIT);
    const found = await messages(records);
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /^mimir-distributed release "mimir" values\.gateway\.nginx\.config\.serverSnippet reads \$tenant_credential_mismatch, which neither nginx nor the gateway snippets .* define \(an override of gateway\.nginx\.config\.httpSnippet replaces the whole snippet, including the stack's map that defines \$tenant_credential_mismatch\)\. nginx refuses to load the configuration \(\[emerg\] unknown "tenant_credential_mismatch" variable, ngx_http_variables_init_vars\): every gateway pod exits at start and crash-loops, so every write and query through the gateway Service is blocked\. Fix: keep the stack's map/,
    );
    // S11 leaves the crash to W20 instead of describing it as a tenant-binding gap.
    assert.deepEqual((await runStackPolicy(gatewaysBindTenants, records)).violations, []);
  });

  it("rejects any other variable no snippet defines, in Loki's location snippet too", async () => {
    const found = await messages(
      mutateValues(
        compliantStack(),
        "loki",
        "gateway.nginxConfig.locationSnippet",
        "proxy_set_header X-Team $team_from_cert;",
      ),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /^loki release "loki" values\.gateway\.nginxConfig\.locationSnippet reads \$team_from_cert.*Fix: define \$team_from_cert/,
    );
  });

  it("accepts the stack map kept next to added directives, built-in families, set variables, captures and comments", async () => {
    const kept = mutateValues(
      compliantStack(),
      "mimir",
      "gateway.nginx.config.httpSnippet",
      `${TENANT_BINDING.httpSnippet}\n${RATE_LIMIT}\n# $not_a_variable in a comment\nmap $http_user_agent $is_bot { default 0; "~*bot" 1; }`,
    );
    const server = mutateValues(
      kept,
      "mimir",
      "gateway.nginx.config.serverSnippet",
      `${TENANT_BINDING.serverSnippet}\nset $backend upstream; if ($is_bot) { return 429; }\nadd_header X-Req $request_id; add_header X-A $arg_tenant; add_header X-C $cookie_session; if ($uri ~ "^/t/(?<tenant>[^/]+)") { add_header X-T $tenant$1; }\nlocation = /nginx_status { stub_status; add_header X-Active $connections_active; }`,
    );
    assert.deepEqual(await messages(server), []);
  });

  it("accepts the variables the charts' own nginx.conf defines ($distributor, $ensured_x_scope_orgid, $loggable)", async () => {
    const records = mutateValues(
      compliantStack(),
      "mimir",
      "gateway.nginx.config.serverSnippet",
      `${TENANT_BINDING.serverSnippet}\nadd_header X-Tenant $ensured_x_scope_orgid; add_header X-Up $distributor; access_log /dev/stderr main if=$loggable;`,
    );
    assert.deepEqual(await messages(records), []);
  });

  it("reads definitions and uses", () => {
    assert.deepEqual([...definedVariables('map "$a:$b" $c {}\nset $d 1;\ngeo $e {}\nproxy_set_header X $f;')].sort(), [
      "c",
      "d",
      "e",
    ]);
    assert.deepEqual([...usedVariables("return 200 ${host}$1$uri;")], ["host", "uri"]);
  });
});
