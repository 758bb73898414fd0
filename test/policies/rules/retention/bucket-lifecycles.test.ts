import { strict as assert } from "assert";
import { lokiBucketLifecycleOutlivesRetention } from "../../../../policies/rules/retention/loki-bucket-lifecycle-outlives-retention";
import { mimirBucketLifecycleOutlivesRetention } from "../../../../policies/rules/retention/mimir-bucket-lifecycle-outlives-retention";
import { compliantStack, mutate, mutateValues, T } from "../../support/fixture";
import { ResourceRecord, runStackPolicy, UNKNOWN, urnOf } from "../../support/harness";

const mimirRule = (path: Array<string | number>, value: unknown) =>
  mutate(compliantStack(), "mimirBlocks-lifecycle", ["rules", 0, ...path], value);
const lokiRule = (path: Array<string | number>, value: unknown) =>
  mutate(compliantStack(), "lokiChunks-lifecycle", ["rules", 0, ...path], value);
const lifecycleFor = (role: string, bucket: string, prefix?: string): ResourceRecord => ({
  type: T.lifecycle,
  name: `${role}-lifecycle`,
  props: {
    bucket,
    rules: [
      {
        id: prefix ? `expire-${prefix}` : "expire-everything",
        status: "Enabled",
        expiration: { days: 30 },
        ...(prefix ? { filter: { prefix } } : {}),
      },
    ],
  },
  propertyDependencies: { bucket: [`${role}-bucket`] },
});

describe("policy mimir-bucket-lifecycle-outlives-retention (R2, INFERRED)", () => {
  it("rejects an expiration within retention + deletion_delay + cleanup_interval + the bucket index's max staleness", async () => {
    const run = await runStackPolicy(mimirBucketLifecycleOutlivesRetention, mimirRule(["expiration", "days"], 365));
    assert.equal(run.violations.length, 1);
    const [v] = run.violations;
    assert.match(
      v.message,
      /^INFERRED: BucketLifecycleConfiguration "mimirBlocks-lifecycle" rules\[0\]\.expiration\.days=365 days on Bucket "obs-prod-mimir-blocks"/,
    );
    assert.match(
      v.message,
      /limits\.compactor_blocks_retention_period=365d \+ mimir-distributed release "mimir" chart-generated config compactor\.deletion_delay=2h \+ Mimir default compactor\.cleanup_interval=15m \+ Mimir default blocks_storage\.bucket_store\.bucket_index\.max_stale_period=1h = 365d3h15m/,
    );
    assert.match(v.message, /err-mimir-store-consistency-check-failed/);
    assert.equal(v.urn, urnOf(T.lifecycle, "mimirBlocks-lifecycle"));
  });

  it("accepts a day's expiration past the compactor's deletion, and a deletion_delay raised within it", async () => {
    assert.deepEqual(
      (await runStackPolicy(mimirBucketLifecycleOutlivesRetention, mimirRule(["expiration", "days"], 366))).violations,
      [],
    );
    const slower = mutateValues(
      mimirRule(["expiration", "days"], 367),
      "mimir",
      "mimir.structuredConfig.compactor.deletion_delay",
      "24h",
    );
    assert.deepEqual((await runStackPolicy(mimirBucketLifecycleOutlivesRetention, slower)).violations, []);
  });

  it("accepts one more day than needed", async () => {
    assert.deepEqual(
      (await runStackPolicy(mimirBucketLifecycleOutlivesRetention, mimirRule(["expiration", "days"], 367))).violations,
      [],
    );
  });

  it("rejects a rule without prefix, which also expires __mimir_cluster/", async () => {
    const run = await runStackPolicy(mimirBucketLifecycleOutlivesRetention, mimirRule(["filter"], undefined));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /no prefix filter: the whole bucket.*also expires __mimir_cluster\/ \(the cluster seed\)/,
    );
  });

  it("rejects any expiration when Mimir keeps blocks forever (retention 0, the default)", async () => {
    const run = await runStackPolicy(
      mimirBucketLifecycleOutlivesRetention,
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.limits", undefined),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /Mimir default limits\.compactor_blocks_retention_period=0s keeps blocks forever/,
    );
  });

  it("uses the tenant override named by the rule prefix", async () => {
    const records = mutateValues(compliantStack(), "mimir", "runtimeConfig.overrides.prod", {
      compactor_blocks_retention_period: "2y",
    });
    const run = await runStackPolicy(mimirBucketLifecycleOutlivesRetention, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /runtimeConfig\.overrides\.prod\.compactor_blocks_retention_period=2y \(730d\) for tenant "prod"/,
    );
  });

  it("rejects expiring the ruler bucket", async () => {
    const run = await runStackPolicy(mimirBucketLifecycleOutlivesRetention, [
      ...compliantStack(),
      lifecycleFor("mimirRuler", "obs-prod-mimir-ruler"),
    ]);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /expires objects of Bucket "obs-prod-mimir-ruler", the ruler_storage of mimir-distributed release "mimir".*rule groups/,
    );
  });

  it("rejects a rule over the alertmanager's objects, and passes one scoped to a tenant, which matches none", async () => {
    const alerts = await runStackPolicy(mimirBucketLifecycleOutlivesRetention, [
      ...compliantStack(),
      lifecycleFor("mimirAlertmanager", "obs-prod-mimir-alertmanager", "alertmanager/"),
    ]);
    assert.equal(alerts.violations.length, 1);
    assert.match(
      alerts.violations[0].message,
      /alertmanager configurations and silences under alerts\/, alertmanager\//,
    );
    const tenantScoped = await runStackPolicy(mimirBucketLifecycleOutlivesRetention, [
      ...compliantStack(),
      lifecycleFor("mimirAlertmanager", "obs-prod-mimir-alertmanager", "prod/"),
      lifecycleFor("mimirRuler", "obs-prod-mimir-ruler", "prod/"),
    ]);
    assert.deepEqual(tenantScoped.violations, []);
  });

  it("honours safetyMarginDays", async () => {
    const run = await runStackPolicy(mimirBucketLifecycleOutlivesRetention, mimirRule(["expiration", "days"], 367), {
      safetyMarginDays: 3,
    });
    assert.equal(run.violations.length, 1);
  });

  it("waits for expiration days unknown during preview", async () => {
    const run = await runStackPolicy(mimirBucketLifecycleOutlivesRetention, mimirRule(["expiration", "days"], UNKNOWN));
    assert.deepEqual(run.violations, []);
    assert.match(run.previewAdvisory ?? "", /rules\.0\.expiration\.days can't be known during preview/);
  });
});

