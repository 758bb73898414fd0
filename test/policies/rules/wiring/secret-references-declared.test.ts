import { strict as assert } from "assert";
import { editDistance, secretReferencesDeclared } from "../../../../policies/rules/wiring/secret-references-declared";
import { compliantStack, mutate, mutateValues, withDeclaredSecrets } from "../../support/fixture";
import { ResourceRecord, runStackPolicy, UNKNOWN } from "../../support/harness";

const withSecrets = withDeclaredSecrets;

// The program's Secret keys (components/*): gateway .htpasswd, Kafka SASL password, Grafana admin, remote-write auth.
const KEYS: Record<string, Record<string, string>> = {
  "mimir-gateway-htpasswd": { ".htpasswd": "tenant:$apr1$..." },
  "mimir-kafka": { password: "p" },
  "loki-gateway-htpasswd": { ".htpasswd": "tenant:$apr1$..." },
  "grafana-admin": { "admin-user": "admin", "admin-password": "p" },
};
const REMOTE_WRITE = {
  url: "http://mimir-gateway.mimir.svc/api/v1/push",
  basicAuth: {
    username: { name: "mimir-remote-write-auth", key: "username" },
    password: { name: "mimir-remote-write-auth", key: "password" },
  },
};

const secret = (name: string, namespace: string, stringData: unknown): ResourceRecord => ({
  type: "kubernetes:core/v1:Secret",
  name: `${namespace}-${name}`,
  props: { metadata: { name, namespace }, type: "Opaque", stringData },
});

/** The fixture's Secrets with their keys, the remote-write credential Secret and the program's remoteWrite. */
function keyed(): ResourceRecord[] {
  const records = withSecrets().map((r) => {
    const name = (r.props.metadata as { name?: string } | undefined)?.name;
    return r.type === "kubernetes:core/v1:Secret" && name && KEYS[name]
      ? { ...r, props: { ...r.props, stringData: KEYS[name] } }
      : r;
  });
  records.push(secret("mimir-remote-write-auth", "monitoring", { username: "prod", password: "p" }));
  return mutateValues(records, "kube-prometheus-stack", "prometheus.prometheusSpec.remoteWrite", [REMOTE_WRITE]);
}

const kps = (records: ResourceRecord[], path: string, value: unknown) =>
  mutateValues(records, "kube-prometheus-stack", path, value);

