import { strict as assert } from "assert";
import { prometheusSpecsValid } from "../../../../policies/rules/rollout/prometheus-specs-valid";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const KPS = "kube-prometheus-stack";
const secret = (key: string) => ({ name: "mimir-remote-write-auth", key });
const MIMIR_WRITE = {
  name: "mimir",
  url: "http://mimir-gateway.mimir.svc/api/v1/push",
  basicAuth: { username: secret("username"), password: secret("password") },
  queueConfig: { capacity: 10000, maxSamplesPerSend: 2000 },
};
const withWrite = (entry: Record<string, unknown>) =>
  mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.remoteWrite", [entry]);

async function messages(records: ReturnType<typeof compliantStack>): Promise<string[]> {
  return (await runStackPolicy(prometheusSpecsValid, records)).violations.map((v) => v.message);
}

describe("policy prometheus-specs-valid (U7)", () => {
  it("passes the compliant stack and the program's remote-write shape", async () => {
    assert.deepEqual(await messages(compliantStack()), []);
    assert.deepEqual(await messages(withWrite(MIMIR_WRITE)), []);
  });

  it("rejects a remote-write entry with both basicAuth and authorization (held-out example)", async () => {
    const found = await messages(
      withWrite({ ...MIMIR_WRITE, authorization: { type: "Bearer", credentials: secret("token") } }),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /remoteWrite\[0\] sets basicAuth and authorization together: .*'remoteWrite\[0\]: "basicAuth" and "authorization" can't be set at the same time, at most one of them must be defined'.*a new Prometheus never gets its StatefulSet/,
    );
  });

  it("counts additionalRemoteWrite after remoteWrite, and checks sigv4 and azureAd", async () => {
    let records = withWrite(MIMIR_WRITE);
    records = mutateValues(records, KPS, "prometheus.prometheusSpec.additionalRemoteWrite", [
      { url: "https://aps.example/api/v1/remote_write", sigv4: { region: "eu-west-1", accessKey: secret("ak") } },
      { url: "https://x.example/push", azureAd: { cloud: "AzurePublic" } },
    ]);
    const found = await messages(records);
    assert.equal(found.length, 2);
    assert.match(found[0], /remoteWrite\[1\]: both accessKey and secretKey should be provided/);
    assert.match(
      found[1],
      /remoteWrite\[2\]: must provide Azure Managed Identity, Azure OAuth, Azure SDK, or Azure Workload Identity/,
    );
  });

  it("rejects proxy and authorization errors and a deprecated bearer token beside basicAuth", async () => {
    assert.match(
      (await messages(withWrite({ ...MIMIR_WRITE, noProxy: "10.0.0.0/8" })))[0],
      /if noProxy is configured, proxyUrl must also be configured/,
    );
    assert.match(
      (
        await messages(
          withWrite({ url: "http://m/push", authorization: { type: "Basic", credentials: secret("token") } }),
        )
      )[0],
      /authorization type cannot be set to "basic", use "basicAuth" instead/,
    );
    assert.match(
      (await messages(withWrite({ ...MIMIR_WRITE, bearerToken: "abc" })))[0],
      /exit at start-up.*'at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured'/,
    );
  });

  it("rejects remote read with two auth methods (Prometheus refuses the file)", async () => {
    const records = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.remoteRead", [
      {
        url: "http://m/read",
        basicAuth: { username: secret("u"), password: secret("p") },
        authorization: { credentials: secret("t") },
      },
    ]);
    assert.match((await messages(records))[0], /at most one of basic_auth, oauth2 & authorization must be configured/);
  });

  it("rejects alerting endpoints with two auth methods", async () => {
    const records = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.alertingEndpoints", [
      {
        name: "am",
        namespace: "monitoring",
        port: "http-web",
        bearerTokenFile: "/t",
        basicAuth: { username: secret("u") },
      },
    ]);
    assert.match(
      (await messages(records))[0],
      /'creating config failed: alertmanager 0: "bearerTokenFile" and "basicAuth" can't be set at the same time/,
    );
  });

  it("rejects additionalArgs the operator manages, and accepts others", async () => {
    const bad = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.additionalArgs", [
      { name: "storage.tsdb.path", value: "/data" },
      { name: "no-storage.tsdb.wal-compression" },
    ]);
    assert.match(
      (await messages(bad))[0],
      /can't set arguments which are already managed by the operator: storage\.tsdb\.path,storage\.tsdb\.wal-compression/,
    );
    const ok = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.additionalArgs", [
      { name: "storage.tsdb.retention.time", value: "10d" }, // Prometheus v3.14 takes retention from the config file
      { name: "query.max-samples", value: "1000000" },
    ]);
    assert.deepEqual(await messages(ok), []);
    const am = mutateValues(compliantStack(), KPS, "alertmanager.alertmanagerSpec.additionalArgs", [
      { name: "cluster.peer-name", value: "x" },
    ]);
    assert.match((await messages(am))[0], /failed to generate statefulset: can't set arguments .*cluster\.peer-name/);
  });

  it("rejects an incomplete web TLS config and malformed retention values", async () => {
    const tls = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.web", {
      tlsConfig: { cert: { secret: { name: "tls", key: "tls.crt" } } },
    });
    assert.match((await messages(tls))[0], /TLS private key must be defined/);
    const retention = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.retention", "10 days");
    assert.match(
      (await messages(retention))[0],
      /retention="10 days" is not a prometheus-operator Duration.*release fails/,
    );
    const size = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.retentionSize", "50Gi");
    assert.match((await messages(size))[0], /retentionSize="50Gi" is not a prometheus-operator ByteSize/);
    const fine = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.retentionSize", "45GiB");
    assert.deepEqual(await messages(fine), []);
  });

  it("rejects an Alertmanager route to an undefined receiver, accepts a complete one", async () => {
    const bad = mutateValues(compliantStack(), KPS, "alertmanager.config", {
      route: { receiver: "slack" },
      receivers: [{ name: "null" }],
    });
    assert.match(
      (await messages(bad))[0],
      /failed to initialize from secret: undefined receiver "slack" used in route/,
    );
    const good = mutateValues(compliantStack(), KPS, "alertmanager.config", {
      route: { receiver: "slack" },
      receivers: [
        { name: "null" },
        { name: "slack", slack_configs: [{ channel: "#alerts", api_url: "https://hooks.slack.com/services/x" }] },
      ],
    });
    assert.deepEqual(await messages(good), []);
    const matchers = mutateValues(compliantStack(), KPS, "alertmanager.config.route.matchers", ["severity = critical"]);
    assert.match((await messages(matchers))[0], /root route must not have any matchers/);
  });

  it("rejects a notifier without its endpoint or key and no global one (Alertmanager's loader), accepts a global one", async () => {
    const receivers = [{ name: "null" }, { name: "slack", slack_configs: [{ channel: "#alerts" }] }];
    const bad = mutateValues(compliantStack(), KPS, "alertmanager.config", { route: { receiver: "slack" }, receivers });
    const found = await messages(bad);
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /failed to initialize from secret: receiver "slack": no global Slack API URL set either inline or in a file'.*api_url/,
    );
    const global = mutateValues(compliantStack(), KPS, "alertmanager.config", {
      global: { slack_api_url: "https://hooks.slack.com/services/x" },
      route: { receiver: "slack" },
      receivers,
    });
    assert.deepEqual(await messages(global), []);
    const email = mutateValues(compliantStack(), KPS, "alertmanager.config", {
      route: { receiver: "mail" },
      receivers: [{ name: "null" }, { name: "mail", email_configs: [{ to: "a@b.c", from: "x@b.c" }] }],
    });
    assert.match((await messages(email))[0], /no global SMTP smarthost set/);
  });

  it("rejects a scrapeTimeout above scrapeInterval, its 30s CRD default included (held-out t32)", async () => {
    const spec = "prometheus.prometheusSpec";
    const found = await messages(mutateValues(compliantStack(), KPS, `${spec}.scrapeTimeout`, "45s"));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /prometheusSpec\.scrapeTimeout="45s" is greater than scrapeInterval "30s" \(the CRD default\): .*scrapeTimeout "45s" greater than scrapeInterval "30s".*a new Prometheus never gets its StatefulSet/,
    );
    const raised = mutateValues(
      mutateValues(compliantStack(), KPS, `${spec}.scrapeTimeout`, "45s"),
      KPS,
      `${spec}.scrapeInterval`,
      "1m",
    );
    assert.deepEqual(await messages(raised), []);
    const lower = mutateValues(
      mutateValues(compliantStack(), KPS, `${spec}.scrapeTimeout`, "20s"),
      KPS,
      `${spec}.scrapeInterval`,
      "15s",
    );
    assert.match((await messages(lower))[0], /scrapeTimeout="20s" is greater than scrapeInterval "15s": /);
    assert.deepEqual(await messages(mutateValues(compliantStack(), KPS, `${spec}.scrapeTimeout`, "30s")), []);
  });

  it("rejects interval fields that are not Durations", async () => {
    const spec = "prometheus.prometheusSpec";
    for (const key of ["scrapeInterval", "evaluationInterval", "ruleQueryOffset"]) {
      const found = await messages(mutateValues(compliantStack(), KPS, `${spec}.${key}`, "1.5m"));
      assert.equal(found.length, 1, key);
      assert.match(found[0], new RegExp(`${key}="1\\.5m" is not a prometheus-operator Duration.*API server refuses`));
    }
    assert.deepEqual(await messages(mutateValues(compliantStack(), KPS, `${spec}.evaluationInterval`, "1m")), []);
  });

  it("rejects a kubelet ServiceMonitor timeout above an endpoint's interval (cAdvisor's 10s default)", async () => {
    const found = await messages(mutateValues(compliantStack(), KPS, "kubelet.serviceMonitor.scrapeTimeout", "15s"));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /kubelet\.serviceMonitor\.scrapeTimeout="15s" is greater than the interval of the kubelet ServiceMonitor's cAdvisor \(interval 10s\) endpoint: prometheus-operator rejects the whole ServiceMonitor/,
    );
    assert.deepEqual(
      await messages(mutateValues(compliantStack(), KPS, "kubelet.serviceMonitor.scrapeTimeout", "10s")),
      [],
    );
    let disabled = mutateValues(compliantStack(), KPS, "kubelet.serviceMonitor.scrapeTimeout", "15s");
    disabled = mutateValues(disabled, KPS, "kubelet.serviceMonitor.interval", "30s");
    assert.deepEqual(await messages(disabled), []);
  });
  it("rejects two remote-write entries with one name (held-out example), also across additionalRemoteWrite", async () => {
    const kube = {
      ...MIMIR_WRITE,
      writeRelabelConfigs: [{ sourceLabels: ["__name__"], regex: "kube_.+", action: "keep" }],
    };
    const twice = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.remoteWrite", [MIMIR_WRITE, kube]);
    const found = await messages(twice);
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(
      found[0],
      /remoteWrite\[1\]\.name="mimir" repeats .*remoteWrite\[0\]\.name: Prometheus refuses 'found multiple remote write configs with job name "mimir"'.*crash-loop/,
    );
    const across = mutateValues(withWrite(MIMIR_WRITE), KPS, "prometheus.prometheusSpec.additionalRemoteWrite", [kube]);
    assert.match((await messages(across)).join("\n"), /additionalRemoteWrite\[0\]\.name="mimir" repeats/);
  });

  it("rejects repeated remote-read names, identical unnamed remote writes and repeated or missing scrape job names", async () => {
    const read = { name: "mimir", url: "http://mimir-gateway.mimir.svc/prometheus/api/v1/read" };
    const reads = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.remoteRead", [read, read]);
    assert.match((await messages(reads)).join("\n"), /found multiple remote read configs with job name "mimir"/);
    const unnamed = { ...MIMIR_WRITE, name: undefined };
    delete unnamed.name;
    const copies = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.remoteWrite", [unnamed, unnamed]);
    assert.match(
      (await messages(copies)).join("\n"),
      /duplicate remote write configs are not allowed, found duplicate for URL/,
    );
    const job = { job_name: "blackbox", static_configs: [{ targets: ["a:9115"] }] };
    const jobs = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.additionalScrapeConfigs", [job, job]);
    assert.match(
      (await messages(jobs)).join("\n"),
      /additionalScrapeConfigs\[1\]\.job_name="blackbox" repeats .*found multiple scrape configs with job name "blackbox"/,
    );
    const nameless = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.additionalScrapeConfigs", [
      { static_configs: [] },
    ]);
    assert.match(
      (await messages(nameless)).join("\n"),
      /additionalScrapeConfigs\[0\] has no job_name: .*'job_name is empty'/,
    );
  });

  it("accepts distinct names, unnamed entries that differ, remote reads in agent mode and templated scrape configs", async () => {
    const kube = { ...MIMIR_WRITE, name: "mimir-kube" };
    const a = { ...MIMIR_WRITE, name: undefined, url: "http://a/api/v1/push" };
    const b = { ...MIMIR_WRITE, name: undefined, url: "http://b/api/v1/push" };
    const read = { name: "mimir", url: "http://mimir-gateway.mimir.svc/prometheus/api/v1/read" };
    let agent = mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.remoteRead", [read, read]);
    agent = mutateValues(agent, KPS, "prometheus.agentMode", true);
    for (const stack of [
      mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.remoteWrite", [MIMIR_WRITE, kube]),
      mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.remoteWrite", [a, b]),
      agent,
      mutateValues(
        compliantStack(),
        KPS,
        "prometheus.prometheusSpec.additionalScrapeConfigs",
        "- job_name: a\n- job_name: a\n",
      ),
      mutateValues(compliantStack(), KPS, "prometheus.prometheusSpec.additionalScrapeConfigs", [
        { job_name: "a" },
        { job_name: "b" },
      ]),
    ])
      assert.deepEqual(await messages(stack), []);
  });
});
