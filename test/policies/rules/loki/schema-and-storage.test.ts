import { strict as assert } from "assert";
import { lokiIngesterStateDurable } from "../../../../policies/rules/loki/ingester-state-durable";
import {
  lokiSchemaPeriodsValid,
  lokiSchemaPeriodsValidRule,
} from "../../../../policies/rules/loki/schema-periods-valid";
import { lokiStoresInObjectStorage } from "../../../../policies/rules/loki/stores-in-object-storage";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

const period = (from: string, extra: Record<string, unknown> = {}) => ({
  from,
  store: "tsdb",
  object_store: "s3",
  schema: "v13",
  index: { prefix: "index_", period: "24h" },
  ...extra,
});

const withPeriods = (configs: unknown[]) =>
  mutateValues(compliantStack(), "loki", "loki.schemaConfig.configs", configs);

/** The rule on a fixed day, so the tests do not depend on when they run. */
const onJune2026 = lokiSchemaPeriodsValidRule(() => new Date("2026-06-15T12:00:00Z"));

describe("policy loki-schema-periods-valid (L4)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual((await runStackPolicy(lokiSchemaPeriodsValid, compliantStack())).violations, []);
  });

  it("rejects two periods from the same day", async () => {
    const run = await runStackPolicy(onJune2026, withPeriods([period("2024-04-01"), period("2024-04-01")]));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.loki\.schemaConfig\.configs\[1\]\.from=2024-04-01 is not after .*configs\[0\]\.from=2024-04-01: Loki refuses to start \("from time in schemas must be distinct and in increasing order"\)/,
    );
  });

  it("accepts a later period with a future date", async () => {
    const run = await runStackPolicy(onJune2026, withPeriods([period("2024-04-01"), period("2026-07-01")]));
    assert.deepEqual(run.violations, []);
  });

  it("rejects a first period that starts in the future", async () => {
    const run = await runStackPolicy(onJune2026, withPeriods([period("2030-01-01")]));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /configs\[0\]\.from=2030-01-01 is after today \(2026-06-15\).*every push fails \("no schema config found for time \.\.\."\)/,
    );
  });

  it("accepts a first period starting today", async () => {
    assert.deepEqual((await runStackPolicy(onJune2026, withPeriods([period("2026-06-15")]))).violations, []);
  });

  it("rejects a period on the filesystem while the chart stores in s3", async () => {
    const run = await runStackPolicy(onJune2026, withPeriods([period("2024-04-01", { object_store: "filesystem" })]));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /configs\[0\]\.object_store=filesystem while .*loki\.storage\.type=s3: the chart configures only the s3 object store, so chunks of that period go to a directory inside each writer pod/,
    );
  });

  it("accepts object_store aws (the s3 alias) and a named store", async () => {
    assert.deepEqual(
      (await runStackPolicy(onJune2026, withPeriods([period("2024-04-01", { object_store: "aws" })]))).violations,
      [],
    );
    const named = mutateValues(
      withPeriods([period("2024-04-01", { object_store: "archive" })]),
      "loki",
      "loki.structuredConfig.storage_config.named_stores",
      { aws: { archive: { bucketnames: "archive" } } },
    );
    assert.deepEqual((await runStackPolicy(onJune2026, named)).violations, []);
  });

  it("reads structuredConfig.schema_config over loki.schemaConfig", async () => {
    const records = mutateValues(compliantStack(), "loki", "loki.structuredConfig.schema_config.configs", [
      period("2024-04-01"),
      period("2023-01-01"),
    ]);
    const run = await runStackPolicy(onJune2026, records);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /structuredConfig\.schema_config\.configs\[1\]\.from=2023-01-01 is not after/,
    );
  });

  it("rejects a date Loki cannot parse", async () => {
    const run = await runStackPolicy(onJune2026, withPeriods([period("2024-04-01T00:00:00Z")]));
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /from="2024-04-01T00:00:00Z": Loki reads schema dates as YYYY-MM-DD/);
  });

  it("gives no violation for a date unknown during preview", async () => {
    const run = await runStackPolicy(onJune2026, withPeriods([period(UNKNOWN)]));
    assert.deepEqual(run.violations, []);
    assert.match(run.previewAdvisory ?? "", /configs\.0\.from can't be known during preview/);
  });
});

