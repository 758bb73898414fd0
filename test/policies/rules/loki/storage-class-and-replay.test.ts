import { strict as assert } from "assert";
import { lokiBurstHoldsALine } from "../../../../policies/rules/loki/burst-holds-a-line";
import { lokiObjectStorageClassReadable } from "../../../../policies/rules/loki/object-storage-class-readable";
import { lokiWalReplayFitsMemory } from "../../../../policies/rules/loki/wal-replay-fits-memory";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const withValue = (path: string, value: unknown) => mutateValues(compliantStack(), "loki", path, value);

describe("policy loki-burst-holds-a-line (L3): per-stream burst", () => {
  it("rejects a per-stream burst below the default 256KB line", async () => {
    const run = await runStackPolicy(
      lokiBurstHoldsALine,
      mutateValues(
        withValue("loki.limits_config.per_stream_rate_limit", "50KB"),
        "loki",
        "loki.limits_config.per_stream_rate_limit_burst",
        "100KB",
      ),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /^the defaults of loki release "loki": per_stream_rate_limit_burst 102400 bytes .*< max_line_size 262144 bytes: .*Per stream rate limit exceeded/,
    );
  });

  it("judges a tenant's per-stream burst", async () => {
    const run = await runStackPolicy(
      lokiBurstHoldsALine,
      withValue("loki.runtimeConfig.overrides", { "team-a": { per_stream_rate_limit_burst: "128KB" } }),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /^tenant "team-a" .*per_stream_rate_limit_burst 131072 bytes/);
  });

  it("passes raised per-stream limits (5MB / 20MB) and max_line_size 0 (no limit to compare)", async () => {
    const raised = mutateValues(
      withValue("loki.limits_config.per_stream_rate_limit", "5MB"),
      "loki",
      "loki.limits_config.per_stream_rate_limit_burst",
      "20MB",
    );
    assert.deepEqual((await runStackPolicy(lokiBurstHoldsALine, raised)).violations, []);
    const unlimited = withValue("loki.limits_config.max_line_size", 0);
    assert.deepEqual((await runStackPolicy(lokiBurstHoldsALine, unlimited)).violations, []);
  });
});

describe("policy loki-object-storage-class-readable (L8)", () => {
  it("passes the fixture and the readable classes", async () => {
    assert.deepEqual((await runStackPolicy(lokiObjectStorageClassReadable, compliantStack())).violations, []);
    for (const cls of ["STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER_IR"]) {
      const run = await runStackPolicy(
        lokiObjectStorageClassReadable,
        withValue("loki.structuredConfig.storage_config.aws.storage_class", cls),
      );
      assert.deepEqual(run.violations, [], cls);
    }
  });

  it("rejects GLACIER on the aws client and an unsupported class", async () => {
    let run = await runStackPolicy(
      lokiObjectStorageClassReadable,
      withValue("loki.structuredConfig.storage_config.aws.storage_class", "GLACIER"),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /storage_config\.aws\.storage_class=GLACIER: every chunk and index file Loki writes .*InvalidObjectState/,
    );
    run = await runStackPolicy(lokiObjectStorageClassReadable, withValue("loki.storage.s3.storage_class", "SNOW"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /storage_class=SNOW: Loki refuses to start \("unsupported S3 storage class"/,
    );
  });
});

describe("policy loki-wal-replay-fits-memory (L9)", () => {
  const limited = (ceiling: string) =>
    mutateValues(withValue("ingester.resources", { limits: { memory: "8Gi" } }), "loki", "loki.ingester", {
      wal: { replay_memory_ceiling: ceiling },
    });

  it("passes the fixture and a ceiling below the limit", async () => {
    assert.deepEqual((await runStackPolicy(lokiWalReplayFitsMemory, compliantStack())).violations, []);
    assert.deepEqual((await runStackPolicy(lokiWalReplayFitsMemory, limited("4GB"))).violations, []);
  });

  it("rejects a ceiling above the ingester's memory limit", async () => {
    const run = await runStackPolicy(lokiWalReplayFitsMemory, limited("32GB"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /loki\.ingester\.wal\.replay_memory_ceiling=32GB \(32Gi .*\) >= .*ingester\.resources\.limits\.memory=8Gi .*OOM-killed.*about 75% of the limit \(6Gi/,
    );
  });
  const limitOnly = (memory: string) => withValue("ingester.resources", { limits: { memory } });

  it("judges Loki's 4GB default when the values set no ceiling: a 3Gi ingester is OOM-killed in the replay", async () => {
    const run = await runStackPolicy(lokiWalReplayFitsMemory, limitOnly("3Gi"));
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /replay_memory_ceiling unset in the values of .*: Loki's default 4GB \(4Gi.*\) >= .*ingester\.resources\.limits\.memory=3Gi .*OOM-killed.*about 75% of the limit \(2304Mi/,
    );
  });

  it("passes the default 4GB under a larger limit, and any default once the WAL is off", async () => {
    assert.deepEqual((await runStackPolicy(lokiWalReplayFitsMemory, limitOnly("8Gi"))).violations, []);
    const walOff = mutateValues(limitOnly("3Gi"), "loki", "loki.ingester", { wal: { enabled: false } });
    assert.deepEqual((await runStackPolicy(lokiWalReplayFitsMemory, walOff)).violations, []);
    const ceiling = mutateValues(limitOnly("3Gi"), "loki", "loki.ingester", {
      wal: { replay_memory_ceiling: "2304MB" },
    });
    assert.deepEqual((await runStackPolicy(lokiWalReplayFitsMemory, ceiling)).violations, []);
  });
});
