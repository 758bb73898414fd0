import { strict as assert } from "assert";
import { datasourcesReachStores } from "../../../../policies/rules/wiring/datasources-reach-stores";
import { logWritersReachLoki } from "../../../../policies/rules/wiring/log-writers-reach-loki";
import { remoteWriteReachesMimir } from "../../../../policies/rules/wiring/remote-write-reaches-mimir";
import { compliantStack, mutate, mutateValues } from "../../support/fixture";
import { ResourceRecord, runStackPolicy, UNKNOWN } from "../../support/harness";

const SECRET = "kubernetes:core/v1:Secret";

function secret(name: string, namespace: string, stringData: Record<string, string>): ResourceRecord {
  return { type: SECRET, name: `secret-${namespace}-${name}`, props: { metadata: { name, namespace }, stringData } };
}

/** The program's remote-write entry (components/prometheus/values.ts mimirRemoteWrite), credential from a Secret. */
function remoteWrite(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "mimir",
    url: "http://mimir-gateway.mimir.svc/api/v1/push",
    headers: { "X-Scope-OrgID": "platform" },
    basicAuth: {
      username: { name: "mimir-remote-write-auth", key: "username" },
      password: { name: "mimir-remote-write-auth", key: "password" },
    },
    ...overrides,
  };
}

/** The compliant stack with Prometheus remote-writing as the platform tenant. */
function withRemoteWrite(entry = remoteWrite(), user = "platform"): ResourceRecord[] {
  return [
    ...mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.prometheusSpec.remoteWrite", [entry]),
    secret("mimir-remote-write-auth", "monitoring", { username: user, password: "from-random" }),
  ];
}

/** The program's Alloy destinations (components/alloy/config.ts), credentials from envFrom Secrets. */
function alloyConfig(lokiUrl: string, tenant: string, mimirUrl = "http://mimir-gateway.mimir.svc/api/v1/push"): string {
  return `
prometheus.remote_write "mimir" {
  endpoint {
    url     = "${mimirUrl}"
    headers = {
      "X-Scope-OrgID" = "platform",
    }
    basic_auth {
      username = sys.env("MIMIR_USERNAME")
      password = sys.env("MIMIR_PASSWORD")
    }
  }
}

loki.write "default" {
  endpoint {
    url = "${lokiUrl}"
    // Sent as X-Scope-OrgID.
    tenant_id = "${tenant}"
    batch_size = "1MiB"
    basic_auth {
      username = sys.env("LOKI_USERNAME")
      password = sys.env("LOKI_PASSWORD")
    }
  }
}
`;
}

/** Alloy in its own namespace, as the program runs it, reading both credentials from envFrom Secrets. */
function withAlloy(lokiUrl = "http://loki-gateway.loki.svc/loki/api/v1/push", tenant = "platform", mimirUrl?: string) {
  let records = mutate(compliantStack(), "alloy", ["namespace"], "alloy");
  records = mutateValues(records, "alloy", "alloy", {
    configMap: { content: alloyConfig(lokiUrl, tenant, mimirUrl) },
    envFrom: [{ secretRef: { name: "alloy-mimir-auth" } }, { secretRef: { name: "alloy-loki-auth" } }],
  });
  return [
    ...records,
    secret("alloy-mimir-auth", "alloy", { MIMIR_USERNAME: "platform", MIMIR_PASSWORD: "x" }),
    secret("alloy-loki-auth", "alloy", { LOKI_USERNAME: "platform", LOKI_PASSWORD: "x" }),
  ];
}