describe("policy secret-references-declared (W9)", () => {
  it("passes the compliant fixture with its Secrets, and without them only advises", async () => {
    const run = await runStackPolicy(secretReferencesDeclared, withSecrets());
    assert.deepEqual(run.violations, []);
    assert.deepEqual(run.advisories, []);
    const bare = await runStackPolicy(secretReferencesDeclared, compliantStack());
    assert.deepEqual(bare.violations, []);
    assert.ok(
      bare.advisories.some((a) =>
        /not a Secret this stack declares in namespace mimir: make sure it exists/.test(a.message),
      ),
    );
  });

  it("rejects a Loki gateway existingSecret that replaced the program's (held-out f06)", async () => {
    const run = await runStackPolicy(
      secretReferencesDeclared,
      mutateValues(withSecrets(), "loki", "gateway.basicAuth.existingSecret", "loki-gateway-htpasswd-prod"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.gateway\.basicAuth\.existingSecret="loki-gateway-htpasswd-prod" .* names no Secret the stack declares in namespace loki; it looks like a slip of .*"loki-gateway-htpasswd"/,
    );
  });

  it("rejects a Mimir gateway existingSecret typo (held-out f34) and an env secretKeyRef typo (held-out f07)", async () => {
    const gateway = await runStackPolicy(
      secretReferencesDeclared,
      mutateValues(withSecrets(), "mimir", "gateway.nginx.basicAuth.existingSecret", "mimir-gateway-htpasswdd"),
    );
    assert.equal(gateway.violations.length, 1);
    assert.match(gateway.violations[0].message, /gateway\.nginx\.basicAuth\.existingSecret="mimir-gateway-htpasswdd"/);
    const env = await runStackPolicy(
      secretReferencesDeclared,
      mutateValues(withSecrets(), "mimir", "ingester.env", [
        { name: "P", valueFrom: { secretKeyRef: { name: "mimir-kafka-sasl-password", key: "password" } } },
      ]),
    );
    assert.equal(env.violations.length, 1);
    assert.match(
      env.violations[0].message,
      /ingester\.env\[0\]\.valueFrom\.secretKeyRef\.name="mimir-kafka-sasl-password" \(env secretKeyRef/,
    );
  });

  it("rejects a reference while the program's own Secret is referenced by nothing", async () => {
    const run = await runStackPolicy(
      secretReferencesDeclared,
      mutateValues(withSecrets(), "loki", "gateway.basicAuth.existingSecret", "nginx-users"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /the stack's own Secret "loki-gateway-htpasswd" there is referenced by nothing/,
    );
  });

  it("only advises about an unrelated Secret made outside the stack, and skips optional references", async () => {
    const extra = mutateValues(withSecrets(), "mimir", "distributor.extraEnvFrom", [
      { secretRef: { name: "vault-synced-tokens" } },
    ]);
    const run = await runStackPolicy(secretReferencesDeclared, extra);
    assert.deepEqual(run.violations, []);
    assert.match(
      run.advisories[0].message,
      /values\.distributor\.extraEnvFrom\[0\]\.secretRef\.name="vault-synced-tokens" .* make sure it exists/,
    );
    const optional = mutateValues(withSecrets(), "mimir", "distributor.extraEnvFrom", [
      { secretRef: { name: "mimir-kafkaa", optional: true } },
    ]);
    const quiet = await runStackPolicy(secretReferencesDeclared, optional);
    assert.deepEqual([quiet.violations, quiet.advisories], [[], []]);
  });

  describe("keys of declared Secrets", () => {
    it("passes the program's references to keys its Secrets declare", async () => {
      const run = await runStackPolicy(secretReferencesDeclared, keyed());
      assert.deepEqual([run.violations, run.advisories], [[], []]);
    });

    it("rejects a remoteWrite basicAuth key the Secret lacks (held-out: key pass vs username/password)", async () => {
      const run = await runStackPolicy(
        secretReferencesDeclared,
        kps(keyed(), "prometheus.prometheusSpec.remoteWrite", [
          {
            ...REMOTE_WRITE,
            basicAuth: { ...REMOTE_WRITE.basicAuth, password: { name: "mimir-remote-write-auth", key: "pass" } },
          },
        ]),
      );
      assert.equal(run.violations.length, 1);
      assert.match(
        run.violations[0].message,
        /values\.prometheus\.prometheusSpec\.remoteWrite\[0\]\.basicAuth\.password=\{name: "mimir-remote-write-auth", key: "pass"\} .*namespace monitoring has no key "pass" \(its keys: password, username\), so prometheus-operator refuses to reconcile the Prometheus resource.*nothing is scraped or remote-written.*Fix: use key "password"/,
      );
    });

    it("rejects the other prometheus-operator selectors kube-prometheus-stack passes through", async () => {
      const cases: Array<[string, unknown, RegExp]> = [
        [
          "prometheus.prometheusSpec.remoteWrite",
          [
            {
              url: "https://aps.example/api/v1/remote_write",
              sigv4: {
                region: "eu-west-1",
                accessKey: { name: "mimir-remote-write-auth", key: "aws_access_key" },
                secretKey: { name: "mimir-remote-write-auth", key: "password" },
              },
            },
          ],
          /remoteWrite\[0\]\.sigv4\.accessKey=\{name: "mimir-remote-write-auth", key: "aws_access_key"\}/,
        ],
        [
          "prometheus.prometheusSpec.remoteWrite",
          [{ ...REMOTE_WRITE, tlsConfig: { keySecret: { name: "mimir-remote-write-auth", key: "tls.key" } } }],
          /remoteWrite\[0\]\.tlsConfig\.keySecret=\{name: "mimir-remote-write-auth", key: "tls\.key"\}/,
        ],
        [
          "prometheus.prometheusSpec.remoteRead",
          [
            {
              url: "http://mimir/prometheus/api/v1/read",
              authorization: { credentials: { name: "mimir-remote-write-auth", key: "token" } },
            },
          ],
          /remoteRead\[0\]\.authorization\.credentials=\{name: "mimir-remote-write-auth", key: "token"\}/,
        ],
        [
          "prometheus.prometheusSpec.additionalScrapeConfigsSecret",
          { enabled: true, name: "mimir-remote-write-auth", key: "scrape.yaml" },
          /additionalScrapeConfigsSecret=\{name: "mimir-remote-write-auth", key: "scrape\.yaml"\}.*LoadSecretRef/,
        ],
        [
          "prometheus.prometheusSpec.thanos",
          { objectStorageConfig: { existingSecret: { name: "mimir-remote-write-auth", key: "objstore.yml" } } },
          /thanos\.objectStorageConfig\.existingSecret=\{name: "mimir-remote-write-auth", key: "objstore\.yml"\}.*thanos-sidecar container \(CreateContainerConfigError\)/,
        ],
      ];
      for (const [path, value, message] of cases) {
        const run = await runStackPolicy(secretReferencesDeclared, kps(keyed(), path, value));
        assert.equal(run.violations.length, 1, path);
        assert.match(run.violations[0].message, message);
      }
    });

    it("follows the chart: remoteRead is not rendered in agent mode, an optional AlertManager configs Secret is skipped", async () => {
      const agent = kps(kps(keyed(), "prometheus.agentMode", true), "prometheus.prometheusSpec.remoteRead", [
        { url: "http://x", basicAuth: { username: { name: "mimir-remote-write-auth", key: "user" } } },
      ]);
      assert.deepEqual((await runStackPolicy(secretReferencesDeclared, agent)).violations, []);
      const optional = kps(keyed(), "prometheus.prometheusSpec.additionalAlertManagerConfigsSecret", {
        name: "mimir-remote-write-auth",
        key: "am.yaml",
        optional: true,
      });
      assert.deepEqual((await runStackPolicy(secretReferencesDeclared, optional)).violations, []);
      const disabled = kps(keyed(), "prometheus.prometheusSpec.additionalScrapeConfigsSecret", {
        name: "mimir-remote-write-auth",
        key: "scrape.yaml",
      });
      assert.deepEqual((await runStackPolicy(secretReferencesDeclared, disabled)).violations, []);
    });

    it("rejects an env secretKeyRef key the Secret lacks, unless optional", async () => {
      const env = (optional: boolean) =>
        mutateValues(keyed(), "mimir", "ingester.env", [
          {
            name: "P",
            valueFrom: { secretKeyRef: { name: "mimir-kafka", key: "pasword", ...(optional ? { optional } : {}) } },
          },
        ]);
      const run = await runStackPolicy(secretReferencesDeclared, env(false));
      assert.equal(run.violations.length, 1);
      assert.match(
        run.violations[0].message,
        /values\.ingester\.env\[0\]\.valueFrom\.secretKeyRef=\{name: "mimir-kafka", key: "pasword"\} .*has no key "pasword" \(its keys: password\), so the kubelet does not start that container \(CreateContainerConfigError.*Fix: use key "password"/,
      );
      assert.deepEqual((await runStackPolicy(secretReferencesDeclared, env(true))).violations, []);
    });

    it("rejects Grafana admin userKey / passwordKey the existingSecret lacks, unless Grafana does not read it", async () => {
      const run = await runStackPolicy(secretReferencesDeclared, kps(keyed(), "grafana.admin.userKey", "user"));
      assert.equal(run.violations.length, 1);
      assert.match(
        run.violations[0].message,
        /values\.grafana\.admin\.existingSecret="grafana-admin" with values\.grafana\.admin\.userKey="user" .*its keys: admin-password, admin-user.*grafana container \(CreateContainerConfigError\)/,
      );
      const fromEnv = kps(kps(keyed(), "grafana.admin.userKey", "user"), "grafana.env", {
        GF_SECURITY_ADMIN_USER: "root",
      });
      assert.deepEqual((await runStackPolicy(secretReferencesDeclared, fromEnv)).violations, []);
    });

    it("rejects a gateway basic-auth Secret without .htpasswd, unless the nginx config is the operator's own", async () => {
      const records = [...keyed(), secret("loki-basic-auth", "loki", { htpasswd: "tenant:$apr1$..." })];
      const run = await runStackPolicy(
        secretReferencesDeclared,
        mutateValues(records, "loki", "gateway.basicAuth.existingSecret", "loki-basic-auth"),
      );
      const keyViolations = run.violations.filter((v) => /has no key/.test(v.message));
      assert.equal(keyViolations.length, 1);
      assert.match(
        keyViolations[0].message,
        /values\.gateway\.basicAuth\.existingSecret="loki-basic-auth" with the key "\.htpasswd" the chart reads .*its keys: htpasswd.*answers 403 to every request/,
      );
      const ownConfig = mutateValues(
        mutateValues(records, "loki", "gateway.basicAuth.existingSecret", "loki-basic-auth"),
        "loki",
        "gateway.nginxConfig.file",
        "events {}\nhttp { server { auth_basic_user_file /etc/nginx/secrets/htpasswd; } }",
      );
      const quiet = await runStackPolicy(secretReferencesDeclared, ownConfig);
      assert.equal(quiet.violations.filter((v) => /has no key/.test(v.message)).length, 0);
    });

    it("rejects Strimzi container env and KafkaUser password keys the Secret lacks", async () => {
      const records = [...keyed(), secret("kafka-mimir-sasl", "kafka", { password: "p" })];
      const pool = mutate(
        records,
        "kafka-pool-brokers",
        ["spec", "template", "kafkaContainer", "env"],
        [{ name: "KAFKA_SASL_PASSWORD", valueFrom: { secretKeyRef: { name: "kafka-mimir-sasl", key: "passwd" } } }],
      );
      const run = await runStackPolicy(secretReferencesDeclared, pool);
      assert.equal(run.violations.length, 1);
      assert.match(
        run.violations[0].message,
        /KafkaNodePool "brokers" \(namespace kafka\) spec\.template\.kafkaContainer\.env\[0\]\.valueFrom\.secretKeyRef=\{name: "kafka-mimir-sasl", key: "passwd"\}.*CreateContainerConfigError/,
      );
      const user = mutate(records, "kafka-user-mimir", ["spec", "authentication"], {
        type: "scram-sha-512",
        password: { valueFrom: { secretKeyRef: { name: "kafka-mimir-sasl", key: "pass" } } },
      });
      const refused = await runStackPolicy(secretReferencesDeclared, user);
      assert.equal(refused.violations.length, 1);
      assert.match(
        refused.violations[0].message,
        /KafkaUser "mimir".*key: "pass"\}.*User Operator refuses the KafkaUser/,
      );
      // The User Operator's own Secret for a SCRAM user holds password and sasl.jaas.config.
      const fromUser = mutateValues(records, "mimir", "ingester.env", [
        { name: "P", valueFrom: { secretKeyRef: { name: "mimir", key: "sasl.jaas.config" } } },
      ]);
      assert.deepEqual((await runStackPolicy(secretReferencesDeclared, fromUser)).violations, []);
    });

    it("does not judge keys it cannot list (first preview, Secret declared without contents)", async () => {
      const typo = kps(keyed(), "prometheus.prometheusSpec.remoteWrite", [
        {
          ...REMOTE_WRITE,
          basicAuth: { ...REMOTE_WRITE.basicAuth, password: { name: "mimir-remote-write-auth", key: "pass" } },
        },
      ]);
      const preview = mutate(typo, "monitoring-mimir-remote-write-auth", ["stringData"], UNKNOWN);
      assert.deepEqual((await runStackPolicy(secretReferencesDeclared, preview)).violations, []);
      const bare = mutate(typo, "monitoring-mimir-remote-write-auth", ["stringData"], undefined);
      assert.deepEqual((await runStackPolicy(secretReferencesDeclared, bare)).violations, []);
    });
  });

  describe("namespaceOverride: references resolve in the namespace the pods run in", () => {
    const namespace = (name: string): ResourceRecord => ({
      type: "kubernetes:core/v1:Namespace",
      name: `ns-${name}`,
      props: { metadata: { name } },
    });
    /** The fixture's Secrets and the program's namespaces, with Grafana's datasource credentials as the program renders them. */
    const stack = () =>
      kps(
        [
          ...keyed(),
          secret("grafana-datasource-credentials", "monitoring", { "mimir-prod": "p" }),
          ...["monitoring", "mimir", "loki", "kafka"].map(namespace),
        ],
        "grafana.envValueFrom",
        { MIMIR_TENANT_0_PASSWORD: { secretKeyRef: { name: "grafana-datasource-credentials", key: "mimir-prod" } } },
      );
    const run = (records: ResourceRecord[]) => runStackPolicy(secretReferencesDeclared, records);

    it("passes the program's Grafana in the release namespace", async () => {
      const result = await run(stack());
      assert.deepEqual(result.violations, []);
    });

    it("rejects grafana.namespaceOverride (h22): the admin and datasource Secrets stay in monitoring", async () => {
      const result = await run(kps(stack(), "grafana.namespaceOverride", "grafana"));
      const messages = result.violations.map((v) => v.message);
      assert.ok(
        messages.some((m) =>
          /values\.grafana\.admin\.existingSecret="grafana-admin" .* is read by pods in namespace grafana \(values\.grafana\.namespaceOverride="grafana"\), but the stack declares the Secret "grafana-admin" only in namespace monitoring: a pod can reference only Secrets of its own namespace.*Fix: remove values\.grafana\.namespaceOverride/.test(
            m,
          ),
        ),
        messages.join("\n"),
      );
      assert.ok(
        messages.some((m) =>
          /envValueFrom\.MIMIR_TENANT_0_PASSWORD\.secretKeyRef\.name="grafana-datasource-credentials" .*namespace grafana/.test(
            m,
          ),
        ),
      );
      const advice = result.advisories.map((v) => v.message);
      assert.ok(
        advice.some((m) =>
          /values\.grafana\.namespaceOverride="grafana" moves the grafana subchart's objects into namespace grafana, which the stack does not create/.test(
            m,
          ),
        ),
        advice.join("\n"),
      );
    });

    it("accepts an override into a namespace holding the Secrets, the release namespace, and a disabled subchart", async () => {
      const moved = [
        ...kps(stack(), "grafana.namespaceOverride", "grafana"),
        namespace("grafana"),
        secret("grafana-admin", "grafana", KEYS["grafana-admin"]),
        secret("grafana-datasource-credentials", "grafana", { "mimir-prod": "p" }),
      ];
      const result = await run(moved);
      assert.deepEqual(result.violations, []);
      assert.deepEqual(
        result.advisories.filter((a) => /namespaceOverride/.test(a.message)),
        [],
      );
      assert.deepEqual((await run(kps(stack(), "grafana.namespaceOverride", "monitoring"))).violations, []);
      // The node exporter reads no Secret: its override into a namespace the stack creates is fine.
      const ne = await run(kps(stack(), "prometheus-node-exporter.namespaceOverride", "kafka"));
      assert.deepEqual(ne.violations, []);
      assert.deepEqual(
        ne.advisories.filter((a) => /namespaceOverride/.test(a.message)),
        [],
      );
      const win = await run(kps(stack(), "prometheus-windows-exporter.namespaceOverride", "windows"));
      assert.deepEqual(
        win.advisories.filter((a) => /namespaceOverride/.test(a.message)),
        [],
        "windowsMonitoring off",
      );
    });

    it("advises on kube-prometheus-stack's own namespaceOverride into an undeclared namespace, and rejects its remote-write Secret there", async () => {
      const result = await run(kps(stack(), "namespaceOverride", "observability"));
      assert.ok(
        result.violations.some((v) =>
          /remoteWrite\[0\]\.basicAuth\.username\.name="mimir-remote-write-auth".*namespace observability/.test(
            v.message,
          ),
        ),
      );
      assert.ok(
        result.advisories.some((a) =>
          /values\.namespaceOverride="observability" moves the chart's objects/.test(a.message),
        ),
      );
      // Grafana is a subchart: the parent's override does not move it, so its Secrets still resolve in monitoring.
      assert.ok(!result.violations.some((v) => /grafana-admin/.test(v.message)));
    });
  });

  it("measures edit distance", () => {
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("abc", "abc"), 0);
  });
});