describe("policy loki-bucket-lifecycle-outlives-retention (R3)", () => {
  it("rejects an expiration not later than retention_period + retention_delete_delay", async () => {
    const run = await runStackPolicy(lokiBucketLifecycleOutlivesRetention, lokiRule(["expiration", "days"], 30));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /rules\[0\]\.expiration\.days=30 days on Bucket "obs-prod-loki-chunks" <= .*limits_config\.retention_period=30d \+ Loki default compactor\.retention_delete_delay=2h = 30d2h/,
    );
  });

  it("rejects a rule without prefix", async () => {
    const run = await runStackPolicy(lokiBucketLifecycleOutlivesRetention, lokiRule(["filter"], undefined));
    assert.match(
      run.violations[0].message,
      /has no prefix filter .* expires the TSDB index, the cluster seed and the delete-request store/,
    );
  });

  it("rejects a rule on index/", async () => {
    const run = await runStackPolicy(lokiBucketLifecycleOutlivesRetention, lokiRule(["filter", "prefix"], "index/"));
    assert.match(run.violations[0].message, /expires index\/ \(the TSDB index\)/);
  });

  it("takes the longest retention stream into account", async () => {
    const records = mutateValues(compliantStack(), "loki", "loki.limits_config.retention_stream", [
      { selector: '{namespace="audit"}', priority: 1, period: "90d" },
    ]);
    const run = await runStackPolicy(lokiBucketLifecycleOutlivesRetention, records);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /retention_stream\[0\]\.period=90d \(retention stream\)/);
  });

  it("rejects any expiration when Loki retention is off (logs kept forever)", async () => {
    const run = await runStackPolicy(
      lokiBucketLifecycleOutlivesRetention,
      mutateValues(compliantStack(), "loki", "loki.compactor.retention_enabled", false),
    );
    assert.match(run.violations[0].message, /retention_enabled=false \(Loki never deletes chunks\) keeps logs forever/);
  });

  it("rejects expiring the ruler bucket", async () => {
    const run = await runStackPolicy(lokiBucketLifecycleOutlivesRetention, [
      ...compliantStack(),
      lifecycleFor("lokiRuler", "obs-prod-loki-ruler"),
    ]);
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /^INFERRED: .*the ruler storage of loki release "loki"/);
  });

  it("passes a ruler bucket rule scoped to a tenant, which matches none of the rules/ objects", async () => {
    const run = await runStackPolicy(lokiBucketLifecycleOutlivesRetention, [
      ...compliantStack(),
      lifecycleFor("lokiRuler", "obs-prod-loki-ruler", "prod/"),
    ]);
    assert.deepEqual(run.violations, []);
  });
});

describe("bucket lookup when bucket names are unknown during preview", () => {
  it("falls back to the observability/bucket-role tag and still checks the lifecycle", async () => {
    let records = mutateValues(
      compliantStack(),
      "mimir",
      "mimir.structuredConfig.blocks_storage.s3.bucket_name",
      UNKNOWN,
    );
    records = mutate(records, "mimirBlocks-lifecycle", ["rules", 0, "expiration", "days"], 30);
    const run = await runStackPolicy(mimirBucketLifecycleOutlivesRetention, records);
    assert.equal(run.violations.length, 1);
    assert.equal(run.previewAdvisory, undefined);
  });
});