describe("policy remote-write-reaches-mimir (W1)", () => {
  it("accepts the program's remote write: gateway, /api/v1/push, the tenant of its credential", async () => {
    assert.deepEqual((await runStackPolicy(remoteWriteReachesMimir, withRemoteWrite())).violations, []);
  });

  it("rejects the chart 5.x nginx Service, which mimir-distributed 6.x does not render", async () => {
    const run = await runStackPolicy(
      remoteWriteReachesMimir,
      withRemoteWrite(remoteWrite({ url: "http://mimir-nginx.mimir.svc/api/v1/push" })),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.prometheus\.prometheusSpec\.remoteWrite\[0\]\.url=http:\/\/mimir-nginx\.mimir\.svc\/api\/v1\/push names Service mimir-nginx, which mimir-distributed 6\.x no longer renders/,
    );
    assert.match(
      run.violations[0].message,
      /metrics are lost\. The Mimir gateway Service is mimir-gateway\.mimir\.svc/,
    );
    assert.match(run.violations[0].message, /Fix: set it to http:\/\/mimir-gateway\.mimir\.svc\/api\/v1\/push/);
  });

  it("rejects a header naming another tenant than the credential: the gateway answers 403", async () => {
    const run = await runStackPolicy(
      remoteWriteReachesMimir,
      withRemoteWrite(remoteWrite({ headers: { "X-Scope-OrgID": "team-payments" } })),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /remoteWrite\[0\]\.headers\["X-Scope-OrgID"\]=team-payments \(X-Scope-OrgID to http:\/\/mimir-gateway\.mimir\.svc\/api\/v1\/push\) with the basic-auth user Secret "mimir-remote-write-auth" \(namespace monitoring\) stringData\.username=platform: the gateway of mimir-distributed release "mimir" binds each credential .* answers 403/,
    );
    assert.match(run.violations[0].message, /every sample is dropped/);
  });

  it("rejects a credential sent without any tenant header (the binding map refuses an empty header too)", async () => {
    const run = await runStackPolicy(remoteWriteReachesMimir, withRemoteWrite(remoteWrite({ headers: undefined })));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /remoteWrite\[0\]\.url=http:\/\/mimir-gateway\.mimir\.svc\/api\/v1\/push sends no X-Scope-OrgID with the basic-auth user .*=platform: .* 403/,
    );
  });

  it("reads the credential's user from base64 Secret data too", async () => {
    const records = withRemoteWrite(remoteWrite({ headers: { "x-scope-orgid": "team-payments" } }));
    const auth = records.find((r) => r.type === SECRET)!;
    auth.props = { metadata: auth.props.metadata, data: { username: Buffer.from("team-payments").toString("base64") } };
    assert.deepEqual((await runStackPolicy(remoteWriteReachesMimir, records)).violations, []);
  });

  it("rejects a path the gateway does not route and a port the Service does not open", async () => {
    const path = await runStackPolicy(
      remoteWriteReachesMimir,
      withRemoteWrite(remoteWrite({ url: "http://mimir-gateway.mimir.svc.cluster.local/api/v1/write" })),
    );
    assert.equal(path.violations.length, 1);
    assert.match(
      path.violations[0].message,
      /has path \/api\/v1\/write, but the Mimir gateway routes only `location = \/api\/v1\/push`/,
    );
    const port = await runStackPolicy(
      remoteWriteReachesMimir,
      withRemoteWrite(remoteWrite({ url: "http://mimir-gateway.mimir.svc:8080/api/v1/push" })),
    );
    assert.equal(port.violations.length, 1);
    assert.match(port.violations[0].message, /uses port 8080, but Service mimir-gateway\.mimir\.svc listens on 80/);
  });

  it("accepts an explicit :80 and a URL outside the cluster", async () => {
    for (const url of ["http://mimir-gateway.mimir.svc:80/api/v1/push", "https://metrics.example.com/api/v1/push"]) {
      assert.deepEqual(
        (await runStackPolicy(remoteWriteReachesMimir, withRemoteWrite(remoteWrite({ url })))).violations,
        [],
      );
    }
  });

  it("rejects the gateway Service when the release turns its gateway off", async () => {
    const records = mutateValues(withRemoteWrite(), "mimir", "gateway.enabled", false);
    const run = await runStackPolicy(remoteWriteReachesMimir, records);
    assert.match(
      run.violations[0].message,
      /values\.gateway\.enabled=false renders no gateway: the name does not resolve/,
    );
  });

  it("rejects Alloy writing straight to the distributor, which the components' NetworkPolicy fences off", async () => {
    const run = await runStackPolicy(
      remoteWriteReachesMimir,
      withAlloy(undefined, undefined, "http://mimir-distributor.mimir.svc:8080/api/v1/push"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /prometheus\.remote_write "mimir" endpoint url=http:\/\/mimir-distributor\.mimir\.svc:8080\/api\/v1\/push names mimir-distributor\.mimir\.svc, a Mimir component behind the gateway: requests skip the gateway's basic auth/,
    );
    assert.match(
      run.violations[0].message,
      /NetworkPolicy mimir-components in namespace mimir admits no pod of namespace alloy/,
    );
  });

  it("accepts the program's Alloy, its user read from the envFrom Secret", async () => {
    assert.deepEqual((await runStackPolicy(remoteWriteReachesMimir, withAlloy())).violations, []);
  });

  it("skips only the tenant check while the credential is unknown (a new stack's first preview)", async () => {
    const records = withRemoteWrite(
      remoteWrite({ url: "http://mimir-gateway.mimir.svc/push", headers: { "X-Scope-OrgID": "team-payments" } }),
    );
    records.find((r) => r.type === SECRET)!.props.stringData = UNKNOWN;
    const run = await runStackPolicy(remoteWriteReachesMimir, records);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /has path \/push/);
    assert.equal(run.previewAdvisory, undefined);
  });

  it("waits for a URL unknown during preview", async () => {
    const run = await runStackPolicy(remoteWriteReachesMimir, withRemoteWrite(remoteWrite({ url: UNKNOWN })));
    assert.deepEqual(run.violations, []);
    assert.ok(run.previewAdvisory);
  });
});