describe("policy loki-schema-periods-valid (L4): validateSchemaRequirements / validateSchemaValues", () => {
  it("rejects a future v12 period while structured metadata is allowed by default (held-out t29)", async () => {
    const run = await runStackPolicy(
      onJune2026,
      withPeriods([period("2024-04-01"), period("2026-09-01", { schema: "v12" })]),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /configs\[1\] starts 2026-09-01 with schema v12 \("schema v13 is required to store Structured Metadata.*"\) while structured metadata is allowed \(limits_config\.allow_structured_metadata \(Loki default true\)\): .*validateSchemaRequirements.*every Loki pod that starts after that date/,
    );
  });

  it("rejects a future boltdb-shipper period, accepts both once structured metadata is off", async () => {
    const future = withPeriods([period("2024-04-01"), period("2026-09-01", { store: "boltdb-shipper" })]);
    const run = await runStackPolicy(onJune2026, future);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /store boltdb-shipper \("`tsdb` index type is required to store Structured Metadata"\)/,
    );
    const off = mutateValues(
      withPeriods([period("2024-04-01"), period("2026-09-01", { schema: "v12", store: "boltdb-shipper" })]),
      "loki",
      "loki.limits_config.allow_structured_metadata",
      false,
    );
    assert.deepEqual((await runStackPolicy(onJune2026, off)).violations, []);
  });

  it("leaves a past v12 period before the active v13 one alone (history)", async () => {
    const run = await runStackPolicy(
      onJune2026,
      withPeriods([period("2023-01-01", { schema: "v12" }), period("2024-04-01")]),
    );
    assert.deepEqual(run.violations, []);
  });

  it("rejects a schema version Loki does not know and an unknown index store, at any date", async () => {
    const v14 = await runStackPolicy(
      onJune2026,
      withPeriods([period("2024-04-01"), period("2027-01-01", { schema: "v14" })]),
    );
    assert.equal(v14.violations.length, 1);
    assert.match(
      v14.violations[0].message,
      /schema="v14": Loki 3\.7\.6 knows schemas v9 to v13 only .*"invalid schema version"/,
    );
    const typo = await runStackPolicy(onJune2026, withPeriods([period("2024-04-01", { store: "tsbd" })]));
    assert.equal(typo.violations.length, 1);
    assert.match(
      typo.violations[0].message,
      /store=tsbd: Loki refuses to start \("unrecognized `store` \(index\) type `tsbd`/,
    );
  });
});

describe("policy loki-stores-in-object-storage (L5)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual((await runStackPolicy(lokiStoresInObjectStorage, compliantStack())).violations, []);
  });

  it("rejects filesystem storage in a distributed deployment", async () => {
    const run = await runStackPolicy(
      lokiStoresInObjectStorage,
      mutateValues(compliantStack(), "loki", "loki.storage.type", "filesystem"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /loki\.storage\.type=filesystem with .*ingester\.replicas=3.*the loki chart refuses to render the release \("Cannot run scalable targets \(backend, read, write\) or distributed targets without an object storage backend"\)/,
    );
  });

  it("accepts filesystem storage for one single binary, rejects it for two", async () => {
    let single = mutateValues(compliantStack(), "loki", "deploymentMode", "Monolithic");
    single = mutateValues(single, "loki", "loki.storage.type", "filesystem");
    for (const c of ["ingester", "distributor", "querier", "queryFrontend", "compactor", "indexGateway"]) {
      single = mutateValues(single, "loki", `${c}.replicas`, 0);
    }
    for (const c of ["backend", "read", "write"]) single = mutateValues(single, "loki", `${c}.replicas`, 0);
    single = mutateValues(single, "loki", "singleBinary.replicas", 1);
    assert.deepEqual((await runStackPolicy(lokiStoresInObjectStorage, single)).violations, []);
    const two = await runStackPolicy(
      lokiStoresInObjectStorage,
      mutateValues(single, "loki", "singleBinary.replicas", 2),
    );
    assert.equal(two.violations.length, 1);
    assert.match(
      two.violations[0].message,
      /"Cannot run more than 1 Monolithic replica without an object storage backend"/,
    );
  });
});

