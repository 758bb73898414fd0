import * as assert from "node:assert/strict";
import { valueOf } from "../../../tools/harness/mocks";
import { mockComponents } from "../mocked";
import type { Settings } from "../../../settings";
import { CHARTS, RELEASE_TIMEOUT_SECONDS } from "../../../components/shared/charts";
import { PROFILES, settingsFor } from "../fixtures";
import { LOKI_CANARY_TENANT } from "../../../components/loki/gateway-auth";
import { tenantBindingGap } from "../../../policies/lib/tenant-binding";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const BUCKET = "aws:s3/bucket:Bucket";
const SECRET = "kubernetes:core/v1:Secret";
const PASSWORD = "random:index/randomPassword:RandomPassword";

describe("Loki component (registered resources under mocks)", () => {
  let constructionError: unknown;
  const gateways: Record<string, { auth: any; passwords: Record<string, string>; htpasswdSecretName: string }> = {};

  const mocked = mockComponents("loki", async () => {
    const k8s = await import("@pulumi/kubernetes");
    const aws = await import("@pulumi/aws");
    const { Loki } = await import("../../../components/loki");
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    // Stand-ins for what the lead wires in: the CRDs release, the buckets and the IRSA role.
    const crds = new k8s.helm.v3.Release(
      "crds",
      { chart: "prometheus-operator-crds", name: "prometheus-operator-crds" },
      { provider },
    );

    for (const profile of PROFILES) {
      const chunks = new aws.s3.Bucket(`${profile}-chunks`, {
        bucket: `${profile}-loki-chunks-123456789012-eu-west-1`,
      });
      const ruler = new aws.s3.Bucket(`${profile}-ruler`, { bucket: `${profile}-loki-ruler-123456789012-eu-west-1` });
      const loki = new Loki(`loki-${profile}`, {
        settings: settingsFor(profile),
        provider,
        region: "eu-west-1",
        availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        buckets: { chunks: chunks.bucket, ruler: ruler.bucket },
        roleArn: `arn:aws:iam::123456789012:role/${profile}-loki`,
        crdsRelease: crds,
        storageClassName: "gp3",
        dependsOn: [chunks, ruler],
        overrides:
          profile === "prod"
            ? { loki: { limits_config: { retention_period: "45d", max_query_series: 1000 } } }
            : undefined,
      });
      const passwords: Record<string, string> = {};
      for (const [user, password] of Object.entries(loki.gatewayAuth.passwords))
        passwords[user] = await valueOf(password);
      gateways[profile] = {
        auth: loki.gatewayAuth,
        passwords,
        htpasswdSecretName: await valueOf(loki.gatewayAuth.htpasswdSecretName),
      };
    }
    const broken: Settings = structuredClone(settingsFor("dev"));
    broken.loki.replicationFactor = 2;
    try {
      new Loki("loki-broken", {
        settings: broken,
        provider,
        region: "eu-west-1",
        availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        buckets: { chunks: "c", ruler: "r" },
        roleArn: "arn:aws:iam::123456789012:role/loki",
        crdsRelease: crds,
        storageClassName: "gp3",
      });
    } catch (e) {
      constructionError = e;
    }
  });
  const { find } = mocked;

  for (const profile of PROFILES) {
    describe(`${profile} profile`, () => {
      const settings = settingsFor(profile);

      it("installs the pinned chart as a named, timed release in the loki namespace it creates", () => {
        assert.equal(find(NAMESPACE, `loki-${profile}-namespace`).inputs.metadata.name, settings.namespaces.loki);
        const release = find(RELEASE, `loki-${profile}-release`);
        assert.equal(release.inputs.name, settings.releases.loki);
        assert.equal(release.inputs.namespace, settings.namespaces.loki);
        assert.equal(release.inputs.chart, CHARTS.loki.chart);
        assert.equal(release.inputs.version, CHARTS.loki.version);
        assert.equal(release.inputs.repositoryOpts.repo, CHARTS.loki.repo);
        assert.equal(release.inputs.timeout, RELEASE_TIMEOUT_SECONDS);
      });

      it("resolves the bucket names and role into the values", () => {
        const values = find(RELEASE, `loki-${profile}-release`).inputs.values;
        assert.deepEqual(values.loki.storage.bucketNames, {
          chunks: find(BUCKET, `${profile}-chunks`).state.bucket,
          ruler: find(BUCKET, `${profile}-ruler`).state.bucket,
        });
        assert.equal(
          values.serviceAccount.annotations["eks.amazonaws.com/role-arn"],
          `arn:aws:iam::123456789012:role/${profile}-loki`,
        );
        assert.equal(values.loki.compactor.retention_enabled, true);
        assert.equal(values.loki.compactor.delete_request_store, "s3");
        assert.equal(values.loki.schemaConfig.configs[0].index.period, "24h");
        assert.ok(
          values.loki.commonConfig.replication_factor <=
            (profile === "dev" ? values.singleBinary.replicas : values.ingester.replicas),
        );
      });

      it("generates a password per tenant and for the canary, stored only as bcrypt htpasswd lines and the canary's Secret", async () => {
        const { auth, passwords } = gateways[profile];
        const users = [...settings.tenants, LOKI_CANARY_TENANT];
        assert.deepEqual(Object.keys(passwords), users);
        const htpasswd = find(SECRET, `loki-${profile}-gateway-htpasswd`);
        assert.equal(htpasswd.inputs.metadata.namespace, settings.namespaces.loki);
        const lines = users.map(
          (user) => `${user}:${find(PASSWORD, `loki-${profile}-gateway-password-${user}`).state.bcryptHash}\n`,
        );
        assert.equal(htpasswd.inputs.stringData[".htpasswd"], lines.join(""));
        for (const user of users) {
          assert.equal(find(PASSWORD, `loki-${profile}-gateway-password-${user}`).state.result, passwords[user]);
          assert.ok(passwords[user].length >= 32);
          assert.equal(await auth.passwords[user].isSecret, true, "the exposed password must stay a secret output");
          assert.ok(!htpasswd.inputs.stringData[".htpasswd"].includes(passwords[user]));
        }
        assert.equal(new Set(Object.values(passwords)).size, users.length, "no two users share a password");
        const canary = find(SECRET, `loki-${profile}-canary-credentials`);
        assert.equal(canary.inputs.metadata.namespace, settings.namespaces.loki);
        assert.deepEqual(canary.inputs.stringData, {
          username: LOKI_CANARY_TENANT,
          password: passwords[LOKI_CANARY_TENANT],
        });
        assert.equal(gateways[profile].htpasswdSecretName, htpasswd.inputs.metadata.name);
      });

      it("turns on the gateway's basic auth from that htpasswd Secret, binds tenants, and no password reaches a Helm value", () => {
        const release = find(RELEASE, `loki-${profile}-release`);
        const { passwords, htpasswdSecretName } = gateways[profile];
        assert.deepEqual(release.inputs.values.gateway.basicAuth, {
          enabled: true,
          existingSecret: htpasswdSecretName,
        });
        assert.equal(
          tenantBindingGap({
            http: release.inputs.values.gateway.nginxConfig.httpSnippet,
            server: release.inputs.values.gateway.nginxConfig.serverSnippet,
          }),
          undefined,
        );
        assert.equal(
          release.inputs.values.lokiCanary.extraEnv[0].valueFrom.secretKeyRef.name,
          find(SECRET, `loki-${profile}-canary-credentials`).inputs.metadata.name,
        );
        for (const password of Object.values(passwords))
          assert.ok(!JSON.stringify(release.inputs).includes(password), "a generated password leaked into the release");
      });

      it("creates both gateway Secrets before the release that mounts and reads them", () => {
        const release = mocked.registrations.find(RELEASE, `loki-${profile}-release`);
        assert.ok(
          mocked.registrations.dependsOn(
            release,
            mocked.registrations.find(SECRET, `loki-${profile}-gateway-htpasswd`),
          ),
        );
        assert.ok(
          mocked.registrations.dependsOn(
            release,
            mocked.registrations.find(SECRET, `loki-${profile}-canary-credentials`),
          ),
        );
      });

      it("waits for the CRDs release (its ServiceMonitor) and for its own buckets", () => {
        const release = mocked.registrations.find(RELEASE, `loki-${profile}-release`);
        assert.ok(mocked.registrations.dependsOn(release, mocked.registrations.find(RELEASE, "crds")));
        assert.ok(mocked.registrations.dependsOn(release, mocked.registrations.find(BUCKET, `${profile}-chunks`)));
        assert.ok(mocked.registrations.dependsOn(release, mocked.registrations.find(BUCKET, `${profile}-ruler`)));
        const otherProfiles = PROFILES.filter((p) => p !== profile);
        for (const other of otherProfiles) {
          assert.ok(!mocked.registrations.dependsOn(release, mocked.registrations.find(BUCKET, `${other}-chunks`)));
        }
      });
    });
  }

  it("fails while the program is read when the replication factor cannot be met, creating no release", () => {
    assert.match(
      String(constructionError),
      /settings\.loki\.replicationFactor = 2 must be <= settings\.loki\.sizes\.singleBinary\.replicas \(1\)/,
    );
    assert.equal(mocked.mocks.findAllCreated(RELEASE).filter((r) => r.name === "loki-broken-release").length, 0);
  });

  it("deep-merges overrides.loki last: the override wins, the rest stays", () => {
    const prod = find(RELEASE, "loki-prod-release").inputs.values;
    assert.equal(prod.loki.limits_config.retention_period, "45d");
    assert.equal(prod.loki.limits_config.max_query_series, 1000);
    assert.equal(prod.loki.limits_config.ingestion_rate_mb, settingsFor("prod").loki.ingestionRateMB);
    assert.equal(
      find(RELEASE, "loki-dev-release").inputs.values.loki.limits_config.retention_period,
      settingsFor("dev").retention.loki.retentionPeriod,
    );
  });
});