describe("policy log-writers-reach-loki (W2)", () => {
  it("accepts the compliant fixture's and the program's loki.write", async () => {
    assert.deepEqual((await runStackPolicy(logWritersReachLoki, compliantStack())).violations, []);
    assert.deepEqual((await runStackPolicy(logWritersReachLoki, withAlloy())).violations, []);
  });

  it("rejects a tenant_id that is not the credential's user", async () => {
    const run = await runStackPolicy(logWritersReachLoki, withAlloy(undefined, "team-payments"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /loki\.write "default" endpoint tenant_id=team-payments \(X-Scope-OrgID to http:\/\/loki-gateway\.loki\.svc\/loki\/api\/v1\/push\) with the basic-auth user Secret "alloy-loki-auth" \(namespace alloy\) stringData\.LOKI_USERNAME=platform: .* answers 403/,
    );
    assert.match(run.violations[0].message, /loki\.write does not retry a 4xx other than 429: every batch is dropped/);
  });

  it("says where the lines land when the gateway only rewrites the header", async () => {
    let records = withAlloy(undefined, "team-payments");
    records = mutateValues(records, "loki", "gateway.nginxConfig", {
      locationSnippet: "proxy_set_header X-Scope-OrgID $remote_user;",
    });
    const run = await runStackPolicy(logWritersReachLoki, records);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /the data lands in tenant platform, not team-payments/);
  });

  it("rejects a direct distributor URL: no gateway, and the loki-components NetworkPolicy drops it", async () => {
    const run = await runStackPolicy(
      logWritersReachLoki,
      withAlloy("http://loki-distributor.loki.svc:3100/loki/api/v1/push"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /names loki-distributor\.loki\.svc, a Loki component behind the gateway: .* NetworkPolicy loki-components in namespace loki admits no pod of namespace alloy .* log lines are lost/,
    );
    assert.match(run.violations[0].message, /Fix: set it to http:\/\/loki-gateway\.loki\.svc\/loki\/api\/v1\/push/);
  });

  it("rejects the query path", async () => {
    const run = await runStackPolicy(logWritersReachLoki, withAlloy("http://loki-gateway.loki.svc/loki/api/v1/query"));
    assert.match(
      run.violations[0].message,
      /has path \/loki\/api\/v1\/query, but the Loki gateway routes only `location = \/loki\/api\/v1\/push`/,
    );
  });
});

/** The program's datasources for one tenant (components/prometheus/values.ts grafanaDatasources). */
function datasources(tenant: string, mimirUrl: string, lokiUrl: string, user = tenant): Record<string, unknown>[] {
  return [
    {
      name: `Mimir (${tenant})`,
      type: "prometheus",
      access: "proxy",
      url: mimirUrl,
      basicAuth: true,
      basicAuthUser: user,
      jsonData: { httpMethod: "POST", prometheusType: "Mimir", httpHeaderName1: "X-Scope-OrgID" },
      secureJsonData: { httpHeaderValue1: tenant, basicAuthPassword: "${MIMIR_TENANT_0_PASSWORD}" },
    },
    {
      name: `Loki (${tenant})`,
      type: "loki",
      access: "proxy",
      url: lokiUrl,
      basicAuth: true,
      basicAuthUser: user,
      jsonData: { httpHeaderName1: "X-Scope-OrgID" },
      secureJsonData: { httpHeaderValue1: tenant, basicAuthPassword: "${LOKI_TENANT_0_PASSWORD}" },
    },
  ];
}

function withDatasources(list: Record<string, unknown>[]): ResourceRecord[] {
  return mutateValues(compliantStack(), "kube-prometheus-stack", "grafana.additionalDataSources", list);
}

describe("policy datasources-reach-stores (W3)", () => {
  const MIMIR = "http://mimir-gateway.mimir.svc/prometheus";
  const LOKI = "http://loki-gateway.loki.svc";

  it("accepts the program's datasources and the local Prometheus", async () => {
    const local = { name: "Local", type: "prometheus", url: "http://kps-prometheus.monitoring.svc:9090/" };
    const records = withDatasources([...datasources("platform", MIMIR, LOKI), local]);
    assert.deepEqual((await runStackPolicy(datasourcesReachStores, records)).violations, []);
  });

  it("rejects a Mimir datasource without /prometheus", async () => {
    const run = await runStackPolicy(
      datasourcesReachStores,
      withDatasources(datasources("platform", "http://mimir-gateway.mimir.svc", LOKI)),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.grafana\.additionalDataSources\[0\]\.url=http:\/\/mimir-gateway\.mimir\.svc has path \/, but the Mimir gateway serves the Prometheus API only under `location \/prometheus`/,
    );
    assert.match(run.violations[0].message, /Fix: set it to http:\/\/mimir-gateway\.mimir\.svc\/prometheus/);
  });

  it("rejects a Loki datasource with a path and one on the querier, and a Mimir one on the query-frontend", async () => {
    const path = await runStackPolicy(
      datasourcesReachStores,
      withDatasources(datasources("platform", MIMIR, `${LOKI}/loki`)),
    );
    assert.match(
      path.violations[0].message,
      /additionalDataSources\[1\]\.url=http:\/\/loki-gateway\.loki\.svc\/loki has path \/loki/,
    );
    const frontend = await runStackPolicy(
      datasourcesReachStores,
      withDatasources(datasources("platform", "http://mimir-query-frontend.mimir.svc:8080/prometheus", LOKI)),
    );
    assert.equal(frontend.violations.length, 1);
    assert.match(
      frontend.violations[0].message,
      /names mimir-query-frontend\.mimir\.svc, a Mimir component behind the gateway/,
    );
  });

  it("rejects a datasource whose header names another tenant than its user", async () => {
    const run = await runStackPolicy(
      datasourcesReachStores,
      withDatasources(datasources("team-payments", MIMIR, LOKI, "platform")),
    );
    assert.equal(run.violations.length, 2);
    assert.match(
      run.violations[0].message,
      /secureJsonData\.httpHeaderValue1=team-payments \(X-Scope-OrgID to http:\/\/mimir-gateway\.mimir\.svc\/prometheus\) with the basic-auth user .*basicAuthUser=platform: .* answers 403/,
    );
  });

  it("follows Mimir's api.prometheus_http_prefix, as the chart's gateway does", async () => {
    const moved = mutateValues(
      withDatasources(datasources("platform", MIMIR, LOKI)),
      "mimir",
      "mimir.structuredConfig.api.prometheus_http_prefix",
      "/prom",
    );
    const result = await runStackPolicy(datasourcesReachStores, moved);
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /has path \/prometheus, but the Mimir gateway serves the Prometheus API only under `location \/prom` \(.*api\.prometheus_http_prefix=\/prom/,
    );
    const followed = mutateValues(
      withDatasources(datasources("platform", "http://mimir-gateway.mimir.svc/prom", LOKI)),
      "mimir",
      "mimir.structuredConfig.api.prometheus_http_prefix",
      "/prom",
    );
    assert.deepEqual((await runStackPolicy(datasourcesReachStores, followed)).violations, []);
  });

  it("reads grafana.datasources files too", async () => {
    const records = mutateValues(compliantStack(), "kube-prometheus-stack", "grafana.datasources", {
      "datasources.yaml": {
        apiVersion: 1,
        datasources: datasources("platform", "http://mimir-gateway.mimir.svc", LOKI),
      },
    });
    const run = await runStackPolicy(datasourcesReachStores, records);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /grafana\.datasources\["datasources\.yaml"\]\.datasources\[0\]\.url/);
  });
});