/** The fixture's Loki with ingester persistence on, as the program sets it (fixture.ts leaves the chart default). */
function durable() {
  return mutateValues(compliantStack(), "loki", "ingester.persistence", {
    enabled: true,
    claims: [{ name: "data", accessModes: ["ReadWriteOnce"], size: "50Gi", storageClass: "gp3" }],
  });
}

describe("policy loki-ingester-state-durable (L6)", () => {
  it("passes the compliant fixture with ingester persistence", async () => {
    assert.deepEqual((await runStackPolicy(lokiIngesterStateDurable, durable())).violations, []);
  });

  it("rejects distributed ingesters without persistence", async () => {
    const run = await runStackPolicy(
      lokiIngesterStateDurable,
      mutateValues(durable(), "loki", "ingester.persistence", { enabled: false }),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /values\.ingester\.persistence\.enabled=false \(and ingester\.persistence\.volumeClaimsEnabled not true\): its \/var\/loki, where the WAL lives, is an emptyDir, deleted with the pod/,
    );
    assert.match(run.violations[0].message, /Fix: set ingester\.persistence\.enabled: true/);
  });

  it("rejects the chart default (no persistence key) and a memory-backed volume", async () => {
    const absent = await runStackPolicy(
      lokiIngesterStateDurable,
      mutateValues(durable(), "loki", "ingester.persistence", undefined),
    );
    assert.match(absent.violations[0].message, /chart default ingester\.persistence\.enabled=false/);
    const memory = await runStackPolicy(
      lokiIngesterStateDurable,
      mutateValues(durable(), "loki", "ingester.persistence", { enabled: false, inMemory: true }),
    );
    assert.match(memory.violations[0].message, /memory-backed emptyDir/);
  });

  it("accepts a monolithic single binary with the chart's default persistence", async () => {
    const records = mutateValues(durable(), "loki", "deploymentMode", "Monolithic");
    assert.deepEqual((await runStackPolicy(lokiIngesterStateDurable, records)).violations, []);
  });

  it("rejects the WAL turned off", async () => {
    const run = await runStackPolicy(
      lokiIngesterStateDurable,
      mutateValues(durable(), "loki", "loki.structuredConfig.ingester.wal.enabled", false),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /structuredConfig\.ingester\.wal\.enabled=false: ingesters keep acknowledged log lines only in memory/,
    );
  });

  it("rejects query_ingesters_within at or below max_chunk_age, accepts it above", async () => {
    const short = mutateValues(
      mutateValues(durable(), "loki", "loki.structuredConfig.querier.query_ingesters_within", "1h"),
      "loki",
      "loki.structuredConfig.ingester.max_chunk_age",
      "2h",
    );
    const run = await runStackPolicy(lokiIngesterStateDurable, short);
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /querier\.query_ingesters_within=1h <= .*ingester\.max_chunk_age=2h: queriers stop asking ingesters about lines older than 1h.*grafana\/loki#6043/,
    );
    const ok = mutateValues(durable(), "loki", "loki.querier.query_ingesters_within", "4h");
    assert.deepEqual((await runStackPolicy(lokiIngesterStateDurable, ok)).violations, []);
  });

  it("gives no violation for a WAL setting unknown during preview", async () => {
    const run = await runStackPolicy(
      lokiIngesterStateDurable,
      mutateValues(durable(), "loki", "loki.ingester.wal.enabled", UNKNOWN),
    );
    assert.deepEqual(run.violations, []);
    assert.match(run.previewAdvisory ?? "", /wal\.enabled can't be known during preview/);
  });
});
